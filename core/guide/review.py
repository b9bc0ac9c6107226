"""The field guide: checks each field's description, proposes a better one, scores readiness, shows examples.

Everything runs offline; when an LLM is configured, ``review_workflow`` also asks it for improved
descriptions (``FieldReview.llm_suggestion``, next to the offline ``suggestion``).

Checks (codes of ``Finding``): invalid_name, missing_description, vague, too_short, no_format (dates and
amounts), no_location, no_value_kind (the engine understood neither what the value looks like nor where it is
printed), type_mismatch, boolean_question, enum_no_values, object_no_properties, array_items,
overlap; workflow level: no_fields, duplicate_name. Nested fields report paths such as
``line_items.quantity``.

Scoring rubric (transparent on purpose, so users can see why a score moved):

- a field starts at 100 and loses **50 per error**, **25 per warning** and **10 per info** among its own
  findings (never below 0);
- a field with sub-fields (array items, object properties) scores the mean of its own score and its
  sub-fields' scores;
- the workflow scores the mean of its top-level fields, minus 25 per workflow-level error (duplicate names),
  and 0 when it has no fields.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Sequence
from typing import Literal

from pydantic import BaseModel
from pydantic import Field as PydField
from rapidfuzz import fuzz

from core.config import get_settings
from core.errors import FieldbenchError
from core.guide.describe import build_description
from core.guide.examples import examples
from core.guide.understood import understands, understood
from core.guide.wording import is_vague, mentions_format, mentions_location
from core.llm.client import structured_completion
from core.schema import Field, is_identifier
from core.vocabulary.descriptions import COMPARE_SKIP, QUESTION_CUE
from core.vocabulary.kinds import QUESTION_WORDS, named_kind
from core.vocabulary.words import NAME_SYNONYMS, name_words

__all__ = [
    "Severity",
    "Finding",
    "FieldReview",
    "GuideReport",
    "PENALTIES",
    "CHECKS",
    "review_field",
    "review_workflow",
    "suggest_description",
    "examples",
]

log = logging.getLogger(__name__)

Severity = Literal["error", "warning", "info"]
PENALTIES: dict[str, int] = {"error": 50, "warning": 25, "info": 10}
# Findings a rewritten description fixes; the others (a bad name, a wrong type) need the user.
_DESCRIPTION_CODES = frozenset(
    {
        "missing_description",
        "vague",
        "too_short",
        "no_format",
        "no_location",
        "boolean_question",
        "array_items",
        "no_value_kind",
    }
)


class Finding(BaseModel):
    """One thing to improve about a field or the workflow."""

    code: str = PydField(description="Stable identifier of the check, e.g. 'no_format'.")
    severity: Severity = PydField(
        description="error: extraction will likely fail; warning: likely hurt; info: could help."
    )
    message: str = PydField(description="What is wrong and what to do, in one or two sentences.")
    field: str | None = PydField(
        default=None, description="Path of the field, e.g. 'line_items.quantity'; None for the workflow."
    )


class FieldReview(BaseModel):
    """The field guide's verdict on one field (and, through ``children``, its sub-fields)."""

    name: str = PydField(description="Path of the field, e.g. 'line_items' or 'line_items.quantity'.")
    score: int = PydField(ge=0, le=100, description="Readiness 0-100 (see the module's rubric).")
    findings: list[Finding] = PydField(default_factory=list, description="This field's own findings.")
    suggestion: str | None = PydField(default=None, description="A rewritten description, offline; None when fine.")
    understood: str | None = PydField(
        default=None, description="What the local engine will look for: the value kind it read, the party, the format."
    )
    llm_suggestion: str | None = PydField(default=None, description="An improved description from the LLM, if asked.")
    children: list[FieldReview] = PydField(default_factory=list, description="Reviews of item fields/properties.")

    def all_findings(self) -> list[Finding]:
        """This field's findings followed by those of its sub-fields, depth first."""
        out = list(self.findings)
        for child in self.children:
            out.extend(child.all_findings())
        return out

    def walk(self) -> Iterator[FieldReview]:
        """This review and every nested one, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


class GuideReport(BaseModel):
    """The field guide's report on a whole workflow."""

    fields: list[FieldReview] = PydField(default_factory=list, description="One review per top-level field.")
    findings: list[Finding] = PydField(default_factory=list, description="Workflow-level findings.")
    score: int = PydField(ge=0, le=100, description="Overall readiness 0-100.")
    note: str | None = PydField(default=None, description="E.g. why LLM suggestions are missing.")

    def all_findings(self) -> list[Finding]:
        """Workflow-level findings, then every field's findings (nested ones included)."""
        out = list(self.findings)
        for review in self.fields:
            out.extend(review.all_findings())
        return out

    def review(self, path: str) -> FieldReview:
        """The review of the field at ``path`` (KeyError when there is none)."""
        for top in self.fields:
            for review in top.walk():
                if review.name == path:
                    return review
        raise KeyError(path)


