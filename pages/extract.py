"""Extract: run a workflow on uploaded or sample documents, see values with their citations, edit, re-run."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import streamlit as st

from core.demo import ensure_demo_workflow, sample_documents
from core.extraction import ENGINE_CHOICES, engine_options
from core.pipeline import process, process_document
from core.results import ExtractionResult
from core.schema import Workflow, field_paths, with_descriptions
from core.store import Store
from pages._results import Job, pick_result, run_jobs, show_result
from pages._widgets import document_uploader, get_store, plain, show_errors, workflow_picker

NO_SAMPLE = "—"
STATE = "extract"  # session keys start with this


def _remember(run_ids: list[str], replacing: str | None = None) -> None:
    """The runs shown: a new batch, or one document of the batch re-run in place (the others stay)."""
    if not run_ids:
        return
    batch: list[str] = st.session_state.get(f"{STATE}_runs", [])
    if replacing in batch:
        st.session_state[f"{STATE}_runs"] = [run_ids[0] if r == replacing else r for r in batch]
    else:
        st.session_state[f"{STATE}_runs"] = run_ids
    st.session_state[f"{STATE}_selected"] = run_ids[0]


def _descriptions(store: Store, workflow: Workflow, result: ExtractionResult, engine: str) -> None:
    st.subheader("Descriptions")
    st.caption(
        "Edit what a field means, then re-run on the same document (its OCR is cached). A run with edits not yet "
        "saved is labelled an unsaved draft of its version."
    )
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
        job = partial(process_document, store, result.document_id, draft, engine=engine, name=name)
        _remember(run_jobs([(name, job)]), replacing=result.processing_id)
        st.rerun()
    if save.button("Save descriptions as a new version", disabled=draft.fields == workflow.fields):
        with show_errors():
            saved = store.workflows.save(draft)
            st.session_state[f"{STATE}_notice"] = f"Saved {saved.name} version {saved.version}."
            st.rerun()  # the picker, the caption and the button follow the new version


def main() -> None:
    st.title("Extract")
    store = get_store()
    with show_errors():
        ensure_demo_workflow(store)
    if notice := st.session_state.pop(f"{STATE}_notice", None):
        st.success(plain(notice))
    workflow = workflow_picker(store, f"{STATE}_workflow")
    if workflow is None:
        return

    inputs: list[tuple[str, bytes | Path]] = list(document_uploader("Documents", key=f"{STATE}_uploads"))
    samples = sample_documents()
    sample = st.selectbox("…or a sample document", [NO_SAMPLE, *samples], key=f"{STATE}_sample")
    options = engine_options(workflow)
    engine = st.radio(
        "Engine",
        ENGINE_CHOICES,
        horizontal=True,
        key=f"{STATE}_engine",
        captions=[plain(options[e].reason) for e in ENGINE_CHOICES],  # a reason may quote the LLM server
    )
    if not options[engine].ok:
        st.warning(plain(f"{engine} is not available: {options[engine].reason}"))
    if sample != NO_SAMPLE:
        inputs.append((sample, samples[sample]))
    if st.button("Extract", type="primary", disabled=not inputs or not options[engine].ok):
        jobs: list[Job] = [
            (name, partial(process, store, data, workflow, engine=engine, name=name)) for name, data in inputs
        ]
        _remember(run_jobs(jobs))

    run_ids: list[str] = st.session_state.get(f"{STATE}_runs", [])
    if run_ids:
        with show_errors():
            result = pick_result(store, workflow, run_ids, key=STATE)
            show_result(store, result, key=STATE)
            _descriptions(store, workflow, result, engine)


main()
