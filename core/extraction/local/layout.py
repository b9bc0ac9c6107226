"""The page geometry the local engine reasons over: visual rows of words, split into segments (cells).

A loader's lines follow the PDF's text blocks, so one printed row can be several lines (a label in one block,
its value in another). The engine therefore rebuilds rows from word boxes: words whose vertical centres fall
within one another's height form a row; a horizontal gap wider than about a character height splits a row
into segments, which behave like table cells. Built once per document and cached; the label reader and the
table reader (``tables.grid``) read the same rows.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from itertools import accumulate

from core.documents import BBox, Document, Page, Word
from core.extraction.citations import union_bbox

__all__ = ["Segment", "Row", "PageLayout", "DocumentLayout", "build_layout", "make_segment", "word_key"]

_NON_ALNUM = re.compile(r"[\W_]+", re.UNICODE)

# Distances are PDF points unless named as a multiple of a word's height (h) or a share of the page.
EDGE_TOLERANCE = 0.5
"""PDF points by which a word box may cross an edge and still be on its side of it (boxes of adjacent words
touch or overlap by rounding): "right of a label", "left of a value"."""
DEFAULT_LINE_HEIGHT = 10.0
"""PDF points taken as the line height of a page without words (a 10-point font, common body text)."""
ROW_LOOKBACK = 4
"""A word is compared with the last three rows only (exclusive bound): rows are built top-down, so the rows
before those are above it."""
ROW_CENTRE_TOLERANCE = 0.35
"""A word joins a row when its vertical centre is within this share of the smaller height of the row's."""
ROW_CENTRE_SLACK = 0.5
"""PDF points added to that tolerance (tiny words: punctuation, superscripts)."""
ROW_GROW_LIMIT = 0.5
"""A word widens a row's vertical span only when its height differs from the row's by less than this share
(a large initial or a logo letter does not pull the row down)."""
CHAIN_BACKTRACK = 0.3
"""On a tilted page, a word continues a row whose last word ends at most this many word heights right of its
start (overlapping boxes)."""
CHAIN_REACH = 0.35
"""... and starts at most this share of the page width right of that word (further is another column)."""
CHAIN_MIN_OVERLAP = 0.45
"""... and overlaps it vertically by more than this share of the smaller height."""
# A row splits into segments at a gap wider than the smaller of: about a line height (``SPLIT_HEIGHTS`` times
# the words' height, at least ``SPLIT_BODY_HEIGHTS`` body heights) and about two characters (``SPLIT_CHARS``
# character widths, at least ``SPLIT_MIN_HEIGHTS`` word heights). A space is about a third of a character.
SPLIT_HEIGHTS = 1.1
SPLIT_BODY_HEIGHTS = 0.9
SPLIT_CHARS = 2.2
SPLIT_MIN_HEIGHTS = 0.45


def word_key(text: str) -> str:
    """A word reduced for label matching: casefolded letters and digits only.

    >>> word_key("USt.-Id.-Nr.:")
    'ustidnr'
    """
    return _NON_ALNUM.sub("", text.casefold())


@dataclass
class Segment:
    """Consecutive words of a row with no wide gap between them (a cell, a label, a phrase)."""

    page: int
    row: int
    index: int
    words: list[int]
    text: str
    starts: list[int]
    bbox: BBox

    @property
    def x0(self) -> float:
        return self.bbox[0]

    @property
    def x1(self) -> float:
        return self.bbox[2]

    def words_in_span(self, start: int, end: int) -> list[int]:
        """The segment's words overlapping the character span ``[start, end)`` of ``text``."""
        out = []
        for k, s in enumerate(self.starts):
            e = s + len(self.text_of(k))
            if s < end and e > start:
                out.append(self.words[k])
        return out

    def text_of(self, k: int) -> str:
        end = self.starts[k + 1] - 1 if k + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[k] : end]


@dataclass
class Row:
    """Words on one visual line of the page, left to right, split into segments."""

    page: int
    index: int
    words: list[int]
    segments: list[Segment]
    bbox: BBox
    height: float

    @property
    def text(self) -> str:
        return "  ".join(s.text for s in self.segments)

    @property
    def top(self) -> float:
        return self.bbox[1]

    @property
    def bottom(self) -> float:
        return self.bbox[3]


@dataclass
class PageLayout:
    """One page's rows, plus where each word sits."""

    page: Page
    index: int
    rows: list[Row]
    word_row: list[int]
    word_segment: list[tuple[int, int]]
    keys: list[str]
    body_height: float

    @property
    def width(self) -> float:
        return self.page.width

    @property
    def height(self) -> float:
        return self.page.height


@dataclass
class DocumentLayout:
    """All pages' layouts of one document."""

    document: Document
    pages: list[PageLayout] = field(default_factory=list)


