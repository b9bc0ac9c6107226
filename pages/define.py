"""Define: create and open workflows; edit name, document specification and fields with the field guide beside
them; import and export schemas; draft fields from a request; save versions and browse the history."""

from __future__ import annotations

import json
import re
from typing import Any

import pandas as pd
import streamlit as st

from core.config import get_settings
from core.documents import DocumentSpec
from core.errors import SchemaError, SchemaProblem
from core.guide.drafting import draft_fields
from core.guide.examples import examples
from core.guide.review import FieldReview, GuideReport, review_workflow
from core.schema import (
    FIELD_TYPES,
    ITEM_TYPES,
    ROW_COLUMNS,
    Field,
    Workflow,
    check_thumbnail,
    edited_fields,
    fields_to_rows,
    load_schema_file,
    set_description,
    to_dataset_schema,
    to_json_schema,
    validate_workflow,
)
from core.store import Store
from pages._common import get_store, show_errors

NEW = "__new__"
S = st.session_state

CHARSETS = {
    "latin": (
        "Latin",
        "English, German, French, Spanish, Slovak, Czech, Polish, Italian, Dutch, Slovenian, Croatian, "
        "Portuguese, Finnish, Swedish, Danish and Norwegian.",
    ),
    "japanese": ("Japanese", "Documents with Japanese characters; English words on them are read too."),
}
TEXT_MODES = {
    "printed": ("Only printed text", "Reads printed text and ignores handwriting."),
    "handwritten": ("Only handwritten text", "Reads handwriting and ignores printed text."),
    "both": ("Printed and handwritten", "Reads both printed text and handwriting."),
}
HISTORY_COLUMNS = {"created_at": "saved", "field_count": "fields", "summary": "what changed"}
SEVERITY_ICONS = {"error": ":material/error:", "warning": ":material/warning:", "info": ":material/info:"}


# --------------------------------------------------------------------------- state: ids and the draft


def _open(workflow: Workflow, workflow_id: str | None) -> None:
    """Put ``workflow`` in the editor (a new ``rev`` gives every widget a fresh key: nothing stale shows)."""
    S.define_id = workflow_id
    S.define_draft = workflow
    S.define_rev = S.get("define_rev", 0) + 1
    S.define_sub = None
    S.define_generated = None


def _replace_draft(workflow: Workflow, notice: str | None = None) -> None:
    """Make ``workflow`` the editor's new starting point (unsaved) and rerun."""
    S.define_draft = workflow
    S.define_rev += 1
    if notice:
        S.define_notice = notice
    st.rerun()


def _key(name: str) -> str:
    return f"define_{name}_{S.define_rev}"


def _open_field(fields: list[Field]) -> Field | None:
    """The field whose sub-fields are open in the second table, if it still has sub-fields."""
    return next((f for f in fields if f.name == S.get("define_sub") and f.has_sub_fields), None)


def _current_fields(with_sub_fields: bool = True) -> list[Field]:
    """The fields as edited: the draft's, plus the edits in the field table and the sub-field table."""
    if not with_sub_fields:
        return edited_fields(S.define_draft.fields, S.get(_key("fields")))
    sub_edits = S.get(_key("subfields"))
    return edited_fields(S.define_draft.fields, S.get(_key("fields")), S.get("define_sub"), sub_edits)


def _current() -> Workflow:
    """The workflow as edited on this page (not saved)."""
    draft: Workflow = S.define_draft
    spec = DocumentSpec(
        cropping=S.get(_key("cropping"), draft.spec.cropping),
        charset=S.get(_key("charset"), draft.spec.charset),
        text=S.get(_key("text"), draft.spec.text),
    )
    return draft.model_copy(
        update={
            "name": S.get(_key("name"), draft.name),
            "description": S.get(_key("description"), draft.description),
            "spec": spec,
            "fields": _current_fields(),
        }
    )


def _problem_list(problems: list[SchemaProblem]) -> str:
    return "\n".join(f"- `{p.path}`: {p.reason}" for p in problems)


def _show_problems(exc: SchemaError, title: str = "Nothing was saved") -> None:
    st.error(f"{title}: {len(exc.problems)} problem(s)\n\n{_problem_list(exc.problems)}")


def _show_sub_fields(fields: list[Field]) -> None:
    for field in fields:
        if field.sub_fields:
            st.caption(f"`{field.name}`: " + ", ".join(f"`{s.name}` ({s.type})" for s in field.sub_fields))


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "workflow"


