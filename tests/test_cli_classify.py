"""``fieldbench classify train FOLDER --out DIR`` and ``fieldbench classify PATH... --model DIR [--json]``."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from core.cli import main
from tests.test_classify import invoice_pdf, letter_pdf, make_label_folder


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("cls")
    folder = make_label_folder(root / "data", n=5)
    assert main(["classify", "train", str(folder), "--out", str(root / "model")]) == 0
    return folder, root / "model"


def test_train_prints_the_report_and_writes_the_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = make_label_folder(tmp_path / "data", n=3)
    assert main(["classify", "train", str(folder), "--out", str(tmp_path / "m"), "--pages", "all"]) == 0
    out = capsys.readouterr().out
    assert "cross-validated accuracy" in out
    assert "invoice" in out and "letter" in out
    assert "confusion matrix" in out
    assert "warning: invoice: 3 samples, 22 short of the recommended 25." in out
    assert "Unreliable despite 100% held-out accuracy: too few samples per label" in out
    meta = json.loads((tmp_path / "m" / "model.json").read_text())
    assert meta["pages"] is None and meta["labels"] == ["invoice", "letter"]


def test_classify_json(trained: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _folder, model = trained
    capsys.readouterr()
    a = tmp_path / "a.pdf"
    b = tmp_path / "b.pdf"
    a.write_bytes(invoice_pdf(random.Random(301)))
    b.write_bytes(letter_pdf(random.Random(302)))
    assert main(["classify", str(a), str(b), "--model", str(model), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(r["file"], r["label"]) for r in out] == [(str(a), "invoice"), (str(b), "letter")]
    for r in out:
        assert set(r) == {"file", "label", "confidence", "scores", "needs_review"}
        assert set(r["scores"]) == {"invoice", "letter"}
        assert r["confidence"] == max(r["scores"].values())
        assert r["needs_review"] is (r["confidence"] < 0.8)


def test_classify_a_folder_as_text(trained: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    folder, model = trained
    capsys.readouterr()
    assert main(["classify", str(folder / "letter"), "--model", str(model)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 5
    assert all("\tletter\t" in line for line in lines)


def test_unreadable_file_is_reported_and_the_rest_classified(
    trained: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _folder, model = trained
    capsys.readouterr()
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 nothing here")
    good = tmp_path / "good.pdf"
    good.write_bytes(letter_pdf(random.Random(5)))
    assert main(["classify", str(bad), str(good), "--model", str(model), "--json"]) == 1
    captured = capsys.readouterr()
    assert "bad.pdf" in captured.err
    assert [r["label"] for r in json.loads(captured.out)] == ["letter"]


def test_missing_model_and_missing_out_are_clear_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "a.pdf"
    doc.write_bytes(letter_pdf(random.Random(1)))
    assert main(["classify", str(doc), "--model", str(tmp_path / "nope")]) == 1
    assert "no classifier model" in capsys.readouterr().err
    assert main(["classify", str(doc)]) == 1
    assert "--model" in capsys.readouterr().err
    assert main(["classify", "train", str(tmp_path)]) == 1
    assert "--out" in capsys.readouterr().err


def test_train_with_a_corrupt_sample_names_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = make_label_folder(tmp_path / "data", n=2)
    (folder / "invoice" / "broken.pdf").write_bytes(b"%PDF-1.7 broken")
    assert main(["classify", "train", str(folder), "--out", str(tmp_path / "m")]) == 1
    assert "invoice/broken.pdf" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()
