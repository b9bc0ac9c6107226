"""Runs: every processing run (app, notebooks, command line, scripts), filtered by workflow, days, engine, source
and status; one opened beside its page, re-processed on its workflow's current version with what changed; the
selection exported as JSON or CSV."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from core.extraction import ENGINE_NAMES
from core.pipeline import reprocess
from core.runs import find_runs, runs_csv, runs_json
from core.store import Store
from core.store.runs import RUN_SOURCES, RUN_STATUSES, RunRecord
from pages._results import runs_table, show_result
from pages._widgets import get_store, linked_workflow, plain, show_errors, with_progress

STATE = "runs"  # session keys start with this
LISTED = 500  # newest runs listed at most: a long log stays quick to open; narrow the filters for older ones
DAYS = 30  # the date filter starts on the last month


def _all(value: str | None) -> str:
    return "all" if value is None else value


def _filters(store: Store) -> list[RunRecord]:
    workflows = {w.id: w.name for w in store.workflows.list()}
    linked_workflow(workflows, f"{STATE}_workflow")
    top = st.columns([2, 2, 1, 1, 1])
    workflow = top[0].selectbox(
        "Workflow",
        [None, *workflows],
        format_func=lambda w: "all" if w is None else workflows[w],
        key=f"{STATE}_workflow",
    )
    today = date.today()
    picked = top[1].date_input("Days", value=(today - timedelta(days=DAYS), today), key=f"{STATE}_days")
    days = list(picked) if isinstance(picked, (list, tuple)) else [picked]  # one day while a range is being picked
    engine = top[2].selectbox("Engine", [None, *ENGINE_NAMES], format_func=_all, key=f"{STATE}_engine")
    status = top[3].selectbox("Status", [None, *RUN_STATUSES], format_func=_all, key=f"{STATE}_status")
    source = top[4].selectbox("Source", [None, *RUN_SOURCES], format_func=_all, key=f"{STATE}_source")
    return find_runs(
        store,
        workflow_id=workflow,
        since=days[0] if days else None,
        until=days[-1] if days else None,
        engine=engine,
        status=status,
        source=source,
        limit=LISTED,
    )


def _export(records: list[RunRecord]) -> None:
    left, right = st.columns(2)
    left.download_button(
        "Download the selection as JSON", runs_json(records), "runs.json", "application/json", key=f"{STATE}_json"
    )
    right.download_button(
        "Download the selection as CSV", runs_csv(records), "runs.csv", "text/csv", key=f"{STATE}_csv"
    )


def _label(record: RunRecord) -> str:
    return (
        f"{record.created_at:%Y-%m-%d %H:%M} · {record.document_name or record.document_id[:12]} · "
        f"{record.workflow_name} {record.version_label} · {record.engine} · {record.status}"
    )


def _opened(store: Store, record: RunRecord) -> None:
    """A run beside its page; re-processed on its workflow's current version, what changed against it."""
    if record.result is None:
        st.error(plain(f"This run failed: {record.error}"))
    else:
        show_result(store, record.result, key=f"{STATE}_open")
    if record.document_id and st.button("Re-process on the current version", key=f"{STATE}_reprocess"):
        again = with_progress(
            "Re-processing",
            lambda bar: reprocess(store, record.id, source="app", progress=lambda s, f: bar.update(f, s)),
        )
        if again is not None:
            st.session_state[f"{STATE}_again"] = {record.id: again.processing_id}
    again_id = st.session_state.get(f"{STATE}_again", {}).get(record.id)
    if again_id is not None:
        again_result = store.runs.get(again_id).result
        if again_result is not None:
            st.subheader(f"Re-processed on {again_result.version_label}")
            show_result(store, again_result, key=f"{STATE}_again", previous=record.result)


st.title("Runs")
st.caption("Every processing run, from this app, notebooks, the fieldbench command and scripts, newest first.")
with show_errors():
    store = get_store()
    records = _filters(store)
    if not records:
        st.info("No runs match: widen the filters, or process documents on the Dashboard or the Extract page.")
    else:
        st.caption(f"{len(records)} run(s)" + (f", the newest {LISTED}" if len(records) == LISTED else ""))
        runs_table(records, key=f"{STATE}_table")
        _export(records)
        by_id = {r.id: r for r in records}
        opened = st.selectbox("Open a run", list(by_id), format_func=lambda r: _label(by_id[r]), key=f"{STATE}_open")
        _opened(store, by_id[opened])
