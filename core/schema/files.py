"""Reading a workflow definition: a JSON Schema or a dataset ``schema.json``, from a path, bytes or parsed JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core.errors import FieldbenchError, SchemaError, SchemaProblem
from core.schema.dataset import fields_from_dataset
from core.schema.fields import WorkflowDraft
from core.schema.json_schema import fields_from_json_schema

__all__ = ["parse_schema_document", "load_schema_file"]


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
