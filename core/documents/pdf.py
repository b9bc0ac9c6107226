"""PDF files through PyMuPDF: opening them safely, text layers as Pages, page images for OCR."""

from __future__ import annotations

from typing import Any

import pymupdf
from PIL import Image

from core.documents.assembly import assemble
from core.documents.elements import Page
from core.errors import CorruptDocumentError, EncryptedDocumentError

__all__ = ["PASSWORD_HINT", "open_pdf", "usable_text_layer", "text_page", "render_gray", "safe_dpi"]

PASSWORD_HINT = "Give its password: --password in the CLI, the password box in the app."
# MuPDF prints repair notes on stderr; our errors say what matters in one line instead.
pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)


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
