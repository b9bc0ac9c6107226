"""The multi-page merge rules of reference 004 (core.extraction.merge)."""

from __future__ import annotations

import pytest

from core.extraction.merge import (
    ItemPick,
    ValuePick,
    canonical_key,
    clean,
    is_empty,
    merge_array,
    merge_batches,
    merge_value,
)
from core.schema import Field


def test_most_frequent_non_null_value_wins() -> None:
    assert merge_value(["INV-1", "INV-2", "INV-2", None]) == ValuePick("INV-2", (1, 2))


def test_tie_goes_to_the_earliest_batch() -> None:
    assert merge_value([None, "B", "A", "A", "B"]) == ValuePick("B", (1, 4))
    assert merge_value([12.5, 13.0]).value == 12.5


def test_nulls_and_blank_strings_never_win() -> None:
    assert merge_value([None, "  ", "X", None, ""]) == ValuePick("X", (2,))
    assert merge_value([None, "", "   "]) is None
    assert merge_value([]) is None


def test_strings_are_trimmed_but_never_lowercased_or_folded() -> None:
    # Identifiers keep their case and separators: "AB-12" and "ab-12" or "AB12" are different values.
    assert merge_value([" AB-12 ", "AB-12", "ab-12", "ab-12", "AB12"]) == ValuePick("AB-12", (0, 1))
    assert canonical_key("DE89 3704") != canonical_key("DE893704")


def test_false_and_zero_are_values_not_nulls() -> None:
    assert merge_value([None, False, None]) == ValuePick(False, (1,))
    assert merge_value([0, None, 0.0, 5]) == ValuePick(0, (0, 2))


def test_objects_compare_as_canonical_json_with_sorted_keys() -> None:
    a = {"name": "ACME ", "city": "Berlin"}
    b = {"city": "Berlin", "name": "ACME"}
    c = {"city": "Bonn", "name": "ACME"}
    pick = merge_value([c, a, b])
    assert pick == ValuePick({"name": "ACME", "city": "Berlin"}, (1, 2))


def test_an_object_with_only_empty_properties_counts_as_null() -> None:
    assert merge_value([{"name": None, "city": " "}, None]) is None


def test_arrays_keep_distinct_values_in_order_of_appearance() -> None:
    picks = merge_array([["a", "b"], None, ["b", "c"], ["a", " d "]])
    assert [p.value for p in picks] == ["a", "b", "c", "d"]
    assert picks[2] == ItemPick("c", 2, 1)
    assert picks[3] == ItemPick("d", 3, 1)


def test_arrays_drop_nulls_and_duplicates_inside_one_batch() -> None:
    assert [p.value for p in merge_array([["x", None, "x", "", "y"]])] == ["x", "y"]


def test_array_items_that_are_objects_dedupe_by_canonical_json() -> None:
    row = {"description": "Widget A", "quantity": 3, "unit_price": 120.0}
    same_row_other_order = {"unit_price": 120, "quantity": 3, "description": "Widget A "}
    other = {"description": "Service B", "quantity": 1, "unit_price": 50.0}
    picks = merge_array([[row], [same_row_other_order, other]])
    assert [p.value["description"] for p in picks] == ["Widget A", "Service B"]
    assert (picks[1].batch, picks[1].index) == (1, 1)


def test_case_differences_in_array_items_are_kept_apart() -> None:
    assert [p.value for p in merge_array([["sku-1"], ["SKU-1"]])] == ["sku-1", "SKU-1"]


def test_merge_batches_returns_every_top_level_field_null_when_unfound() -> None:
    fields = [
        Field(name="invoice_number"),
        Field(name="total", type="number"),
        Field(name="due_date", type="date"),
        Field(
            name="line_items",
            type="array",
            items=Field(name="item", type="object", properties=[Field(name="description")]),
        ),
        Field(name="tags", type="array", items=Field(name="tag")),
    ]
    batches = [
        {"invoice_number": "INV-2026-0412", "total": None, "line_items": [{"description": "Widget A"}]},
        {"invoice_number": "INV-2026-0412 ", "total": 1284.5, "line_items": [{"description": "Service B"}]},
        {"invoice_number": None, "total": 1284.5, "tags": []},
    ]
    merged = merge_batches(batches, fields)
    assert merged == {
        "invoice_number": "INV-2026-0412",
        "total": 1284.5,
        "due_date": None,
        "line_items": [{"description": "Widget A"}, {"description": "Service B"}],
        "tags": None,
    }
    assert list(merged) == [f.name for f in fields]


def test_merge_batches_of_no_batches_is_all_null() -> None:
    assert merge_batches([], [Field(name="a"), Field(name="b", type="array")]) == {"a": None, "b": None}


@pytest.mark.parametrize(
    ("value", "empty"),
    [
        (None, True),
        ("", True),
        ("  ", True),
        ([], True),
        ({}, True),
        ([None, ""], True),
        (0, False),
        ("0", False),
    ],
)
def test_is_empty(value: object, empty: bool) -> None:
    assert is_empty(value) is empty


def test_clean_trims_nested_strings_and_keeps_the_rest() -> None:
    assert clean({"a": [" x ", 1, None], "b": {"c": "  "}}) == {"a": ["x", 1, None], "b": {"c": None}}


def test_functions_do_not_mutate_their_input() -> None:
    batch = [{"k": " v "}]
    merge_array([batch])
    merge_value(batch)
    assert batch == [{"k": " v "}]
