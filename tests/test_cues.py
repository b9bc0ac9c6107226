"""Reading field descriptions: labels, negatives, examples, location, selection and format cues."""

from __future__ import annotations

import pytest

from core.extraction.local.cues import detect_concept, example_shape, read_cues
from core.schema import Field


def _phrases(labels: list) -> list[str]:
    return [label.phrase for label in labels]


def test_parenthesised_label_list_comes_first_with_full_weight() -> None:
    cues = read_cues(
        Field(
            name="total_amount",
            type="number",
            description="The final amount (Total, Grand Total, Amount due, Gesamtbetrag, Total TTC).",
        )
    )
    described = [label for label in cues.labels if label.source == "description"]
    assert _phrases(described) == ["Total", "Grand Total", "Amount due", "Gesamtbetrag", "Total TTC"]
    assert all(label.weight == 1.0 for label in described)
    # Synonyms supplement, at a lower weight.
    assert any(label.source == "synonym" and label.weight < 1.0 for label in cues.labels)


def test_quoted_words_are_labels() -> None:
    cues = read_cues(Field(name="ref", description="The value printed after \"Kundenreferenz\" or 'Ref.'"))
    assert {"Kundenreferenz", "Ref"} <= set(_phrases(cues.labels))


def test_negative_clause_with_shared_head_noun() -> None:
    cues = read_cues(
        Field(
            name="invoice_number",
            description="The invoice number. Not an order, customer or delivery number.",
        )
    )
    negs = {n.phrase.casefold() for n in cues.negatives}
    assert {"order number", "customer number", "delivery number"} <= negs
    # The synonyms of the negated concepts are negatives too.
    assert "bestellnummer" in negs and "kundennummer" in negs


def test_negative_labels_in_parentheses() -> None:
    cues = read_cues(
        Field(name="seller_vat_id", description="The VAT ID (USt-IdNr.). Not the tax number (Steuernummer).")
    )
    assert "Steuernummer" in _phrases(cues.negatives)
    assert "Steuernummer" not in _phrases(cues.labels)


def test_leave_empty_means_a_label_is_required_and_its_example_is_no_label() -> None:
    cues = read_cues(
        Field(
            name="due_date",
            type="date",
            description="Payment due date (fällig am). "
            "Leave empty when only payment terms such as '14 Tage netto' are given.",
        )
    )
    assert cues.require_label
    assert "14 Tage netto" not in _phrases(cues.labels)
    assert "fällig am" in _phrases(cues.labels)


@pytest.mark.parametrize(
    ("description", "attr", "value"),
    [
        ("The largest amount on the page", "selection", "largest"),
        ("The last date printed", "selection", "last"),
        ("The first reference", "selection", "first"),
        ("Name from the letterhead at the top", "location", {"top", "letterhead"}),
        ("Name from the recipient address block", "location", {"recipient"}),
        ("The VAT ID without spaces", "no_spaces", True),
        ("Name only, without street or city", "name_only", True),
        ("including any prefix such as # or INV/", "keep_hash", True),
    ],
)
def test_selection_location_and_format_cues(description: str, attr: str, value: object) -> None:
    cues = read_cues(Field(name="x", description=description))
    got = getattr(cues, attr)
    assert (value <= got) if isinstance(value, set) else got == value


def test_examples_and_their_shape() -> None:
    cues = read_cues(Field(name="vat", description="The VAT ID, e.g. DE123456789, without spaces."))
    assert cues.examples == ["DE123456789"]
    shape = example_shape("DE123456789")
    assert shape.fullmatch("FR11999999998") and not shape.fullmatch("471102")


@pytest.mark.parametrize(
    ("name", "description", "concept"),
    [
        ("tax_basis_total", "", "net"),
        ("tax_total", "", "tax"),
        ("grand_total", "", "total"),
        ("due_payable", "", "due_payable"),
        ("seller_vat_id", "", "vat_id"),
        ("issue_date", "", "issue_date"),
        ("due_date", "", "due_date"),
        ("betrag", "Total amount of the invoice including VAT", "total"),
        ("field_1", "Name of the invoice recipient", "buyer"),
    ],
)
def test_detect_concept(name: str, description: str, concept: str) -> None:
    assert detect_concept(Field(name=name, description=description)) == concept


def test_equal_to_cue() -> None:
    cues = read_cues(
        Field(name="due_payable", type="number", description="Amount to pay; often equal to the grand total.")
    )
    assert cues.equal_to == "grand total"
