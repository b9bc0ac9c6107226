"""The file formats Fieldbench reads, told from the bytes (never from a file name), and reading a source.

``DOCUMENT_SUFFIXES`` is the one list of document file endings: folders, uploaders and datasets use it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from core.errors import DocumentError, EmptyDocumentError, FieldbenchError, UnsupportedFormatError

__all__ = [
    "Kind",
    "Source",
    "DOCUMENT_SUFFIXES",
    "UPLOAD_TYPES",
    "sniff_kind",
    "detect_kind",
    "read_source",
    "is_document_file",
    "document_paths",
]

Kind = Literal["pdf", "png", "jpeg", "tiff"]

Source = bytes | str | Path
"""A document given as its bytes or as a path to its file."""

DOCUMENT_SUFFIXES: tuple[str, ...] = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")
"""File endings of documents in folders (datasets, classifier samples, sample documents)."""

UPLOAD_TYPES: list[str] = [suffix.lstrip(".") for suffix in DOCUMENT_SUFFIXES]
"""``DOCUMENT_SUFFIXES`` as an uploader's ``type`` list (no dots)."""


def sniff_kind(data: bytes) -> Kind | None:
    """The format of ``data`` from its first bytes (never from a file name); None when unsupported.

    >>> sniff_kind(b"%PDF-1.7 ..."), sniff_kind(b"\\x89PNG\\r\\n\\x1a\\n..."), sniff_kind(b"hello")
    ('pdf', 'png', None)
    """
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    # The PDF header may follow some junk bytes; readers accept it within the first kilobyte.
    if b"%PDF-" in data[:1024]:
        return "pdf"
    return None


def detect_kind(data: bytes, label: str) -> Kind:
    """The format of ``data``; raises EmptyDocumentError or UnsupportedFormatError naming ``label``."""
    if not data:
        raise EmptyDocumentError("the file is empty", source=label)
    kind = sniff_kind(data)
    if kind is None:
        raise UnsupportedFormatError(
            "not a PDF, PNG, JPEG or TIFF file",
            source=label,
            hint="Give a PDF or an image (PNG, JPEG, TIFF).",
        )
    return kind


def read_source(source: Source, name: str | None = None) -> tuple[bytes, str]:
    """The bytes of a document and its display name (``name``, else the path's file name, else ``document``).

    Raises:
        DocumentError: the path does not exist, is a folder, or cannot be read.

    >>> read_source(b"%PDF-1.7", "a.pdf")
    (b'%PDF-1.7', 'a.pdf')
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), name or "document"
    path = Path(source)
    label = name or path.name
    try:
        return path.read_bytes(), label
    except FileNotFoundError:
        raise DocumentError("no such file", source=str(path)) from None
    except IsADirectoryError:
        raise DocumentError("is a folder, not a document", source=str(path)) from None
    except OSError as exc:
        raise DocumentError(f"cannot read the file: {exc.strerror or exc}", source=str(path)) from None


def is_document_file(path: Path) -> bool:
    """A visible file whose ending is one of ``DOCUMENT_SUFFIXES``."""
    return path.is_file() and not path.name.startswith(".") and path.suffix.lower() in DOCUMENT_SUFFIXES


def document_paths(items: list[str] | list[Path]) -> list[Path]:
    """Paths given on a command line: files as they are, folders as the documents directly inside them.

    A missing file is kept (whoever reads it reports it in its turn).

    Raises:
        FieldbenchError: nothing to read.
    """
    found: list[Path] = []
    for raw in items:
        path = Path(raw)
        found += sorted(p for p in path.iterdir() if is_document_file(p)) if path.is_dir() else [path]
    if not found:
        raise FieldbenchError("no documents found", hint="Give PDF, PNG, JPEG or TIFF files or folders of them.")
    return found
