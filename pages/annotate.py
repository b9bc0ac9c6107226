"""Annotate: a workflow's training documents on the page, pre-filled by the engine, corrected box by box."""

from __future__ import annotations

from typing import Literal

import streamlit as st

from core.annotation.annotate import (
    Target,
    annotate_box,
    edit_value,
    element_path,
    mark_annotated,
    open_document,
    targets,
)
from core.annotation.canvas import CANVAS_WIDTH, drawn_boxes, prefilled_boxes
from core.annotation.progress import RECOMMENDATION_RULE, training_progress
from core.documents import BBox, Document, render_jpeg
from core.schema import Workflow
from core.store import Store
from core.store.training_data import AnnotatedValue, TrainingDocument
from pages._annotate_table import apply_table_boxes, table_grid, table_label
from pages._training_data import training_data_section
from pages._widgets import get_store, plain, rerun_fragment, show_errors, workflow_picker

# (Comments, not docstrings, after constants: Streamlit writes a page script's bare strings onto the page.)
LABEL_SIZE = 9  # pixels: the label chips of many boxes would hide the words they label
STATE = "annotate"  # session keys start with this


def _progress(store: Store, workflow: Workflow) -> None:
    rows = training_progress(store, workflow.id, since=store.models.last_started(workflow.id))
    if not rows:
        st.caption("No training documents yet: upload some below.")
        return
    st.dataframe(
        [
            {
                "template": r.name,
                "annotated": r.annotated,
                "recommended": r.recommended,
                "to annotate": r.needs_annotation,
                "added since last training": r.added_since_training,
            }
            for r in rows
        ],
        hide_index=True,
    )
    st.caption(RECOMMENDATION_RULE)


def _navigate(documents: list[TrainingDocument]) -> TrainingDocument:
    """The current document, with previous/next buttons (hotkeys Page Up and Page Down)."""
    ids = [d.id for d in documents]
    key = f"{STATE}_document"
    if st.session_state.get(key) not in ids:
        st.session_state[key] = ids[0]
    index = ids.index(st.session_state[key])
    left, middle, right = st.columns([1, 4, 1])
    if left.button("Previous", shortcut="pageup", disabled=index == 0, key=f"{STATE}_prev"):
        index -= 1
    if right.button("Next", shortcut="pagedown", disabled=index == len(ids) - 1, key=f"{STATE}_next"):
        index += 1
    st.session_state[key] = ids[index]
    current = documents[index]
    middle.markdown(f"**{index + 1} of {len(ids)}** · {current.status.replace('_', ' ')}")
    middle.text(current.name)
    return current


def _field_panel(choices: list[Target], values: list[AnnotatedValue]) -> Target:
    """One button per target (hotkeys 1-9); the current one stays selected across reruns."""
    key = f"{STATE}_target"
    paths = [t.path for t in choices]
    if st.session_state.get(key) not in paths:
        st.session_state[key] = paths[0]
    for number, target in enumerate(choices, start=1):
        current = st.session_state[key] == target.path
        shortcut = str(number) if number <= 9 else None
        kind: Literal["primary", "secondary"] = "primary" if current else "secondary"
        if st.button(target.label, key=f"{STATE}_t_{target.path}", type=kind, shortcut=shortcut, width="stretch"):
            st.session_state[key] = target.path
            rerun_fragment()
    return next(t for t in choices if t.path == st.session_state[key])


def _values_table(store: Store, workflow: Workflow, training: TrainingDocument, values: list[AnnotatedValue]) -> None:
    """Each value as printed (editable as text) and as parsed by its field's type."""
    for value in values:
        if "]." in value.path:
            continue  # table cells are edited in the table's grid
        printed = value.text or ("" if value.value is None else str(value.value))
        text = st.text_input(value.path, value=printed, key=f"{STATE}_v_{training.id}_{value.path}")
        st.text(f"→ {value.value!r} ({value.source}{'' if value.located else ', not on the page'})")
        if text != printed:
            with show_errors():
                edit_value(store, workflow, training, value.path, text, keep=value)
                rerun_fragment()


