"""Fieldbench's library: documents in, workflows of fields, extraction with citations, store, training.

The Streamlit app, the notebooks and the ``fieldbench`` command are all built on these names.
"""

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
