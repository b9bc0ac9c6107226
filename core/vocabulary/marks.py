"""What is printed around labels and values: number signs ("No.", "Nr.", "N°"), the filler words between a label
and its value, and checkbox marks."""

from __future__ import annotations

import re

__all__ = ["NUMBER_SIGNS", "GLUED_NUMBER_SIGN", "LABEL_FILLER", "CHECKBOXES", "UNCHECKED", "LABEL_CURRENCIES"]

# Words that stand for "number" between a label and an identifier ("Invoice No. 4711", "Rechnung Nr: 12").
NUMBER_SIGNS = (":", "#", "-", "No", "No.", "Nr", "Nr.", "N°", "Nº")
# A number sign glued to the identifier it introduces ("N°12345", "Nr.4711").
GLUED_NUMBER_SIGN = re.compile(r"^(?:n[°º]|no\.|nr\.?|num\.)\s*(?=\w*\d)", re.I)
# Words between a label and its value that add nothing to the label ("Invoice number: 4711", "Total in EUR").
LABEL_FILLER = re.compile(r"^(?:[:#=\-–.]+|no\.?|nr\.?|n°|nº|#:?|number|nummer|numéro|num\.?|\(.*\)|in|en|:?)$", re.I)
# Checkbox marks printed before a label ("☒ Paid"), and the ones among them that mean "not ticked".
CHECKBOXES = ("☐", "☑", "☒", "[x]", "[X]", "[ ]", "■", "□", "✓", "✔")
UNCHECKED = ("☐", "[ ]", "□")
# Currency codes and symbols printed inside a label ("Montant EUR HT", "Total USD"), as label keys (letters and
# digits only): a label is found with or without them.
LABEL_CURRENCIES = frozenset(
    {
        "eur",
        "usd",
        "gbp",
        "chf",
        "inr",
        "pln",
        "czk",
        "jpy",
        "sek",
        "nok",
        "dkk",
        "aud",
        "cad",
        "myr",
        "rm",
        "sgd",
        "hkd",
        "cny",
        "euro",
    }
)
