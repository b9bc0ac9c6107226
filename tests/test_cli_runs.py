"""``fieldbench runs list`` and ``runs show``: every run findable by its processing_id, its result as printed."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from core.cli import main
from core.pipeline import process
from core.schema import Field, Workflow
from core.store import Store


def test_list_then_show_gives_back_what_extract_printed(sample_docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(sample_docs / "invoice_en.pdf"), "--schema", str(sample_docs / "schema.json")]) == 0
    printed = capsys.readouterr().out
    assert main(["runs", "list", "--json"]) == 0
    [run] = json.loads(capsys.readouterr().out)
    assert (run["source"], run["status"], run["document"], run["version"]) == ("cli", "ok", "invoice_en.pdf", "v1")
    assert main(["runs", "show", run["processing_id"], "--json"]) == 0
    assert capsys.readouterr().out == printed
    assert main(["runs", "show", run["processing_id"]]) == 0
    shown = capsys.readouterr().out
    assert "invoice_number" in shown and "NW-2024-0193" in shown


def test_list_filters_by_workflow_and_days(sample_docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store.open()
    try:
        first = store.workflows.create(Workflow(name="A", fields=[Field(name="total", type="number")]))
        second = store.workflows.create(Workflow(name="B", fields=[Field(name="total", type="number")]))
        for workflow in (first, second, second):
            process(store, sample_docs / "invoice_en.pdf", workflow, engine="local", source="notebook")
    finally:
        store.close()
    assert main(["runs", "list", "--workflow", second.id, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["workflow"] for r in listed] == ["B", "B"] and len({r["processing_id"] for r in listed}) == 2
    today = date.today()
    assert main(["runs", "list", "--since", str(today + timedelta(days=1)), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["runs", "list", "--since", str(today - timedelta(days=1)), "--engine", "local"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].startswith("processing_id") and len(table) == 4


def test_bad_filters_and_unknown_runs_are_one_line_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runs", "list", "--status", "failed"]) == 1
    assert capsys.readouterr().err == "fieldbench: error: unknown run status 'failed'. Use one of: ok, error.\n"
    assert main(["runs", "show", "nope"]) == 1
    assert capsys.readouterr().err == "fieldbench: error: no run with id 'nope'.\n"
    assert main(["runs", "list", "--since", "2026-02-02", "--until", "2026-02-01"]) == 1
    assert "is before --since" in capsys.readouterr().err
