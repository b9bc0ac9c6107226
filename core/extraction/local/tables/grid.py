"""The table reader's view of a page: the engine's layout rows (``core.extraction.local.layout``) without text
running up the margin and blank words, each split into cells at narrower gaps than the layout's segments
(a table sets its columns closer together than a label and its value).

The rows and cells are the layout's own ``Row`` and ``Segment``: the page is grouped into rows once per
document, for the label reader and the table reader alike.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable

from core.documents import Page, Word
from core.extraction.citations import union_bbox
from core.extraction.local.layout import DEFAULT_LINE_HEIGHT, PageLayout, Row, Segment, make_segment

__all__ = ["CELL_GAP", "table_rows", "cells", "keep_words", "row_words", "words_text"]

CELL_GAP = 0.6
"""Words further apart than this many text heights are in different cells: a space is about a third of the
height, the gap between two columns of a table about one height or more."""
# Text running up the margin: words at least ``_NARROW`` times taller than wide (and ``_MARGIN_STACK`` or more
# of them stacked at one x), or taller than ``_TALL`` typical word heights; they would glue unrelated rows
# together.
_NARROW = 1.2
_TALL = 1.8
_MARGIN_STACK = 3
_MARGIN_WORD_CHARS = 3
"""Only words of at least this many characters count as narrow (a digit or "I" is narrow anyway)."""
_STACK_EDGE = 2
"""PDF points by which the edges of words stacked at one x may differ."""


def _margin_text(page: Page) -> set[int]:
    """Words of text running up the margin: tall, narrow boxes stacked at one x, or far taller than the body
    text. A short word in a tall line box ("air") is tall and narrow too, but has no such stack."""
    words = page.words
    heights = sorted(w.bbox[3] - w.bbox[1] for w in words) or [DEFAULT_LINE_HEIGHT]
    typical = heights[len(heights) // 2]
    narrow = [
        i
        for i, w in enumerate(words)
        if len(w.text) >= _MARGIN_WORD_CHARS and w.bbox[3] - w.bbox[1] > _NARROW * (w.bbox[2] - w.bbox[0])
    ]
    vertical = {
        i
        for i in narrow
        if sum(
            abs(words[j].bbox[0] - words[i].bbox[0]) < _STACK_EDGE
            and abs(words[j].bbox[2] - words[i].bbox[2]) < _STACK_EDGE
            for j in narrow
        )
        >= _MARGIN_STACK
    }
    vertical |= {i for i, w in enumerate(words) if w.bbox[3] - w.bbox[1] > max(_TALL * typical, w.bbox[2] - w.bbox[0])}
    return vertical


def cells(page: Page, page_index: int, row: int, words: list[int], height: float | None = None) -> list[Segment]:
    """A row's words (left to right) split where the gap is wider than ``CELL_GAP`` times their median height
    (``height``, when the caller knows it)."""
    if height is None:
        height = (
            statistics.median(page.words[i].bbox[3] - page.words[i].bbox[1] for i in words)
            if words
            else DEFAULT_LINE_HEIGHT
        )
    gap = CELL_GAP * height
    out: list[list[int]] = []
    x1 = 0.0  # right edge of the last cell, kept as we go
    for i in words:
        box = page.words[i].bbox
        if out and box[0] - x1 <= gap:
            out[-1].append(i)
            x1 = max(x1, box[2])
        else:
            out.append([i])
            x1 = box[2]
    return [make_segment(page, page_index, row, k, ws) for k, ws in enumerate(out)]


def _row(page: Page, page_index: int, index: int, words: list[int]) -> Row:
    height = statistics.median(page.words[i].bbox[3] - page.words[i].bbox[1] for i in words)
    bbox = union_bbox(page.words[i].bbox for i in words)
    return Row(page_index, index, words, cells(page, page_index, index, words, height), bbox, height)


def table_rows(pl: PageLayout) -> list[Row]:
    """The page's layout rows for reading tables: without margin text and blank words, split into cells, top to
    bottom (by their top edge)."""
    page = pl.page
    skip = _margin_text(page)
    rows = []
    for r in pl.rows:
        words = [i for i in r.words if i not in skip and page.words[i].text.strip()]
        if len(words) == len(r.words):  # the layout row as it is (same box, same median height), in cells
            rows.append(
                Row(pl.index, r.index, words, cells(page, pl.index, r.index, words, r.height), r.bbox, r.height)
            )
        elif words:
            rows.append(_row(page, pl.index, r.index, words))
    rows.sort(key=lambda r: r.top)
    return rows


def keep_words(page: Page, row: Row, keep: Callable[[Word], bool]) -> Row:
    """The row with only the words ``keep`` accepts (its cells split again), or the row itself when it keeps
    them all; an empty row when it keeps none."""
    words = [i for i in row.words if keep(page.words[i])]
    if len(words) == len(row.words):
        return row
    if not words:
        return Row(row.page, row.index, [], [], row.bbox, 0.0)
    return _row(page, row.page, row.index, words)


def row_words(page: Page, row: Row | Segment) -> list[Word]:
    """The words of a row or cell, left to right."""
    return [page.words[i] for i in row.words]


def words_text(words: list[Word]) -> str:
    """Words joined by single spaces."""
    return " ".join(w.text for w in words)
