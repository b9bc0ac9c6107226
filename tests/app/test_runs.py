"""The Runs page: every run findable by filters, opened beside its page, re-processed with the diff, exported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.pipeline import process
from core.schema import Field, Workflow
from core.store import Store
from core.store.runs import RunRecord
from tests.app.markdown import shown

APP = str(Path(__file__).resolve().parents[2] / "app.py")
ISSUED = Field(name="date", type="date", description="The date the invoice was issued (Invoice Date).")
DUE = "The payment due date (Due Date), not the invoice date."


@pytest.fixture
def workflow(sample_docs: Path) -> Workflow:
    store = Store.open()
    workflow = store.workflows.create(Workflow(name="Dates", fields=[ISSUED]))
    process(store, sample_docs / "invoice_en.pdf", workflow, engine="local", source="cli")
    process(store, sample_docs / "rechnung_de.pdf", workflow, engine="local", source="notebook")
    store.runs.add(
        RunRecord(
            id="failed",
            workflow_id=workflow.id,
            workflow_name="Dates",
            source="api",
            status="error",
            error="scan.png: the file is empty.",
        )
    )
    store.close()
    return workflow


def _open() -> AppTest:
    st.cache_resource.clear()
    st.cache_data.clear()
    app = AppTest.from_file(APP, default_timeout=180)
    app.run()
    app.switch_page("pages/runs.py")
    app.run()
    assert not app.exception
    return app


def _listed(app: AppTest) -> list[dict[str, Any]]:
    return app.dataframe[0].value.to_dict("records")  # type: ignore[no-any-return]


def test_every_run_is_listed_and_filtered(workflow: Workflow) -> None:
    app = _open()
    assert sorted(r["source"] for r in _listed(app)) == ["api", "cli", "notebook"]
    app.selectbox(key="runs_status").set_value("error").run()
    assert [r["processing_id"] for r in _listed(app)] == ["failed"]
    app.selectbox(key="runs_status").set_value(None)
    app.selectbox(key="runs_source").set_value("cli").run()
    assert [r["document"] for r in _listed(app)] == ["invoice_en.pdf"]
    app.selectbox(key="runs_engine").set_value("llm").run()
    assert any("No runs match" in i.value for i in app.info)


def test_the_selection_is_exported_as_json_and_csv(workflow: Workflow) -> None:
    app = _open()
    app.selectbox(key="runs_status").set_value("ok").run()
    buttons = {b.proto.label: b.proto for b in app.get("download_button")}
    assert {"Download the selection as JSON", "Download the selection as CSV"} <= set(buttons)
    # The exports themselves are core's (tests/test_runs.py); here: the page offers the filtered runs.
    assert len(_listed(app)) == 2


def test_open_a_run_beside_its_page_and_reprocess_it_on_the_current_version(workflow: Workflow) -> None:
    app = _open()
    [english] = [r["processing_id"] for r in _listed(app) if r["document"] == "invoice_en.pdf"]
    app.selectbox(key="runs_open").set_value(english).run()
    assert not app.exception and not app.error
    values = {row["field"]: row["value"] for row in app.dataframe[1].value.to_dict("records")}
    assert values == {"date": "2024-04-08"}
    assert app.image  # its page with the citation

    store = Store.open()
    store.workflows.save(workflow.model_copy(update={"fields": [ISSUED.model_copy(update={"description": DUE})]}))
    store.close()
    [button] = [b for b in app.button if b.label == "Re-process on the current version"]
    button.click().run()
    assert not app.exception and not app.error
    assert any(s.value == "Re-processed on v2" for s in app.subheader)
    assert any(shown(i.value) == "Since the previous run: 1 value changed (date)." for i in app.info)
    again = {row["field"]: row for row in app.dataframe[2].value.to_dict("records")}
    assert again["date"]["value"] == "2024-05-08" and "2024-04-08" in again["date"]["changed"]


def test_a_failed_run_opens_with_its_error(workflow: Workflow) -> None:
    app = _open()
    app.selectbox(key="runs_open").set_value("failed").run()
    assert [shown(e.value) for e in app.error] == ["This run failed: scan.png: the file is empty."]
    assert not [b for b in app.button if b.label == "Re-process on the current version"]  # no document to re-read


def test_a_link_from_the_dashboard_opens_the_runs_of_its_workflow(workflow: Workflow) -> None:
    store = Store.open()
    other = store.workflows.create(Workflow(name="Other", fields=[ISSUED]))
    store.close()
    st.cache_resource.clear()
    app = AppTest.from_file(APP, default_timeout=180)
    app.run()
    app.switch_page("pages/runs.py")
    app.query_params["workflow"] = other.id
    app.run()
    assert app.selectbox(key="runs_workflow").value == other.id
    assert any("No runs match" in i.value for i in app.info)
