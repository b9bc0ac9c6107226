"""Image files (PNG, JPEG, TIFF) through Pillow: opened lazily, checked against the pixel limit, upright."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps

from core.config import Settings
from core.errors import CorruptDocumentError, DocumentError, ImageTooLargeError

__all__ = ["open_image", "check_pixels", "image_frame", "image_dpi"]


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
