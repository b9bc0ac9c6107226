"""Finding item tables on a page: header rows matched to item fields, and their columns.

Works on the page's rows and cells (``tables.grid``: the layout's rows, from words alone, so digital and
scanned pages take the same path). ``tables.extract`` turns the columns found here into items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from dataclasses import field as dc_field

from core.documents import Page, Word
from core.extraction.local.layout import PageLayout, Row
from core.extraction.local.tables.grid import row_words
from core.extraction.local.tables.labels import MATCH_THRESHOLD, NUMERIC_TYPES, LabelMatcher, matcher_for
from core.schema import Field

__all__ = [
    "Column",
    "HeaderBand",
    "find_headers",
    "header_columns",
    "label_row",
    "stackable",
    "column_bounds",
    "split_columns",
]

_DIGIT = re.compile(r"\d")

COLUMN_SLACK = 3
"""PDF points by which text may start or end beyond a column or a split point and still count as inside it
(text set a few points left of its header)."""
RIGHT_START_SLACK = 6
"""PDF points right of a label's left edge up to which text below still starts where it starts (left-aligned)."""
MIN_SPLIT_SUPPORT = 2
"""Rows that must show a gap under a header label before it is split into two columns."""
HEADER_DIGIT_SHARE = 0.15
"""A row with digits in more than this share of its words is not a header (labels carry a "%" at most)."""
MAX_STACKED_LINES = 3
"""Header lines stacked above or below the one that matched, at most, each way."""
BETTER_BAND = 0.05
"""A header band replaces another (of the same row, or overlapping) only when it scores this much more."""
STACK_GAP = 0.8
"""Line heights of gap up to which two header lines of a text layer are one stacked header ..."""
STACK_GAP_OCR = 1.25
"""... and of OCR words, whose boxes hug the glyphs and so leave a wider gap."""
MIN_BOUND_WIDTH = 3
"""PDF points between two labels' centres below which their boundary is the middle of the gap between them."""


@dataclass
class Column:
    """One header column: its label, x-range, and the item field it was matched to (if any)."""

    label: str
    x0: float
    x1: float
    field: str | None = None
    score: float = 0.0
    concept: str | None = None
    words: list[Word] = dc_field(default_factory=list)


@dataclass
class HeaderBand:
    """A table header: the rows it spans, its columns, and how well it matched the item fields."""

    page: int
    top: float
    bottom: float
    columns: list[Column]
    score: float
    label: str
    bounds: list[float] = dc_field(default_factory=list)

    @property
    def x0(self) -> float:
        return min(c.x0 for c in self.columns)

    @property
    def x1(self) -> float:
        return max(c.x1 for c in self.columns)


def header_columns(page: Page, band: list[Row]) -> list[Column]:
    """The columns of a header band: its rows' cells, merged where their x-ranges overlap."""
    # Cells of the band's rows merge into one column when their x-ranges overlap (stacked header text).
    cols: list[tuple[float, float, list[tuple[float, str]], list[Word]]] = []
    for row in band:
        for seg in row.segments:
            hit = [i for i, (x0, x1, _, _) in enumerate(cols) if seg.x0 < x1 - 1 and seg.x1 > x0 + 1]
            x0 = min([seg.x0] + [cols[i][0] for i in hit])
            x1 = max([seg.x1] + [cols[i][1] for i in hit])
            parts = [p for i in hit for p in cols[i][2]] + [(row.top, seg.text)]
            words = [w for i in hit for w in cols[i][3]] + row_words(page, seg)
            for i in sorted(hit, reverse=True):
                cols.pop(i)
            cols.append((x0, x1, parts, words))
    cols.sort(key=lambda c: c[0])
    return [Column(" ".join(t for _, t in sorted(p)), x0, x1, words=w) for x0, x1, p, w in cols]


