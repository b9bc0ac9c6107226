"""What Fieldbench sees of a document: pages with words, lines and blocks in points, top-left origin.

Loading (``load_document``) reads PDF, PNG, JPEG and TIFF bytes, whatever the file is called (the format is
sniffed from the bytes): PDF pages with a text layer use it (PyMuPDF), other pages and images go through
Tesseract (``core.ocr``), page by page, spread over processes, cached per page when a ``PageCache`` is given.
Page images are rendered on demand and cached (``render_page``, ``page_image``).

Image sizes in points: an image's DPI metadata is trusted when it is between 100 and 1200 dpi (72 and 96 are
usually software defaults, not a scan resolution); otherwise 300 dpi is assumed. JPEG orientation (EXIF) is
applied first.
"""

from __future__ import annotations

import gc
import hashlib
import io
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import pymupdf
from PIL import Image, ImageOps
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from core.config import Settings, get_settings
from core.errors import (
    CorruptDocumentError,
    DocumentError,
    EmptyDocumentError,
    EncryptedDocumentError,
    ImageTooLargeError,
    NotFoundError,
    TooManyPagesError,
    UnsupportedFormatError,
)
from core.spec import DocumentSpec, TextMode

if TYPE_CHECKING:
    from core.ocr import OcrPage

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
    confidence: float | None = Field(
        default=None, description="Recognition confidence 0-1; 1.0 for a text layer."
    )
    line: int = Field(default=0, description="Index of the word's line in Page.lines.")
    block: int = Field(
        default=0, description="Index of the word's block (paragraph or text block) on the page."
    )


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


def _open_pdf(data: bytes, password: str | None, label: str) -> pymupdf.Document:
    try:
        pdf = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:  # noqa: BLE001 - MuPDF raises several types for damaged files
        raise CorruptDocumentError(f"not a readable PDF ({exc})", source=label) from None
    if pdf.needs_pass:
        if not password:
            raise EncryptedDocumentError("the PDF is encrypted", source=label, hint=PASSWORD_HINT)
        if not pdf.authenticate(password):
            raise EncryptedDocumentError(
                "wrong password for this encrypted PDF", source=label, hint=PASSWORD_HINT
            )
    if pdf.page_count == 0:
        raise CorruptDocumentError("the PDF has no readable pages (truncated or damaged)", source=label)
    return pdf


def _open_image(data: bytes, label: str, settings: Settings) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Our own limit (settings.max_image_pixels) decides; PIL's warning would only be noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise ImageTooLargeError(f"the image is too large to read safely ({exc})", source=label) from None
    except Exception as exc:  # noqa: BLE001 - PIL raises several types for damaged files
        raise CorruptDocumentError(f"not a readable image ({exc})", source=label) from None
    _check_pixels(image, label, settings)
    return image


def _check_pixels(image: Image.Image, label: str, settings: Settings) -> None:
    pixels = image.width * image.height
    if pixels > settings.max_image_pixels:
        raise ImageTooLargeError(
            f"the image has {pixels:,} pixels, more than the limit of {settings.max_image_pixels:,}",
            source=label,
            hint="Scale it down, or raise FIELDBENCH_MAX_IMAGE_PIXELS if you trust the file.",
        )


def _frame(image: Image.Image, index: int, label: str, settings: Settings) -> Image.Image:
    """Frame ``index`` of an image file, upright (EXIF orientation applied), fully decoded."""
    try:
        if index:
            image.seek(index)
        _check_pixels(image, label, settings)
        frame = ImageOps.exif_transpose(image) if image.format == "JPEG" else image.copy()
        frame.load()
    except (ImageTooLargeError, DocumentError):
        raise
    except Exception as exc:  # noqa: BLE001 - truncated or damaged image data
        raise CorruptDocumentError(
            f"page {index + 1}: the image data is damaged ({exc})", source=label
        ) from None
    return frame


def _image_dpi(image: Image.Image) -> tuple[float, float]:
    dpi = image.info.get("dpi")
    try:
        dx, dy = float(dpi[0]), float(dpi[1])  # type: ignore[index]
    except (TypeError, ValueError, IndexError):
        return 300.0, 300.0
    if 100 <= dx <= 1200 and 100 <= dy <= 1200:
        return dx, dy
    return 300.0, 300.0


def _page_count(kind: Kind, handle: Any) -> int:
    return int(handle.page_count) if kind == "pdf" else int(getattr(handle, "n_frames", 1))


