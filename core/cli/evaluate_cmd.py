"""``fieldbench evaluate``: extract every document of a dataset folder and score it per field."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from core.cli.extract_cmd import add_engine_arguments

__all__ = ["register", "run_evaluate"]


def register(subparsers: Any) -> None:
    """Add the ``evaluate`` sub-command."""
    parser = subparsers.add_parser(
        "evaluate",
        help="score an engine on a dataset folder",
        description=(
            "Extract every document of a dataset folder (schema.json + NAME.pdf + NAME.json) and print "
            "per-field precision, recall and F1, micro-F1 over scalar fields and line-item F1."
        ),
    )
    parser.add_argument("dataset", metavar="DATASET", help="the dataset folder")
    add_engine_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print the whole report as JSON")
    parser.add_argument("--limit", type=int, metavar="N", help="evaluate only the first N documents")
    parser.set_defaults(func=run_evaluate)


def run_evaluate(args: argparse.Namespace) -> int:
    """Evaluate and print the report; 0 when every document was processed, else 1."""
    from core.evaluation import evaluate, format_report, load_dataset  # lazy: keeps `fieldbench --help` fast

    dataset = load_dataset(args.dataset)

    def progress(done: int, total: int, name: str) -> None:
        if sys.stderr.isatty():
            print(f"\r{done}/{total} {name[:60]:<60}", end="", file=sys.stderr, flush=True)

    # A throw-away store: evaluation documents are not the user's documents and must not count as usage.
    report = evaluate(
        dataset, engine=args.engine, model_dir=args.model, limit=args.limit, source="cli", progress=progress
    )
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if args.json:
        data = report.model_dump(mode="json")
        data["micro_f1"], data["line_item_f1"] = report.micro_f1, report.line_item_f1
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(format_report(report))
    return 1 if report.failed else 0
