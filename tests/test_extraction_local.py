"""The local engine end to end: descriptions steer what it extracts, values are typed and cited, and its
accuracy on the evaluation datasets does not regress."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pymupdf
import pytest

from core.documents import Document, load_document
from core.extraction import Engine
from core.extraction.local.engine import LocalEngine
from core.normalize import normalize_string, parse_amount, parse_date, values_equal
from core.schema import Field, Workflow


def _pdf(items: list[tuple[float, float, str]], size: float = 10) -> Document:
    """A one-page PDF with text at chosen positions (x, baseline y, text), loaded like an upload."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    writer = pymupdf.TextWriter(page.rect)  # TextWriter's font encodes "€" and umlauts, insert_text's does not
    for x, y, text in items:
        writer.append((x, y), text, fontsize=size)
    writer.write_text(page)
    return load_document(doc.tobytes(), name="synthetic.pdf")


def _extract(document: Document, *fields: Field) -> Any:
    return LocalEngine().extract(document, Workflow(name="test", fields=list(fields)))


TWO_DATES = [
    (50, 60, "ACME Supplies GmbH"),
    (50, 120, "Invoice Date: 05.03.2018"),
    (50, 140, "Due Date: 19.03.2018"),
    (50, 200, "Total: 119,00 EUR"),
]


def test_engine_protocol_and_availability() -> None:
    engine = LocalEngine()
    assert isinstance(engine, Engine)
    assert engine.name == "local"
    assert engine.is_available().ok


def test_changing_the_description_changes_the_value() -> None:
    document = _pdf(TWO_DATES)
    due = _extract(document, Field(name="d", type="date", description="The due date (Due Date, fällig am)"))
    issued = _extract(document, Field(name="d", type="date", description="The invoice date (Invoice Date)"))
    assert due.extractions["d"].value == "2018-03-19"
    assert issued.extractions["d"].value == "2018-03-05"


def test_negative_cue_penalises_the_named_label() -> None:
    document = _pdf(
        [
            (50, 100, "Delivery date: 03.02.2020"),
            (50, 130, "Date: 01.02.2020"),
        ]
    )
    plain = _extract(document, Field(name="when", type="date", description="The delivery date (Delivery date)"))
    assert plain.extractions["when"].value == "2020-02-03"
    negated = _extract(document, Field(name="when", type="date", description="The date (Date). Not the delivery date."))
    assert negated.extractions["when"].value == "2020-02-01"


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        # same line, to the right, across a wide gap
        ([(50, 100, "Rechnungsnummer:"), (400, 100, "RE-4711")], "RE-4711"),
        # the line below the label
        ([(50, 100, "Rechnungsnummer"), (50, 114, "RE-4711"), (50, 200, "Kundennummer: 99")], "RE-4711"),
        # a table header with the value in the cell below, other headers beside it
        (
            [
                (50, 100, "Kundennummer"),
                (200, 100, "Rechnungsnummer"),
                (350, 100, "Datum"),
                (50, 114, "K-1"),
                (200, 114, "RE-4711"),
                (350, 114, "01.01.2020"),
            ],
            "RE-4711",
        ),
    ],
)
def test_label_positions(items: list[tuple[float, float, str]], expected: str) -> None:
    result = _extract(_pdf(items), Field(name="invoice_number", description="The invoice number (Rechnungsnummer)."))
    assert result.extractions["invoice_number"].value == expected


def test_not_an_order_number() -> None:
    document = _pdf([(50, 100, "Bestellnummer: 5555"), (50, 120, "Rechnung Nr. 4711")])
    result = _extract(document, Field(name="invoice_number", description="The invoice number. Not an order number."))
    assert result.extractions["invoice_number"].value == "4711"


