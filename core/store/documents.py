"""Documents in the store: files kept once by content hash, document rows, and the per-page OCR cache."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

__all__ = ["FileStore", "DocumentRepo"]


class FileStore:
    """Document files under one directory, named by their SHA-256, never by a user-supplied name."""

    def __init__(self, root: Path) -> None:
        self.root = root


class DocumentRepo:
    """Documents and their cached pages."""

    def __init__(self, engine: Engine, files: FileStore) -> None:
        self.engine = engine
        self.files = files
