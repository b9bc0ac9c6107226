"""Annotating one training document on the page: pre-filled by the current engine, corrected box by box.

What the Annotate page calls, one function per user action: open (pre-fill with the engine's values, boxed by
their citations, stored as ``model`` values until the document is marked annotated), draw a box for a field
(its words become the value), edit a value as text, draw a table and its columns (rows pre-split from the
page's lines), add or remove rows, mark the document annotated. Every change is stored at once, so a reload
shows it; each value keeps its box in page points, its source and the workflow version it was made for.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field

from core.annotation.boxes import read_box, words_in_box
from core.annotation.values import expected_of, from_result
from core.documents import BBox, Document
from core.errors import AnnotationError, SchemaProblem
from core.extraction import choose_engine
from core.normalize import parse_typed
from core.schema import Field as SchemaField
from core.schema import Workflow, field_at
from core.store import Store
from core.store.training_data import AnnotatedValue, TrainingDocument

__all__ = [
    "Target",
    "targets",
    "element_path",
    "item_grid",
    "rows_from_grid",
    "open_document",
    "annotate_box",
    "edit_value",
    "TableRow",
    "split_rows",
    "fill_columns",
    "save_rows",
    "mark_annotated",
]

_ROW_PATH = re.compile(r"^(?P<field>[^.\[\]]+)\[(?P<index>\d+)\]\.(?P<item>[^.\[\]]+)$")


def open_document(
    store: Store, workflow: Workflow, training: TrainingDocument, *, engine: str = "auto"
) -> tuple[Document, list[AnnotatedValue]]:
    """Load a training document and its values; a document without any is pre-filled by the engine.

    The pre-filled values are stored with source ``model``: they become ``verified`` when the document is
    marked annotated, and every correction replaces them. Pre-filling does not log a processing run.
    """
    document = store.documents.load(training.document_id, spec=workflow.spec)
    values = store.training.values(training.id)
    if not values and training.status == "needs_annotation":
        extractor, _reason = choose_engine(workflow, requested=engine)
        values = from_result(extractor.extract(document, workflow), source="model")
        store.training.put_values(training.id, values)
    return document, values


def _field(workflow: Workflow, path: str) -> SchemaField:
    field = field_at(workflow.fields, path)
    if field is None or field.has_sub_fields or field.type == "array":
        raise AnnotationError(
            [SchemaProblem(path, "not a value of this workflow (pick a field, or a column of a table)")]
        )
    return field


def annotate_box(
    store: Store, workflow: Workflow, training: TrainingDocument, document: Document, path: str, page: int, box: BBox
) -> AnnotatedValue:
    """A box drawn for a value path: the words mostly inside become its value (typed by the field), stored.

    Raises:
        AnnotationError: the path is not a scalar value of the workflow (a field, an item field, an element).
    """
    field = _field(workflow, path)
    read = read_box(document, page, box, field)
    value = AnnotatedValue(
        path=path,
        value=read.value if read.value is not None else (read.text or None),
        text=read.text,
        page=page,
        bbox=read.bbox,
        located=bool(read.words),
        source="drawn",
        workflow_version=workflow.version,
    )
    store.training.put_values(training.id, [value])
    return value


def edit_value(
    store: Store,
    workflow: Workflow,
    training: TrainingDocument,
    path: str,
    text: str,
    *,
    keep: AnnotatedValue | None = None,
) -> AnnotatedValue:
    """A value typed in as text: parsed by the field's type (kept as typed when it does not parse), its box kept.

    Raises:
        AnnotationError: the path is not a scalar value of the workflow.
    """
    field = _field(workflow, path)
    parsed = parse_typed(text, field.type, field.values)
    value = AnnotatedValue(
        path=path,
        value=parsed if parsed is not None else (text.strip() or None),
        text=text.strip(),
        page=keep.page if keep else None,
        bbox=keep.bbox if keep else None,
        located=bool(keep and keep.located),
        source="drawn",
        workflow_version=workflow.version,
    )
    store.training.put_values(training.id, [value])
    return value


class TableRow(BaseModel):
    """One row of a drawn table: its band on the page and, per item field, what its column holds there."""

    page: int
    bbox: BBox = Field(description="The row's band: the table's width, the row's lines' height.")
    cells: dict[str, AnnotatedValue] = Field(default_factory=dict)


def split_rows(document: Document, page: int, table: BBox) -> list[TableRow]:
    """The rows of a table drawn on a page, pre-split from the page's lines: one row per line inside it.

    The grid on the page then lets the user merge (remove) and add rows.
    """
    words = words_in_box(document.pages[page - 1], table)
    lines: dict[int, list[int]] = {}
    for i in words:
        lines.setdefault(document.pages[page - 1].words[i].line, []).append(i)
    rows = []
    for indexes in lines.values():
        boxes = [document.pages[page - 1].words[i].bbox for i in indexes]
        top, bottom = min(b[1] for b in boxes), max(b[3] for b in boxes)
        rows.append(TableRow(page=page, bbox=(table[0], top, table[2], bottom)))
    return sorted(rows, key=lambda r: r.bbox[1])


def fill_columns(
    document: Document, workflow: Workflow, array: str, rows: list[TableRow], columns: dict[str, BBox]
) -> list[TableRow]:
    """The cells of each row: per item field, the words of its column box within the row's band.

    Args:
        document: the loaded document.
        workflow: the workflow.
        array: the array-of-objects field (e.g. ``line_items``).
        rows: the table's rows (``split_rows``, edited).
        columns: per item field name, the column's box as drawn (only its horizontal extent counts).
    """
    parent = field_at(workflow.fields, array)
    items = {f.name: f for f in (parent.item_fields if parent else [])}
    filled = []
    for index, row in enumerate(rows):
        cells = dict(row.cells)
        for name, column in columns.items():
            if name not in items:
                continue
            cell_box = (column[0], row.bbox[1], column[2], row.bbox[3])
            read = read_box(document, row.page, cell_box, items[name])
            cells[name] = AnnotatedValue(
                path=f"{array}[{index}].{name}",
                value=read.value if read.value is not None else (read.text or None),
                text=read.text,
                page=row.page,
                bbox=read.bbox,
                located=bool(read.words),
                source="drawn",
                workflow_version=workflow.version,
            )
        filled.append(row.model_copy(update={"cells": cells}))
    return filled


def save_rows(store: Store, workflow: Workflow, training: TrainingDocument, array: str, rows: list[TableRow]) -> None:
    """Store a table's rows as the array's items (renumbered in order; rows removed in the grid are gone)."""
    old = [v.path for v in store.training.values(training.id) if (m := _ROW_PATH.match(v.path)) and m["field"] == array]
    store.training.delete_values(training.id, old)
    values = []
    for index, row in enumerate(rows):
        for name, cell in row.cells.items():
            values.append(
                cell.model_copy(update={"path": f"{array}[{index}].{name}", "workflow_version": workflow.version})
            )
    store.training.put_values(training.id, values)


def mark_annotated(store: Store, training: TrainingDocument) -> TrainingDocument:
    """The document is annotated: its values count for training, pre-filled ones as checked by the user."""
    return store.training.set_status(training.id, "annotated")


class Target(BaseModel):
    """Something the user can annotate on the page: a value, an element of a list, or a table."""

    path: str = Field(description="'total', 'address.city', 'tags[]' (a new element), 'line_items' (a table).")
    label: str = Field(description="What the field panel shows.")
    kind: str = Field(description="'value', 'element' or 'table'.")
    columns: list[str] = Field(default_factory=list, description="A table's item fields.")


def targets(workflow: Workflow) -> list[Target]:
    """What can be annotated, in the workflow's field order (the field panel's buttons, hotkeys 1-9 first)."""
    out: list[Target] = []
    for field in workflow.fields:
        if field.item_fields:
            names = [f.name for f in field.item_fields]
            out.append(Target(path=field.name, label=f"{field.name} (table)", kind="table", columns=names))
        elif field.type == "array":
            out.append(Target(path=f"{field.name}[]", label=f"{field.name} (list)", kind="element"))
        elif field.type == "object":
            out += [
                Target(path=f"{field.name}.{sub.name}", label=f"{field.name}.{sub.name}", kind="value")
                for sub in field.properties
                if sub.is_scalar
            ]
        else:
            out.append(Target(path=field.name, label=field.name, kind="value"))
    return out


def element_path(target: Target, values: list[AnnotatedValue]) -> str:
    """The path of a new element of a list target: one past the last annotated one (``tags[2]``)."""
    name = target.path.removesuffix("[]")
    taken = [int(m.group(1)) for v in values if (m := re.fullmatch(rf"{re.escape(name)}\[(\d+)\]", v.path))]
    return f"{name}[{max(taken, default=-1) + 1}]"


def item_grid(target: Target, values: list[AnnotatedValue]) -> list[dict[str, str]]:
    """A table's annotated items as grid rows of text (one row per item, one column per item field)."""
    prefix = target.path + "["
    items = expected_of([v for v in values if v.path.startswith(prefix)]).get(target.path) or []
    return [{c: "" if (item or {}).get(c) is None else str(item[c]) for c in target.columns} for item in items]


