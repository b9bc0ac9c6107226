"""``fieldbench runs``: the processing log. ``runs list`` finds runs (from the app, notebooks, the command line
and scripts) with their ``processing_id``; ``runs show ID`` prints a stored result as ``extract`` printed it."""

from __future__ import annotations

import argparse
import json
from typing import Any

from core.cli.text import WORKFLOW_REFERENCE, text_table
from core.cli.usage_cmd import parse_date
from core.errors import FieldbenchError
from core.extraction.base import ENGINE_NAMES

__all__ = ["register", "run_list", "run_show", "LIST_LIMIT"]

LIST_LIMIT = 50  # newest runs listed by default: a screenful; --limit 0 lists all


def register(subparsers: Any) -> None:
    """Add ``runs list`` and ``runs show``."""
    parser = subparsers.add_parser(
        "runs",
        help="list processing runs and show their results",
        description="Every processing run (app, notebooks, command line, scripts) with its processing_id.",
    )
    sub = parser.add_subparsers(dest="runs_command", metavar="SUBCOMMAND", required=True)

    listing = sub.add_parser("list", help="list runs, newest first")
    listing.add_argument("--workflow", metavar="ID", help=f"only runs of this workflow ({WORKFLOW_REFERENCE})")
    listing.add_argument("--since", type=parse_date, metavar="YYYY-MM-DD", help="first day listed")
    listing.add_argument("--until", type=parse_date, metavar="YYYY-MM-DD", help="last day listed")
    listing.add_argument("--engine", choices=ENGINE_NAMES, help="only runs of this engine")
    listing.add_argument("--status", metavar="STATUS", help="only ok or only error runs")
    listing.add_argument("--limit", type=int, default=LIST_LIMIT, help=f"at most N runs (default {LIST_LIMIT}; 0: all)")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=run_list)

    show = sub.add_parser("show", help="print a run's stored result")
    show.add_argument("processing_id", metavar="PROCESSING_ID", help="the run's id (from `runs list`)")
    show.add_argument("--json", action="store_true", help="the result as JSON, as `fieldbench extract` printed it")
    show.set_defaults(func=run_show)


def run_list(args: argparse.Namespace) -> int:
    """One line per run (``--json``: a list with ``processing_id`` for each)."""
    from core.runs import find_runs, run_row  # lazy: keeps `fieldbench --help` fast
    from core.store import Store  # lazy: keeps `fieldbench --help` fast

    if args.since and args.until and args.until < args.since:
        raise FieldbenchError(f"--until {args.until} is before --since {args.since}")
    store = Store.open()
    try:
        records = find_runs(
            store,
            workflow_id=store.workflows.resolve(args.workflow) if args.workflow else None,
            since=args.since,
            until=args.until,
            engine=args.engine,
            status=args.status,
            limit=args.limit or None,
        )
    finally:
        store.close()
    rows = [run_row(r) for r in records]
    if args.json:
        listed = [{**r, "created_at": r["created_at"].isoformat()} for r in rows]
        print(json.dumps(listed, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("no runs: process a document with `fieldbench extract`, the app or a notebook")
        return 0
    headers = ["processing_id", "time (UTC)", "workflow", "version", "engine", "source", "pages", "status", "document"]
    body = [
        [
            r["processing_id"],
            f"{r['created_at']:%Y-%m-%d %H:%M}",
            r["workflow"],
            r["version"],
            r["engine"],
            r["source"],
            str(r["pages"]),
            r["status"],
            r["document"],
        ]
        for r in rows
    ]
    print(text_table(headers, body, right=[6]))
    return 0


def run_show(args: argparse.Namespace) -> int:
    """The stored result (``--json``: exactly as ``extract`` printed it); a failed run's error."""
    from core.results import field_rows  # lazy: keeps `fieldbench --help` fast
    from core.runs import run_data  # lazy: keeps `fieldbench --help` fast
    from core.store import Store  # lazy: keeps `fieldbench --help` fast

    store = Store.open()
    try:
        record = store.runs.get(args.processing_id)
    finally:
        store.close()
    result = record.result
    if args.json:
        print(result.to_json(indent=2) if result is not None else json.dumps(run_data(record), indent=2))
        return 0
    print(
        f"{record.id}  {record.created_at:%Y-%m-%d %H:%M} UTC  {record.workflow_name} {record.version_label}  "
        f"{record.engine}  {record.source}  {record.document_name}  {record.status}"
    )
    if result is None:
        print(f"error: {record.error}")
        return 0
    body = [
        [
            row["field"],
            "" if row["value"] is None else str(row["value"]),
            "" if row["confidence"] is None else f"{row['confidence']:.2f}",
            "" if row["page"] is None else str(row["page"]),
        ]
        for row in field_rows(result)
    ]
    print(text_table(["field", "value", "confidence", "page"], body, right=[2, 3]))
    return 0
