"""The file formats Fieldbench reads, told from the bytes (never from a file name), and reading a source.

``DOCUMENT_SUFFIXES`` is the one list of document file endings: folders, uploaders and datasets use it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from core.config import Settings, get_settings
from core.errors import (
    DocumentError,
    EmptyDocumentError,
    FieldbenchError,
    FileTooLargeError,
    UnsupportedFormatError,
)

__all__ = [
    "Kind",
    "Source",
    "DOCUMENT_SUFFIXES",
    "UPLOAD_TYPES",
    "sniff_kind",
    "detect_kind",
    "SNIFF_BYTES",
    "read_source",
    "read_file",
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


SNIFF_BYTES = 1024
"""Bytes ``sniff_kind`` looks at: a PDF header may follow some junk bytes within the first kilobyte."""


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
    if b"%PDF-" in data[:SNIFF_BYTES]:
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


def read_source(source: Source, name: str | None = None, *, settings: Settings | None = None) -> tuple[bytes, str]:
    """The bytes of a document and its display name (``name``, else the path's file name, else ``document``).

    A path is read only when it is a regular file no larger than ``settings.max_file_mb``, and only after its
    first kilobyte says it is a PDF or an image, so neither a pipe, a device nor a huge file of another kind
    is ever read whole.

    Raises:
        DocumentError: the path does not exist, is a folder, a pipe or a device, or cannot be read.
        EmptyDocumentError, UnsupportedFormatError: the file is empty, or not a PDF or an image.
        FileTooLargeError: the file (or the bytes) is larger than the limit.

    >>> read_source(b"%PDF-1.7", "a.pdf")
    (b'%PDF-1.7', 'a.pdf')
    """
    settings = settings or get_settings()
    limit = settings.max_file_bytes
    if isinstance(source, (bytes, bytearray, memoryview)):
        label = name or "document"
        if len(source) > limit:
            raise _too_large(len(source), limit, label, _FILE_HINT)
        return bytes(source), label
    path = Path(source)
    label = name or path.name
    return read_file(path, limit, head=lambda start: detect_kind(start, label), hint=_FILE_HINT), label


_FILE_HINT = "Split or compress it, or raise FIELDBENCH_MAX_FILE_MB."


def _too_large(size: int, limit: int, source: str, hint: str | None) -> FileTooLargeError:
    return FileTooLargeError(
        f"the file has {_size(size)}, more than the limit of {_size(limit)}", source=source, hint=hint
    )


def _size(n: int) -> str:
    """
    >>> _size(2 * 1024**3), _size(1536), _size(798)
    ('2,048.0 MB', '1.5 KB', '798 bytes')
    """
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:,.1f} MB"
    return f"{n / 1024:,.1f} KB" if n >= 1024 else f"{n} bytes"


def read_file(
    path: Path,
    max_bytes: int,
    *,
    head: Callable[[bytes], object] | None = None,
    hint: str | None = None,
) -> bytes:
    """The bytes of the regular file at ``path``, refused unread when it is anything else or too large.

    Args:
        path: the file.
        max_bytes: the most bytes it may have (checked against its size before reading, and while reading,
            for files that grow or report no size).
        head: called with the first ``SNIFF_BYTES`` bytes before the rest is read; raises to refuse the file.
        hint: the hint of the error when the file is too large (which setting to raise).

    Raises:
        DocumentError: no such file, a folder, not a regular file (a pipe, device or socket), unreadable, or
            too large (``FileTooLargeError``); errors of ``head``.
    """
    label = str(path)
    try:
        # O_NONBLOCK: opening a named pipe for reading would otherwise wait for a writer, forever.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise DocumentError("no such file", source=label) from None
    except IsADirectoryError:
        raise DocumentError("is a folder, not a file", source=label) from None
    except OSError as exc:
        try:
            mode = os.stat(path).st_mode
        except OSError:
            mode = stat.S_IFREG
        reason = f"is not a regular file (it is {_file_type(mode)})" if not stat.S_ISREG(mode) else ""
        raise DocumentError(reason or f"cannot read the file: {exc.strerror or exc}", source=label) from None
    status = os.fstat(fd)
    if not stat.S_ISREG(status.st_mode):
        os.close(fd)
        if stat.S_ISDIR(status.st_mode):
            raise DocumentError("is a folder, not a file", source=label)
        raise DocumentError(f"is not a regular file (it is {_file_type(status.st_mode)})", source=label)
    size = status.st_size
    with os.fdopen(fd, "rb") as file:
        try:
            if head is not None:
                head(file.read(SNIFF_BYTES))
                file.seek(0)
            if size > max_bytes:
                raise _too_large(size, max_bytes, label, hint)
            data = file.read(size + 1)
            if len(data) > size:  # it grew, or reports no size (/proc): read on, as far as the limit
                grown = bytearray(data)
                while len(grown) <= max_bytes and (more := file.read(_READ_CHUNK)):
                    grown += more
                data = bytes(grown)
        except OSError as exc:
            raise DocumentError(f"cannot read the file: {exc.strerror or exc}", source=label) from None
    if len(data) > max_bytes:
        raise _too_large(len(data), max_bytes, label, hint)
    return data


_READ_CHUNK = 1 << 20  # bytes read at a time from a file that is longer than its reported size


def _file_type(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


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
