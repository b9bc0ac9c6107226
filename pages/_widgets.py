"""What the pages share: the store, untrusted text shown as plain text, errors, document uploaders, progress bars,
the document specification inputs, the page viewer (every page, a zoom, boxes given in points drawn on them) and
a batch of results as one table with its low-confidence cells marked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import Any, TypeVar

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.pages_manager import PagesManager

from core.comparison import BatchTable
from core.config import get_settings
from core.demo import ensure_demo_workflow
from core.documents import (
    CHARSET_CHOICES,
    CHARSETS,
    OCR_ENGINE_CHOICES,
    OCR_ENGINES,
    TEXT_MODE_CHOICES,
    TEXT_MODES,
    UPLOAD_TYPES,
    BBox,
    Choice,
    Document,
    DocumentSpec,
    highlight,
)
from core.documents.render import zoom_window
from core.documents.scanned import mode_effect
from core.errors import FieldbenchError, SchemaError, SchemaProblem
from core.schema import Workflow
from core.store import Store

__all__ = [
    "HIGHLIGHT_COLOR",
    "LOW_CONFIDENCE_STYLE",
    "PAGE_ZOOM",
    "TEXT_LAYER_NOTE",
    "ZOOMS",
    "ProgressBar",
    "batch_results",
    "document_uploader",
    "get_store",
    "linked_workflow",
    "page_png",
    "page_viewer",
    "plain",
    "problem_list",
    "rerun_fragment",
    "show_errors",
    "show_page",
    "show_problems",
    "spec_from_state",
    "spec_inputs",
    "stored_document",
    "with_progress",
    "workflow_picker",
]

T = TypeVar("T")

# Streamlit runs an app that has a folder named `pages/` beside its entry script in its legacy multipage mode
# (each pages/*.py a page of its own, app.py not run) until some session has called st.navigation. Its
# st.navigation reference says so ("as soon as any session of your app executes the st.navigation command,
# your app will ignore the pages/ directory"), and the review of streamlit/streamlit#10276 (the pull request
# that made st.navigation the default) saw a pages folder plus st.navigation fall back to the legacy mode on
# direct URLs. So when a fresh server's first request is a deep link (/usage), pages/usage.py runs alone,
# without app.py's page config and navigation. Streamlit 1.67.0 (the newest release) has no setting that turns
# the legacy mode off (client.showSidebarNavigation only hides its menu) and the project's layout keeps
# `pages/`, so the class flag that selects the mode is cleared and the run repeated, now through app.py.
# Needed by (and failing without these lines):
#   tests/e2e/test_app_browser.py::test_a_deep_link_as_the_first_request_goes_through_the_app_navigation
# Remove them when pages/ is renamed or Streamlit drops the legacy mode.
if PagesManager.uses_pages_directory:
    PagesManager.uses_pages_directory = False
    st.rerun()

PAGE_ZOOM = 1.5
"""Image pixels per point of a page: 1.5 (108 dpi) shows an A4 or Letter page about 900 pixels wide, legible in
half of the wide layout, while a rerun's images stay small."""
HIGHLIGHT_COLOR = (255, 140, 0)
"""The colour of highlighted boxes: orange stands out on black, white and blue print."""
TEXT_LAYER_NOTE = "No effect on PDF pages with a text layer."
"""What every text mode says too: OCR reads only pages without a text layer."""
ZOOMS: dict[float, str] = {1.0: "whole page", 1.5: "150 %", 2.0: "200 %", 3.0: "300 %"}
"""The viewer's zooms: the whole page, then closer on the highlighted boxes; 3x (324 dpi) shows the smallest print
sharply, and a larger one would only enlarge the scan's own pixels."""
LOW_CONFIDENCE_STYLE = "background-color: rgba(255, 140, 0, 0.25)"
"""How a cell under its review threshold is marked: the highlight colour, light enough to read through."""
ALL_PAGES = 0  # the page picker's choice that shows every page
WORKFLOW_PARAM = "workflow"  # the query parameter of a link that opens a page on one workflow
# Every ASCII punctuation character: Streamlit reads labels, captions and messages as Markdown (links, images,
# HTML, :colour[...] directives, emoji :codes:, $maths$), and CommonMark reads a backslashed one as itself.
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")