def test_amounts_typed_and_currency_from_symbol_cites_the_symbol() -> None:
    document = _pdf(
        [
            (50, 100, "Nettobetrag"),
            (400, 100, "1.000,00 €"),
            (50, 114, "MwSt. 19%"),
            (400, 114, "190,00 €"),
            (50, 128, "Gesamtbetrag"),
            (400, 128, "1.190,00 €"),
        ]
    )
    result = _extract(
        document,
        Field(name="net", type="number", description="Net amount (Nettobetrag)"),
        Field(name="vat", type="number", description="VAT amount (MwSt.)"),
        Field(name="total", type="number", description="Total including VAT (Gesamtbetrag)"),
        Field(
            name="currency",
            type="string",
            description="ISO 4217 currency code, derived from a symbol such as €.",
        ),
    )
    values = result.values()
    assert values["net"] == 1000.0 and values["vat"] == 190.0 and values["total"] == 1190.0
    assert isinstance(values["total"], float)
    assert values["currency"] == "EUR"
    cur = result.metadata["currency"]
    assert cur.citations and cur.citations[0].reference_text == "€"
    assert any(i.type == "note" and "€" in i.content for i in cur.insights)


def test_largest_selection_cue() -> None:
    document = _pdf([(50, 100, "Amount: 10,00"), (50, 120, "Amount: 250,00"), (50, 140, "Amount: 30,00")])
    first = _extract(document, Field(name="a", type="number", description="An amount (Amount)"))
    largest = _extract(document, Field(name="a", type="number", description="The largest amount (Amount)"))
    assert first.extractions["a"].value == 10.0
    assert largest.extractions["a"].value == 250.0


def test_leave_empty_when_not_printed_gives_null_and_every_field_is_present() -> None:
    document = _pdf(TWO_DATES)
    result = _extract(
        document,
        Field(
            name="net_amount",
            type="number",
            description="The amount before taxes (Subtotal); leave empty when not printed.",
        ),
        Field(name="iban", type="string", description="IBAN of the seller"),
    )
    assert set(result.extractions) == {"net_amount", "iban"}
    assert result.extractions["net_amount"].value is None
    assert result.extractions["iban"].value is None
    assert result.metadata["net_amount"].insights  # says why


def test_parties_letterhead_and_recipient_block() -> None:
    document = _pdf(
        [
            (50, 50, "Muster Lieferant GmbH - Hauptstr. 1 - 80333 München"),
            (50, 110, "Kunden AG"),
            (50, 124, "Kundenstraße 15"),
            (50, 138, "69876 Frankfurt"),
            (350, 110, "Rechnung Nr. 4711"),
            (350, 124, "Datum: 05.03.2018"),
        ]
    )
    result = _extract(
        document,
        Field(
            name="seller_name",
            description="Name of the company that issued the invoice, as printed in the letterhead or "
            "sender line. Name only.",
        ),
        Field(
            name="buyer_name",
            description="Name of the invoice recipient from the recipient address block. "
            "Name only, without street or city.",
        ),
    )
    assert result.extractions["seller_name"].value == "Muster Lieferant GmbH"
    assert result.extractions["buyer_name"].value == "Kunden AG"


def test_boolean_enum_and_array_of_scalars() -> None:
    document = _pdf(
        [
            (50, 100, "Paid: Yes"),
            (50, 120, "Status: Open"),
            (50, 140, "Order No: 111"),
            (50, 160, "Order No: 222"),
            (50, 180, "Order No: 111"),
        ]
    )
    result = _extract(
        document,
        Field(name="paid", type="boolean", description="Whether it is paid (Paid)"),
        Field(name="status", type="enum", values=["Open", "Closed"], description="The status (Status)"),
        Field(
            name="orders",
            type="array",
            items=Field(name="order", type="string"),
            description="All order numbers (Order No)",
        ),
    )
    assert result.extractions["paid"].value is True
    assert result.extractions["status"].value == "Open"
    assert result.extractions["orders"].value == ["111", "222"]


