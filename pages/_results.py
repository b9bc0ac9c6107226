"""What the pages that process documents share: a batch run under one status, a batch of results as one table
with one of them picked, a result beside its page with what changed since the run before, and lists of runs."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import streamlit as st

from core.annotation.review import threshold_for
from core.comparison import batch_table, change_summary, comparison_rows, diff
from core.errors import FieldbenchError
from core.results import ExtractionResult, citation_boxes, notes_of, results_csv
from core.runs import run_row, run_spec
from core.schema import Workflow
from core.store import Store
from core.store.runs import RunRecord
from pages._widgets import ProgressBar, batch_results, page_viewer, plain, show_errors, stored_document

__all__ = ["Job", "run_jobs", "pick_result", "show_result", "runs_table"]

# A document to process: its name, and the pipeline call that processes it (given `source` and `progress`).
Job = tuple[str, partial[ExtractionResult]]


def run_jobs(jobs: list[Job]) -> list[str]:
    """Run each job under one status box; the processing ids of those that worked (a failure is one red line)."""
    run_ids: list[str] = []
    with st.status(f"Extracting {len(jobs)} document(s)…", expanded=True) as status:
        bar = ProgressBar()
        for index, (name, job) in enumerate(jobs):

            def progress(stage: str, fraction: float, index: int = index, name: str = name) -> None:
                bar.update((index + fraction) / len(jobs), f"{plain(name)}: {stage}")

            with show_errors():
                result = job(source="app", progress=progress)
                run_ids.append(result.processing_id)
                st.text(f"{name}: {result.engine_reason}")
        bar.update(1.0)
        failed = len(jobs) - len(run_ids)
        status.update(
            label=f"Extracted {len(run_ids)} document(s)" + (f", {failed} failed" if failed else ""),
            state="error" if failed else "complete",
            expanded=bool(failed),
        )
    return run_ids


def pick_result(store: Store, workflow: Workflow, run_ids: list[str], *, key: str) -> ExtractionResult:
    """A batch as one table (low-confidence cells marked) and the result picked below it; one run: that one.

    Raises:
        FieldbenchError: the picked run has no result.
    """
    records = {rid: store.runs.get(rid) for rid in run_ids}
    results = [r.result for r in records.values() if r.result is not None]
    selected = run_ids[0]
    if len(run_ids) > 1:
        thresholds = store.reviews.thresholds(workflow.id)
        table = batch_table(results, [f.name for f in workflow.fields], lambda path: threshold_for(path, thresholds))
        batch_results(table, key=f"{key}_batch")
        batch_csv = results_csv(results)
        st.download_button("Download all as CSV", batch_csv, "results.csv", "text/csv", key=f"{key}_batch_csv")
        chosen = st.session_state.get(f"{key}_selected")
        selected = st.selectbox(
            "Result",
            run_ids,
            index=run_ids.index(chosen) if chosen in run_ids else 0,
            format_func=lambda r: records[r].document_name,
            key=f"{key}_pick_{len(run_ids)}",
        )
    st.session_state[f"{key}_selected"] = selected
    result = records[selected].result
    if result is None:
        raise FieldbenchError("this run has no result", hint="Extract the document again.")
    return result


def show_result(store: Store, result: ExtractionResult, *, key: str, previous: ExtractionResult | None = None) -> None:
    """A result: what ran, what changed since ``previous`` (default: the run before it in the log), its values
    with downloads, and the selected value's citations on the page as the run read it."""
    if previous is None:
        before = store.runs.previous(result.workflow_id, result.document_id, before=result.created_at)
        previous = before.result if before is not None else None
    changes = diff(previous, result)
    st.caption(
        plain(
            f"Engine {result.engine} ({result.engine_reason}) · workflow {result.version_label} · "
            f"{result.timings.get('total', 0):.2f} s"
        )
    )
    if changes:
        st.info(f"Since the previous run: {change_summary(changes)}")
    elif previous is not None:
        st.caption("Nothing changed since the previous run.")
    rows = comparison_rows(result, changes)
    left, right = st.columns([3, 2])
    with left:
        st.dataframe(
            rows,
            hide_index=True,
            width="stretch",
            column_config={"confidence": st.column_config.ProgressColumn("confidence", min_value=0, max_value=1)},
        )
        paths = [r["field"] for r in rows]
        selected = st.selectbox("Show the citation of", paths, key=f"{key}_field") if paths else None
        stem = Path(result.document_name).stem
        c1, c2 = st.columns(2)
        json_file, csv_file = result.to_json(indent=2), results_csv(result)
        c1.download_button("Download JSON", json_file, f"{stem}.json", "application/json", key=f"{key}_json")
        c2.download_button("Download CSV", csv_file, f"{stem}.csv", "text/csv", key=f"{key}_csv")
    with right, show_errors():
        page, boxes = citation_boxes(result, selected) if selected else (1, [])
        spec = run_spec(store, result.workflow_id, result.workflow_version)  # citations are in its pages' points
        page_viewer(stored_document(result.document_id, spec), key=f"{key}_viewer", boxes={page: boxes}, page=page)
        if selected and not boxes:
            notes = notes_of(result, selected)
            st.caption("No citation" + (f": {plain(notes[0])}" if notes else "."))


def runs_table(records: list[RunRecord], *, key: str) -> None:
    """Runs as a table: time, workflow, version, engine, source, document, pages, seconds, status."""
    st.dataframe(
        [run_row(r) for r in records],
        hide_index=True,
        width="stretch",
        key=key,
        column_config={
            "created_at": st.column_config.DatetimeColumn("time (UTC)", format="YYYY-MM-DD HH:mm"),
            "seconds": st.column_config.NumberColumn("seconds", format="%.2f"),
            "processing_id": st.column_config.TextColumn("processing id"),
        },
    )