@st.cache_data(max_entries=64, show_spinner=False)
def _review(fields_json: str, llm: bool) -> dict[str, Any]:
    fields = [Field.model_validate(f) for f in json.loads(fields_json)]
    return review_workflow(fields, llm=llm).model_dump(mode="json")


# --------------------------------------------------------------------------- sections


def _picker(store: Store) -> None:
    workflows = {w.id: w for w in store.workflows.list()}
    if S.define_id is not None and S.define_id not in workflows:
        S.define_id = None  # deleted elsewhere (e.g. the CLI): what is on the page becomes a new workflow
    options = [NEW, *workflows]
    current = S.define_id or NEW
    choice = st.selectbox(
        "Workflow",
        options,
        index=options.index(current),
        format_func=lambda i: "➕ New workflow" if i == NEW else f"{workflows[i].name} (v{workflows[i].version})",
        key=_key("pick"),
    )
    if choice is not None and choice != current:
        if choice == NEW:
            _open(Workflow(name=""), None)
        else:
            _open(store.workflows.get(choice), choice)
        st.rerun()


def _metadata() -> None:
    draft: Workflow = S.define_draft
    left, right = st.columns([3, 1])
    with left:
        st.text_input("Name", value=draft.name, key=_key("name"), placeholder="e.g. Supplier invoices")
        st.text_area("Description", value=draft.description, key=_key("description"), height=68)
    with right:
        if draft.thumbnail:
            st.image(draft.thumbnail, width=120)
            if st.button("Remove thumbnail", key=_key("thumb_remove")):
                _replace_draft(_current().model_copy(update={"thumbnail": None}))
        upload = st.file_uploader("Thumbnail (PNG or JPEG)", type=["png", "jpg", "jpeg"], key=_key("thumb"))
        if upload is not None:
            with show_errors():
                thumbnail = check_thumbnail(upload.getvalue())
                if thumbnail != draft.thumbnail:
                    _replace_draft(_current().model_copy(update={"thumbnail": thumbnail}))


def _spec() -> None:
    spec: DocumentSpec = S.define_draft.spec
    st.toggle("Cropping", value=spec.cropping, key=_key("cropping"))
    st.caption(
        "Removes the background around photographed or scanned documents, and splits several small documents "
        "scanned onto one page into one page each. Not needed for digitally born PDFs."
    )
    charsets = list(CHARSETS)
    st.radio(
        "Character set",
        charsets,
        index=charsets.index(spec.charset),
        format_func=lambda c: CHARSETS[c][0],
        captions=[CHARSETS[c][1] for c in charsets],
        key=_key("charset"),
    )
    modes = list(TEXT_MODES)
    st.radio(
        "Printed and handwritten text",
        modes,
        index=modes.index(spec.text),
        format_func=lambda m: TEXT_MODES[m][0],
        captions=[TEXT_MODES[m][1] for m in modes],
        key=_key("text"),
    )


def _table(fields: list[Field], key: str) -> None:
    frame = pd.DataFrame(fields_to_rows(fields), columns=list(ROW_COLUMNS))
    # object columns: the editor adds rows with empty cells, which a bool column cannot hold
    frame = frame.astype({"required": object, "name": str, "description": str, "values": str})
    # no choice rather than an invalid one; object dtype, as an empty list would become a float column
    frame["items"] = pd.Series([item or None for item in frame["items"]], index=frame.index, dtype=object)
    st.data_editor(
        frame,
        key=key,
        num_rows="dynamic",
        hide_index=True,
        column_config={
            "name": st.column_config.TextColumn("Name", help="letters, digits and underscores", required=True),
            "type": st.column_config.SelectboxColumn("Type", options=FIELD_TYPES, default="string", required=True),
            "items": st.column_config.SelectboxColumn(
                "Items", options=ITEM_TYPES, help="what an array holds; object = a table with its own columns"
            ),
            "description": st.column_config.TextColumn("Description", width="large"),
            "required": st.column_config.CheckboxColumn("Required", default=False),
            "values": st.column_config.TextColumn("Values", help="an enum's values, comma-separated"),
        },
    )


