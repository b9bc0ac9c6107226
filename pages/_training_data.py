"""The Annotate page's training-data section: templates (create, rename, delete) and uploads (regular or
pre-annotated) with the report of every file."""

from __future__ import annotations

import streamlit as st

from core.annotation.uploads import ImportReport, upload_documents, upload_pre_annotated
from core.documents import UPLOAD_TYPES
from core.schema import Workflow
from core.store import Store
from pages._widgets import show_errors

__all__ = ["training_data_section"]

STATE = "training_data"
NO_TEMPLATE = "(no template)"


def _templates(store: Store, workflow: Workflow) -> None:
    templates = store.templates.list(workflow.id)
    left, right = st.columns(2)
    with left.form(f"{STATE}_new", clear_on_submit=True, border=False):
        name = st.text_input("New template", placeholder="a vendor, a layout or a document type")
        if st.form_submit_button("Create template") and name.strip():
            with show_errors():
                store.templates.create(workflow.id, name)
                st.rerun()
    if not templates:
        return
    names = {t.id: t.name for t in templates}
    chosen = right.selectbox("Template", list(names), format_func=names.__getitem__, key=f"{STATE}_pick")
    new_name = right.text_input("Rename to", key=f"{STATE}_rename")
    rename, delete = right.columns(2)
    if rename.button("Rename", disabled=not new_name.strip(), key=f"{STATE}_do_rename"):
        with show_errors():
            store.templates.rename(chosen, new_name)
            st.rerun()
    if delete.button("Delete", key=f"{STATE}_do_delete", help="Its documents stay, without a template."):
        with show_errors():
            store.templates.delete(chosen)
            st.rerun()


def _report(report: ImportReport) -> None:
    st.write(report.summary())
    if report.accepted:
        st.dataframe(
            [
                {
                    "file": a.file,
                    "status": a.status.replace("_", " "),
                    "values located": f"{a.located}/{a.values}" if a.values else "",
                    "template": a.template or "",
                }
                for a in report.accepted
            ],
            hide_index=True,
        )
    if report.rejected:
        st.dataframe([{"rejected": r.file, "reason": r.reason} for r in report.rejected], hide_index=True)


def training_data_section(store: Store, workflow: Workflow) -> None:
    """Templates, then the uploader: documents only, or each with its NAME.json of expected values."""
    _templates(store, workflow)
    names = [NO_TEMPLATE] + [t.name for t in store.templates.list(workflow.id)]
    template = st.selectbox("Upload to", names, key=f"{STATE}_template")
    pre_annotated = st.toggle(
        'Pre-annotated (each document with NAME.json: {field: {"value": ...}})', key=f"{STATE}_pre"
    )
    files = st.file_uploader(
        "Documents" + (" and their JSON files" if pre_annotated else ""),
        type=[*UPLOAD_TYPES, "json"] if pre_annotated else UPLOAD_TYPES,
        accept_multiple_files=True,
        key=f"{STATE}_files",
    )
    if files and st.button("Add to training data", type="primary", key=f"{STATE}_add"):
        chosen = None if template == NO_TEMPLATE else template
        items = [(f.name, f.getvalue()) for f in files]
        with show_errors(), st.spinner(f"Reading {len(items)} file(s)…"):
            upload = upload_pre_annotated if pre_annotated else upload_documents
            st.session_state[f"{STATE}_report"] = upload(store, workflow, items, template=chosen).model_dump()
    if f"{STATE}_report" in st.session_state:
        _report(ImportReport.model_validate(st.session_state[f"{STATE}_report"]))
