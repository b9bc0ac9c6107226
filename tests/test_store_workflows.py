"""Workflows in the store: create, versions on every change of fields or spec, metadata in place, the demo."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from core.demo import DEMO_WORKFLOW_ID, ensure_demo_workflow
from core.documents import DocumentSpec
from core.errors import FieldbenchError, NotFoundError, SchemaError, StoreError
from core.schema import Field, Workflow
from core.store import Store
from core.store.workflows import describe_changes


def invoice() -> Workflow:
    return Workflow(
        name="Invoices",
        description="Supplier invoices",
        fields=[
            Field(name="invoice_number", description="The number", required=True),
            Field(name="total", type="number", description="Total, as a plain number"),
            Field(
                name="line_items",
                type="array",
                items=Field(name="item", type="object", properties=[Field(name="description"), Field(name="qty")]),
            ),
        ],
    )


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(out, format="PNG")
    return out.getvalue()


def count_rows(store: Store, table: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(sa.text(f"select count(*) from {table}")).scalar_one())


def test_create_then_get_returns_the_same_workflow(store: Store) -> None:
    created = store.workflows.create(invoice().model_copy(update={"thumbnail": png()}))
    got = store.workflows.get(created.id)
    assert got == created
    assert got.version == 1 and got.thumbnail == png()
    assert got.created_at.tzinfo is not None


def test_data_survives_reopening_the_store(tmp_path: Path) -> None:
    first = Store.open()
    created = first.workflows.create(invoice())
    first.close()
    second = Store.open()
    assert second.workflows.get(created.id).fields == invoice().fields
    second.close()


def test_every_change_of_fields_adds_a_version_and_old_ones_stay_readable(store: Store) -> None:
    v1 = store.workflows.create(invoice())
    fields = list(v1.fields)
    fields[1] = fields[1].model_copy(update={"type": "integer"})
    v2 = store.workflows.save(v1.model_copy(update={"fields": [*fields, Field(name="due_date", type="date")]}))
    assert v2.version == 2
    v3 = store.workflows.save(v2.model_copy(update={"fields": v2.fields[1:]}))
    assert v3.version == 3
    assert store.workflows.get(v1.id).version == 3
    assert store.workflows.get(v1.id, 1).fields == invoice().fields
    assert store.workflows.get(v1.id, 2).fields[1].type == "integer"
    assert [f.name for f in store.workflows.get(v1.id, 3).fields] == ["total", "line_items", "due_date"]
    history = store.workflows.versions(v1.id)
    assert [(v.version, v.field_count) for v in history] == [(1, 3), (2, 4), (3, 3)]
    assert history[0].summary == "created with 3 fields"
    assert history[1].summary == "added due_date; changed total (type string → integer)".replace("string", "number")
    assert history[2].summary == "removed invoice_number"


def test_a_change_in_nested_item_fields_is_a_new_version(store: Store) -> None:
    v1 = store.workflows.create(invoice())
    line_items = v1.fields[2]
    assert line_items.items is not None
    items = line_items.items.model_copy(
        update={"properties": [Field(name="description"), Field(name="qty", type="integer")]}
    )
    fields = [*v1.fields[:2], line_items.model_copy(update={"items": items})]
    v2 = store.workflows.save(v1.model_copy(update={"fields": fields}))
    assert v2.version == 2
    summary = store.workflows.versions(v1.id)[1].summary
    assert summary == "changed line_items (sub-fields: changed qty (type string → integer))"


def test_metadata_edits_update_in_place(store: Store) -> None:
    v1 = store.workflows.create(invoice())
    saved = store.workflows.save(
        v1.model_copy(update={"name": "Supplier invoices", "description": "", "thumbnail": png()})
    )
    assert saved.version == 1
    got = store.workflows.get(v1.id)
    assert (got.name, got.description, got.thumbnail) == ("Supplier invoices", "", png())
    assert len(store.workflows.versions(v1.id)) == 1
    # Metadata is not versioned: the old version shows today's name.
    assert store.workflows.get(v1.id, 1).name == "Supplier invoices"


def test_a_change_of_the_document_specification_is_a_new_version(store: Store) -> None:
    v1 = store.workflows.create(invoice())
    v2 = store.workflows.save(v1.model_copy(update={"spec": DocumentSpec(charset="japanese", text="both")}))
    assert v2.version == 2
    assert store.workflows.get(v1.id, 1).spec == DocumentSpec()
    assert store.workflows.get(v1.id).spec.charset == "japanese"
    assert "charset latin → japanese" in store.workflows.versions(v1.id)[1].summary


def test_saving_an_unchanged_workflow_adds_no_version(store: Store) -> None:
    v1 = store.workflows.create(invoice())
    assert store.workflows.save(store.workflows.get(v1.id)).version == 1
    assert count_rows(store, "workflow_versions") == 1


def test_list_shows_latest_versions_by_name(store: Store) -> None:
    b = store.workflows.create(invoice().model_copy(update={"name": "b receipts"}))
    a = store.workflows.create(invoice().model_copy(update={"name": "A invoices"}))
    store.workflows.save(b.model_copy(update={"fields": b.fields[:1]}))
    listed = store.workflows.list()
    assert [(w.name, w.version, len(w.fields)) for w in listed] == [
        ("A invoices", 1, 3),
        ("b receipts", 2, 1),
    ]
    assert listed[0].id == a.id


@pytest.mark.parametrize(
    "bad",
    [
        invoice().model_copy(update={"name": "  "}),
        invoice().model_copy(update={"fields": [Field(name="a"), Field(name="a")]}),
        invoice().model_copy(update={"fields": [Field(name="")]}),
        invoice().model_copy(update={"fields": [Field(name="e", type="enum")]}),
        invoice().model_copy(update={"thumbnail": b"GIF89a not a png"}),
    ],
)
def test_invalid_workflows_are_never_saved(store: Store, bad: Workflow) -> None:
    with pytest.raises(SchemaError):
        store.workflows.create(bad)
    assert count_rows(store, "workflows") == 0
    good = store.workflows.create(invoice())
    with pytest.raises(SchemaError):
        store.workflows.save(bad.model_copy(update={"id": good.id}))
    assert store.workflows.get(good.id) == good
    assert count_rows(store, "workflow_versions") == 1


def test_unknown_ids_and_versions_are_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.workflows.get("nope")
    with pytest.raises(NotFoundError):
        store.workflows.save(invoice())
    with pytest.raises(NotFoundError):
        store.workflows.versions("nope")
    with pytest.raises(NotFoundError):
        store.workflows.delete("nope")
    created = store.workflows.create(invoice())
    with pytest.raises(NotFoundError, match="version"):
        store.workflows.get(created.id, 2)


def test_creating_the_same_id_twice_is_refused(store: Store) -> None:
    created = store.workflows.create(invoice())
    with pytest.raises(StoreError, match="already exists"):
        store.workflows.create(created)


def test_delete_removes_the_workflow_and_its_versions(store: Store) -> None:
    created = store.workflows.create(invoice())
    store.workflows.save(created.model_copy(update={"fields": created.fields[:1]}))
    store.workflows.delete(created.id)
    assert store.workflows.list() == []
    assert count_rows(store, "workflow_versions") == 0
    assert not store.workflows.exists(created.id)


def test_describe_changes_mentions_reorders_and_required() -> None:
    a, b = Field(name="a"), Field(name="b")
    assert describe_changes([a, b], [b, a]) == "reordered fields"
    assert describe_changes([a], [a.model_copy(update={"required": True})]) == "changed a (required)"
    assert describe_changes([a], [a]) == "no change"


# --------------------------------------------------------------------------- the demo workflow


def test_demo_workflow_is_created_once(store: Store, sample_docs: Path, datasets: Path, tmp_path: Path) -> None:
    folder = sample_docs
    if not (folder / "schema.json").is_file():
        folder = tmp_path / "samples"
        folder.mkdir()
        shutil.copy(datasets / "invoice2data" / "schema.json", folder / "schema.json")
    demo = ensure_demo_workflow(store, folder)
    assert demo.id == DEMO_WORKFLOW_ID and demo.name == "Demo invoices" and demo.fields
    edited = store.workflows.save(demo.model_copy(update={"fields": demo.fields[:2]}))
    again = ensure_demo_workflow(store, folder)
    assert again == edited
    assert len(store.workflows.list()) == 1


def test_missing_demo_schema_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(FieldbenchError, match="demo schema"):
        ensure_demo_workflow(store, tmp_path)
    assert store.workflows.list() == []


def test_two_saves_of_the_same_version_at_once_do_not_both_win(store: Store) -> None:
    created = store.workflows.create(invoice())
    store.workflows.save(created.model_copy(update={"fields": created.fields[:1]}))
    # The race: this save read version 1 as the latest while another process was writing version 2.
    with store.engine.begin() as conn:
        conn.execute(sa.text("update workflows set latest_version = 1 where id = :id"), {"id": created.id})
    with pytest.raises(StoreError, match="saved elsewhere"):
        store.workflows.save(created.model_copy(update={"fields": created.fields[:2]}))
    assert [v.version for v in store.workflows.versions(created.id)] == [1, 2]
    assert len(store.workflows.get(created.id, 2).fields) == 1


def test_resolve_takes_the_id_a_unique_start_of_it_or_the_unique_name(store: Store) -> None:
    first = store.workflows.create(invoice())
    assert store.workflows.resolve(first.id) == first.id
    assert store.workflows.resolve(first.id[:4]) == first.id
    assert store.workflows.resolve(first.name.upper()) == first.id
    with pytest.raises(NotFoundError, match="no workflow with id"):
        store.workflows.resolve(first.id[:3])
    with pytest.raises(NotFoundError, match="no workflow with id"):
        store.workflows.resolve("100%")  # a LIKE wildcard is a character like any other
    second = store.workflows.create(invoice())
    with pytest.raises(NotFoundError) as raised:
        store.workflows.resolve(first.name)
    assert raised.value.hint is not None and first.id in raised.value.hint and second.id in raised.value.hint
