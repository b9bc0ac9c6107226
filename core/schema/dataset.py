"""Fields in the dataset ``schema.json`` format (``{"name", "description", "fields", "json_schema"}``) and back."""

from __future__ import annotations

from typing import Any

from core.errors import SchemaError, SchemaProblem
from core.schema.fields import FIELD_TYPES, ITEM_NAME, Field, Workflow, WorkflowDraft, validate_fields
from core.schema.json_schema import to_json_schema
from core.schema.limits import json_depth_problems
from core.schema.subset import validate_json_schema

__all__ = ["fields_to_dataset", "fields_from_dataset", "to_dataset_schema", "dataset_consistency"]


def _dataset_field(field: Field) -> dict[str, Any]:
    out: dict[str, Any] = {"name": field.name, "type": field.type, "description": field.description}
    if field.required:
        out["required"] = True
    if field.type == "enum":
        out["values"] = list(field.values)
    elif field.type == "object":
        out["properties"] = [_dataset_field(f) for f in field.properties]
    elif field.type == "array" and field.items is not None:
        if field.items.type == "object":
            out["items"] = [_dataset_field(f) for f in field.items.properties]
        else:
            item: dict[str, Any] = {"type": field.items.type}
            if field.items.description:
                item["description"] = field.items.description
            if field.items.type == "enum":
                item["values"] = list(field.items.values)
            out["items"] = item
    return out


def fields_to_dataset(fields: list[Field]) -> list[dict[str, Any]]:
    """The ``fields`` list of a dataset ``schema.json``: ``{"name", "type", "description"}`` per field.

    ``required``, ``values`` (enums) and ``properties`` (objects) are added where they apply; an array of
    objects lists its item fields under ``items``, an array of scalars has ``"items": {"type": ...}``.
    """
    return [_dataset_field(f) for f in fields]


def _parse_dataset_field(raw: Any, path: str, problems: list[SchemaProblem], *, item: bool = False) -> Field | None:
    if not isinstance(raw, dict):
        problems.append(SchemaProblem(path, "a field must be a JSON object"))
        return None
    name = ITEM_NAME if item else raw.get("name")
    if not isinstance(name, str):
        problems.append(SchemaProblem(f"{path}.name", "missing or not a string"))
        return None
    type_ = raw.get("type", "string")
    if type_ not in FIELD_TYPES:
        problems.append(SchemaProblem(f"{path}.type", f"type {type_!r} is not one of {', '.join(FIELD_TYPES)}"))
        return None
    description = raw.get("description", "")
    if not isinstance(description, str):
        problems.append(SchemaProblem(f"{path}.description", "must be a string"))
        description = ""
    field = Field(name=name, type=type_, description=description.strip(), required=raw.get("required") is True)
    if type_ == "enum":
        values = raw.get("values", raw.get("enum"))
        if not isinstance(values, list) or not all(isinstance(v, (str, int, float, bool)) for v in values):
            problems.append(
                SchemaProblem(f"{path}.values", "an enum needs a list of values (text, numbers or booleans)")
            )
        else:
            field.values = list(values)
    elif type_ == "object":
        field.properties = _parse_dataset_list(raw.get("properties"), f"{path}.properties", problems)
    elif type_ == "array":
        items = raw.get("items")
        if isinstance(items, list):
            sub = _parse_dataset_list(items, f"{path}.items", problems)
            field.items = Field(name=ITEM_NAME, type="object", properties=sub)
        elif isinstance(items, dict):
            field.items = _parse_dataset_field(items, f"{path}.items", problems, item=True)
        else:
            problems.append(
                SchemaProblem(f"{path}.items", "an array needs 'items': a list of fields or {\"type\": ...}")
            )
    return field


def _parse_dataset_list(raw: Any, path: str, problems: list[SchemaProblem]) -> list[Field]:
    if not isinstance(raw, list):
        problems.append(SchemaProblem(path, "must be a list of fields"))
        return []
    fields = []
    for index, entry in enumerate(raw):
        field = _parse_dataset_field(entry, f"{path}[{index}]", problems)
        if field is not None:
            fields.append(field)
    return fields


def fields_from_dataset(raw: Any) -> list[Field]:
    """Fields from the ``fields`` list of a dataset ``schema.json`` (the inverse of ``fields_to_dataset``).

    Raises:
        SchemaError: the list is malformed or the fields are invalid (every problem listed).
    """
    problems = json_depth_problems(raw)  # before parsing, which recurses
    if problems:
        raise SchemaError(problems)
    fields = _parse_dataset_list(raw, "$.fields", problems)
    if not problems and not fields:
        problems.append(SchemaProblem("$.fields", "the workflow has no fields"))
    if not problems:
        problems = validate_fields(fields)
    if problems:
        raise SchemaError(problems)
    return fields


def to_dataset_schema(workflow: Workflow | WorkflowDraft) -> dict[str, Any]:
    """A workflow in the dataset ``schema.json`` format: ``{"name", "description", "fields", "json_schema"}``.

    ``parse_schema_document`` reads it back to the same name, description and fields.
    """
    return {
        "name": workflow.name,
        "description": workflow.description,
        "fields": fields_to_dataset(workflow.fields),
        "json_schema": to_json_schema(workflow.fields),
    }


def dataset_consistency(data: Any) -> list[SchemaProblem]:
    """Problems of a dataset ``schema.json`` whose ``json_schema`` disagrees with its ``fields``.

    Reading uses ``fields`` (they keep dates and enums); a stale or hand-edited ``json_schema`` next to them
    would hand other tools a different workflow, so ``fieldbench schema check`` reports it.

    Args:
        data: the parsed file; anything that is not a dataset schema with a ``json_schema`` gives no problems.

    Returns:
        Problems under ``$.json_schema``; empty when it matches the fields (or the fields are invalid).
    """
    if not (isinstance(data, dict) and "fields" in data and "json_schema" in data):
        return []
    problems = [
        SchemaProblem("$.json_schema" + p.path[1:], p.reason) for p in validate_json_schema(data["json_schema"])
    ]
    if problems:
        return problems
    try:
        fields = fields_from_dataset(data["fields"])
    except SchemaError:
        return []
    expected = to_json_schema(fields)
    if data["json_schema"] != expected:
        names = [
            n for n in expected["properties"] if data["json_schema"]["properties"].get(n) != expected["properties"][n]
        ]
        extra = [n for n in data["json_schema"]["properties"] if n not in expected["properties"]]
        differ = ", ".join([*names, *extra]) or "required"
        return [SchemaProblem("$.json_schema", f"does not match $.fields (differs for: {differ})")]
    return []
