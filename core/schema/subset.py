"""The supported JSON Schema subset (Draft 7) of field extraction: its keywords and the check of a schema.

``validate_json_schema`` reports every problem at once, each with its JSON path and why.
"""

from __future__ import annotations

import json
import keyword
from typing import Any

from jsonschema import Draft7Validator

from core.errors import SchemaError, SchemaProblem
from core.schema.limits import json_depth_problems

__all__ = [
    "ACCEPTED_KEYWORDS",
    "REJECTED_KEYWORDS",
    "JSON_TYPES",
    "validate_json_schema",
    "check_json_schema",
]

ACCEPTED_KEYWORDS: frozenset[str] = frozenset({"type", "properties", "required", "items", "enum", "description"})
REJECTED_KEYWORDS: tuple[str, ...] = (
    "anyOf",
    "oneOf",
    "allOf",
    "not",
    "$ref",
    "$defs",
    "definitions",
    "pattern",
    "format",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "additionalProperties",
    "default",
    "const",
)
# Annotations that change nothing about the output; tolerated so schemas exported by other tools load.
_IGNORED_KEYWORDS: frozenset[str] = frozenset({"$schema", "$id", "$comment", "title", "examples"})
JSON_TYPES: tuple[str, ...] = ("string", "number", "integer", "boolean", "array", "object")
_SCALARJSON_TYPES: frozenset[str] = frozenset({"string", "number", "integer", "boolean"})


# --------------------------------------------------------------------------- validation of a JSON Schema


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if key.isidentifier() or key.startswith("$") else f"{path}[{key!r}]"


def _json_path(parts: Any) -> str:
    path = "$"
    for part in parts:
        path = f"{path}[{part}]" if isinstance(part, int) else _child(path, str(part))
    return path


def _value_matches(value: Any, json_type: str) -> bool:
    if json_type == "string":
        return isinstance(value, str)
    if json_type == "boolean":
        return isinstance(value, bool)
    if json_type == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if json_type == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return False


def _check_keywords(node: dict[str, Any], path: str, problems: list[SchemaProblem]) -> None:
    for key in node:
        if key in REJECTED_KEYWORDS:
            problems.append(SchemaProblem(_child(path, key), f"the keyword {key!r} is not supported"))
        elif key not in ACCEPTED_KEYWORDS and key not in _IGNORED_KEYWORDS:
            problems.append(SchemaProblem(_child(path, key), f"the keyword {key!r} is not in the supported subset"))


def _check_type(node: dict[str, Any], path: str, problems: list[SchemaProblem], root: bool) -> str | None:
    """The node's JSON type when it is one of the subset's, else None (with the problem noted)."""
    json_type = node.get("type")
    type_path = _child(path, "type")
    if json_type is None:
        problems.append(SchemaProblem(path, "no 'type'; every schema needs one of " + ", ".join(JSON_TYPES)))
    elif isinstance(json_type, list):
        problems.append(
            SchemaProblem(type_path, "union types are not supported; for an optional field leave it out of 'required'")
        )
        json_type = None
    elif json_type not in JSON_TYPES:
        problems.append(
            SchemaProblem(type_path, f"type {json_type!r} is not supported; use one of " + ", ".join(JSON_TYPES))
        )
        json_type = None
    if root and json_type not in (None, "object"):
        problems.append(SchemaProblem(type_path, "the root schema must be an object"))
    return json_type


def _check_properties(node: dict[str, Any], path: str, json_type: str | None, problems: list[SchemaProblem]) -> None:
    properties = node.get("properties")
    props_path = _child(path, "properties")
    if json_type == "object":
        if not isinstance(properties, dict) or not properties:
            problems.append(SchemaProblem(props_path, "an object needs a non-empty 'properties' mapping"))
    elif "properties" in node and json_type is not None:
        problems.append(SchemaProblem(props_path, f"'properties' only applies to objects, not {json_type}"))
    if not isinstance(properties, dict):
        return
    for name, sub in properties.items():
        sub_path = _child(props_path, name)
        if not name.isidentifier():
            reason = f"property name {name!r} is not an identifier (letters, digits, underscores; no leading digit)"
            problems.append(SchemaProblem(sub_path, reason))
        elif keyword.iskeyword(name):
            problems.append(SchemaProblem(sub_path, f"property name {name!r} is a reserved Python keyword"))
        _check_node(sub, sub_path, problems)


