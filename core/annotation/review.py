"""Human-in-the-loop review: flag values under a confidence threshold, order what a reviewer sees first,
verify results (correcting a value is feedback; a verified result becomes training data), and the
straight-through rate the chosen threshold would give on the verified results.

Thresholds: the workflow's (default 0.8) and per-field overrides, by field name or item field path
(``line_items.quantity``). A value with no confidence is always flagged: nothing vouches for it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from core.annotation.feedback import submit_feedback
from core.annotation.values import from_result
from core.errors import FieldbenchError
from core.evaluation import values_match
from core.normalize import parse_typed
from core.results import ExtractionResult, flatten_values, nest
from core.schema import Workflow, field_at, split_path
from core.store import Store
from core.store.reviews import ReviewRecord
from core.store.runs import RunRecord

__all__ = [
    "threshold_for",
    "flagged_paths",
    "confidences",
    "ReviewItem",
    "review_queue",
    "verify",
    "StraightThrough",
    "straight_through",
    "typed_corrections",
]


def _field_key(path: str) -> str:
    """``line_items[0].quantity`` → ``line_items.quantity``: the path without list indexes."""
    return ".".join(str(step) for step in split_path(path) if not isinstance(step, int))


def threshold_for(path: str, thresholds: dict[str, float]) -> float:
    """The threshold of a value path: its field path's override, its top-level field's, else the workflow's.

    >>> threshold_for("line_items[2].quantity", {"": 0.8, "line_items.quantity": 0.95})
    0.95
    >>> threshold_for("total", {"": 0.8})
    0.8
    """
    key = _field_key(path)
    for candidate in (key, key.split(".", 1)[0]):
        if candidate in thresholds:
            return thresholds[candidate]
    return thresholds.get("", 0.8)


def confidences(result: ExtractionResult) -> dict[str, float | None]:
    """The confidence of every non-empty value path (its metadata's, else its field's)."""
    out: dict[str, float | None] = {}
    for path, value in flatten_values(result).items():
        if value in (None, "", []):
            continue
        meta = result.metadata.get(path)
        confidence = meta.confidence if meta is not None and meta.confidence is not None else None
        if confidence is None:
            top = result.extractions.get(str(split_path(path)[0]))
            confidence = top.confidence if top is not None else None
        out[path] = confidence
    return out


def flagged_paths(result: ExtractionResult, thresholds: dict[str, float]) -> list[str]:
    """The non-empty values a reviewer should look at: under their threshold, or without a confidence."""
    return [
        path
        for path, confidence in confidences(result).items()
        if confidence is None or confidence < threshold_for(path, thresholds)
    ]


class ReviewItem(BaseModel):
    """One processed document in the review queue."""

    processing_id: str
    document_id: str
    document_name: str
    created_at: datetime
    engine: str
    template: str | None = Field(default=None, description="The document's template in the training data.")
    template_annotated: int = Field(description="Annotated documents of that template (or without one).")
    flagged: list[str] = Field(description="Value paths under their threshold.")
    lowest_confidence: float | None = Field(description="The lowest confidence of its values.")
    verified: bool = False


def _template_counts(store: Store, workflow_id: str) -> tuple[dict[str, str | None], dict[str | None, int]]:
    """Per stored document its template id, and annotated documents per template id (None: no template)."""
    template_of: dict[str, str | None] = {}
    annotated: dict[str | None, int] = {}
    for doc in store.training.list(workflow_id):
        template_of[doc.document_id] = doc.template_id
        if doc.status == "annotated":
            annotated[doc.template_id] = annotated.get(doc.template_id, 0) + 1
    return template_of, annotated


def review_queue(
    store: Store, workflow_id: str, *, include_verified: bool = False, limit: int = 500
) -> list[ReviewItem]:
    """The workflow's processed documents, latest run each, in the order a reviewer should see them.

    First the documents of templates with the fewest annotated documents (where a correction teaches the
    most), then those with the lowest confidence; verified ones last (or left out).
    """
    thresholds = store.reviews.thresholds(workflow_id)
    verified = store.reviews.verified_ids(workflow_id)
    names = {t.id: t.name for t in store.templates.list(workflow_id)}
    template_of, annotated = _template_counts(store, workflow_id)
    latest: dict[str, RunRecord] = {}
    for run in store.runs.list(workflow_id=workflow_id, status="ok", limit=limit):
        latest.setdefault(run.document_id, run)
    items: list[ReviewItem] = []
    for run in latest.values():
        result = run.result
        if result is None or (run.id in verified and not include_verified):
            continue
        known = [c for c in confidences(result).values() if c is not None]
        template_id = template_of.get(run.document_id)
        items.append(
            ReviewItem(
                processing_id=run.id,
                document_id=run.document_id,
                document_name=run.document_name,
                created_at=run.created_at,
                engine=run.engine,
                template=names.get(template_id) if template_id else None,
                template_annotated=annotated.get(template_id, 0),
                flagged=flagged_paths(result, thresholds),
                lowest_confidence=min(known) if known else None,
                verified=run.id in verified,
            )
        )
    items.sort(key=lambda i: (i.verified, i.template_annotated, i.lowest_confidence or 0.0, i.document_name))
    return items


def verify(
    store: Store, processing_id: str, *, corrections: dict[str, Any] | None = None, tag: str | None = None
) -> ReviewRecord:
    """Mark a result as checked: it becomes annotated training data; corrected values are feedback.

    Args:
        store: the store with the run.
        processing_id: the run.
        corrections: value paths the reviewer changed, ``{"total": 12.5, "line_items[0].quantity": 3}``
            (typed as the field); None or empty when every value was right.
        tag: a template for the document (made when missing).

    Raises:
        NotFoundError: no such run.
        AnnotationError: a corrected value does not fit its field.
        FieldbenchError: the run has no result to verify.
    """
    run = store.runs.get(processing_id)
    result = run.result
    if result is None:
        raise FieldbenchError(f"run {processing_id!r} failed; there is no result to verify")
    corrections = dict(corrections or {})
    values = flatten_values(result)
    unknown = [path for path in corrections if path not in values and split_path(path)[0] not in result.extractions]
    if unknown:
        raise FieldbenchError(f"not a value of this result: {', '.join(unknown)}")
    if corrections:
        checked = nest({**values, **corrections})
        # The fields of the workflow as it is now (a result of an older version may name a removed field).
        current = {f.name for f in store.workflows.get(run.workflow_id).fields}
        expected = {name: {"value": checked.get(name)} for name in result.extractions if name in current}
        submit_feedback(store, processing_id, description="corrected in review", tag=tag, expected=expected)
    else:
        _as_training_data(store, run, result, tag)
    record = ReviewRecord(
        processing_id=processing_id,
        workflow_id=run.workflow_id,
        values=nest({**values, **corrections}),
        confidences=confidences(result),
        corrected={
            path: path in corrections and corrections[path] != values.get(path) for path in {**values, **corrections}
        },
    )
    return store.reviews.verify(record)


def _as_training_data(store: Store, run: RunRecord, result: ExtractionResult, tag: str | None) -> None:
    workflow = store.workflows.get(run.workflow_id)
    template_id = store.templates.ensure(workflow.id, tag).id if tag and tag.strip() else None
    store.training.add(
        workflow.id,
        run.document_id,
        run.document_name,
        template_id=template_id,
        source="review",
        workflow_version=workflow.version,
        values=from_result(result, source="verified"),
        processing_id=run.id,
    )


class StraightThrough(BaseModel):
    """What a threshold would have done on the verified results."""

    threshold: float
    verified: int = Field(description="Verified results considered.")
    passed: int = Field(description="Results with no value under the threshold: no human would have seen them.")
    passed_correct: int = Field(description="Of those, the ones the reviewer did not have to correct.")
    passed_wrong: int = Field(description="Of those, the ones with a corrected value: errors that would slip through.")

    @property
    def rate(self) -> float:
        """Straight-through rate: verified results that would have gone through with no correction needed."""
        return self.passed_correct / self.verified if self.verified else 0.0


def straight_through(store: Store, workflow_id: str, threshold: float) -> StraightThrough:
    """The straight-through rate at ``threshold`` (one threshold for every field) on the verified results."""
    reviews = store.reviews.list(workflow_id)
    passed = correct = 0
    for review in reviews:
        if all(c is not None and c >= threshold for c in review.confidences.values()):
            passed += 1
            correct += not any(review.corrected.values())
    return StraightThrough(
        threshold=threshold, verified=len(reviews), passed=passed, passed_correct=correct, passed_wrong=passed - correct
    )


def typed_corrections(workflow: Workflow, texts: dict[str, str], values: dict[str, Any]) -> dict[str, Any]:
    """The values a reviewer changed, typed: ``texts`` are the edited cells by path, ``values`` the result's.

    A text that parses in its field's type gives that value; one that does not is kept as typed (the
    verification then says what is wrong with it); an emptied cell is None.

    >>> from core.schema import Field
    >>> wf = Workflow(name="w", fields=[Field(name="total", type="number"), Field(name="no")])
    >>> typed_corrections(wf, {"total": "12,50", "no": "A1"}, {"total": 12.5, "no": "A2"})
    {'no': 'A1'}
    """
    changes: dict[str, Any] = {}
    for path, text in texts.items():
        field = field_at(workflow.fields, path)
        parsed = parse_typed(text, field.type, field.values) if field is not None else text.strip()
        value = parsed if parsed is not None else (text.strip() or None)
        before = values.get(path)
        if value != before and not (
            field is not None and value is not None and before is not None and values_match(before, value, field.type)
        ):
            changes[path] = value
    return changes
