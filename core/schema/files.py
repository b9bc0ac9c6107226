"""Reading a workflow definition: a JSON Schema or a dataset ``schema.json``, from a path, bytes or parsed JSON."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core.documents.formats import read_file
from core.errors import SchemaError, SchemaProblem
from core.schema.dataset import fields_from_dataset
from core.schema.fields import WorkflowDraft
from core.schema.json_schema import fields_from_json_schema
from core.schema.limits import MAX_SCHEMA_BYTES, loads_strict

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
        DocumentError: the file does not exist, is not a regular file, is larger than ``MAX_SCHEMA_BYTES``
            or cannot be read.
        SchemaError: the content is not JSON (or repeats a key, holds a number JSON cannot carry, nests too
            deep: ``core.schema.limits``), or not a valid schema (every problem listed).

    >>> load_schema_file(b'{"type": "object", "properties": {"total": {"type": "number"}}}').fields[0].type
    'number'
    """
    default_name = ""
    if isinstance(source, Mapping):
        return parse_schema_document(dict(source))
    if isinstance(source, (str, Path)):
        path = Path(source)
        default_name = path.stem.replace("_", " ").replace("-", " ").strip()
        raw = read_file(path, MAX_SCHEMA_BYTES, hint=_SIZE_HINT)
    elif len(source) > MAX_SCHEMA_BYTES:
        raise SchemaError([SchemaProblem("$", f"the file has more than {MAX_SCHEMA_BYTES:,} bytes")], hint=_SIZE_HINT)
    else:
        raw = source
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SchemaError(
            [SchemaProblem("$", "the file is not JSON (not UTF-8 text)")], hint="Upload a .json file."
        ) from None
    return parse_schema_document(loads_strict(text), default_name=default_name)


_SIZE_HINT = f"A schema file is at most {MAX_SCHEMA_BYTES // 1024 // 1024} MB; is this the right file?"
