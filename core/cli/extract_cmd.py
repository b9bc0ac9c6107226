"""``fieldbench extract``: extract a workflow's fields from documents, one JSON result per document."""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.cli.text import WORKFLOW_REFERENCE
from core.documents.formats import document_paths
from core.errors import FieldbenchError
from core.extraction.base import ENGINE_CHOICES

if TYPE_CHECKING:
    from core.schema import Workflow

__all__ = ["register", "run_extract", "workflow_from_args"]


def register(subparsers: Any) -> None:
    """Add the ``extract`` sub-command."""
    parser = subparsers.add_parser(
        "extract",
        help="extract fields from documents",
        description="Extract a workflow's fields from PDFs and images; one NAME.json result per document.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="documents (or folders of documents)")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--schema", metavar="FILE", help="a JSON Schema or a dataset schema.json")
    source.add_argument("--workflow", metavar="ID", help=WORKFLOW_REFERENCE)
    add_engine_arguments(parser)
    parser.add_argument("--out", metavar="DIR", help="folder for the NAME.json results (default: stdout)")
    parser.add_argument("--password", metavar="PW", help="password of encrypted PDFs")
    parser.set_defaults(func=run_extract)


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """``--engine`` and ``--model``, shared with ``evaluate``."""
    parser.add_argument(
        "--engine",
        choices=ENGINE_CHOICES,
        default="auto",
        help="auto: a trained model, else the LLM when configured, else local (default)",
    )
    parser.add_argument("--model", metavar="DIR", help="folder of a trained model (with --engine trained)")


def workflow_from_args(args: argparse.Namespace, store: Any) -> Workflow:
    """The workflow named by ``--schema FILE`` or ``--workflow ID``."""
    if args.workflow:
        workflow: Workflow = store.workflows.get(store.workflows.resolve(args.workflow))
        return workflow
    from core.schema import Workflow, load_schema_file  # lazy: keeps `fieldbench --help` fast

    path = Path(args.schema)
    draft = load_schema_file(path)
    # The same schema file is the same workflow in the processing log, run after run.
    workflow_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"fieldbench:schema:{path.resolve()}"))
    return Workflow(id=workflow_id, name=draft.name or path.stem, description=draft.description, fields=draft.fields)


def _out_name(path: Path, taken: set[str]) -> str:
    stem, n = path.stem, 1
    name = f"{stem}.json"
    while name in taken:  # two documents with one stem (from two folders) keep both results
        n += 1
        name = f"{stem}_{n}.json"
    taken.add(name)
    return name


def run_extract(args: argparse.Namespace) -> int:
    """Extract every document; write results; return 0, or 1 when any document failed."""
    from core.pipeline import process  # lazy: keeps `fieldbench --help` fast
    from core.store import Store  # lazy: keeps `fieldbench --help` fast

    documents = document_paths(args.paths)
    if len(documents) > 1 and not args.out:
        raise FieldbenchError(f"{len(documents)} documents need a folder for their results", hint="Add --out DIR.")
    store = Store.open()
    try:
        workflow = workflow_from_args(args, store)
        out = Path(args.out) if args.out else None
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
        taken: set[str] = set()
        failed = 0
        for path in documents:
            try:
                result = process(
                    store,
                    path,
                    workflow,
                    engine=args.engine,
                    source="cli",
                    password=args.password,
                    model_dir=args.model,
                )
            except FieldbenchError as exc:
                if len(documents) == 1:
                    raise
                failed += 1
                print(f"fieldbench: error: {exc}", file=sys.stderr)
                continue
            text = result.to_json(indent=2)
            if out is None:
                try:
                    print(text, flush=True)
                except BrokenPipeError:  # `fieldbench extract ... | head`: the reader has had enough
                    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                    return 0
            else:
                target = out / _out_name(path, taken)
                target.write_text(text + "\n", encoding="utf-8")
                print(f"{path} -> {target} ({result.engine})", file=sys.stderr)
        return 1 if failed else 0
    finally:
        store.close()
