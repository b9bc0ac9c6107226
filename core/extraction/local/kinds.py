"""What kind of value a field asks for (date, amount, currency, VAT id, name, identifier, text ...),
which party it is about, and its value in the field's type; field cues cached by definition.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections import OrderedDict
from typing import Any

from core.extraction.local.cues import FieldCues, read_cues
from core.extraction.local.labels import LabelHit
from core.schema import Field

__all__ = ["CUES_CACHE_SIZE", "cached_cues", "field_role", "field_kind", "as_negative", "value_key", "typed_value"]

_ID_CONCEPTS = {
    "invoice_number",
    "order_number",
    "customer_number",
    "delivery_number",
    "vat_id",
    "tax_number",
    "iban",
    "bic",
}
_ID_NAME = re.compile(r"(number|_no$|^no_|_nr$|_id$|^id$|code|reference|_ref$|iban|bic|vat)", re.I)
_ROLE_WORDS = {
    "seller": ("seller", "vendor", "supplier", "issuer", "merchant", "sender"),
    "buyer": ("buyer", "customer", "client", "recipient", "purchaser", "bill_to"),
}
_AMOUNT_FIELDS = {"number", "integer"}
_NOT_A_NAME = re.compile(
    r"address|street|city|zip|postal|postcode|country|email|phone|tel|fax|iban|bic|website|url", re.I
)


_CUES_CACHE: OrderedDict[tuple[str, str, str, tuple[Any, ...]], FieldCues] = OrderedDict()
# Field definitions whose cues are kept, least recently used dropped first: above the most fields (sub-fields
# included) a schema may hold (core.schema.limits.MAX_FIELDS), so one workflow never evicts its own cues.
CUES_CACHE_SIZE = 8192


_CUES_LOCK = threading.Lock()  # one engine serves several app sessions at once


def cached_cues(f: Field) -> FieldCues:
    key = (f.name, f.type, f.description, tuple(f.values))
    with _CUES_LOCK:
        c = _CUES_CACHE.get(key)
        if c is not None:
            _CUES_CACHE.move_to_end(key)
            return c
    c = read_cues(f)
    with _CUES_LOCK:
        _CUES_CACHE[key] = c
        while len(_CUES_CACHE) > CUES_CACHE_SIZE:
            _CUES_CACHE.popitem(last=False)
    return c


def field_role(f: Field, cues: FieldCues) -> str:
    if cues.concept in ("seller", "buyer"):
        return cues.concept
    name = f.name.casefold()
    for role, words in _ROLE_WORDS.items():
        if any(w in name for w in words):
            return role
    return "other"


def field_kind(f: Field, cues: FieldCues) -> str:
    t = f.items.type if f.type == "array" and f.items is not None else f.type
    if t == "date":
        return "date"
    if t in _AMOUNT_FIELDS:
        return "amount"
    if t == "boolean":
        return "boolean"
    if t == "enum" or f.values:
        return "enum"
    if cues.concept == "currency":
        return "currency"
    if cues.concept == "vat_id":
        return "vat_id"
    if _NOT_A_NAME.search(f.name):  # seller_address, buyer_email ... are about a party but are no name
        return "identifier" if re.search(r"iban|bic|phone|tel|fax", f.name, re.I) else "text"
    if cues.concept in ("seller", "buyer") or cues.name_only:
        return "name"
    if cues.concept in _ID_CONCEPTS or _ID_NAME.search(f.name) or any(re.search(r"\d", e) for e in cues.examples):
        return "identifier"
    return "text"


def as_negative(h: LabelHit) -> LabelHit:
    """The same label occurrence read as a negative cue ("Not the ..."), weighing a little less."""
    return dataclasses.replace(h, weight=h.weight * 0.9, negative=True)


def value_key(value: Any) -> Any:
    return str(value).casefold() if value is not None else None


def typed_value(f: Field, value: Any) -> Any:
    if value is None:
        return None
    if f.type == "date" and hasattr(value, "isoformat"):
        return value.isoformat()
    if f.type == "number":
        return float(value)
    if f.type == "integer":
        return int(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value) if not isinstance(value, (str, int, float, bool)) else value