def inspect_bytes(
    data: bytes, *, name: str = "document", password: str | None = None, settings: Settings | None = None
) -> DocumentInfo:
    """Check a file's header without reading its pages: format, encryption, page count and size limits.

    Args:
        data: the file's bytes.
        name: shown in error messages.
        password: for an encrypted PDF.
        settings: limits (max_pages, max_image_pixels); default from the environment.

    Returns:
        DocumentInfo with the SHA-256, format and page count.

    Raises:
        DocumentError: the bytes are empty, not a supported format, damaged, encrypted without the right
            password, or over a limit (see ``core.errors``).
    """
    settings = settings or get_settings()
    kind = _sniff(data, name)
    handle: Any = _open_pdf(data, password, name) if kind == "pdf" else _open_image(data, name, settings)
    count = _page_count(kind, handle)
    if count > settings.max_pages:
        raise TooManyPagesError(pages=count, limit=settings.max_pages, source=name)
    return DocumentInfo(id=hashlib.sha256(data).hexdigest(), kind=kind, pages=count, size=len(data))


# ------------------------------------------------------------------------------------------ words to pages

_Item = tuple[float, float, float, float, str, "float | None", Any, Any]


def _fast(cls: type[BaseModel], values: dict[str, Any]) -> Any:
    """An instance of ``cls`` from complete, already valid ``values`` (every field given), unvalidated.

    What ``model_construct`` does, without its per-call field bookkeeping, which dominated loading time
    (it is ~10x slower per word than this). Only for values built in this module.
    """
    obj = object.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


def _assemble(
    items: Iterable[_Item],
    *,
    number: int,
    width: float,
    height: float,
    source: Literal["text", "ocr"],
    seconds: float,
    source_page: int,
    crop: BBox | None = None,
    rotation: int = 0,
) -> Page:
    """Build a Page from (x0, y0, x1, y1, text, confidence, block key, line key) in reading order.

    Words wholly outside the page are dropped and the rest clipped to it; blocks and lines are numbered in
    order of first appearance. Words and lines are built without validation: the values are made here.
    """
    # The garbage collector would scan these thousands of new (acyclic) objects again and again: it made
    # up about half of the assembly time in the loading benchmark.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _assemble_page(
            items, number=number, width=width, height=height, source=source, seconds=seconds,
            source_page=source_page, crop=crop, rotation=rotation,
        )  # fmt: skip
    finally:
        if enabled:
            gc.enable()


def _assemble_page(
    items: Iterable[_Item],
    *,
    number: int,
    width: float,
    height: float,
    source: Literal["text", "ocr"],
    seconds: float,
    source_page: int,
    crop: BBox | None,
    rotation: int,
) -> Page:
    words: list[Word] = []
    line_of: dict[Any, int] = {}
    block_of: dict[Any, int] = {}
    line_words: list[list[int]] = []
    line_texts: list[list[str]] = []
    line_boxes: list[list[float]] = []
    line_blocks: list[int] = []
    for x0, y0, x1, y1, text, confidence, block_key, line_key in items:
        if x1 <= 0 or y1 <= 0 or x0 >= width or y0 >= height:
            continue
        if x0 < 0:
            x0 = 0.0
        if y0 < 0:
            y0 = 0.0
        if x1 > width:
            x1 = width
        if y1 > height:
            y1 = height
        line = line_of.get(line_key)
        if line is None:
            block = block_of.get(block_key)
            if block is None:
                block = block_of[block_key] = len(block_of)
            line = line_of[line_key] = len(line_words)
            line_words.append([len(words)])
            line_texts.append([text])
            line_boxes.append([x0, y0, x1, y1])
            line_blocks.append(block)
        else:
            block = line_blocks[line]
            line_words[line].append(len(words))
            line_texts[line].append(text)
            box = line_boxes[line]
            if x0 < box[0]:
                box[0] = x0
            if y0 < box[1]:
                box[1] = y0
            if x1 > box[2]:
                box[2] = x1
            if y1 > box[3]:
                box[3] = y1
        words.append(
            _fast(
                Word,
                {
                    "text": text,
                    "bbox": (x0, y0, x1, y1),
                    "confidence": confidence,
                    "line": line,
                    "block": block,
                },
            )
        )
    lines = [
        _fast(Line, {"text": " ".join(texts), "bbox": tuple(box), "words": indexes, "block": block})
        for texts, box, indexes, block in zip(line_texts, line_boxes, line_words, line_blocks, strict=True)
    ]
    return Page.model_construct(
        number=number,
        width=width,
        height=height,
        source=source,
        words=words,
        lines=lines,
        seconds=seconds,
        source_page=source_page,
        crop=crop,
        rotation=rotation,
        cached=False,
    )


def _usable_text_layer(raw: list[tuple[Any, ...]]) -> bool:
    """A text layer worth using: some words, and not mostly unmapped glyphs (U+FFFD)."""
    chars = sum(len(w[4]) for w in raw)
    if chars == 0:
        return False
    return sum(w[4].count("\ufffd") for w in raw) / chars < 0.3


