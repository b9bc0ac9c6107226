"""Boxes drawn on a page become values: the words mostly inside the box, in reading order, typed by the field.

A word belongs to a box when more than half of its area is inside it (``MIN_INSIDE``): a box drawn a little
too tight still takes the word, one that grazes a neighbouring word does not.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from core.documents import BBox, Document, Page
from core.extraction.citations import union_bbox
from core.normalize import parse_typed
from core.schema import Field as SchemaField

__all__ = ["MIN_INSIDE", "BoxValue", "words_in_box", "read_box"]

MIN_INSIDE = 0.5
"""Share of a word's area that must lie inside a drawn box for the word to be part of its value."""


class BoxValue(BaseModel):
    """What a drawn box holds: its words' text as printed, the value in the field's type, the tight box."""

    page: int = Field(description="1-based page number.")
    bbox: BBox = Field(description="The words' box in points (the drawn box when it holds no word).")
    text: str = Field(description="The words inside, joined in reading order.")
    value: object = Field(default=None, description="The text in the field's type; None when it does not parse.")
    words: list[int] = Field(default_factory=list, description="Indexes of the words in Page.words.")


def _inside_share(word: BBox, box: BBox) -> float:
    x0, y0 = max(word[0], box[0]), max(word[1], box[1])
    x1, y1 = min(word[2], box[2]), min(word[3], box[3])
    area = (word[2] - word[0]) * (word[3] - word[1])
    if x1 <= x0 or y1 <= y0 or area <= 0:
        return 0.0
    return (x1 - x0) * (y1 - y0) / area


def words_in_box(page: Page, box: BBox, min_inside: float = MIN_INSIDE) -> list[int]:
    """Indexes of the page's words with more than ``min_inside`` of their area in ``box``, in reading order.

    Reading order is the page's line order, words left to right within a line.
    """
    box = (min(box[0], box[2]), min(box[1], box[3]), max(box[0], box[2]), max(box[1], box[3]))
    inside = [i for i, word in enumerate(page.words) if _inside_share(word.bbox, box) > min_inside]
    return sorted(inside, key=lambda i: (page.words[i].line, page.words[i].bbox[0]))


def read_box(document: Document, page_number: int, box: BBox, field: SchemaField) -> BoxValue:
    """The value of a box drawn on a page for a scalar field (a line-item cell is a scalar field too).

    Args:
        document: the loaded document.
        page_number: 1-based page the box is on.
        box: ``(x0, y0, x1, y1)`` in points, top-left origin.
        field: the field the box is for (its type decides how the text is read).

    Returns:
        The words' text, the typed value and the words' box.

    >>> import pymupdf
    >>> from core.documents import load_document
    >>> pdf = pymupdf.open(); pdf.new_page().insert_text((72, 72), "Total 1.234,50 EUR")
    1
    >>> doc = load_document(pdf.tobytes())
    >>> read_box(doc, 1, (100, 55, 200, 80), SchemaField(name="total", type="number")).value
    1234.5
    """
    page = document.pages[page_number - 1]
    indexes = words_in_box(page, box)
    if not indexes:
        return BoxValue(page=page_number, bbox=box, text="", value=None)
    lines: dict[int, list[str]] = {}
    for i in indexes:
        lines.setdefault(page.words[i].line, []).append(page.words[i].text)
    text = " ".join(" ".join(words) for words in lines.values())
    tight = union_bbox([page.words[i].bbox for i in indexes])
    value = parse_typed(text, field.type, field.values)
    return BoxValue(page=page_number, bbox=tight, text=text, value=value, words=indexes)
