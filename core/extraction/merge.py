"""Merge per-batch extraction answers into one result, by reference 004's multi-page rules.

Long documents are read in page batches; each batch answers every field. The rules:

* ``array`` fields keep every distinct non-empty item, in order of appearance (batch order, then position);
* every other field keeps the most frequent non-empty value; a tie goes to the value of the earliest batch;
* values are canonicalised before comparison: strings are trimmed, objects are compared as canonical JSON with
  sorted keys; there is no lowercasing, separator removal or fuzzy matching (identifiers such as SKUs, IBANs
  or case-sensitive codes must not change);
* every top-level field is present in the merged result, ``None`` when no batch found a non-empty value.

The functions are pure. ``merge_value`` and ``merge_array`` also say which batches a kept value came from,
so an engine can carry citations and confidences along with the value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.schema import Field

__all__ = [
    "ValuePick",
    "ItemPick",
    "clean",
    "is_empty",
    "canonical_key",
    "merge_value",
    "merge_array",
    "merge_batches",
]


@dataclass(frozen=True)
class ValuePick:
    """The value kept for a non-array field and the (0-based) batches that gave it, earliest first."""

    value: Any
    batches: tuple[int, ...]


@dataclass(frozen=True)
class ItemPick:
    """One item kept for an array field: its value and where it first appeared (batch, position in batch)."""

    value: Any
    batch: int
    index: int


def clean(value: Any) -> Any:
    """Canonicalise a value for comparison and output: strings trimmed, recursively; blank ones become None.

    Args:
        value: a JSON-like value (str, number, bool, None, list, dict).

    Returns:
        The same value with every string trimmed and blank strings replaced by ``None``.

    >>> clean({"sku": "  AB-1 ", "note": "  "})
    {'sku': 'AB-1', 'note': None}
    """
    if isinstance(value, str):
        trimmed = value.strip()
        return trimmed or None
    if isinstance(value, Mapping):
        return {str(key): clean(sub) for key, sub in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(sub) for sub in value]
    return value


def is_empty(value: Any) -> bool:
    """True for None, blank strings, empty lists and objects whose every property is empty.

    >>> is_empty({"a": None, "b": ""}), is_empty([]), is_empty(0), is_empty(False)
    (True, True, False, False)
    """
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Mapping):
        return all(is_empty(sub) for sub in value.values())
    if isinstance(value, (list, tuple)):
        return all(is_empty(sub) for sub in value)
    return False


def canonical_key(value: Any) -> str:
    """The comparison key of a value: canonical JSON (sorted keys, trimmed strings), nothing else folded.

    ``1`` and ``1.0`` compare equal (same JSON number); ``"abc"`` and ``"ABC"`` do not.

    >>> canonical_key({"b": " x ", "a": 1}) == canonical_key({"a": 1, "b": "x"})
    True
    >>> canonical_key("SKU-1") == canonical_key("sku-1")
    False
    """
    return json.dumps(_json_numbers(clean(value)), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _json_numbers(value: Any) -> Any:
    # JSON has one number type: 3 and 3.0 are the same value, so compare them the same.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _json_numbers(sub) for key, sub in value.items()}
    if isinstance(value, list):
        return [_json_numbers(sub) for sub in value]
    return value


def merge_value(per_batch: Sequence[Any]) -> ValuePick | None:
    """Merge one non-array field: the most frequent non-empty value, ties to the earliest batch.

    Args:
        per_batch: the field's value in each batch, in batch order (None where a batch found nothing).

    Returns:
        The kept (cleaned) value with the batches that gave it, or None when no batch found a value.

    >>> merge_value(["A", None, " B", "B", "A"]).value  # A and B twice each; A came first
    'A'
    >>> merge_value([None, "", None]) is None
    True
    """
    counts: dict[str, int] = {}
    first_seen: dict[str, int] = {}
    batches: dict[str, list[int]] = {}
    values: dict[str, Any] = {}
    for batch, raw in enumerate(per_batch):
        value = clean(raw)
        if is_empty(value):
            continue
        key = canonical_key(value)
        counts[key] = counts.get(key, 0) + 1
        first_seen.setdefault(key, batch)
        batches.setdefault(key, []).append(batch)
        values.setdefault(key, value)
    if not counts:
        return None
    best = min(counts, key=lambda key: (-counts[key], first_seen[key]))
    return ValuePick(value=values[best], batches=tuple(batches[best]))


def merge_array(per_batch: Sequence[Sequence[Any] | None]) -> list[ItemPick]:
    """Merge one array field: every distinct non-empty item in order of appearance.

    Duplicates inside one batch are dropped too (the rule is "distinct values"), as are empty items.

    Args:
        per_batch: the field's list in each batch, in batch order (None where a batch found nothing).

    Returns:
        The kept items, each with the batch and position where it first appeared.

    >>> [p.value for p in merge_array([["a", "b"], None, ["b ", "c", "a"]])]
    ['a', 'b', 'c']
    """
    seen: set[str] = set()
    picks: list[ItemPick] = []
    for batch, items in enumerate(per_batch):
        if items is None:
            continue
        if not isinstance(items, (list, tuple)):
            items = [items]  # a batch that answered one item instead of a list still contributes it
        for index, raw in enumerate(items):
            value = clean(raw)
            if is_empty(value):
                continue
            key = canonical_key(value)
            if key in seen:
                continue
            seen.add(key)
            picks.append(ItemPick(value=value, batch=batch, index=index))
    return picks


def merge_batches(batches: Sequence[Mapping[str, Any]], fields: Sequence[Field]) -> dict[str, Any]:
    """Merge plain per-batch answers ``{field: value}`` into one ``{field: value}`` for the given fields.

    Args:
        batches: one mapping per batch, in batch order; missing keys count as "not found".
        fields: the workflow's top-level fields; ``array`` fields merge as lists, the others by frequency.

    Returns:
        Every field's merged value; ``None`` where no batch found one (an array with no items is ``None``).

    >>> from core.schema import Field
    >>> merge_batches([{"n": "X1", "tags": ["a"]}, {"n": "X1 ", "tags": ["b", "a"]}],
    ...               [Field(name="n"), Field(name="tags", type="array", items=Field(name="tag"))])
    {'n': 'X1', 'tags': ['a', 'b']}
    """
    merged: dict[str, Any] = {}
    for field in fields:
        column = [batch.get(field.name) for batch in batches]
        if field.type == "array":
            items = merge_array(column)
            merged[field.name] = [item.value for item in items] or None
        else:
            pick = merge_value(column)
            merged[field.name] = pick.value if pick is not None else None
    return merged
