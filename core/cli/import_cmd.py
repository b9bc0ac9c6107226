"""``fieldbench import``: a folder in the format of ``datasets/`` into a stored workflow's training data."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import closing
from typing import Any

from core.cli.text import WORKFLOW_REFERENCE

__all__ = ["register", "run_import"]


def register(subparsers: Any) -> None:
    """Add the ``import`` sub-command."""
    parser = subparsers.add_parser(
        "import",
        help="import pre-annotated documents (a dataset folder) as training data",
        description='Import NAME.pdf|png|jpg with NAME.json ({field: {"value": ...}}) from a folder as annotated '
        "training data of a workflow; every file is reported accepted or rejected with the reason.",
    )
    parser.add_argument("dataset", metavar="DATASET", help="the folder (schema.json + NAME.pdf + NAME.json)")
    parser.add_argument("--workflow", required=True, metavar="ID", help=WORKFLOW_REFERENCE)
    parser.add_argument("--template", metavar="NAME", help="put the documents in this template (made when missing)")
    parser.add_argument("--json", action="store_true", help='print {"accepted": [...], "rejected": [...]}')
    parser.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    """Import the folder and print the report; exit 1 when nothing was accepted."""
    from core.annotation.uploads import import_folder  # lazy: keeps `fieldbench --help` fast
    from core.store import Store  # lazy: keeps `fieldbench --help` fast

    with closing(Store.open()) as store:
        workflow = store.workflows.get(store.workflows.resolve(args.workflow))

        def progress(done: int, total: int, name: str) -> None:
            if not args.json:
                print(f"[{done}/{total}] {name}", file=sys.stderr)

        report = import_folder(store, workflow, args.dataset, template=args.template, progress=progress)
    if args.json:
        print(json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        for accepted in report.accepted:
            where = f", {accepted.located}/{accepted.values} values located" if accepted.values else ""
            again = " (updated)" if accepted.updated else ""
            print(f"accepted  {accepted.file}: {accepted.status}{where}{again}")
        for rejected in report.rejected:
            print(f"rejected  {rejected.file}: {rejected.reason}")
        for skipped in report.skipped:
            print(f"skipped   {skipped}: neither a document nor JSON")
        print(report.summary())
    return 0 if report.accepted else 1
