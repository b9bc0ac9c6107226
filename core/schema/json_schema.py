"""Fields as a JSON Schema (the Draft 7 subset of field extraction) and back.

A date has no JSON Schema type of its own in the subset (``format`` is rejected), so a date field is written
as a string whose description ends with ``(date)``, as the ``json_schema`` of the dataset files does, and is
read back by that marker.
"""

from __future__ import annotations

from typing import Any

from core.schema.fields import ITEM_NAME, Field, check_fields, enum_json_type
from core.schema.subset import check_json_schema

__all__ = ["DATE_MARKER", "to_json_schema", "fields_from_json_schema"]

DATE_MARKER = "(date)"


def _node(field: Field) -> dict[str, Any]:
    node: dict[str, Any] = {}
    description = field.description.strip()
    if field.type == "date":
        node["type"] = "string"
        description = f"{description} {DATE_MARKER}".strip()
    elif field.type == "enum":
        node["type"] = enum_json_type(field.values) or "string"
    else:
        node["type"] = field.type
    if description:
        node["description"] = description
    if field.type == "enum":
        node["enum"] = list(field.values)
    elif field.type == "object":
        node.update(_object_body(field.properties))
    elif field.type == "array" and field.items is not None:
        node["items"] = _node(field.items)
    return node


def _object_body(fields: list[Field]) -> dict[str, Any]:
    body: dict[str, Any] = {"properties": {f.name: _node(f) for f in fields}}
    required = [f.name for f in fields if f.required]
    if required:
        body["required"] = required
    return body


def to_json_schema(fields: list[Field]) -> dict[str, Any]:
    """The JSON Schema (Draft 7 subset) of ``fields``: an object whose properties are the fields.

    Args:
        fields: the workflow's fields.

    Returns:
        A JSON-ready dict; dates are strings whose description ends with ``(date)``.

    >>> from core.schema import Field
    >>> to_json_schema([Field(name="due", type="date", required=True)])["properties"]
    {'due': {'type': 'string', 'description': '(date)'}}
    """
    return {"type": "object", **_object_body(fields)}


# --------------------------------------------------------------------------- JSON Schema -> fields


def _field_from_node(name: str, node: dict[str, Any], required: bool) -> Field:
    json_type = node["type"]
    description = str(node.get("description", "")).strip()
    if "enum" in node:
        return Field(name=name, type="enum", description=description, required=required, values=list(node["enum"]))
    if json_type == "string" and description.endswith(DATE_MARKER):
        return Field(name=name, type="date", description=description[: -len(DATE_MARKER)].strip(), required=required)
    if json_type == "object":
        return Field(name=name, type="object", description=description, required=required, properties=_fields_of(node))
    if json_type == "array":
        items = _field_from_node(ITEM_NAME, node["items"], False)
        return Field(name=name, type="array", description=description, required=required, items=items)
    return Field(name=name, type=json_type, description=description, required=required)


def _fields_of(node: dict[str, Any]) -> list[Field]:
    required = set(node.get("required", []))
    return [_field_from_node(name, sub, name in required) for name, sub in node["properties"].items()]


def fields_from_json_schema(schema: Any) -> list[Field]:
    """The fields of a JSON Schema in the supported subset (the inverse of ``to_json_schema``).

    Args:
        schema: the parsed JSON Schema; its root properties become the fields.

    Returns:
        The fields, with ``required`` from the schema's ``required`` lists and dates recognised by ``(date)``.

    Raises:
        SchemaError: the schema is outside the subset (every problem listed).
    """
    check_json_schema(schema)
    return check_fields(_fields_of(schema))
