"""Documents in the store: files kept once by content hash, document rows, and the per-page OCR cache.

The OCR cache (table ``page_cache``) makes re-running anything on the same document free of OCR, across
processes: ``DocumentRepo`` is the ``core.documents.PageCache`` that ``load`` and ``add_and_load`` use.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from pydantic import BaseModel, Field, TypeAdapter
from sqlalchemy.engine import Engine

from core.config import Settings
from core.documents import Document, DocumentSpec, Kind, Page, PageCache, inspect_bytes, load_document
from core.errors import NotFoundError, StoreError
from core.store.db import metadata
from core.store.files import FILE_TEMP_PREFIX

__all__ = ["FileStore", "DocumentRecord", "DocumentRepo", "documents_table", "page_cache_table"]

documents_table = sa.Table(
    "documents",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("pages", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

page_cache_table = sa.Table(
    "page_cache",
    metadata,
    # No foreign key to documents: any loaded bytes may be cached, stored as a document or not.
    sa.Column("document_id", sa.String(64), primary_key=True),
    sa.Column("source_page", sa.Integer, primary_key=True),
    sa.Column("options", sa.String(200), primary_key=True),
    sa.Column("pages", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

_SHA = re.compile(r"[0-9a-f]{64}")
_PAGES = TypeAdapter(list[Page])


class FileStore:
    """Document files under one directory, named by their SHA-256, never by a user-supplied name."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha: str) -> Path:
        """Where the file with this SHA-256 lives (``root/ab/abcdef...``).

        Raises:
            StoreError: ``sha`` is not 64 lowercase hex characters (so no name can become a path).
        """
        if not isinstance(sha, str) or not _SHA.fullmatch(sha):
            raise StoreError(f"not a document id (SHA-256 hex): {sha!r}")
        return self.root / sha[:2] / sha

    def put(self, data: bytes, digest: str | None = None) -> str:
        """Keep ``data`` once; returns its SHA-256 (written to a temporary file, then renamed).

        ``digest`` is the SHA-256 of ``data`` when the caller has it already (not computed again).

        >>> import tempfile, pathlib
        >>> files = FileStore(pathlib.Path(tempfile.mkdtemp()))
        >>> sha = files.put(b"abc"); files.get(sha)
        b'abc'
        """
        sha = digest or hashlib.sha256(data).hexdigest()
        target = self.path(sha)
        if target.exists():
            return sha
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=FILE_TEMP_PREFIX)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise StoreError(f"cannot write the document file: {exc}") from exc
        return sha

    def get(self, sha: str) -> bytes:
        """The bytes of a stored file.

        Raises:
            NotFoundError: no file with this SHA-256.
        """
        try:
            return self.path(sha).read_bytes()
        except FileNotFoundError:
            raise NotFoundError("document file", sha) from None

    def exists(self, sha: str) -> bool:
        """True when the file is stored."""
        return self.path(sha).exists()

    def delete(self, sha: str) -> None:
        """Remove a stored file (nothing happens when it is not there)."""
        self.path(sha).unlink(missing_ok=True)


class DocumentRecord(BaseModel):
    """A stored document."""

    id: str = Field(description="SHA-256 of the file's bytes.")
    name: str = Field(description="The name it was uploaded under (display only).")
    kind: Kind
    size: int = Field(description="Bytes.")
    pages: int = Field(description="Pages in the file (before any cropping splits).")
    created_at: datetime


