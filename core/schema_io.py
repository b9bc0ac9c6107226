"""Fields in and out: the JSON Schema subset (Draft 7) of field extraction and the dataset schema.json format.

A date has no JSON Schema type of its own in the subset (``format`` is rejected), so a date field is written
as a string whose description ends with ``(date)``, as the ``json_schema`` of the dataset files does, and is
read back by that marker.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import FieldbenchError, SchemaError, SchemaProblem
from core.schema_subset import check_json_schema

if TYPE_CHECKING:
    from core.schema import Field, Workflow, WorkflowDraft

__all__ = [
    "DATE_MARKER",
    "to_json_schema",
    "fields_from_json_schema",
    "fields_to_dataset",
    "fields_from_dataset",
    "to_dataset_schema",
    "parse_schema_document",
    "load_schema_file",
    "dataset_consistency",
]

DATE_MARKER = "(date)"


# --------------------------------------------------------------------------- fields -> JSON Schema


def _node(field: Field) -> dict[str, Any]:
    from core.schema import enum_json_type

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
    from core.schema import ITEM_NAME, Field

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
    from core.schema import check_fields

    check_json_schema(schema)
    return check_fields(_fields_of(schema))


# --------------------------------------------------------------------------- the dataset schema.json format


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
    from core.schema import FIELD_TYPES, ITEM_NAME, Field

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
    from core.schema import validate_fields

    problems: list[SchemaProblem] = []
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
    from core.schema_subset import validate_json_schema

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


# --------------------------------------------------------------------------- reading a schema file


def parse_schema_document(data: Any, *, default_name: str = "") -> WorkflowDraft:
    """A workflow draft from a parsed JSON Schema or dataset ``schema.json``.

    A dict with a ``fields`` list is a dataset schema (its ``fields`` are read, as they keep dates and enums);
    a dict with only ``json_schema`` wraps a JSON Schema; anything else must be a JSON Schema itself.

    Args:
        data: the parsed JSON.
        default_name: the name when the document has none (e.g. the file name).

    Raises:
        SchemaError: the document is invalid (every problem listed).
    """
    from core.schema import WorkflowDraft

    if isinstance(data, dict) and "fields" in data:
        fields = fields_from_dataset(data["fields"])
        name, description = data.get("name"), data.get("description")
    elif isinstance(data, dict) and isinstance(data.get("json_schema"), dict) and "properties" not in data:
        fields = fields_from_json_schema(data["json_schema"])
        name, description = data.get("name"), data.get("description")
    else:
        fields = fields_from_json_schema(data)
        name, description = data.get("title"), data.get("description")
    return WorkflowDraft(
        name=name.strip() if isinstance(name, str) and name.strip() else default_name,
        description=description.strip() if isinstance(description, str) else "",
        fields=fields,
    )


def load_schema_file(source: str | Path | bytes | Mapping[str, Any]) -> WorkflowDraft:
    """A workflow draft from a JSON Schema or a dataset ``schema.json``: a path, file bytes, or parsed JSON.

    Args:
        source: a file path, the bytes of an uploaded file, or an already parsed dict.

    Returns:
        The draft (name, description, validated fields); named after the file when the document has no name.

    Raises:
        FieldbenchError: the file does not exist or cannot be read.
        SchemaError: the content is not JSON, or not a valid schema (every problem listed).

    >>> load_schema_file(b'{"type": "object", "properties": {"total": {"type": "number"}}}').fields[0].type
    'number'
    """
    default_name = ""
    if isinstance(source, Mapping):
        return parse_schema_document(dict(source))
    if isinstance(source, (str, Path)):
        path = Path(source)
        default_name = path.stem.replace("_", " ").replace("-", " ").strip()
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise FieldbenchError(f"{path}: no such file") from None
        except OSError as exc:
            raise FieldbenchError(f"{path}: cannot read the file: {exc.strerror or exc}") from exc
    else:
        raw = source
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise SchemaError(
            [SchemaProblem("$", "the file is not JSON (not UTF-8 text)")], hint="Upload a .json file."
        ) from None
    except json.JSONDecodeError as exc:
        raise SchemaError(
            [SchemaProblem("$", f"the file is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")],
            hint="Upload a JSON Schema or a dataset schema.json.",
        ) from None
    return parse_schema_document(data, default_name=default_name)
