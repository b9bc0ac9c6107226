"""What Fieldbench sees of a document: pages with words, lines and blocks in points, top-left origin.

Loading (``load_document``) reads PDF, PNG, JPEG and TIFF bytes, whatever the file is called (the format is
sniffed from the bytes): PDF pages with a text layer use it (PyMuPDF), other pages and images go through
Tesseract (``core.ocr``), page by page, spread over processes, cached per page when a ``PageCache`` is given.
Page images are rendered on demand and cached (``render_page``, ``page_image``).

Reading pages (text layers, OCR jobs, image files) lives in ``core.page_reading``, drawing them in
``core.render``; this module holds the model and the entry points.

Image sizes in points: an image's DPI metadata is trusted when it is between 100 and 1200 dpi (72 and 96 are
usually software defaults, not a scan resolution); otherwise 300 dpi is assumed. JPEG orientation (EXIF) is
applied first.
"""

from __future__ import annotations

import hashlib
import io
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import pymupdf
from PIL import Image
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from core.config import Settings, get_settings
from core.errors import (
    CorruptDocumentError,
    DocumentError,
    EmptyDocumentError,
    TooManyPagesError,
    UnsupportedFormatError,
)
from core.spec import DocumentSpec

if TYPE_CHECKING:
    pass

__all__ = [
    "BBox",
    "Kind",
    "Word",
    "Line",
    "Page",
    "Document",
    "PageCache",
    "DocumentInfo",
    "sniff_kind",
    "inspect_bytes",
    "ocr_options",
    "load_document",
    "render_page",
    "page_image",
    "PASSWORD_HINT",
]

Kind = Literal["pdf", "png", "jpeg", "tiff"]
PASSWORD_HINT = "Give its password: --password in the CLI, the password box in the app."
# MuPDF prints repair notes on stderr; our errors say what matters in one line instead.
pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)

BBox = tuple[float, float, float, float]
"""A box ``(x0, y0, x1, y1)`` in points with the origin at the top-left of the page."""


class Word(BaseModel):
    """One word on a page."""

    model_config = ConfigDict(frozen=True)

    text: str
    bbox: BBox = Field(description="(x0, y0, x1, y1) in points, top-left origin.")
    confidence: float | None = Field(default=None, description="Recognition confidence 0-1; 1.0 for a text layer.")
    line: int = Field(default=0, description="Index of the word's line in Page.lines.")
    block: int = Field(default=0, description="Index of the word's block (paragraph or text block) on the page.")


class Line(BaseModel):
    """A line of words, in reading order."""

    model_config = ConfigDict(frozen=True)

    text: str
    bbox: BBox
    words: list[int] = Field(description="Indexes of the line's words in Page.words.")
    block: int = 0


class Page(BaseModel):
    """One page: its size in points, where its text came from, and its words grouped into lines."""

    number: int = Field(description="1-based page number in the document (after cropping splits).")
    width: float = Field(description="Width in points.")
    height: float = Field(description="Height in points.")
    source: Literal["text", "ocr"] = Field(description="'text' for a PDF text layer, 'ocr' for Tesseract.")
    words: list[Word] = Field(default_factory=list)
    lines: list[Line] = Field(default_factory=list)
    seconds: float = Field(default=0.0, description="Time spent reading this page (text layer or OCR).")
    source_page: int = Field(default=0, description="0-based index of the page in the original file.")
    crop: BBox | None = Field(
        default=None, description="Region of the original page this page was cropped from, in its points."
    )
    rotation: int = Field(default=0, description="Degrees the page image was turned before reading.")
    cached: bool = Field(
        default=False,
        description="True when the page came from the OCR cache (`seconds` is what the original OCR took).",
    )

    @property
    def text(self) -> str:
        """The page's text, one line per line."""
        return "\n".join(line.text for line in self.lines)