class DocumentRepo:
    """Documents, their files, and their cached OCR pages (``page_cache`` is a ``core.documents.PageCache``).

    ``cache_hits`` and ``cache_misses`` count page-cache look-ups made through this object.
    """

    def __init__(self, engine: Engine, files: FileStore) -> None:
        self.engine = engine
        self.files = files
        self.cache_hits = 0
        self.cache_misses = 0

    # ------------------------------------------------------------------------------------------ documents

    def add(
        self,
        data: bytes,
        name: str,
        *,
        password: str | None = None,
        settings: Settings | None = None,
        digest: str | None = None,
    ) -> DocumentRecord:
        """Store a file (once per content) and its row; returns the record (the existing one if known).

        The header is checked first (format, encryption, page limit): bad bytes raise and nothing is stored.
        ``digest``: the SHA-256 of ``data`` when known (a loaded Document's id), so it is not computed again.

        Raises:
            DocumentError: the bytes are not a readable PDF or image (see ``core.documents.inspect_bytes``).
            StoreError: the store cannot be written.
        """
        info = inspect_bytes(data, name=name, password=password, settings=settings, digest=digest)
        existing = self._row(info.id)
        if existing is not None:
            if not self.files.exists(info.id):  # the file was removed by hand: restore it
                self.files.put(data, info.id)
            return existing
        new_file = not self.files.exists(info.id)
        self.files.put(data, info.id)
        record = DocumentRecord(
            id=info.id,
            name=name[:500],
            kind=info.kind,
            size=info.size,
            pages=info.pages,
            created_at=datetime.now(timezone.utc),
        )
        try:
            with self.engine.begin() as conn:
                conn.execute(documents_table.insert().values(**record.model_dump()))
        except sa.exc.IntegrityError:  # another process added it meanwhile
            found = self._row(info.id)
            if found is None:
                raise StoreError(f"cannot store document {name!r}") from None
            return found
        except sa.exc.SQLAlchemyError as exc:
            if new_file:
                self.files.delete(info.id)
            raise StoreError(f"cannot store document {name!r}: {exc.__class__.__name__}") from exc
        return record

    def _row(self, document_id: str) -> DocumentRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(documents_table).where(documents_table.c.id == document_id)).mappings().first()
        return None if row is None else _record(row)

    def get(self, document_id: str) -> DocumentRecord:
        """The record of a stored document.

        Raises:
            NotFoundError: no such document.
        """
        record = self._row(document_id)
        if record is None:
            raise NotFoundError("document", document_id)
        return record

    def list(self) -> list[DocumentRecord]:
        """Every stored document, newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(documents_table).order_by(documents_table.c.created_at.desc(), documents_table.c.name)
            ).mappings()
            return [_record(row) for row in rows]

    def data(self, document_id: str) -> bytes:
        """The file bytes of a stored document."""
        self.get(document_id)
        return self.files.get(document_id)

    def load(
        self,
        document_id: str,
        spec: DocumentSpec | None = None,
        password: str | None = None,
        progress: Callable[[int, int], None] | None = None,
        *,
        settings: Settings | None = None,
    ) -> Document:
        """Load a stored document, OCR results from (and into) the page cache.

        Raises:
            NotFoundError: no such document.
            DocumentError, OCRError: as ``core.documents.load_document``.
        """
        record = self.get(document_id)
        return load_document(
            self.files.get(document_id),
            name=record.name,
            spec=spec,
            password=password,
            settings=settings,
            cache=self.page_cache,
            progress=progress,
        )

    def add_and_load(
        self,
        data: bytes,
        name: str,
        spec: DocumentSpec | None = None,
        password: str | None = None,
        progress: Callable[[int, int], None] | None = None,
        *,
        settings: Settings | None = None,
    ) -> Document:
        """Load a file (OCR through the page cache), then store it; a file that cannot be read is not stored.

        Returns:
            The loaded Document (its id is the stored document's id).
        """
        document = load_document(
            data,
            name=name,
            spec=spec,
            password=password,
            settings=settings,
            cache=self.page_cache,
            progress=progress,
        )
        # The document's id is the SHA-256 of these bytes: the store need not hash them again.
        self.add(data, name, password=password, settings=settings, digest=document.id)
        return document

    # --------------------------------------------------------------------------------------------- cache

    def get_cache(self, document_id: str, source_page: int, options: str) -> builtins.list[Page] | None:
        """The cached pages of one source page read with ``options``, or None."""
        t = page_cache_table
        with self.engine.connect() as conn:
            raw = conn.execute(
                sa.select(t.c.pages).where(
                    t.c.document_id == document_id, t.c.source_page == source_page, t.c.options == options
                )
            ).scalar()
        if raw is None:
            self.cache_misses += 1
            return None
        try:
            pages = _PAGES.validate_json(raw)
        except ValueError:  # written by an incompatible version: read the page again
            self.cache_misses += 1
            return None
        self.cache_hits += 1
        return pages

    def put_cache(self, document_id: str, source_page: int, options: str, pages: builtins.list[Page]) -> None:
        """Keep the pages read from one source page with ``options`` (one transaction; first writer wins)."""
        payload = json.dumps([page.model_dump(mode="json", exclude={"cached"}) for page in pages])
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    page_cache_table.insert().values(
                        document_id=document_id,
                        source_page=source_page,
                        options=options,
                        pages=payload,
                        created_at=datetime.now(timezone.utc),
                    )
                )
        except sa.exc.IntegrityError:  # another process cached the same page meanwhile: same content
            pass
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot write the OCR cache: {exc.__class__.__name__}") from exc

    @property
    def page_cache(self) -> PageCache:
        """This repository's OCR cache as a ``core.documents.PageCache`` (``load_document(cache=...)``)."""
        return _RepoPageCache(self)


class _RepoPageCache:
    """``DocumentRepo.get`` returns records, so the PageCache ``get``/``put`` live on this adapter."""

    def __init__(self, repo: DocumentRepo) -> None:
        self.repo = repo

    def get(self, document_id: str, source_page: int, options: str) -> list[Page] | None:
        return self.repo.get_cache(document_id, source_page, options)

    def put(self, document_id: str, source_page: int, options: str, pages: list[Page]) -> None:
        self.repo.put_cache(document_id, source_page, options, pages)


def _record(row: sa.RowMapping) -> DocumentRecord:
    created = row["created_at"]
    if created.tzinfo is None:  # SQLite returns naive datetimes
        created = created.replace(tzinfo=timezone.utc)
    return DocumentRecord(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        size=row["size"],
        pages=row["pages"],
        created_at=created,
    )
