"""Comparing results: what changed between two runs of a document (values and confidence), a result beside the
run before it, and a batch of results side by side (one row per document, one column per field)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, Field

from core.results import ExtractionResult, confidence_of, field_rows, flatten_values

__all__ = [
    "CONFIDENCE_CHANGE",
    "COMPARISON_COLUMNS",
    "FieldChange",
    "BatchTable",
    "diff",
    "change_summary",
    "comparison_rows",
    "batch_table",
]

CONFIDENCE_CHANGE = 0.01
"""The smallest change of confidence that counts: the app shows confidences in whole percent, so a smaller change
would be listed as changed while both sides read the same."""
COMPARISON_COLUMNS: tuple[str, ...] = ("field", "value", "confidence", "page", "changed")


def _values_differ(before: Any, after: Any) -> bool:
    # True == 1 in Python; a boolean that became a number (or back) is a change of value all the same.
    return before != after or isinstance(before, bool) != isinstance(after, bool)


def _percent(confidence: float | None) -> str:
    return "none" if confidence is None else f"{confidence:.0%}"


class FieldChange(BaseModel):
    """How one value path differs between a run and the run before it: its value, its confidence, or both."""

    path: str = Field(description="The value path, e.g. total or line_items[0].description.")
    before: Any = Field(default=None, description="The value in the earlier run (None: absent).")
    after: Any = Field(default=None, description="The value in the later run (None: absent).")
    confidence_before: float | None = None
    confidence_after: float | None = None

    @property
    def value_changed(self) -> bool:
        """Whether the value itself differs."""
        return _values_differ(self.before, self.after)

    @property
    def confidence_changed(self) -> bool:
        """Whether the confidence moved by at least ``CONFIDENCE_CHANGE`` (or appeared or went away)."""
        a, b = self.confidence_before, self.confidence_after
        if a is None or b is None:
            return (a is None) != (b is None)
        return round(abs(a - b), 6) >= CONFIDENCE_CHANGE

    def describe(self) -> str:
        """``3.5 → 4.0``, ``confidence 62% → 91%``, or both joined by ``; ``.

        >>> FieldChange(path="total", before=3.5, after=4.0, confidence_before=0.62, confidence_after=0.91).describe()
        '3.5 → 4.0; confidence 62% → 91%'
        """
        parts = []
        if self.value_changed:
            parts.append(f"{self.before!r} → {self.after!r}")
        if self.confidence_changed:
            parts.append(f"confidence {_percent(self.confidence_before)} → {_percent(self.confidence_after)}")
        return "; ".join(parts)


def diff(previous: ExtractionResult | None, current: ExtractionResult) -> dict[str, FieldChange]:
    """What changed since the previous run, by path: values, and confidences by ``CONFIDENCE_CHANGE`` or more.

    A path present in only one of the two counts as changed (``None`` on the other side). Empty without a
    previous run.

    >>> from core.results import Extraction
    >>> a = ExtractionResult(workflow_id="w", workflow_name="W", engine="local", extractions={
    ...     "total": Extraction(value=3.5, confidence=0.9), "date": Extraction(value="2024-01-02", confidence=0.5)})
    >>> b = a.model_copy(update={"extractions": {"total": Extraction(value=4.0, confidence=0.9),
    ...     "date": Extraction(value="2024-01-02", confidence=0.8)}})
    >>> {path: change.describe() for path, change in diff(a, b).items()}
    {'total': '3.5 → 4.0', 'date': 'confidence 50% → 80%'}
    """
    if previous is None:
        return {}
    old, new = flatten_values(previous), flatten_values(current)
    changes: dict[str, FieldChange] = {}
    for path in [*new, *(p for p in old if p not in new)]:
        change = FieldChange(
            path=path,
            before=old.get(path),
            after=new.get(path),
            confidence_before=confidence_of(previous, path) if path in old else None,
            confidence_after=confidence_of(current, path) if path in new else None,
        )
        if change.value_changed or change.confidence_changed:
            changes[path] = change
    return changes


def change_summary(changes: Mapping[str, FieldChange]) -> str:
    """One line on what changed: ``2 values changed (total, date); 1 confidence changed (name).``

    >>> change_summary({"total": FieldChange(path="total", before=1, after=2)})
    '1 value changed (total).'
    """
    values = [p for p, c in changes.items() if c.value_changed]
    confidences = [p for p, c in changes.items() if c.confidence_changed and not c.value_changed]
    parts = []
    if values:
        parts.append(f"{len(values)} value{'s' if len(values) > 1 else ''} changed ({', '.join(values)})")
    if confidences:
        noun = "confidences" if len(confidences) > 1 else "confidence"
        parts.append(f"{len(confidences)} {noun} changed ({', '.join(confidences)})")
    return ("; ".join(parts) + ".") if parts else "Nothing changed."


def comparison_rows(result: ExtractionResult, changes: Mapping[str, FieldChange]) -> list[dict[str, Any]]:
    """One row per field path to show a result beside the run before it: field, value as text, confidence,
    page, and what changed (``changes`` as ``diff`` gives them; value and confidence).

    >>> from core.results import Extraction
    >>> r = ExtractionResult(workflow_id="w", workflow_name="W", engine="local",
    ...     extractions={"total": Extraction(value=4.0, confidence=0.9), "note": Extraction(value=None)})
    >>> changes = {"total": FieldChange(path="total", before=3.5, after=4.0, confidence_before=0.9,
    ...     confidence_after=0.9)}
    >>> [(row["field"], row["value"], row["changed"]) for row in comparison_rows(r, changes)]
    [('total', '4.0', '3.5 → 4.0'), ('note', '', '')]
    """
    rows: list[dict[str, Any]] = []
    for row in field_rows(result):
        change = changes.get(row["field"])
        rows.append(
            {
                "field": row["field"],
                "value": "" if row["value"] is None else str(row["value"]),
                "confidence": row["confidence"],
                "page": row["page"],
                "changed": change.describe() if change else "",
            }
        )
    return rows


class BatchTable(BaseModel):
    """Results across a batch: one row per document, one column per top-level field, values as text."""

    columns: list[str] = Field(description="'document', then the fields in the workflow's order.")
    rows: list[dict[str, str]] = Field(default_factory=list, description="One per result, values as text.")
    low: list[list[str]] = Field(
        default_factory=list, description="Per row, the fields with a value under its confidence threshold."
    )
    processing_ids: list[str] = Field(default_factory=list, description="The run of each row.")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return f"{len(value)} rows"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def batch_table(
    results: Sequence[ExtractionResult], fields: Sequence[str], threshold: Callable[[str], float]
) -> BatchTable:
    """The batch as one table; a field is low where any of its values is under ``threshold(path)``.

    Args:
        results: one per document.
        fields: the top-level field names, in the order to show (fields a result lacks are empty cells).
        threshold: the confidence threshold of a value path (a value without a confidence is not marked).

    >>> from core.results import Extraction
    >>> r = ExtractionResult(workflow_id="w", workflow_name="W", engine="local", document_name="a.pdf",
    ...     extractions={"total": Extraction(value=4.0, confidence=0.5), "date": Extraction(value="2024-01-02",
    ...     confidence=0.9)})
    >>> table = batch_table([r], ["date", "total"], lambda path: 0.8)
    >>> table.rows, table.low
    ([{'document': 'a.pdf', 'date': '2024-01-02', 'total': '4.0'}], [['total']])
    """
    table = BatchTable(columns=["document", *fields])
    for result in results:
        values = flatten_values(result)
        low = []
        for name in fields:
            paths = [p for p in values if p == name or p.startswith((f"{name}.", f"{name}["))]
            scores = [(p, confidence_of(result, p)) for p in paths if values[p] not in (None, "")]
            if any(c is not None and c < threshold(p) for p, c in scores):
                low.append(name)
        row = {"document": result.document_name or result.document_id}
        row.update({name: _cell(e.value) if (e := result.extractions.get(name)) else "" for name in fields})
        table.rows.append(row)
        table.low.append(low)
        table.processing_ids.append(result.processing_id)
    return table
