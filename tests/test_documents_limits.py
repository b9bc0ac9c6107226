"""Bounded input: what is not a regular file, files over the size limit, images whose header lies or whose
pixels would take more memory than allowed; each refused with one line, in bounded time and memory."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PIL import Image

from core.cli import main
from core.config import get_settings
from core.documents import load_document, read_source
from core.errors import CorruptDocumentError, DocumentError, FileTooLargeError, ImageTooLargeError
from core.store import Store
from tests.test_documents import png_bytes, text_image, text_pdf

REPO = Path(__file__).resolve().parents[1]


def _fieldbench(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core", *args], capture_output=True, text=True, timeout=timeout, cwd=REPO
    )


def _one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    return lines[0]


# --------------------------------------------------------------------------- not a regular file


@pytest.mark.parametrize("command", ["extract", "inspect"])
def test_a_named_pipe_is_refused_at_once(tmp_path: Path, command: str) -> None:
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    extra = ["--schema", str(REPO / "datasets" / "invoice2data" / "schema.json")] if command == "extract" else []
    line = _one_error_line(_fieldbench(command, str(fifo), *extra, timeout=30))
    assert "is not a regular file (it is a named pipe)" in line


@pytest.mark.parametrize("command", ["extract", "inspect"])
def test_a_device_is_refused_without_reading_it(command: str) -> None:
    extra = ["--schema", str(REPO / "datasets" / "invoice2data" / "schema.json")] if command == "extract" else []
    line = _one_error_line(_fieldbench(command, "/dev/zero", *extra, timeout=30))
    assert "/dev/zero: is not a regular file (it is a character device)" in line


def test_folder_and_missing_file_say_which(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="is a folder, not a file"):
        read_source(tmp_path)
    with pytest.raises(DocumentError, match="no such file"):
        read_source(tmp_path / "missing.pdf")
    line = _one_error_line(_fieldbench("inspect", str(tmp_path)))
    assert "is a folder" in line


# --------------------------------------------------------------------------- size


def _peak_rss_mb(code: str) -> tuple[str, float]:
    """Run ``code`` in a fresh interpreter; its output and its peak resident memory in MB."""
    # VmHWM, not getrusage: ru_maxrss carries the forking parent's (this test run's) peak over into the child.
    peak = "\nprint(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))\n"
    script = textwrap.dedent(code) + peak
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    *out, rss = done.stdout.strip().splitlines()
    return "\n".join(out), int(rss) / 1024


def test_a_huge_file_of_another_kind_is_refused_after_its_header(tmp_path: Path) -> None:
    big = tmp_path / "big.pdf"
    with open(big, "wb") as out:  # 2 GB, sparse: no disk space, but 2 GB for whoever reads it whole
        out.write(b"PK\x03\x04 not a pdf")
        out.truncate(2 * 1024**3)
    out, rss = _peak_rss_mb(f"""
        from core.documents import read_source
        from core.errors import DocumentError
        try:
            read_source({str(big)!r})
        except DocumentError as exc:
            print(exc)
        """)
    assert "not a PDF, PNG, JPEG or TIFF file" in out
    assert rss < 400, f"{rss:.0f} MB to refuse a file by its header"


def test_a_pdf_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.pdf"
    with open(big, "wb") as out:
        out.write(b"%PDF-1.7\n")
        out.truncate(2 * 1024**3)
    out, rss = _peak_rss_mb(f"""
        from core.documents import read_source
        from core.errors import FileTooLargeError
        try:
            read_source({str(big)!r})
        except FileTooLargeError as exc:
            print(exc)
        """)
    assert "the file has 2,048.0 MB, more than the limit of 256.0 MB" in out and "FIELDBENCH_MAX_FILE_MB" in out
    assert rss < 400


def test_the_size_limit_is_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.pdf"
    path.write_bytes(text_pdf("Invoice 1"))
    monkeypatch.setenv("FIELDBENCH_MAX_FILE_MB", "0.0005")
    with pytest.raises(FileTooLargeError, match="more than the limit of 524 bytes"):
        read_source(path)
    with pytest.raises(FileTooLargeError):
        load_document(path.read_bytes())  # bytes are held to the same limit
    store = Store.open()
    try:
        with pytest.raises(FileTooLargeError):
            store.documents.add_and_load(path.read_bytes(), "a.pdf")
        assert store.documents.list() == []
    finally:
        store.close()
    monkeypatch.setenv("FIELDBENCH_MAX_FILE_MB", "0")
    with pytest.raises(Exception, match="FIELDBENCH_MAX_FILE_MB must be a positive number"):
        get_settings()


def test_cli_reports_the_size_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "a.pdf"
    path.write_bytes(text_pdf("Invoice 1"))
    monkeypatch.setenv("FIELDBENCH_MAX_FILE_MB", "0.0005")
    assert main(["inspect", str(path)]) == 1
    assert "FIELDBENCH_MAX_FILE_MB" in capsys.readouterr().err


# --------------------------------------------------------------------------- images


def _lying_jpeg(width: int, height: int) -> bytes:
    """A small valid JPEG whose frame header is patched to claim ``width`` x ``height`` pixels."""
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "white").save(out, "JPEG")
    data = bytearray(out.getvalue())
    start = data.find(b"\xff\xc0")
    struct.pack_into(">HH", data, start + 5, height, width)
    return bytes(data)


def test_a_jpeg_whose_header_claims_a_huge_page_is_damaged() -> None:
    data = _lying_jpeg(13000, 13000)
    assert len(data) < 1000
    with pytest.raises(CorruptDocumentError, match="cannot hold 13,000 x 13,000 pixels"):
        load_document(data, name="scan.jpg")


def test_a_page_that_would_take_too_much_memory_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    rgb = io.BytesIO()
    Image.effect_noise((1000, 1000), 64).convert("RGB").save(rgb, "PNG")  # noise: no damage suspected
    settings = get_settings().model_copy(update={"max_page_mb": 5})
    with pytest.raises(ImageTooLargeError, match=r"1,000 x 1,000 pixels in RGB: reading it takes about 9 MB") as err:
        load_document(rgb.getvalue(), name="photo.png", settings=settings)
    assert "FIELDBENCH_MAX_PAGE_MB" in str(err.value)
    # The same page in gray takes 3 bytes a pixel, not 9: it fits.
    gray = png_bytes(text_image("Total 12.50", size=(300, 120)))
    assert load_document(gray, name="gray.png", settings=settings).pages


def test_a_truncated_png_is_damaged_not_a_blank_page() -> None:
    data = png_bytes(text_image("Invoice 4711 Total 99.50"))
    with pytest.raises(CorruptDocumentError):
        load_document(data[: len(data) // 2], name="cut.png")