# ----------------------------------------------------------------------------------------------- the store


def get_store() -> Store:
    """The store of FIELDBENCH_HOME, opened once per server process, with the demo workflow on first start."""
    settings = get_settings()
    return _open_store(str(settings.home), settings.database_url)


@st.cache_resource
def _open_store(home: str, database_url: str | None) -> Store:
    # Keyed on the data directory and URL: a changed FIELDBENCH_HOME (tests, a second data set) gets its own store.
    store = Store.open(get_settings())
    # Without sample_docs/ next to the package (an installed wheel) the app works without the demo.
    with suppress(FieldbenchError):
        ensure_demo_workflow(store)
    return store


@st.cache_resource(max_entries=8, show_spinner=False)
def _stored_document(document_id: str, spec_json: str) -> Document:
    # A resource, not data: the same Document comes back without a copy of its bytes; nobody changes it.
    return get_store().documents.load(document_id, spec=DocumentSpec.model_validate_json(spec_json))


def stored_document(document_id: str, spec: DocumentSpec) -> Document:
    """A stored document read as ``spec`` says (OCR from the page cache), kept for the next reruns.

    Citations are in the points of the pages as the workflow read them (cropped, when it crops), so a page
    viewer must be given the document read with the same specification.

    Raises:
        NotFoundError: no such document in the store.
    """
    return _stored_document(document_id, spec.model_dump_json())


# ----------------------------------------------------------------------------------------------- plain text


def plain(text: object) -> str:
    """Untrusted text (file names, document text, values, engine notes, LLM answers, template names) made safe
    for anything Streamlit reads as Markdown: it shows as typed, never as a link, an image, HTML or a directive.

    Tables (``st.dataframe``), ``st.text``, ``st.code`` and the values of text inputs show text as it is; this is
    for labels, captions, messages and ``st.markdown``.

    >>> plain("[x](http://e.test/a.png) <b>")
    '\\[x\\]\\(http\\:\\/\\/e\\.test\\/a\\.png\\) \\<b\\>'
    """
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", str(text))


# ----------------------------------------------------------------------------------------------- errors


@contextmanager
def show_errors() -> Iterator[None]:
    """Show a FieldbenchError as one red line (with its hint) instead of a traceback."""
    try:
        yield
    except FieldbenchError as exc:
        st.error(plain(exc))  # errors name files and quote what was read


def problem_list(problems: Sequence[SchemaProblem]) -> str:
    """Schema problems as a Markdown list, each with its path (both as plain text: they quote imported files)."""
    return "\n".join(f"- {plain(p.path)}: {plain(p.reason)}" for p in problems)


def show_problems(exc: SchemaError, title: str = "Nothing was saved") -> None:
    """Every problem of a SchemaError under one title, in red."""
    st.error(f"{title}: {len(exc.problems)} problem(s)\n\n{problem_list(exc.problems)}")


# ----------------------------------------------------------------------------------------------- input


def document_uploader(label: str, *, key: str, help: str | None = None) -> list[tuple[str, bytes]]:
    """An uploader of several documents of the types Fieldbench reads; the files as ``(name, bytes)``."""
    files = st.file_uploader(label, type=UPLOAD_TYPES, accept_multiple_files=True, key=key, help=help)
    return [(f.name, f.getvalue()) for f in files or []]


def _choice(
    where: Any,
    label: str,
    values: Sequence[T],
    current: T,
    choices: Mapping[T, Choice],
    compact: bool,
    key: str,
    help_text: str | None,
) -> Any:
    """One option of the specification as a radio, labelled and captioned by ``choices``; in a row when
    ``compact``."""
    return where.radio(
        label,
        values,
        index=list(values).index(current),
        format_func=lambda v: choices[v].label,
        captions=None if compact else [choices[v].help for v in values],
        horizontal=compact,
        help=help_text,
        key=key,
    )


