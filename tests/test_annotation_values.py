"""Expected values checked against the fields, drawn boxes read into values, values located on the page."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.annotation.boxes import read_box, words_in_box
from core.annotation.expected import parse_expected
from core.annotation.locate import locate, locate_values
from core.documents import load_document
from core.errors import AnnotationError
from core.evaluation import load_dataset
from core.schema import Field
from tests.invoices import invoice_pdf, invoice_workflow


def _problems(raw: object) -> list[str]:
    with pytest.raises(AnnotationError) as caught:
        parse_expected(raw, invoice_workflow().fields)
    return [str(p) for p in caught.value.problems]


def test_expected_values_of_every_type_pass_and_integers_come_back_whole() -> None:
    fields = [
        Field(name="n", type="integer"),
        Field(name="paid", type="boolean"),
        Field(name="status", type="enum", values=["open", "paid"]),
        Field(name="tags", type="array", items=Field(name="item")),
    ]
    raw = {"n": {"value": 3.0}, "paid": {"value": True}, "status": {"value": "paid"}, "tags": {"value": ["a"]}}
    assert parse_expected(raw, fields) == {"n": 3, "paid": True, "status": "paid", "tags": ["a"]}


def test_every_problem_is_reported_with_its_path() -> None:
    problems = _problems(
        {
            "totl": {"value": 1},
            "total": {"value": "12.50"},
            "invoice_date": {"value": "03.01.2024"},
            "seller": "Acme",
            "line_items": {"value": [{"description": "Pens", "qty": 2}, {"quantity": True}]},
        }
    )
    assert problems[0].startswith("totl: unknown field")
    assert "total: expected a number, got '12.50'" in problems
    assert "invoice_date: expected a date as YYYY-MM-DD, got '03.01.2024'" in problems
    assert any(p.startswith('seller: expected {"value": ...}') for p in problems)
    assert any(p.startswith("line_items[0].qty: unknown field") for p in problems)
    assert "line_items[1].quantity: expected a number, got True" in problems


def test_a_boolean_is_not_a_number_nor_a_number_an_enum_text() -> None:
    fields = [Field(name="total", type="number"), Field(name="kind", type="enum", values=["1", "2"])]
    with pytest.raises(AnnotationError) as caught:
        parse_expected({"total": {"value": False}, "kind": {"value": 1}}, fields)
    assert [p.path for p in caught.value.problems] == ["total", "kind"]


def test_a_drawn_box_takes_the_words_mostly_inside_typed_by_the_field() -> None:
    document = load_document(invoice_pdf(total="1.234,50"))
    page = document.pages[0]
    total = next(w for w in page.words if w.text == "1.234,50")
    x0, y0, x1, y1 = total.bbox
    # A box a little too tight on the right still takes the word; the label left of it is outside.
    box = (x0 - 2, y0 - 2, x1 - (x1 - x0) * 0.3, y1 + 2)
    read = read_box(document, 1, box, Field(name="total", type="number"))
    assert (read.text, read.value) == ("1.234,50", 1234.5)
    assert read.bbox == total.bbox  # the words' box, in points
    grazing = (x0 + (x1 - x0) * 0.8, y0, x1 + 40, y1)
    assert words_in_box(page, grazing) == []


def test_a_box_over_several_words_joins_them_in_reading_order() -> None:
    document = load_document(invoice_pdf(seller="Acme Supplies Ltd"))
    words = [w for w in document.pages[0].words if w.text in ("Acme", "Supplies", "Ltd")]
    box = (min(w.bbox[0] for w in words) - 1, min(w.bbox[1] for w in words) - 1, max(w.bbox[2] for w in words) + 1, 80)
    assert read_box(document, 1, box, Field(name="seller")).text == "Acme Supplies Ltd"


def test_values_without_boxes_are_located_by_their_normalised_form() -> None:
    document = load_document(invoice_pdf(date="03.01.2024", total="24,00"))
    workflow = invoice_workflow()
    found = locate_values(
        document,
        workflow,
        {
            "invoice_date": "2024-01-03",
            "total": 24.0,
            "seller": "ACME supplies ltd",
            "invoice_number": "INV-9999",
            "line_items": [{"description": "Paper A4", "quantity": 5, "amount": 21.0}],
        },
    )
    assert found["invoice_date"] is not None and found["invoice_date"].text == "03.01.2024"
    assert found["total"] is not None and found["total"].text == "24,00"
    assert found["seller"] is not None and found["seller"].text == "Acme Supplies Ltd"
    assert "invoice_number" not in found  # not printed: not located, never a neighbouring word
    tops = {round(found[f"line_items[0].{name}"].bbox[1]) for name in ("description", "quantity", "amount")}  # type: ignore[union-attr]
    assert len(tops) == 1  # the item's cells come from one row


def test_a_quantity_is_located_in_its_items_row_not_elsewhere() -> None:
    # "5" is printed twice: as the first item's quantity... and in the second row; each item finds its own.
    items = [("Pens", 5, 1.0, 5.0), ("Paper", 2, 5.0, 10.0)]
    document = load_document(invoice_pdf(items=items, total="15.00"))
    found = locate_values(
        document,
        invoice_workflow(),
        {"line_items": [{"description": "Pens", "quantity": 5}, {"description": "Paper", "quantity": 2}]},
    )
    for i in (0, 1):
        quantity, description = found[f"line_items[{i}].quantity"], found[f"line_items[{i}].description"]
        assert quantity is not None and description is not None and quantity.bbox[1] == description.bbox[1]


def test_a_currency_code_is_located_where_its_symbol_is_printed() -> None:
    import pymupdf

    pdf = pymupdf.open()
    page = pdf.new_page()
    writer = pymupdf.TextWriter(page.rect)  # a font with the euro sign (the base-14 fonts have none)
    writer.append((72, 72), "Total 12,50 €", font=pymupdf.Font("cjk"), fontsize=11)
    writer.write_text(page)
    where = locate(load_document(pdf.tobytes()), Field(name="currency"), "EUR")
    assert where is not None and where.text == "€"


def test_most_dataset_values_are_located(datasets: Path) -> None:
    dataset = load_dataset(datasets / "invoice2data")
    located = total = 0
    for doc in dataset.documents:
        found = locate_values(load_document(doc.path), dataset.workflow, doc.expected)
        located += len(found)
        total += sum(1 for value in doc.expected.values() if value not in (None, "", []))
    assert total > 40 and located / total > 0.95
