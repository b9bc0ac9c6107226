"""``fieldbench inspect``: plain text and JSON output, options, errors as one line and a non-zero exit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.cli import main
from tests.test_documents import mixed_pdf, text_pdf

REPO = Path(__file__).resolve().parents[1]


def test_plain_text_shows_each_page_with_its_size_source_and_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "two.pdf"
    path.write_bytes(text_pdf("Invoice 4711\nTotal 99.50", "Second page"))
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("=== page 1: 595 x 842 pt, text layer, 4 words, ")
    assert out[1:3] == ["Invoice 4711", "Total 99.50"]
    assert out[3].startswith("=== page 2: 595 x 842 pt, text layer, 2 words")
    assert out[4] == "Second page"


def test_json_has_exactly_the_documented_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mixed.pdf"
    path.write_bytes(mixed_pdf("Digital words", "Scanned INVOICE 9"))
    assert main(["inspect", str(path), "--json", "--text", "both", "--dpi", "200"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["pages"]
    assert [p["source"] for p in data["pages"]] == ["text", "ocr"]
    for page in data["pages"]:
        assert set(page) == {"number", "width", "height", "source", "words"}
        for word in page["words"]:
            assert set(word) == {"text", "bbox", "confidence"}
            assert len(word["bbox"]) == 4 and 0 <= word["confidence"] <= 1
    assert [w["text"] for w in data["pages"][0]["words"]] == ["Digital", "words"]
    assert "INVOICE" in [w["text"] for w in data["pages"][1]["words"]]

    # The OCR result is cached in FIELDBENCH_HOME: the second run says so.
    assert main(["inspect", str(path), "--text", "both", "--dpi", "200"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[2].startswith("=== page 2: 300 x 120 pt, OCR, ") and out[2].endswith("(cached) ===")
    assert "INVOICE" in out[3]


def test_encrypted_pdf_with_and_without_password(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(text_pdf("Secret 1", password="pw"))
    assert main(["inspect", str(path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("fieldbench: error: locked.pdf: the PDF is encrypted")
    assert "--password" in err[0]
    assert main(["inspect", str(path), "--password", "pw"]) == 0
    assert "Secret 1" in capsys.readouterr().out


def test_errors_exit_non_zero_with_one_line_on_stderr(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    for path, message in [(empty, "the file is empty"), (tmp_path / "missing.pdf", "no such file")]:
        done = subprocess.run(
            [sys.executable, "-m", "core", "inspect", str(path)], capture_output=True, text=True, cwd=REPO
        )
        assert done.returncode == 1
        assert done.stdout == ""
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("fieldbench: error:") and message in lines[0]


def test_ocr_engine_option_reads_a_scan_with_pp_ocr(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(REPO / "sample_docs" / "receipt_scan.jpg"), "--ocr", "ppocr", "--json"]) == 0
    pages = json.loads(capsys.readouterr().out)["pages"]
    assert pages[0]["source"] == "ocr"
    assert {"CORNER", "BEAN", "CAFE"} <= {w["text"] for w in pages[0]["words"]}