def spec_inputs(spec: DocumentSpec, *, key: str, compact: bool = False) -> DocumentSpec:
    """Inputs for cropping, character set, text mode and OCR engine, starting from ``spec``; the choice made.

    Args:
        spec: the values shown first.
        key: the start of the widget keys: ``{key}_cropping``, ``{key}_charset``, ``{key}_text``, ``{key}_ocr``.
        compact: side by side, the explanations as tooltips (to read documents); else one under the other
            with an explanation under each (to define a workflow).
    """
    about = DocumentSpec.model_fields
    effects = dict.fromkeys(mode_effect(e, m) for e in OCR_ENGINES for m in TEXT_MODES)  # said once when shared
    ocr_effects = " ".join([*effects, TEXT_LAYER_NOTE])
    left, middle, right, engines = (
        st.columns(4) if compact else (st.container(), st.container(), st.container(), st.container())
    )
    cropping = left.toggle(
        "Cropping", value=spec.cropping, key=f"{key}_cropping", help=about["cropping"].description if compact else None
    )
    if not compact:
        left.caption(about["cropping"].description or "")
    charset = _choice(
        middle,
        "Character set",
        CHARSETS,
        spec.charset,
        CHARSET_CHOICES,
        compact,
        f"{key}_charset",
        about["charset"].description if compact else None,
    )
    text = _choice(
        right,
        "Printed and handwritten text",
        TEXT_MODES,
        spec.text,
        TEXT_MODE_CHOICES,
        compact,
        f"{key}_text",
        ocr_effects,
    )
    ocr = _choice(
        engines,
        "OCR engine",
        OCR_ENGINES,
        spec.ocr,
        OCR_ENGINE_CHOICES,
        compact,
        f"{key}_ocr",
        about["ocr"].description if compact else None,
    )
    return DocumentSpec(cropping=cropping, charset=charset, text=text, ocr=ocr)


def spec_from_state(key: str, default: DocumentSpec) -> DocumentSpec:
    """The specification ``spec_inputs(..., key=key)`` holds in the session, before it is drawn this run."""
    state = st.session_state
    return DocumentSpec(
        cropping=state.get(f"{key}_cropping", default.cropping),
        charset=state.get(f"{key}_charset", default.charset),
        text=state.get(f"{key}_text", default.text),
        ocr=state.get(f"{key}_ocr", default.ocr),
    )


def rerun_fragment() -> None:
    """Run the current fragment again (its own rerun after a widget inside it changed), or the whole page
    when this run is not a fragment's own (the first run, or a rerun of the page)."""
    try:
        st.rerun(scope="fragment")
    except StreamlitAPIException:  # Streamlit allows scope="fragment" only during the fragment's own reruns
        st.rerun()


# ----------------------------------------------------------------------------------------------- progress


class ProgressBar:
    """A progress bar that core's progress callbacks drive through ``update(fraction, text)``."""

    def __init__(self, text: str = "") -> None:
        self._bar = st.progress(0.0, text=text)

    def update(self, fraction: float, text: str | None = None) -> None:
        """Move to ``fraction`` (clipped to 0-1) and say what is being done."""
        self._bar.progress(min(max(fraction, 0.0), 1.0), text=text)

    def pages(self, label: str) -> Callable[[int, int], None]:
        """A callback for reading pages, ``(done, total)``, that shows ``label: page done/total``."""
        return lambda done, total: self.update(done / max(total, 1), f"{label}: page {done}/{total}")

    def empty(self) -> None:
        """Remove the bar."""
        self._bar.empty()


def with_progress(text: str, work: Callable[[ProgressBar], T]) -> T | None:
    """``work(bar)`` under a progress bar that goes away afterwards; a FieldbenchError is one red line (None)."""
    bar = ProgressBar(text)
    try:
        with show_errors():
            return work(bar)
        return None
    finally:
        bar.empty()


# ----------------------------------------------------------------------------------------------- the page viewer


def page_png(
    document: Document, number: int, boxes: Sequence[BBox] = (), *, zoom: float = 1.0, scale: float = PAGE_ZOOM
) -> bytes:
    """Page ``number`` (1-based) as PNG bytes with ``boxes`` (points, top-left origin) highlighted: the whole page
    at zoom 1, else the part around the boxes (``zoom_window``) at ``zoom`` times the resolution.

    Raises:
        NotFoundError: no such page.
    """
    page = document.pages[number - 1] if 1 <= number <= len(document.pages) else None
    window = zoom_window((page.width, page.height), boxes, zoom) if page is not None and zoom > 1 else None
    return highlight(document, number, boxes, dpi=round(72 * scale * zoom), color=HIGHLIGHT_COLOR, window=window)


