"""Kinds of value (``ValueKind``) and the words that name them: the head word of a field's name or of its
description's opening phrase ("invoice number" is an identifier, "number of pages" a count), and the
field-name words the local engine reads a kind from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from core.vocabulary.words import name_words, words

__all__ = [
    "ValueKind",
    "HEAD_WORDS",
    "QUESTION_WORDS",
    "PHRASE_ENDS",
    "IDENTIFIER_NAME",
    "NOT_A_NAME",
    "CODE_NAME",
    "phrase_kind",
    "text_kind",
    "named_kind",
]

# fmt: off
ValueKind = Literal[
    "amount", "percent", "quantity", "count", "date", "identifier", "name", "currency", "boolean",
    "vat_id", "enum", "text",
]
# fmt: on
"""What kind of value a field holds. Words name the first nine (``named_kind``); the local engine reads every
numeric kind as an amount and adds the kinds it reads differently: a VAT id, an enum's allowed values and free
text (``core.extraction.local.kinds.extraction_kind``)."""

# Head words: the last noun of a compound names its kind ("invoice number" is an identifier, "total amount" an
# amount).
# fmt: off
HEAD_WORDS: dict[str, ValueKind] = {
    **dict.fromkeys(words("amount total subtotal price cost costs fee fees tax taxes vat sum balance charge charges "
                          "discount deposit salary wage wages rent premium tip gratuity freight surcharge refund "
                          "budget revenue income net gross payable payout prepayment"), "amount"),
    **dict.fromkeys(words("rate percentage percent ratio"), "percent"),
    **dict.fromkeys(words("quantity qty hours weight volume length width height distance area mileage"), "quantity"),
    **dict.fromkeys(words("count pages age headcount"), "count"),
    **dict.fromkeys(words("date day deadline dob birthday expiry expiration"), "date"),
    **dict.fromkeys(words("number no nr id code reference ref iban bic swift sku ean gtin vin zip postcode ssn "
                          "email phone telephone mobile fax"), "identifier"),
    **dict.fromkeys(words("name address street city country title company vendor supplier merchant seller buyer "
                          "customer client recipient employee employer party parties signatory shipper consignee "
                          "carrier description person contact owner tenant landlord insurer beneficiary article "
                          "product sender receiver applicant"), "name"),
    "currency": "currency",
}
# The verbs a yes/no question opens with: a name, phrase or request starting with one asks it ("is_paid", "has
# signature", "is the form signed").
QUESTION_WORDS = frozenset(words("is are was were has have had does did can should contains includes"))
# Words that end the noun phrase at the start of a description ("Total amount of the invoice": total amount).
PHRASE_ENDS = frozenset(words("of for that which who as in on at from with to when where including excluding "
                              "printed was is are by under next usually if whether per after before without shown "
                              "written stated given"))
# fmt: on

# Field names the local engine reads as identifiers ("invoice_no", "order_id", "iban"), as free text rather than a
# party's name ("seller_address", "buyer_email"), and, among those, as codes printed without spaces.
IDENTIFIER_NAME = re.compile(r"(number|_no$|^no_|_nr$|_id$|^id$|code|reference|_ref$|iban|bic|vat)", re.I)
NOT_A_NAME = re.compile(
    r"address|street|city|zip|postal|postcode|country|email|phone|tel|fax|iban|bic|website|url", re.I
)
CODE_NAME = re.compile(r"iban|bic|phone|tel|fax", re.I)


def phrase_kind(phrase: Sequence[str]) -> ValueKind | None:
    """The kind of value a noun phrase names, from its head word.

    >>> [phrase_kind(p.split()) for p in ("invoice number", "number of pages", "total amount")]
    ['identifier', 'count', 'amount']
    """
    phrase = [w for w in phrase if w]
    if not phrase:
        return None
    if phrase[0] in QUESTION_WORDS and len(phrase) > 1:
        return "boolean"
    if "currency" in phrase:
        return "currency"
    if len(phrase) > 1 and phrase[0] in ("number", "count", "amount", "total") and phrase[1] == "of":
        return "amount" if phrase[0] == "amount" else "count"
    head = phrase[: phrase.index("of")] if "of" in phrase[1:] else phrase
    for word in reversed(head):
        if word in HEAD_WORDS:
            return HEAD_WORDS[word]
    return None


def text_kind(text: str) -> ValueKind | None:
    """The kind of value a description names in its opening noun phrase ("Total amount of the invoice")."""
    opening = re.split(r"[(,;:.!?\[—–]| - ", text, maxsplit=1)[0]
    lowered = [w[:-2] if w.endswith("'s") else w for w in opening.lower().split()]
    if lowered and lowered[0] == "whether" or text.rstrip().endswith("?"):
        return "boolean"
    phrase: list[str] = []
    for word in lowered:
        if word in PHRASE_ENDS and phrase and not (word == "of" and phrase[-1] in ("number", "count", "date")):
            break
        phrase.extend(name_words(word))
    return phrase_kind([w for w in phrase if w not in ("the", "a", "an")])


def named_kind(name: str, description: str = "") -> ValueKind | None:
    """The kind of value a field's words name: its name's head word, else its description's opening phrase.

    >>> named_kind("invoice_no"), named_kind("x", "Total amount of the invoice"), named_kind("x")
    ('identifier', 'amount', None)
    """
    return phrase_kind(name_words(name)) or text_kind(description)