def _text_page(pdf_page: pymupdf.Page, raw: list[tuple[Any, ...]], index: int, seconds: float) -> Page:
    rect = pdf_page.rect
    if pdf_page.rotation:
        # get_text gives unrotated coordinates; the page is shown (and rendered) rotated.
        matrix = pdf_page.rotation_matrix
        rotated = []
        for w in raw:
            r = pymupdf.Rect(w[:4]) * matrix
            rotated.append((r.x0, r.y0, r.x1, r.y1, *w[4:]))
        raw = rotated
    items = ((w[0], w[1], w[2], w[3], w[4], 1.0, w[5], (w[5], w[6])) for w in raw)
    return _assemble(
        items,
        number=0,
        width=rect.width,
        height=rect.height,
        source="text",
        seconds=seconds,
        source_page=index,
    )


def _ocr_to_pages(
    results: list[_Region],
    index: int,
    scale_x: float,
    scale_y: float,
) -> list[Page]:
    """OCR results of one source page (one per cropped region) as Pages in points (scale: points/pixel)."""
    pages = []
    for box, angle, ocr in results:
        items = [
            (
                w.left * scale_x,
                w.top * scale_y,
                (w.left + w.width) * scale_x,
                (w.top + w.height) * scale_y,
                w.text,
                w.confidence,
                w.block,
                w.line_key,
            )
            for w in ocr.words
        ]
        crop = (
            None if box is None else (box[0] * scale_x, box[1] * scale_y, box[2] * scale_x, box[3] * scale_y)
        )
        pages.append(
            _assemble(
                items,
                number=0,
                width=ocr.width * scale_x,
                height=ocr.height * scale_y,
                source="ocr",
                seconds=ocr.seconds,
                source_page=index,
                crop=crop,
                rotation=angle,
            )
        )
    return pages


_Region = tuple["tuple[int, int, int, int] | None", int, "OcrPage"]
"""One document read from a page image: its box in pixels (None: the whole page), deskew angle, OCR result."""


def _read_image_page(
    image: Image.Image, lang: str, text: TextMode, cropping: bool, page: int
) -> list[_Region]:
    """Worker job: crop (if asked) and OCR one source page image; boxes in pixels, None for the whole page."""
    from core.cropping import crop_documents
    from core.ocr import ocr_image

    if not cropping:
        return [(None, 0, ocr_image(image, lang=lang, text=text, page=page))]
    start = time.perf_counter()
    regions = crop_documents(image)
    crop_seconds = (time.perf_counter() - start) / len(regions)
    out: list[_Region] = []
    for region, part in regions:
        ocr = ocr_image(part, lang=lang, text=text, page=page)
        ocr.seconds += crop_seconds
        whole = region.box == (0, 0, image.width, image.height)
        out.append((None if whole else region.box, region.angle, ocr))
    return out


def ocr_options(spec: DocumentSpec, dpi: int | str) -> str:
    """The cache key of everything that changes OCR output.

    The character set stands for its Tesseract languages (``core.spec.tesseract_languages``), so cached pages
    can be read on a machine without Tesseract, and the installed models are only asked for on a cache miss.

    >>> ocr_options(DocumentSpec(), 300)
    'ocr1|charset=latin|text=printed|crop=0|dpi=300'
    """
    return f"ocr1|charset={spec.charset}|text={spec.text}|crop={int(spec.cropping)}|dpi={dpi}"


def _pdf_render_gray(pdf_page: pymupdf.Page, dpi: int, max_pixels: int) -> Image.Image:
    dpi = _safe_dpi(pdf_page.rect.width, pdf_page.rect.height, dpi, max_pixels)
    pix = pdf_page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
    return Image.frombytes("L", (pix.width, pix.height), pix.samples)


def _safe_dpi(width_pt: float, height_pt: float, dpi: int, max_pixels: int) -> int:
    """``dpi``, lowered when the page would have more pixels than ``max_pixels`` (huge page sizes)."""
    pixels = (width_pt * dpi / 72) * (height_pt * dpi / 72)
    if pixels <= max_pixels:
        return dpi
    return max(1, int(dpi * (max_pixels / pixels) ** 0.5))


