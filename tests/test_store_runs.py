"""The processing log: runs are stored, read back with their result, listed and found as 'previous'."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.errors import FieldbenchError, NotFoundError, StoreError
from core.results import Extraction, ExtractionResult, TokenUsage
from core.store import Store
from core.store.db import SCHEMA_VERSION
from core.store.runs import RunRecord, runs_table


def _result(doc: str = "d1", total: float = 10.0, when: datetime | None = None) -> ExtractionResult:
    return ExtractionResult(
        workflow_id="wf",
        workflow_name="Invoices",
        workflow_version=3,
        document_id=doc,
        document_name=f"{doc}.pdf",
        engine="llm",
        engine_reason="llm: configured",
        extractions={"total": Extraction(value=total, confidence=0.9)},
        timings={"load": 0.25, "extract": 0.5, "total": 0.8},
        usage=TokenUsage(prompt_tokens=100, completion_tokens=20),
        created_at=when or datetime.now(timezone.utc),
    )


@pytest.fixture
def store() -> Store:
    return Store.open_memory()


def test_a_run_round_trips_with_its_result(store: Store) -> None:
    result = _result()
    store.runs.add(RunRecord.from_result(result, source="cli", pages=2, llm_cost=0.01))
    record = store.runs.get(result.processing_id)
    assert record.source == "cli"
    assert record.pages == 2
    assert record.workflow_version == 3
    assert (record.load_seconds, record.extract_seconds, record.seconds) == (0.25, 0.5, 0.8)
    assert (record.prompt_tokens, record.completion_tokens, record.llm_cost) == (100, 20, 0.01)
    assert record.created_at.tzinfo is not None
    assert record.result is not None and record.result.values() == {"total": 10.0}


def test_a_failed_run_keeps_its_error_and_has_no_result(store: Store) -> None:
    store.runs.add(RunRecord(id="bad", workflow_id="wf", source="app", status="error", error="x.pdf: corrupt"))
    record = store.runs.get("bad")
    assert record.status == "error" and record.error == "x.pdf: corrupt"
    assert record.result is None and record.llm_cost is None


def test_unknown_run_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.runs.get("nope")


def test_the_same_id_twice_is_a_store_error_and_keeps_the_first(store: Store) -> None:
    store.runs.add(RunRecord(id="r", workflow_id="wf", source="test", pages=1))
    with pytest.raises(StoreError):
        store.runs.add(RunRecord(id="r", workflow_id="wf", source="test", pages=9))
    assert store.runs.get("r").pages == 1


def test_list_filters_and_orders_newest_first(store: Store) -> None:
    now = datetime.now(timezone.utc)
    for i, (wf, doc) in enumerate([("a", "d1"), ("a", "d2"), ("b", "d1")]):
        store.runs.add(
            RunRecord(
                id=f"r{i}",
                workflow_id=wf,
                document_id=doc,
                source="test",
                created_at=now - timedelta(minutes=10 - i),
            )
        )
    assert [r.id for r in store.runs.list()] == ["r2", "r1", "r0"]
    assert [r.id for r in store.runs.list(workflow_id="a")] == ["r1", "r0"]
    assert [r.id for r in store.runs.list(document_id="d1")] == ["r2", "r0"]
    assert [r.id for r in store.runs.list(since=now - timedelta(minutes=8, seconds=30))] == ["r2"]
    assert [r.id for r in store.runs.list(limit=1)] == ["r2"]
    assert [r.id for r in store.runs.list(until=now - timedelta(minutes=9, seconds=30))] == ["r0"]


def test_list_filters_by_engine_source_and_status_and_rejects_unknown_ones(store: Store) -> None:
    store.runs.add(RunRecord(id="l", workflow_id="w", source="cli", engine="local"))
    store.runs.add(RunRecord(id="m", workflow_id="w", source="app", engine="llm"))
    store.runs.add(RunRecord(id="e", workflow_id="w", source="app", engine="llm", status="error", error="x"))
    assert [r.id for r in store.runs.list(engine="local")] == ["l"]
    assert sorted(r.id for r in store.runs.list(source="app")) == ["e", "m"]
    assert [r.id for r in store.runs.list(engine="llm", status="ok")] == ["m"]
    with pytest.raises(FieldbenchError, match=r"unknown run status 'failed'\. Use one of: ok, error\."):
        store.runs.list(status="failed")
    with pytest.raises(FieldbenchError, match="unknown run source"):
        store.runs.list(source="web")


def test_a_draft_run_is_labelled_as_a_draft_of_its_version(store: Store) -> None:
    result = _result().model_copy(update={"workflow_draft": True})
    store.runs.add(RunRecord.from_result(result, source="app", pages=1))
    record = store.runs.get(result.processing_id)
    assert record.workflow_draft and record.version_label == "v3 (unsaved draft)"
    assert record.result is not None and record.result.workflow_draft


def test_a_store_from_before_draft_runs_gets_the_column_and_keeps_its_runs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    old = sa.create_engine(url)
    with old.begin() as conn:  # a schema-1 store: runs without workflow_draft
        conn.execute(sa.text("CREATE TABLE schema_info (id INTEGER PRIMARY KEY, version INTEGER NOT NULL)"))
        conn.execute(sa.text("INSERT INTO schema_info VALUES (1, 1)"))
        runs_table.create(conn)
        conn.execute(sa.text("ALTER TABLE runs DROP COLUMN workflow_draft"))
        conn.execute(
            sa.text(
                "INSERT INTO runs (id, workflow_id, workflow_version, workflow_name, document_id, document_name, "
                "source, engine, engine_reason, pages, seconds, load_seconds, extract_seconds, prompt_tokens, "
                "completion_tokens, status, created_at) VALUES ('old', 'w', 2, 'W', 'd', 'd.pdf', 'cli', 'local', "
                "'', 1, 0.1, 0.0, 0.1, 0, 0, 'ok', '2026-01-02 03:04:05')"
            )
        )
    old.dispose()
    store = Store(url, tmp_path / "files")
    try:
        assert store.schema_version == SCHEMA_VERSION >= 2
        record = store.runs.get("old")
        assert (record.workflow_version, record.workflow_draft, record.version_label) == (2, False, "v2")
    finally:
        store.close()


def test_previous_is_the_latest_successful_run_before(store: Store) -> None:
    now = datetime.now(timezone.utc)
    first = _result(total=1.0, when=now - timedelta(minutes=2))
    second = _result(total=2.0, when=now - timedelta(minutes=1))
    for r in (first, second):
        store.runs.add(RunRecord.from_result(r, source="app", pages=1))
    store.runs.add(
        RunRecord(
            id="failed",
            workflow_id="wf",
            document_id="d1",
            source="app",
            status="error",
            created_at=now - timedelta(seconds=30),
        )
    )
    latest = store.runs.previous("wf", "d1")
    assert latest is not None and latest.id == second.processing_id
    earlier = store.runs.previous("wf", "d1", before=second.created_at)
    assert earlier is not None and earlier.result is not None and earlier.result.values() == {"total": 1.0}
    assert store.runs.previous("wf", "d1", before=first.created_at) is None
    assert store.runs.previous("wf", "other") is None


def test_table_has_the_columns_and_indexes_usage_statistics_read(store: Store) -> None:
    inspector = sa.inspect(store.engine)
    columns = {c["name"] for c in inspector.get_columns("runs")}
    assert {c.name for c in runs_table.columns} <= columns
    assert {"source", "pages", "seconds", "llm_cost", "created_at", "workflow_version"} <= columns
    indexed = {tuple(ix["column_names"]) for ix in inspector.get_indexes("runs")}
    assert {("created_at",), ("workflow_id",), ("document_id",)} <= indexed
