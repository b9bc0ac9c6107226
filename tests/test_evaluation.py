"""The scorer follows the datasets README rule by rule; reports sum per field, micro and line items."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import NotFoundError
from core.evaluation import (
    DocumentScore,
    FieldCounts,
    format_report,
    load_dataset,
    pair_items,
    score,
    summarize,
)
from core.schema import Field

ITEM = Field(
    name="item",
    type="object",
    properties=[
        Field(name="description"),
        Field(name="quantity", type="number"),
        Field(name="amount", type="number"),
    ],
)
FIELDS = [
    Field(name="number"),
    Field(name="date", type="date"),
    Field(name="total", type="number"),
    Field(name="paid", type="boolean"),
    Field(name="tags", type="array", items=Field(name="tag")),
    Field(name="line_items", type="array", items=ITEM),
]


def counts(c: FieldCounts) -> tuple[int, int, int]:
    return c.tp, c.fp, c.fn


def test_strings_compare_after_nfkc_whitespace_and_case() -> None:
    result = score({"number": "ＩＮＶ-  001\n"}, {"number": " inv-   001"}, FIELDS)
    assert counts(result["number"]) == (1, 0, 0)


def test_numbers_within_half_a_cent_count() -> None:
    assert counts(score({"total": 100.0}, {"total": 100.004}, FIELDS)["total"]) == (1, 0, 0)
    assert counts(score({"total": 100.0}, {"total": 100.01}, FIELDS)["total"]) == (0, 1, 1)


def test_dates_compare_by_calendar_day() -> None:
    assert counts(score({"date": "2024-03-01"}, {"date": "2024-03-01T00:00:00"}, FIELDS)["date"]) == (1, 0, 0)
    assert counts(score({"date": "2024-03-01"}, {"date": "2024-01-03"}, FIELDS)["date"]) == (0, 1, 1)


def test_a_wrong_prediction_is_both_fp_and_fn_an_empty_one_only_fn() -> None:
    result = score({"number": "A1", "total": 5}, {"number": "B2", "total": None}, FIELDS)
    assert counts(result["number"]) == (0, 1, 1)
    assert counts(result["total"]) == (0, 0, 1)
    assert counts(score({"total": 5}, {"total": ""}, FIELDS)["total"]) == (0, 0, 1)


def test_a_field_missing_from_expected_is_not_scored_whatever_is_predicted() -> None:
    result = score({"number": "A1"}, {"number": "A1", "total": 99.0, "date": "2020-01-01"}, FIELDS)
    assert set(result) == {"number"}


def test_an_expected_empty_value_makes_a_prediction_a_false_positive() -> None:
    assert counts(score({"total": None}, {"total": 3.0}, FIELDS)["total"]) == (0, 1, 0)
    assert counts(score({"total": None}, {}, FIELDS)["total"]) == (0, 0, 0)


def test_wrapped_expected_values_are_unwrapped() -> None:
    assert counts(score({"total": {"value": 3.0}}, {"total": 3.0}, FIELDS)["total"]) == (1, 0, 0)


def test_booleans() -> None:
    assert counts(score({"paid": True}, {"paid": True}, FIELDS)["paid"]) == (1, 0, 0)
    assert counts(score({"paid": True}, {"paid": False}, FIELDS)["paid"]) == (0, 1, 1)


def test_arrays_of_scalars_match_each_element_once() -> None:
    result = score({"tags": ["a", "a", "b"]}, {"tags": ["A", "c", "a", "a"]}, FIELDS)
    # two "a" match the two expected "a"; the third "a" and "c" are extra; "b" is missed
    assert counts(result["tags"]) == (2, 2, 1)


def test_line_items_pair_by_best_agreement_not_by_position() -> None:
    expected = {
        "line_items": [
            {"description": "Pens", "quantity": 2, "amount": 4.0},
            {"description": "Paper", "quantity": 1, "amount": 9.5},
        ]
    }
    predicted = {
        "line_items": [
            {"description": "Paper", "quantity": 1, "amount": 9.5},
            {"description": "Pens", "quantity": 3, "amount": 4.0},
        ]
    }
    result = score(expected, predicted, FIELDS)
    assert counts(result["line_items.description"]) == (2, 0, 0)
    assert counts(result["line_items.amount"]) == (2, 0, 0)
    assert counts(result["line_items.quantity"]) == (1, 1, 1)


def test_extra_and_missing_line_items_count_per_item_field() -> None:
    expected = {"line_items": [{"description": "Pens", "amount": 4.0}]}
    predicted = {"line_items": [{"description": "Pens", "amount": 4.0}, {"description": "Total", "amount": 4.0}]}
    result = score(expected, predicted, FIELDS)
    assert counts(result["line_items.description"]) == (1, 1, 0)
    assert counts(result["line_items.amount"]) == (1, 1, 0)
    # quantity is in no expected item: not scored, even for the extra predicted item
    assert "line_items.quantity" not in result
    missed = score(expected, {}, FIELDS)
    assert counts(missed["line_items.description"]) == (0, 0, 1)


def test_pairing_is_greedy_on_agreement() -> None:
    fields = ITEM.properties
    exp = [{"description": "a", "quantity": 1}, {"description": "b", "quantity": 2}]
    pred = [{"description": "b", "quantity": 2}, {"description": "a", "quantity": 9}]
    assert pair_items(exp, pred, fields) == [(0, 1), (1, 0)]


def test_summary_micro_is_over_scalar_fields_and_line_items_apart() -> None:
    docs = [
        DocumentScore(
            name="a",
            counts=score(
                {"number": "1", "total": 2.0, "line_items": [{"description": "x"}]},
                {"number": "1", "total": 3.0, "line_items": [{"description": "x"}]},
                FIELDS,
            ),
        ),
        DocumentScore(name="b", counts=score({"number": "2"}, {"number": "2"}, FIELDS)),
    ]
    report = summarize(docs, FIELDS, dataset="d", engine="local")
    by_field = {s.field: s for s in report.fields}
    assert (by_field["number"].tp, by_field["number"].f1) == (2, 1.0)
    assert (report.micro.tp, report.micro.fp, report.micro.fn) == (2, 1, 1)
    assert report.micro_f1 == pytest.approx(2 / 3, abs=1e-3)
    assert report.line_item_f1 == 1.0
    assert by_field["line_items.description"].line_item
    text = format_report(report)
    assert "number" in text and "line items" in text and "micro" in text


def test_load_dataset_reads_schema_documents_and_expected_values(tmp_path: Path) -> None:
    (tmp_path / "schema.json").write_text(
        json.dumps(
            {
                "name": "Tiny",
                "description": "",
                "fields": [
                    {"name": "total", "type": "number", "description": "Total"},
                    {
                        "name": "line_items",
                        "type": "array",
                        "description": "Lines",
                        "items": [{"name": "description", "type": "string", "description": "Text"}],
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "a.json").write_text(json.dumps({"total": {"value": 5.0}}), encoding="utf-8")
    (tmp_path / "b.png").write_bytes(b"x")  # no b.json: not part of the evaluation
    dataset = load_dataset(tmp_path)
    assert [d.name for d in dataset.documents] == ["a"]
    assert dataset.documents[0].expected == {"total": 5.0}
    assert [f.name for f in dataset.workflow.fields] == ["total", "line_items"]
    assert [f.name for f in dataset.workflow.field("line_items").item_fields] == ["description"]


def test_load_dataset_without_schema_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        load_dataset(tmp_path)


def test_evaluate_scores_real_extraction_and_counts_a_broken_document_as_misses(
    sample_docs: Path, tmp_path: Path
) -> None:
    import shutil

    from core.evaluation import evaluate
    from core.store import Store

    for name in ("schema.json", "invoice_en.pdf", "invoice_en.json"):
        shutil.copy(sample_docs / name, tmp_path / name)
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7 cut short")
    (tmp_path / "broken.json").write_text(json.dumps({"invoice_number": {"value": "X-1"}}), encoding="utf-8")
    store = Store.open()
    seen: list[str] = []
    report = evaluate(tmp_path, engine="local", store=store, progress=lambda done, total, name: seen.append(name))
    assert seen == ["broken", "invoice_en"]
    assert report.documents == 2 and report.failed == 1
    broken = next(d for d in report.per_document if d.name == "broken")
    assert broken.error and (broken.counts["invoice_number"].fn, broken.counts["invoice_number"].tp) == (1, 0)
    number = next(f for f in report.fields if f.field == "invoice_number")
    assert (number.tp, number.fn) == (1, 1)  # invoice_en's number is found, broken's is missed
    assert report.line_items is not None and report.line_items.tp > 0
    assert {r.source for r in store.runs.list(limit=None)} == {"bench"}
    assert "failed: broken" in format_report(report)
    store.close()


def test_evaluate_with_the_llm_engine_against_the_local_server(
    llm_server: object, sample_docs: Path, tmp_path: Path
) -> None:
    import shutil

    from core.evaluation import evaluate

    for name in ("schema.json", "rechnung_de.pdf", "rechnung_de.json"):
        shutil.copy(sample_docs / name, tmp_path / name)
    report = evaluate(tmp_path, engine="llm")
    assert report.engine == "llm" and report.failed == 0
    assert report.engine_reason.startswith("llm")
    assert sum(f.tp + f.fp + f.fn for f in report.fields) > 0
