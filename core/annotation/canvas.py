"""Boxes between page points and a drawing canvas's pixels: what to draw pre-filled, and what the user drew.

Annotations keep their boxes in page points (top-left origin); a canvas shows the page image at ``scale``
pixels per point. ``drawn_boxes`` finds the boxes a canvas returns that were not among those it was given
(new, moved or resized ones), each with the label it carries (the value path it was drawn for).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from core.documents import BBox
from core.store.training_data import AnnotatedValue

__all__ = ["CANVAS_WIDTH", "CanvasBox", "to_canvas", "to_points", "prefilled_boxes", "drawn_boxes", "ROUNDING"]

CANVAS_WIDTH = 760
"""Canvas pixels across a page on the Annotate page: the page fits the right three quarters of the wide layout
on a 1,400-pixel window, and print stays legible (an A4 page at about 90 dpi)."""
ROUNDING = 1
"""Decimals canvas pixels are compared at: a box given and returned unchanged differs by float noise only."""


class CanvasBox(BaseModel):
    """A labelled box in canvas pixels, as ``streamlit-drawable-canvas`` reads and returns them."""

    label: str
    left: float
    top: float
    width: float
    height: float

    def key(self) -> tuple[str, float, float, float, float]:
        """The box compared at ``ROUNDING`` decimals."""
        return (
            self.label,
            round(self.left, ROUNDING),
            round(self.top, ROUNDING),
            round(self.width, ROUNDING),
            round(self.height, ROUNDING),
        )


def to_canvas(label: str, bbox: BBox, scale: float) -> CanvasBox:
    """A box in points as a canvas box at ``scale`` pixels per point.

    >>> to_canvas("total", (10, 20, 50, 30), 2.0)
    CanvasBox(label='total', left=20.0, top=40.0, width=80.0, height=20.0)
    """
    x0, y0, x1, y1 = bbox
    return CanvasBox(label=label, left=x0 * scale, top=y0 * scale, width=(x1 - x0) * scale, height=(y1 - y0) * scale)


def to_points(box: CanvasBox, scale: float) -> BBox:
    """A canvas box back in page points (a box drawn leftwards or upwards comes back normalised).

    >>> to_points(CanvasBox(label="t", left=20, top=40, width=80, height=20), 2.0)
    (10.0, 20.0, 50.0, 30.0)
    """
    x0, y0 = box.left / scale, box.top / scale
    x1, y1 = (box.left + box.width) / scale, (box.top + box.height) / scale
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def prefilled_boxes(values: Iterable[AnnotatedValue], page: int, scale: float) -> list[CanvasBox]:
    """The canvas boxes of the values located on ``page``, labelled with their paths."""
    return [to_canvas(v.path, v.bbox, scale) for v in values if v.page == page and v.bbox is not None]


def drawn_boxes(
    returned: Sequence[Mapping[str, Any]], given: Sequence[CanvasBox], scale: float
) -> list[tuple[str, BBox]]:
    """The boxes the user drew, moved or resized: ``(label, box in points)`` for each returned box not given.

    Args:
        returned: ``CanvasResult.boxes`` (dicts with label, left, top, width, height).
        given: the boxes the canvas was opened with.
        scale: canvas pixels per page point.
    """
    known = {box.key() for box in given}
    out = []
    for raw in returned:
        box = CanvasBox.model_validate(raw)
        if box.key() not in known and box.width and box.height:
            out.append((box.label, to_points(box, scale)))
    return out
