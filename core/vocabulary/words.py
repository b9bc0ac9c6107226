"""Word forms: identifiers and phrases split into words, simple English singulars and plurals, and the
abbreviations field names use for the same word ("customer_no" and "customer_id")."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["words", "name_words", "singular", "plural", "NAME_SYNONYMS"]


def words(text: str) -> tuple[str, ...]:
    """The whitespace-separated words of a table cell, in order (``words("a b")`` is ``("a", "b")``)."""
    return tuple(text.split())


# Words that name the same thing in field names ("customer_no" and "customer_id", "total" and "amount").
NAME_SYNONYMS: dict[str, str] = {
    "no": "number",
    "nr": "number",
    "num": "number",
    "id": "number",
    "total": "amount",
    "sum": "amount",
    "day": "date",
    "qty": "quantity",
}


def name_words(name: str) -> list[str]:
    """Split an identifier or phrase into lowercase ASCII words.

    >>> name_words("invoiceNumber"), name_words("seller_VAT_id"), name_words("Numéro de facture")
    (['invoice', 'number'], ['seller', 'vat', 'id'], ['numero', 'de', 'facture'])
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text)
    return [w for w in re.split(r"[^A-Za-z0-9]+", text.lower()) if w]


def singular(word: str) -> str:
    """A simple English singular for a head noun ("items" -> "item", "parties" -> "party")."""
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if re.search(r"(ss|x|ch|sh|ses)es$", word):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def plural(word: str) -> str:
    """A simple English plural ("item" -> "items", "party" -> "parties", "address" -> "addresses")."""
    if word.endswith("s") and singular(word) != word:
        return word
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|ch|sh)$", word):
        return word + "es"
    return word + "s"
