"""What kind of value the engine reads for a field (date, amount, currency, VAT id, name, identifier, text
...), which party it is about, and its value in the field's type; field cues cached by definition.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections import OrderedDict
from typing import Any

from core.extraction.local.cues import FieldCues, read_cues
from core.extraction.local.labels import LabelHit
from core.extraction.local.tables.labels import NUMERIC_TYPES
from core.schema import Field
from core.vocabulary.concepts import IDENTIFIER_CONCEPTS
from core.vocabulary.kinds import CODE_NAME, IDENTIFIER_NAME, NOT_A_NAME, ValueKind
from core.vocabulary.parties import ROLE_WORDS

__all__ = ["CUES_CACHE_SIZE", "cached_cues", "field_role", "extraction_kind", "as_negative", "value_key", "typed_value"]

_CUES_CACHE: OrderedDict[tuple[str, str, str, tuple[Any, ...]], FieldCues] = OrderedDict()
# Field definitions whose cues are kept, least recently used dropped first: above the most fields (sub-fields
# included) a schema may hold, so one workflow never evicts its own cues (clearing the cache at 512 entries made
# every extraction of a larger workflow read every description again).
CUES_CACHE_SIZE = 8192
_CUES_LOCK = threading.Lock()  # one engine serves several app sessions at once
NEGATIVE_WEIGHT_FACTOR = 0.9
"""A label read as a negative cue (the other party's label, for a party's field) keeps this share of its
weight: a little less than a phrase the description itself negates."""


def cached_cues(f: Field) -> FieldCues:
    """The field's cues (``cues.read_cues``), read once per definition (name, type, description, values)."""
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
    """Which party a field is about: ``seller``, ``buyer`` (its concept or its name's role words) or ``other``."""
    if cues.concept in ("seller", "buyer"):
        return cues.concept
    name = f.name.casefold()
    for role, words in ROLE_WORDS.items():
        if any(w in name for w in words):
            return role
    return "other"


def extraction_kind(f: Field, cues: FieldCues) -> ValueKind:
    """Which candidates the engine reads a field's value from: its type first (date, amount, boolean, enum),
    then its concept and name (currency, VAT id, text, name, identifier).

    >>> from core.schema import Field
    >>> [extraction_kind(f, read_cues(f)) for f in (Field(name="total", type="number"), Field(name="seller_address"))]
    ['amount', 'text']
    """
    t = f.items.type if f.type == "array" and f.items is not None else f.type
    if t == "date":
        return "date"
    if t in NUMERIC_TYPES:  # a numeric field of any kind is read from the amounts printed
        return "amount"
    if t == "boolean":
        return "boolean"
    if t == "enum" or f.values:
        return "enum"
    if cues.concept == "currency":
        return "currency"
    if cues.concept == "vat_id":
        return "vat_id"
    if NOT_A_NAME.search(f.name):  # seller_address, buyer_email ... are about a party but are no name
        return "identifier" if CODE_NAME.search(f.name) else "text"
    if cues.concept in ("seller", "buyer") or cues.name_only:
        return "name"
    if (
        cues.concept in IDENTIFIER_CONCEPTS
        or IDENTIFIER_NAME.search(f.name)
        or any(re.search(r"\d", e) for e in cues.examples)
    ):
        return "identifier"
    return "text"


def as_negative(h: LabelHit) -> LabelHit:
    """The same label occurrence read as a negative cue ("Not the ..."), weighing a little less."""
    return dataclasses.replace(h, weight=h.weight * NEGATIVE_WEIGHT_FACTOR, negative=True)


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