@st.cache_data(max_entries=32, show_spinner=False)
def _page_jpeg(_document: Document, document_id: str, spec_json: str, page: int, dpi: int) -> bytes:
    return render_jpeg(_document, page, dpi)


def _canvas(
    workflow: Workflow,
    training: TrainingDocument,
    document: Document,
    page: int,
    label: str,
    values: list[AnnotatedValue],
) -> list[tuple[str, BBox]]:
    """The page on a canvas with the values as labelled boxes; the boxes the user drew, in points."""
    from streamlit_drawable_canvas import boxes_to_drawing, st_canvas  # imports Streamlit's component API

    info = document.pages[page - 1]
    scale = CANVAS_WIDTH / info.width
    given = prefilled_boxes(values, page, scale)
    jpeg = _page_jpeg(document, document.id, workflow.spec.model_dump_json(), page, round(72 * scale))
    version = st.session_state.get(f"{STATE}_canvas_version", 0)
    drawing = boxes_to_drawing([b.model_dump() for b in given], stroke_width=2, stroke_color="#ff8c00")
    for box in drawing["objects"]:
        box["fontSize"] = LABEL_SIZE  # the label chips of boxes given (drawn ones take font_size)
    result = st_canvas(
        drawing_mode="labeled_rect",
        label=label,
        background_image=jpeg,
        initial_drawing=drawing,
        width=CANVAS_WIDTH,
        height=round(info.height * scale),
        stroke_width=2,
        stroke_color="#1f77b4",
        fill_color="rgba(31, 119, 180, 0.15)",
        font_size=LABEL_SIZE,
        key=f"{STATE}_canvas_{training.id}_{page}_{version}",
    )
    return drawn_boxes(result.boxes, given, scale)


@st.fragment
def _annotator(store: Store, workflow: Workflow, training: TrainingDocument) -> None:
    """Field panel and canvas; a mouse-up reruns only this fragment, not the whole page."""
    with show_errors():
        document, values = open_document(store, workflow, training)
        pages = len(document.pages)
        page = int(st.number_input("Page", 1, pages, 1, key=f"{STATE}_page_{training.id}")) if pages > 1 else 1
        panel, view = st.columns([1, 3])
        with panel:
            target = _field_panel(targets(workflow), values)
            label = table_label(target) if target.kind == "table" else target.path
            st.caption("Pick a field, then draw a box around its value on the page.")
        with view:
            drawn = _canvas(workflow, training, document, page, label, values)
        if target.kind == "table":
            changed = apply_table_boxes(store, workflow, training, document, page, target, drawn)
        else:
            for _label, box in drawn:
                path = element_path(target, values) if target.kind == "element" else target.path
                annotate_box(store, workflow, training, document, path, page, box)
            changed = bool(drawn)
        if changed:  # the canvas opens again with the stored boxes (a new key: a fresh drawing)
            st.session_state[f"{STATE}_canvas_version"] = st.session_state.get(f"{STATE}_canvas_version", 0) + 1
            rerun_fragment()
        with panel:
            if target.kind == "table":
                table_grid(store, workflow, training, target, values)
            _values_table(store, workflow, training, values)
            if st.button("Mark annotated", type="primary", shortcut="ctrl+enter", key=f"{STATE}_done"):
                mark_annotated(store, training)
                st.success(f"{plain(training.name)} is annotated.")


st.title("Annotate")
st.caption(
    "Teach a workflow with its own documents: organise them in templates, upload them (pre-annotated or not), "
    "correct the values the engine pre-filled by drawing boxes on the page, and mark them annotated."
)
store = get_store()
workflow = workflow_picker(store, f"{STATE}_workflow")
if workflow is not None:
    with st.expander("Training data: templates and uploads", expanded=not store.training.list(workflow.id)):
        _progress(store, workflow)
        training_data_section(store, workflow)
    documents = store.training.list(workflow.id)
    if documents:
        current = _navigate(documents)
        _annotator(store, workflow, current)