class Document(BaseModel):
    """A loaded document. ``id`` is the SHA-256 of its bytes, so the same file is always the same document."""

    id: str = Field(description="SHA-256 hex digest of the file's bytes.")
    name: str = Field(default="document", description="Display name (never used as a path).")
    kind: Literal["pdf", "png", "jpeg", "tiff"]
    pages: list[Page] = Field(default_factory=list)
    _data: bytes = PrivateAttr(default=b"")
    _password: str | None = PrivateAttr(default=None)

    @property
    def text(self) -> str:
        """The whole document's text, pages separated by a form feed."""
        return "\f".join(page.text for page in self.pages)

    @property
    def data(self) -> bytes:
        """The original file bytes (kept so pages can be rendered)."""
        return self._data


class PageCache(Protocol):
    """Where OCR results are kept per document, source page and options (``DocumentRepo.page_cache``).

    ``options`` is a key of everything that changes the OCR output (``ocr_options``). A list of pages, because
    cropping can split one source page into several.
    """

    def get(self, document_id: str, source_page: int, options: str) -> list[Page] | None: ...

    def put(self, document_id: str, source_page: int, options: str, pages: list[Page]) -> None: ...


class DocumentInfo(BaseModel):
    """What the header of a file says: its format, page count and SHA-256 (see ``inspect_bytes``)."""

    id: str
    kind: Kind
    pages: int
    size: int


# --------------------------------------------------------------------------------------------- reading bytes


def sniff_kind(data: bytes) -> Kind | None:
    """The format of ``data`` from its first bytes (never from a file name); None when unsupported.

    >>> sniff_kind(b"%PDF-1.7 ..."), sniff_kind(b"\\x89PNG\\r\\n\\x1a\\n..."), sniff_kind(b"hello")
    ('pdf', 'png', None)
    """
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    # The PDF header may follow some junk bytes; readers accept it within the first kilobyte.
    if b"%PDF-" in data[:1024]:
        return "pdf"
    return None


def _read_source(source: bytes | str | Path, name: str | None) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), name or "document"
    path = Path(source)
    label = name or path.name
    try:
        return path.read_bytes(), label
    except FileNotFoundError:
        raise DocumentError("no such file", source=str(path)) from None
    except IsADirectoryError:
        raise DocumentError("is a directory, not a file", source=str(path)) from None
    except OSError as exc:
        raise DocumentError(f"cannot read the file: {exc.strerror or exc}", source=str(path)) from None


def _sniff(data: bytes, label: str) -> Kind:
    if not data:
        raise EmptyDocumentError("the file is empty", source=label)
    kind = sniff_kind(data)
    if kind is None:
        raise UnsupportedFormatError(
            "not a PDF, PNG, JPEG or TIFF file",
            source=label,
            hint="Give a PDF or an image (PNG, JPEG, TIFF).",
        )
    return kind


def inspect_bytes(
    data: bytes,
    *,
    name: str = "document",
    password: str | None = None,
    settings: Settings | None = None,
    digest: str | None = None,
) -> DocumentInfo:
    """Check a file's header without reading its pages: format, encryption, page count and size limits.

    Args:
        data: the file's bytes.
        name: shown in error messages.
        password: for an encrypted PDF.
        settings: limits (max_pages, max_image_pixels); default from the environment.
        digest: the SHA-256 of ``data`` when the caller has it already (a loaded Document's id), so large
            files are not hashed again.

    Returns:
        DocumentInfo with the SHA-256, format and page count.

    Raises:
        DocumentError: the bytes are empty, not a supported format, damaged, encrypted without the right
            password, or over a limit (see ``core.errors``).
    """
    from core.page_reading import open_image, open_pdf, page_count

    settings = settings or get_settings()
    kind = _sniff(data, name)
    handle: Any = open_pdf(data, password, name) if kind == "pdf" else open_image(data, name, settings)
    count = page_count(kind, handle)
    if count > settings.max_pages:
        raise TooManyPagesError(pages=count, limit=settings.max_pages, source=name)
    sha = digest or hashlib.sha256(data).hexdigest()
    return DocumentInfo(id=sha, kind=kind, pages=count, size=len(data))


