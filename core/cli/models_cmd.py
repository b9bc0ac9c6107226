"""``fieldbench models``: a stored workflow's model versions and training history; activate, roll back."""

from __future__ import annotations

import argparse
import json
from contextlib import closing
from typing import Any

from core.cli.text import WORKFLOW_REFERENCE

__all__ = ["register", "run_models"]


def register(subparsers: Any) -> None:
    """Add ``models list|activate|rollback``."""
    parser = subparsers.add_parser(
        "models",
        help="a workflow's trained model versions: list, activate, roll back",
        description="The versions `fieldbench train --workflow ID` (or the Train page) saved. The active version "
        "replaces the generic engines for the workflow (`--engine auto` picks it).",
    )
    sub = parser.add_subparsers(dest="models_command", metavar="SUBCOMMAND", required=True)
    listing = sub.add_parser("list", help="versions with their held-out scores, and the training history")
    listing.add_argument("--workflow", required=True, metavar="ID", help=WORKFLOW_REFERENCE)
    listing.add_argument("--json", action="store_true", help="print JSON")
    activate = sub.add_parser("activate", help="make a version the workflow's model")
    activate.add_argument("--workflow", required=True, metavar="ID", help=WORKFLOW_REFERENCE)
    activate.add_argument("version", type=int, metavar="N")
    rollback = sub.add_parser("rollback", help="go back to an earlier version (default: the one before)")
    rollback.add_argument("--workflow", required=True, metavar="ID", help=WORKFLOW_REFERENCE)
    rollback.add_argument("--to", type=int, metavar="N", help="the version to go back to")
    rollback.add_argument("--none", action="store_true", help="no trained model: the generic engines run")
    for command in (listing, activate, rollback):
        command.set_defaults(func=run_models)


def _scores(report: dict[str, Any]) -> str:
    evaluation = report.get("evaluation") or {}
    trained = (evaluation.get("trained") or {}).get("micro") or {}
    local = (evaluation.get("local") or {}).get("micro") or {}
    if not trained:
        return "no held-out evaluation"
    return f"held-out F1 {trained.get('f1', 0):.3f} (local {local.get('f1', 0):.3f})"


def run_models(args: argparse.Namespace) -> int:
    """Run one ``models`` sub-command."""
    from core.store import Store  # lazy: keeps `fieldbench --help` fast
    from core.training.jobs import activate, history, rollback  # lazy: keeps `fieldbench --help` fast

    with closing(Store.open()) as store:
        workflow = store.workflows.get(store.workflows.resolve(args.workflow))
        if args.models_command == "activate":
            for warning in activate(store, workflow.id, args.version):
                print(f"warning: {warning}")
            print(f"version {args.version} is active for {workflow.name!r}")
            return 0
        if args.models_command == "rollback":
            if args.none:
                store.models.set_active(workflow.id, None)
                now = None
            else:
                now = rollback(store, workflow.id, args.to)
            message = f"version {now} is active" if now is not None else "no trained model is active"
            print(message + ("" if now is not None else ": the generic engines run"))
            return 0
        versions = store.models.versions(workflow.id)
        active = store.models.active(workflow.id)
        runs = history(store, workflow.id)
    if args.json:
        data = {
            "active": active,
            "versions": [
                v.model_dump(mode="json", exclude={"report"}) | {"scores": _scores(v.report)} for v in versions
            ],
            "runs": [r.model_dump(mode="json") for r in runs],
        }
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    if not versions:
        print(f"no model versions yet: train one with `fieldbench train --workflow {workflow.id}`")
    for v in versions:
        mark = "*" if v.version == active else " "
        print(f"{mark} v{v.version}  {v.created_at:%Y-%m-%d %H:%M}  {v.documents:>4} documents  {_scores(v.report)}")
    for r in runs:
        took = f"{r.seconds:.0f} s" if r.seconds is not None else f"{r.progress:.0%}"
        print(f"  run {r.id[:8]}  {r.started_at:%Y-%m-%d %H:%M}  {r.status:<10} {took:>6}  {r.error or r.message}")
    return 0
