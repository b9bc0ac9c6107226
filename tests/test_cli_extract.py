"""``fieldbench extract`` and ``fieldbench evaluate`` as a user runs them (in-process ``main``)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from core.cli import main
from core.store import Store


def _runs() -> list[object]:
    store = Store.open()
    try:
        return store.runs.list(limit=None)
    finally:
        store.close()


def test_extract_one_document_prints_its_result(sample_docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["extract", str(sample_docs / "invoice_en.pdf"), "--schema", str(sample_docs / "schema.json")])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["document_name"] == "invoice_en.pdf"
    assert result["extractions"]["invoice_number"]["value"] == "NW-2024-0193"
    assert result["engine"] == "local"
    [run] = _runs()
    assert run.source == "cli" and run.status == "ok"  # type: ignore[attr-defined]


def test_extract_several_documents_writes_one_json_each(sample_docs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    docs = [str(sample_docs / n) for n in ("invoice_en.pdf", "rechnung_de.pdf")]
    assert main(["extract", *docs, "--schema", str(sample_docs / "schema.json"), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["invoice_en.json", "rechnung_de.json"]
    german = json.loads((out / "rechnung_de.json").read_text(encoding="utf-8"))
    assert german["extractions"]["currency"]["value"] == "EUR"
    assert len(_runs()) == 2


def test_several_documents_without_out_is_an_error(sample_docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = [str(sample_docs / n) for n in ("invoice_en.pdf", "rechnung_de.pdf")]
    assert main(["extract", *docs, "--schema", str(sample_docs / "schema.json")]) == 1
    assert "--out" in capsys.readouterr().err
    assert _runs() == []


def test_a_bad_document_among_several_is_reported_and_the_others_done(
    sample_docs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.7 truncated")
    out = tmp_path / "out"
    code = main(
        [
            "extract",
            str(bad),
            str(sample_docs / "invoice_en.pdf"),
            "--schema",
            str(sample_docs / "schema.json"),
            "--out",
            str(out),
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "broken.pdf" in err and "Traceback" not in err
    assert [p.name for p in out.iterdir()] == ["invoice_en.json"]
    assert sorted(r.status for r in _runs()) == ["error", "ok"]  # type: ignore[attr-defined]


def test_extract_with_a_saved_workflow(sample_docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from core.evaluation import load_dataset

    store = Store.open()
    saved = store.workflows.create(load_dataset(sample_docs).workflow)
    store.close()
    assert main(["extract", str(sample_docs / "rechnung_de.pdf"), "--workflow", saved.id]) == 0
    assert json.loads(capsys.readouterr().out)["workflow_id"] == saved.id


def test_extract_with_an_unavailable_engine_says_why(sample_docs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "extract",
            str(sample_docs / "invoice_en.pdf"),
            "--schema",
            str(sample_docs / "schema.json"),
            "--engine",
            "trained",
        ]
    )
    assert code == 1
    assert "no trained model" in capsys.readouterr().err


def test_evaluate_prints_per_field_scores(
    sample_docs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dataset = tmp_path / "ds"
    dataset.mkdir()
    for name in ("schema.json", "invoice_en.pdf", "invoice_en.json", "rechnung_de.pdf", "rechnung_de.json"):
        shutil.copy(sample_docs / name, dataset / name)
    assert main(["evaluate", str(dataset)]) == 0
    text = capsys.readouterr().out
    assert "invoice_number" in text and "micro" in text and "line items" in text
    assert main(["evaluate", str(dataset), "--json", "--limit", "1"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["documents"] == 1 and 0.0 <= report["micro_f1"] <= 1.0
    assert {f["field"] for f in report["fields"]} >= {"invoice_number", "total_amount"}


def test_evaluate_a_folder_without_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(tmp_path)]) == 1
    assert "schema" in capsys.readouterr().err
