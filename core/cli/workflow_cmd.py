"""``fieldbench workflow``: create workflows from schema files, list them, show versions, export them."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.cli.text import WORKFLOW_REFERENCE

if TYPE_CHECKING:
    from core.schema import Workflow
    from core.store import Store

__all__ = [
    "register",
    "run_create",
    "run_list",
    "run_export",
    "run_versions",
    "run_delete",
    "workflow_summary",
]


def register(subparsers: Any) -> None:
    """Add ``workflow create``, ``list``, ``versions``, ``delete`` and ``export``."""
    parser = subparsers.add_parser(
        "workflow",
        help="create, list and export workflows",
        description="Workflows in the store (FIELDBENCH_HOME): create from a schema file, list, export.",
    )
    sub = parser.add_subparsers(dest="workflow_command", metavar="SUBCOMMAND", required=True)

    create = sub.add_parser("create", help="create a workflow from a schema file")
    create.add_argument("--schema", required=True, metavar="FILE", help="a JSON Schema or a dataset schema.json")
    create.add_argument("--name", metavar="NAME", help="the workflow's name (default: the file's name)")
    create.add_argument("--description", metavar="TEXT", help="the workflow's description")
    create.add_argument("--json", action="store_true", help="print the new workflow as JSON")
    create.set_defaults(func=run_create)

    listing = sub.add_parser("list", help="list workflows (latest versions)")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=run_list)

    versions = sub.add_parser("versions", help="list the saved versions of a workflow")
    versions.add_argument("id", metavar="ID", help=WORKFLOW_REFERENCE)
    versions.set_defaults(func=run_versions)

    delete = sub.add_parser("delete", help="delete a workflow and all its versions")
    delete.add_argument("id", metavar="ID", help=WORKFLOW_REFERENCE)
    delete.set_defaults(func=run_delete)

    export = sub.add_parser("export", help="print a workflow's schema")
    export.add_argument("id", metavar="ID", help=WORKFLOW_REFERENCE)
    export.add_argument(
        "--format",
        choices=("json-schema", "dataset"),
        default="json-schema",
        help="json-schema: the Draft 7 subset (default); dataset: the schema.json format of the datasets",
    )
    export.add_argument("--version", type=int, metavar="N", help="an older version (default: the latest)")
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    export.set_defaults(func=run_export)


def _open_store() -> Store:
    from core.store import Store  # lazy: keeps `fieldbench --help` fast

    return Store.open()


def workflow_summary(workflow: Workflow) -> dict[str, Any]:
    """A workflow as JSON-ready data: id, name, description, version, spec, fields, json_schema ..."""
    from core.schema import to_dataset_schema  # lazy: keeps `fieldbench --help` fast

    dataset = to_dataset_schema(workflow)
    return {
        "id": workflow.id,
        "name": workflow.name,
        "description": workflow.description,
        "version": workflow.version,
        "created_at": workflow.created_at.isoformat(),
        "spec": workflow.spec.model_dump(mode="json"),
        "has_thumbnail": workflow.thumbnail is not None,
        "fields": dataset["fields"],
        "json_schema": dataset["json_schema"],
    }


def run_create(args: argparse.Namespace) -> int:
    """Create the workflow and print its id (``--json``: the whole workflow)."""
    from core.schema import Workflow, load_schema_file  # lazy: keeps `fieldbench --help` fast

    draft = load_schema_file(args.schema)
    name = (args.name or draft.name or Path(args.schema).stem).strip()
    description = args.description if args.description is not None else draft.description
    store = _open_store()
    try:
        workflow = store.workflows.create(Workflow(name=name, description=description, fields=draft.fields))
    finally:
        store.close()
    if args.json:
        print(json.dumps(workflow_summary(workflow), indent=2, ensure_ascii=False))
    else:
        print(f"created workflow {workflow.id} {workflow.name!r}: {len(workflow.fields)} fields, version 1")
    return 0


def run_list(args: argparse.Namespace) -> int:
    """One line per workflow: id, version, number of fields, name."""
    store = _open_store()
    try:
        workflows = store.workflows.list()
    finally:
        store.close()
    if args.json:
        print(json.dumps([workflow_summary(w) for w in workflows], indent=2, ensure_ascii=False))
        return 0
    if not workflows:
        print("no workflows yet: create one with `fieldbench workflow create --schema FILE --name NAME`")
    for w in workflows:
        print(f"{w.id}  v{w.version}  {len(w.fields):>3} fields  {w.name}")
    return 0


def run_versions(args: argparse.Namespace) -> int:
    """One line per saved version: number, time, field count, what changed."""
    store = _open_store()
    try:
        versions = store.workflows.versions(store.workflows.resolve(args.id))
    finally:
        store.close()
    for v in versions:
        print(f"v{v.version}  {v.created_at:%Y-%m-%d %H:%M:%S}  {v.field_count:>3} fields  {v.summary}")
    return 0


def run_delete(args: argparse.Namespace) -> int:
    """Delete the workflow; prints what was deleted."""
    store = _open_store()
    try:
        workflow = store.workflows.get(store.workflows.resolve(args.id))
        store.workflows.delete(workflow.id)
    finally:
        store.close()
    print(f"deleted workflow {workflow.id} {workflow.name!r} (version {workflow.version})")
    return 0


def run_export(args: argparse.Namespace) -> int:
    """Print (or write) the workflow's JSON Schema or dataset schema.json."""
    store = _open_store()
    try:
        workflow = store.workflows.get(store.workflows.resolve(args.id), args.version)
    finally:
        store.close()
    from core.schema import to_dataset_schema, to_json_schema  # lazy: keeps `fieldbench --help` fast

    data = to_json_schema(workflow.fields) if args.format == "json-schema" else to_dataset_schema(workflow)
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        print(text)
    return 0
