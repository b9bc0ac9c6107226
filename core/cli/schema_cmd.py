"""``fieldbench schema``: check a schema file, draft fields from a request, review field descriptions."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import SchemaError

if TYPE_CHECKING:
    from core.schema import Field

__all__ = ["register", "run_check", "run_generate", "run_guide", "format_fields"]


def register(subparsers: Any) -> None:
    """Add ``schema check``, ``schema generate`` and ``schema guide``."""
    parser = subparsers.add_parser(
        "schema",
        help="check, generate and review workflow schemas",
        description="Work with workflow schemas: a JSON Schema (Draft 7 subset) or a dataset schema.json.",
    )
    sub = parser.add_subparsers(dest="schema_command", metavar="SUBCOMMAND", required=True)

    check = sub.add_parser(
        "check",
        help="validate a schema file",
        description="Validate a JSON Schema or dataset schema.json; one line per problem (path: reason).",
    )
    check.add_argument("file", metavar="FILE", help="a JSON Schema or a dataset schema.json")
    check.set_defaults(func=run_check)

    generate = sub.add_parser(
        "generate",
        help="draft fields from a plain-language request",
        description='Draft fields from a request such as "Extract the invoice number, total and due date".',
    )
    generate.add_argument("request", metavar="REQUEST", help="what to extract, in plain language")
    generate.add_argument("--json", action="store_true", help="print the dataset schema.json format")
    generate.add_argument("--name", default="Draft", help="workflow name for --json (default: Draft)")
    generate.add_argument("--no-llm", action="store_true", help="stay offline even when an LLM is configured")
    generate.set_defaults(func=run_generate)

    guide = sub.add_parser(
        "guide",
        help="review field descriptions with the field guide",
        description="Score each field's description and say concretely what to improve.",
    )
    guide.add_argument("file", metavar="FILE", help="a JSON Schema or a dataset schema.json")
    guide.add_argument("--no-llm", action="store_true", help="stay offline even when an LLM is configured")
    guide.set_defaults(func=run_guide)


def run_check(args: argparse.Namespace) -> int:
    """Print ``valid: N fields`` (exit 0), or one ``path: reason`` line per problem (exit 1).

    A dataset schema.json is also checked for a ``json_schema`` that disagrees with its ``fields``.
    """
    from core.schema import dataset_consistency, load_schema_file  # lazy: keeps `fieldbench --help` fast

    try:
        draft = load_schema_file(args.file)
    except SchemaError as exc:
        for problem in exc.problems:
            print(problem)
        return 1
    mismatch = dataset_consistency(json.loads(Path(args.file).read_text(encoding="utf-8-sig")))
    if mismatch:
        for problem in mismatch:
            print(problem)
        return 1
    print(f"valid: {len(draft.fields)} fields")
    return 0


def format_fields(fields: list[Field], indent: str = "") -> list[str]:
    """Readable lines for a list of fields: ``name  type  required  description``, sub-fields indented."""
    lines: list[str] = []
    width = max((len(f.name) for f in fields), default=0)
    for field in fields:
        kind: str = field.type
        if field.type == "array" and field.items is not None:
            kind = f"array of {field.items.type}"
        if field.type == "enum" or (field.items is not None and field.items.type == "enum"):
            values = field.values or (field.items.values if field.items else [])
            kind += " (" + ", ".join(map(str, values)) + ")"
        flag = "required" if field.required else "optional"
        lines.append(f"{indent}{field.name:<{width}}  {kind}  {flag}  {field.description}".rstrip())
        lines.extend(format_fields(field.sub_fields, indent + "    "))
    return lines


def run_generate(args: argparse.Namespace) -> int:
    """Print the fields drafted from the request (``--json``: the dataset schema.json format)."""
    from core.guide.drafting import draft_schema  # lazy: keeps `fieldbench --help` fast
    from core.schema import WorkflowDraft, to_dataset_schema  # lazy: keeps `fieldbench --help` fast

    drafted = draft_schema(args.request, llm=not args.no_llm)
    fields = drafted.fields
    if drafted.note:  # e.g. drafted offline because the LLM failed: say so without spoiling --json output
        print(f"note: {drafted.note}", file=sys.stderr)
    if args.json:
        draft = WorkflowDraft(name=args.name, description=args.request, fields=fields)
        print(json.dumps(to_dataset_schema(draft), indent=2, ensure_ascii=False))
    else:
        print("\n".join(format_fields(fields)))
    return 0


def run_guide(args: argparse.Namespace) -> int:
    """Print each field's readiness score, findings and suggested description, then the overall score."""
    from core.guide.review import review_workflow  # lazy: keeps `fieldbench --help` fast
    from core.schema import load_schema_file  # lazy: keeps `fieldbench --help` fast

    draft = load_schema_file(args.file)
    report = review_workflow(draft.fields, llm=not args.no_llm)
    for line in _review_lines(report.fields, ""):
        print(line)
    for finding in report.findings:
        print(f"workflow  {finding.severity}  {finding.code}: {finding.message}")
    print(f"overall readiness: {report.score}/100")
    if report.note:
        print(f"note: {report.note}")
    return 0


def _review_lines(reviews: list[Any], indent: str) -> list[str]:
    lines: list[str] = []
    for review in reviews:
        lines.append(f"{indent}{review.name}  {review.score}/100")
        for finding in review.findings:
            lines.append(f"{indent}  {finding.severity}  {finding.code}: {finding.message}")
        suggestion = getattr(review, "llm_suggestion", None) or review.suggestion
        if suggestion:
            lines.append(f"{indent}  suggestion: {suggestion}")
        lines.extend(_review_lines(list(getattr(review, "children", [])), indent + "    "))
    return lines
