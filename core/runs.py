"""The processing log as users see it: runs found by workflow, days, engine, source and status; one row per run
for lists; a run as the JSON ``extract`` prints; a selection exported as JSON or CSV.

Every run is logged by ``core.pipeline`` (app, notebooks, command line, scripts); ``core.store.runs`` keeps them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from core.documents import DocumentSpec
from core.errors import NotFoundError
from core.results import CSV_COLUMNS, field_rows, to_csv
from core.store import Store
from core.store.runs import RunRecord

__all__ = [
    "RUN_COLUMNS",
    "RUN_CSV_COLUMNS",
    "utc_moment",
    "find_runs",
    "run_row",
    "run_data",
    "runs_json",
    "runs_csv",
    "run_spec",
]

RUN_COLUMNS: tuple[str, ...] = (
    "created_at",
    "workflow",
    "version",
    "engine",
    "source",
    "document",
    "pages",
    "seconds",
    "status",
    "processing_id",
)
"""The columns of ``run_row``: what a list of runs shows of each."""
RUN_CSV_COLUMNS: tuple[str, ...] = ("processing_id", *CSV_COLUMNS)
"""The CSV export of runs: the result columns, each row with the run it comes from."""


def utc_moment(value: date | datetime | None, *, end_of_day: bool = False) -> datetime | None:
    """A range bound as an aware UTC datetime; a plain date means its start (or, with ``end_of_day``, the start of
    the next day, so that ``until`` includes its day). Naive datetimes are taken as UTC.

    >>> utc_moment(date(2026, 11, 20), end_of_day=True).isoformat()
    '2026-11-21T00:00:00+00:00'
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
    start = datetime.combine(value, time.min, tzinfo=timezone.utc)
    return start + timedelta(days=1) if end_of_day else start


def find_runs(
    store: Store,
    *,
    workflow_id: str | None = None,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    engine: str | None = None,
    source: str | None = None,
    status: str | None = None,
    limit: int | None = 200,
) -> list[RunRecord]:
    """Runs of the log, newest first; ``since`` and ``until`` are days (both included) or moments.

    Raises:
        FieldbenchError: an unknown status or source.

    >>> find_runs(Store.open_memory(), since=date(2026, 1, 1))
    []
    """
    return store.runs.list(
        workflow_id,
        since=utc_moment(since),
        until=utc_moment(until, end_of_day=True),
        engine=engine,
        source=source,
        status=status,
        limit=limit,
    )


def run_row(record: RunRecord) -> dict[str, Any]:
    """One run as a row of ``RUN_COLUMNS`` (the version says when the run used an unsaved draft of it).

    >>> row = run_row(RunRecord(id="r1", workflow_id="w", workflow_name="W", workflow_version=2, seconds=1.23456))
    >>> row["version"], row["seconds"], row["status"]
    ('v2', 1.23, 'ok')
    """
    return {
        "created_at": record.created_at,
        "workflow": record.workflow_name or record.workflow_id,
        "version": record.version_label,
        "engine": record.engine,
        "source": record.source,
        "document": record.document_name or record.document_id,
        "pages": record.pages,
        "seconds": round(record.seconds, 2),
        "status": record.status,
        "processing_id": record.id,
    }


def run_data(record: RunRecord) -> dict[str, Any]:
    """A run as JSON-ready data: a successful run's result in the shape ``fieldbench extract`` prints; a failed
    run's workflow, document, time, status and error."""
    result = record.result
    if result is not None:
        data: dict[str, Any] = json.loads(result.to_json())
        return data
    return {
        "processing_id": record.id,
        "workflow_id": record.workflow_id,
        "workflow_name": record.workflow_name,
        "workflow_version": record.workflow_version,
        "workflow_draft": record.workflow_draft,
        "document_id": record.document_id,
        "document_name": record.document_name,
        "engine": record.engine,
        "created_at": record.created_at.isoformat(),
        "status": record.status,
        "error": record.error,
    }


def runs_json(records: Sequence[RunRecord]) -> str:
    """Runs as a JSON array of ``run_data``."""
    return json.dumps([run_data(r) for r in records], indent=2, ensure_ascii=False)


def runs_csv(records: Sequence[RunRecord]) -> str:
    """The results of the successful runs as CSV: one row per run and field path (``RUN_CSV_COLUMNS``).

    >>> runs_csv([RunRecord(id="failed", workflow_id="w", status="error")]).splitlines()
    ['processing_id,document,field,value,confidence,page,reference_text']
    """
    rows = (
        {"processing_id": record.id, **row}
        for record in records
        if (result := record.result) is not None
        for row in field_rows(result)
    )
    return to_csv(rows, RUN_CSV_COLUMNS)


def run_spec(store: Store, workflow_id: str, version: int) -> DocumentSpec:
    """How a run read its document: the document specification of the workflow version it used, so that its
    citations are drawn on the pages they are in (cropped ones too). A run of a workflow the store never held (a
    schema file given to ``fieldbench extract``) read its documents with the default specification.

    >>> run_spec(Store.open_memory(), "not-stored", 1) == DocumentSpec()
    True
    """
    try:
        return store.workflows.get(workflow_id, version).spec
    except NotFoundError:
        return DocumentSpec()
