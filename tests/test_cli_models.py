"""``fieldbench train --workflow``, ``fieldbench models`` and ``extract --workflow`` following the active version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.cli import main
from core.store import Store
from tests.training_docs import WORKFLOW, make_dataset


def test_train_a_stored_workflow_then_activate_and_roll_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = make_dataset(tmp_path / "set", per_layout=4)
    store = Store.open()
    try:
        workflow_id = store.workflows.create(WORKFLOW.model_copy(deep=True)).id
    finally:
        store.close()
    assert main(["import", str(folder), "--workflow", workflow_id, "--json"]) == 0
    capsys.readouterr()
    assert main(["train", "--workflow", workflow_id]) == 0
    out = capsys.readouterr().out
    assert "held out by document" in out and "version 1 saved" in out
    assert main(["models", "list", "--workflow", workflow_id, "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert listing["active"] is None and [v["version"] for v in listing["versions"]] == [1]
    assert listing["runs"][0]["status"] == "succeeded"
    document = next(folder.glob("*.pdf"))
    assert main(["extract", str(document), "--workflow", workflow_id]) == 0
    assert json.loads(capsys.readouterr().out)["engine"] == "local"
    assert main(["models", "activate", "--workflow", workflow_id, "1"]) == 0
    assert "version 1 is active" in capsys.readouterr().out
    assert main(["extract", str(document), "--workflow", workflow_id]) == 0
    assert json.loads(capsys.readouterr().out)["engine"] == "trained"
    assert main(["models", "rollback", "--workflow", workflow_id]) == 0
    assert "no trained model is active" in capsys.readouterr().out
    assert main(["models", "activate", "--workflow", workflow_id, "7"]) == 1
    assert "no model version" in capsys.readouterr().err


def test_train_needs_a_dataset_or_a_workflow(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train"]) == 1
    assert "nothing to train" in capsys.readouterr().err