def _type_findings(field: Field, path: str, kind: str | None) -> list[Finding]:
    def mismatch(text: str) -> Finding:
        return Finding(code="type_mismatch", severity="warning", message=text, field=path)

    t = field.type
    if t == "string" and kind in ("amount", "percent", "quantity", "count"):
        wanted = "integer" if kind == "count" else "number"
        return [
            mismatch(
                f"Type is string but the field is {'a count' if kind == 'count' else 'an amount'}; "
                f"use type {wanted} so the value comes back as a number."
            )
        ]
    if t == "string" and kind == "date":
        return [mismatch("Type is string but the field is a date; use type date so it is normalised to YYYY-MM-DD.")]
    if t in ("number", "integer") and kind in ("name", "identifier", "currency"):
        what = {
            "name": "a name or address",
            "identifier": "an identifier (numbers like these can have leading zeros, letters and separators)",
            "currency": "a currency code",
        }[kind]
        return [mismatch(f"Type is {t} but the field is {what}; use type string.")]
    if t in ("number", "integer") and kind == "date":
        return [mismatch(f"Type is {t} but the field is a date; use type date.")]
    if t == "integer" and kind == "amount":
        return [mismatch("Type is integer but amounts have decimals; use type number.")]
    if t == "date" and kind in ("amount", "name", "identifier", "quantity", "count", "currency"):
        looks = "a name or an identifier" if kind in ("name", "identifier") else "a number"
        return [mismatch(f"Type is date but the field looks like {looks}; check the type.")]
    if t in ("string", "number", "integer", "date") and kind == "boolean":
        return [mismatch(f"Type is {t} but the field asks a yes/no question; use type boolean.")]
    return []


# Every check of one field: key -> (severity, what to do), shown to users as they are. The finding's code
# is the key, except that no_*_format report as "no_format" and array_no_* as "array_items".
# fmt: off
CHECKS: dict[str, tuple[Severity, str]] = {
    "invalid_name": ("error", "'{name}' is not a valid name: use letters, digits and underscores, no leading "
                     "digit and no Python keyword (e.g. 'invoice_number')."),
    "missing_description": ("error", "No description: say what the value is, under which labels it appears "
                            "and in which format to return it. The description is the key lever for "
                            "accuracy."),
    "vague": ("warning", "'{text}' says no more than the field's name; say which value exactly (e.g. 'the "
              "invoice number in the header, not the order number') and how it is labelled."),
    "too_short": ("warning", "'{text}' is very short; add the labels the value appears under, where it is, "
                  "and what it must not be confused with."),
    "no_date_format": ("warning", "Say the output format of the date, e.g. 'returned as YYYY-MM-DD'."),
    "no_amount_format": ("warning", "Say the output format of the amount, e.g. 'as a plain number with a dot "
                         "as decimal separator, without currency symbol'."),
    "no_location": ("info", "Give a cue to where the value is: the labels it is printed under (in quotes or "
                    "parentheses, in the documents' languages) or its location (header, totals block, "
                    "column)."),
    "no_value_kind": ("warning", "The engine understood no kind of value from '{text}': say what the value "
                      "looks like or where it is printed (e.g. 'the postal code in the recipient address block', "
                      "'the number printed under \'Account number\'')."),
    "boolean_question": ("warning", "A yes/no field needs a question: start the description with 'Whether "
                         "...' and say what counts as yes (e.g. a ticked box, a signature)."),
    "enum_no_values": ("error", "An enum needs its allowed values; add them or use type string."),
    "object_no_properties": ("error", "An object needs at least one property."),
    "array_no_items": ("error", "An array needs an item definition (a scalar type, or an object with "
                       "properties for table rows)."),
    "array_no_columns": ("error", "The array's items are objects without properties; add the columns."),
    "array_items": ("warning", "Describe one item of the list (what each entry is and how it is printed), on "
                    "the items or in the array's description."),
}
# fmt: on