def ocr_options(spec: DocumentSpec, dpi: int | str) -> str:
    """The cache key of everything that changes OCR output.

    The character set stands for its Tesseract languages (``core.spec.tesseract_languages``), so cached pages
    can be read on a machine without Tesseract, and the installed models are only asked for on a cache miss.

    >>> ocr_options(DocumentSpec(), 300)
    'ocr1|charset=latin|text=printed|crop=0|dpi=300'
    """
    return f"ocr1|charset={spec.charset}|text={spec.text}|crop={int(spec.cropping)}|dpi={dpi}"


# ------------------------------------------------------------------------------------------------ loading


class _Digest:
    """The SHA-256 of a file, computed on a thread while the pages are read.

    hashlib releases the GIL on large buffers, so on two cores the id of a large PDF costs no time while
    MuPDF extracts its words (hashing was most of the loader's overhead over bare PyMuPDF).
    """

    _THREAD_ABOVE = 1 << 18  # bytes; smaller files are hashed at once (a thread would cost more)

    def __init__(self, data: bytes) -> None:
        self._hex = ""
        self._thread: threading.Thread | None = None
        if len(data) < self._THREAD_ABOVE:
            self._hex = hashlib.sha256(data).hexdigest()
        else:
            self._thread = threading.Thread(target=self._run, args=(data,), daemon=True)
            self._thread.start()

    def _run(self, data: bytes) -> None:
        self._hex = hashlib.sha256(data).hexdigest()

    def hexdigest(self) -> str:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        return self._hex


