"""Expected values (pre-annotated files, feedback): ``{field: {"value": ...}}`` checked against the fields.

Names must be the workflow's fields (item fields of arrays of objects and properties of objects too) and
every value must have its field's type: a JSON string for strings, a number (not a boolean) for numbers, a
whole number for integers, ``true``/``false`` for booleans, ``YYYY-MM-DD`` for dates, one of the values for
enums, lists for arrays. ``null`` is allowed everywhere (the value is empty on this document). Every problem
is reported, each with its path.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

from core.errors import AnnotationError, SchemaProblem
from core.schema import Field

__all__ = ["parse_expected", "check_value", "EXPECTED_HINT"]

EXPECTED_HINT = 'Give each field as {"value": ...} with a value of its type; see the workflow\'s fields.'

_TYPE_WORDS = {
    "string": "a text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "date": "a date as YYYY-MM-DD",
    "array": "a list",
    "object": "an object",
}


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _scalar_problem(field: Field, value: Any) -> str | None:
    kind = field.type
    if kind == "string":
        ok = isinstance(value, str)
    elif kind == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    elif kind == "integer":
        ok = (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    elif kind == "boolean":
        ok = isinstance(value, bool)
    elif kind == "date":
        ok = isinstance(value, str) and _is_iso_date(value)
    else:  # enum
        if _in_enum(value, field.values):
            return None
        shown = ", ".join(repr(v) for v in field.values[:8])
        return f"expected one of {shown}, got {_describe(value)}"
    return None if ok else f"expected {_TYPE_WORDS[kind]}, got {_describe(value)}"


def _in_enum(value: Any, allowed: list[Any]) -> bool:
    """``value`` is one of ``allowed``, of the same kind (``1`` is not ``True``, ``"1"`` is not ``1``)."""
    for option in allowed:
        if isinstance(option, bool) or isinstance(value, bool):
            if value is option:
                return True
        elif value == option and isinstance(value, str) == isinstance(option, str):
            return True
    return False


def _is_iso_date(text: str) -> bool:
    if len(text) != 10:
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def check_value(field: Field, value: Any, path: str, problems: list[SchemaProblem]) -> Any:
    """``value`` checked against ``field`` (problems appended with ``path``); returns it in canonical form.

    Integers written as ``3.0`` come back as ``3``; everything else unchanged.

    >>> problems = []
    >>> check_value(Field(name="n", type="integer"), 3.0, "n", problems), problems
    (3, [])
    >>> check_value(Field(name="t", type="number"), "12", "t", problems) and problems[0].reason
    "expected a number, got '12'"
    """
    if value is None:
        return None
    if field.type == "array":
        if not isinstance(value, list):
            problems.append(SchemaProblem(path, f"expected a list, got {_describe(value)}"))
            return value
        assert field.items is not None  # a validated array has items
        return [check_value(field.items, item, f"{path}[{i}]", problems) for i, item in enumerate(value)]
    if field.type == "object":
        if not isinstance(value, Mapping):
            problems.append(SchemaProblem(path, f"expected an object, got {_describe(value)}"))
            return value
        return _check_object(field.properties, value, path, problems)
    problem = _scalar_problem(field, value)
    if problem:
        problems.append(SchemaProblem(path, problem))
        return value
    if field.type == "integer" and isinstance(value, float):
        return int(value)
    return value


def _check_object(fields: list[Field], value: Mapping[str, Any], path: str, problems: list[SchemaProblem]) -> dict:
    by_name = {f.name: f for f in fields}
    out: dict[str, Any] = {}
    for key, sub in value.items():
        field = by_name.get(key)
        if field is None:
            problems.append(SchemaProblem(f"{path}.{key}", f"unknown field (known: {', '.join(by_name)})"))
            continue
        out[key] = check_value(field, sub, f"{path}.{key}", problems)
    return out


def parse_expected(raw: Any, fields: list[Field]) -> dict[str, Any]:
    """The values of a pre-annotated file or a feedback's ``expected_extraction``, checked: ``{field: value}``.

    Args:
        raw: the parsed JSON, ``{field: {"value": ...}, ...}`` (other keys beside ``value`` are ignored).
        fields: the workflow's fields.

    Returns:
        ``{field: value}`` for the fields given (a field left out has no known value).

    Raises:
        AnnotationError: every unknown field, entry without ``value`` and value of the wrong type, by path.

    >>> fields = [Field(name="total", type="number"), Field(name="date", type="date")]
    >>> parse_expected({"total": {"value": 12.5}, "date": {"value": "2024-03-01"}}, fields)
    {'total': 12.5, 'date': '2024-03-01'}
    >>> try:
    ...     parse_expected({"totl": {"value": 1}, "date": {"value": "1.3.2024"}}, fields)
    ... except AnnotationError as error:
    ...     print(*error.problems, sep="\\n")
    totl: unknown field (known: total, date)
    date: expected a date as YYYY-MM-DD, got '1.3.2024'
    """
    if not isinstance(raw, Mapping):
        raise AnnotationError(
            [SchemaProblem("$", f"expected an object of fields, got {type(raw).__name__}")], hint=EXPECTED_HINT
        )
    by_name = {f.name: f for f in fields}
    problems: list[SchemaProblem] = []
    values: dict[str, Any] = {}
    for name, entry in raw.items():
        field = by_name.get(name)
        if field is None:
            problems.append(SchemaProblem(str(name), f"unknown field (known: {', '.join(by_name)})"))
            continue
        if not isinstance(entry, Mapping) or "value" not in entry:
            problems.append(SchemaProblem(name, f'expected {{"value": ...}}, got {_describe(entry)}'))
            continue
        values[name] = check_value(field, entry["value"], name, problems)
    if problems:
        raise AnnotationError(problems, hint=EXPECTED_HINT)
    return values
