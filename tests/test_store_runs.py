"""The processing log: runs are stored, read back with their result, listed and found as 'previous'."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from core.errors import NotFoundError, StoreError
from core.results import Extraction, ExtractionResult, TokenUsage
from core.store import Store
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
