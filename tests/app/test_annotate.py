"""The Annotate page: pre-filled values, a box drawn for a field (supplied through session state as the
canvas returns it), templates, uploads with their report, marking a document annotated."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.testing.v1 import AppTest

from core.annotation.canvas import CANVAS_WIDTH
from core.annotation.uploads import upload_documents, upload_pre_annotated
from core.documents import load_document
from core.store import Store
from tests.invoices import invoice_pdf, invoice_workflow

APP = Path(__file__).resolve().parents[2] / "app.py"


def _app() -> AppTest:
    st.cache_resource.clear()
    st.cache_data.clear()
    app = AppTest.from_file(str(APP), default_timeout=180)
    app.run()
    app.switch_page("pages/annotate.py")
    app.run()
    assert not app.exception
    return app


def _open(store: Store, workflow_name: str = "Invoices") -> tuple[AppTest, Any, Any]:
    workflow = store.workflows.create(invoice_workflow(workflow_name))
    upload_documents(store, workflow, [("inv.pdf", invoice_pdf(number="INV-77", total="24.00"))], template="Acme")
    app = _app()
    app.selectbox(key="annotate_workflow").set_value(workflow.id).run()
    assert not app.exception, app.exception
    (training,) = store.training.list(workflow.id)
    return app, workflow, training


def test_the_page_opens_pre_filled_with_the_engines_values(store: Store) -> None:
    app, _workflow, training = _open(store)
    values = {v.path: v for v in store.training.values(training.id)}
    assert values["invoice_number"].value == "INV-77" and values["invoice_number"].source == "model"
    assert values["invoice_number"].located  # boxed by its citation, drawn on the canvas as a labelled box
    labels = [b.label for b in app.button]
    assert "invoice_number" in labels and "line_items (table)" in labels and "Mark annotated" in labels
    assert any(t.label == "invoice_number" and t.value == "INV-77" for t in app.text_input)


def test_a_box_drawn_for_a_field_stores_the_words_inside_it(store: Store) -> None:
    app, _workflow, training = _open(store)
    [button] = [b for b in app.button if b.label == "total"]
    button.click().run()
    page = load_document(invoice_pdf(number="INV-77", total="24.00")).pages[0]
    word = next(w for w in page.words if w.text == "24.00")
    scale = CANVAS_WIDTH / page.width
    x0, y0, x1, y1 = (c * scale for c in word.bbox)
    drawing = {
        "type": "LabeledRect",
        "label": "total",
        "left": x0 - 3,
        "top": y0 - 3,
        "width": x1 - x0 + 6,
        "height": y1 - y0 + 6,
    }
    key = f"annotate_canvas_{training.id}_1_0"
    app.session_state[key] = {"drawing": {"raw": {"objects": [drawing]}}}
    app.run()
    assert not app.exception, app.exception
    total = {v.path: v for v in store.training.values(training.id)}["total"]
    assert (total.value, total.text, total.source, total.page) == (24.0, "24.00", "drawn", 1)
    assert total.bbox == word.bbox  # kept in page points


def test_marking_a_document_annotated_makes_its_values_checked(store: Store) -> None:
    app, _workflow, training = _open(store)
    [done] = [b for b in app.button if b.label == "Mark annotated"]
    done.click().run()
    assert store.training.get(training.id).status == "annotated"
    assert all(v.source == "verified" for v in store.training.values(training.id))


def test_upload_pre_annotated_documents_and_see_the_report(store: Store, tmp_path: Path) -> None:
    workflow = store.workflows.create(invoice_workflow())
    app = _app()
    app.selectbox(key="annotate_workflow").set_value(workflow.id).run()
    app.toggle(key="training_data_pre").set_value(True).run()
    assert not app.exception
    # AppTest cannot drive a file uploader: the upload runs in core, the page shows the report it left.
    report = upload_pre_annotated(
        store,
        workflow,
        [("a.pdf", invoice_pdf()), ("a.json", json.dumps({"total": {"value": 24.0}}).encode()), ("b.json", b"{}")],
    )
    app.session_state["training_data_report"] = report.model_dump()
    app.run()
    text = " ".join(str(m.value) for m in app.markdown)
    assert "1 accepted (1 annotated), 1 rejected" in text
    frames = [f.value for f in app.dataframe]
    assert any("no matching document" in str(frame.to_dict()) for frame in frames)