def _fields_editor(current: Workflow) -> None:
    st.caption("One row per field. Add rows at the bottom; select rows and press Delete to remove them.")
    _table(S.define_draft.fields, _key("fields"))
    main = _current_fields(with_sub_fields=False)
    nested = [f.name for f in main if f.has_sub_fields]
    if not nested:
        st.caption("Fields of type object, or arrays of objects (e.g. line items), get their own columns here.")
        return
    options: list[str | None] = [None, *nested]
    open_field = _open_field(main)
    open_name = open_field.name if open_field is not None else None
    choice = st.selectbox(
        "Sub-fields of",
        options,
        index=options.index(open_name),
        format_func=lambda n: "—" if n is None else n,
        key=_key("sub_pick"),
    )
    if choice != open_name:
        # Keep every edit made so far (the open sub-fields included), then open the other field's table.
        S.define_draft = current
        S.define_sub = choice
        S.define_rev += 1
        st.rerun()
    if open_field is not None:
        label = "Items of" if open_field.type == "array" else "Properties of"
        st.markdown(f"**{label} `{open_field.name}`**")
        _table(open_field.sub_fields, _key("subfields"))


def _guide(fields: list[Field]) -> None:
    st.subheader("Field guide")
    if not fields:
        st.info("Add fields to see how ready their descriptions are.")
        return
    fields_json = json.dumps([f.model_dump(mode="json") for f in fields], sort_keys=True)
    llm_ready = get_settings().llm_configured
    use_llm = llm_ready and S.get("define_llm_review") == fields_json
    report = GuideReport.model_validate(_review(fields_json, use_llm))
    st.metric("Readiness", f"{report.score}/100")
    if report.note:
        st.caption(report.note)
    for finding in report.findings:
        st.warning(finding.message, icon=SEVERITY_ICONS.get(finding.severity))
    reviews: list[FieldReview] = [r for top in report.fields for r in top.walk()]
    for position, review in enumerate(reviews):
        with st.expander(f"{review.name} — {review.score}/100", expanded=review.score < 75):
            for finding in review.findings:
                st.markdown(f"{SEVERITY_ICONS.get(finding.severity, '')} {finding.message}")
            suggestion = review.llm_suggestion or review.suggestion
            if suggestion:
                st.markdown(f"**Suggested description:** {suggestion}")
                if st.button("Apply suggestion", key=_key(f"apply_{position}_{review.name}")):
                    with show_errors():
                        edited = set_description(fields, review.name, suggestion)
                        _replace_draft(_current().model_copy(update={"fields": edited}), f"Applied to {review.name}.")
            elif not review.findings:
                st.caption("Nothing to improve.")
    needs_help = any(r.suggestion for r in reviews)
    if (
        llm_ready
        and needs_help
        and not use_llm
        and st.button("Ask the LLM for better descriptions", key=_key("llm_review"))
    ):
        S.define_llm_review = fields_json
        st.rerun()
    with st.expander("Best-practice examples"):
        kind = st.selectbox("Type", FIELD_TYPES, key=_key("example_type")) or "string"
        for example in examples(kind):
            st.markdown(f"- {example}")


def _import_export(current: Workflow, valid: bool) -> None:
    upload = st.file_uploader("Import a JSON Schema or a dataset schema.json", type=["json"], key=_key("import_file"))
    if upload is not None and st.button("Import fields", key=_key("import")):
        try:
            draft = load_schema_file(upload.getvalue())
        except SchemaError as exc:
            _show_problems(exc, f"{upload.name} was not imported")
        else:
            update: dict[str, Any] = {"fields": draft.fields}
            if not current.name.strip():
                update["name"] = draft.name or upload.name.rsplit(".", 1)[0]
            if not current.description.strip():
                update["description"] = draft.description
            _replace_draft(
                current.model_copy(update=update),
                f"Imported {len(draft.fields)} fields from {upload.name}. Review them, then Save.",
            )
    st.divider()
    if not valid:
        st.caption("Fix the problems listed under the fields to export them.")
        return
    slug = _slug(current.name)
    st.download_button(
        "Download JSON Schema",
        json.dumps(to_json_schema(current.fields), indent=2, ensure_ascii=False),
        file_name=f"{slug}.schema.json",
        mime="application/json",
        key=_key("export_json_schema"),
    )
    st.download_button(
        "Download dataset schema.json",
        json.dumps(to_dataset_schema(current), indent=2, ensure_ascii=False),
        file_name="schema.json",
        mime="application/json",
        key=_key("export_dataset"),
    )


