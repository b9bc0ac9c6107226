"""Reading pages for ``core.documents``: opening PDFs and image files safely, PDF text layers and OCR results
turned into Page objects with words, lines and blocks in points."""

from __future__ import annotations

import io
import time
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

import pymupdf
from PIL import Image, ImageOps
from pydantic import BaseModel

from core.config import Settings
from core.documents import PASSWORD_HINT, BBox, Kind, Line, Page, Word
from core.errors import (
    CorruptDocumentError,
    DocumentError,
    EncryptedDocumentError,
    ImageTooLargeError,
)
from core.gcpause import gc_paused
from core.spec import TextMode

if TYPE_CHECKING:
    from core.ocr import OcrPage

__all__ = [
    "Region",
    "open_pdf",
    "open_image",
    "check_pixels",
    "image_frame",
    "image_dpi",
    "page_count",
    "safe_dpi",
    "render_gray",
    "assemble",
    "usable_text_layer",
    "text_page",
    "ocr_to_pages",
    "read_image_page",
]


def open_pdf(data: bytes, password: str | None, label: str) -> pymupdf.Document:
    """Open PDF bytes, authenticated; raises CorruptDocumentError or EncryptedDocumentError."""
    # MuPDF repairs a cut-off file silently and shows what it can of it; a complete PDF ends with %%EOF.
    if b"%%EOF" not in data[-2048:]:
        raise CorruptDocumentError(
            "the PDF is truncated (its end-of-file marker is missing)",
            source=label,
            hint="Download or export the file again.",
        )
    try:
        pdf = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:  # noqa: BLE001 - MuPDF raises several types for damaged files
        raise CorruptDocumentError(f"not a readable PDF ({exc})", source=label) from None
    if pdf.needs_pass:
        if not password:
            raise EncryptedDocumentError("the PDF is encrypted", source=label, hint=PASSWORD_HINT)
        if not pdf.authenticate(password):
            raise EncryptedDocumentError("wrong password for this encrypted PDF", source=label, hint=PASSWORD_HINT)
    if pdf.page_count == 0:
        raise CorruptDocumentError("the PDF has no readable pages (truncated or damaged)", source=label)
    return pdf


def open_image(data: bytes, label: str, settings: Settings) -> Image.Image:
    """Open image bytes lazily (header only), refusing more pixels than ``settings.max_image_pixels``."""
    try:
        with warnings.catch_warnings():
            # Our own limit (settings.max_image_pixels) decides; PIL's warning would only be noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise ImageTooLargeError(f"the image is too large to read safely ({exc})", source=label) from None
    except Exception as exc:  # noqa: BLE001 - PIL raises several types for damaged files
        raise CorruptDocumentError(f"not a readable image ({exc})", source=label) from None
    check_pixels(image, label, settings)
    return image


def check_pixels(image: Image.Image, label: str, settings: Settings) -> None:
    """Raise ImageTooLargeError when the (current frame of the) image has more pixels than allowed."""
    pixels = image.width * image.height
    if pixels > settings.max_image_pixels:
        raise ImageTooLargeError(
            f"the image has {pixels:,} pixels, more than the limit of {settings.max_image_pixels:,}",
            source=label,
            hint="Scale it down, or raise FIELDBENCH_MAX_IMAGE_PIXELS if you trust the file.",
        )


def image_frame(image: Image.Image, index: int, label: str, settings: Settings) -> Image.Image:
    """Frame ``index`` of an image file, upright (EXIF orientation applied), fully decoded."""
    try:
        if index:
            image.seek(index)
        check_pixels(image, label, settings)
        frame = ImageOps.exif_transpose(image) if image.format == "JPEG" else image.copy()
        frame.load()
    except (ImageTooLargeError, DocumentError):
        raise
    except Exception as exc:  # noqa: BLE001 - truncated or damaged image data
        raise CorruptDocumentError(f"page {index + 1}: the image data is damaged ({exc})", source=label) from None
    return frame


def image_dpi(image: Image.Image) -> tuple[float, float]:
    """The (x, y) resolution of an image: its metadata when between 100 and 1200 dpi, else 300."""
    dpi = image.info.get("dpi")
    try:
        dx, dy = float(dpi[0]), float(dpi[1])  # type: ignore[index]
    except (TypeError, ValueError, IndexError):
        return 300.0, 300.0
    if 100 <= dx <= 1200 and 100 <= dy <= 1200:
        return dx, dy
    return 300.0, 300.0


def page_count(kind: Kind, handle: Any) -> int:
    """Pages of an open PDF, or frames of an open image."""
    return int(handle.page_count) if kind == "pdf" else int(getattr(handle, "n_frames", 1))


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


# The garbage collector would scan the thousands of new (acyclic) word objects again and again: it made up
# about half of the assembly time in the loading benchmark.
@gc_paused()
def assemble(
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


def usable_text_layer(raw: list[tuple[Any, ...]]) -> bool:
    """A text layer worth using: some words, and not mostly unmapped glyphs (U+FFFD)."""
    chars = sum(len(w[4]) for w in raw)
    if chars == 0:
        return False
    return sum(w[4].count("\ufffd") for w in raw) / chars < 0.3


def text_page(pdf_page: pymupdf.Page, raw: list[tuple[Any, ...]], index: int, seconds: float) -> Page:
    """A PDF page's text layer as a Page (rotated pages: boxes as the page is shown)."""
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
    return assemble(
        items,
        number=0,
        width=rect.width,
        height=rect.height,
        source="text",
        seconds=seconds,
        source_page=index,
    )


def ocr_to_pages(
    results: list[Region],
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
        crop = None if box is None else (box[0] * scale_x, box[1] * scale_y, box[2] * scale_x, box[3] * scale_y)
        pages.append(
            assemble(
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


Region = tuple["tuple[int, int, int, int] | None", int, "OcrPage"]
"""One document read from a page image: its box in pixels (None: the whole page), deskew angle, OCR result."""


def read_image_page(image: Image.Image, lang: str, text: TextMode, cropping: bool, page: int) -> list[Region]:
    """Worker job: crop (if asked) and OCR one source page image; boxes in pixels, None for the whole page."""
    from core.cropping import crop_documents
    from core.ocr import ocr_image

    if not cropping:
        return [(None, 0, ocr_image(image, lang=lang, text=text, page=page))]
    start = time.perf_counter()
    regions = crop_documents(image)
    crop_seconds = (time.perf_counter() - start) / len(regions)
    out: list[Region] = []
    for region, part in regions:
        ocr = ocr_image(part, lang=lang, text=text, page=page)
        ocr.seconds += crop_seconds
        whole = region.box == (0, 0, image.width, image.height)
        out.append((None if whole else region.box, region.angle, ocr))
    return out


def render_gray(pdf_page: pymupdf.Page, dpi: int, max_pixels: int) -> Image.Image:
    """A PDF page as a grayscale image for OCR (resolution lowered if the page would be too many pixels)."""
    dpi = safe_dpi(pdf_page.rect.width, pdf_page.rect.height, dpi, max_pixels)
    pix = pdf_page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
    return Image.frombytes("L", (pix.width, pix.height), pix.samples)


def safe_dpi(width_pt: float, height_pt: float, dpi: int, max_pixels: int) -> int:
    """``dpi``, lowered when the page would have more pixels than ``max_pixels`` (huge page sizes)."""
    pixels = (width_pt * dpi / 72) * (height_pt * dpi / 72)
    if pixels <= max_pixels:
        return dpi
    return max(1, int(dpi * (max_pixels / pixels) ** 0.5))
