"""``fieldbench feedback``: feedback on a processing result (description, tag, expected values)."""

from __future__ import annotations

import argparse
import json
from contextlib import closing
from pathlib import Path
from typing import Any

from core.errors import FieldbenchError

__all__ = ["register", "run_feedback"]


def register(subparsers: Any) -> None:
    """Add the ``feedback`` sub-command."""
    parser = subparsers.add_parser(
        "feedback",
        help="give feedback on a processing result (it joins the training data)",
        description="Feedback on a run: with --expected the diff against the result is stored and the document "
        "becomes annotated training data; without, it joins the training data to be annotated. --tag puts it "
        "under the template of that name. Feedback does not retrain; the next training run uses it.",
    )
    parser.add_argument("processing_id", metavar="PROCESSING_ID", help="the run's processing_id")
    parser.add_argument("--description", default="", metavar="TEXT", help="what was wrong")
    parser.add_argument("--tag", metavar="NAME", help="the template the document belongs to")
    parser.add_argument("--expected", metavar="FILE", help='JSON file of expected values: {field: {"value": ...}}')
    parser.add_argument("--json", action="store_true", help="print the stored feedback as JSON")
    parser.set_defaults(func=run_feedback)


def _read_expected(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise FieldbenchError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FieldbenchError(f"{path}: cannot read the file ({exc})") from None
    except json.JSONDecodeError as exc:
        raise FieldbenchError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None


def run_feedback(args: argparse.Namespace) -> int:
    """Submit the feedback; print what was stored (the mismatching fields, the template)."""
    from core.annotation.feedback import submit_feedback  # lazy: keeps `fieldbench --help` fast
    from core.store import Store  # lazy: keeps `fieldbench --help` fast

    expected = _read_expected(args.expected) if args.expected else None
    with closing(Store.open()) as store:
        record = submit_feedback(
            store, args.processing_id, description=args.description, tag=args.tag, expected=expected
        )
        training = store.training.get(record.training_document_id) if record.training_document_id else None
    if args.json:
        print(json.dumps(record.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return 0
    print(f"feedback {record.id} stored for run {record.processing_id}")
    if record.diff is not None:
        wrong = record.mismatches
        print(f"{len(wrong)} of {len(record.diff)} values differed from the result" + (":" if wrong else ""))
        for diff in wrong:
            print(f"  {diff.path}: extracted {diff.extracted!r}, expected {diff.expected!r}")
    if training is not None:
        under = f" under template {record.tag!r}" if record.tag else ""
        print(f"the document is training data{under}: {training.status.replace('_', ' ')}")
    return 0
