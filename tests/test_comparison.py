"""Comparing results: values and confidences that changed, rows beside the previous run, a batch as one table."""

from __future__ import annotations

from core.comparison import CONFIDENCE_CHANGE, batch_table, change_summary, comparison_rows, diff
from core.results import Extraction, ExtractionResult, FieldMetadata, flatten_values
from tests.test_results import _result


def _described(before: ExtractionResult, after: ExtractionResult) -> dict[str, str]:
    return {path: change.describe() for path, change in diff(before, after).items()}


def test_diff_lists_changed_values_only() -> None:
    before, after = _result(), _result(total=13.0, second_item="Paper A3")
    assert _described(before, after) == {
        "total": "12.5 → 13.0",
        "line_items[1].description": "'Paper, A4' → 'Paper A3'",
    }
    assert diff(before, _result()) == {}
    assert diff(None, after) == {}


def test_diff_counts_added_and_removed_values() -> None:
    before = _result()
    after = before.model_copy(
        update={"extractions": {**before.extractions, "line_items": Extraction(value=[{"description": "Pens"}])}}
    )
    changes = diff(before, after)
    assert sorted(changes) == ["line_items[0].quantity", "line_items[1].description", "line_items[1].quantity"]
    removed = changes["line_items[1].quantity"]
    assert (removed.before, removed.after, removed.confidence_before, removed.confidence_after) == (1, None, 0.5, None)


def test_diff_sees_a_confidence_change_of_an_unchanged_value() -> None:
    before = _result()
    surer = before.model_copy(
        update={"extractions": {**before.extractions, "number": Extraction(value="INV-1", confidence=0.95)}}
    )
    changes = diff(before, surer)
    assert list(changes) == ["number"]
    assert not changes["number"].value_changed and changes["number"].confidence_changed
    assert changes["number"].describe() == "confidence 80% → 95%"
    assert change_summary(changes) == "1 confidence changed (number)."


def test_a_confidence_change_under_one_point_is_not_a_change() -> None:
    before = _result()
    metadata = {**before.metadata, "line_items[0].description": FieldMetadata(confidence=0.75 + CONFIDENCE_CHANGE / 2)}
    assert diff(before, before.model_copy(update={"metadata": metadata})) == {}


def test_comparison_rows_show_values_as_text_and_what_changed() -> None:
    before, after = _result(), _result(total=13.0)
    rows = {row["field"]: row for row in comparison_rows(after, diff(before, after))}
    assert list(rows["total"]) == ["field", "value", "confidence", "page", "changed"]
    assert (rows["total"]["value"], rows["total"]["page"], rows["total"]["changed"]) == ("13.0", 2, "12.5 → 13.0")
    assert rows["paid"]["value"] == "True" and rows["paid"]["changed"] == ""
    assert rows["due_date"]["value"] == "" and rows["due_date"]["confidence"] is None
    assert rows["line_items[0].description"]["confidence"] == 0.75
    assert len(rows) == len(flatten_values(after))


def test_batch_table_has_a_row_per_document_a_column_per_field_and_marks_low_confidence() -> None:
    first = _result()
    second = _result(total=3.0).model_copy(update={"document_name": "other.pdf", "processing_id": "p2"})
    fields = ["number", "total", "paid", "due_date", "line_items", "missing"]
    table = batch_table([first, second], fields, lambda path: 0.8 if path != "total" else 0.5)
    assert table.columns == ["document", *fields]
    assert table.rows[1] == {
        "document": "other.pdf",
        "number": "INV-1",
        "total": "3.0",
        "paid": "True",
        "due_date": "",
        "line_items": "2 rows",
        "missing": "",
    }
    # number 0.8 is at its threshold, total 0.6 over its own; a line item at 0.5 marks the whole table field.
    assert table.low == [["line_items"], ["line_items"]]
    assert table.processing_ids[1] == "p2"
