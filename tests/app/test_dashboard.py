"""The workflow dashboard: the app's landing page; try documents, recent results, usage, links onwards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.demo import DEMO_WORKFLOW_ID
from core.pipeline import process
from core.schema import Field, Workflow
from core.store import Store
from tests.app.markdown import shown

APP = Path(__file__).resolve().parents[2] / "app.py"


@pytest.fixture
def at() -> AppTest:
    st.cache_resource.clear()
    st.cache_data.clear()
    app = AppTest.from_file(str(APP), default_timeout=180)
    app.run()
    assert not app.exception
    return app


def _button(app: AppTest, label: str) -> Any:
    [button] = [b for b in app.button if b.label == label]
    return button


def test_the_dashboard_is_the_landing_page_with_the_ways_onwards(at: AppTest) -> None:
    assert at.title[0].value == "Dashboard"
    assert at.selectbox(key="dashboard_workflow").value == DEMO_WORKFLOW_ID
    assert shown(at.subheader[0].value) == "Demo invoices"
    links = {link.proto.page: link.proto.query_string for link in at.get("page_link")}
    assert set(links) >= {"define", "extract", "annotate", "review", "runs"}  # Train joins when its page exists
    assert links["define"] == f"workflow={DEMO_WORKFLOW_ID}"
    assert any("No document processed yet" in c.value for c in at.caption)


def test_process_a_sample_see_it_in_recent_results_and_usage(at: AppTest) -> None:
    at.selectbox(key="dashboard_sample").set_value("invoice_en.pdf").run()
    _button(at, "Process").click().run()
    assert not at.exception and not at.error
    values = {row["field"]: row["value"] for row in at.dataframe[0].value.to_dict("records")}
    assert values["invoice_number"] == "NW-2024-0193"
    assert at.image  # the cited page
    recent = at.dataframe[-1].value
    assert list(recent["document"]) == ["invoice_en.pdf"] and list(recent["source"]) == ["app"]
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Documents"], metrics["Pages"]) == ("1", "1")
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")  # pages per day


def test_runs_from_elsewhere_show_up_and_a_link_opens_its_workflow(sample_docs: Path) -> None:
    store = Store.open()
    other = store.workflows.create(Workflow(name="Another", fields=[Field(name="total", type="number")]))
    process(store, sample_docs / "invoice_en.pdf", other, engine="local", source="notebook")
    store.close()
    st.cache_resource.clear()
    app = AppTest.from_file(str(APP), default_timeout=180)
    app.query_params["workflow"] = other.id
    app.run()
    assert not app.exception
    assert app.selectbox(key="dashboard_workflow").value == other.id
    recent = app.dataframe[-1].value
    assert list(recent["source"]) == ["notebook"] and list(recent["version"]) == ["v1"]
