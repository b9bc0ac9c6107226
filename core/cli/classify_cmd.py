"""``fieldbench classify``: train a document classifier from a label folder, or classify documents with one.

``classify`` is both a group and a command: ``fieldbench classify train FOLDER --out DIR`` trains, and
``fieldbench classify PATH... --model DIR`` classifies (a first positional ``train`` selects training; a
document really called ``train`` can be given as ``./train``).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from core.documents.formats import document_paths
from core.errors import FieldbenchError

__all__ = ["register", "run_classify", "format_report"]


def register(subparsers: Any) -> None:
    """Add the ``classify`` sub-command (with its ``train`` form)."""
    parser = subparsers.add_parser(
        "classify",
        help="train a document classifier, or classify documents",
        description="fieldbench classify train FOLDER --out DIR [--pages first|all|N]: train on FOLDER (one "
        "subfolder per label) and write the model to DIR.  fieldbench classify PATH... --model DIR [--json]: "
        "classify documents.",
        usage="fieldbench classify train FOLDER --out DIR [--pages first|all|N] [--hard]\n"
        "       fieldbench classify PATH... --model DIR [--json]",
    )
    parser.add_argument("items", nargs="+", metavar="PATH", help="`train FOLDER`, or documents / folders")
    parser.add_argument("--out", metavar="DIR", help="(train) where to write the model")
    parser.add_argument(
        "--pages", default="first", metavar="first|all|N", help="(train) relevant pages (default: first)"
    )
    parser.add_argument("--hard", action="store_true", help="(train) a difficult task: double the data advice")
    parser.add_argument("--model", metavar="DIR", help="(classify) the trained model folder")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run_classify)


def format_report(report: Any) -> str:
    """A training report as text: accuracy per class, the confusion matrix, warnings."""
    labels: list[str] = report.labels
    width = max(len(label) for label in labels)
    lines = []
    overall = "unknown (too few samples)" if report.accuracy is None else f"{report.accuracy:.1%}"
    lines.append(f"cross-validated accuracy: {overall} ({report.folds} folds, {sum(report.samples.values())} samples)")
    lines.append(f"{'label'.ljust(width)}  samples  accuracy  precision")
    for label in labels:
        m = report.per_class[label]
        acc = "-" if m.accuracy is None else f"{m.accuracy:.1%}"
        prec = "-" if m.precision is None else f"{m.precision:.1%}"
        lines.append(f"{label.ljust(width)}  {m.samples:>7}  {acc:>8}  {prec:>9}")
    lines.append("confusion matrix (rows: true, columns: predicted):")
    cell = max(5, *(len(label) for label in labels))
    lines.append(" " * (width + 2) + " ".join(label[:cell].rjust(cell) for label in labels))
    for label, row in zip(labels, report.confusion, strict=True):
        lines.append(label.ljust(width + 2) + " ".join(str(v).rjust(cell) for v in row))
    for warning in report.warnings:
        lines.append(f"warning: {warning}")
    return "\n".join(lines)


def _train(args: argparse.Namespace) -> int:
    from core.classify import parse_pages, train_folder  # lazy: keeps `fieldbench --help` fast

    if len(args.items) != 2:
        raise FieldbenchError("usage: fieldbench classify train FOLDER --out DIR", hint="Give exactly one FOLDER.")
    if not args.out:
        raise FieldbenchError("classify train needs --out DIR (where the model is written)")
    report = train_folder(args.items[1], args.out, pages=parse_pages(args.pages), hard=args.hard)
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        print(format_report(report))
        print(f"model written to {args.out}")
    return 0


def _classify(args: argparse.Namespace) -> int:
    from core.classify import classify_file, load_model  # lazy: keeps `fieldbench --help` fast

    if not args.model:
        raise FieldbenchError(
            "classify needs --model DIR", hint="Train one first: fieldbench classify train FOLDER --out DIR."
        )
    model = load_model(args.model)
    results: list[dict[str, Any]] = []
    failed = 0
    for path in document_paths(args.items):
        try:
            c = classify_file(model, path)
        except FieldbenchError as exc:
            failed += 1
            print(f"fieldbench: error: {path}: {exc}", file=sys.stderr)
            continue
        entry = {
            "file": str(path),
            "label": c.label,
            "confidence": round(c.confidence, 4),
            "scores": {k: round(v, 4) for k, v in c.scores.items()},
            "needs_review": c.needs_review,
        }
        results.append(entry)
        if not args.json:
            flag = "  REVIEW" if c.needs_review else ""
            print(f"{path}\t{c.label}\t{c.confidence:.1%}{flag}")
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    return 1 if failed else 0


def run_classify(args: argparse.Namespace) -> int:
    """Dispatch: ``train FOLDER`` trains, anything else classifies."""
    if args.items[0] == "train":
        return _train(args)
    return _classify(args)
