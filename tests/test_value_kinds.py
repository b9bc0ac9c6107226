"""Values by what they look like (core.extraction.local.value_kinds, shaped, addresses, validators, party_blocks):
custom fields defined by a description only, abstention with a reason, descriptions that steer the result."""

from __future__ import annotations

import pymupdf
import pytest

from core.documents import Document, load_document
from core.extraction.local import LocalEngine
from core.extraction.local.addresses import find_addresses, is_street
from core.extraction.local.layout import build_layout
from core.extraction.local.validators import find_bics, find_ibans, find_phones, iban_check
from core.results import ExtractionResult
from core.schema import Field, Workflow

# Seller in the letterhead and the footer, buyer in the recipient block, a fax next to the phone, two tax rates.
_LINES = [
    ((50, 50), "Acme Supplies GmbH", 14),
    ((50, 68), "Hauptstraße 5 · 10115 Berlin", 9),
    ((50, 82), "Tel. +49 30 1234567   Fax +49 30 1234568", 9),
    ((50, 96), "info@acme-supplies.de   www.acme-supplies.de", 9),
    ((50, 160), "Kunde Handel AG", 10),
    ((50, 174), "Marktweg 3", 10),
    ((50, 188), "20095 Hamburg", 10),
    ((350, 160), "Rechnung Nr. RE-2024-17", 10),
    ((350, 174), "Datum: 03.01.2024", 10),
    ((350, 188), "Bestellnummer: PO-4711", 10),
    ((350, 202), "Steuernummer: 27/123/45678", 10),
    ((50, 286), "Artikel", 10),
    ((170, 286), "USt", 10),
    ((250, 286), "Betrag", 10),
    ((50, 300), "Papier A4", 10),
    ((170, 300), "19 %", 10),
    ((250, 300), "100,00", 10),
    ((50, 314), "Kaffee", 10),
    ((170, 314), "7 %", 10),
    ((250, 314), "50,00", 10),
    ((50, 760), "Acme Supplies GmbH · USt-IdNr. DE136695976 · Kontoinhaber: Acme Supplies GmbH", 8),
    ((50, 772), "IBAN DE88 2008 0000 0970 3757 00 · BIC COBADEFFXXX", 8),
]


def _pdf(lines: list[tuple[tuple[float, float], str, float]]) -> bytes:
    pdf = pymupdf.open()
    page = pdf.new_page(width=595, height=842)
    for point, text, size in lines:
        page.insert_text(point, text, fontsize=size)
    return pdf.tobytes()


@pytest.fixture(scope="module")
def invoice() -> Document:
    return load_document(_pdf(_LINES), name="invoice.pdf")


def _extract(document: Document, *fields: Field) -> ExtractionResult:
    return LocalEngine().extract(document, Workflow(name="custom", fields=list(fields)))


def _value(document: Document, description: str, type_: str = "string", name: str = "field_07") -> object:
    return _extract(document, Field(name=name, type=type_, description=description)).extractions[name].value


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("Postal code of the seller's address.", "10115"),
        ("City of the invoice recipient.", "Hamburg"),
        ("Street and house number of the buyer.", "Marktweg 3"),
        ("Phone number of the seller.", "+49 30 1234567"),
        ("Fax number of the seller.", "+49 30 1234568"),
        ("E-mail address of the seller.", "info@acme-supplies.de"),
        ("The seller's website.", "www.acme-supplies.de"),
        ("IBAN of the bank account to pay into.", "DE88200800000970375700"),
        ("BIC (SWIFT code) of the payee's bank.", "COBADEFFXXX"),
        ("The buyer's purchase order number.", "PO-4711"),
        ("The seller's tax number (not the VAT ID).", "27/123/45678"),
    ],
)
def test_a_field_defined_by_its_description_alone(invoice: Document, description: str, expected: str) -> None:
    assert _value(invoice, description) == expected


def test_the_name_is_not_needed(invoice: Document) -> None:
    description = "IBAN of the bank account to pay into."
    assert _value(invoice, description, name="field_07") == _value(invoice, description, name="iban")


def test_no_value_of_the_right_kind_gives_none_with_a_reason() -> None:
    bare = load_document(_pdf([((50, 50), "Acme Supplies GmbH", 14), ((50, 80), "Rechnung Nr. 17", 10)]))
    result = _extract(bare, Field(name="field_01", description="Phone number of the seller."))
    assert result.extractions["field_01"].value is None
    reason = result.metadata["field_01"].insights[0].content
    assert reason == "no phone number printed on the document"


