"""Usage statistics from the processing log: documents, pages, engines, sources, time, LLM tokens and credits.

Every run (app, notebooks, CLI, API) is logged in the ``runs`` table by ``core.processing.process``;
this module only reads it. Credits follow a configurable cost model (``Settings.credits_per_page`` and
``credits_per_document``, by default 80 and 120 as in the hosted reference): a successful run of a document of
``n`` pages costs ``n * per_page + per_document``. Failed runs are counted as errors but cost nothing and do
not count against the monthly page quota.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Literal, get_args

import sqlalchemy as sa
from pydantic import BaseModel, Field

from core.config import Settings, get_settings
from core.errors import FieldbenchError
from core.results import to_csv
from core.runs import utc_moment
from core.store import Store
from core.store.runs import runs_table

__all__ = [
    "Period",
    "GroupBy",
    "QuotaLevel",
    "UsageSummary",
    "UsageRow",
    "QuotaStatus",
    "run_credits",
    "period_start",
    "period_starts",
    "period_label",
    "usage_summary",
    "usage_over_time",
    "quota_status",
    "usage_csv",
    "QUOTA_WARNING_FRACTION",
    "PERIODS",
    "GROUPS",
    "METRICS",
]

Period = Literal["day", "week", "month"]
GroupBy = Literal["workflow", "source", "engine"]
QuotaLevel = Literal["ok", "warning", "exceeded"]

QUOTA_WARNING_FRACTION = 0.8
"""From this share of the monthly page quota on, the quota is at level ``warning``."""

PERIODS: tuple[Period, ...] = get_args(Period)
GROUPS: tuple[GroupBy, ...] = get_args(GroupBy)
METRICS: tuple[str, ...] = ("pages", "documents", "credits", "seconds", "errors")
"""The ``UsageRow`` figures a chart of usage over time can show, the most asked-for first."""


class UsageSummary(BaseModel):
    """Totals over a time range (and optionally one workflow)."""

    since: datetime | None = Field(default=None, description="Start of the range (inclusive, UTC); None: all.")
    until: datetime | None = Field(default=None, description="End of the range (exclusive, UTC); None: now.")
    runs: int = Field(default=0, description="Runs logged, successful or not.")
    documents: int = Field(default=0, description="Documents processed successfully (one per successful run).")
    unique_documents: int = Field(default=0, description="Distinct documents among them (by content hash).")
    pages: int = Field(default=0, description="Pages processed successfully.")
    errors: int = Field(default=0, description="Runs that failed.")
    seconds: float = Field(default=0.0, description="Total processing time of successful runs.")
    seconds_per_page: float | None = Field(default=None, description="Mean processing time per page.")
    prompt_tokens: int = 0
    completion_tokens: int = 0
    llm_runs: int = Field(default=0, description="Successful runs in which an LLM ran (tokens or a cost logged).")
    llm_cost: float | None = Field(default=None, description="Estimated USD of the LLM tokens; None: no LLM ran.")
    credits: float = Field(default=0.0, description="Credits by the configured cost model.")
    by_engine: dict[str, int] = Field(default_factory=dict, description="Documents per engine.")
    by_source: dict[str, int] = Field(default_factory=dict, description="Documents per source (app, cli ...).")


class UsageRow(BaseModel):
    """The usage of one period (and one group when grouped)."""

    period: date = Field(description="First day of the period (a Monday for weeks, the 1st for months).")
    group: str | None = Field(default=None, description="Workflow name, source or engine; None when ungrouped.")
    runs: int = 0
    documents: int = 0
    pages: int = 0
    errors: int = 0
    seconds: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    llm_cost: float | None = None
    credits: float = 0.0


class QuotaStatus(BaseModel):
    """Pages of the current calendar month (UTC) against the monthly page quota."""

    month: str = Field(description="The month, YYYY-MM.")
    pages: int = Field(description="Pages processed successfully this month.")
    quota: int = Field(description="The monthly page quota.")
    fraction: float = Field(description="pages / quota (1.0 and more: the quota is used up).")
    level: QuotaLevel = Field(description="ok, warning (from 80 % of the quota) or exceeded (over the quota).")
    message: str = Field(description="One line for the user.")


def run_credits(pages: int, settings: Settings | None = None) -> float:
    """Credits one successful run costs under the configured cost model.

    Args:
        pages: pages of the processed document.
        settings: the cost model (``credits_per_page``, ``credits_per_document``); default: environment.

    Returns:
        ``pages * credits_per_page + credits_per_document``.

    >>> run_credits(2, Settings(home=".", credits_per_page=80, credits_per_document=120))
    280.0
    """
    settings = settings or get_settings()
    return float(pages * settings.credits_per_page + settings.credits_per_document)


def _fetch(
    store: Store, since: datetime | None, until: datetime | None, workflow_id: str | None
) -> list[dict[str, Any]]:
    t = runs_table
    query = sa.select(
        t.c.workflow_id,
        t.c.workflow_name,
        t.c.document_id,
        t.c.source,
        t.c.engine,
        t.c.pages,
        t.c.seconds,
        t.c.prompt_tokens,
        t.c.completion_tokens,
        t.c.llm_cost,
        t.c.status,
        t.c.created_at,
    )
    if since is not None:
        query = query.where(t.c.created_at >= since)
    if until is not None:
        query = query.where(t.c.created_at < until)
    if workflow_id is not None:
        query = query.where(t.c.workflow_id == workflow_id)
    with store.engine.connect() as conn:
        rows = [dict(row) for row in conn.execute(query.order_by(t.c.created_at)).mappings()]
    for row in rows:
        created = row["created_at"]
        row["created_at"] = created.replace(tzinfo=timezone.utc) if created.tzinfo is None else created
    return rows


def _accumulate(target: UsageSummary | UsageRow, row: dict[str, Any], settings: Settings) -> None:
    target.runs += 1
    # Tokens are spent whether the run ended well or not (a refused answer was generated and paid for).
    target.prompt_tokens += int(row["prompt_tokens"] or 0)
    target.completion_tokens += int(row["completion_tokens"] or 0)
    if row["llm_cost"] is not None:
        target.llm_cost = (target.llm_cost or 0.0) + float(row["llm_cost"])
    if row["status"] != "ok":
        target.errors += 1
        return
    pages = int(row["pages"] or 0)
    target.documents += 1
    target.pages += pages
    target.seconds += float(row["seconds"] or 0.0)
    target.credits += run_credits(pages, settings)


def usage_summary(
    store: Store,
    *,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    workflow_id: str | None = None,
    settings: Settings | None = None,
) -> UsageSummary:
    """Totals of the processing log over a range.

    Args:
        store: the store whose ``runs`` are counted.
        since: first day / moment counted (None: from the first run).
        until: last day counted (a date includes that day; a datetime is exclusive). None: up to now.
        workflow_id: count only this workflow's runs.
        settings: the cost model; default from the environment.

    Returns:
        The summary, with credits by the cost model.

    >>> usage_summary(Store.open_memory()).runs
    0
    """
    settings = settings or get_settings()
    start, end = utc_moment(since), utc_moment(until, end_of_day=True)
    summary = UsageSummary(since=start, until=end)
    engines: Counter[str] = Counter()
    sources: Counter[str] = Counter()
    unique: set[str] = set()
    for row in _fetch(store, start, end, workflow_id):
        _accumulate(summary, row, settings)
        if row["status"] != "ok":
            continue
        engines[row["engine"] or "?"] += 1
        sources[row["source"] or "?"] += 1
        if row["document_id"]:
            unique.add(row["document_id"])
        if row["llm_cost"] is not None or row["prompt_tokens"] or row["completion_tokens"]:
            summary.llm_runs += 1
    summary.unique_documents = len(unique)
    summary.by_engine = dict(engines.most_common())
    summary.by_source = dict(sources.most_common())
    summary.seconds_per_page = summary.seconds / summary.pages if summary.pages else None
    return summary


def period_start(moment: datetime, period: Period) -> date:
    """The first day of the period containing ``moment`` (UTC): the day, its ISO week's Monday, or the 1st.

    >>> period_start(datetime(2026, 11, 20, 23, 0, tzinfo=timezone.utc), "week")
    datetime.date(2026, 11, 16)
    """
    day = moment.astimezone(timezone.utc).date()
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def period_starts(period: Period, since: date, until: date) -> list[date]:
    """The first day of every period from the one holding ``since`` to the one holding ``until``: the axis of a
    chart that shows empty periods too.

    >>> period_starts("week", date(2026, 11, 18), date(2026, 12, 1))
    [datetime.date(2026, 11, 16), datetime.date(2026, 11, 23), datetime.date(2026, 11, 30)]
    """
    start = period_start(datetime.combine(since, time.min, tzinfo=timezone.utc), period)
    end = period_start(datetime.combine(until, time.min, tzinfo=timezone.utc), period)
    starts: list[date] = []
    while start <= end:
        starts.append(start)
        if period == "day":
            start += timedelta(days=1)
        elif period == "week":
            start += timedelta(days=7)
        else:
            start = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return starts


def period_label(start: date, period: Period) -> str:
    """A period as a chart or table shows it: ``2026-11-20``, ``week of 2026-11-16`` or ``2026-11``.

    >>> period_label(date(2026, 11, 16), "week"), period_label(date(2026, 11, 1), "month")
    ('week of 2026-11-16', '2026-11')
    """
    if period == "month":
        return f"{start:%Y-%m}"
    return f"week of {start.isoformat()}" if period == "week" else start.isoformat()


def usage_over_time(
    store: Store,
    period: Period = "day",
    *,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    by: GroupBy | None = None,
    workflow_id: str | None = None,
    settings: Settings | None = None,
) -> list[UsageRow]:
    """Usage per day, week or month, optionally split by workflow, source or engine.

    Grouping is done in Python over the selected runs, so it works the same on SQLite and PostgreSQL.

    Args:
        store: the store.
        period: ``day``, ``week`` (ISO weeks, starting Monday) or ``month``.
        since: first day counted. until: last day counted (inclusive for a date).
        by: ``workflow`` (by name), ``source``, ``engine`` or None for one row per period.
        workflow_id: only this workflow's runs.
        settings: the cost model; default from the environment.

    Returns:
        Rows ordered by period, then group; periods without runs are left out.
    """
    if period not in PERIODS:
        raise FieldbenchError(f"unknown period {period!r}", hint="Use day, week or month.")
    if by is not None and by not in GROUPS:
        raise FieldbenchError(f"cannot group usage by {by!r}", hint="Use workflow, source or engine.")
    settings = settings or get_settings()
    buckets: dict[tuple[date, str | None], UsageRow] = {}
    for row in _fetch(store, utc_moment(since), utc_moment(until, end_of_day=True), workflow_id):
        if by == "workflow":
            group: str | None = row["workflow_name"] or row["workflow_id"]
        elif by is not None:
            group = row[by] or "?"
        else:
            group = None
        key = (period_start(row["created_at"], period), group)
        if key not in buckets:
            buckets[key] = UsageRow(period=key[0], group=group)
        _accumulate(buckets[key], row, settings)
    return [buckets[key] for key in sorted(buckets, key=lambda k: (k[0], k[1] or ""))]


def quota_status(store: Store, settings: Settings | None = None, *, now: datetime | None = None) -> QuotaStatus:
    """Pages processed this calendar month (UTC) against ``Settings.monthly_page_quota``.

    Args:
        store: the store.
        settings: quota and cost model; default from the environment.
        now: the moment whose month counts (default: now).

    Returns:
        The status: ``ok``, ``warning`` from 80 % of the quota, ``exceeded`` over it.
    """
    settings = settings or get_settings()
    now = utc_moment(now) or datetime.now(timezone.utc)
    month_start = datetime(now.year, now.month, 1, tzinfo=timezone.utc)
    next_month = datetime(now.year + (now.month == 12), now.month % 12 + 1, 1, tzinfo=timezone.utc)
    pages = usage_summary(store, since=month_start, until=next_month, settings=settings).pages
    quota = settings.monthly_page_quota
    fraction = pages / quota if quota > 0 else (0.0 if pages == 0 else float("inf"))
    label = f"{now:%Y-%m}"
    if pages > quota:
        level: QuotaLevel = "exceeded"
        message = f"{pages} of {quota} pages used in {label}: the monthly quota is exceeded by {pages - quota}."
    elif fraction >= QUOTA_WARNING_FRACTION:
        level = "warning"
        message = f"{pages} of {quota} pages used in {label} ({fraction:.0%}): the monthly quota is nearly used up."
    else:
        level = "ok"
        message = f"{pages} of {quota} pages used in {label} ({fraction:.0%})."
    return QuotaStatus(month=label, pages=pages, quota=quota, fraction=fraction, level=level, message=message)


def usage_csv(rows: Iterable[UsageRow]) -> str:
    """Usage rows as CSV text with a header row (dates as YYYY-MM-DD, empty cells for missing values).

    >>> usage_csv([UsageRow(period=date(2026, 11, 1), documents=1, pages=2, credits=280.0)]).splitlines()[1]
    '2026-11-01,,0,1,2,0,0.0,0,0,,280.0'
    """
    return to_csv((row.model_dump() for row in rows), list(UsageRow.model_fields))
