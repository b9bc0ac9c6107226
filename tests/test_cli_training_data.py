"""``fieldbench import``, ``feedback`` and ``template`` as a user runs them (in-process ``main``)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from core.cli import main
from core.pipeline import process
from core.schema import Workflow, load_schema_file
from core.store import Store
from tests.invoices import invoice_pdf, invoice_workflow


def _workflow(schema: Path) -> str:
    store = Store.open()
    try:
        return store.workflows.create(Workflow(name="set", fields=load_schema_file(schema).fields)).id
    finally:
        store.close()


def test_import_prints_json_with_every_file_once(
    datasets: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "set"
    shutil.copytree(datasets / "invoice2data", folder)
    (folder / "oyo.json").write_text(json.dumps({"total_amount": {"value": "lots"}}))  # wrong type
    (folder / "ghost.json").write_text(json.dumps({"total_amount": {"value": 1.0}}))  # no document
    workflow_id = _workflow(folder / "schema.json")
    code = main(["import", str(folder), "--workflow", workflow_id, "--template", "Mixed", "--json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    accepted = {a["file"] for a in report["accepted"]}
    rejected = {r["file"]: r["reason"] for r in report["rejected"]}
    assert len(accepted) == 10 and "oyo.pdf" not in accepted
    assert set(rejected) == {"oyo.pdf", "ghost.json"}
    assert report["skipped"] == ["LICENSE-DATA.txt"]  # the folder's licence is no document: left alone
    assert "total_amount: expected a number" in rejected["oyo.pdf"] and "no matching document" in rejected["ghost.json"]
    assert all(a["template"] == "Mixed" and a["status"] == "annotated" for a in report["accepted"])
    assert main(["template", "list", "--workflow", workflow_id]) == 0
    assert "Mixed: 10 annotated (5 recommended), 0 to annotate" in capsys.readouterr().out


def test_import_of_a_folder_with_nothing_acceptable_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workflow_id = _workflow(Path("sample_docs/schema.json"))
    (tmp_path / "a.pdf").write_bytes(invoice_pdf())
    assert main(["import", str(tmp_path), "--workflow", workflow_id]) == 1
    out = capsys.readouterr().out
    assert "rejected  a.pdf: no expected values (a.json is missing)" in out and "0 accepted" in out
    assert main(["import", str(tmp_path / "missing"), "--workflow", workflow_id]) == 1
    assert "no such folder" in capsys.readouterr().err


def test_feedback_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store.open()
    try:
        workflow = store.workflows.create(invoice_workflow())
        result = process(store, invoice_pdf(total="24.00"), workflow, engine="local", source="test", name="a.pdf")
    finally:
        store.close()
    expected = tmp_path / "expected.json"
    expected.write_text(json.dumps({"total": {"value": 30.0}}))
    args = ["feedback", result.processing_id, "--tag", "Acme", "--expected", str(expected), "--description", "total"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "1 of 1 values differed" in out and "total: extracted 24.0, expected 30.0" in out
    assert "under template 'Acme': annotated" in out
    expected.write_text(json.dumps({"grand_total": {"value": 30.0}}))
    assert main(["feedback", result.processing_id, "--expected", str(expected)]) == 1
    assert "grand_total: unknown field" in capsys.readouterr().err
    assert main(["feedback", result.processing_id, "--json", "--tag", "Acme"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["tag"] == "Acme" and record["expected"] is None


def test_template_commands(capsys: pytest.CaptureFixture[str]) -> None:
    workflow_id = _workflow(Path("sample_docs/schema.json"))
    assert main(["template", "create", "--workflow", workflow_id, "Acme"]) == 0
    assert main(["template", "rename", "--workflow", workflow_id, "Acme", "Acme Corp"]) == 0
    assert main(["template", "create", "--workflow", workflow_id, "Acme Corp"]) == 1
    assert "already" in capsys.readouterr().err
    assert main(["template", "delete", "--workflow", workflow_id, "Acme Corp"]) == 0
    assert main(["template", "delete", "--workflow", workflow_id, "Acme Corp"]) == 1


def test_a_workflow_is_named_by_its_id_a_start_of_it_or_its_name(capsys: pytest.CaptureFixture[str]) -> None:
    workflow_id = _workflow(Path("sample_docs/schema.json"))
    assert main(["template", "create", "--workflow", workflow_id[:6], "Acme"]) == 0
    assert main(["template", "list", "--workflow", "SET"]) == 0  # the name, in any case
    assert "Acme: 0 annotated" in capsys.readouterr().out
    assert main(["template", "list", "--workflow", workflow_id[:3]]) == 1  # too short to be taken as an id
    assert "no workflow with id" in capsys.readouterr().err
    other = _workflow(Path("sample_docs/schema.json"))  # a second workflow called "set"
    assert main(["template", "list", "--workflow", "set"]) == 1
    err = capsys.readouterr().err
    assert workflow_id in err and other in err and "give the full id" in err
    assert main(["workflow", "export", other[:8]]) == 0
    assert json.loads(capsys.readouterr().out)
