"""Page images: pages of a loaded document rendered (cached), word boxes and citations drawn on them.

``render_page`` and ``page_image`` give plain page images; ``highlight`` draws words or citations on a page.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache

from PIL import Image, ImageDraw

from core.config import get_settings
from core.documents.elements import BBox, Document, Page
from core.documents.image import image_dpi, image_frame, open_image
from core.documents.pdf import open_pdf, safe_dpi
from core.errors import DocumentError, NotFoundError

__all__ = ["JPEG_QUALITY", "render_page", "render_jpeg", "page_image", "draw_boxes", "highlight", "zoom_window"]

Color = tuple[int, int, int]

JPEG_QUALITY = 85
"""JPEG quality of page images sent to a browser canvas: print stays legible at a tenth of the PNG's bytes."""


def draw_boxes(
    png: bytes,
    boxes: Sequence[BBox],
    page_size: tuple[float, float],
    color: Color = (255, 140, 0),
    fill: int = 50,
) -> bytes:
    """Draw boxes given in points onto a page image.

    Args:
        png: the page image (PNG bytes, e.g. from ``render_page``).
        boxes: ``(x0, y0, x1, y1)`` in points, top-left origin.
        page_size: the page's (width, height) in points, to scale points to pixels.
        color: RGB outline colour; the inside is filled with it at ``fill`` (0-255) opacity.
        fill: opacity of the fill, 0 for outlines only.

    Returns:
        PNG bytes of the image with the boxes drawn.

    >>> import io
    >>> blank = io.BytesIO(); Image.new("RGB", (200, 100), "white").save(blank, format="PNG")
    >>> out = Image.open(io.BytesIO(draw_boxes(blank.getvalue(), [(10, 10, 50, 30)], (100, 50), fill=0)))
    >>> out.getpixel((50, 40)), out.getpixel((150, 80))  # inside (no fill), outside
    ((255, 255, 255), (255, 255, 255))
    >>> out.getpixel((20, 40))  # on the outline
    (255, 140, 0)
    """
    base = Image.open(io.BytesIO(png)).convert("RGBA")
    overlay = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    sx = base.width / page_size[0] if page_size[0] else 1.0
    sy = base.height / page_size[1] if page_size[1] else 1.0
    width = max(1, round(base.width / 600))
    for x0, y0, x1, y1 in boxes:
        rect = (round(x0 * sx), round(y0 * sy), round(x1 * sx), round(y1 * sy))
        draw.rectangle(rect, fill=(*color, fill) if fill else None, outline=(*color, 255), width=width)
    out = io.BytesIO()
    Image.alpha_composite(base, overlay).convert("RGB").save(out, format="PNG", compress_level=1)
    return out.getvalue()


def zoom_window(page_size: tuple[float, float], boxes: Sequence[BBox], zoom: float) -> BBox:
    """The part of a page a viewer shows at ``zoom``: the whole page at 1, else ``1/zoom`` of its width and
    height, centred on the boxes (or on the page without boxes) and kept inside the page. In points.

    >>> zoom_window((600, 800), [(500, 700, 560, 720)], 2.0)
    (300.0, 400.0, 600.0, 800.0)
    >>> zoom_window((600, 800), [], 1.0)
    (0.0, 0.0, 600.0, 800.0)
    """
    width, height = page_size
    if zoom <= 1:
        return (0.0, 0.0, float(width), float(height))
    if boxes:
        cx = (min(b[0] for b in boxes) + max(b[2] for b in boxes)) / 2
        cy = (min(b[1] for b in boxes) + max(b[3] for b in boxes)) / 2
    else:
        cx, cy = width / 2, height / 2
    w, h = width / zoom, height / zoom
    x0 = min(max(cx - w / 2, 0.0), width - w)
    y0 = min(max(cy - h / 2, 0.0), height - h)
    return (float(x0), float(y0), float(x0 + w), float(y0 + h))


def highlight(
    document: Document,
    page_number: int,
    boxes: Sequence[BBox],
    dpi: int = 110,
    color: Color = (255, 200, 0),
    window: BBox | None = None,
) -> bytes:
    """A page image (PNG) with boxes highlighted, e.g. the citations of an extracted value.

    Args:
        document: a loaded document.
        page_number: 1-based page number.
        boxes: boxes in points on that page (``Word.bbox``, a citation polygon's bounding box).
        dpi: resolution of the image.
        color: RGB highlight colour.
        window: only this part of the page, in points (see ``zoom_window``); default the whole page.

    Returns:
        PNG bytes. The boxes are drawn at the image's resolution, so they sit on their words at any ``dpi``.

    Raises:
        NotFoundError: no such page.
    """
    page = _page(document, page_number)
    png = draw_boxes(render_page(document, page_number, dpi), boxes, (page.width, page.height), color=color, fill=70)
    if window is None:
        return png
    image = Image.open(io.BytesIO(png))
    scale = image.width / page.width
    x0, y0, x1, y1 = (round(v * scale) for v in window)
    out = io.BytesIO()
    image.crop((x0, y0, x1, y1)).save(out, format="PNG", compress_level=1)
    return out.getvalue()


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
        pdf = open_pdf(source.data, source.password, "document")
        pdf_page = pdf.load_page(index)
        dpi = safe_dpi(pdf_page.rect.width, pdf_page.rect.height, dpi, settings.max_image_pixels)
        pix = pdf_page.get_pixmap(dpi=dpi, alpha=False)
        return Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
    handle = open_image(source.data, "document", settings)
    frame = image_frame(handle, index, "document", settings)
    dx, dy = image_dpi(handle)
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
        image = image.crop((round(crop[0] * sx), round(crop[1] * sy), round(crop[2] * sx), round(crop[3] * sy)))
        if rotation:  # a document that lay askew: turned upright as it was for OCR (core.cropping.deskew)
            from core.documents.cropping import deskew  # OpenCV only when a turned page is shown

            image = deskew(image, rotation, (round(size[0] * sx), round(size[1] * sy)))
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)  # speed over size: this is a cache, not an archive
    return out.getvalue()


@lru_cache(maxsize=256)
def _points(source: _Source, index: int) -> tuple[float, float]:
    """The size in points of source page ``index``."""
    settings = get_settings()
    if source.kind == "pdf":
        rect = open_pdf(source.data, source.password, "document").load_page(index).rect
        return rect.width, rect.height
    handle = open_image(source.data, "document", settings)
    frame = image_frame(handle, index, "document", settings)
    dx, dy = image_dpi(handle)
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

    >>> import io, pymupdf
    >>> from core.documents import load_document
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


def render_jpeg(document: Document, number: int, dpi: int = 150, quality: int = JPEG_QUALITY) -> bytes:
    """The image of a page as JPEG bytes (what a drawing canvas in a browser is given: small, no alpha).

    >>> import io, pymupdf
    >>> from core.documents import load_document
    >>> pdf = pymupdf.open(); _ = pdf.new_page(width=144, height=72)
    >>> Image.open(io.BytesIO(render_jpeg(load_document(pdf.tobytes()), 1, dpi=72))).format
    'JPEG'
    """
    out = io.BytesIO()
    page_image(document, number, dpi).save(out, format="JPEG", quality=quality)
    return out.getvalue()