def _check_citations(result: Any) -> int:
    """Every non-empty scalar value is cited on its page by text that supports it, or says why not."""
    checked = 0
    for name, extraction in result.extractions.items():
        value = extraction.value
        if value is None or isinstance(value, (list, dict)):
            continue
        meta = result.metadata[name]
        if not extraction.citations:
            assert any(i.type == "note" for i in meta.insights), name
            continue
        assert any(i.type == "reasoning" and i.content for i in meta.insights)
        for c in extraction.citations:
            assert all(0 <= p.x <= c.page.width and 0 <= p.y <= c.page.height for p in c.polygon)
        text = " ".join(c.reference_text or "" for c in extraction.citations)
        if isinstance(value, float):
            assert abs(float(parse_amount(text) or 0) - value) < 0.005, (name, text, value)
        elif isinstance(value, str) and len(value) == 10 and value[4] == "-" and parse_date(value):
            assert values_equal(parse_date(text), value, "date"), (name, text, value)
        elif isinstance(value, str) and "currency" in name:
            assert text.strip()
        else:
            assert normalize_string(str(value)).replace(" ", "") in normalize_string(text).replace(" ", ""), (
                name,
                text,
                value,
            )
        checked += 1
    return checked


def test_citations_support_their_values() -> None:
    document = _pdf(TWO_DATES)
    result = _extract(
        document,
        Field(name="invoice_date", type="date", description="The invoice date (Invoice Date)"),
        Field(name="total", type="number", description="Total (Total)"),
        Field(name="currency", type="string", description="Currency code"),
        Field(name="seller_name", description="Seller name from the letterhead"),
    )
    assert _check_citations(result) == 4
    assert result.engine == "local"
    assert result.ocr and result.ocr[0].text
    assert result.metadata["total"].ocr_confidence == pytest.approx(1.0)
    assert 0 < (result.extractions["total"].confidence or 0) <= 1


def test_rerun_on_the_same_document_reuses_its_candidates() -> None:
    engine = LocalEngine()
    document = _pdf(TWO_DATES)
    wf = Workflow(name="t", fields=[Field(name="d", type="date", description="(Invoice Date)")])
    engine.extract(document, wf)
    assert len(engine._cache) == 1
    wf2 = Workflow(name="t", fields=[Field(name="d", type="date", description="(Due Date)")])
    assert engine.extract(document, wf2).extractions["d"].value == "2018-03-19"
    assert len(engine._cache) == 1


# --- the evaluation datasets ----------------------------------------------------------------------------


def _scalar_workflow(schema: dict[str, Any]) -> Workflow:
    fields = [
        Field(name=f["name"], type=f["type"], description=f["description"])
        for f in schema["fields"]
        if f["type"] != "array"
    ]
    return Workflow(name=schema["name"], fields=fields)


def _micro_f1(folder: Path, limit: int | None = None) -> tuple[float, int]:
    workflow = _scalar_workflow(json.loads((folder / "schema.json").read_text()))
    engine = LocalEngine()
    tp = fp = fn = 0
    cited = 0
    for pdf in sorted(folder.glob("*.pdf"))[:limit]:
        expected = json.loads(pdf.with_suffix(".json").read_text())
        result = engine.extract(load_document(pdf), workflow)
        cited += _check_citations(result)
        for f in workflow.fields:
            if f.name not in expected:
                continue
            want, got = expected[f.name]["value"], result.extractions[f.name].value
            ok = got is not None and values_equal(got, want, f.type)
            tp += ok
            fp += got is not None and not ok
            fn += not ok and want is not None
    return 2 * tp / (2 * tp + fp + fn), cited


def test_accuracy_on_invoice2data(datasets: Path) -> None:
    f1, cited = _micro_f1(datasets / "invoice2data")
    assert cited > 30
    assert f1 >= 0.88, f1  # measured 0.94


def test_accuracy_on_zugferd_subset(datasets: Path) -> None:
    f1, cited = _micro_f1(datasets / "zugferd-dev", limit=24)
    assert cited > 200
    assert f1 >= 0.92, f1  # measured 0.97


