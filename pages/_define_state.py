"""The Define page's state: which workflow is open, its draft in ``st.session_state``, the widget keys, and
the workflow as edited so far (the draft plus what its widgets hold)."""

from __future__ import annotations

from typing import NoReturn

import streamlit as st

from core.schema import Field, Workflow, edited_fields
from pages._widgets import spec_from_state

__all__ = [
    "NEW",
    "S",
    "current",
    "current_fields",
    "description_key",
    "key",
    "open_field",
    "open_workflow",
    "replace_draft",
]

NEW = "__new__"
"""The picker's choice for a workflow not saved yet."""
S = st.session_state


def open_workflow(workflow: Workflow, workflow_id: str | None) -> None:
    """Put ``workflow`` in the editor (a new ``rev`` gives every widget a fresh key: nothing stale shows)."""
    S.define_id = workflow_id
    S.define_draft = workflow
    S.define_rev = S.get("define_rev", 0) + 1
    S.define_sub = None
    S.define_generated = None


def replace_draft(workflow: Workflow, notice: str | None = None) -> NoReturn:
    """Make ``workflow`` the editor's new starting point (unsaved) and rerun."""
    S.define_draft = workflow
    S.define_rev += 1
    if notice:
        S.define_notice = notice
    st.rerun()


def key(name: str) -> str:
    """The key of one of the editor's widgets, new for every workflow opened or draft replaced."""
    return f"define_{name}_{S.define_rev}"


def description_key(name: str) -> str:
    """The key of the description editor of the top-level field called ``name``."""
    return key(f"desc_{name}")


def _with_typed_descriptions(fields: list[Field]) -> list[Field]:
    """``fields`` with the descriptions typed in their editors (the table does not show descriptions).

    A field renamed in the table keeps what was typed under its old name: the editor of the draft's field at the
    same place, when that name is gone (the table's own rule for a rename in place).
    """
    draft = [f.name for f in S.define_draft.fields]
    names = {f.name for f in fields}
    typed: list[Field] = []
    for index, field in enumerate(fields):
        text = S.get(description_key(field.name))
        if text is None and index < len(draft) and draft[index] not in names:
            text = S.get(description_key(draft[index]))
        typed.append(field if text is None else field.model_copy(update={"description": text}))
    return typed


def open_field(fields: list[Field]) -> Field | None:
    """The field whose sub-fields are open in the second table, if it still has sub-fields."""
    return next((f for f in fields if f.name == S.get("define_sub") and f.has_sub_fields), None)


def current_fields(with_sub_fields: bool = True) -> list[Field]:
    """The fields as edited: the draft's, plus the edits in the field table and the sub-field table.

    Raises:
        SchemaError: a row has an unknown type.
    """
    if not with_sub_fields:
        return _with_typed_descriptions(edited_fields(S.define_draft.fields, S.get(key("fields"))))
    sub_edits = S.get(key("subfields"))
    edited = edited_fields(S.define_draft.fields, S.get(key("fields")), S.get("define_sub"), sub_edits)
    return _with_typed_descriptions(edited)


def current() -> Workflow:
    """The workflow as edited on the page (not saved).

    Raises:
        SchemaError: a row has an unknown type.
    """
    draft: Workflow = S.define_draft
    return draft.model_copy(
        update={
            "name": S.get(key("name"), draft.name),
            "description": S.get(key("description"), draft.description),
            "spec": spec_from_state(key("spec"), draft.spec),
            "fields": current_fields(),
        }
    )
