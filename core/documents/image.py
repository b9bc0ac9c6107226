"""Image files (PNG, JPEG, TIFF) through Pillow: opened lazily, checked against the pixel and memory limits and
for data too short for the size they claim, upright.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps

from core.config import Settings
from core.errors import CorruptDocumentError, DocumentError, ImageTooLargeError

__all__ = [
    "MAX_PIXELS_PER_BYTE",
    "PAGE_COPIES",
    "open_image",
    "check_pixels",
    "page_megabytes",
    "image_frame",
    "image_dpi",
]

MAX_PIXELS_PER_BYTE: dict[str, float] = {
    # A JPEG of a blank page holds 64-85 pixels a byte (baseline coding); progressive or arithmetic coding
    # packs a few times more. Beyond 5,000 the file is cut off or its header lies (a 600-byte "13000 x 13000").
    "JPEG": 5000.0,
    # Deflate never compresses more than 1032:1, and a PNG pixel has at least one bit: 1032 x 8 a byte at most.
    "PNG": 1032.0 * 8,
}
"""The most pixels one byte of an image file can stand for, by format; more means damaged data. TIFF is not
bounded: fax compression of a blank page legitimately packs tens of thousands of pixels a byte."""

PAGE_COPIES = 2
"""Decoded copies of a page held at once while it is read (the frame and its upright copy), plus its gray copy."""

# Bytes Pillow keeps per pixel of a decoded image: 1 for bilevel, gray and palette images, 2 for 16-bit gray,
# else 4 (RGB is stored in four bytes, like RGBA and CMYK).
_BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2}


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
    check_pixels(image, label, settings, compressed=len(data))
    return image


def page_megabytes(image: Image.Image) -> float:
    """The megabytes reading one page of this image takes: its decoded copies and the gray copy for OCR."""
    per_pixel = _BYTES_PER_PIXEL.get(image.mode, 4)
    return image.width * image.height * (per_pixel * PAGE_COPIES + 1) / 1024 / 1024


def check_pixels(image: Image.Image, label: str, settings: Settings, *, compressed: int | None = None) -> None:
    """Refuse the (current frame of the) image before it is decoded: too many pixels, too much memory to read
    (``page_megabytes``), or, given the file's size (``compressed``), too few bytes for the size it claims.

    Raises:
        ImageTooLargeError: over ``settings.max_image_pixels`` or ``settings.max_page_mb``.
        CorruptDocumentError: the data cannot hold that many pixels (``MAX_PIXELS_PER_BYTE``).
    """
    pixels = image.width * image.height
    if pixels > settings.max_image_pixels:
        raise ImageTooLargeError(
            f"the image has {pixels:,} pixels, more than the limit of {settings.max_image_pixels:,}",
            source=label,
            hint="Scale it down, or raise FIELDBENCH_MAX_IMAGE_PIXELS if you trust the file.",
        )
    bound = MAX_PIXELS_PER_BYTE.get(image.format or "")
    if compressed is not None and bound is not None and pixels > bound * max(compressed, 1):
        raise CorruptDocumentError(
            f"the image data is damaged or cut off: {compressed:,} bytes cannot hold "
            f"{image.width:,} x {image.height:,} pixels",
            source=label,
            hint="Export or scan the page again.",
        )
    megabytes = page_megabytes(image)
    if megabytes > settings.max_page_mb:
        raise ImageTooLargeError(
            f"the image is {image.width:,} x {image.height:,} pixels in {image.mode}: reading it takes about "
            f"{megabytes:,.0f} MB, more than the limit of {settings.max_page_mb:,.0f} MB",
            source=label,
            hint="Scale it down, or raise FIELDBENCH_MAX_PAGE_MB if you trust the file and have the memory.",
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