def test_scanned_receipt_is_read_through_ocr(sample_docs: Path) -> None:
    """A tilted, noisy scan: rows chained word to word, values still typed and cited with OCR confidence."""
    schema = json.loads((sample_docs / "schema.json").read_text())
    workflow = _scalar_workflow(schema)
    expected = json.loads((sample_docs / "receipt_scan.json").read_text())
    result = LocalEngine().extract(load_document(sample_docs / "receipt_scan.jpg"), workflow)
    for name in ("invoice_number", "invoice_date", "seller_name", "currency", "total_amount"):
        field_type = workflow.field(name).type
        assert values_equal(result.extractions[name].value, expected[name]["value"], field_type), name
    total = result.metadata["total_amount"]
    assert total.citations and total.ocr_confidence is not None and 0 < total.ocr_confidence <= 1
    assert _check_citations(result) >= 5


def test_line_items_metadata_by_path(datasets: Path) -> None:
    folder = datasets / "zugferd-dev"
    schema = json.loads((folder / "schema.json").read_text())
    spec = next(f for f in schema["fields"] if f["name"] == "line_items")
    items = Field(
        name="line_items",
        type="array",
        description=spec["description"],
        items=Field(name="item", type="object", properties=[Field(**p) for p in spec["items"]]),
    )
    name = "ZUGFeRDv2_correct_symtrax_Beispiele_EN16931_zugferd_2p1_EN16931_Einfach"
    result = _extract(load_document(folder / f"{name}.pdf"), items)
    value = result.extractions["line_items"].value
    assert isinstance(value, list) and len(value) >= 2
    assert "line_items[0]" in result.metadata
    cell = result.metadata["line_items[0].description"]
    assert cell.citations and cell.citations[0].page.number >= 1
    assert any(i.type == "reasoning" for i in cell.insights)


def test_free_text_and_party_details_are_not_names() -> None:
    document = _pdf(
        [
            (50, 50, "Muster Lieferant GmbH"),
            (50, 100, "Payment terms: Net 30 days, 2% discount within 10 days"),
            (50, 120, "Seller address: Hauptstraße 1, 80333 München"),
        ]
    )
    result = _extract(
        document,
        Field(name="payment_terms", description="The payment terms (Payment terms)"),
        Field(name="seller_address", description="The seller's address (Seller address)"),
    )
    assert result.extractions["payment_terms"].value == "Net 30 days, 2% discount within 10 days"
    assert result.extractions["seller_address"].value == "Hauptstraße 1, 80333 München"


