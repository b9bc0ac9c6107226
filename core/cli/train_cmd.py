"""``fieldbench train``: train an extraction model on a dataset folder or a stored workflow.

``fieldbench train DATASET --out DIR [--folds K] [--by document|template] [--json]`` cross-validates first
(each document scored by a model that never saw it, next to the local engine on the same documents), then
trains on every document and saves the model to DIR (the folder it replaces is kept as DIR.previous).
``fieldbench train --workflow ID [--json]`` trains a stored workflow on its annotated documents as a run of
its training history: a new model version, compared with the previous one (``fieldbench models`` activates).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import closing
from typing import Any

from core.cli.text import WORKFLOW_REFERENCE
from core.errors import FieldbenchError

__all__ = ["register", "run_train", "format_evaluation"]


def register(subparsers: Any) -> None:
    """Add the ``train`` sub-command."""
    parser = subparsers.add_parser(
        "train",
        help="train an extraction model on a dataset folder",
        description=(
            "Train the trained engine on a dataset folder (schema.json + NAME.pdf + NAME.json), print its "
            "held-out evaluation next to the local engine and the training time, and save the model to DIR. "
            "Use it with `fieldbench extract|evaluate ... --engine trained --model DIR`."
        ),
    )
    parser.add_argument("dataset", metavar="DATASET", nargs="?", help="the dataset folder")
    parser.add_argument("--out", metavar="DIR", help="folder to save the model in (with DATASET)")
    parser.add_argument(
        "--workflow", metavar="ID", help=f"train a stored workflow on its annotated documents ({WORKFLOW_REFERENCE})"
    )
    parser.add_argument("--folds", type=int, default=5, metavar="K", help="held-out folds (0: no evaluation)")
    parser.add_argument(
        "--by",
        choices=("document", "template"),
        default="document",
        help="hold out documents, or whole layouts (found from the documents) (default: document)",
    )
    parser.add_argument("--json", action="store_true", help="print the evaluation as JSON")
    parser.set_defaults(func=run_train)


def _row(name: str, trained: Any, local: Any, width: int) -> str:
    return (
        f"{name:<{width}}  {trained.precision:>6.3f} {trained.recall:>6.3f} {trained.f1:>6.3f}"
        f"   {local.precision:>6.3f} {local.recall:>6.3f} {local.f1:>6.3f}"
    )


def format_evaluation(evaluation: Any) -> str:
    """A held-out evaluation as text: per field and template both engines, every-field-right share, the
    threshold table and the calibration error."""
    trained, local = evaluation.trained, evaluation.local
    width = max([len("field")] + [len(s.field) for s in trained.fields] + [len(trained.micro.field)])
    header = f"{'field':<{width}}  {'trained P':>6} {'R':>6} {'F1':>6}   {'local P':>6} {'R':>6} {'F1':>6}"
    lines = [
        f"held out by {evaluation.mode}: {len(evaluation.documents)} documents, {evaluation.folds} folds",
        header,
        "-" * len(header),
    ]
    local_by = {s.field: s for s in local.fields}
    for s in trained.fields:
        lines.append(_row(s.field, s, local_by[s.field], width))
    lines.append("-" * len(header))
    lines.append(_row(trained.micro.field, trained.micro, local.micro, width))
    if trained.line_items is not None and local.line_items is not None:
        lines.append(_row(trained.line_items.field, trained.line_items, local.line_items, width))
    lines.append(
        f"documents with every field right: trained {evaluation.all_right['trained']:.1%}, "
        f"local {evaluation.all_right['local']:.1%}"
    )
    if len(evaluation.templates) > 1:
        lines.append("per template (micro-F1, trained / local):")
        for t in evaluation.templates:
            lines.append(f"  {t.template}: {t.trained:.3f} / {t.local:.3f} ({t.documents} documents)")
    ece = evaluation.calibration.ece
    lines.append(
        f"calibration: ECE {'-' if ece is None else f'{ece:.3f}'} over {evaluation.calibration.samples} values"
    )
    lines.append("confidence  answered  precision  coverage")
    for row in evaluation.thresholds:
        precision = "-" if row.precision is None else f"{row.precision:.3f}"
        lines.append(f"  >= {row.threshold:<5}  {row.answered:>8}  {precision:>9}  {row.coverage:>8.3f}")
    return "\n".join(lines)


def _progress(fraction: float, message: str) -> None:
    if sys.stderr.isatty():
        print(f"\r{fraction:>4.0%} {message[:70]:<70}", end="", file=sys.stderr, flush=True)


def run_train(args: argparse.Namespace) -> int:
    """Train a stored workflow (``--workflow``) or a dataset folder (``DATASET --out DIR``)."""
    if args.workflow:
        if args.dataset or args.out:
            raise FieldbenchError("give --workflow ID, or DATASET with --out DIR, not both")
        return _train_workflow(args)
    if not args.dataset or not args.out:
        raise FieldbenchError("nothing to train", hint="Give DATASET --out DIR, or --workflow ID.")
    return _train_folder(args)


def _train_workflow(args: argparse.Namespace) -> int:
    """One run of the workflow's training history, in the foreground; 1 when it did not succeed."""
    # Lazy: scikit-learn and the store load only when training really runs.
    from core.store import Store
    from core.training.jobs import VersionReport, train_workflow

    with closing(Store.open()) as store:
        workflow = store.workflows.get(store.workflows.resolve(args.workflow))
        run = train_workflow(store, workflow)
        version = store.models.version(workflow.id, run.version) if run.version else None
    if args.json:
        data = run.model_dump(mode="json")
        data["report"] = version.report if version else None
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0 if run.status == "succeeded" else 1
    if version is None:
        print(f"training {run.status}: {run.error or run.message}", file=sys.stderr)
        return 1
    report = VersionReport.model_validate(version.report)
    print(format_evaluation(report.evaluation))
    if report.comparison is not None:
        overall = report.comparison.overall
        print(
            f"against v{report.compared_with} on {report.comparison.documents} shared held-out documents: "
            f"F1 {overall.before:.3f} -> {overall.after:.3f} ({overall.change:+.3f}, {overall.low:+.3f} to "
            f"{overall.high:+.3f})"
        )
        for warning in report.comparison.warnings:
            print(f"warning: {warning}")
    print(
        f"version {run.version} saved ({run.seconds:.1f} s); activate it with `fieldbench models activate "
        f"--workflow {workflow.id} {run.version}`"
    )
    return 0


