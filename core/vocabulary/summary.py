"""What the lines that sum up a document are called: totals, tax, discount and payment lines that end an item
table or a receipt's item lines, carried-forward lines between the pages of a table, and running page
headers and footers; and the field concepts whose amounts such lines print.

Words are casefolded and without accents: they are compared with text that
``core.extraction.local.tables.labels.normalize_label`` reduced.
"""

from __future__ import annotations

import re

__all__ = [
    "SUMMARY_CONCEPTS",
    "SUMMARY_WORDS",
    "TOTAL_WORD",
    "CARRY_WORDS",
    "PAGE_LINE",
    "RECEIPT_END_WORDS",
    "TENDERED",
    "CHANGE",
    "ADJUSTMENT",
    "TAX_WORD",
    "TAX_TOTAL",
    "TAX_PART",
    "COUNT_LABEL",
    "COUNTED",
    "AFTER_TAX",
    "BEFORE_TAX",
    "TAX_SUMMARY",
]

SUMMARY_CONCEPTS = frozenset({"total", "net", "tax", "due_payable"})
"""Concepts whose amounts sum up a document (printed after its items)."""

# Rows of an item table that sum up or adjust the items rather than being one; their first words say so.
# fmt: off
SUMMARY_WORDS = (
    "summe", "zwischensumme", "gesamt", "gesamtbetrag", "gesamtsumme", "total", "subtotal", "sous-total",
    "sous total", "netto", "nettobetrag", "nettosumme", "brutto", "bruttobetrag", "mwst", "ust",
    "umsatzsteuer", "steuer", "tva", "vat", "tax", "iva", "rabatt", "skonto", "discount", "remise",
    "zahlbetrag", "rechnungsbetrag", "endbetrag", "amount due", "balance", "montant", "positionssumme",
    "rechnungssumme", "grand total", "net total", "totaal", "importe total", "totale",
)
# Lines of a receipt that sum up or settle the sale rather than list a product.
RECEIPT_END_WORDS = (
    "total", "subtotal", "sub-total", "summe", "zwischensumme", "gesamt", "betrag", "zu zahlen",
    "amount due", "balance", "tax", "vat", "mwst", "ust", "tva", "iva", "netto", "brutto", "net", "change",
    "cash", "card", "paid", "tendered", "ruckgeld", "gegeben", "bar", "visa", "mastercard", "ec-karte",
    "payment", "montant", "a payer", "rendu", "especes", "carte", "totale", "importe", "tip", "rounding",
    "discount", "rabatt", "remise",
)
# fmt: on
# A total anywhere in a row ends the item table ("Factuur totaal EUR 49,99", "Summe netto").
TOTAL_WORD = re.compile(
    r"\b(?:sub|zwischen|gesamt|end|rechnungs|grand ?|net ?|sous-?)?(?:total|totaal|totale|summe)\b"
    r"|\b(?:gesamtbetrag|rechnungsbetrag|zahlbetrag|amount due|ttc)\b"
)
# A carried-forward line between the pages of one table ("Übertrag", "Report").
CARRY_WORDS = ("ubertrag", "carried forward", "brought forward", "report", "a reporter", "uebertrag")
# "Seite 2 von 3", "Page 2 of 3": a running page header or footer, never an item.
PAGE_LINE = re.compile(r"\b(?:seite|page|pagina|blatt|sheet)\s*\d+\s*(?:von|of|de|sur|di|/)\s*\d+\b")

# What a line that sums up a sale says about its amount (casefolded text of the line, left of the amount):
# money handed over (not what the sale cost), change given back, adjustments, tax, and whether a total is
# before or after tax.
TENDERED = re.compile(
    r"\b(?:cash|card|visa|master\s?card|amex|credit|debit|paid|tendered|tender|received|payment|eftpos|nets|"
    r"e-?wallet|voucher|gegeben|especes|espèces|carte|efectivo|tarjeta)\b"
)
CHANGE = re.compile(r"\b(?:change|rückgeld|ruckgeld|wechselgeld|rendu|monnaie|cambio|kembalian)\b")
ADJUSTMENT = re.compile(r"\b(?:round(?:ing)?|rnd|adj(?:ustment)?|savings?|saved|discount|rabatt|remise)\b")
TAX_WORD = re.compile(r"\b(?:gst|sst|vat|tax|mwst|ust|tva|iva|btw|service\s+charge)\b")
# "Total GST", "VAT total": the tax summed over the rates, not the sale's total (a line that also says incl. or
# excl. is about the total).
TAX_TOTAL = re.compile(
    r"\b(?:total|summe|gesamt)\s+(?:gst|sst|vat|tax|mwst|ust|tva|iva|btw)\b"
    r"|\b(?:gst|sst|vat|tax|mwst|ust|tva|iva|btw)\s+(?:total|summe)\b"
)
AFTER_TAX = re.compile(
    r"\b(?:incl\.?|inclusive|including|inc\.?|grand|nett|rounded|payable|to pay|due|brutto|gesamtbetrag|ttc)\b"
)
# "GST included in total", "dont TVA", "darin enthaltene MwSt": the tax part of a total, printed after it.
TAX_PART = re.compile(r"\b(?:included in|contained in|of which|davon|darin|enthalten\w*|dont)\b")
# A number right after a count's label ("Total qty: 65.00") or right before the counted word ("3 items"): how
# many items, not an amount of money.
_COUNTED = r"(?:qty|quantity|items?|pcs|pieces|count|units|menge|anzahl|stuck|stück|artikel|articles?)"
COUNT_LABEL = re.compile(rf"\b{_COUNTED}\W*$")
COUNTED = re.compile(rf"^\W*{_COUNTED}\b")
BEFORE_TAX = re.compile(r"\b(?:excl\.?|excluding|exclusive|before|w/o|without|sub\s?-?total|netto|ht)\b")
# The heading of a tax summary table ("GST SUMMARY", "Code % Net Amt GST Total"): its rows repeat the totals
# per tax rate, and its "Total" row sums them, not the sale.
TAX_SUMMARY = re.compile(
    r"\b(?:gst|vat|tax|mwst|ust|tva)\s+(?:summary|analysis|breakdown)\b|\b(?:summary|analysis)\s+of\s+(?:gst|vat|tax)\b"
    r"|\bcode\b.*(?:%|\brate\b).*\b(?:gst|vat|tax)\b|\b(?:net|amount|amt)\b.*\b(?:gst|vat|tax)\b.*\btotal\b"
)
