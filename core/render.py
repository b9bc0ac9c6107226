"""Drawing on page images: word boxes on the Documents page, citation highlights on the Extract page."""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, ImageDraw

from core.documents import BBox, Document, render_page

__all__ = ["draw_boxes", "highlight"]

Color = tuple[int, int, int]


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


def highlight(
    document: Document,
    page_number: int,
    boxes: Sequence[BBox],
    dpi: int = 110,
    color: Color = (255, 200, 0),
) -> bytes:
    """A page image (PNG) with boxes highlighted, e.g. the citations of an extracted value.

    Args:
        document: a loaded document.
        page_number: 1-based page number.
        boxes: boxes in points on that page (``Word.bbox``, a citation polygon's bounding box).
        dpi: resolution of the image.
        color: RGB highlight colour.

    Returns:
        PNG bytes.
    """
    page = document.pages[page_number - 1] if 1 <= page_number <= len(document.pages) else None
    png = render_page(document, page_number, dpi)
    if page is None:  # pragma: no cover - render_page raised already
        return png
    return draw_boxes(png, boxes, (page.width, page.height), color=color, fill=70)
