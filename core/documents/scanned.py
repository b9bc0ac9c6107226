"""Pages without a text layer: cropped (if asked) and read with OCR (Tesseract, ``core.documents.ocr``, or
PP-OCRv5, ``core.documents.ocr_paddle``), then assembled into Pages in points."""

from __future__ import annotations

import time

from PIL import Image

from core.documents.assembly import assemble
from core.documents.elements import Page
from core.documents.ocr import OcrPage, ocr_image, text_mode_effect
from core.documents.spec import OcrEngine, TextMode

__all__ = ["Region", "read_image_page", "ocr_to_pages", "ocr_with", "mode_effect"]

Region = tuple["tuple[int, int, int, int] | None", int, "OcrPage"]
"""One document read from a page image: its box in pixels (None: the whole page), deskew angle, OCR result."""


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


def ocr_with(engine: OcrEngine, image: Image.Image, *, lang: str, text: TextMode, page: int | None = None) -> OcrPage:
    """Read one image with an OCR engine (``lang``: Tesseract's languages; PP-OCR has one model for both
    character sets and ignores it)."""
    if engine == "ppocr":
        from core.documents.ocr_paddle import ocr_image_ppocr  # onnxruntime loads only when PP-OCR is chosen

        return ocr_image_ppocr(image, text=text, page=page)
    return ocr_image(image, lang=lang, text=text, page=page)


def mode_effect(engine: OcrEngine, text: TextMode) -> str:
    """What an OCR engine keeps of a page in a text mode, for a user choosing them.

    >>> mode_effect("ppocr", "handwritten").split(":")[0]
    'Handwritten with PP-OCRv5'
    """
    if engine == "ppocr":
        from core.documents.ocr_paddle import text_mode_effect as ppocr_effect  # beside its engine, as ocr_with

        return ppocr_effect(text)
    return text_mode_effect(text)


def read_image_page(
    image: Image.Image, lang: str, text: TextMode, cropping: bool, page: int, engine: OcrEngine = "tesseract"
) -> list[Region]:
    """Worker job: crop (if asked) and OCR one source page image; boxes in pixels, None for the whole page."""
    # OpenCV is imported only when a page is really cropped (it adds a few tenths of a second to start-up).
    from core.documents.cropping import crop_documents

    if not cropping:
        return [(None, 0, ocr_with(engine, image, lang=lang, text=text, page=page))]
    start = time.perf_counter()
    regions = crop_documents(image)
    crop_seconds = (time.perf_counter() - start) / len(regions)
    out: list[Region] = []
    for region, part in regions:
        ocr = ocr_with(engine, part, lang=lang, text=text, page=page)
        ocr.seconds += crop_seconds
        whole = region.box == (0, 0, image.width, image.height)
        out.append((None if whole else region.box, region.angle, ocr))
    return out
