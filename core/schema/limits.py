"""What one schema may hold, and reading schema JSON strictly: bounded size and nesting, no repeated keys, no
numbers JSON cannot carry (``1e999999`` would come back as ``Infinity``, which is not JSON).

The limits are far above real workflows (a large one has a few hundred fields) and keep every stage linear
and bounded: the local engine, the LLM prompt and its answer, the Define page.
"""

from __future__ import annotations

import json
import math
from typing import Any

from core.errors import SchemaError, SchemaProblem

__all__ = [
    "MAX_SCHEMA_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_FIELDS",
    "MAX_FIELD_DEPTH",
    "MAX_NAME_CHARS",
    "MAX_DESCRIPTION_CHARS",
    "MAX_ENUM_VALUES",
    "MAX_NUMBER_CHARS",
    "loads_strict",
    "json_depth_problems",
]

MAX_SCHEMA_BYTES = 5 * 1024 * 1024
"""Largest schema file read: the most fields with the longest descriptions fit in about 4 MB."""
MAX_JSON_DEPTH = 64
"""Deepest nesting of objects and lists in a schema file: fields ``MAX_FIELD_DEPTH`` deep need about 32."""
MAX_FIELDS = 1000
"""Most fields in one workflow, sub-fields (object properties, line-item columns) included."""
MAX_FIELD_DEPTH = 10
"""Most levels of fields: a top-level field is level 1, a line item's column level 2 (an array of objects)."""
MAX_NAME_CHARS = 100
"""Longest field name."""
MAX_DESCRIPTION_CHARS = 4000
"""Longest field description: a page of instructions; the local engine and the prompt read all of it."""
MAX_ENUM_VALUES = 1000
"""Most values of one enum field."""
MAX_NUMBER_CHARS = 100
"""Longest number literal in a schema file (Python refuses to read integers of more than 4,300 digits)."""

_TOO_DEEP = f"the JSON nests more than {MAX_JSON_DEPTH} levels deep (fields may be {MAX_FIELD_DEPTH} levels deep)"


def _problem(reason: str) -> SchemaError:
    return SchemaError([SchemaProblem("$", reason)], hint="Fix the file and load it again.")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _problem(f"the key {key!r} appears twice in one object; JSON would keep only the last one")
        seen[key] = value
    return seen


def _number(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise _problem(f"a number of {len(text)} characters is longer than {MAX_NUMBER_CHARS}")
    value = float(text)
    if not math.isfinite(value):
        raise _problem(f"the number {text} is too large to be a number (it would become infinity)")
    return value


def _integer(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise _problem(f"a number of {len(text)} characters is longer than {MAX_NUMBER_CHARS}")
    return int(text)


def _constant(name: str) -> Any:
    raise _problem(f"{name} is not a JSON number")


def loads_strict(text: str) -> Any:
    """Parse schema JSON, refusing repeated keys, ``NaN``/``Infinity``, overlong numbers and deep nesting.

    Raises:
        SchemaError: one of those, or text that is not JSON (with its line and column).

    >>> loads_strict('{"a": 1.5}')
    {'a': 1.5}
    >>> try:
    ...     loads_strict('{"a": 1, "a": 2}')
    ... except SchemaError as exc:
    ...     print(exc.problems[0].reason)
    the key 'a' appears twice in one object; JSON would keep only the last one
    """
    try:
        data = json.loads(
            text, object_pairs_hook=_unique_keys, parse_float=_number, parse_int=_integer, parse_constant=_constant
        )
    except RecursionError:
        raise _problem(_TOO_DEEP) from None
    except json.JSONDecodeError as exc:
        raise SchemaError(
            [SchemaProblem("$", f"the file is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")],
            hint="Upload a JSON Schema or a dataset schema.json.",
        ) from None
    problems = json_depth_problems(data)
    if problems:
        raise SchemaError(problems, hint="Fix the file and load it again.")
    return data


def json_depth_problems(data: Any) -> list[SchemaProblem]:
    """A problem when ``data`` nests deeper than ``MAX_JSON_DEPTH`` (measured without recursion).

    >>> json_depth_problems({"a": [{"b": 1}]}), len(json_depth_problems(json.loads("[" * 70 + "]" * 70)))
    ([], 1)
    """
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        if depth > MAX_JSON_DEPTH:
            return [SchemaProblem("$", _TOO_DEEP)]
        stack.extend((child, depth + 1) for child in children)
    return []