def _check(field: Field, path: str) -> list[Finding]:
    """The checks on one field, without its sub-fields and without overlap."""
    out: list[Finding] = []
    text = field.description.strip()

    def add(key: str) -> None:
        severity, message = CHECKS[key]
        code = {"no_date_format": "no_format", "no_amount_format": "no_format"}.get(key, key)
        if key.startswith("array_no_"):
            code = "array_items"
        message = message.format(text=text, name=field.name)
        out.append(Finding(code=code, severity=severity, message=message, field=path))

    words = name_words(field.name)
    kind = named_kind(field.name, text)
    if not is_identifier(field.name):
        add("invalid_name")
    if not text:
        add("missing_description")
    elif is_vague(text, words):
        add("vague")
    elif len(text.split()) < 4:
        add("too_short")
    if field.type in ("array", "object") or not text:
        pass
    elif (field.type == "date" or kind == "date") and not mentions_format(text, "date", "date"):
        add("no_date_format")
    elif kind == "amount" and field.type in ("number", "integer", "string") and not mentions_format(text, kind, ""):
        add("no_amount_format")
    if text and field.type == "string" and not understands(field) and not mentions_location(text):
        add("no_value_kind")
    elif text and field.type != "boolean" and not mentions_location(text):
        add("no_location")
    out.extend(_type_findings(field, path, kind))
    if field.type == "boolean" and not ((words and words[0] in QUESTION_WORDS) or QUESTION_CUE.search(text)):
        add("boolean_question")
    if field.type == "enum" and not field.values:
        add("enum_no_values")
    if field.type == "object" and not field.properties:
        add("object_no_properties")
    if field.type == "array":
        if field.items is None:
            add("array_no_items")
        elif field.items.type == "object" and not field.items.properties:
            add("array_no_columns")
        elif field.items.type != "object" and not field.items.description.strip() and len(text.split()) < 6:
            add("array_items")
    return out


def _similar_text(text: str) -> str:
    # Format boilerplate and label lists are shared by well-described fields; compare what remains.
    text = re.sub(r"\([^)]*\)|returned as YYYY-MM-DD|as a plain number[^.;]*|exactly as printed", " ", text)
    return " ".join(NAME_SYNONYMS.get(w, w) for w in name_words(text) if w not in COMPARE_SKIP)


def _name_set(name: str) -> set[str]:
    return {NAME_SYNONYMS.get(w, w) for w in name_words(name)}


def _overlaps(field: Field, others: Sequence[Field], path: str, prefix: str) -> list[Finding]:
    """Siblings that could describe the same value: names one of which refines the other ("total" and
    "total_amount", not "invoice_date" and "due_date") with similar descriptions, or near-identical
    descriptions whatever the names."""
    out = []
    mine_words = _name_set(field.name)
    mine_text = _similar_text(field.description)
    for other in others:
        if other is field or other.name == field.name:
            continue
        other_words = _name_set(other.name)
        nested = mine_words <= other_words or other_words <= mine_words
        other_text = _similar_text(other.description)
        if mine_text and other_text:
            similar = fuzz.token_set_ratio(mine_text, other_text) >= 85
            same = fuzz.token_sort_ratio(mine_text, other_text) >= 95
        else:  # with a description missing, nothing tells them apart but the names
            similar, same = True, False
        if (nested and similar) or same:
            other_name = " ".join(name_words(other.name))
            out.append(
                Finding(
                    code="overlap",
                    severity="warning",
                    field=path,
                    message=(
                        f"'{field.name}' and '{prefix}{other.name}' could describe the same value; say how "
                        f"they differ (e.g. 'not the {other_name}')."
                    ),
                )
            )
    return out


def _score(findings: Sequence[Finding]) -> int:
    return max(0, 100 - sum(PENALTIES[f.severity] for f in findings))


def suggest_description(field: Field) -> str | None:
    """A rewritten description for ``field``, or None when its description needs nothing the guide can add.

    >>> "YYYY-MM-DD" in suggest_description(Field(name="due_date", type="date", description="due date"))
    True
    """
    if not any(f.code in _DESCRIPTION_CODES for f in _check(field, field.name)):
        return None
    suggestion = build_description(field)
    return suggestion if suggestion.strip() != field.description.strip() else None


