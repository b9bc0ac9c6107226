"""Templates, regular and pre-annotated uploads, dataset folders: every file in the report, rejects change nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.annotation.progress import RECOMMENDATION_RULE, training_progress
from core.annotation.uploads import import_folder, upload_documents, upload_pre_annotated
from core.annotation.values import expected_of
from core.errors import StoreError
from core.schema import Workflow
from core.store import Store
from tests.invoices import invoice_pdf, invoice_workflow


@pytest.fixture
def workflow(store: Store) -> Workflow:
    return store.workflows.create(invoice_workflow())


def _rows(store: Store, table: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(sa.text(f"select count(*) from {table}")).scalar_one())


def _expected(**values: object) -> bytes:
    return json.dumps({name: {"value": value} for name, value in values.items()}).encode()


def test_templates_are_created_renamed_and_deleted_keeping_their_documents(store: Store, workflow: Workflow) -> None:
    acme = store.templates.create(workflow.id, "  Acme   Corp ")
    assert acme.name == "Acme Corp"
    with pytest.raises(StoreError, match="already"):
        store.templates.create(workflow.id, "Acme Corp")
    with pytest.raises(StoreError, match="needs a name"):
        store.templates.create(workflow.id, "   ")
    report = upload_documents(store, workflow, [("a.pdf", invoice_pdf())], template="Acme Corp")
    assert report.accepted[0].template == "Acme Corp"
    renamed = store.templates.rename(acme.id, "Acme Corporation")
    assert [t.name for t in store.templates.list(workflow.id)] == ["Acme Corporation"] == [renamed.name]
    store.templates.delete(acme.id)
    (doc,) = store.training.list(workflow.id)
    assert doc.template_id is None  # the document stays, without a template


def test_a_regular_upload_needs_annotation_and_other_files_are_rejected(store: Store, workflow: Workflow) -> None:
    report = upload_documents(
        store, workflow, [("a.pdf", invoice_pdf()), ("notes.txt", b"hello"), ("broken.pdf", b"%PDF-1.7 junk")]
    )
    assert [a.file for a in report.accepted] == ["a.pdf"] and report.accepted[0].status == "needs_annotation"
    reasons = {r.file: r.reason for r in report.rejected}
    assert "not a document" in reasons["notes.txt"] and "PDF" in reasons["broken.pdf"]
    assert _rows(store, "documents") == 1  # the unreadable file was not stored


def test_a_pre_annotated_upload_is_annotated_at_once_with_located_values(store: Store, workflow: Workflow) -> None:
    files = [
        ("inv.pdf", invoice_pdf(number="INV-7", total="24.00")),
        ("inv.json", _expected(invoice_number="INV-7", total=24.0, invoice_date="2024-01-03", seller=None)),
    ]
    report = upload_pre_annotated(store, workflow, files, template="Acme")
    (accepted,) = report.accepted
    assert accepted.status == "annotated" and accepted.values == 3 and accepted.located == 3
    (doc,) = store.training.list(workflow.id)
    values = {v.path: v for v in store.training.values(doc.id)}
    assert values["total"].located and values["total"].text == "24.00" and values["total"].page == 1
    assert values["total"].source == "pre_annotated" and values["total"].workflow_version == workflow.version
    assert values["seller"].value is None  # "no seller on this document" is kept as an annotation
    assert expected_of(values.values())["invoice_number"] == "INV-7"


def test_the_report_names_every_reason_and_rejects_change_nothing(store: Store, workflow: Workflow) -> None:
    files = [
        ("good.pdf", invoice_pdf(number="INV-1")),
        ("good.json", _expected(invoice_number="INV-1")),
        ("unknown.pdf", invoice_pdf(number="INV-2")),
        ("unknown.json", _expected(invoice_no="INV-2")),
        ("wrongtype.pdf", invoice_pdf(number="INV-3")),
        ("wrongtype.json", _expected(total="24 EUR")),
        ("orphan.json", _expected(invoice_number="INV-4")),
        ("nojson.pdf", invoice_pdf(number="INV-5")),
        ("unreadable.pdf", b"not a pdf at all"),
        ("unreadable.json", _expected(invoice_number="INV-6")),
        ("badjson.pdf", invoice_pdf(number="INV-7")),
        ("badjson.json", b"{not json"),
    ]
    report = upload_pre_annotated(store, workflow, files)
    assert [a.file for a in report.accepted] == ["good.pdf"]
    reasons = {r.file: r.reason for r in report.rejected}
    assert set(reasons) == {
        "unknown.pdf",
        "wrongtype.pdf",
        "orphan.json",
        "nojson.pdf",
        "unreadable.pdf",
        "badjson.pdf",
    }
    assert "invoice_no: unknown field" in reasons["unknown.pdf"]
    assert "total: expected a number" in reasons["wrongtype.pdf"]
    assert "no matching document" in reasons["orphan.json"]
    assert "no expected values" in reasons["nojson.pdf"]
    assert "not a PDF" in reasons["unreadable.pdf"]
    assert "not valid JSON" in reasons["badjson.pdf"]
    # Only the accepted document was stored or added.
    assert _rows(store, "documents") == 1 and _rows(store, "training_documents") == 1


def test_a_dataset_folder_imports_and_counts_per_template(store: Store, datasets: Path, tmp_path: Path) -> None:
    folder = tmp_path / "set"
    shutil.copytree(datasets / "invoice2data", folder)
    (folder / "stray.json").write_text('{"total": {"value": 1}}')
    draft_fields = json.loads((folder / "schema.json").read_text())
    from core.schema import load_schema_file

    workflow = store.workflows.create(
        Workflow(name=draft_fields["name"], fields=load_schema_file(folder / "schema.json").fields)
    )
    report = import_folder(store, workflow, folder, template="invoice2data")
    assert len(report.accepted) == 11 and all(a.status == "annotated" for a in report.accepted)
    assert {r.file for r in report.rejected} == {"stray.json"}
    assert report.skipped == ["LICENSE-DATA.txt"] and "1 skipped" in report.summary()
    located = sum(a.located for a in report.accepted) / sum(a.values for a in report.accepted)
    assert located > 0.95
    (progress,) = training_progress(store, workflow.id)
    assert (progress.name, progress.annotated, progress.recommended, progress.missing) == ("invoice2data", 11, 5, 0)
    assert "5 annotated documents per template" in RECOMMENDATION_RULE
    again = import_folder(store, workflow, folder, template="invoice2data")
    assert all(a.updated for a in again.accepted) and _rows(store, "training_documents") == 11


def test_progress_counts_documents_without_template_and_since_the_last_training(
    store: Store, workflow: Workflow
) -> None:
    upload_documents(store, workflow, [("a.pdf", invoice_pdf(number="A")), ("b.pdf", invoice_pdf(number="B"))])
    upload_pre_annotated(
        store, workflow, [("c.pdf", invoice_pdf(number="C")), ("c.json", _expected(invoice_number="C"))]
    )
    (loose,) = training_progress(store, workflow.id)
    assert (loose.template_id, loose.documents, loose.annotated, loose.needs_annotation) == (None, 3, 1, 2)
    assert loose.recommended == 10 and loose.added_since_training == 1
    (doc,) = store.training.list(workflow.id, status="annotated")
    later = doc.annotated_at.replace(year=doc.annotated_at.year + 1)  # type: ignore[union-attr]
    assert training_progress(store, workflow.id, since=later)[0].added_since_training == 0


def test_deleting_a_workflow_deletes_its_training_data(store: Store, workflow: Workflow) -> None:
    upload_pre_annotated(
        store, workflow, [("c.pdf", invoice_pdf()), ("c.json", _expected(invoice_number="INV-1001"))], template="T"
    )
    store.workflows.delete(workflow.id)
    assert _rows(store, "training_documents") == _rows(store, "annotations") == _rows(store, "templates") == 0
