"""What the pages share: the store, errors shown plainly, document uploaders, progress bars, the document
specification inputs, and the page viewer (a page image with boxes given in points highlighted, at a zoom).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import TypeVar

import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.pages_manager import PagesManager

from core.config import get_settings
from core.demo import ensure_demo_workflow
from core.documents import (
    CHARSET_CHOICES,
    CHARSETS,
    TEXT_MODE_CHOICES,
    TEXT_MODES,
    UPLOAD_TYPES,
    BBox,
    Document,
    DocumentSpec,
    highlight,
)
from core.documents.ocr import text_mode_effect
from core.errors import FieldbenchError, SchemaError, SchemaProblem
from core.store import Store

__all__ = [
    "HIGHLIGHT_COLOR",
    "PAGE_ZOOM",
    "TEXT_LAYER_NOTE",
    "ProgressBar",
    "document_uploader",
    "get_store",
    "page_png",
    "problem_list",
    "rerun_fragment",
    "show_errors",
    "show_page",
    "show_problems",
    "spec_from_state",
    "spec_inputs",
    "stored_document",
    "with_progress",
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


# ----------------------------------------------------------------------------------------------- errors


@contextmanager
def show_errors() -> Iterator[None]:
    """Show a FieldbenchError as one red line (with its hint) instead of a traceback."""
    try:
        yield
    except FieldbenchError as exc:
        st.error(str(exc))


def problem_list(problems: Sequence[SchemaProblem]) -> str:
    """Schema problems as a Markdown list, each with its path."""
    return "\n".join(f"- `{p.path}`: {p.reason}" for p in problems)


def show_problems(exc: SchemaError, title: str = "Nothing was saved") -> None:
    """Every problem of a SchemaError under one title, in red."""
    st.error(f"{title}: {len(exc.problems)} problem(s)\n\n{problem_list(exc.problems)}")


# ----------------------------------------------------------------------------------------------- input


def document_uploader(label: str, *, key: str, help: str | None = None) -> list[tuple[str, bytes]]:
    """An uploader of several documents of the types Fieldbench reads; the files as ``(name, bytes)``."""
    files = st.file_uploader(label, type=UPLOAD_TYPES, accept_multiple_files=True, key=key, help=help)
    return [(f.name, f.getvalue()) for f in files or []]


def spec_inputs(spec: DocumentSpec, *, key: str, compact: bool = False) -> DocumentSpec:
    """Inputs for cropping, character set and text mode, starting from ``spec``; the choice made.

    Args:
        spec: the values shown first.
        key: the start of the widget keys: ``{key}_cropping``, ``{key}_charset``, ``{key}_text``.
        compact: side by side, the explanations as tooltips (to read documents); else one under the other
            with an explanation under each (to define a workflow).
    """
    about = DocumentSpec.model_fields
    ocr_effects = " ".join([*(text_mode_effect(m) for m in TEXT_MODES), TEXT_LAYER_NOTE])
    left, middle, right = st.columns(3) if compact else (st.container(), st.container(), st.container())
    cropping = left.toggle(
        "Cropping", value=spec.cropping, key=f"{key}_cropping", help=about["cropping"].description if compact else None
    )
    if not compact:
        left.caption(about["cropping"].description or "")
    charset = middle.radio(
        "Character set",
        CHARSETS,
        index=CHARSETS.index(spec.charset),
        format_func=lambda c: CHARSET_CHOICES[c].label,
        captions=None if compact else [CHARSET_CHOICES[c].help for c in CHARSETS],
        horizontal=compact,
        help=about["charset"].description if compact else None,
        key=f"{key}_charset",
    )
    text = right.radio(
        "Printed and handwritten text",
        TEXT_MODES,
        index=TEXT_MODES.index(spec.text),
        format_func=lambda m: TEXT_MODE_CHOICES[m].label,
        captions=None if compact else [TEXT_MODE_CHOICES[m].help for m in TEXT_MODES],
        horizontal=compact,
        help=ocr_effects,
        key=f"{key}_text",
    )
    return DocumentSpec(cropping=cropping, charset=charset, text=text)


def spec_from_state(key: str, default: DocumentSpec) -> DocumentSpec:
    """The specification ``spec_inputs(..., key=key)`` holds in the session, before it is drawn this run."""
    state = st.session_state
    return DocumentSpec(
        cropping=state.get(f"{key}_cropping", default.cropping),
        charset=state.get(f"{key}_charset", default.charset),
        text=state.get(f"{key}_text", default.text),
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


def page_png(document: Document, number: int, boxes: Sequence[BBox] = (), *, zoom: float = PAGE_ZOOM) -> bytes:
    """Page ``number`` (1-based) as PNG bytes with ``boxes`` (points, top-left origin) highlighted.

    Raises:
        NotFoundError: no such page.
    """
    return highlight(document, number, boxes, dpi=round(72 * zoom), color=HIGHLIGHT_COLOR)


def show_page(
    document: Document,
    number: int,
    boxes: Sequence[BBox] = (),
    *,
    zoom: float = PAGE_ZOOM,
    caption: str | None = None,
) -> None:
    """Draw page ``number`` of ``document`` with ``boxes`` in points highlighted; a failure is one red line.

    Args:
        document: a loaded document (``stored_document`` for one in the store).
        number: 1-based page number.
        boxes: ``(x0, y0, x1, y1)`` in the page's points (word boxes, citation boxes).
        zoom: image pixels per point.
        caption: under the image; default the page number, count and size in points.
    """
    with show_errors():
        png = page_png(document, number, boxes, zoom=zoom)
        page = document.pages[number - 1]
        default = f"Page {number} of {len(document.pages)} · {page.width:.0f} × {page.height:.0f} pt"
        st.image(png, caption=caption or default)
