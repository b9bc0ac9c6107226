"""The Review page: the queue, flagged values, a correction then verification, the straight-through rate."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from core.pipeline import process
from core.store import Store
from tests.invoices import invoice_pdf, invoice_workflow

APP = Path(__file__).resolve().parents[2] / "app.py"


def _app(workflow_id: str) -> AppTest:
    st.cache_resource.clear()
    st.cache_data.clear()
    app = AppTest.from_file(str(APP), default_timeout=180)
    app.run()
    app.switch_page("pages/review.py")
    app.run()
    app.selectbox(key="review_workflow").set_value(workflow_id).run()
    assert not app.exception, app.exception
    return app


def test_correct_a_value_verify_and_see_the_straight_through_rate(store: Store) -> None:
    workflow = store.workflows.create(invoice_workflow())
    first = process(store, invoice_pdf(number="A-1"), workflow, engine="local", source="test", name="a.pdf")
    process(store, invoice_pdf(number="A-2"), workflow, engine="local", source="test", name="b.pdf")
    app = _app(workflow.id)
    assert len(app.selectbox(key="review_item").options) == 2
    assert app.image  # the page with the first flagged value's citation
    app.selectbox(key="review_item").set_value(first.processing_id).run()
    app.text_input(key="review_c_total").set_value("99,00").run()
    [verify] = [b for b in app.button if b.label == "Verify"]
    verify.click().run()
    assert not app.exception, app.exception
    review = store.reviews.get(first.processing_id)
    assert review is not None and review.corrected["total"] and review.values["total"] == 99.0
    assert len(app.selectbox(key="review_item").options) == 1  # the verified one left the queue
    assert any("Straight-through" in m.label for m in app.metric)
    (feedback,) = store.feedback.list(workflow.id)
    assert [d.path for d in feedback.mismatches] == ["total"]


def test_thresholds_are_kept_per_workflow(store: Store) -> None:
    workflow = store.workflows.create(invoice_workflow())
    process(store, invoice_pdf(), workflow, engine="local", source="test", name="a.pdf")
    app = _app(workflow.id)
    app.slider[0].set_value(0.95).run()
    assert store.reviews.thresholds(workflow.id)[""] == 0.95


def test_feedback_without_verifying_adds_the_document_to_annotate(store: Store) -> None:
    workflow = store.workflows.create(invoice_workflow())
    result = process(store, invoice_pdf(), workflow, engine="local", source="test", name="a.pdf")
    app = _app(workflow.id)
    app.text_input(key="review_tag").set_value("Acme").run()
    app.text_area(key="review_description").set_value("the seller is wrong").run()
    [send] = [b for b in app.button if b.label == "Send feedback"]
    send.click().run()
    assert not app.exception, app.exception
    (feedback,) = store.feedback.list(processing_id=result.processing_id)
    assert feedback.description == "the seller is wrong" and feedback.tag == "Acme"
    assert store.training.list(workflow.id)[0].status == "needs_annotation"
    assert store.reviews.get(result.processing_id) is None  # not verified
