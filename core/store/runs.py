"""The processing log: every extraction run with its source, workflow version, engine, timings and result.

Table ``runs`` (other parts read it directly, e.g. usage statistics; keep these column names stable):

================== ==========================================================================================
column             meaning
================== ==========================================================================================
id                 the run's ``processing_id`` (string primary key, the result's ``processing_id``)
workflow_id        the workflow's UUID
workflow_version   the version of the workflow's fields the run used (a draft run records its base version)
workflow_draft     true when the run used unsaved edits of that version (schema version 2 on)
workflow_name      the workflow's name at the time of the run
document_id        the document's SHA-256 (``""`` when the document could not be read)
document_name      the display name of the document
source             who asked: ``app``, ``notebook``, ``cli``, ``api``, ``bench`` or ``test``
engine             the engine that ran (``local``, ``llm``, ``trained``) or was asked for when it failed
engine_reason      why that engine was chosen
pages              pages processed (0 when the document could not be read)
seconds            total wall time of the run in seconds
load_seconds       time spent loading the document (text layer / OCR, or the OCR cache)
extract_seconds    time spent in the engine
prompt_tokens      LLM prompt tokens (0 without an LLM)
completion_tokens  LLM completion tokens (0 without an LLM)
llm_cost           estimated USD of the LLM tokens, from the configured prices; NULL where no LLM ran
status             ``ok`` or ``error``
error              the error message of a failed run (NULL when ok)
result_json        the ExtractionResult as JSON (NULL for a failed run)
created_at         when the run started, timezone-aware UTC
================== ==========================================================================================

Indexes on ``created_at``, ``workflow_id`` and ``document_id``.
"""

from __future__ import annotations

import builtins
from datetime import datetime, timezone
from typing import Any, Literal, get_args

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine

from core.errors import FieldbenchError, NotFoundError, StoreError
from core.results import ExtractionResult, version_label
from core.store.db import metadata, utc

__all__ = ["RunSource", "RunStatus", "RUN_SOURCES", "RUN_STATUSES", "RunRecord", "RunRepo", "runs_table"]

RunSource = Literal["app", "notebook", "cli", "api", "bench", "test"]
RUN_SOURCES: tuple[str, ...] = get_args(RunSource)
RunStatus = Literal["ok", "error"]
RUN_STATUSES: tuple[str, ...] = get_args(RunStatus)

runs_table = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("workflow_id", sa.String(64), nullable=False),
    sa.Column("workflow_version", sa.Integer, nullable=False, default=1),
    sa.Column("workflow_draft", sa.Boolean, nullable=False, default=False),
    sa.Column("workflow_name", sa.String(255), nullable=False, default=""),
    sa.Column("document_id", sa.String(64), nullable=False, default=""),
    sa.Column("document_name", sa.String(512), nullable=False, default=""),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("engine", sa.String(32), nullable=False, default=""),
    sa.Column("engine_reason", sa.Text, nullable=False, default=""),
    sa.Column("pages", sa.Integer, nullable=False, default=0),
    sa.Column("seconds", sa.Float, nullable=False, default=0.0),
    sa.Column("load_seconds", sa.Float, nullable=False, default=0.0),
    sa.Column("extract_seconds", sa.Float, nullable=False, default=0.0),
    sa.Column("prompt_tokens", sa.Integer, nullable=False, default=0),
    sa.Column("completion_tokens", sa.Integer, nullable=False, default=0),
    sa.Column("llm_cost", sa.Float, nullable=True),
    sa.Column("status", sa.String(8), nullable=False),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("result_json", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_runs_created_at", "created_at"),
    sa.Index("ix_runs_workflow_id", "workflow_id"),
    sa.Index("ix_runs_document_id", "document_id"),
)


class RunRecord(BaseModel):
    """One run of the processing log (a row of ``runs``)."""

    id: str = Field(description="The processing_id of the run.")
    workflow_id: str
    workflow_version: int = 1
    workflow_draft: bool = Field(default=False, description="The run used unsaved edits of workflow_version.")
    workflow_name: str = ""
    document_id: str = ""
    document_name: str = ""
    source: RunSource = "notebook"
    engine: str = ""
    engine_reason: str = ""
    pages: int = 0
    seconds: float = 0.0
    load_seconds: float = 0.0
    extract_seconds: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    llm_cost: float | None = Field(default=None, description="Estimated USD where an LLM ran, else None.")
    status: RunStatus = "ok"
    error: str | None = None
    result_json: str | None = Field(default=None, description="The ExtractionResult as JSON; None on error.")
    created_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))

    @property
    def result(self) -> ExtractionResult | None:
        """The parsed result of a successful run, None for a failed one."""
        if not self.result_json:
            return None
        return ExtractionResult.model_validate_json(self.result_json)

    @property
    def version_label(self) -> str:
        """``v2``, or ``v2 (unsaved draft)`` for a run on unsaved edits of version 2."""
        return version_label(self.workflow_version, self.workflow_draft)

    @classmethod
    def from_result(
        cls,
        result: ExtractionResult,
        *,
        source: RunSource,
        pages: int,
        llm_cost: float | None = None,
    ) -> RunRecord:
        """The record of a successful run, from its result (timings and usage taken from it)."""
        usage = result.usage
        return cls(
            id=result.processing_id,
            workflow_id=result.workflow_id,
            workflow_version=result.workflow_version,
            workflow_draft=result.workflow_draft,
            workflow_name=result.workflow_name,
            document_id=result.document_id,
            document_name=result.document_name,
            source=source,
            engine=result.engine,
            engine_reason=result.engine_reason,
            pages=pages,
            seconds=float(result.timings.get("total", 0.0)),
            load_seconds=float(result.timings.get("load", 0.0)),
            extract_seconds=float(result.timings.get("extract", 0.0)),
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
            llm_cost=llm_cost,
            status="ok",
            result_json=result.to_json(),
            created_at=result.created_at,
        )


