"""Scoring extracted values against expected ones by the datasets' rules, per field of one document.

The rules (``datasets/README.md``): strings compare after NFKC, whitespace collapsing and case folding;
numbers within 0.005; dates by calendar day; arrays of scalars as multisets; arrays of objects pair their
items in order of best agreement, then each item field counts on its own. TP is a non-empty correct
prediction, FP a non-empty wrong one, FN an expected value not predicted correctly. A field missing from the
expected values is not scored. ``score`` is pure so training can reuse it per field and per template.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from core.evaluation.datasets import expected_values
from core.normalize import values_equal
from core.schema import Field

__all__ = ["FieldCounts", "values_match", "pair_items", "score", "item_prefixes"]


def _is_empty(value: Any) -> bool:
    return value is None or (
        isinstance(value, (str, list, dict)) and not (value.strip() if isinstance(value, str) else value)
    )


def values_match(expected: Any, predicted: Any, field_type: str = "string") -> bool:
    """Whether a predicted scalar counts as the expected one (the README's rules; ``core.normalize`` decides).

    >>> values_match("ACME  Corp", "acme corp"), values_match(12.5, 12.504, "number")
    (True, True)
    >>> values_match("2024-03-01", "2024-03-02", "date")
    False
    """
    return bool(values_equal(expected, predicted, field_type))


class FieldCounts(BaseModel):
    """True positives, false positives and false negatives of one field (or a sum of fields)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: FieldCounts) -> FieldCounts:
        return FieldCounts(tp=self.tp + other.tp, fp=self.fp + other.fp, fn=self.fn + other.fn)

    @property
    def one_value(self) -> bool:
        """Whether exactly one value was predicted (a scalar field's; an array counts each element): the
        predictions whose confidence calibration is measured on.

        >>> FieldCounts(tp=1).one_value, FieldCounts(fn=1).one_value, FieldCounts(tp=2, fp=1).one_value
        (True, False, False)
        """
        return self.tp + self.fp == 1

    @property
    def precision(self) -> float:
        """TP / (TP + FP); 0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """TP / (TP + FN); 0 when nothing was expected."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall; 0 when both are 0."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _count_scalar(expected: Any, predicted: Any, field_type: str) -> FieldCounts:
    if _is_empty(predicted):
        return FieldCounts(fn=0 if _is_empty(expected) else 1)
    if not _is_empty(expected) and values_match(expected, predicted, field_type):
        return FieldCounts(tp=1)
    return FieldCounts(fp=1, fn=0 if _is_empty(expected) else 1)


def _count_multiset(expected: list[Any], predicted: list[Any], field_type: str) -> FieldCounts:
    remaining = [e for e in expected if not _is_empty(e)]
    counts = FieldCounts()
    for value in (p for p in predicted if not _is_empty(p)):
        match = next((i for i, e in enumerate(remaining) if values_match(e, value, field_type)), None)
        if match is None:
            counts.fp += 1
        else:
            counts.tp += 1
            remaining.pop(match)
    counts.fn += len(remaining)
    return counts


def _as_list(value: Any) -> list[Any]:
    if _is_empty(value):
        return []
    return list(value) if isinstance(value, list) else [value]


