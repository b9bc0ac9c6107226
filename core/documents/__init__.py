"""Documents in: bytes or a path to a Document of pages, words, lines and blocks in points, and page images.

``load_document`` reads PDF (text layer, else OCR), PNG, JPEG and TIFF; ``render_page`` and ``highlight`` draw
pages. Modules: ``elements`` (the model), ``formats`` (what a file is), ``reader`` (loading), ``pdf``,
``image``, ``scanned``, ``ocr`` (Tesseract), ``ocr_paddle`` (PP-OCRv5), ``cropping`` (reading pages),
``render`` (page images), ``spec`` (how a workflow's documents are read).

The names load with their submodule on first use (``core.lazy``): the file types and the specification's
choices come without PyMuPDF and OpenCV.
"""

from typing import TYPE_CHECKING

from core.lazy import lazy_exports

if TYPE_CHECKING:  # what type checkers and readers see; at run time each name loads on first use (below)
    from core.documents.elements import BBox, Document, DocumentInfo, Line, Page, PageCache, Word
    from core.documents.formats import DOCUMENT_SUFFIXES, UPLOAD_TYPES, Kind, Source, read_source, sniff_kind
    from core.documents.reader import inspect_bytes, load_document, ocr_options
    from core.documents.render import draw_boxes, highlight, page_image, render_jpeg, render_page
    from core.documents.spec import (
        CHARSET_CHOICES,
        CHARSETS,
        OCR_ENGINE_CHOICES,
        OCR_ENGINES,
        TEXT_MODE_CHOICES,
        TEXT_MODES,
        Charset,
        Choice,
        DocumentSpec,
        OcrEngine,
        TextMode,
        describe_spec,
        suggests_cropping,
    )

__all__ = [
    "BBox",
    "CHARSET_CHOICES",
    "CHARSETS",
    "Charset",
    "Choice",
    "DOCUMENT_SUFFIXES",
    "Document",
    "DocumentInfo",
    "DocumentSpec",
    "Kind",
    "Line",
    "OCR_ENGINE_CHOICES",
    "OCR_ENGINES",
    "OcrEngine",
    "Page",
    "PageCache",
    "Source",
    "TEXT_MODE_CHOICES",
    "TEXT_MODES",
    "TextMode",
    "UPLOAD_TYPES",
    "Word",
    "describe_spec",
    "draw_boxes",
    "highlight",
    "inspect_bytes",
    "load_document",
    "ocr_options",
    "page_image",
    "read_source",
    "render_jpeg",
    "render_page",
    "sniff_kind",
    "suggests_cropping",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    __all__,
    {
        "elements": ["BBox", "Document", "DocumentInfo", "Line", "Page", "PageCache", "Word"],
        "formats": ["DOCUMENT_SUFFIXES", "UPLOAD_TYPES", "Kind", "Source", "read_source", "sniff_kind"],
        "reader": ["inspect_bytes", "load_document", "ocr_options"],
        "render": ["draw_boxes", "highlight", "page_image", "render_jpeg", "render_page"],
        "spec": [
            "CHARSET_CHOICES",
            "CHARSETS",
            "OCR_ENGINE_CHOICES",
            "OCR_ENGINES",
            "TEXT_MODE_CHOICES",
            "TEXT_MODES",
            "Charset",
            "Choice",
            "DocumentSpec",
            "OcrEngine",
            "TextMode",
            "describe_spec",
            "suggests_cropping",
        ],
    },
)
