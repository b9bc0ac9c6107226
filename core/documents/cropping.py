"""Find the document(s) on a photographed or scanned page image and crop the background away.

The method (OpenCV): the page is shrunk to about 1000 pixels, blurred, and split into bright and dark with
Otsu's threshold; paper is assumed brighter than what it lies on (a desk, a scanner lid left open, a dark
cloth). Closing fills the text on the paper, opening removes background texture; every external contour
that is large enough (``MIN_AREA`` of the page) and roughly rectangular (``MIN_RECTANGULARITY``) is a
document. Several documents on one page come back one region each, ordered top to bottom, then left to right.
A page that is all paper (an ordinary scan), or white paper on a white background, comes back whole. A
document lying askew (1 to 30 degrees) is turned upright (``deskew``), to the nearest degree.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

__all__ = [
    "CropRegion",
    "MIN_AREA",
    "MIN_RECTANGULARITY",
    "MIN_SKEW",
    "MAX_SKEW",
    "find_documents",
    "crop_documents",
    "deskew",
]

MIN_AREA = 0.02
"""Smallest document, as a fraction of the page area."""
MIN_RECTANGULARITY = 0.75
"""Smallest ratio of a region's area to the area of its rotated bounding rectangle."""
MIN_SKEW = 1
"""Documents turned by fewer degrees are left as they are (Tesseract copes with a slight skew)."""
MAX_SKEW = 30
"""Documents turned by more degrees are left as they are (the angle is more likely a misreading)."""
_WHOLE_PAGE = 0.92
_ANALYSIS_SIZE = 1000


@dataclass(frozen=True)
class CropRegion:
    """A document found on a page: its box ``(x0, y0, x1, y1)`` in pixels of the page image.

    A document lying askew (turned by ``MIN_SKEW`` to ``MAX_SKEW`` degrees) has ``angle`` set: turning the
    box's image by ``angle`` degrees counter-clockwise (``PIL.Image.rotate``) makes it upright, and ``size``
    is then the upright document's (width, height) in pixels, centred in the turned image.
    """

    box: tuple[int, int, int, int]
    angle: int = 0
    size: tuple[int, int] | None = None

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]


def _reading_order(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Rows top to bottom (a box joins a row when it starts above the row's lowest top edge's box bottom)."""
    rows: list[list[tuple[int, int, int, int]]] = []
    for box in sorted(boxes, key=lambda b: b[1]):
        if rows and box[1] < min(b[3] for b in rows[-1]):
            rows[-1].append(box)
        else:
            rows.append([box])
    return [box for row in rows for box in sorted(row, key=lambda b: b[0])]


def find_documents(image: Image.Image) -> list[CropRegion]:
    """The document regions on a page image, in reading order.

    Args:
        image: the page (photo or scan), any mode.

    Returns:
        One CropRegion per document found; a single region covering the whole image when the page has no
        background to remove (or none could be told apart from the paper).

    >>> page = Image.new("L", (400, 300), 40)
    >>> page.paste(255, (50, 40, 250, 260))
    >>> [r.box for r in find_documents(page)]
    [(50, 40, 250, 260)]
    """
    whole = [CropRegion((0, 0, image.width, image.height))]
    gray = np.asarray(image if image.mode == "L" else image.convert("L"))
    height, width = gray.shape
    scale = min(1.0, _ANALYSIS_SIZE / max(height, width))
    small = cv2.resize(
        gray, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA
    )
    blurred = cv2.GaussianBlur(small, (5, 5), 0)
    threshold, mask = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Paper must stand out from the background; a low-contrast split is noise, not a document edge.
    bright = blurred[mask > 0]
    dark = blurred[mask == 0]
    if bright.size == 0 or dark.size == 0 or float(bright.mean()) - float(dark.mean()) < 40:
        return whole
    side = max(3, round(min(small.shape) * 0.02)) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (side, side))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    area = float(small.shape[0] * small.shape[1])
    boxes: list[tuple[int, int, int, int]] = []
    skews: dict[tuple[int, int, int, int], tuple[int, tuple[int, int]]] = {}
    for contour in contours:
        contour_area = cv2.contourArea(contour)
        if contour_area < MIN_AREA * area:
            continue
        (_, _), (rw, rh), angle = cv2.minAreaRect(contour)
        if rw * rh <= 0 or contour_area / (rw * rh) < MIN_RECTANGULARITY:
            continue
        # OpenCV versions report the angle in [-90, 0) or (0, 90]: bring it into (-45, 45].
        while angle > 45:
            angle, rw, rh = angle - 90, rh, rw
        while angle <= -45:
            angle, rw, rh = angle + 90, rh, rw
        x, y, w, h = cv2.boundingRect(contour)
        box = (
            max(0, int(x / scale)),
            max(0, int(y / scale)),
            min(width, int(np.ceil((x + w) / scale))),
            min(height, int(np.ceil((y + h) / scale))),
        )
        boxes.append(box)
        if MIN_SKEW <= abs(round(angle)) <= MAX_SKEW:
            # A few pixels in from the edge: the shrunken mask's rounding would leave slivers of table.
            skews[box] = (round(angle), (round(rw / scale) - 6, round(rh / scale) - 6))
    if not boxes:
        return whole
    if len(boxes) == 1 and (boxes[0][2] - boxes[0][0]) * (boxes[0][3] - boxes[0][1]) >= _WHOLE_PAGE * width * height:
        return whole
    regions = []
    for box in _reading_order(boxes):
        angle, size = skews.get(box, (0, None))
        regions.append(CropRegion(box, angle, size))
    return regions


def deskew(image: Image.Image, angle: int, size: tuple[int, int]) -> Image.Image:
    """Turn ``image`` by ``angle`` degrees counter-clockwise and keep the centred ``size`` (the document).

    >>> deskew(Image.new("L", (100, 80), 255), 10, (90, 60)).size
    (90, 60)
    """
    fill = 255 if image.mode == "L" else (255,) * len(image.getbands())
    turned = image.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC, fillcolor=fill)
    w, h = min(size[0], turned.width), min(size[1], turned.height)
    x0, y0 = (turned.width - w) // 2, (turned.height - h) // 2
    return turned.crop((x0, y0, x0 + w, y0 + h))


def crop_documents(image: Image.Image) -> list[tuple[CropRegion, Image.Image]]:
    """Each document on the page with its cropped image (see ``find_documents``).

    >>> page = Image.new("L", (400, 300), 40)
    >>> page.paste(255, (20, 20, 180, 280)); page.paste(255, (220, 20, 380, 280))
    >>> [(r.box, im.size) for r, im in crop_documents(page)]
    [((20, 20, 180, 280), (160, 260)), ((220, 20, 380, 280), (160, 260))]
    """
    regions = find_documents(image)
    if len(regions) == 1 and regions[0].box == (0, 0, image.width, image.height):
        return [(regions[0], image)]
    out = []
    for region in regions:
        part = image.crop(region.box)
        if region.angle and region.size:
            part = deskew(part, region.angle, region.size)
        out.append((region, part))
    return out
