"""Extract: run a workflow on uploaded or sample documents, see values with their citations, edit, re-run."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import streamlit as st

from core.demo import ensure_demo_workflow, sample_documents
from core.errors import FieldbenchError
from core.extraction import ENGINE_CHOICES, engine_options
from core.pipeline import process, process_document
from core.comparison import comparison_rows, diff
from core.results import ExtractionResult, citation_boxes, notes_of, results_csv
from core.schema import Workflow, field_paths, with_descriptions
from core.store import Store
from pages._widgets import ProgressBar, document_uploader, get_store, show_errors, show_page, stored_document

NO_SAMPLE = "—"

# A document to process: its name, and the pipeline call that processes it (given `source` and `progress`).
# (A comment, not a docstring: Streamlit writes a page script's bare strings onto the page.)
Job = tuple[str, partial[ExtractionResult]]


def _run(jobs: list[Job]) -> None:
    """Run each job and remember the run ids; a document that fails is one red line, the others go on."""
    run_ids: list[str] = []
    with st.status(f"Extracting {len(jobs)} document(s)…", expanded=True) as status:
        bar = ProgressBar()
        for index, (name, job) in enumerate(jobs):

            def progress(stage: str, fraction: float, index: int = index, name: str = name) -> None:
                bar.update((index + fraction) / len(jobs), f"{name}: {stage}")

            with show_errors():
                result = job(source="app", progress=progress)
                run_ids.append(result.processing_id)
                st.write(f"{name}: {result.engine_reason}")
        bar.update(1.0)
        failed = len(jobs) - len(run_ids)
        status.update(
            label=f"Extracted {len(run_ids)} document(s)" + (f", {failed} failed" if failed else ""),
            state="error" if failed else "complete",
            expanded=bool(failed),
        )
    if run_ids:
        st.session_state["extract_runs"] = run_ids
        st.session_state["extract_selected"] = run_ids[0]


def _show_result(store: Store, result: ExtractionResult) -> None:
    previous = store.runs.previous(result.workflow_id, result.document_id, before=result.created_at)
    changes = diff(previous.result if previous else None, result)
    rows = comparison_rows(result, changes)
    st.caption(
        f"Engine {result.engine} ({result.engine_reason}) · workflow version {result.workflow_version} · "
        f"{result.timings.get('total', 0):.2f} s"
    )
    if changes:
        st.info(f"{len(changes)} value(s) changed since the previous run: " + ", ".join(changes))
    elif previous is not None:
        st.caption("No value changed since the previous run.")
    left, right = st.columns([3, 2])
    with left:
        st.dataframe(
            rows,
            hide_index=True,
            width="stretch",
            column_config={"confidence": st.column_config.ProgressColumn("confidence", min_value=0, max_value=1)},
        )
        paths = [r["field"] for r in rows]
        selected = st.selectbox("Show the citation of", paths, key="extract_field") if paths else None
        stem = Path(result.document_name).stem
        c1, c2 = st.columns(2)
        c1.download_button("Download JSON", result.to_json(indent=2), f"{stem}.json", "application/json")
        c2.download_button("Download CSV", results_csv(result), f"{stem}.csv", "text/csv")
    with right, show_errors():
        page, boxes = citation_boxes(result, selected) if selected else (1, [])
        # The workflow version that ran says how the document was read: citations are in its pages' points.
        spec = store.workflows.get(result.workflow_id, result.workflow_version).spec
        show_page(stored_document(result.document_id, spec), page, boxes)
        if selected and not boxes:
            notes = notes_of(result, selected)
            st.caption("No citation" + (f": {notes[0]}" if notes else "."))


def _descriptions(store: Store, workflow: Workflow, result: ExtractionResult, engine: str) -> None:
    st.subheader("Descriptions")
    st.caption("Edit what a field means, then re-run on the same document (its OCR is cached).")
    edited = {
        path: st.text_area(
            f"{path} ({field.type})",
            field.description,
            key=f"desc:{workflow.id}:{workflow.version}:{path}",
            height=68,
        )
        for path, field in field_paths(workflow.fields)
    }
    draft = workflow.model_copy(update={"fields": with_descriptions(workflow.fields, edited)})
    rerun, save = st.columns(2)
    if rerun.button("Re-run with edited descriptions", type="primary"):
        name = result.document_name
        _run([(name, partial(process_document, store, result.document_id, draft, engine=engine, name=name))])
        st.rerun()
    if save.button("Save descriptions as a new version", disabled=draft.fields == workflow.fields):
        with show_errors():
            saved = store.workflows.save(draft)
            st.success(f"Saved {saved.name} version {saved.version}.")


def _results(store: Store, workflow: Workflow, engine: str, run_ids: list[str]) -> None:
    records = {rid: store.runs.get(rid) for rid in run_ids}
    selected = st.session_state.get("extract_selected", run_ids[0])
    if len(run_ids) > 1:
        selected = st.selectbox(
            "Result",
            run_ids,
            index=run_ids.index(selected) if selected in run_ids else 0,
            format_func=lambda r: records[r].document_name,
        )
        st.session_state["extract_selected"] = selected
    result = records[selected].result
    if result is None:
        raise FieldbenchError("this run has no result", hint="Extract the document again.")
    _show_result(store, result)
    if len(run_ids) > 1:
        results = [r.result for r in records.values() if r.result is not None]
        st.download_button("Download all as CSV", results_csv(results), "results.csv", "text/csv")
    _descriptions(store, workflow, result, engine)


def main() -> None:
    st.title("Extract")
    store = get_store()
    with show_errors():
        ensure_demo_workflow(store)
    workflows = store.workflows.list()
    if not workflows:
        st.info("No workflow yet: define one on the Define page.")
        return
    names = {w.id: f"{w.name} (v{w.version})" for w in workflows}
    workflow_id = st.selectbox("Workflow", list(names), format_func=names.__getitem__, key="extract_workflow")
    workflow = store.workflows.get(workflow_id)

    inputs: list[tuple[str, bytes | Path]] = list(document_uploader("Documents", key="extract_uploads"))
    samples = sample_documents()
    sample = st.selectbox("…or a sample document", [NO_SAMPLE, *samples], key="extract_sample")
    options = engine_options(workflow)
    engine = st.radio(
        "Engine",
        ENGINE_CHOICES,
        horizontal=True,
        key="extract_engine",
        captions=[options[e].reason for e in ENGINE_CHOICES],
    )
    if not options[engine].ok:
        st.warning(f"{engine} is not available: {options[engine].reason}")
    if sample != NO_SAMPLE:
        inputs.append((sample, samples[sample]))
    if st.button("Extract", type="primary", disabled=not inputs or not options[engine].ok):
        _run([(name, partial(process, store, data, workflow, engine=engine, name=name)) for name, data in inputs])

    run_ids: list[str] = st.session_state.get("extract_runs", [])
    if run_ids:
        with show_errors():
            _results(store, workflow, engine, run_ids)


main()