def _review(field: Field, others: Sequence[Field], path: str) -> FieldReview:
    prefix = path[: len(path) - len(field.name)] if path.endswith(field.name) else ""
    findings = _check(field, path) + _overlaps(field, others, path, prefix)
    children: list[FieldReview] = []
    subs: list[Field] = []
    if field.type == "object":
        subs = field.properties
    elif field.type == "array" and field.items is not None:
        subs = field.items.properties if field.items.type == "object" else []
    for sub in subs:
        children.append(_review(sub, subs, f"{path}.{sub.name}"))
    own = _score(findings)
    score = round((own + sum(c.score for c in children)) / (1 + len(children)))
    return FieldReview(
        name=path,
        score=score,
        findings=findings,
        suggestion=suggest_description(field),
        understood=understood(field) if field.type not in ("array", "object") else None,
        children=children,
    )


def review_field(field: Field, others: Sequence[Field] = ()) -> FieldReview:
    """Check one field (and its sub-fields) and propose a better description.

    Args:
        field: the field to check.
        others: its sibling fields, to detect two fields that could describe the same value.

    Returns:
        A FieldReview with a 0-100 score, findings (paths like ``line_items.quantity``) and a suggestion.

    >>> review_field(Field(name="total", type="string", description="the total")).score < 60
    True
    """
    return _review(field, others, field.name)


def review_workflow(fields: list[Field], llm: bool = True) -> GuideReport:
    """Check every field of a workflow, the workflow as a whole, and score its readiness.

    Args:
        fields: the workflow's top-level fields.
        llm: also ask the configured LLM for improved descriptions (ignored when none is configured).

    Returns:
        A GuideReport; its ``note`` says why LLM suggestions are missing when the LLM failed.
    """
    findings: list[Finding] = []
    if not fields:
        findings.append(
            Finding(
                code="no_fields",
                severity="error",
                field=None,
                message="The workflow has no fields; add at least one field to extract.",
            )
        )
    seen: set[str] = set()
    for f in fields:
        if f.name in seen:
            findings.append(
                Finding(
                    code="duplicate_name",
                    severity="error",
                    field=f.name,
                    message=f"Two fields are called '{f.name}'; field names must be unique.",
                )
            )
        seen.add(f.name)
    reviews = [review_field(f, fields) for f in fields]
    score = 0
    if reviews:
        mean = sum(r.score for r in reviews) / len(reviews)
        score = max(0, round(mean) - 25 * sum(1 for f in findings if f.severity == "error"))
    report = GuideReport(fields=reviews, findings=findings, score=score)
    if llm and fields and get_settings().llm_configured:
        report.note = _add_llm_suggestions(fields, report)
    return report


class _Advice(BaseModel):
    path: str = PydField(description="The field's path exactly as given, e.g. 'line_items.quantity'.")
    description: str = PydField(description="The improved description.")


class _GuideAnswer(BaseModel):
    fields: list[_Advice]


_LLM_SYSTEM = (
    "You improve the field descriptions of a document-extraction workflow. A good description says exactly "
    "which value to extract, the labels it is printed under (in English, German and French where useful), "
    "where it usually is on the page, what it must not be confused with, and the output format (dates "
    "returned as YYYY-MM-DD, amounts as a plain number with a dot as decimal separator). Keep what the user "
    "wrote when it is right. Answer with one improved description per field path you were given."
)


def _walk_fields(fields: Sequence[Field], prefix: str = "") -> Iterator[tuple[str, Field]]:
    for f in fields:
        path = prefix + f.name
        yield path, f
        subs = f.properties if f.type == "object" else f.item_fields
        yield from _walk_fields(subs, path + ".")


def _add_llm_suggestions(fields: list[Field], report: GuideReport) -> str | None:
    """Ask the LLM for improved descriptions of the fields that need them; a note when it could not."""
    reviews = {r.name: r for top in report.fields for r in top.walk()}
    asked = [
        {
            "path": path,
            "type": f.type,
            "values": f.values,
            "description": f.description,
            "problems": [x.message for x in reviews[path].findings if x.code in _DESCRIPTION_CODES],
        }
        for path, f in _walk_fields(fields)
        if path in reviews and reviews[path].suggestion is not None
    ]
    if not asked:
        return None
    messages = [
        {"role": "system", "content": _LLM_SYSTEM},
        {"role": "user", "content": "Fields to improve (JSON):\n" + json.dumps(asked, ensure_ascii=False)},
    ]
    try:
        answer = structured_completion(_GuideAnswer, messages)
    except FieldbenchError as err:
        log.warning("no LLM suggestions: %s", err)
        return f"LLM suggestions unavailable: {err}"
    for advice in answer.parsed.fields:
        review = reviews.get(advice.path.strip())
        text = advice.description.strip()
        if review is not None and text:
            review.llm_suggestion = text
    return None
