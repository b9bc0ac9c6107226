"""``fieldbench train``, then ``extract`` and ``evaluate`` with ``--engine trained --model DIR``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.cli import main
from tests.training_docs import make_dataset


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_dataset(tmp_path_factory.mktemp("synthetic") / "invoices", per_layout=5)


def test_train_then_extract_and_evaluate_with_the_model(
    dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "model"
    assert main(["train", str(dataset), "--out", str(model), "--folds", "3"]) == 0
    out = capsys.readouterr().out
    assert "held out by document: 10 documents, 3 folds" in out and "invoice_number" in out
    assert "ECE" in out and "model saved to" in out and "training" in out
    assert (model / "model.skops").is_file() and (model / "model.json").is_file()

    document = dataset / "south_4.pdf"
    expected = json.loads(document.with_suffix(".json").read_text())
    args = ["extract", str(document), "--schema", str(dataset / "schema.json"), "--engine", "trained"]
    assert main([*args, "--model", str(model)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["engine"] == "trained" and "trained fields:" in result["engine_reason"]
    assert result["extractions"]["invoice_number"]["value"] == expected["invoice_number"]["value"]

    assert main(["evaluate", str(dataset), "--engine", "trained", "--model", str(model), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["engine"] == "trained" and report["micro_f1"] > 0.8


def test_train_json_and_no_evaluation(dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", str(dataset), "--out", str(tmp_path / "m"), "--folds", "0", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["evaluation"] is None and data["documents"] == 10 and data["fit_seconds"] > 0
    assert "invoice_number" in data["trained_fields"]


def test_extract_with_a_folder_that_is_no_model_is_one_line(
    dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["extract", str(dataset / "north_0.pdf"), "--schema", str(dataset / "schema.json")]
    assert main([*args, "--engine", "trained", "--model", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("fieldbench: error: engine 'trained' is not available") and len(err.splitlines()) == 1
