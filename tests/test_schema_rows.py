"""Fields as table rows: rows in and out for every type, data-editor cells, table edits, nested edits."""

from __future__ import annotations

import pytest

from core.errors import SchemaError
from core.schema import (
    Field,
    apply_table_edits,
    edited_fields,
    field_paths,
    fields_from_rows,
    fields_to_rows,
    set_description,
    set_sub_fields,
    validate_fields,
    with_descriptions,
    with_sub_fields,
)
from tests.test_schema import every_type


def test_rows_round_trip_every_type() -> None:
    fields = every_type()
    rows = fields_to_rows(fields)
    assert rows[5] == {
        "name": "currency",
        "type": "enum",
        "items": "",
        "description": "",
        "required": False,
        "values": "EUR, USD",
    }
    assert rows[-1]["items"] == "object"
    assert fields_from_rows(rows, previous=fields) == fields


def test_rows_from_a_data_editor_with_empty_cells() -> None:
    nan = float("nan")
    rows = [
        {
            "name": "total",
            "type": "number",
            "items": None,
            "description": "Total",
            "required": True,
            "values": nan,
        },
        {"name": None, "type": None, "items": None, "description": None, "required": None, "values": None},
        {
            "name": "kind",
            "type": "enum",
            "items": nan,
            "description": nan,
            "required": nan,
            "values": "A,B , C",
        },
        {"name": "tags", "type": "array", "items": None, "description": "", "required": False, "values": ""},
    ]
    fields = fields_from_rows(rows)
    assert [f.name for f in fields] == ["total", "kind", "tags"]
    assert fields[0].required and fields[0].type == "number"
    assert fields[1].values == ["A", "B", "C"] and not fields[1].required
    assert fields[2].items == Field(name="item", type="string")


def test_renaming_an_array_of_objects_keeps_its_item_fields() -> None:
    fields = every_type()
    rows = fields_to_rows(fields)
    rows[-1]["name"] = "lines"
    edited = fields_from_rows(rows, previous=fields)
    assert edited[-1].name == "lines"
    assert edited[-1].item_fields == fields[-1].item_fields


def test_deleting_a_row_does_not_shift_sub_fields() -> None:
    fields = every_type()
    rows = fields_to_rows(fields)[1:]
    edited = fields_from_rows(rows, previous=fields)
    assert edited == fields[1:]


def test_typed_enum_values_survive_the_text_cell() -> None:
    fields = [Field(name="p", type="enum", values=[1, 2]), Field(name="b", type="enum", values=[True, False])]
    assert fields_from_rows(fields_to_rows(fields), previous=fields) == fields
    assert fields_from_rows([{"name": "p", "type": "enum", "values": "[1, 2.5]"}])[0].values == [1, 2.5]


def test_unknown_types_in_rows_are_errors() -> None:
    with pytest.raises(SchemaError) as info:
        fields_from_rows([{"name": "a", "type": "text"}, {"name": "b", "type": "array", "items": "list"}])
    assert [p.path for p in info.value.problems] == ["a", "b"]


def test_sub_fields_are_set_on_objects_and_arrays_of_objects() -> None:
    fields = every_type()
    new_columns = [Field(name="sku"), Field(name="qty", type="integer")]
    line_items = with_sub_fields(fields[-1], new_columns)
    assert line_items.item_fields == new_columns and line_items.description == "Every line"
    seller = with_sub_fields(fields[-2], new_columns)
    assert seller.properties == new_columns
    with pytest.raises(SchemaError):
        with_sub_fields(fields[0], new_columns)


def test_table_edits_from_the_data_editor_state() -> None:
    fields = every_type()[:3]
    rows = fields_to_rows(fields)
    edits = {
        "edited_rows": {
            "1": {"description": "Total incl. tax, as a plain number"},
            2: {"type": "enum", "values": "1, 2"},
        },
        "added_rows": [{"name": "due_date", "type": "date", "required": True}, {}],
        "deleted_rows": [0],
    }
    edited = fields_from_rows(apply_table_edits(rows, edits), previous=fields)
    assert [(f.name, f.type) for f in edited] == [
        ("total", "number"),
        ("pages", "enum"),
        ("due_date", "date"),
    ]
    assert edited[0].description == "Total incl. tax, as a plain number"
    assert edited[1].values == ["1", "2"]
    assert edited[2].required
    assert validate_fields(edited) == []


def test_no_edits_give_the_same_rows() -> None:
    rows = fields_to_rows(every_type())
    assert apply_table_edits(rows, None) == rows
    assert apply_table_edits(rows, {"edited_rows": {}, "added_rows": [], "deleted_rows": []}) == rows


def test_set_sub_fields_by_name() -> None:
    fields = every_type()
    columns = [Field(name="sku", description="Article number")]
    edited = set_sub_fields(fields, "line_items", columns)
    assert edited[-1].item_fields == columns and edited[:-1] == fields[:-1]
    with pytest.raises(SchemaError):
        set_sub_fields(fields, "nope", columns)


def test_set_description_reaches_nested_fields() -> None:
    fields = every_type()
    edited = set_description(fields, "line_items.qty", "Quantity (Qty, Menge), a whole number")
    assert edited[-1].item_fields[1].description == "Quantity (Qty, Menge), a whole number"
    edited = set_description(edited, "seller.address.city", "City of the seller")
    assert edited[-2].properties[1].properties[0].description == "City of the seller"
    assert set_description(fields, "total", "T")[1].description == "T"
    for bad in ("nope", "total.x", "line_items.nope"):
        with pytest.raises(SchemaError):
            set_description(fields, bad, "x")


def test_field_paths_reach_every_level_parents_first() -> None:
    paths = [path for path, _ in field_paths(every_type())]
    assert paths[:2] == ["invoice_number", "total"]
    assert paths.index("seller") < paths.index("seller.address") < paths.index("seller.address.city")
    assert "line_items.taxes.rate" in paths and "line_items.qty" in paths
    assert "tags.item" not in paths  # an array of scalars has no sub-fields
    assert len(paths) == len(set(paths))


def test_with_descriptions_changes_only_what_was_edited() -> None:
    fields = every_type()
    texts = {path: field.description for path, field in field_paths(fields)}
    assert with_descriptions(fields, texts) == fields
    edited = with_descriptions(
        fields, {**texts, "total": "Total incl. tax", "line_items.taxes.rate": "The VAT rate, in percent"}
    )
    assert edited[1].description == "Total incl. tax"
    assert edited[-1].item_fields[-1].item_fields[0].description == "The VAT rate, in percent"
    assert [f.name for f in edited] == [f.name for f in fields] and edited[2:-1] == fields[2:-1]
    with pytest.raises(SchemaError, match="line_items.nope"):
        with_descriptions(fields, {"line_items.nope": "x"})


def test_edited_fields_combines_the_field_table_and_one_sub_field_table() -> None:
    fields = every_type()
    edits = {"edited_rows": {0: {"required": False}}, "added_rows": [], "deleted_rows": [1]}
    sub_edits = {
        "edited_rows": {1: {"name": "quantity"}},
        "added_rows": [{"name": "sku"}],
        "deleted_rows": [],
    }
    edited = edited_fields(fields, edits, "line_items", sub_edits)
    assert not edited[0].required and "total" not in [f.name for f in edited]
    assert [f.name for f in edited[-1].item_fields] == [
        "description",
        "quantity",
        "unit_price",
        "discounts",
        "taxes",
        "sku",
    ]
    assert edited_fields(fields) == fields
    assert edited_fields(fields, None, "invoice_number", sub_edits) == fields  # a scalar has no sub-fields
