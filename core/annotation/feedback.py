"""Feedback on a processing result, as the reference products take it: a description, a tag, expected values.

With expected values (``{field: {"value": ...}}``, checked against the workflow's fields: a wrong name or type
rejects the whole feedback with the reason), the diff against the result is stored for review and the
document becomes annotated training data, its values located on the page. Without them the document joins
the training data unannotated (an annotated one keeps its values). A tag puts the document under the
template of that name, made when missing. Feedback never retrains: it is used by the next training run.
"""

from __future__ import annotations

from typing import Any

from core.annotation.expected import parse_expected
from core.annotation.values import from_expected
from core.errors import FieldbenchError
from core.evaluation import values_match
from core.results import ExtractionResult, flatten
from core.schema import Workflow, field_at
from core.store import Store
from core.store.feedback import FeedbackRecord, FieldDiff

__all__ = ["value_diff", "submit_feedback"]


def value_diff(workflow: Workflow, expected: dict[str, Any], result: ExtractionResult) -> list[FieldDiff]:
    """Expected against extracted, per value path of the fields the expected values name.

    A path matches when the extracted value counts as the expected one by the scoring rules.
    """
    extracted = flatten({name: result.extractions[name].value for name in expected if name in result.extractions})
    wanted = flatten(expected)
    diffs: list[FieldDiff] = []
    for path in list(wanted) + [p for p in extracted if p not in wanted]:
        field = field_at(workflow.fields, path)
        kind = field.type if field is not None else "string"
        exp, got = wanted.get(path), extracted.get(path)
        same = (exp is None and got is None) or (exp is not None and got is not None and values_match(exp, got, kind))
        diffs.append(FieldDiff(path=path, expected=exp, extracted=got, match=same))
    return diffs


def submit_feedback(
    store: Store,
    processing_id: str,
    *,
    description: str = "",
    tag: str | None = None,
    expected: Any = None,
) -> FeedbackRecord:
    """Store feedback on a run and add its document to the workflow's training data.

    Args:
        store: the store with the run.
        processing_id: the run's ``processing_id``.
        description: what was wrong, in the user's words.
        tag: a template name; the document goes under it (made when missing).
        expected: ``{field: {"value": ...}}``, the values the result should have had; None for none.

    Returns:
        The stored feedback with its diff and the training document it made.

    Raises:
        NotFoundError: no such run, or its workflow was deleted.
        AnnotationError: an expected field is not the workflow's, or a value has the wrong type.
        FieldbenchError: the run failed before its document was read (nothing to learn from).
    """
    run = store.runs.get(processing_id)
    workflow = store.workflows.get(run.workflow_id)
    values = parse_expected(expected, workflow.fields) if expected is not None else None
    result = run.result
    if not run.document_id or result is None:
        raise FieldbenchError(
            f"run {processing_id!r} failed before its document was read; there is nothing to give feedback on",
            hint="Process the document again, then give feedback on the new run.",
        )
    template_id = store.templates.ensure(workflow.id, tag).id if tag and tag.strip() else None
    annotated = None
    if values is not None:
        document = store.documents.load(run.document_id, spec=workflow.spec)
        annotated = from_expected(document, workflow, values, source="feedback", workflow_version=workflow.version)
    record = store.training.add(
        workflow.id,
        run.document_id,
        run.document_name or run.document_id[:12],
        template_id=template_id,
        source="feedback",
        workflow_version=workflow.version,
        values=annotated,
        processing_id=processing_id,
    )
    return store.feedback.add(
        FeedbackRecord(
            processing_id=processing_id,
            workflow_id=workflow.id,
            workflow_version=workflow.version,
            description=description.strip(),
            tag=tag.strip() if tag and tag.strip() else None,
            template_id=template_id,
            expected=values,
            diff=value_diff(workflow, values, result) if values is not None else None,
            training_document_id=record.id,
        )
    )