def _check_required(node: dict[str, Any], path: str, json_type: str | None, problems: list[SchemaProblem]) -> None:
    required = node.get("required")
    if required is None:
        return
    req_path = _child(path, "required")
    if json_type is not None and json_type != "object":
        problems.append(SchemaProblem(req_path, f"'required' only applies to objects, not {json_type}"))
    elif isinstance(required, list):
        properties = node.get("properties")
        known = properties if isinstance(properties, dict) else {}
        for index, name in enumerate(required):
            if isinstance(name, str) and name not in known:
                problems.append(SchemaProblem(f"{req_path}[{index}]", f"{name!r} is not a property of this object"))


def _check_items(node: dict[str, Any], path: str, json_type: str | None, problems: list[SchemaProblem]) -> None:
    items = node.get("items")
    items_path = _child(path, "items")
    if json_type != "array":
        if items is not None and json_type is not None:
            problems.append(SchemaProblem(items_path, f"'items' only applies to arrays, not {json_type}"))
        return
    if items is None:
        problems.append(SchemaProblem(path, "an array needs 'items'"))
    elif isinstance(items, list):
        problems.append(SchemaProblem(items_path, "'items' must be a single schema, not a list"))
    else:
        if isinstance(items, dict) and items.get("type") == "array":
            reason = "arrays of arrays are not supported; use an array of objects"
            problems.append(SchemaProblem(_child(items_path, "type"), reason))
        _check_node(items, items_path, problems)


def _check_enum(node: dict[str, Any], path: str, json_type: str | None, problems: list[SchemaProblem]) -> None:
    if "enum" not in node:
        return
    enum_path = _child(path, "enum")
    values = node["enum"]
    if json_type is not None and json_type not in _SCALARJSON_TYPES:
        problems.append(SchemaProblem(enum_path, f"'enum' only applies to scalar fields, not {json_type}"))
    elif isinstance(values, list):
        if not values:
            problems.append(SchemaProblem(enum_path, "'enum' needs at least one value"))
        for index, value in enumerate(values):
            if json_type is not None and not _value_matches(value, json_type):
                reason = f"{json.dumps(value)} is not of the field's type {json_type}"
                problems.append(SchemaProblem(f"{enum_path}[{index}]", reason))


def _check_node(node: Any, path: str, problems: list[SchemaProblem], *, root: bool = False) -> None:
    """Every problem of one schema node and the nodes under it, appended to ``problems``."""
    if not isinstance(node, dict):
        problems.append(SchemaProblem(path, "a schema must be a JSON object"))
        return
    _check_keywords(node, path, problems)
    json_type = _check_type(node, path, problems, root)
    _check_properties(node, path, json_type, problems)
    _check_required(node, path, json_type, problems)
    _check_items(node, path, json_type, problems)
    _check_enum(node, path, json_type, problems)


def validate_json_schema(schema: Any) -> list[SchemaProblem]:
    """Every problem that keeps ``schema`` out of the supported Draft 7 subset, all at once.

    Checks that it is valid Draft 7, that the root is an object with non-empty ``properties``, property
    names (identifiers, no Python keywords), ``required`` (only existing properties), ``items`` (one
    schema), ``enum`` (scalars only, values of the field's type), rejected keywords and union types, at
    every level.

    Args:
        schema: the parsed JSON Schema.

    Returns:
        The problems, each with a JSON path such as ``$.properties.line_items.items.properties.qty.type``.

    >>> schema = {"type": "object", "properties": {"2nd": {"type": "string", "format": "date"}}}
    >>> [str(p) for p in validate_json_schema(schema)][1]
    "$.properties['2nd'].format: the keyword 'format' is not supported"
    """
    if not isinstance(schema, dict):
        return [SchemaProblem("$", "a JSON Schema must be a JSON object")]
    too_deep = json_depth_problems(schema)  # before any check that recurses
    if too_deep:
        return too_deep
    mine: list[SchemaProblem] = []
    _check_node(schema, "$", mine, root=True)
    # Draft 7 errors are reported too, except where the subset check already says something clearer.
    flagged = {p.path for p in mine}
    draft: list[SchemaProblem] = []
    meta = Draft7Validator(Draft7Validator.META_SCHEMA)
    for error in sorted(meta.iter_errors(schema), key=lambda e: list(map(str, e.absolute_path))):
        path = _json_path(error.absolute_path)
        if not any(
            path == f or path.startswith(f + ".") or path.startswith(f + "[") or f.startswith(path + ".")
            for f in flagged
        ):
            draft.append(SchemaProblem(path, f"not valid JSON Schema Draft 7: {error.message}"))
    return draft + mine


def check_json_schema(schema: Any) -> dict[str, Any]:
    """``schema`` unchanged when it is in the supported subset; raises SchemaError with every problem."""
    problems = validate_json_schema(schema)
    if problems:
        raise SchemaError(
            problems,
            hint="The supported keywords are type, properties, required, items, enum and description.",
        )
    assert isinstance(schema, dict)
    return schema
