"""Review: processed documents in the order a reviewer should see them; correct, verify, see the
straight-through rate a confidence threshold would give."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.annotation.feedback import submit_feedback
from core.annotation.review import confidences, review_queue, straight_through, threshold_for, typed_corrections, verify
from core.results import citation_boxes, flatten_values
from core.runs import run_spec
from core.schema import Workflow
from core.store import Store
from core.store.reviews import DEFAULT_REVIEW_THRESHOLD
from pages._widgets import get_store, page_viewer, plain, show_errors, stored_document, workflow_picker

STATE = "review"


def _thresholds(store: Store, workflow: Workflow) -> dict[str, float]:
    """The workflow's threshold and per-field overrides, editable."""
    current = store.reviews.thresholds(workflow.id)
    left, right = st.columns(2)
    overall = left.slider(
        "Confidence threshold",
        0.0,
        1.0,
        current.get("", DEFAULT_REVIEW_THRESHOLD),
        0.01,
        help="A value's confidence is the engine's estimate that it is right: values given 0.9 came out right "
        "about nine times in ten (the local engine on its development sets, a trained model out of fold). "
        "Values below the threshold are flagged for review.",
    )
    if overall != current.get(""):
        store.reviews.set_threshold(workflow.id, overall)
        current[""] = overall
    with right.popover("Per-field thresholds"):
        for field in workflow.fields:
            value = st.number_input(
                field.name, 0.0, 1.0, current.get(field.name, overall), 0.01, key=f"{STATE}_t_{field.name}"
            )
            if value != current.get(field.name, overall):
                store.reviews.set_threshold(workflow.id, None if value == overall else value, field.name)
                current[field.name] = value
    return current


def _straight_through(store: Store, workflow: Workflow, threshold: float) -> None:
    rate = straight_through(store, workflow.id, threshold)
    if not rate.verified:
        st.caption("Verify results to see how many would go straight through at this threshold.")
        return
    st.metric(
        f"Straight-through at {threshold:.2f}",
        f"{rate.rate:.0%}",
        help="Verified results with every value at or above the threshold and nothing corrected.",
    )
    st.caption(
        f"{rate.passed} of {rate.verified} verified results would have passed without review; "
        f"{rate.passed_wrong} of those needed a correction (errors that would slip through)."
    )


def _corrections(
    workflow: Workflow, values: dict[str, Any], flags: set[str], conf: dict[str, float | None]
) -> dict[str, Any]:
    """Every value as text, flagged ones first; the ones the reviewer changed, typed by their field."""
    texts = {}
    for path in sorted(values, key=lambda p: (p not in flags, p)):
        confidence = conf.get(path)
        shown = "no confidence" if confidence is None else f"{confidence:.2f}"
        label = f"{':material/flag: ' if path in flags else ''}{plain(path)} ({shown})"
        texts[path] = st.text_input(label, "" if values[path] is None else str(values[path]), key=f"{STATE}_c_{path}")
    return typed_corrections(workflow, texts, values)


def _feedback_form(store: Store, processing_id: str, tag: str) -> None:
    """Feedback without verifying: what was wrong, in words; the document joins the training data to annotate."""
    with st.popover("Feedback without verifying"):
        description = st.text_area("What was wrong", key=f"{STATE}_description")
        if st.button("Send feedback", key=f"{STATE}_feedback", disabled=not description.strip()):
            with show_errors():
                submit_feedback(store, processing_id, description=description, tag=tag or None)
                st.success("Stored; the document is in the training data, to annotate.")


st.title("Review")
st.caption(
    "Every processed document of a workflow, templates with few annotated documents first, then the lowest "
    "confidence. Values under the threshold are flagged. Correcting a value is feedback; verifying makes the "
    "result training data."
)
store = get_store()
workflow = workflow_picker(store, f"{STATE}_workflow")
if workflow is not None:
    thresholds = _thresholds(store, workflow)
    _straight_through(store, workflow, thresholds[""])
    queue = review_queue(store, workflow.id)
    if not queue:
        st.info("Nothing to review: every processed document of this workflow is verified (or none was processed).")
    else:
        labels = {
            item.processing_id: f"{item.document_name} · {len(item.flagged)} flagged"
            + (f" · {item.template}" if item.template else "")
            for item in queue
        }
        chosen = st.selectbox("Document", list(labels), format_func=labels.__getitem__, key=f"{STATE}_item")
        item = next(i for i in queue if i.processing_id == chosen)
        run = store.runs.get(item.processing_id)
        result = run.result
        if result is not None:
            values = flatten_values(result)
            conf = confidences(result)
            flags = set(item.flagged)
            left, right = st.columns([1, 2])
            with left:
                changes = _corrections(workflow, values, flags, conf)
                tag = st.text_input("Template (tag)", item.template or "", key=f"{STATE}_tag")
                if st.button("Verify", type="primary", shortcut="ctrl+enter", key=f"{STATE}_verify"):
                    with show_errors():
                        verify(store, item.processing_id, corrections=changes, tag=tag or None)
                        st.success("Verified: the result is training data now.")
                        st.rerun()
                _feedback_form(store, item.processing_id, tag)
            with right, show_errors():
                # The run's own workflow version read the document: its citations are in those pages' points.
                document = stored_document(run.document_id, run_spec(store, run.workflow_id, run.workflow_version))
                focus = next(iter(sorted(flags)), next(iter(values), ""))
                page, boxes = citation_boxes(result, focus)
                st.caption(plain(f"{focus}: threshold {threshold_for(focus, thresholds):.2f}"))
                page_viewer(document, key=f"{STATE}_viewer", boxes={page: boxes}, page=page)
