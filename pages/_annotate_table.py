"""The Annotate page's table tool: draw the table, then its columns; the rows (pre-split from the page's
lines) are edited in a grid where rows can be added and removed."""

from __future__ import annotations

import streamlit as st

from core.annotation.annotate import Target, fill_columns, item_grid, rows_from_grid, save_rows, split_rows
from core.documents import BBox, Document
from core.schema import Workflow
from core.store import Store
from core.store.training_data import AnnotatedValue, TrainingDocument
from pages._widgets import rerun_fragment

__all__ = ["table_label", "apply_table_boxes", "table_grid"]

STATE = "annotate_table"


def _boxes(training: TrainingDocument, target: Target) -> dict[str, BBox]:
    """The table's box (under the array's name) and its column boxes, drawn so far on this document."""
    return st.session_state.setdefault(f"{STATE}_{training.id}_{target.path}", {})


def table_label(target: Target) -> str:
    """What the next box is for: the table itself, or one of its columns (the label boxes are drawn with)."""
    options = [target.path] + [f"{target.path}.{c}" for c in target.columns]
    names = {target.path: "the table", **{f"{target.path}.{c}": f"column {c}" for c in target.columns}}
    return st.radio("Draw", options, format_func=names.__getitem__, key=f"{STATE}_draw_{target.path}")


def apply_table_boxes(
    store: Store,
    workflow: Workflow,
    training: TrainingDocument,
    document: Document,
    page: int,
    target: Target,
    drawn: list[tuple[str, BBox]],
) -> bool:
    """Take the boxes drawn for the table or its columns: rows split from the table, cells filled, stored."""
    boxes = _boxes(training, target)
    mine = [(label, box) for label, box in drawn if label == target.path or label.startswith(target.path + ".")]
    if not mine:
        return False
    for label, box in mine:
        boxes[label] = box
    table = boxes.get(target.path)
    if table is None:
        st.warning("Draw the table first, then its columns.")
        return True
    columns = {label.split(".", 1)[1]: box for label, box in boxes.items() if label != target.path}
    rows = fill_columns(document, workflow, target.path, split_rows(document, page, table), columns)
    filled = [r for r in rows if any(c.value is not None for c in r.cells.values())]
    save_rows(store, workflow, training, target.path, filled)
    return True


def table_grid(
    store: Store, workflow: Workflow, training: TrainingDocument, target: Target, values: list[AnnotatedValue]
) -> None:
    """The table's items in a grid: edit cells as text, add and remove rows; saved as the array's items."""
    shown = item_grid(target, values) or [dict.fromkeys(target.columns, "")]
    edited = st.data_editor(shown, num_rows="dynamic", hide_index=True, key=f"{STATE}_grid_{training.id}_{len(values)}")
    if edited != shown:
        save_rows(store, workflow, training, target.path, rows_from_grid(workflow, target, edited, values))
        rerun_fragment()
