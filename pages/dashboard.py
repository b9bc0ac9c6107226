"""Dashboard: one workflow in one place: process documents ad hoc, its recent results, its usage over time, and
the way to its fields, training data and reviews."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from pathlib import Path

import streamlit as st

from core.demo import ensure_demo_workflow, sample_documents
from core.documents import describe_spec
from core.pipeline import process
from core.runs import find_runs
from core.schema import Workflow
from core.store import Store
from core.usage import usage_over_time, usage_summary
from pages._results import Job, pick_result, run_jobs, runs_table, show_result
from pages._usage_view import usage_chart
from pages._widgets import WORKFLOW_PARAM, document_uploader, get_store, plain, show_errors, workflow_picker

STATE = "dashboard"  # session keys start with this
NO_SAMPLE = "—"
RECENT_RUNS = 10  # the latest results on the dashboard; the Runs page lists them all
USAGE_DAYS = 30  # the usage chart's range: a month of days, each a bar of its own
# The pages a workflow's work goes on to.
LINKS = (
    ("pages/define.py", "Define fields", ":material/edit_note:"),
    ("pages/extract.py", "Edit descriptions and re-run", ":material/document_scanner:"),
    ("pages/annotate.py", "Annotate training data", ":material/ink_highlighter:"),
    ("pages/review.py", "Review results", ":material/fact_check:"),
    ("pages/train.py", "Train a model", ":material/model_training:"),
    ("pages/runs.py", "All runs", ":material/history:"),
)


def _header(workflow: Workflow) -> None:
    st.subheader(plain(workflow.name))
    st.caption(f"Version {workflow.version} · {len(workflow.fields)} fields · {describe_spec(workflow.spec)}")
    if workflow.description:
        st.text(workflow.description)
    for column, (page, label, icon) in zip(st.columns(len(LINKS)), LINKS, strict=True):
        column.page_link(page, label=label, icon=icon, query_params={WORKFLOW_PARAM: workflow.id})


def _upload_area(store: Store, workflow: Workflow) -> None:
    """Documents processed with the fields as they are now; the batch, then one result beside its page."""
    st.subheader("Try it on documents")
    inputs: list[tuple[str, bytes | Path]] = list(document_uploader("Documents", key=f"{STATE}_uploads"))
    samples = sample_documents()
    sample = st.selectbox("…or a sample document", [NO_SAMPLE, *samples], key=f"{STATE}_sample")
    if sample != NO_SAMPLE:
        inputs.append((sample, samples[sample]))
    if st.button("Process", type="primary", disabled=not inputs, key=f"{STATE}_process"):
        jobs: list[Job] = [(name, partial(process, store, data, workflow, name=name)) for name, data in inputs]
        st.session_state[f"{STATE}_runs_{workflow.id}"] = run_jobs(jobs) or None
    run_ids: list[str] | None = st.session_state.get(f"{STATE}_runs_{workflow.id}")
    if run_ids:
        with show_errors():
            result = pick_result(store, workflow, run_ids, key=STATE)
            show_result(store, result, key=STATE)


def _recent(store: Store, workflow: Workflow) -> None:
    st.subheader("Recent results")
    records = find_runs(store, workflow_id=workflow.id, limit=RECENT_RUNS)
    if not records:
        st.caption("No document processed yet: the app, notebooks and the fieldbench command all show up here.")
        return
    runs_table(records, key=f"{STATE}_recent")


def _usage(store: Store, workflow: Workflow) -> None:
    st.subheader("Usage")
    until = date.today()
    since = until - timedelta(days=USAGE_DAYS - 1)
    summary = usage_summary(store, since=since, until=until, workflow_id=workflow.id)
    cols = st.columns(4)
    cols[0].metric("Documents", summary.documents, help=f"in the last {USAGE_DAYS} days")
    cols[1].metric("Pages", summary.pages)
    cols[2].metric("Credits", f"{summary.credits:,.0f}")
    cols[3].metric("Failed runs", summary.errors)
    rows = usage_over_time(store, "day", since=since, until=until, workflow_id=workflow.id)
    if rows:
        usage_chart(rows, "day", since, until, "pages")


def main() -> None:
    st.title("Dashboard")
    store = get_store()
    with show_errors():
        ensure_demo_workflow(store)
    workflow = workflow_picker(store, f"{STATE}_workflow")
    if workflow is None:
        return
    _header(workflow)
    _upload_area(store, workflow)
    with show_errors():
        _recent(store, workflow)
        _usage(store, workflow)


main()