# ------------------------------------------------------------------------------------------------ loading


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
    from core.spec import tesseract_languages

    settings = settings or get_settings()
    spec = spec or DocumentSpec()
    data, label = _read_source(source, name)
    kind = _sniff(data, label)
    handle: Any = _open_pdf(data, password, label) if kind == "pdf" else _open_image(data, label, settings)
    count = _page_count(kind, handle)
    if count > settings.max_pages:
        raise TooManyPagesError(pages=count, limit=settings.max_pages, source=label)
    document = Document(id=hashlib.sha256(data).hexdigest(), name=label, kind=kind)
    document._data = data
    document._password = password

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
            if _usable_text_layer(raw):
                by_source[index] = [_text_page(pdf_page, raw, index, time.perf_counter() - start)]
                done += 1
                if progress:
                    progress(done, count)
                continue
        if not options:
            options = ocr_options(spec, settings.ocr_dpi if kind == "pdf" else "native")
        cached = cache.get(document.id, index, options) if cache is not None else None
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
                        image = _pdf_render_gray(pdf_page, settings.ocr_dpi, settings.max_image_pixels)
                    except Exception as exc:  # noqa: BLE001 - a damaged page that cannot be drawn
                        raise CorruptDocumentError(
                            f"page {index + 1} cannot be rendered ({exc})", source=label
                        ) from None
                    rect = pdf_page.rect
                    scales[index] = (rect.width / image.width, rect.height / image.height)
                else:
                    image = _frame(handle, index, label, settings)
                    dx, dy = _image_dpi(handle)
                    scales[index] = (72.0 / dx, 72.0 / dy)
                yield (image, lang, spec.text, spec.cropping, index + 1)

        def keep(position: int, result: list[_Region]) -> None:
            index = pending[position]
            pages = _ocr_to_pages(result, index, *scales[index])
            if cache is not None:
                cache.put(document.id, index, options, pages)
            by_source[index] = pages

        from core.ocr import map_pages

        base = done

        def report(finished: int, _total: int) -> None:
            if progress:
                progress(base + finished, count)

        map_pages(
            _read_image_page,
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
    document.pages = pages
    return document


# ---------------------------------------------------------------------------------------------- rendering


class _Source:
    """The bytes of a document as an lru_cache key: hashed and compared by the document id only."""

    __slots__ = ("id", "kind", "data", "password")

    def __init__(self, document: Document) -> None:
        self.id = document.id
        self.kind = document.kind
        self.data = document.data
        self.password = document._password

    def __hash__(self) -> int:
        return hash(self.id)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Source) and other.id == self.id


def _source_image(source: _Source, index: int, dpi: int) -> Image.Image:
    """The whole source page ``index`` at ``dpi``, RGB."""
    settings = get_settings()
    if source.kind == "pdf":
        pdf = _open_pdf(source.data, source.password, "document")
        pdf_page = pdf.load_page(index)
        dpi = _safe_dpi(pdf_page.rect.width, pdf_page.rect.height, dpi, settings.max_image_pixels)
        pix = pdf_page.get_pixmap(dpi=dpi, alpha=False)
        return Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
    handle = _open_image(source.data, "document", settings)
    frame = _frame(handle, index, "document", settings)
    dx, dy = _image_dpi(handle)
    size = (max(1, round(frame.width * dpi / dx)), max(1, round(frame.height * dpi / dy)))
    frame = frame.convert("RGB")
    return frame if size == frame.size else frame.resize(size, Image.Resampling.LANCZOS)


@lru_cache(maxsize=64)
def _render_png(
    source: _Source, index: int, crop: BBox | None, rotation: int, size: tuple[float, float], dpi: int
) -> bytes:
    image = _source_image(source, index, dpi)
    if crop is not None:
        sx = image.width / _points(source, index)[0]
        sy = image.height / _points(source, index)[1]
        image = image.crop(
            (round(crop[0] * sx), round(crop[1] * sy), round(crop[2] * sx), round(crop[3] * sy))
        )
        if rotation:  # a document that lay askew: turned upright as it was for OCR (core.cropping.deskew)
            from core.cropping import deskew

            image = deskew(image, rotation, (round(size[0] * sx), round(size[1] * sy)))
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)  # speed over size: this is a cache, not an archive
    return out.getvalue()


@lru_cache(maxsize=256)
def _points(source: _Source, index: int) -> tuple[float, float]:
    """The size in points of source page ``index``."""
    settings = get_settings()
    if source.kind == "pdf":
        rect = _open_pdf(source.data, source.password, "document").load_page(index).rect
        return rect.width, rect.height
    handle = _open_image(source.data, "document", settings)
    frame = _frame(handle, index, "document", settings)
    dx, dy = _image_dpi(handle)
    return frame.width * 72.0 / dx, frame.height * 72.0 / dy


def _page(document: Document, number: int) -> Page:
    if not 1 <= number <= len(document.pages):
        raise NotFoundError("page", f"{number} (the document has {len(document.pages)} pages)")
    if not document.data:
        raise DocumentError("the document's file bytes are not loaded; load it again", source=document.name)
    return document.pages[number - 1]


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
    page = _page(document, number)
    size = (page.width, page.height)
    return _render_png(_Source(document), page.source_page, page.crop, page.rotation, size, dpi)


def page_image(document: Document, number: int, dpi: int = 150) -> Image.Image:
    """The image of a page as a PIL image (RGB); see ``render_page``."""
    return Image.open(io.BytesIO(render_page(document, number, dpi))).convert("RGB")