def show_page(
    document: Document,
    number: int,
    boxes: Sequence[BBox] = (),
    *,
    zoom: float = 1.0,
) -> None:
    """Draw page ``number`` of ``document`` with ``boxes`` in points highlighted; a failure is one red line.

    Args:
        document: a loaded document (``stored_document`` for one in the store).
        number: 1-based page number.
        boxes: ``(x0, y0, x1, y1)`` in the page's points (word boxes, citation boxes).
        zoom: one of ``ZOOMS``: 1 is the whole page, more shows the part around the boxes that much larger.
    """
    with show_errors():
        png = page_png(document, number, boxes, zoom=zoom)
        page = document.pages[number - 1]
        caption = f"Page {number} of {len(document.pages)} · {page.width:.0f} × {page.height:.0f} pt"
        st.image(png, caption=caption + (f" · {ZOOMS.get(zoom, zoom)}" if zoom > 1 else ""))


def page_viewer(
    document: Document,
    *,
    key: str,
    boxes: Mapping[int, Sequence[BBox]] | None = None,
    page: int = 1,
) -> list[int]:
    """The pages of a document with boxes drawn on them: one page or all of them, at a zoom; the pages shown.

    Args:
        document: a loaded document (``stored_document`` for one in the store, read as its workflow read it).
        key: the start of the widget keys.
        boxes: boxes in points by page number (word boxes, the citations of a value).
        page: the page shown first, e.g. the page of the selected citation; a new one moves the page picker.
    """
    boxes = boxes or {}
    count = len(document.pages)
    picker, zoomer = st.columns([3, 2])
    shown = page
    if count > 1:
        choices = [*range(1, count + 1), ALL_PAGES]
        shown = picker.selectbox(
            "Page",
            choices,
            index=choices.index(page) if page in choices else 0,
            format_func=lambda n: "all pages" if n == ALL_PAGES else f"page {n} of {count}",
            key=f"{key}_page_{page}",  # a new first page (another citation) starts the picker again
        )
    zoom = zoomer.select_slider("Zoom", list(ZOOMS), value=1.0, format_func=ZOOMS.__getitem__, key=f"{key}_zoom")
    numbers = list(range(1, count + 1)) if shown == ALL_PAGES else [shown]
    for number in numbers:
        show_page(document, number, boxes.get(number, ()), zoom=zoom)
    return numbers


# ----------------------------------------------------------------------------------------------- results


def batch_results(table: BatchTable, *, key: str) -> None:
    """A batch of results as one table (a row per document, a column per field), the cells under their review
    threshold marked."""
    frame = pd.DataFrame(table.rows, columns=table.columns)
    styled = frame.style.apply(
        lambda row: [LOW_CONFIDENCE_STYLE if column in table.low[row.name] else "" for column in frame.columns],
        axis=1,
    )
    st.dataframe(styled, hide_index=True, key=key)
    if any(table.low):
        st.caption("Marked cells hold a value under its review threshold (set on the Review page).")


# ----------------------------------------------------------------------------------------------- links


def workflow_picker(store: Store, key: str) -> Workflow | None:
    """The workflow picker (a dashboard link opens its workflow); None, with a note, when there is none yet."""
    workflows = store.workflows.list()
    if not workflows:
        st.info("No workflow yet: define one on the Define page.")
        st.page_link("pages/define.py", label="Define a workflow", icon=":material/edit_note:")
        return None
    names = {w.id: f"{w.name} (v{w.version})" for w in workflows}
    linked_workflow(names, key)
    chosen = st.selectbox("Workflow", list(names), format_func=names.__getitem__, key=key)
    return next(w for w in workflows if w.id == chosen)


def linked_workflow(workflow_ids: Collection[str], key: str | None = None) -> str | None:
    """The workflow a link names (``?workflow=ID``, from the dashboard), opened in the picker keyed ``key``.

    Call before the picker is drawn; the link's parameter is used once, then the picker is the user's again. A
    link to a workflow that is gone (deleted since) leaves the picker as it was.
    """
    linked = st.query_params.get(WORKFLOW_PARAM)
    if linked is None:
        return None
    del st.query_params[WORKFLOW_PARAM]
    if linked not in workflow_ids:
        return None
    if key is not None:
        st.session_state[key] = linked
    return linked
