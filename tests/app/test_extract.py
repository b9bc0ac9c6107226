"""The Extract page: run a sample, see values; edit a description, re-run, see the change; bad files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.demo import DEMO_WORKFLOW_ID
from tests.app.markdown import shown

APP = Path(__file__).resolve().parents[2] / "app.py"


@pytest.fixture
def at() -> AppTest:
    # The store is a cache_resource: start each test with its own (its FIELDBENCH_HOME is per test).
    st.cache_resource.clear()
    st.cache_data.clear()
    app = AppTest.from_file(str(APP), default_timeout=180)
    app.run()
    app.switch_page("pages/extract.py")
    app.run()
    assert not app.exception
    return app


def _button(app: AppTest, label: str) -> Any:
    [button] = [b for b in app.button if b.label == label]
    return button


def _table(app: AppTest) -> dict[str, dict[str, object]]:
    frame = app.dataframe[0].value
    return {row["field"]: row for row in frame.to_dict("records")}


def test_run_a_sample_and_see_its_values(at: AppTest) -> None:
    assert at.selectbox(key="extract_workflow").value == DEMO_WORKFLOW_ID
    at.selectbox(key="extract_sample").set_value("invoice_en.pdf")
    at.radio(key="extract_engine").set_value("local").run()
    _button(at, "Extract").click().run()
    assert not at.exception and not at.error
    table = _table(at)
    assert table["invoice_number"]["value"] == "NW-2024-0193"
    assert table["total_amount"]["value"] == "5522.4"
    assert 0 < float(table["invoice_number"]["confidence"]) <= 1  # type: ignore[arg-type]
    assert any(b.label == "Download CSV" for b in at.get("download_button"))
    assert at.image  # the page with the selected field's citation


def test_edit_a_description_rerun_and_see_the_change(at: AppTest) -> None:
    at.selectbox(key="extract_sample").set_value("invoice_en.pdf")
    at.radio(key="extract_engine").set_value("local").run()
    _button(at, "Extract").click().run()
    assert _table(at)["invoice_date"]["value"] == "2024-04-08"
    [area] = [t for t in at.text_area if t.key and t.key.endswith(":invoice_date")]
    area.set_value("The payment due date (Due Date), returned as YYYY-MM-DD. Not the invoice date.")
    _button(at, "Re-run with edited descriptions").click().run()
    assert not at.exception and not at.error
    table = _table(at)
    assert table["invoice_date"]["value"] == "2024-05-08"
    assert "2024-04-08" in str(table["invoice_date"]["changed"])
    assert table["invoice_number"]["changed"] == ""
    assert any(i.value == "Since the previous run: 1 value changed (invoice_date)." for i in at.info)
    assert any("workflow v1 (unsaved draft)" in shown(c.value) for c in at.caption)  # not labelled as v1 itself


def test_rerunning_one_document_of_a_batch_keeps_the_others(at: AppTest) -> None:
    docs = APP.parent / "sample_docs"
    at.file_uploader(key="extract_uploads").set_value(
        [(name, (docs / name).read_bytes(), "application/pdf") for name in ("invoice_en.pdf", "rechnung_de.pdf")]
    )
    at.radio(key="extract_engine").set_value("local").run()
    _button(at, "Extract").click().run()
    batch = at.dataframe[0].value
    assert list(batch["document"]) == ["invoice_en.pdf", "rechnung_de.pdf"]
    assert list(batch.columns)[:3] == ["document", "invoice_number", "invoice_date"]
    # Cells under the review threshold (80 %) are marked: the seller of invoice_en.pdf is read at 46 %.
    assert "background-color: rgba(255, 140, 0, 0.25)" in at.dataframe[0].proto.arrow_data.styler.styles
    [area] = [t for t in at.text_area if t.key and t.key.endswith(":invoice_date")]
    area.set_value("The payment due date (Due Date), returned as YYYY-MM-DD. Not the invoice date.")
    _button(at, "Re-run with edited descriptions").click().run()
    assert not at.exception and not at.error
    batch = at.dataframe[0].value
    assert list(batch["document"]) == ["invoice_en.pdf", "rechnung_de.pdf"]  # both still shown
    assert list(batch["invoice_date"])[0] == "2024-05-08"  # the re-run replaced its own row


def test_a_bad_file_shows_an_error_not_a_traceback(at: AppTest) -> None:
    at.file_uploader(key="extract_uploads").set_value(
        ("broken.pdf", b"%PDF-1.7 this is not really a PDF", "application/pdf")
    )
    at.run()
    _button(at, "Extract").click().run()
    assert not at.exception
    assert at.error and shown(at.error[0].value).startswith("broken.pdf: ")


def test_save_edited_descriptions_as_a_new_version(at: AppTest) -> None:
    at.selectbox(key="extract_sample").set_value("rechnung_de.pdf")
    at.radio(key="extract_engine").set_value("local").run()
    _button(at, "Extract").click().run()
    [area] = [t for t in at.text_area if t.key and t.key.endswith(":1:due_date")]
    area.set_value("The payment due date (fällig am, zahlbar bis), as YYYY-MM-DD.").run()
    _button(at, "Save descriptions as a new version").click().run()
    assert not at.exception and not at.error
    assert any("version 2" in s.value for s in at.success)
    # At once, without another run: the picker says v2, the descriptions are v2's, nothing is left to save.
    assert "(v2)" in at.selectbox(key="extract_workflow").format_func(DEMO_WORKFLOW_ID)
    assert any(t.key and t.key.endswith(":2:due_date") and "fällig am" in t.value for t in at.text_area)
    assert _button(at, "Save descriptions as a new version").disabled


def test_several_uploads_one_bad_the_good_one_is_shown(at: AppTest) -> None:
    good = (APP.parent / "sample_docs" / "rechnung_de.pdf").read_bytes()
    at.file_uploader(key="extract_uploads").set_value(
        [
            ("broken.png", b"\x89PNG\r\n\x1a\n broken", "image/png"),
            ("rechnung_de.pdf", good, "application/pdf"),
        ]
    )
    at.radio(key="extract_engine").set_value("local").run()
    _button(at, "Extract").click().run()
    assert not at.exception
    assert len(at.error) == 1 and shown(at.error[0].value).startswith("broken.png: ")
    assert _table(at)["currency"]["value"] == "EUR"


def test_citations_are_drawn_on_the_page_as_the_workflow_read_it(at: AppTest) -> None:
    # The demo workflow crops: the receipt photographed on a table becomes a page of its own, smaller than the
    # photo, and the citations are in that page's points; the viewer shows that page, not the whole photo.
    at.selectbox(key="extract_sample").set_value("receipt_photo.jpg")
    at.radio(key="extract_engine").set_value("local").run()
    _button(at, "Extract").click().run()
    assert not at.exception and not at.error
    at.selectbox(key="extract_field").set_value("invoice_number").run()
    [caption] = at.image[0].captions
    assert caption == "Page 1 of 1 · 224 × 418 pt", caption


def test_engine_choices_say_what_each_would_do(at: AppTest) -> None:
    radio = at.radio(key="extract_engine")
    assert radio.options == ["auto", "local", "llm", "trained"]
    radio.set_value("llm").run()
    assert any("llm is not available: no LLM configured" in shown(w.value) for w in at.warning)
    assert _button(at, "Extract").disabled
