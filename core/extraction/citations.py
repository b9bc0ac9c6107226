"""Citations: where on a page a value came from, built from the page's words, lines or a box.

Every engine that can point at words uses these helpers, so polygons are always clockwise from the
top-left corner, in points, inside the page, and the reference text is the words as printed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from core.documents import BBox, Page
from core.results import Citation, PageRef, Point

__all__ = [
    "union_bbox",
    "bbox_polygon",
    "citation_from_bbox",
    "citation_from_words",
    "citations_from_words",
    "citation_from_line",
    "words_confidence",
]


def union_bbox(boxes: Iterable[BBox]) -> BBox:
    """The smallest box holding all ``boxes``.

    >>> union_bbox([(0, 0, 1, 1), (2, 3, 4, 5)])
    (0, 0, 4, 5)
    """
    xs0, ys0, xs1, ys1 = zip(*boxes, strict=False)
    return (min(xs0), min(ys0), max(xs1), max(ys1))


def _clamp(bbox: BBox, page: Page) -> BBox:
    x0, y0, x1, y1 = bbox
    w, h = page.width, page.height
    return (min(max(x0, 0.0), w), min(max(y0, 0.0), h), min(max(x1, 0.0), w), min(max(y1, 0.0), h))


def bbox_polygon(bbox: BBox) -> list[Point]:
    """The four corners of a box, clockwise from the top-left.

    >>> [(p.x, p.y) for p in bbox_polygon((1, 2, 3, 4))]
    [(1.0, 2.0), (3.0, 2.0), (3.0, 4.0), (1.0, 4.0)]
    """
    x0, y0, x1, y1 = bbox
    return [Point(x=x0, y=y0), Point(x=x1, y=y0), Point(x=x1, y=y1), Point(x=x0, y=y1)]


def citation_from_bbox(page: Page, bbox: BBox, text: str | None) -> Citation:
    """A citation of a box on a page (clamped to the page).

    Args:
        page: The page the box is on.
        bbox: ``(x0, y0, x1, y1)`` in points, top-left origin.
        text: The text printed there.

    Returns:
        The citation.
    """
    return Citation(
        page=PageRef(number=page.number, width=page.width, height=page.height),
        polygon=bbox_polygon(_clamp(bbox, page)),
        reference_text=text,
    )


def citation_from_words(page: Page, words: Sequence[int]) -> Citation:
    """One citation covering the given words of a page (indexes into ``page.words``), text in reading order.

    Args:
        page: The page.
        words: Word indexes; at least one.

    Returns:
        The citation whose polygon is the words' union box and whose text is the words joined by spaces.
    """
    if not words:
        raise ValueError("a citation needs at least one word")
    chosen = [page.words[i] for i in words]
    return citation_from_bbox(page, union_bbox(w.bbox for w in chosen), " ".join(w.text for w in chosen))


def citations_from_words(page: Page, words: Sequence[int]) -> list[Citation]:
    """One citation per printed line among the given words (a value spanning lines gets one box per line).

    Args:
        page: The page.
        words: Word indexes in reading order.

    Returns:
        The citations, top to bottom.
    """
    groups: list[list[int]] = []
    for i in words:
        word = page.words[i]
        mid = (word.bbox[1] + word.bbox[3]) / 2
        if groups:
            last = page.words[groups[-1][-1]]
            if last.bbox[1] <= mid <= last.bbox[3]:
                groups[-1].append(i)
                continue
        groups.append([i])
    return [citation_from_words(page, g) for g in groups]


def citation_from_line(page: Page, line: int) -> Citation:
    """A citation of one of the page's lines (index into ``page.lines``)."""
    ln = page.lines[line]
    return citation_from_bbox(page, ln.bbox, ln.text)


def words_confidence(page: Page, words: Sequence[int]) -> float | None:
    """The mean recognition confidence of the given words (None when none has one).

    >>> from core.documents import Word
    >>> p = Page(number=1, width=10, height=10, source="ocr",
    ...          words=[Word(text="a", bbox=(0, 0, 1, 1), confidence=0.5), Word(text="b", bbox=(0, 0, 1, 1))])
    >>> words_confidence(p, [0, 1])
    0.5
    """
    values = [c for c in (page.words[i].confidence for i in words) if c is not None]
    return sum(values) / len(values) if values else None
