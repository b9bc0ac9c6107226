"""The Define page's other sections: name and thumbnail, import and export, fields drafted from a request,
and the version history."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from core.documents import describe_spec
from core.errors import SchemaError
from core.guide.drafting import draft_fields
from core.schema import (
    THUMBNAIL_TYPES,
    Field,
    Workflow,
    check_thumbnail,
    fields_to_rows,
    file_slug,
    load_schema_file,
    to_dataset_schema,
    to_json_schema,
    with_added_fields,
    with_imported,
)
from core.store import Store
from pages._define_state import S, current, key, replace_draft
from pages._widgets import plain, show_errors, show_problems

__all__ = ["draft_from_request", "history", "import_export", "metadata"]

HISTORY_COLUMNS = {"created_at": "saved", "field_count": "fields", "summary": "what changed"}


def _show_sub_fields(fields: list[Field]) -> None:
    for field in fields:
        if field.sub_fields:
            st.caption(f"{plain(field.name)}: " + ", ".join(f"{plain(s.name)} ({s.type})" for s in field.sub_fields))


def metadata() -> None:
    """Name and description, and the thumbnail (checked, scaled down) with a way to remove it."""
    draft: Workflow = S.define_draft
    left, right = st.columns([3, 1])
    with left:
        st.text_input("Name", value=draft.name, key=key("name"), placeholder="e.g. Supplier invoices")
        st.text_area("Description", value=draft.description, key=key("description"), height=68)
    with right:
        if draft.thumbnail:
            st.image(draft.thumbnail, width=120)
            if st.button("Remove thumbnail", key=key("thumb_remove")):
                replace_draft(current().model_copy(update={"thumbnail": None}))
        upload = st.file_uploader("Thumbnail (PNG or JPEG)", type=THUMBNAIL_TYPES, key=key("thumb"))
        if upload is not None:
            with show_errors():
                thumbnail = check_thumbnail(upload.getvalue())
                if thumbnail != draft.thumbnail:
                    replace_draft(current().model_copy(update={"thumbnail": thumbnail}))


def import_export(edited: Workflow, valid: bool) -> None:
    """Fields from a JSON Schema or dataset schema.json into the editor; the valid workflow as either file."""
    upload = st.file_uploader("Import a JSON Schema or a dataset schema.json", type=["json"], key=key("import_file"))
    if upload is not None and st.button("Import fields", key=key("import")):
        try:
            draft = load_schema_file(upload.getvalue())
        except SchemaError as exc:
            show_problems(exc, f"{plain(upload.name)} was not imported")
        else:
            notice = f"Imported {len(draft.fields)} fields from {plain(upload.name)}. Review them, then Save."
            replace_draft(with_imported(edited, draft, upload.name), notice)
    st.divider()
    if not valid:
        st.caption("Fix the problems listed under the fields to export them.")
        return
    st.download_button(
        "Download JSON Schema",
        json.dumps(to_json_schema(edited.fields), indent=2, ensure_ascii=False),
        file_name=f"{file_slug(edited.name)}.schema.json",
        mime="application/json",
        key=key("export_json_schema"),
    )
    st.download_button(
        "Download dataset schema.json",
        json.dumps(to_dataset_schema(edited), indent=2, ensure_ascii=False),
        file_name="schema.json",
        mime="application/json",
        key=key("export_dataset"),
    )


def draft_from_request(edited: Workflow) -> None:
    """Fields drafted from a plain-language request, shown for review, then used, added or discarded."""
    request = st.text_area(
        "What should be extracted?",
        key="define_request",
        placeholder="Extract the invoice number, total amount, due date, and every line item with "
        "description, quantity, and unit price",
    )
    if st.button("Draft fields", key=key("draft")):
        with show_errors():
            S.define_generated = draft_fields(request)
    generated: list[Field] | None = S.get("define_generated")
    if not generated:
        return
    st.caption("Drafted fields, for review. Nothing is saved until you click Save.")
    st.dataframe(pd.DataFrame(fields_to_rows(generated)), hide_index=True)
    _show_sub_fields(generated)
    replace, add, discard = st.columns(3)
    if replace.button("Use these fields", key=key("use_draft")):
        S.define_generated = None
        replace_draft(edited.model_copy(update={"fields": generated}), "Drafted fields are in the editor.")
    if add.button("Add to the current fields", key=key("add_draft")):
        S.define_generated = None
        extended, added = with_added_fields(edited, generated)
        replace_draft(extended, f"Added {len(added)} fields.")
    if discard.button("Discard", key=key("discard_draft")):
        S.define_generated = None
        st.rerun()


def history(store: Store, edited: Workflow) -> None:
    """The saved versions, one of them shown read-only, and a way to load it into the editor."""
    if S.define_id is None:
        st.info("Save the workflow to start its version history.")
        return
    versions = store.workflows.versions(S.define_id)
    table = pd.DataFrame(
        [v.model_dump() for v in versions], columns=["version", "created_at", "field_count", "summary"]
    )
    table["created_at"] = table["created_at"].map(lambda t: f"{t:%Y-%m-%d %H:%M}")
    st.dataframe(table.rename(columns=HISTORY_COLUMNS), hide_index=True)
    numbers = [v.version for v in versions]
    number = st.selectbox("View version", numbers, index=len(numbers) - 1, key=key("history_pick"))
    old = store.workflows.get(S.define_id, number)
    st.caption(f"Version {number}, read-only. {describe_spec(old.spec)}.")
    st.dataframe(pd.DataFrame(fields_to_rows(old.fields)), hide_index=True)
    _show_sub_fields(old.fields)
    if number != numbers[-1] and st.button("Load this version into the editor", key=key("restore")):
        restored = edited.model_copy(update={"fields": old.fields, "spec": old.spec})
        replace_draft(restored, f"Version {number} is in the editor; Save makes it a new version.")