def rows_from_grid(
    workflow: Workflow, target: Target, grid: list[dict[str, Any]], values: list[AnnotatedValue]
) -> list[TableRow]:
    """Grid rows edited as text back into table rows: each cell typed by its item field; a cell whose text is
    unchanged keeps its box; empty rows are dropped."""
    by_path = {v.path: v for v in values}
    rows = []
    for index, row in enumerate(grid):
        cells: dict[str, AnnotatedValue] = {}
        for column in target.columns:
            text = str(row.get(column) or "").strip()
            field = field_at(workflow.fields, f"{target.path}[0].{column}")
            if not text or field is None:
                continue
            old = by_path.get(f"{target.path}[{index}].{column}")
            same = old is not None and old.text == text
            parsed = parse_typed(text, field.type, field.values)
            cells[column] = AnnotatedValue(
                path=f"{target.path}[{index}].{column}",
                value=parsed if parsed is not None else text,
                text=text,
                page=old.page if same and old else None,
                bbox=old.bbox if same and old else None,
                located=bool(same and old and old.located),
                source="drawn",
                workflow_version=workflow.version,
            )
        if cells:
            page = next((c.page for c in cells.values() if c.page), 1)
            rows.append(TableRow(page=page, bbox=(0.0, 0.0, 0.0, 0.0), cells=cells))
    return rows