def _rows_of(page: Page) -> list[list[int]]:
    order = sorted(range(len(page.words)), key=lambda i: (page.words[i].bbox[1] + page.words[i].bbox[3]) / 2)
    rows: list[list[int]] = []
    spans: list[tuple[float, float]] = []
    for i in order:
        x0, y0, x1, y1 = page.words[i].bbox
        mid = (y0 + y1) / 2
        h = max(y1 - y0, 1.0)
        placed = False
        # Look back over the last few rows only: rows are built top-down.
        for r in range(len(rows) - 1, max(len(rows) - ROW_LOOKBACK, -1), -1):
            ry0, ry1 = spans[r]
            rmid, rh = (ry0 + ry1) / 2, ry1 - ry0
            if abs(mid - rmid) <= ROW_CENTRE_TOLERANCE * min(h, rh) + ROW_CENTRE_SLACK:
                rows[r].append(i)
                spans[r] = (min(ry0, y0), max(ry1, y1)) if abs(h - rh) < ROW_GROW_LIMIT * rh else spans[r]
                placed = True
                break
        if not placed:
            rows.append([i])
            spans.append((y0, y1))
    return rows


def _char_width(word: Word) -> float:
    return (word.bbox[2] - word.bbox[0]) / max(len(word.text), 1)


def _rows_chained(page: Page) -> list[list[int]]:
    """Rows of a scanned or photographed page, which may be tilted: a word continues the row whose last word
    ends just left of it and overlaps it vertically, so a slanted line stays one row."""
    words = page.words
    order = sorted(range(len(words)), key=lambda i: words[i].bbox[0])
    rows: list[list[int]] = []
    for i in order:
        x0, y0, x1, y1 = words[i].bbox
        h = max(y1 - y0, 1.0)
        best, best_overlap = -1, 0.0
        for r, row in enumerate(rows):
            _, ly0, lx1, ly1 = words[row[-1]].bbox
            if lx1 > x0 + CHAIN_BACKTRACK * h or x0 - lx1 > CHAIN_REACH * page.width:
                continue
            overlap = (min(y1, ly1) - max(y0, ly0)) / min(h, max(ly1 - ly0, 1.0))
            if overlap > CHAIN_MIN_OVERLAP and overlap > best_overlap:
                best, best_overlap = r, overlap
        if best >= 0:
            rows[best].append(i)
        else:
            rows.append([i])
    rows.sort(key=lambda row: sum((words[i].bbox[1] + words[i].bbox[3]) / 2 for i in row) / len(row))
    return rows


def _page_layout(page: Page, index: int) -> PageLayout:
    words = page.words
    heights = [w.bbox[3] - w.bbox[1] for w in words if w.text.strip()]
    body = statistics.median(heights) if heights else DEFAULT_LINE_HEIGHT
    rows: list[Row] = []
    word_row = [0] * len(words)
    word_segment = [(0, 0)] * len(words)
    # Each word's height and character width, computed once (the loops below compare neighbours).
    height = [w.bbox[3] - w.bbox[1] for w in words]
    char_width = [_char_width(w) for w in words]
    for ws in _rows_chained(page) if page.source == "ocr" else _rows_of(page):
        ws.sort(key=lambda i: words[i].bbox[0])
        r = len(rows)
        segs: list[list[int]] = [[ws[0]]]
        # OCR boxes hug the glyphs ("a" is shorter than "A"): scanned rows use their tallest word as the size.
        row_h = max(height[i] for i in ws) if page.source == "ocr" else 0.0
        for prev, cur in zip(ws, ws[1:], strict=False):
            gap = words[cur].bbox[0] - words[prev].bbox[2]
            h = min(height[cur], height[prev])
            # A space is about a third of a character: a gap of two characters or a line height splits.
            char = min(char_width[prev], char_width[cur])
            if gap > min(
                max(SPLIT_HEIGHTS * max(h, row_h), SPLIT_BODY_HEIGHTS * body),
                max(SPLIT_CHARS * char, SPLIT_MIN_HEIGHTS * h),
            ):
                segs.append([cur])
            else:
                segs[-1].append(cur)
        segments = [make_segment(page, index, r, k, sw) for k, sw in enumerate(segs)]
        for k, sw in enumerate(segs):
            for i in sw:
                word_segment[i] = (r, k)
        for i in ws:
            word_row[i] = r
        bbox = union_bbox(words[i].bbox for i in ws)
        rows.append(
            Row(
                index,
                r,
                ws,
                segments,
                bbox,
                statistics.median(height[i] for i in ws),
            )
        )
    return PageLayout(page, index, rows, word_row, word_segment, [word_key(w.text) for w in words], body)


def make_segment(page: Page, page_index: int, row: int, index: int, words: list[int]) -> Segment:
    """The segment of a page's words ``words`` (left to right): their text, where each word starts, their box."""
    texts = [page.words[i].text for i in words]
    starts = list(accumulate((len(t) + 1 for t in texts[:-1]), initial=0))
    return Segment(
        page_index, row, index, words, " ".join(texts), starts, union_bbox(page.words[i].bbox for i in words)
    )


def build_layout(document: Document) -> DocumentLayout:
    """The rows and segments of every page of a document.

    Args:
        document: A loaded document.

    Returns:
        Its layout, rows top to bottom, segments left to right.
    """
    return DocumentLayout(document, [_page_layout(p, i) for i, p in enumerate(document.pages)])
