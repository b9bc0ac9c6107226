"""Usage statistics: counting runs from every source, credits by the cost model, periods, quota, CSV."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime, timezone

import pytest

from core.config import Settings
from core.errors import FieldbenchError
from core.store import Store
from core.store.runs import RunRecord
from core.usage import METRICS, UsageRow, quota_status, run_credits, usage_csv, usage_over_time, usage_summary


def _run(
    store: Store,
    when: datetime,
    *,
    pages: int = 1,
    source: str = "app",
    engine: str = "local",
    workflow: str = "Invoices",
    status: str = "ok",
    document: str | None = None,
    tokens: tuple[int, int] = (0, 0),
    llm_cost: float | None = None,
    seconds: float = 1.0,
) -> None:
    store.runs.add(
        RunRecord(
            id=str(uuid.uuid4()),
            workflow_id=f"wf-{workflow}",
            workflow_name=workflow,
            document_id=document or uuid.uuid4().hex,
            source=source,  # type: ignore[arg-type]
            engine=engine,
            pages=pages if status == "ok" else 0,
            seconds=seconds,
            prompt_tokens=tokens[0],
            completion_tokens=tokens[1],
            llm_cost=llm_cost,
            status=status,  # type: ignore[arg-type]
            error="boom" if status == "error" else None,
            created_at=when,
        )
    )


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture
def store() -> Store:
    return Store.open()


@pytest.fixture
def settings(fieldbench_home) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(home=fieldbench_home)


def test_empty_store_counts_nothing(store: Store, settings: Settings) -> None:
    summary = usage_summary(store, settings=settings)
    assert (summary.runs, summary.documents, summary.pages, summary.credits) == (0, 0, 0, 0.0)
    assert summary.llm_cost is None and summary.seconds_per_page is None
    assert usage_over_time(store, "day", settings=settings) == []


def test_summary_counts_documents_pages_sources_engines_and_errors(store: Store, settings: Settings) -> None:
    day = _utc(2026, 11, 3, 10)
    _run(store, day, pages=2, source="app", document="same")
    _run(store, day, pages=2, source="notebook", document="same")
    _run(store, day, pages=3, source="cli", engine="llm", tokens=(1000, 200), llm_cost=0.012)
    _run(store, day, source="cli", status="error")
    s = usage_summary(store, settings=settings)
    assert s.runs == 4
    assert s.errors == 1
    assert s.documents == 3
    assert s.unique_documents == 2
    assert s.pages == 7
    assert s.by_source == {"app": 1, "notebook": 1, "cli": 1}
    assert s.by_engine == {"local": 2, "llm": 1}
    assert (s.prompt_tokens, s.completion_tokens, s.llm_runs) == (1000, 200, 1)
    assert s.llm_cost == pytest.approx(0.012)
    # Default cost model: 80 per page and 120 per document; the failed run costs nothing.
    assert s.credits == 7 * 80 + 3 * 120
    assert s.seconds_per_page == pytest.approx(3.0 / 7)


def test_credits_follow_a_non_default_cost_model(store: Store, fieldbench_home) -> None:  # type: ignore[no-untyped-def]
    cheap = Settings(home=fieldbench_home, credits_per_page=15, credits_per_document=30)
    _run(store, _utc(2026, 11, 3), pages=4)
    _run(store, _utc(2026, 11, 4), pages=1)
    assert usage_summary(store, settings=cheap).credits == 5 * 15 + 2 * 30
    assert run_credits(10, cheap) == 180.0


def test_cost_model_from_environment(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDBENCH_CREDITS_PER_PAGE", "2")
    monkeypatch.setenv("FIELDBENCH_CREDITS_PER_DOCUMENT", "1")
    _run(store, _utc(2026, 11, 3), pages=3)
    assert usage_summary(store).credits == 7.0


def test_range_and_workflow_filters(store: Store, settings: Settings) -> None:
    _run(store, _utc(2026, 10, 31, 23, 59))
    _run(store, _utc(2026, 11, 1, 0, 0), workflow="Receipts")
    _run(store, _utc(2026, 11, 30, 23, 0))
    _run(store, _utc(2026, 12, 1, 0, 0))
    november = usage_summary(store, since=date(2026, 11, 1), until=date(2026, 11, 30), settings=settings)
    assert november.documents == 2
    only = usage_summary(store, workflow_id="wf-Receipts", settings=settings)
    assert only.documents == 1


def test_periods_day_week_month(store: Store, settings: Settings) -> None:
    _run(store, _utc(2026, 11, 2, 9), pages=1)  # Monday
    _run(store, _utc(2026, 11, 8, 22), pages=2)  # Sunday, same ISO week
    _run(store, _utc(2026, 11, 9, 1), pages=4)  # next Monday
    _run(store, _utc(2026, 12, 1, 1), pages=8)
    days = usage_over_time(store, "day", settings=settings)
    assert [(r.period, r.pages) for r in days] == [
        (date(2026, 11, 2), 1),
        (date(2026, 11, 8), 2),
        (date(2026, 11, 9), 4),
        (date(2026, 12, 1), 8),
    ]
    weeks = usage_over_time(store, "week", settings=settings)
    assert [(r.period, r.pages) for r in weeks] == [
        (date(2026, 11, 2), 3),
        (date(2026, 11, 9), 4),
        (date(2026, 11, 30), 8),
    ]
    months = usage_over_time(store, "month", settings=settings)
    assert [(r.period, r.pages, r.documents) for r in months] == [
        (date(2026, 11, 1), 7, 3),
        (date(2026, 12, 1), 8, 1),
    ]
    assert months[0].credits == 7 * 80 + 3 * 120
    assert [r.period for r in usage_over_time(store, "month", since=date(2026, 12, 1), settings=settings)] == [
        date(2026, 12, 1)
    ]


def test_grouping_by_source_engine_and_workflow(store: Store, settings: Settings) -> None:
    when = _utc(2026, 11, 5)
    _run(store, when, source="app", engine="local", workflow="Invoices")
    _run(store, when, source="cli", engine="llm", workflow="Invoices")
    _run(store, when, source="cli", engine="local", workflow="Receipts")
    by_source = {r.group: r.documents for r in usage_over_time(store, "month", by="source", settings=settings)}
    assert by_source == {"app": 1, "cli": 2}
    by_engine = {r.group: r.documents for r in usage_over_time(store, "month", by="engine", settings=settings)}
    assert by_engine == {"llm": 1, "local": 2}
    by_wf = {r.group: r.documents for r in usage_over_time(store, "month", by="workflow", settings=settings)}
    assert by_wf == {"Invoices": 2, "Receipts": 1}


def test_bad_period_or_group_is_a_clear_error(store: Store, settings: Settings) -> None:
    with pytest.raises(FieldbenchError, match="period"):
        usage_over_time(store, "year", settings=settings)  # type: ignore[arg-type]
    with pytest.raises(FieldbenchError, match="group"):
        usage_over_time(store, "day", by="colour", settings=settings)  # type: ignore[arg-type]


def test_chart_metrics_are_numeric_figures_of_a_row() -> None:
    numeric = {name for name, info in UsageRow.model_fields.items() if info.annotation in (int, float)}
    assert set(METRICS) <= numeric and len(METRICS) == len(set(METRICS))


@pytest.mark.parametrize(
    ("pages", "level"),
    [(0, "ok"), (79, "ok"), (80, "warning"), (100, "warning"), (101, "exceeded")],
)
def test_quota_levels(store: Store, fieldbench_home, pages: int, level: str) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(home=fieldbench_home, monthly_page_quota=100)
    now = _utc(2026, 11, 20, 12)
    if pages:
        _run(store, _utc(2026, 11, 1, 0, 0, 1), pages=pages)
    _run(store, _utc(2026, 10, 31, 23), pages=500)  # last month does not count
    _run(store, _utc(2026, 11, 2), status="error")  # failed runs do not count
    status = quota_status(store, settings, now=now)
    assert status.month == "2026-11"
    assert status.pages == pages
    assert status.level == level
    assert f"{pages} of 100 pages" in status.message


def test_quota_in_december_rolls_into_the_next_year(store: Store, fieldbench_home) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(home=fieldbench_home, monthly_page_quota=10)
    _run(store, _utc(2026, 12, 31, 23), pages=9)
    _run(store, _utc(2027, 1, 1, 0), pages=9)
    assert quota_status(store, settings, now=_utc(2026, 12, 15)).pages == 9
    assert quota_status(store, settings, now=_utc(2026, 12, 15)).level == "warning"


def test_csv_has_a_header_and_one_line_per_row(store: Store, settings: Settings) -> None:
    _run(store, _utc(2026, 11, 5), pages=2, source="app")
    _run(store, _utc(2026, 11, 6), pages=1, source="cli", engine="llm", llm_cost=0.5)
    rows = usage_over_time(store, "day", by="source", settings=settings)
    parsed = list(csv.DictReader(io.StringIO(usage_csv(rows))))
    assert [(r["period"], r["group"], r["pages"], r["credits"]) for r in parsed] == [
        ("2026-11-05", "app", "2", "280.0"),
        ("2026-11-06", "cli", "1", "200.0"),
    ]
    assert parsed[0]["llm_cost"] == "" and parsed[1]["llm_cost"] == "0.5"
    assert usage_csv([]).strip() == ",".join(
        [
            "period",
            "group",
            "runs",
            "documents",
            "pages",
            "errors",
            "seconds",
            "prompt_tokens",
            "completion_tokens",
            "llm_cost",
            "credits",
        ]
    )


def _pdf(pages: int) -> bytes:
    import pymupdf

    doc = pymupdf.open()
    for i in range(pages):
        doc.new_page().insert_text((72, 72), f"Invoice 42 page {i + 1}  Total: 12.50 EUR")
    return doc.tobytes()


def test_runs_from_each_source_are_counted_through_the_pipeline(store: Store, settings: Settings) -> None:
    from core.pipeline import process
    from core.schema import Field, Workflow

    workflow = Workflow(name="Totals", fields=[Field(name="total", type="number", description="The total")])
    process(store, _pdf(2), workflow, engine="local", source="app", name="a.pdf")
    process(store, _pdf(1), workflow, engine="local", source="notebook", name="b.pdf")
    process(store, _pdf(3), workflow, engine="local", source="cli", name="c.pdf")
    with pytest.raises(FieldbenchError):
        process(store, b"not a document", workflow, engine="local", source="cli", name="bad.pdf")

    s = usage_summary(store, settings=settings)
    assert (s.runs, s.documents, s.errors, s.pages) == (4, 3, 1, 6)
    assert s.by_source == {"app": 1, "notebook": 1, "cli": 1}
    assert s.by_engine == {"local": 3}
    assert s.llm_cost is None and s.prompt_tokens == 0
    assert s.credits == 6 * 80 + 3 * 120
    assert s.seconds > 0
    rows = usage_over_time(store, "day", by="source", settings=settings)
    assert {r.group: (r.documents, r.pages, r.errors) for r in rows} == {
        "app": (1, 2, 0),
        "notebook": (1, 1, 0),
        "cli": (1, 3, 1),
    }
    assert quota_status(store, settings).pages == 6
