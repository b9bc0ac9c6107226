"""Results: flat paths, CSV export, citations, notes, and values without a citation."""

from __future__ import annotations

import csv
import io
import json

from core.results import (
    Citation,
    Extraction,
    ExtractionResult,
    FieldMetadata,
    Insight,
    PageRef,
    Point,
    flatten_values,
    notes_of,
    results_csv,
    uncited_values,
)


def _citation(text: str, page: int = 1) -> Citation:
    box = [Point(x=10, y=20), Point(x=60, y=20), Point(x=60, y=30), Point(x=10, y=30)]
    return Citation(page=PageRef(number=page, width=595, height=842), polygon=box, reference_text=text)


def _result(total: float = 12.5, second_item: str = "Paper, A4") -> ExtractionResult:
    items = [{"description": "Pens", "quantity": 2}, {"description": second_item, "quantity": 1}]
    return ExtractionResult(
        workflow_id="wf",
        workflow_name="Invoices",
        document_name="inv.pdf",
        engine="local",
        extractions={
            "number": Extraction(value="INV-1", confidence=0.8, citations=[_citation("Invoice INV-1")]),
            "total": Extraction(value=total, confidence=0.6, citations=[_citation("Total 12.50", page=2)]),
            "paid": Extraction(value=True, confidence=0.9, citations=[_citation("PAID")]),
            "due_date": Extraction(value=None),
            "line_items": Extraction(value=items, confidence=0.7),
        },
        metadata={
            "line_items[0].description": FieldMetadata(confidence=0.75, citations=[_citation("Pens")]),
            "line_items[0].quantity": FieldMetadata(confidence=0.7, citations=[_citation("2")]),
            "line_items[1].description": FieldMetadata(confidence=0.5, citations=[_citation(second_item)]),
            "line_items[1].quantity": FieldMetadata(confidence=0.5, citations=[_citation("1")]),
        },
    )


def test_flatten_gives_line_item_paths() -> None:
    flat = flatten_values(_result())
    assert flat["line_items[1].description"] == "Paper, A4"
    assert flat["total"] == 12.5 and flat["due_date"] is None


def test_csv_has_one_row_per_field_path_with_confidence_page_and_text() -> None:
    rows = list(csv.DictReader(io.StringIO(results_csv([_result(), _result(total=3.0)]))))
    assert list(rows[0]) == ["document", "field", "value", "confidence", "page", "reference_text"]
    assert len(rows) == 2 * 8
    by_field = {r["field"]: r for r in rows[:8]}
    assert by_field["total"]["value"] == "12.5" and by_field["total"]["page"] == "2"
    assert by_field["line_items[1].description"]["value"] == "Paper, A4"  # a comma survives quoting
    assert by_field["line_items[1].description"]["confidence"] == "0.5"
    assert by_field["paid"]["value"] == "true"
    assert by_field["due_date"]["value"] == "" and by_field["due_date"]["page"] == ""
    assert rows[8 + 1]["value"] == "3.0"


def test_uncited_values_flags_values_without_citation_or_note() -> None:
    result = _result()
    assert uncited_values(result) == []
    result.extractions["currency"] = Extraction(value="EUR")
    assert uncited_values(result) == ["currency"]
    result.metadata["currency"] = FieldMetadata(insights=[Insight(type="note", content="derived from the € sign")])
    assert uncited_values(result) == []


def test_json_uses_the_reference_key_names() -> None:
    data = json.loads(_result().to_json())
    assert data["extractions"]["number"]["citations"][0]["referenceText"] == "Invoice INV-1"
    assert "processing_id" in data and "workflow_id" in data and "available_results" in data


def test_version_label_says_when_a_run_used_unsaved_edits() -> None:
    assert _result().version_label == "v1"
    draft = _result().model_copy(update={"workflow_version": 3, "workflow_draft": True})
    assert draft.version_label == "v3 (unsaved draft)"


def test_citation_boxes_of_a_line_item_path_and_of_an_uncited_value() -> None:
    from core.results import citation_boxes

    result = _result()
    assert citation_boxes(result, "line_items[0].description") == (1, [(10.0, 20.0, 60.0, 30.0)])
    assert citation_boxes(result, "total") == (2, [(10.0, 20.0, 60.0, 30.0)])
    assert citation_boxes(result, "due_date") == (1, [])


def test_notes_of_a_path_and_of_its_top_level_field() -> None:
    result = _result()
    assert notes_of(result, "due_date") == []
    result.metadata["due_date"] = FieldMetadata(insights=[Insight(type="note", content="no due date printed")])
    result.metadata["line_items"] = FieldMetadata(insights=[Insight(type="reasoning", content="one table")])
    result.metadata["line_items[0].quantity"].insights.append(Insight(type="note", content="read as 2"))
    assert notes_of(result, "due_date") == ["no due date printed"]
    assert notes_of(result, "line_items[0].quantity") == ["read as 2", "one table"]