def _split_points(col: Column, body: list[Row]) -> list[float]:
    """Gaps between the words of one header line where the rows below show two columns, not one."""
    points: list[float] = []
    lines: list[list[Word]] = []
    for w in sorted(col.words, key=lambda w: (w.bbox[1] + w.bbox[3]) / 2):
        if lines and abs(sum(lines[-1][0].bbox[1::2]) / 2 - sum(w.bbox[1::2]) / 2) < 2:
            lines[-1].append(w)
        else:
            lines.append([w])
    pairs = [
        (a, b)
        for line in lines
        for a, b in zip(sorted(line, key=lambda w: w.bbox[0]), sorted(line, key=lambda w: w.bbox[0])[1:], strict=False)
    ]
    for left, right in pairs:
        if right.bbox[0] <= left.bbox[2]:
            continue
        x = (left.bbox[2] + right.bbox[0]) / 2
        support = against = 0
        for row in body:
            # Currency signs set apart from their amounts ("€      9,90") are not a column of their own.
            segs = [
                g
                for g in row.segments
                if g.x1 > col.x0 - COLUMN_SLACK and g.x0 < col.x1 + COLUMN_SLACK and any(c.isalnum() for c in g.text)
            ]
            # Text starting a few points left of its header still counts as starting at it.
            if any(g.x0 < x - COLUMN_SLACK and g.x1 > x + COLUMN_SLACK for g in segs):
                against += 1
                continue
            left_of = [g for g in segs if g.x1 <= x + COLUMN_SLACK]
            right_of = [g for g in segs if g.x0 >= x - COLUMN_SLACK]
            # Two columns show as text under the left label and text under the right one, or as text that
            # starts where the right label starts (a left-aligned column) beside anything further left.
            under_left = any(g.x0 >= left.bbox[0] - COLUMN_SLACK for g in left_of)
            starts_right = any(g.x0 <= right.bbox[0] + RIGHT_START_SLACK for g in right_of)
            if left_of and right_of and (under_left or starts_right):
                support += 1
        if support >= MIN_SPLIT_SUPPORT and support > against:
            points.append(x)
    return points


def split_columns(band: HeaderBand, body: list[Row], items: list[Field]) -> HeaderBand:
    """Split header columns whose labels sit close together (one space in a monospaced header) where the
    table's rows show a column gap under them, and match the item fields again.

    Args:
        band: a header band from ``find_headers``.
        body: rows below it.
        items: the item fields.
    Returns:
        The band, with more columns when the rows call for it (the same band otherwise).
    """
    columns: list[Column] = []
    changed = False
    for col in band.columns:
        points = _split_points(col, body)
        if not points:
            columns.append(col)
            continue
        changed = True
        edges = [-1e9, *points, 1e9]
        for lo, hi in zip(edges, edges[1:], strict=False):
            part = [w for w in col.words if lo <= (w.bbox[0] + w.bbox[2]) / 2 < hi]
            if part:
                ordered = sorted(part, key=lambda w: (round(w.bbox[1]), w.bbox[0]))
                label = " ".join(w.text for w in ordered)
                x0, x1 = min(w.bbox[0] for w in part), max(w.bbox[2] for w in part)
                columns.append(Column(label, x0, x1, words=part))
    if not changed:
        return band
    for col in columns:
        col.field, col.score = None, 0.0
    score = matcher_for(items).match(columns)
    return replace(band, columns=columns, score=score, label=" ".join(c.label for c in columns), bounds=[])


def find_headers(pl: PageLayout, rows: list[Row], items: list[Field]) -> list[HeaderBand]:
    """Header bands on a page: rows (with stacked neighbours) whose labels match two or more item fields.

    Args:
        pl: the page's layout.
        rows: its rows for reading tables (``grid.table_rows(pl)``).
        items: the item fields of the array.
    Returns:
        Non-overlapping header bands top to bottom, each needing at least one numeric field matched.
    """
    page = pl.page
    numeric = {f.name for f in items if f.type in NUMERIC_TYPES}
    matcher = matcher_for(items)
    bands: list[HeaderBand] = []
    for i, row in enumerate(rows):
        if not label_row(page, row):
            continue
        if not _reads_as_label(page, matcher, row):
            continue
        lo = hi = i
        # Stacked header lines: neighbours that are close and hold no amounts (at most 3 each way).
        while lo > 0 and i - lo < MAX_STACKED_LINES and stackable(page, rows[lo - 1], rows[lo]):
            lo -= 1
        while hi + 1 < len(rows) and hi - i < MAX_STACKED_LINES and stackable(page, rows[hi], rows[hi + 1]):
            hi += 1
        best: HeaderBand | None = None
        for a, b in dict.fromkeys([(lo, hi), (lo, i), (i, hi), (i, i)]):
            cols = header_columns(page, rows[a : b + 1])
            score = matcher.match(cols)
            matched = {c.field for c in cols if c.field}
            if len(matched) < 2 or not matched & numeric:
                continue
            # Prefer the band whose matches are strongest, then the one with fewer spurious rows.
            if best is None or score > best.score + BETTER_BAND:
                label = " ".join(c.label for c in cols)
                best = HeaderBand(page.number, rows[a].top, rows[b].bottom, cols, score, label)
        if best and not any(b.top <= best.bottom and best.top <= b.bottom for b in bands):
            bands.append(best)
        elif best:
            for k, other in enumerate(bands):
                if other.top <= best.bottom and best.top <= other.bottom and best.score > other.score + BETTER_BAND:
                    bands[k] = best
    bands.sort(key=lambda b: b.top)
    return bands


