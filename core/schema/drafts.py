"""Editing a workflow before it is saved: imported or drafted fields taken in, unsaved changes, export names."""

from __future__ import annotations

import re
from pathlib import PurePath

from core.schema.fields import Field, Workflow, WorkflowDraft

__all__ = ["with_imported", "with_added_fields", "has_unsaved_changes", "file_slug"]

# What a save does not compare: the version follows the store, the time is when it was saved.
_NOT_EDITED = {"created_at", "version"}


def with_imported(workflow: Workflow, draft: WorkflowDraft, file_name: str) -> Workflow:
    """``workflow`` with the fields of an imported schema file in place of its own.

    A name and a description already typed are kept; an empty name becomes the file's name for the workflow
    (or the file name without its ending), an empty description the file's.

    >>> draft = WorkflowDraft(name="", description="From a file", fields=[Field(name="total")])
    >>> imported = with_imported(Workflow(name=""), draft, "receipts.schema.json")
    >>> imported.name, imported.description, [f.name for f in imported.fields]
    ('receipts.schema', 'From a file', ['total'])
    """
    update: dict[str, object] = {"fields": draft.fields}
    if not workflow.name.strip():
        update["name"] = draft.name or PurePath(file_name).stem
    if not workflow.description.strip():
        update["description"] = draft.description
    return workflow.model_copy(update=update)


def with_added_fields(workflow: Workflow, fields: list[Field]) -> tuple[Workflow, list[Field]]:
    """``workflow`` with ``fields`` appended, except those whose name it has already; and the ones added.

    >>> workflow = Workflow(name="w", fields=[Field(name="total")])
    >>> added = with_added_fields(workflow, [Field(name="total"), Field(name="due_date", type="date")])
    >>> [f.name for f in added[0].fields], [f.name for f in added[1]]
    (['total', 'due_date'], ['due_date'])
    """
    taken = {f.name for f in workflow.fields}
    added = [f for f in fields if f.name not in taken]
    return workflow.model_copy(update={"fields": [*workflow.fields, *added]}), added


def has_unsaved_changes(workflow: Workflow, saved: Workflow | None) -> bool:
    """Whether ``workflow`` as edited differs from its saved version (always, when it was never saved).

    >>> saved = Workflow(name="w")
    >>> has_unsaved_changes(saved.model_copy(update={"version": 3}), saved), has_unsaved_changes(saved, None)
    (False, True)
    """
    if saved is None:
        return True
    return workflow.model_dump(exclude=_NOT_EDITED) != saved.model_dump(exclude=_NOT_EDITED)


def file_slug(name: str) -> str:
    """A workflow name as the start of a file name: lower case, runs of other characters as one ``_``.

    >>> file_slug("Supplier invoices (EU)"), file_slug("  ")
    ('supplier_invoices_eu', 'workflow')
    """
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "workflow"
