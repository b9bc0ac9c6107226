"""``fieldbench schema`` and ``fieldbench workflow``: exit codes and output lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import core.cli as cli
from core.store import Store


@pytest.fixture(autouse=True)
def only_these_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    # Other concepts' command modules are tested on their own; a missing one must not fail these tests.
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("core.cli.schema_cmd", "core.cli.workflow_cmd"))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


GOOD = {
    "type": "object",
    "properties": {
        "invoice_number": {"type": "string", "description": "The invoice number as printed"},
        "total": {"type": "number", "description": "Total including tax, as a plain number"},
        "line_items": {
            "type": "array",
            "items": {"type": "object", "properties": {"qty": {"type": "integer"}}, "required": ["qty"]},
        },
    },
    "required": ["invoice_number"],
}


def test_schema_check_valid(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "schema", "check", str(write(tmp_path, "s.json", GOOD)))
    assert (code, out) == (0, ["valid: 3 fields"])


def test_schema_check_dataset_file(capsys: pytest.CaptureFixture[str], datasets: Path) -> None:
    code, out, _ = run(capsys, "schema", "check", str(datasets / "zugferd-dev" / "schema.json"))
    assert (code, out) == (0, ["valid: 12 fields"])


def test_schema_check_prints_one_line_per_problem(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = {
        "type": "object",
        "properties": {
            "1st": {"type": "string"},
            "due": {"type": "string", "format": "date"},
            "line_items": {
                "type": "array",
                "items": {"type": "object", "properties": {"qty": {"type": ["integer", "null"]}}},
            },
        },
        "required": ["nope"],
    }
    code, out, _ = run(capsys, "schema", "check", str(write(tmp_path, "bad.json", bad)))
    assert code == 1
    assert sorted(out) == sorted(
        [
            "$.properties['1st']: property name '1st' is not an identifier "
            "(letters, digits, underscores; no leading digit)",
            "$.properties.due.format: the keyword 'format' is not supported",
            "$.properties.line_items.items.properties.qty.type: union types are not supported; "
            "for an optional field leave it out of 'required'",
            "$.required[0]: 'nope' is not a property of this object",
        ]
    )


def test_schema_check_not_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "schema", "check", str(write(tmp_path, "s.yaml", "type: object\n")))
    assert code == 1
    assert out == ["$: the file is not JSON: Expecting value at line 1 column 1"]


def test_schema_check_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "schema", "check", str(tmp_path / "none.json"))
    assert code == 1 and out == []
    assert "no such file" in err and "Traceback" not in err


def test_schema_generate_prints_fields(capsys: pytest.CaptureFixture[str]) -> None:
    request = "Extract the invoice number, total amount, due date and every line item with description, quantity"
    code, out, _ = run(capsys, "schema", "generate", request, "--no-llm")
    assert code == 0
    names = [line.split()[0] for line in out if not line.startswith(" ")]
    assert names == ["invoice_number", "total_amount", "due_date", "line_items"]
    assert any(line.startswith("    quantity") for line in out)


def test_schema_generate_json_is_the_dataset_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema", "generate", "invoice number and due date", "--json", "--name", "Bills")
    assert code == 0
    data = json.loads("\n".join(out))
    assert data["name"] == "Bills"
    assert [(f["name"], f["type"]) for f in data["fields"]] == [
        ("invoice_number", "string"),
        ("due_date", "date"),
    ]
    assert data["json_schema"]["properties"]["due_date"]["description"].endswith("(date)")


def test_schema_guide_lists_scores_and_findings(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    vague = {
        "type": "object",
        "properties": {
            "date": {"type": "string", "description": "the date (date)"},
            "total": {"type": "number"},
        },
    }
    code, out, _ = run(capsys, "schema", "guide", str(write(tmp_path, "v.json", vague)), "--no-llm")
    assert code == 0
    assert out[0].startswith("date  ") and out[0].endswith("/100")
    assert any(line.strip().startswith(("warning", "error")) for line in out)
    assert any("suggestion:" in line for line in out)
    assert out[-1].startswith("overall readiness: ")


def test_workflow_create_list_export(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    schema_file = write(tmp_path, "s.json", GOOD)
    code, out, _ = run(capsys, "workflow", "create", "--schema", str(schema_file), "--name", "Invoices", "--json")
    assert code == 0
    created = json.loads("\n".join(out))
    assert created["name"] == "Invoices" and created["version"] == 1
    assert created["json_schema"] == GOOD

    code, out, _ = run(capsys, "workflow", "create", "--schema", str(schema_file), "--name", "Second")
    assert code == 0 and out[0].startswith("created workflow ") and "'Second': 3 fields, version 1" in out[0]

    code, out, _ = run(capsys, "workflow", "list")
    assert code == 0
    assert [line.split()[-1] for line in out] == ["Invoices", "Second"]
    assert out[0].startswith(created["id"])

    code, out, _ = run(capsys, "workflow", "export", created["id"])
    assert code == 0 and json.loads("\n".join(out)) == GOOD

    code, out, _ = run(capsys, "workflow", "export", created["id"], "--format", "dataset")
    data = json.loads("\n".join(out))
    assert data["name"] == "Invoices" and data["fields"][2]["items"] == [
        {"name": "qty", "type": "integer", "description": "", "required": True}
    ]

    target = tmp_path / "out.json"
    code, out, _ = run(capsys, "workflow", "export", created["id"], "-o", str(target))
    assert code == 0 and json.loads(target.read_text(encoding="utf-8")) == GOOD


def test_workflow_versions_and_older_export(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "workflow", "create", "--schema", str(write(tmp_path, "s.json", GOOD)), "--json")
    workflow_id = json.loads("\n".join(out))["id"]
    store = Store.open()
    workflow = store.workflows.get(workflow_id)
    store.workflows.save(workflow.model_copy(update={"fields": workflow.fields[:1]}))
    store.close()
    code, out, _ = run(capsys, "workflow", "versions", workflow_id)
    assert code == 0 and len(out) == 2 and out[1].endswith("removed total, line_items")
    code, out, _ = run(capsys, "workflow", "export", workflow_id, "--version", "1")
    assert json.loads("\n".join(out)) == GOOD


def test_workflow_create_rejects_bad_files_and_saves_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    not_json = write(tmp_path, "notes.txt", "invoice number, total")
    code, out, err = run(capsys, "workflow", "create", "--schema", str(not_json), "--name", "X")
    assert code == 1 and "not JSON" in err
    dup = write(tmp_path, "dup.json", {"name": "D", "fields": [{"name": "a"}, {"name": "a"}]})
    code, out, err = run(capsys, "workflow", "create", "--schema", str(dup))
    assert code == 1 and "duplicate field name" in err
    code, out, _ = run(capsys, "workflow", "list")
    assert out == ["no workflows yet: create one with `fieldbench workflow create --schema FILE --name NAME`"]


def test_workflow_export_unknown_id(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "workflow", "export", "nope")
    assert code == 1 and "no workflow with id 'nope'" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["workflow", "export", "x", "--format", "yaml"])
    assert info.value.code == 2


def test_workflow_delete(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "workflow", "create", "--schema", str(write(tmp_path, "s.json", GOOD)), "--json")
    workflow_id = json.loads("\n".join(out))["id"]
    code, out, _ = run(capsys, "workflow", "delete", workflow_id)
    assert code == 0 and out == [f"deleted workflow {workflow_id} 's' (version 1)"]
    code, out, err = run(capsys, "workflow", "delete", workflow_id)
    assert code == 1 and "no workflow with id" in err


def test_schema_check_dataset_whose_json_schema_disagrees(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, datasets: Path
) -> None:
    data = json.loads((datasets / "invoice2data" / "schema.json").read_text(encoding="utf-8"))
    data["fields"][2]["type"] = "string"  # total_amount edited by hand, json_schema left as it was
    data["json_schema"]["properties"]["extra"] = {"type": "string"}
    code, out, _ = run(capsys, "schema", "check", str(write(tmp_path, "schema.json", data)))
    assert (code, out) == (1, ["$.json_schema: does not match $.fields (differs for: total_amount, extra)"])
    data["json_schema"] = {"type": "object", "properties": {"a": {"type": "text"}}}
    code, out, _ = run(capsys, "schema", "check", str(write(tmp_path, "schema.json", data)))
    assert code == 1 and out[0].startswith("$.json_schema.properties.a.type: type 'text' is not supported")