def test_the_other_partys_value_is_not_taken() -> None:
    # The seller prints no address, only the recipient's: the seller's postal code stays empty.
    only_buyer = load_document(
        _pdf([((50, 50), "Acme Supplies GmbH", 14), ((50, 68), "Tel. +49 30 1234567", 9),
              ((50, 160), "Kunde Handel AG", 10), ((50, 174), "Marktweg 3", 10), ((50, 188), "20095 Hamburg", 10),
              ((350, 160), "Rechnung Nr. 17", 10)])
    )  # fmt: skip
    result = _extract(only_buyer, Field(name="field_01", description="Postal code of the seller."))
    assert result.extractions["field_01"].value is None
    assert "none in the seller's block" in result.metadata["field_01"].insights[0].content


@pytest.mark.parametrize(
    ("first", "second", "type_", "values"),
    [
        ("Postal code in the letterhead.", "Postal code in the recipient address block.", "string", ("10115", "20095")),
        ("The number printed after 'Steuernummer'.", "The number printed after 'Bestellnummer'.", "string",
         ("27/123/45678", "PO-4711")),
        ("The seller's phone or fax number. Not the fax.", "The seller's phone or fax number. Not the phone.",
         "string", ("+49 30 1234567", "+49 30 1234568")),
        ("The largest VAT rate, in percent.", "The smallest VAT rate, in percent.", "number", (19.0, 7.0)),
        ("The IBAN, as printed.", "The IBAN, without spaces.", "string",
         ("DE88 2008 0000 0970 3757 00", "DE88200800000970375700")),
        ("The seller's tax number.", "The seller's tax number, digits only.", "string", ("27/123/45678", "2712345678")),
    ],
    ids=["location", "quoted label", "exclusion", "selection", "format", "digits only"],
)  # fmt: skip
def test_descriptions_steer(
    invoice: Document, first: str, second: str, type_: str, values: tuple[object, object]
) -> None:
    assert (_value(invoice, first, type_), _value(invoice, second, type_)) == values


def test_validators() -> None:
    assert [v for _, _, v in find_phones("GLN 4000001123452 Tel. 089 1234567", "DE")] == ["089 1234567"]
    assert find_phones("Datum 05.03.2018", "DE") == []
    assert iban_check("DE88200800000970375700") is True
    assert iban_check("DE12123456781234567890") is False  # the right structure, check digits that fail
    assert iban_check("DE123456789") is None and find_ibans("USt-IdNr. DE123456789") == []
    assert [v for _, _, v in find_bics("BIC: COBADEFFXXX")] == ["COBADEFFXXX"]
    assert is_street("Bahnstr. 42a") and not is_street("Rechnung Nr. 17")


def test_address_lines(invoice: Document) -> None:
    lines = find_addresses(build_layout(invoice))
    assert [(a.postcode.value, a.city and a.city.value) for a in lines] == [("10115", "Berlin"), ("20095", "Hamburg")]
    assert lines[0].street is not None and lines[0].street.value == "Hauptstraße 5"


def test_a_workflow_without_shaped_fields_finds_no_shapes(invoice: Document) -> None:
    engine = LocalEngine()
    engine.extract(invoice, Workflow(name="std", fields=[Field(name="invoice_number")]))
    ctx = next(iter(engine._cache.values()))
    assert ctx.shapes._found == {}  # phone numbers, IBANs ... are looked for only when a field asks


def test_the_issue_s_description_edits_change_the_value() -> None:
    receipt = load_document(
        _pdf([((50, 50), "CORNER SHOP", 12), ((50, 100), "CASH", 10), ((200, 100), "20.00", 10),
              ((50, 80), "TOTAL", 10), ((200, 80), "12.50", 10), ((50, 120), "CHANGE", 10), ((200, 120), "7.50", 10),
              ((50, 160), "Account number", 9), ((50, 172), "88-1234-5", 9), ((200, 160), "Member no.", 9),
              ((200, 172), "M-7", 9)])
    )  # fmt: skip
    assert _value(receipt, "The amount paid. Not the CASH amount.", "number") != 20.0
    assert _value(receipt, "The amount printed after CASH.", "number") == 20.0
    assert _value(receipt, "The number printed under 'Account number'.") == "88-1234-5"
    assert _value(receipt, "The number printed under 'Member no.'.") == "M-7"
