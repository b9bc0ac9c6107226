"""The Usage page: figures, charts by period and group, the quota warning and error, the CSV download."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.store import Store
from core.store.runs import RunRecord

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _seed(pages_per_run: list[int], source: str = "app") -> None:
    store = Store.open()
    now = datetime.now(timezone.utc)
    for i, pages in enumerate(pages_per_run):
        store.runs.add(
            RunRecord(
                id=str(uuid.uuid4()),
                workflow_id="wf-1",
                workflow_name="Invoices",
                document_id=uuid.uuid4().hex,
                source=source if i % 2 == 0 else "cli",  # type: ignore[arg-type]
                engine="local" if i % 3 else "llm",
                pages=pages,
                seconds=1.5,
                prompt_tokens=100 if i % 3 == 0 else 0,
                llm_cost=0.001 if i % 3 == 0 else None,
                created_at=now - timedelta(minutes=i),
            )
        )
    store.close()


def _open() -> AppTest:
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/usage.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_empty_store_says_so() -> None:
    at = _open()
    assert at.title[0].value == "Usage"
    assert any("No processing runs" in i.value for i in at.info)
    assert not at.warning and not at.error


def test_figures_charts_and_csv(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDBENCH_MONTHLY_PAGE_QUOTA", "1000")
    _seed([2, 1, 3, 1])
    at = _open()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Documents"] == "4"
    assert metrics["Pages"] == "7"
    assert metrics["Credits"] == f"{7 * 80 + 4 * 120:,}"
    assert not at.warning and not at.error
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    for period in ("week", "month"):
        at.selectbox(key="usage_period").set_value(period)
        at.run()
        assert not at.exception, at.exception
    for group in ("workflow", "source", "engine"):
        at.selectbox(key="usage_by").set_value(group)
        at.selectbox(key="usage_metric").set_value("credits")
        at.run()
        assert not at.exception, at.exception
    frame = at.dataframe[-1].value
    assert set(frame["group"]) == {"llm", "local"}
    assert frame["pages"].sum() == 7
    assert at.get("download_button")


def test_quota_warning_as_it_nears(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDBENCH_MONTHLY_PAGE_QUOTA", "10")
    _seed([4, 4])
    at = _open()
    assert any("nearly used up" in w.value for w in at.warning)
    assert not at.error


def test_quota_error_when_exceeded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDBENCH_MONTHLY_PAGE_QUOTA", "10")
    _seed([6, 6])
    at = _open()
    assert any("exceeded by 2" in e.value for e in at.error)


def test_one_day_is_one_bar_among_the_days_of_the_range_and_the_table_reads_plainly() -> None:
    _seed([2, 1])
    at = _open()
    chart = (at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart"))[0]  # over time, then by source, engine
    spec = json.loads(chart.proto.spec)
    axis = spec["encoding"]["x"]["scale"]["domain"]
    today = date.today()
    assert axis == [(today - timedelta(days=30 - n)).isoformat() for n in range(31)]  # every day once
    assert spec["encoding"]["x"]["type"] == "ordinal"
    [table] = [d for d in at.dataframe if "prompt_tokens" in d.value.columns]
    config = json.loads(table.proto.columns)
    assert config["prompt_tokens"]["label"] == "Prompt tokens"
    assert config["seconds"]["type_config"]["format"] == "%.1f"
    assert not any("API" in c.value for c in at.caption)
