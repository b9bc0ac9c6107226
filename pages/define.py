"""Define: create and open workflows; edit name, document specification and fields with the field guide beside
them; import and export schemas; draft fields from a request; save versions and browse the history."""

from __future__ import annotations

import streamlit as st

from core.documents import suggests_cropping
from core.errors import SchemaError
from core.schema import Workflow, has_unsaved_changes, validate_workflow
from core.store import Store
from pages._define_fields import field_guide, fields_editor
from pages._define_sections import draft_from_request, history, import_export, metadata
from pages._define_state import NEW, S, current, key, open_workflow, replace_draft
from pages._widgets import get_store, linked_workflow, plain, problem_list, show_errors, show_problems, spec_inputs


def _picker(store: Store) -> None:
    workflows = {w.id: w for w in store.workflows.list()}
    linked = linked_workflow(workflows)
    if linked is not None and linked != S.define_id:  # opened from a workflow's dashboard
        open_workflow(workflows[linked], linked)
    if S.define_id is not None and S.define_id not in workflows:
        S.define_id = None  # deleted elsewhere (e.g. the CLI): what is on the page becomes a new workflow
    options = [NEW, *workflows]
    chosen = S.define_id or NEW
    choice = st.selectbox(
        "Workflow",
        options,
        index=options.index(chosen),
        format_func=lambda i: "New workflow…" if i == NEW else f"{workflows[i].name} (v{workflows[i].version})",
        key=key("pick"),
    )
    if choice != chosen:
        if choice == NEW:
            open_workflow(Workflow(name=""), None)
        else:
            open_workflow(store.workflows.get(choice), choice)
        st.rerun()


def _save(store: Store, edited: Workflow) -> None:
    try:
        if S.define_id is None:
            saved = store.workflows.create(edited)
            notice = f"Created “{plain(saved.name)}” (version 1)."
        else:
            before = store.workflows.get(S.define_id).version
            saved = store.workflows.save(edited)
            notice = (
                f"Saved as version {saved.version}."
                if saved.version != before
                else f"Saved (fields unchanged, still version {saved.version})."
            )
    except SchemaError as exc:
        show_problems(exc)
        return
    open_workflow(saved, saved.id)
    S.define_notice = notice
    st.rerun()


def _actions(store: Store, edited: Workflow) -> None:
    """Save (when something changed), what state the workflow is in, and Delete behind a confirmation."""
    saved = store.workflows.get(S.define_id) if S.define_id else None
    dirty = has_unsaved_changes(edited, saved)
    save_col, state_col, delete_col = st.columns([1, 4, 1])
    if save_col.button("Save", type="primary", key=key("save"), disabled=not dirty):
        _save(store, edited)
    version = saved.version if saved else 1
    state_col.caption(
        "Unsaved changes." if dirty else f"Saved · version {version} · a change of fields makes a new version."
    )
    if saved is not None:
        with delete_col.popover("Delete"):
            st.write(f"Delete “{plain(saved.name)}” and all {version} version(s)? Results already made keep it.")
            if st.button("Delete for good", type="primary", key=key("delete")):
                store.workflows.delete(saved.id)
                open_workflow(Workflow(name=""), None)
                S.define_notice = f"Deleted “{plain(saved.name)}”."
                st.rerun()


def _cropping_hint(edited: Workflow) -> None:
    """A new workflow whose description speaks of photos or scans: suggest cropping, on with one click."""
    if S.define_id is not None or not suggests_cropping(edited.description, edited.spec):
        return
    hint, action = st.columns([4, 1])
    hint.info(
        "The description mentions photos or scans: cropping removes the background around each document "
        "(Document specification)."
    )
    if action.button("Turn cropping on", key=key("crop_on")):
        replace_draft(edited.model_copy(update={"spec": edited.spec.model_copy(update={"cropping": True})}))


def _editor(store: Store, edited: Workflow) -> None:
    _cropping_hint(edited)
    problems = validate_workflow(edited)
    fields_tab, spec_tab, io_tab, draft_tab, history_tab = st.tabs(
        ["Fields", "Document specification", "Import / export", "Draft from a request", "History"]
    )
    with fields_tab:
        left, right = st.columns([3, 2], gap="large")
        with left:
            fields_editor(edited)
            if problems:
                st.warning("Fix before saving:\n\n" + problem_list(problems))
        with right:
            field_guide(edited.fields)
    with spec_tab:
        spec_inputs(S.define_draft.spec, key=key("spec"))
    with io_tab:
        import_export(edited, not problems and bool(edited.fields))
    with draft_tab:
        draft_from_request(edited)
    with history_tab:
        history(store, edited)


st.title("Define")
store = get_store()
if "define_draft" not in S:
    listed = store.workflows.list()
    if listed:
        open_workflow(listed[0], listed[0].id)
    else:
        open_workflow(Workflow(name=""), None)

with show_errors():
    _picker(store)
    if notice := S.pop("define_notice", None):
        st.success(notice)
    actions = st.container()
    metadata()
    try:
        edited = current()
    except SchemaError as exc:
        show_problems(exc)
    else:
        _editor(store, edited)
        with actions:
            _actions(store, edited)