def _draft_from_request(current: Workflow) -> None:
    request = st.text_area(
        "What should be extracted?",
        key="define_request",
        placeholder="Extract the invoice number, total amount, due date, and every line item with "
        "description, quantity, and unit price",
    )
    if st.button("Draft fields", key=_key("draft")):
        with show_errors():
            S.define_generated = draft_fields(request)
    generated: list[Field] | None = S.get("define_generated")
    if not generated:
        return
    st.caption("Drafted fields, for review. Nothing is saved until you click Save.")
    st.dataframe(pd.DataFrame(fields_to_rows(generated)), hide_index=True)
    _show_sub_fields(generated)
    replace, add, discard = st.columns(3)
    if replace.button("Use these fields", key=_key("use_draft")):
        S.define_generated = None
        _replace_draft(current.model_copy(update={"fields": generated}), "Drafted fields are in the editor.")
    if add.button("Add to the current fields", key=_key("add_draft")):
        S.define_generated = None
        taken = {f.name for f in current.fields}
        added = [f for f in generated if f.name not in taken]
        _replace_draft(current.model_copy(update={"fields": [*current.fields, *added]}), f"Added {len(added)} fields.")
    if discard.button("Discard", key=_key("discard_draft")):
        S.define_generated = None
        st.rerun()


def _history(store: Store, current: Workflow) -> None:
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
    number = st.selectbox("View version", numbers, index=len(numbers) - 1, key=_key("history_pick"))
    old = store.workflows.get(S.define_id, number)
    spec = old.spec
    st.caption(
        f"Version {number}, read-only. Cropping {'on' if spec.cropping else 'off'} · "
        f"{CHARSETS[spec.charset][0]} characters · {TEXT_MODES[spec.text][0].lower()}."
    )
    st.dataframe(pd.DataFrame(fields_to_rows(old.fields)), hide_index=True)
    _show_sub_fields(old.fields)
    if number != numbers[-1] and st.button("Load this version into the editor", key=_key("restore")):
        restored = current.model_copy(update={"fields": old.fields, "spec": old.spec})
        _replace_draft(restored, f"Version {number} is in the editor; Save makes it a new version.")


def _save(store: Store, current: Workflow) -> None:
    try:
        if S.define_id is None:
            saved = store.workflows.create(current)
            notice = f"Created “{saved.name}” (version 1)."
        else:
            before = store.workflows.get(S.define_id).version
            saved = store.workflows.save(current)
            notice = (
                f"Saved as version {saved.version}."
                if saved.version != before
                else f"Saved (fields unchanged, still version {saved.version})."
            )
    except SchemaError as exc:
        _show_problems(exc)
        return
    _open(saved, saved.id)
    S.define_notice = notice
    st.rerun()


def _delete(store: Store, workflow_id: str, name: str) -> None:
    store.workflows.delete(workflow_id)
    _open(Workflow(name=""), None)
    S.define_notice = f"Deleted “{name}”."
    st.rerun()


# --------------------------------------------------------------------------- the page

st.title("Define")
store = get_store()
if "define_draft" not in S:
    listed = store.workflows.list()
    if listed:
        _open(listed[0], listed[0].id)
    else:
        _open(Workflow(name=""), None)

with show_errors():
    _picker(store)
    if notice := S.pop("define_notice", None):
        st.success(notice)
    actions = st.container()
    _metadata()
    fields_tab, spec_tab, io_tab, draft_tab, history_tab = st.tabs(
        ["Fields", "Document specification", "Import / export", "Draft from a request", "History"]
    )
    current = None
    try:
        current = _current()
    except SchemaError as exc:
        _show_problems(exc)
    if current is not None:
        problems = validate_workflow(current)
        with fields_tab:
            left, right = st.columns([3, 2], gap="large")
            with left:
                _fields_editor(current)
                if problems:
                    st.warning("Fix before saving:\n\n" + _problem_list(problems))
            with right:
                _guide(current.fields)
        with spec_tab:
            _spec()
        with io_tab:
            _import_export(current, not problems and bool(current.fields))
        with draft_tab:
            _draft_from_request(current)
        with history_tab:
            _history(store, current)
        with actions:
            saved = store.workflows.get(S.define_id) if S.define_id else None
            dirty = saved is None or saved.model_dump(exclude={"created_at", "version"}) != current.model_dump(
                exclude={"created_at", "version"}
            )
            save_col, state_col, delete_col = st.columns([1, 4, 1])
            if save_col.button("Save", type="primary", key=_key("save"), disabled=not dirty and saved is not None):
                _save(store, current)
            version = saved.version if saved else 1
            state_col.caption(
                "Unsaved changes." if dirty else f"Saved · version {version} · a change of fields makes a new version."
            )
            if saved is not None:
                with delete_col.popover("Delete"):
                    st.write(f"Delete “{saved.name}” and all {version} version(s)? Results already made keep it.")
                    if st.button("Delete for good", type="primary", key=_key("delete")):
                        _delete(store, saved.id, saved.name)
