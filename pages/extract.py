"""Extract: run a workflow on uploaded or sample documents, see values with their citations, edit, re-run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from core.demo import ensure_demo_workflow
from core.documents import highlight
from core.errors import FieldbenchError
from core.extraction import engine_options
from core.pipeline import process, process_document
from core.results import ExtractionResult, citation_boxes, diff, field_rows, results_csv
from core.schema import Field, Workflow
from core.store import Store
from pages._common import get_store, show_errors

SAMPLE_DOCS = Path(__file__).resolve().parents[1] / "sample_docs"
SAMPLE_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")
ENGINES = ("auto", "local", "llm", "trained")
HIGHLIGHT_DPI = 110


def _samples() -> list[str]:
    if not SAMPLE_DOCS.is_dir():
        return []
    return sorted(p.name for p in SAMPLE_DOCS.iterdir() if p.suffix.lower() in SAMPLE_SUFFIXES)


def _with_descriptions(workflow: Workflow, descriptions: dict[str, str]) -> Workflow:
    """The workflow with edited descriptions (``name`` or ``array.item_field`` keys); same id and version."""

    def edit(field: Field, path: str) -> Field:
        update: dict[str, Any] = {}
        if path in descriptions:
            update["description"] = descriptions[path]
        if field.item_fields and field.items is not None:
            props = [edit(sub, f"{path}.{sub.name}") for sub in field.item_fields]
            update["items"] = field.items.model_copy(update={"properties": props})
        return field.model_copy(update=update)

    return workflow.model_copy(update={"fields": [edit(f, f.name) for f in workflow.fields]})


def _description_paths(workflow: Workflow) -> list[tuple[str, Field]]:
    paths: list[tuple[str, Field]] = []
    for field in workflow.fields:
        paths.append((field.name, field))
        paths += [(f"{field.name}.{sub.name}", sub) for sub in field.item_fields]
    return paths


@st.cache_data(max_entries=64, show_spinner=False)
def _page_png(
    _store: Store, document_id: str, page: int, boxes: tuple[tuple[float, float, float, float], ...]
) -> bytes:
    document = _store.documents.load(document_id)
    return highlight(document, page, boxes, HIGHLIGHT_DPI, (255, 140, 0))


def _run(store: Store, workflow: Workflow, engine: str, inputs: list[tuple[str, bytes | str]]) -> None:
    """Process each input (name, bytes or a stored document id) and remember the run ids."""
    run_ids: list[str] = []
    with st.status(f"Extracting {len(inputs)} document(s)…", expanded=True) as status:
        bar = st.progress(0.0)
        for index, (name, data) in enumerate(inputs):

            def progress(stage: str, fraction: float, index: int = index, name: str = name) -> None:
                bar.progress(min((index + fraction) / len(inputs), 1.0), text=f"{name}: {stage}")

            with show_errors():
                if isinstance(data, str):
                    result = process_document(
                        store, data, workflow, engine=engine, source="app", name=name, progress=progress
                    )
                else:
                    result = process(store, data, workflow, engine=engine, source="app", name=name, progress=progress)
                run_ids.append(result.processing_id)
                st.write(f"{name}: {result.engine_reason}")
        bar.progress(1.0)
        failed = len(inputs) - len(run_ids)
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
    rows = field_rows(result)
    for row in rows:
        change = changes.get(row["field"])
        row["changed"] = f"{change[0]!r} → {change[1]!r}" if change else ""
        row["value"] = "" if row["value"] is None else str(row["value"])
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
        table = [{k: r[k] for k in ("field", "value", "confidence", "page", "changed")} for r in rows]
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            column_config={"confidence": st.column_config.ProgressColumn("confidence", min_value=0, max_value=1)},
        )
        paths = [r["field"] for r in rows]
        selected = st.selectbox("Show the citation of", paths, key="extract_field") if paths else None
        c1, c2 = st.columns(2)
        c1.download_button(
            "Download JSON",
            result.to_json(indent=2),
            f"{Path(result.document_name).stem}.json",
            "application/json",
        )
        c2.download_button("Download CSV", results_csv(result), f"{Path(result.document_name).stem}.csv", "text/csv")
    with right:
        page, boxes = citation_boxes(result, selected) if selected else (1, [])
        with show_errors():
            st.image(_page_png(store, result.document_id, page, tuple(boxes)), caption=f"page {page}")
        if selected and not boxes:
            meta = result.metadata.get(selected)
            notes = [i.content for i in meta.insights] if meta else []
            st.caption("No citation" + (f": {notes[0]}" if notes else "."))


def _descriptions(store: Store, workflow: Workflow, result: ExtractionResult, engine: str) -> None:
    st.subheader("Descriptions")
    st.caption("Edit what a field means, then re-run on the same document (its OCR is cached).")
    edited: dict[str, str] = {}
    for path, field in _description_paths(workflow):
        edited[path] = st.text_area(
            f"{path} ({field.type})",
            field.description,
            key=f"desc:{workflow.id}:{workflow.version}:{path}",
            height=68,
        )
    draft = _with_descriptions(workflow, edited)
    rerun, save = st.columns(2)
    if rerun.button("Re-run with edited descriptions", type="primary"):
        _run(store, draft, engine, [(result.document_name, result.document_id)])
        st.rerun()
    if save.button("Save descriptions as a new version", disabled=draft.fields == workflow.fields):
        with show_errors():
            saved = store.workflows.save(draft)
            st.success(f"Saved {saved.name} version {saved.version}.")


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

    uploads = st.file_uploader("Documents", accept_multiple_files=True, key="extract_uploads")
    sample = st.selectbox("…or a sample document", ["—", *_samples()], key="extract_sample")
    options = engine_options(workflow)
    engine = st.radio(
        "Engine",
        ENGINES,
        horizontal=True,
        key="extract_engine",
        captions=["trained, else LLM, else local"]
        + [options[e].reason if not options[e].ok else "" for e in ENGINES[1:]],
    )
    if engine != "auto" and not options[engine].ok:
        st.warning(f"{engine} is not available: {options[engine].reason}")

    inputs: list[tuple[str, bytes | str]] = [(u.name, u.getvalue()) for u in uploads or []]
    if sample != "—":
        inputs.append((sample, (SAMPLE_DOCS / sample).read_bytes()))
    if st.button("Extract", type="primary", disabled=not inputs or (engine != "auto" and not options[engine].ok)):
        _run(store, workflow, engine, inputs)

    run_ids: list[str] = st.session_state.get("extract_runs", [])
    if not run_ids:
        return
    with show_errors():
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
            raise FieldbenchError("this run has no result")
        _show_result(store, result)
        if len(run_ids) > 1:
            results = [r.result for r in records.values() if r.result is not None]
            st.download_button("Download all as CSV", results_csv(results), "results.csv", "text/csv")
        _descriptions(store, workflow, result, engine)


main()
