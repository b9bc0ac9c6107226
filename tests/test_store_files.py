"""Temporary files after ``kill -9``: what an interrupted process leaves is removed at the next ``Store.open``
(our prefixes only, and only once stale), and OCR writes no files at all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from core.config import get_settings
from core.documents.ocr import ocr_image
from core.store import Store
from core.store.files import FILE_TEMP_PREFIX, OCR_TEMP_PREFIX, STAGING_PREFIX, STALE_SECONDS, remove_stale
from tests.test_documents import text_image, text_pdf

REPO = Path(__file__).resolve().parents[1]


def _age(path: Path, seconds: float) -> None:
    past = time.time() - seconds
    for item in [path, *(path.rglob("*") if path.is_dir() else [])]:
        os.utime(item, (past, past))


_KILLED_WHILE_STORING = """
import os, signal, sys
from core.store import Store
store = Store.open()
os.replace = lambda *args: os.kill(os.getpid(), signal.SIGKILL)  # killed once the bytes are written
store.files.put(open(sys.argv[1], "rb").read())
"""


def test_a_document_file_half_stored_is_removed_once_stale(tmp_path: Path, fieldbench_home: Path) -> None:
    document = tmp_path / "a.pdf"
    document.write_bytes(text_pdf("Invoice 7"))
    done = subprocess.run([sys.executable, "-c", _KILLED_WHILE_STORING, str(document)], cwd=REPO, timeout=120)
    assert done.returncode == -signal.SIGKILL
    left = list(get_settings().files_dir.glob(f"*/{FILE_TEMP_PREFIX}*"))
    assert len(left) == 1 and left[0].read_bytes() == document.read_bytes()

    Store.open().close()
    assert left[0].exists()  # it could still be a live writer's
    _age(left[0], STALE_SECONDS + 60)
    store = Store.open()
    try:
        assert not left[0].exists()
        # The document is stored normally afterwards, once.
        sha = store.files.put(document.read_bytes())
        assert store.files.get(sha) == document.read_bytes()
    finally:
        store.close()


def test_only_our_stale_entries_are_removed(tmp_path: Path) -> None:
    files, models, temp = tmp_path / "files", tmp_path / "models", tmp_path / "tmp"
    ours = [
        files / "ab" / f"{FILE_TEMP_PREFIX}x1",
        models / "classifiers" / "c1" / f"{STAGING_PREFIX}v2-abc",
        temp / f"{OCR_TEMP_PREFIX}q1",
    ]
    others = [files / "ab" / ("ab" + "0" * 62), models / "classifiers" / "c1" / "v1", temp / "tess_123", temp / "x.tmp"]
    for path in ours + others:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.name.startswith((STAGING_PREFIX, OCR_TEMP_PREFIX)) or path.name == "v1":
            path.mkdir()
            (path / "page.pgm").write_bytes(b"P5")
        else:
            path.write_bytes(b"x")
        _age(path, STALE_SECONDS + 60)
    fresh = files / "cd" / f"{FILE_TEMP_PREFIX}live"
    fresh.parent.mkdir()
    fresh.write_bytes(b"being written")

    removed = remove_stale(files, models, temp)
    assert sorted(removed) == sorted(ours)
    assert all(not p.exists() for p in ours) and all(p.exists() for p in others) and fresh.exists()
    assert remove_stale(files, models, temp) == []


def test_a_staging_folder_still_being_written_is_not_stale(tmp_path: Path) -> None:
    staging = tmp_path / "models" / f"{STAGING_PREFIX}v1-abc"
    staging.mkdir(parents=True)
    (staging / "model.skops").write_bytes(b"old part")
    _age(staging, STALE_SECONDS + 60)
    (staging / "model.json").write_text("{}")  # a file just written inside: its writer is alive
    assert remove_stale(tmp_path / "files", tmp_path / "models", tmp_path / "tmp") == []


_OCR_THEN_KILLED = """
import sys
from core.documents.ocr import ocr_image
from tests.test_documents import text_image
image = text_image("Invoice number 4711 " * 4, size=(600, 300))
while True:
    ocr_image(image, lang="eng")
    print("page", flush=True)
"""


def test_ocr_writes_no_files_even_when_killed(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    # What importing our modules leaves there already (PyMuPDF writes a session note, ``.ses``) is not OCR's.
    subprocess.run(
        [sys.executable, "-c", "import core.documents.ocr, tests.test_documents"],
        cwd=REPO,
        env=env,
        check=True,
        timeout=120,
    )
    baseline = sorted(temp.iterdir())
    process = subprocess.Popen(
        [sys.executable, "-c", _OCR_THEN_KILLED], cwd=REPO, env=env, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "page"  # one page read, the next one under way
    time.sleep(0.2)
    process.kill()
    process.wait(timeout=30)
    assert sorted(temp.iterdir()) == baseline


def test_ocr_reads_words_through_pipes(tmp_path: Path) -> None:
    page = ocr_image(text_image("Total 99.50"), lang="eng")
    assert [w.text for w in page.words] == ["Total", "99.50"]
    assert all(0 <= w.confidence <= 1 and w.confidence * 100 == int(w.confidence * 100) for w in page.words)