def _as_item(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _agreement(expected: Mapping[str, Any], predicted: Mapping[str, Any], fields: list[Field]) -> int:
    return sum(
        1
        for f in fields
        if f.name in expected
        and not _is_empty(expected[f.name])
        and not _is_empty(predicted.get(f.name))
        and values_match(expected[f.name], predicted[f.name], f.type)
    )


def pair_items(
    expected: Sequence[Mapping[str, Any]], predicted: Sequence[Mapping[str, Any]], fields: list[Field]
) -> list[tuple[int | None, int | None]]:
    """Pair expected and predicted items in order of best agreement (greedy over agreement counts).

    Pairs with the most agreeing item fields are taken first; ties go to the pair closest in position, then
    the earliest. Items left over are paired with None.

    >>> f = [Field(name="d"), Field(name="q", type="number")]
    >>> pair_items([{"d": "a", "q": 1}, {"d": "b", "q": 2}], [{"d": "b", "q": 2}], f)
    [(0, None), (1, 0)]
    """
    candidates = sorted(
        ((_agreement(e, p, fields), i, j) for i, e in enumerate(expected) for j, p in enumerate(predicted)),
        key=lambda c: (-c[0], abs(c[1] - c[2]), c[1], c[2]),
    )
    used_e: set[int] = set()
    used_p: set[int] = set()
    pairs: dict[int, int | None] = {}
    for agreement, i, j in candidates:
        if agreement == 0 or i in used_e or j in used_p:
            continue
        used_e.add(i)
        used_p.add(j)
        pairs[i] = j
    result: list[tuple[int | None, int | None]] = [(i, pairs.get(i)) for i in range(len(expected))]
    result += [(None, j) for j in range(len(predicted)) if j not in used_p]
    return result


def _count_items(name: str, expected: list[Any], predicted: list[Any], fields: list[Field]) -> dict[str, FieldCounts]:
    exp_items = [_as_item(e) for e in expected]
    pred_items = [_as_item(p) for p in predicted]
    # An item field no expected item of this document lists has no known value: not scored, also for extras.
    scored = [f for f in fields if any(f.name in e for e in exp_items)]
    counts = {f"{name}.{f.name}": FieldCounts() for f in scored}
    for i, j in pair_items(exp_items, pred_items, scored):
        exp_item = exp_items[i] if i is not None else {}
        pred_item = pred_items[j] if j is not None else {}
        for f in scored:
            if i is not None and f.name not in exp_item:
                continue
            key = f"{name}.{f.name}"
            counts[key] = counts[key] + _count_scalar(exp_item.get(f.name), pred_item.get(f.name), f.type)
    return counts


def score(expected: Mapping[str, Any], predicted: Mapping[str, Any], fields: Iterable[Field]) -> dict[str, FieldCounts]:
    """Count TP/FP/FN per field of one document (pure: no I/O, reusable per template or per model).

    Args:
        expected: the known values, ``{field: value}`` (wrapped ``{"value": v}`` entries are unwrapped).
        predicted: the extracted values, ``{field: value}``.
        fields: the workflow's fields.

    Returns:
        Counts by path: ``"total"`` for a scalar, ``"tags"`` for an array of scalars (elements counted),
        ``"line_items.description"`` for each item field of an array of objects, ``"address.city"`` for the
        properties of an object. Fields missing from ``expected`` are absent.

    >>> fields = [Field(name="total", type="number"), Field(name="number")]
    >>> counts = score({"total": 10.0, "number": "A1"}, {"total": 10.001, "number": "B2"}, fields)
    >>> counts["total"].tp, counts["number"].fp, counts["number"].fn
    (1, 1, 1)
    """
    expected = expected_values(expected)
    counts: dict[str, FieldCounts] = {}
    for f in fields:
        if f.name not in expected:
            continue
        exp, pred = expected[f.name], predicted.get(f.name)
        if f.type == "array":
            if f.item_fields:
                counts.update(_count_items(f.name, _as_list(exp), _as_list(pred), f.item_fields))
            else:
                element_type = f.items.type if f.items is not None else "string"
                counts[f.name] = _count_multiset(_as_list(exp), _as_list(pred), element_type)
        elif f.type == "object":
            sub = score(_as_item(exp), _as_item(pred), f.properties)
            counts.update({f"{f.name}.{key}": value for key, value in sub.items()})
        else:
            counts[f.name] = _count_scalar(exp, pred, f.type)
    return counts


def item_prefixes(fields: Iterable[Field]) -> set[str]:
    """``"name."`` for every array of objects among ``fields``: the prefixes of item-field paths."""
    return {f"{f.name}." for f in fields if f.item_fields}
