"""The document store: files by content hash, document rows, the OCR page cache across processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.documents import Page
from core.errors import (
    EmptyDocumentError,
    EncryptedDocumentError,
    NotFoundError,
    StoreError,
    UnsupportedFormatError,
)
from core.store import Store
from core.store.documents import FileStore
from tests.test_documents import mixed_pdf, text_pdf

REPO = Path(__file__).resolve().parents[1]


def _stored_files(home: Path) -> list[Path]:
    files = home / "files"
    return [p for p in files.rglob("*") if p.is_file()] if files.exists() else []


def test_file_store_keeps_bytes_once_by_hash(tmp_path: Path) -> None:
    files = FileStore(tmp_path / "files")
    sha = files.put(b"some document bytes")
    assert files.put(b"some document bytes") == sha
    assert files.get(sha) == b"some document bytes"
    assert files.path(sha) == tmp_path / "files" / sha[:2] / sha
    assert [p.name for p in (tmp_path / "files").rglob("*") if p.is_file()] == [sha]  # no temp files left
    for bad in ("../../etc/passwd", "invoice.pdf", sha.upper(), sha[:-1]):
        with pytest.raises(StoreError, match="not a document id"):
            files.path(bad)
    with pytest.raises(NotFoundError):
        files.get("0" * 64)


def test_add_get_list_and_idempotent_add(fieldbench_home: Path) -> None:
    store = Store.open()
    data = text_pdf("Invoice 1", "page two")
    record = store.documents.add(data, "invoice.pdf")
    assert (record.name, record.kind, record.pages, record.size) == ("invoice.pdf", "pdf", 2, len(data))
    assert store.documents.get(record.id) == record
    again = store.documents.add(data, "same bytes other name.pdf")
    assert again == record
    assert [r.id for r in store.documents.list()] == [record.id]
    assert store.documents.data(record.id) == data
    assert len(_stored_files(fieldbench_home)) == 1
    with pytest.raises(NotFoundError, match="no document with id"):
        store.documents.get("f" * 64)
    store.close()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", EmptyDocumentError),
        (b"plain text", UnsupportedFormatError),
        (text_pdf("x", password="pw"), EncryptedDocumentError),
    ],
)
def test_bad_input_stores_nothing(fieldbench_home: Path, data: bytes, error: type[Exception]) -> None:
    store = Store.open()
    with pytest.raises(error):
        store.documents.add_and_load(data, "bad.pdf")
    with pytest.raises(error):
        store.documents.add(data, "bad.pdf")
    assert store.documents.list() == []
    assert _stored_files(fieldbench_home) == []
    store.close()


def test_encrypted_document_is_stored_and_loaded_with_its_password() -> None:
    store = Store.open()
    document = store.documents.add_and_load(text_pdf("Locked 7", password="pw"), "locked.pdf", password="pw")
    assert store.documents.load(document.id, password="pw").text == "Locked 7"
    with pytest.raises(EncryptedDocumentError):
        store.documents.load(document.id)


def test_cache_round_trip_of_pages() -> None:
    store = Store.open()
    page = Page(number=3, width=100, height=50, source="ocr", seconds=1.5, source_page=2, crop=(1, 2, 3, 4))
    assert store.documents.get_cache("a" * 64, 2, "opts") is None
    store.documents.put_cache("a" * 64, 2, "opts", [page])
    store.documents.put_cache("a" * 64, 2, "opts", [page])  # a second writer is harmless
    assert store.documents.get_cache("a" * 64, 2, "opts") == [page]
    assert store.documents.get_cache("a" * 64, 2, "other options") is None
    assert (store.documents.cache_hits, store.documents.cache_misses) == (1, 2)


def test_second_load_reads_ocr_from_the_cache_even_in_another_process(fieldbench_home: Path, tmp_path: Path) -> None:
    store = Store.open()
    first = store.documents.add_and_load(mixed_pdf("Digital page", "Scanned RECEIPT 777"), "mixed.pdf")
    assert [p.source for p in first.pages] == ["text", "ocr"]
    assert [p.cached for p in first.pages] == [False, False]
    assert (store.documents.cache_hits, store.documents.cache_misses) == (0, 1)
    again = store.documents.load(first.id)
    assert (store.documents.cache_hits, store.documents.cache_misses) == (1, 1)
    assert again.pages[1].cached and again.pages[1].words == first.pages[1].words
    store.close()

    # Another process, with Tesseract unable to run (no language data): it can only succeed from the cache.
    empty = tmp_path / "no-tessdata"
    empty.mkdir()
    script = (
        "import json, sys\n"
        "from core.store import Store\n"
        "store = Store.open()\n"
        "doc = store.documents.load(sys.argv[1])\n"
        "print(json.dumps({'sources': [p.source for p in doc.pages],\n"
        "  'cached': [p.cached for p in doc.pages],\n"
        "  'text': doc.pages[1].text, 'hits': store.documents.cache_hits,\n"
        "  'names': [r.name for r in store.documents.list()]}))\n"
    )
    env = {**os.environ, "FIELDBENCH_HOME": str(fieldbench_home), "TESSDATA_PREFIX": str(empty)}
    done = subprocess.run(
        [sys.executable, "-c", script, first.id],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen == {
        "sources": ["text", "ocr"],
        "cached": [False, True],
        "text": first.pages[1].text,
        "hits": 1,
        "names": ["mixed.pdf"],
    }
    assert "RECEIPT" in seen["text"]


def test_changing_the_text_mode_reads_the_page_again() -> None:
    store = Store.open()
    data = mixed_pdf("Digital page", "Scanned NOTE 5")
    from core.documents import DocumentSpec

    store.documents.add_and_load(data, "m.pdf", spec=DocumentSpec(text="printed"))
    doc = store.documents.add_and_load(data, "m.pdf", spec=DocumentSpec(text="both"))
    assert not doc.pages[1].cached and store.documents.cache_misses == 2
    assert len(store.documents.list()) == 1
