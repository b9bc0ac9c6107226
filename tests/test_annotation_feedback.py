"""Feedback (validation, diff, tag to template) and review (flags, queue order, verification, straight-through)."""

from __future__ import annotations

import pytest

from core.annotation.feedback import submit_feedback
from core.annotation.review import flagged_paths, review_queue, straight_through, threshold_for, verify
from core.errors import AnnotationError, NotFoundError
from core.pipeline import process
from core.results import ExtractionResult
from core.schema import Workflow
from core.store import Store
from tests.invoices import invoice_pdf, invoice_workflow


@pytest.fixture
def workflow(store: Store) -> Workflow:
    return store.workflows.create(invoice_workflow())


def _run(store: Store, workflow: Workflow, **kwargs: str) -> ExtractionResult:
    return process(store, invoice_pdf(**kwargs), workflow, engine="local", source="test", name=f"{kwargs}.pdf")


def test_feedback_with_expected_values_stores_the_diff_and_annotates_the_document(
    store: Store, workflow: Workflow
) -> None:
    result = _run(store, workflow, number="INV-42", total="24.00")
    extracted = result.values()
    feedback = submit_feedback(
        store,
        result.processing_id,
        description="the total was wrong",
        tag="Acme Corp",
        expected={"invoice_number": {"value": extracted["invoice_number"]}, "total": {"value": 25.0}},
    )
    diff = {d.path: d for d in feedback.diff or []}
    assert diff["invoice_number"].match and not diff["total"].match
    assert diff["total"].expected == 25.0 and diff["total"].extracted == extracted["total"]
    assert [d.path for d in feedback.mismatches] == ["total"]
    (template,) = store.templates.list(workflow.id)
    assert template.name == "Acme Corp" and feedback.template_id == template.id
    training = store.training.get(feedback.training_document_id or "")
    assert training.status == "annotated" and training.source == "feedback" and training.template_id == template.id
    values = {v.path: v for v in store.training.values(training.id)}
    assert values["total"].value == 25.0 and values["total"].source == "feedback"
    assert values["invoice_number"].located  # located on the page: it is printed
    assert not values["total"].located  # 25.00 is not printed anywhere
    assert store.feedback.list(processing_id=result.processing_id)[0].description == "the total was wrong"


def test_feedback_without_values_adds_the_document_unannotated(store: Store, workflow: Workflow) -> None:
    result = _run(store, workflow)
    feedback = submit_feedback(store, result.processing_id, description="vendor layout changed", tag="Acme")
    assert feedback.expected is None and feedback.diff is None
    assert store.training.get(feedback.training_document_id or "").status == "needs_annotation"
    again = submit_feedback(store, result.processing_id, tag="Acme")  # the same tag: the same template
    assert again.template_id == feedback.template_id and len(store.templates.list(workflow.id)) == 1


def test_feedback_with_wrong_names_or_types_is_rejected_and_stores_nothing(store: Store, workflow: Workflow) -> None:
    result = _run(store, workflow)
    with pytest.raises(AnnotationError) as caught:
        submit_feedback(store, result.processing_id, expected={"totl": {"value": 1}, "total": {"value": "x"}})
    assert [p.path for p in caught.value.problems] == ["totl", "total"]
    assert store.feedback.list(workflow.id) == [] and store.training.list(workflow.id) == []
    with pytest.raises(NotFoundError):
        submit_feedback(store, "no-such-run")


def test_flags_follow_the_workflow_and_field_thresholds() -> None:
    assert threshold_for("line_items[3].amount", {"": 0.8, "line_items": 0.5}) == 0.5
    result = ExtractionResult.model_validate(
        {
            "workflow_id": "w",
            "workflow_name": "W",
            "engine": "local",
            "extractions": {
                "total": {"value": 3.0, "confidence": 0.85},
                "seller": {"value": "Acme", "confidence": 0.95},
                "invoice_number": {"value": "A1", "confidence": None},
                "invoice_date": {"value": None, "confidence": 0.1},
            },
        }
    )
    assert flagged_paths(result, {"": 0.8}) == ["invoice_number"]  # no confidence: always looked at
    assert flagged_paths(result, {"": 0.8, "total": 0.9}) == ["total", "invoice_number"]


def test_the_queue_shows_templates_with_few_annotations_first_then_low_confidence(
    store: Store, workflow: Workflow
) -> None:
    well_known = _run(store, workflow, number="A-1")
    newcomer = _run(store, workflow, number="B-1")
    verify(store, well_known.processing_id, tag="Known vendor")  # this template now has an annotated document
    other = _run(store, workflow, number="A-2", total="25.00")
    submit_feedback(store, other.processing_id, tag="Known vendor")
    queue = review_queue(store, workflow.id)
    ids = [item.processing_id for item in queue]
    assert well_known.processing_id not in ids  # verified: out of the queue
    assert ids.index(newcomer.processing_id) < ids.index(other.processing_id)
    assert queue[ids.index(other.processing_id)].template == "Known vendor"
    assert queue[ids.index(other.processing_id)].template_annotated == 1


def test_verification_with_a_correction_is_feedback_and_training_data(store: Store, workflow: Workflow) -> None:
    result = _run(store, workflow, total="24.00")
    record = verify(store, result.processing_id, corrections={"total": 99.0})
    assert record.corrected["total"] and not record.corrected["invoice_number"]
    assert store.reviews.get(result.processing_id) is not None
    (feedback,) = store.feedback.list(workflow.id)
    assert [d.path for d in feedback.mismatches] == ["total"]
    (training,) = store.training.list(workflow.id)
    assert training.status == "annotated"
    assert {v.path: v.value for v in store.training.values(training.id)}["total"] == 99.0
    with pytest.raises(AnnotationError):
        verify(store, result.processing_id, corrections={"total": "ninety"})


def test_straight_through_rate_at_a_threshold(store: Store, workflow: Workflow) -> None:
    right = _run(store, workflow, number="A-1")
    wrong = _run(store, workflow, number="A-2")
    verify(store, right.processing_id)
    verify(store, wrong.processing_id, corrections={"invoice_number": "A-3"})
    lowest = min(c for r in store.reviews.list(workflow.id) for c in r.confidences.values() if c is not None)
    open_gate = straight_through(store, workflow.id, 0.0)
    assert (open_gate.verified, open_gate.passed, open_gate.passed_correct, open_gate.passed_wrong) == (2, 2, 1, 1)
    assert open_gate.rate == 0.5
    closed = straight_through(store, workflow.id, min(1.0, lowest + 1e-6))
    assert closed.passed == 0 and closed.rate == 0.0