US_HEADER_TABLE = [
    (50, 50, "BRIGHTSIDE CONSULTING LLC"),
    (50, 64, "100 Main Street, Springfield, IL 62701"),
    (400, 50, "INVOICE"),
    (300, 110, "INVOICE #"), (380, 110, "DATE"), (460, 110, "DUE DATE"),
    (300, 124, "10452"), (380, 124, "01/15/2024"), (460, 124, "02/14/2024"),
    (50, 110, "BILL TO"), (50, 124, "Acme Widgets Inc."),
    (50, 138, "12 Elm Road"), (50, 152, "Chicago, IL 60601"),
    (50, 190, "Terms: Net 30"),
    (50, 220, "DESCRIPTION"), (400, 220, "AMOUNT"),
    (50, 236, "Strategy workshop"), (400, 236, "$2,400.00"),
    (50, 250, "Follow-up report"), (400, 250, "$1,100.00"),
    (300, 300, "SUBTOTAL"), (400, 300, "$3,500.00"),
    (300, 314, "TAX (8%)"), (400, 314, "$280.00"),
    (300, 328, "TOTAL"), (400, 328, "$3,780.00"),
    (300, 342, "BALANCE DUE"), (400, 342, "$3,780.00"),
]  # fmt: skip
FR_FACTURE = [
    (50, 50, "Boulangerie Martin SARL"),
    (50, 64, "12 rue de la Paix - 75002 Paris"),
    (50, 80, "TVA intracommunautaire : FR40123456789"),
    (350, 110, "Facture N° F-2023-118"), (350, 124, "Date : 12 mars 2023"),
    (350, 138, "Échéance : 11/04/2023"),
    (50, 110, "Client :"), (50, 124, "Café du Coin"), (50, 138, "5 avenue Foch"), (50, 152, "69006 Lyon"),
    (300, 300, "Total HT"), (450, 300, "1 250,00 €"),
    (300, 314, "TVA 20 %"), (450, 314, "250,00 €"),
    (300, 328, "Total TTC"), (450, 328, "1 500,00 €"),
    (300, 342, "Net à payer"), (450, 342, "1 500,00 €"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (
            US_HEADER_TABLE,
            {"invoice_number": "10452", "issue_date": "2024-01-15", "due_date": "2024-02-14",
             "seller_name": "BRIGHTSIDE CONSULTING LLC", "buyer_name": "Acme Widgets Inc.", "currency": "USD",
             "grand_total": 3780.0, "tax_basis_total": 3500.0, "tax_total": 280.0, "due_payable": 3780.0,
             "seller_vat_id": None},
        ),
        (
            FR_FACTURE,
            {"invoice_number": "F-2023-118", "issue_date": "2023-03-12", "due_date": "2023-04-11",
             "seller_name": "Boulangerie Martin SARL", "buyer_name": "Café du Coin", "currency": "EUR",
             "seller_vat_id": "FR40123456789", "grand_total": 1500.0, "tax_basis_total": 1250.0,
             "tax_total": 250.0, "due_payable": 1500.0},
        ),
    ],
    ids=["us-header-table", "fr-facture"],
)  # fmt: skip
def test_layouts_it_was_not_tuned_on(datasets: Path, items: list[tuple[float, float, str]], expected: dict) -> None:
    """The zugferd workflow's descriptions on invoices of other layouts and languages."""
    workflow = _scalar_workflow(json.loads((datasets / "zugferd-dev" / "schema.json").read_text()))
    result = LocalEngine().extract(_pdf(items), workflow)
    assert result.values() == expected
    _check_citations(result)


def test_object_field_extracts_its_properties() -> None:
    result = _extract(
        _pdf(TWO_DATES),
        Field(
            name="terms",
            type="object",
            description="Payment terms",
            properties=[
                Field(name="due", type="date", description="The due date (Due Date)"),
                Field(name="amount", type="number", description="The amount to pay (Total)"),
            ],
        ),
    )
    assert result.extractions["terms"].value == {"due": "2018-03-19", "amount": 119.0}
    assert result.metadata["terms.due"].citations[0].reference_text == "19.03.2018"
    assert len(result.extractions["terms"].citations) == 2


def test_spaced_identifier_and_enum_without_label() -> None:
    document = _pdf([(50, 100, "IBAN DE88 2008 0000 0970 3757 00   BIC COBADEFFXXX"), (50, 130, "Beträge in EUR")])
    result = _extract(
        document,
        Field(name="iban", description="The IBAN (IBAN), as printed"),
        Field(name="iban_compact", description="The IBAN (IBAN)"),
        Field(name="cur", type="enum", values=["USD", "EUR"], description="Currency of the amounts"),
    )
    assert result.extractions["iban"].value == "DE88 2008 0000 0970 3757 00"
    assert result.extractions["iban_compact"].value == "DE88200800000970375700"
    assert result.extractions["cur"].value == "EUR"


def test_seller_from_the_footer_when_there_is_no_letterhead() -> None:
    document = _pdf([
        (50, 100, "Rechnung Nr. 4711"),
        (50, 120, "Datum: 01.02.2024"),
        (50, 780, "Muster Handel GmbH · Hauptstr. 1 · 80333 München · HRB 1234"),
    ])  # fmt: skip
    field = Field(name="seller_name", description="Name of the company that issued the invoice. Name only.")
    assert _extract(document, field).extractions["seller_name"].value == "Muster Handel GmbH"
