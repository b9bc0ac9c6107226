"""The processing log as users see it: runs found by days, rows for lists, exports as JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta, timezone

from core.results import Extraction, ExtractionResult
from core.runs import RUN_COLUMNS, find_runs, run_data, run_row, runs_csv, runs_json
from core.store import Store
from core.store.runs import RunRecord


def _ok(when: datetime, total: float = 3.5) -> RunRecord:
    result = ExtractionResult(
        workflow_id="w",
        workflow_name="Invoices",
        workflow_version=2,
        document_name="a.pdf",
        engine="local",
        extractions={"total": Extraction(value=total, confidence=0.9)},
        created_at=when,
    )
    return RunRecord.from_result(result, source="cli", pages=1)


def test_find_runs_takes_whole_days_both_included() -> None:
    store = Store.open_memory()
    day = datetime(2026, 11, 20, 23, 59, tzinfo=timezone.utc)
    for record in (_ok(day - timedelta(days=1)), _ok(day), _ok(day + timedelta(minutes=2))):
        store.runs.add(record)
    assert len(find_runs(store, since=date(2026, 11, 20), until=date(2026, 11, 20))) == 1
    assert len(find_runs(store, since=date(2026, 11, 20))) == 2
    assert len(find_runs(store, until=date(2026, 11, 20))) == 2
    assert find_runs(store, workflow_id="other") == []


def test_a_row_per_run_and_the_json_of_ok_and_failed_runs() -> None:
    ok = _ok(datetime(2026, 11, 20, tzinfo=timezone.utc))
    failed = RunRecord(
        id="bad",
        workflow_id="w",
        workflow_name="Invoices",
        document_name="x.pdf",
        status="error",
        error="x.pdf: the file is empty.",
    )
    assert list(run_row(ok)) == list(RUN_COLUMNS)
    assert (run_row(ok)["version"], run_row(failed)["status"]) == ("v2", "error")
    data = json.loads(runs_json([ok, failed]))
    assert data[0] == json.loads(ok.result.to_json())  # type: ignore[union-attr]  # the shape extract prints
    assert data[1] == run_data(failed) and data[1]["error"] == "x.pdf: the file is empty."


def test_the_csv_has_a_row_per_run_and_field_path() -> None:
    first, second = _ok(datetime(2026, 11, 20, tzinfo=timezone.utc)), _ok(datetime.now(timezone.utc), total=4.0)
    failed = RunRecord(id="bad", workflow_id="w", status="error")
    rows = list(csv.DictReader(io.StringIO(runs_csv([first, second, failed]))))
    assert [(r["processing_id"], r["field"], r["value"]) for r in rows] == [
        (first.id, "total", "3.5"),
        (second.id, "total", "4.0"),
    ]
