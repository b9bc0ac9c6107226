"""``fieldbench usage``: documents, pages, engines, sources, tokens and credits from the processing log."""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from core.cli.text import text_table
from core.errors import FieldbenchError

__all__ = ["register", "run_usage", "parse_date"]


def parse_date(value: str) -> date:
    """A ``YYYY-MM-DD`` argument as a date (argparse type).

    >>> parse_date("2026-11-01")
    datetime.date(2026, 11, 1)
    """
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def register(subparsers: Any) -> None:
    """Add the ``usage`` sub-command."""
    parser = subparsers.add_parser(
        "usage",
        help="usage statistics: documents, pages, credits",
        description="Usage from the processing log (app, notebooks, CLI, API): documents, pages, engines, "
        "sources, time, LLM tokens and cost, credits by the configured cost model, and the monthly quota.",
    )
    parser.add_argument("--since", type=parse_date, metavar="YYYY-MM-DD", help="first day counted")
    parser.add_argument("--until", type=parse_date, metavar="YYYY-MM-DD", help="last day counted")
    parser.add_argument("--period", choices=("day", "week", "month"), default="day", help="rows per (default: day)")
    parser.add_argument("--by", choices=("workflow", "source", "engine"), help="split each period by this")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.set_defaults(func=run_usage)


def run_usage(args: argparse.Namespace) -> int:
    """Print the usage summary, the rows per period and the quota."""
    from core.config import get_settings  # lazy: keeps `fieldbench --help` fast
    from core.store import Store  # lazy: keeps `fieldbench --help` fast
    from core.usage import quota_status, usage_over_time, usage_summary  # lazy: keeps `fieldbench --help` fast

    if args.since and args.until and args.until < args.since:
        raise FieldbenchError(f"--until {args.until} is before --since {args.since}")
    settings = get_settings()
    store = Store.open(settings)
    try:
        summary = usage_summary(store, since=args.since, until=args.until, settings=settings)
        rows = usage_over_time(store, args.period, since=args.since, until=args.until, by=args.by, settings=settings)
        quota = quota_status(store, settings)
    finally:
        store.close()
    if args.json:
        print(
            json.dumps(
                {
                    "summary": summary.model_dump(mode="json"),
                    "rows": [r.model_dump(mode="json") for r in rows],
                    "quota": quota.model_dump(mode="json"),
                    "cost_model": {
                        "credits_per_page": settings.credits_per_page,
                        "credits_per_document": settings.credits_per_document,
                    },
                },
                indent=2,
            )
        )
        return 0
    cost = "n/a" if summary.llm_cost is None else f"${summary.llm_cost:.4f}"
    print(
        f"{summary.documents} documents ({summary.unique_documents} distinct), {summary.pages} pages, "
        f"{summary.errors} failed runs, {summary.seconds:.1f} s, LLM tokens {summary.prompt_tokens}+"
        f"{summary.completion_tokens} (cost {cost}), {summary.credits:g} credits "
        f"({settings.credits_per_page:g}/page + {settings.credits_per_document:g}/document)"
    )
    if summary.by_source:
        print("by source: " + ", ".join(f"{k} {v}" for k, v in summary.by_source.items()))
    if summary.by_engine:
        print("by engine: " + ", ".join(f"{k} {v}" for k, v in summary.by_engine.items()))
    if rows:
        headers = [args.period] + ([args.by] if args.by else []) + ["docs", "pages", "errors", "seconds", "credits"]
        body = [
            [r.period.isoformat()]
            + ([r.group or ""] if args.by else [])
            + [str(r.documents), str(r.pages), str(r.errors), f"{r.seconds:.1f}", f"{r.credits:g}"]
            for r in rows
        ]
        print()
        print(text_table(headers, body))
    print()
    print(f"quota ({quota.level}): {quota.message}")
    return 0