def _train_folder(args: argparse.Namespace) -> int:
    """Evaluate held out, train on everything, save; 0 on success."""
    # Lazy: scikit-learn and the documents stack load only when training really runs.
    from core.evaluation import load_dataset
    from core.training import TrainedExtractor, examples_from_dataset, save_model
    from core.training.evaluation import cross_validate

    dataset = load_dataset(args.dataset)
    started = time.perf_counter()

    progress = _progress
    examples = examples_from_dataset(dataset)
    load_seconds = time.perf_counter() - started
    cache: dict[str, Any] = {}
    evaluation = None
    if args.folds > 0:
        evaluation = cross_validate(
            examples, dataset.workflow, by=args.by, folds=args.folds, progress=progress, prepared=cache
        )
    model = TrainedExtractor(dataset.workflow).fit(examples, progress=progress, prepared=cache)
    summary = None
    if evaluation is not None:
        summary = evaluation.model_dump(mode="json", exclude={"documents"})
    target = save_model(model, args.out, evaluation=summary)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    trained = model.trained_fields
    timing = {
        "load_seconds": round(load_seconds, 3),
        "fit_seconds": round(model.fit_seconds_, 3),
        "total_seconds": round(time.perf_counter() - started, 3),
    }
    if args.json:
        data = {"model": str(target), "documents": len(examples), "trained_fields": trained, **timing}
        data["evaluation"] = evaluation.model_dump(mode="json") if evaluation is not None else None
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    if evaluation is not None:
        print(format_evaluation(evaluation))
    fallback = [f"{p.name} ({p.reason})" for p in model.plans_.values() if p.name not in trained]
    print(f"trained fields: {', '.join(trained) or 'none'}")
    if fallback:
        print("local engine: " + "; ".join(fallback))
    print(
        f"model saved to {target}: {len(examples)} documents, training {timing['fit_seconds']:.1f} s "
        f"(loading {timing['load_seconds']:.1f} s, total with evaluation {timing['total_seconds']:.1f} s)"
    )
    return 0
