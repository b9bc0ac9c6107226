"""Datasets in the pre-annotated format: ``schema.json`` plus ``NAME.pdf|png|jpg`` with ``NAME.json`` values."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from core.documents import DOCUMENT_SUFFIXES
from core.errors import FieldbenchError, NotFoundError
from core.schema import Workflow, load_schema_file

__all__ = ["DatasetDocument", "Dataset", "expected_values", "load_dataset"]


class DatasetDocument(BaseModel):
    """One document of a dataset and its expected values (``{field: value}``, unwrapped)."""

    name: str
    path: Path
    expected: dict[str, Any]


class Dataset(BaseModel):
    """A dataset folder: the workflow from ``schema.json`` and the documents with ``NAME.json`` values."""

    name: str
    folder: Path
    workflow: Workflow
    documents: list[DatasetDocument]


def expected_values(raw: Mapping[str, Any]) -> dict[str, Any]:
    """``{field: {"value": v}}`` (the pre-annotated format) as ``{field: v}``.

    >>> expected_values({"total": {"value": 3.5}, "date": {"value": None}})
    {'total': 3.5, 'date': None}
    """
    values: dict[str, Any] = {}
    for name, entry in raw.items():
        if isinstance(entry, Mapping) and "value" in entry:
            values[name] = entry["value"]
        else:
            values[name] = entry
    return values


def load_dataset(folder: Path | str) -> Dataset:
    """Read a dataset folder: ``schema.json`` plus ``NAME.pdf|png|jpg`` with ``NAME.json`` expected values.

    Documents without a ``NAME.json`` are skipped (nothing to score them against).

    Args:
        folder: the dataset folder.

    Returns:
        The dataset, documents sorted by name.

    Raises:
        NotFoundError: the folder or its ``schema.json`` does not exist.
        SchemaError: ``schema.json`` is not a valid workflow.
        FieldbenchError: a ``NAME.json`` is not valid JSON.
    """
    folder = Path(folder)
    schema_path = folder / "schema.json"
    if not folder.is_dir():
        raise NotFoundError("dataset folder", str(folder))
    if not schema_path.is_file():
        raise NotFoundError("dataset schema", str(schema_path))
    draft = load_schema_file(schema_path)
    # A stable id per dataset folder name, so repeated evaluations of one dataset group in the processing log.
    workflow = Workflow(
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"fieldbench:dataset:{folder.name}")),
        name=draft.name or folder.name,
        description=draft.description,
        fields=draft.fields,
    )
    documents: list[DatasetDocument] = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in DOCUMENT_SUFFIXES or not path.is_file():
            continue
        expected_path = path.with_suffix(".json")
        if not expected_path.is_file():
            continue
        try:
            raw = json.loads(expected_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FieldbenchError(f"{expected_path.name}: not valid JSON ({exc})") from exc
        if not isinstance(raw, dict):
            raise FieldbenchError(f"{expected_path.name}: expected an object of fields, got {type(raw).__name__}")
        documents.append(DatasetDocument(name=path.stem, path=path, expected=expected_values(raw)))
    return Dataset(name=folder.name, folder=folder, workflow=workflow, documents=documents)