def load_document(
    source: bytes | str | Path,
    *,
    name: str | None = None,
    spec: DocumentSpec | None = None,
    password: str | None = None,
    settings: Settings | None = None,
    cache: PageCache | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Document:
    """Read a PDF, PNG, JPEG or TIFF file into a Document.

    Args:
        source: the file's bytes, or a path to it.
        name: display name (default: the path's file name, or ``document``); never used as a path.
        spec: how to read pages without a text layer (cropping, character set, text mode).
        password: for an encrypted PDF.
        settings: limits, OCR resolution and workers; default from the environment.
        cache: where OCR results are looked up and kept (``store.documents``); None OCRs every time.
        progress: called with (source pages done, source pages total) as pages are read.

    Returns:
        The Document, its pages numbered from 1 (a cropped source page may give several pages).

    Raises:
        DocumentError: empty, unsupported, damaged, encrypted (no or wrong password), too many pages, an
            image too large (see ``core.errors``).
        OCRError: Tesseract is missing or failed on a page.

    >>> import pymupdf
    >>> pdf = pymupdf.open(); pdf.new_page().insert_text((72, 72), "Invoice 42")
    1
    >>> doc = load_document(pdf.tobytes(), name="x.pdf")
    >>> doc.pages[0].source, doc.text
    ('text', 'Invoice 42')
    """
    from core.ocr import installed_languages
    from core.page_reading import (
        Region,
        image_dpi,
        image_frame,
        ocr_to_pages,
        open_image,
        open_pdf,
        page_count,
        read_image_page,
        render_gray,
        text_page,
        usable_text_layer,
    )
    from core.spec import tesseract_languages

    settings = settings or get_settings()
    spec = spec or DocumentSpec()
    data, label = _read_source(source, name)
    kind = _sniff(data, label)
    handle: Any = open_pdf(data, password, label) if kind == "pdf" else open_image(data, label, settings)
    count = page_count(kind, handle)
    if count > settings.max_pages:
        raise TooManyPagesError(pages=count, limit=settings.max_pages, source=label)
    digest = _Digest(data)

    by_source: dict[int, list[Page]] = {}
    pending: list[int] = []
    done = 0
    options = ""
    for index in range(count):
        if kind == "pdf":
            start = time.perf_counter()
            try:
                pdf_page = handle.load_page(index)
                raw = pdf_page.get_text("words")
            except Exception as exc:  # noqa: BLE001 - a damaged page object or content stream
                raise CorruptDocumentError(f"page {index + 1} cannot be read ({exc})", source=label) from None
            if usable_text_layer(raw):
                by_source[index] = [text_page(pdf_page, raw, index, time.perf_counter() - start)]
                done += 1
                if progress:
                    progress(done, count)
                continue
        if not options:
            options = ocr_options(spec, settings.ocr_dpi if kind == "pdf" else "native")
        cached = cache.get(digest.hexdigest(), index, options) if cache is not None else None
        if cached is not None:
            by_source[index] = [page.model_copy(update={"cached": True}) for page in cached]
            done += 1
            if progress:
                progress(done, count)
        else:
            pending.append(index)

    if pending:
        lang = tesseract_languages(spec.charset, installed_languages())
        scales: dict[int, tuple[float, float]] = {}

        def jobs() -> Iterator[tuple[Any, ...]]:
            for index in pending:
                if kind == "pdf":
                    try:
                        pdf_page = handle.load_page(index)
                        image = render_gray(pdf_page, settings.ocr_dpi, settings.max_image_pixels)
                    except Exception as exc:  # noqa: BLE001 - a damaged page that cannot be drawn
                        raise CorruptDocumentError(
                            f"page {index + 1} cannot be rendered ({exc})", source=label
                        ) from None
                    rect = pdf_page.rect
                    scales[index] = (rect.width / image.width, rect.height / image.height)
                else:
                    image = image_frame(handle, index, label, settings)
                    dx, dy = image_dpi(handle)
                    scales[index] = (72.0 / dx, 72.0 / dy)
                yield (image, lang, spec.text, spec.cropping, index + 1)

        def keep(position: int, result: list[Region]) -> None:
            index = pending[position]
            pages = ocr_to_pages(result, index, *scales[index])
            if cache is not None:
                cache.put(digest.hexdigest(), index, options, pages)
            by_source[index] = pages

        from core.ocr import map_pages

        base = done

        def report(finished: int, _total: int) -> None:
            if progress:
                progress(base + finished, count)

        map_pages(
            read_image_page,
            jobs(),
            total=len(pending),
            workers=settings.ocr_workers,
            progress=report,
            on_result=keep,
        )

    number = 0
    pages: list[Page] = []
    for index in range(count):
        for page in by_source[index]:
            number += 1
            page.number = number
            pages.append(page)
    document = Document(id=digest.hexdigest(), name=label, kind=kind)
    document.pages = pages  # assigned, not validated: built above from already valid values
    document._data = data
    document._password = password
    return document


# ---------------------------------------------------------------------------------------------- rendering


def render_page(document: Document, number: int, dpi: int = 150) -> bytes:
    """The image of a page as PNG bytes; a cropped page shows its cropped region only.

    Rendered images are cached (per document, page, crop and resolution; the last 64).

    Args:
        document: a loaded document (its bytes are kept in it).
        number: the 1-based page number in ``document.pages``.
        dpi: resolution; the image is ``page.width * dpi / 72`` pixels wide.

    Returns:
        PNG bytes.

    Raises:
        NotFoundError: no such page.

    >>> import pymupdf
    >>> pdf = pymupdf.open(); _ = pdf.new_page(width=144, height=72)
    >>> png = render_page(load_document(pdf.tobytes()), 1, dpi=72)
    >>> Image.open(io.BytesIO(png)).size
    (144, 72)
    """
    from core.render import render_png

    return render_png(document, number, dpi)


def page_image(document: Document, number: int, dpi: int = 150) -> Image.Image:
    """The image of a page as a PIL image (RGB); see ``render_page``."""
    return Image.open(io.BytesIO(render_page(document, number, dpi))).convert("RGB")
