"""Editing a workflow before it is saved: imports keep what was typed, drafts add only new names, unsaved edits."""

from __future__ import annotations

from pathlib import Path

from core.documents import DocumentSpec
from core.schema import (
    Field,
    Workflow,
    WorkflowDraft,
    file_slug,
    has_unsaved_changes,
    load_schema_file,
    with_added_fields,
    with_imported,
)


def test_an_import_replaces_the_fields_and_keeps_what_was_typed(datasets: Path) -> None:
    draft = load_schema_file(datasets / "zugferd-dev" / "schema.json")
    typed = Workflow(name="My invoices", description="Mine", fields=[Field(name="old")])
    imported = with_imported(typed, draft, "schema.json")
    assert (imported.name, imported.description, imported.id) == ("My invoices", "Mine", typed.id)
    assert imported.fields == draft.fields
    empty = with_imported(Workflow(name=" "), draft, "schema.json")
    assert (empty.name, empty.description) == (draft.name, draft.description)
    unnamed = with_imported(Workflow(name=""), WorkflowDraft(fields=draft.fields), "receipts.json")
    assert unnamed.name == "receipts"


def test_drafted_fields_are_added_under_new_names_only() -> None:
    workflow = Workflow(name="w", fields=[Field(name="total", description="mine")])
    drafted = [Field(name="total", description="drafted"), Field(name="due_date", type="date")]
    edited, added = with_added_fields(workflow, drafted)
    assert [(f.name, f.description) for f in edited.fields] == [("total", "mine"), ("due_date", "")]
    assert added == drafted[1:]
    assert with_added_fields(workflow, [])[0] == workflow


def test_unsaved_changes_are_any_edit_but_version_and_time() -> None:
    saved = Workflow(name="w", fields=[Field(name="total")])
    assert not has_unsaved_changes(saved.model_copy(update={"version": 2, "created_at": saved.created_at}), saved)
    for update in (
        {"name": "v"},
        {"description": "d"},
        {"thumbnail": b"\x89PNG"},
        {"spec": DocumentSpec(cropping=True)},
        {"fields": []},
    ):
        assert has_unsaved_changes(saved.model_copy(update=update), saved), update
    assert has_unsaved_changes(saved, None)


def test_file_slugs_are_safe_file_name_starts() -> None:
    assert file_slug("Über/../etc Rechnungen 2024") == "ber_etc_rechnungen_2024"
    assert file_slug("___") == "workflow"