class RunRepo:
    """The processing log: add a run, get one, list them, find the previous run of a document.

    >>> from core.store import Store
    >>> repo = Store.open_memory().runs
    >>> repo.add(RunRecord(id="r1", workflow_id="w", source="test")).id
    'r1'
    >>> [r.id for r in repo.list(workflow_id="w")]
    ['r1']
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, record: RunRecord) -> RunRecord:
        """Store one run (one transaction). Returns the record.

        Raises:
            StoreError: the run could not be written (e.g. its id is already logged).
        """
        row = record.model_dump()
        row["created_at"] = utc(record.created_at)
        try:
            with self.engine.begin() as conn:
                conn.execute(runs_table.insert().values(**row))
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot log run {record.id!r}: {exc.__class__.__name__}: {exc}") from exc
        return record

    def get(self, processing_id: str) -> RunRecord:
        """The run with this processing id.

        Raises:
            NotFoundError: no such run.
        """
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(runs_table).where(runs_table.c.id == processing_id)).mappings().first()
        if row is None:
            raise NotFoundError("run", processing_id)
        return self._record(row)

    def list(
        self,
        workflow_id: str | None = None,
        document_id: str | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        engine: str | None = None,
        source: str | None = None,
        status: str | None = None,
        limit: int | None = 100,
    ) -> builtins.list[RunRecord]:
        """Runs, newest first, optionally of one workflow / document, in a time range, of an engine, source or
        status.

        Args:
            workflow_id: only runs of this workflow.
            document_id: only runs on this document.
            since: only runs created at or after this moment (naive datetimes are taken as UTC).
            until: only runs created before this moment.
            engine: only runs of this engine (``local``, ``llm``, ``trained``).
            source: only runs from this source (``app``, ``cli`` ...).
            status: only ``ok`` or only ``error`` runs.
            limit: at most this many (None: all).

        Raises:
            FieldbenchError: an unknown status or source.
        """
        if status is not None and status not in RUN_STATUSES:
            raise FieldbenchError(f"unknown run status {status!r}", hint=f"Use one of: {', '.join(RUN_STATUSES)}.")
        if source is not None and source not in RUN_SOURCES:
            raise FieldbenchError(f"unknown run source {source!r}", hint=f"Use one of: {', '.join(RUN_SOURCES)}.")
        t = runs_table
        conditions = [
            column == value
            for column, value in (
                (t.c.workflow_id, workflow_id),
                (t.c.document_id, document_id),
                (t.c.engine, engine),
                (t.c.source, source),
                (t.c.status, status),
            )
            if value is not None
        ]
        if since is not None:
            conditions.append(t.c.created_at >= utc(since))
        if until is not None:
            conditions.append(t.c.created_at < utc(until))
        query = sa.select(t).where(*conditions).order_by(t.c.created_at.desc(), t.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [self._record(row) for row in rows]

    def previous(self, workflow_id: str, document_id: str, *, before: datetime | None = None) -> RunRecord | None:
        """The latest successful run of this workflow on this document (strictly before ``before``), or None.

        This is what "which values changed since the previous run" compares with.
        """
        query = sa.select(runs_table).where(
            runs_table.c.workflow_id == workflow_id,
            runs_table.c.document_id == document_id,
            runs_table.c.status == "ok",
        )
        if before is not None:
            query = query.where(runs_table.c.created_at < utc(before))
        query = query.order_by(runs_table.c.created_at.desc()).limit(1)
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return self._record(row) if row is not None else None

    def count(self) -> int:
        """How many runs are logged."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(runs_table)).scalar_one())

    @staticmethod
    def _record(row: Any) -> RunRecord:
        data = dict(row)
        data["created_at"] = utc(data["created_at"])
        return RunRecord.model_validate(data)