def label_row(page: Page, row: Row) -> bool:
    """Whether a row could be a header line: header labels carry no numbers (a "%" or "[%]" at most)."""
    return sum(_DIGIT.search(page.words[w].text) is not None for w in row.words) <= HEADER_DIGIT_SHARE * len(row.words)


def _reads_as_label(page: Page, matcher: LabelMatcher, row: Row) -> bool:
    """Whether some cell (or word) of the row reads like one of the item fields' labels."""
    for seg in row.segments:
        for text in [seg.text] + ([page.words[w].text for w in seg.words] if len(seg.words) > 1 else []):
            if any(s >= MATCH_THRESHOLD for s in matcher.scores(text)[1].values()):
                return True
    return False


def stackable(page: Page, upper: Row, lower: Row) -> bool:
    """Whether two rows are lines of one stacked header: close together and without digits."""
    # OCR boxes hug the glyphs, so stacked header lines show a wider gap than a text layer's boxes do.
    gap = lower.top - upper.bottom
    h = max(min(upper.bottom - upper.top, lower.bottom - lower.top), 1.0)
    words = row_words(page, upper) + row_words(page, lower)
    ocr = any(w.confidence is not None and w.confidence < 1.0 for w in words)
    if gap > (STACK_GAP_OCR if ocr else STACK_GAP) * h:
        return False
    return not any(_DIGIT.search(w.text) for w in words)


def column_bounds(page: Page, columns: list[Column], rows: list[Row]) -> list[float]:
    """Where one column ends and the next begins, from the whitespace the table's rows leave between them.

    Between the centres of two neighbouring header labels, the x with the fewest rows inked (the middle of the
    widest such run) is the boundary: numbers aligned right under their header and descriptions running past
    theirs are split where the page itself shows a gap.

    Args:
        page: the page.
        columns: header columns, left to right.
        rows: the table's rows below the header.
    Returns:
        ``len(columns) - 1`` boundaries, left to right.
    """
    bounds: list[float] = []
    # Rows of one segment (a wrapped description, a note running across the table) say nothing about columns.
    rows = [r for r in rows if len(r.segments) > 1] or rows
    for left, right in zip(columns, columns[1:], strict=False):
        lo, hi = (left.x0 + left.x1) / 2, (right.x0 + right.x1) / 2
        n = int(hi - lo)
        if n < MIN_BOUND_WIDTH:
            bounds.append((left.x1 + right.x0) / 2)
            continue
        coverage = [0] * n
        for row in rows:
            for w in row_words(page, row):
                a, b = max(int(w.bbox[0] - lo), 0), min(int(w.bbox[2] - lo) + 1, n)
                for k in range(a, b):
                    coverage[k] += 1
        low = min(coverage)
        if max(coverage) == 0:  # no rows to learn from: split in the gap between the labels
            bounds.append((left.x1 + right.x0) / 2)
            continue
        best_start, best_len, start = 0, 0, None
        for k in range(n + 1):
            if k < n and coverage[k] == low:
                start = k if start is None else start
            elif start is not None:
                if k - start > best_len:
                    best_start, best_len = start, k - start
                start = None
        bounds.append(lo + best_start + best_len / 2)
    return bounds
