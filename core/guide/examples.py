"""Best-practice example descriptions per field type, shown by the field guide next to the fields."""

from __future__ import annotations

from core.errors import SchemaError, SchemaProblem

__all__ = ["examples"]

_EXAMPLES: dict[str, list[str]] = {
    "string": [
        "The invoice number (Invoice No., Invoice #, Rechnungsnummer, N° de facture) in the document "
        "header, exactly "
        "as printed including any prefix such as INV-. Not an order or customer number.",
        "Name of the company that issued the document (Vendor, Lieferant, Fournisseur), from the "
        "letterhead or "
        "sender line. Name only, without street or city.",
        "The policy number labelled 'Policy No.' or 'Versicherungsnummer' on the first page, without spaces.",
    ],
    "number": [
        "The final amount including taxes (Total, Amount due, Gesamtbetrag, Total TTC) at the bottom of "
        "the totals "
        "block, as a plain number with a dot as decimal separator, without currency symbol.",
        "The VAT rate (MwSt.-Satz, Taux de TVA) as a plain number without the % sign, e.g. 19 for 19 %.",
        "Billed quantity (Qty, Menge, Quantité) in the line's quantity column, as a plain number without unit.",
    ],
    "integer": [
        "Number of pages stated on the cover sheet ('Pages', 'Seiten'), as a whole number.",
        "The employee's age in years from the personal details section, as a whole number.",
    ],
    "boolean": [
        "Whether the contract is signed by both parties: true if two signatures (or 'signed' stamps) "
        "appear on the "
        "last page, false otherwise.",
        "Whether the invoice says it is already paid ('Paid', 'Bezahlt', 'Payé'): true if so, false if not.",
    ],
    "date": [
        "The date the invoice was issued (Invoice date, Rechnungsdatum, Date de facture) in the header, "
        "returned as "
        "YYYY-MM-DD. Not the order, delivery or due date.",
        "Payment due date (Due date, fällig am, Date d'échéance), returned as YYYY-MM-DD; leave empty "
        "when only "
        "terms such as '30 days net' are given.",
        "Date of birth (DOB, Geburtsdatum) in the personal details section, returned as YYYY-MM-DD.",
    ],
    "enum": [
        "The kind of document, from its title: one of invoice, credit_note, receipt.",
        "How the receipt was paid (Payment, Zahlungsart), near the totals: one of cash, card, transfer.",
    ],
    "array": [
        "Every line of the item table (Pos., Item, Artikel, Désignation), in order of appearance, one "
        "entry per row; "
        "not totals, tax or discount summary rows.",
        "Every tracking number printed on the shipping label (Tracking No., Sendungsnummer), one entry "
        "each, exactly "
        "as printed.",
    ],
    "object": [
        "The seller's address block in the letterhead, with street, postal code, city and country as sub-fields.",
        "The bank details in the footer (IBAN, BIC, bank name) as sub-fields, each exactly as printed.",
    ],
}


def examples(field_type: str) -> list[str]:
    """Best-practice example descriptions for a field type.

    Args:
        field_type: one of string, number, integer, boolean, date, enum, array, object.

    Returns:
        Two to four example descriptions.

    >>> len(examples("date")) >= 2
    True
    """
    if field_type not in _EXAMPLES:
        raise SchemaError(
            [SchemaProblem("type", f"unknown field type {field_type!r}")],
            hint="Use one of: " + ", ".join(_EXAMPLES) + ".",
        )
    return list(_EXAMPLES[field_type])
