"""Fieldbench's library: documents in, workflows of fields, extraction with citations, store, training.

The Streamlit app, the notebooks and the ``fieldbench`` command are all built on these names. They load with
their module on first use (``core.lazy``), so a command's help does not wait for PyMuPDF or SQLAlchemy.
"""

from typing import TYPE_CHECKING

from core.lazy import lazy_exports

if TYPE_CHECKING:  # what type checkers and readers see; at run time each name loads on first use (below)
    from core.config import Settings
    from core.documents import Document, DocumentSpec, load_document, render_page
    from core.errors import FieldbenchError
    from core.results import ExtractionResult
    from core.schema import Field, Workflow
    from core.store import Store

__all__ = [
    "Document",
    "DocumentSpec",
    "ExtractionResult",
    "Field",
    "FieldbenchError",
    "Settings",
    "Store",
    "Workflow",
    "load_document",
    "render_page",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    __all__,
    {
        "config": ["Settings"],
        "documents": ["Document", "DocumentSpec", "load_document", "render_page"],
        "errors": ["FieldbenchError"],
        "results": ["ExtractionResult"],
        "schema": ["Field", "Workflow"],
        "store": ["Store"],
    },
)
