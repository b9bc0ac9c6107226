"""``fieldbench template``: the templates of a workflow's training data (list, create, rename, delete)."""

from __future__ import annotations

import argparse
import json
from contextlib import closing
from typing import Any

from core.cli.text import WORKFLOW_REFERENCE
from core.errors import NotFoundError

__all__ = ["register", "run_template"]


def register(subparsers: Any) -> None:
    """Add ``template list|create|rename|delete``."""
    parser = subparsers.add_parser(
        "template",
        help="templates of a workflow's training data",
        description="Templates group a workflow's training documents (one per vendor, layout or document type); "
        "training and evaluation report per template.",
    )
    sub = parser.add_subparsers(dest="template_command", metavar="SUBCOMMAND", required=True)
    listing = sub.add_parser("list", help="templates with annotated against recommended documents")
    listing.add_argument("--workflow", required=True, metavar="ID", help=WORKFLOW_REFERENCE)
    listing.add_argument("--json", action="store_true", help="print JSON")
    create = sub.add_parser("create", help="a new template")
    create.add_argument("--workflow", required=True, metavar="ID", help=WORKFLOW_REFERENCE)
    create.add_argument("name", metavar="NAME")
    rename = sub.add_parser("rename", help="rename a template")
    rename.add_argument("--workflow", required=True, metavar="ID", help=WORKFLOW_REFERENCE)
    rename.add_argument("name", metavar="NAME")
    rename.add_argument("new_name", metavar="NEW_NAME")
    delete = sub.add_parser("delete", help="delete a template (its documents stay, without a template)")
    delete.add_argument("--workflow", required=True, metavar="ID", help=WORKFLOW_REFERENCE)
    delete.add_argument("name", metavar="NAME")
    for command in (listing, create, rename, delete):
        command.set_defaults(func=run_template)


def run_template(args: argparse.Namespace) -> int:
    """Run one template sub-command."""
    from core.annotation.progress import RECOMMENDATION_RULE, training_progress  # lazy: keeps `fieldbench --help` fast
    from core.store import Store  # lazy: keeps `fieldbench --help` fast

    with closing(Store.open()) as store:
        workflow = store.workflows.get(store.workflows.resolve(args.workflow))
        if args.template_command == "list":
            rows = training_progress(store, workflow.id)
            if args.json:
                print(json.dumps([r.model_dump(mode="json") for r in rows], indent=2, ensure_ascii=False))
                return 0
            for r in rows:
                print(
                    f"{r.name}: {r.annotated} annotated ({r.recommended} recommended), {r.needs_annotation} to annotate"
                )
            print(RECOMMENDATION_RULE)
            return 0
        if args.template_command == "create":
            print(f"created template {store.templates.create(workflow.id, args.name).name!r}")
            return 0
        template = store.templates.find(workflow.id, args.name)
        if template is None:
            raise NotFoundError("template", args.name)
        if args.template_command == "rename":
            print(f"renamed {template.name!r} to {store.templates.rename(template.id, args.new_name).name!r}")
        else:
            store.templates.delete(template.id)
            print(f"deleted template {template.name!r}; its documents stay, without a template")
    return 0
