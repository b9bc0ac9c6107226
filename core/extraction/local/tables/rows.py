"""Reading the rows of an item table: cells by column, where an item starts, which lines join it, where the
table ends (a total, a tax line, a wide gap, another table's header).

``tables.extract`` finds the header bands and chooses between column layouts; this module reads one layout.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import lru_cache

from core.documents import Page, Word
from core.extraction.local.layout import DEFAULT_LINE_HEIGHT, EDGE_TOLERANCE, Row
from core.extraction.local.tables.detect import HeaderBand
from core.extraction.local.tables.grid import keep_words, row_words, words_text
from core.extraction.local.tables.labels import NUMERIC_TYPES, normalize_label
from core.schema import Field
from core.vocabulary.summary import CARRY_WORDS, PAGE_LINE, SUMMARY_WORDS, TOTAL_WORD

__all__ = ["RowItem", "ReadTable", "read_table", "is_numeric_cell"]

_DECIMAL = re.compile(r"^[-+(]?[€$£¥]?\d{1,3}(?:[.,' ]?\d{3})*[.,]\d{1,4}\)?[€$£¥%]?$")
# "Bruttopreis : 9,90" or "GTIN: 4012345001235" on a line of its own under an item: a detail, not its name.
_DETAIL = re.compile(r"[^\W\d]\s*:\s*(?:[-+]?[€$£¥]?\s?\d[\d.,' ]*[.,]\d{2,}\b|\d{8,}\s*$)")
_DATE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}")
_NUM = re.compile(r"[-+]?\(?[€$£¥]?\s?[-+]?\d[\d.,' ]*\d|[-+]?\d")

# Distances below a header are multiples of the table's median line height unless said otherwise.
MAX_UNIT_CHARS = 6
"""The longest unit after a number in a numeric cell ("20 Stk", "1,5 Std.", "3 pcs")."""
HEADER_MARGIN = 0.12
"""Share of the page width beyond the header's ends still read as the table (a centred header sits well
inside its column)."""
LINE_HEIGHT_ROWS = 80
"""Rows under the header whose heights give the table's line height (enough for a page of items)."""
MIN_PITCH_STEP = 0.5
"""Steps between rows below this many line heights are not line pitches (two boxes of one line)."""
PITCH_QUANTILE = 4
"""The line pitch is the lower quartile (``1 / PITCH_QUANTILE``) of the steps between rows: the spacing of
wrapped lines, not the gaps between items."""
DEFAULT_PITCH = 1.2
"""Line heights taken as the pitch when there are no steps to measure (single-spaced text)."""
TIGHT_GAP = 0.8
"""A line less than this many line heights below another is the next line of the same item ..."""
TIGHT_PITCH = 1.35
"""... as is one at most this many line pitches below its top."""
WIDE_GAP = 5
"""Line heights of gap after the last item that end the table (a running footer, a note below it)."""
ITEM_WIDE_GAP = 12
"""... and the gap for a row that has the amounts of an item (items may be spaced out)."""


@dataclass
class RowItem:
    """One item as read: its page, its words per item field, all its words, and where its text ends."""

    page: Page
    cells: dict[str, list[Word]] = dc_field(default_factory=dict)
    words: list[Word] = dc_field(default_factory=list)
    last_text_bottom: float = 0.0
    last_text_top: float = 0.0
    rows: int = 0


@lru_cache(maxsize=8192)  # the same cells are read again under each column layout tried
def is_numeric_cell(text: str) -> bool:
    """A cell that is a number, possibly with a sign, currency, percent or a short unit (``20 Stk``)."""
    # A currency code or sign may lead ("EUR 12,50", "Rs 1939", "$ 5").
    t = re.sub(r"^(?:[A-Z][A-Za-z]{1,2}\.?|[€$£¥₹])\s?(?=[-+(]?\d)", "", text.strip())
    if not re.match(r"^[-+(]?[€$£¥]?\s?[-+]?\d", t) or _DATE.search(t) or re.match(r"^\d{9,}", t):
        return False  # not a number, a date, or a long code (GTIN, EAN, account number)
    rest = _NUM.sub("", t, count=1).strip()
    return len(rest) <= MAX_UNIT_CHARS and " " not in rest.strip(" €$£¥%") and not re.search(r"[0-9]", rest)


def _column_of(band: HeaderBand, x: float) -> int:
    return sum(1 for b in band.bounds if b <= x)


def _row_cells(page: Page, row: Row, band: HeaderBand, text_fields: set[str]) -> dict[int, list[Word]]:
    cells: dict[int, list[Word]] = {}
    for seg in row.segments:
        first, last = _column_of(band, seg.x0 + 1), _column_of(band, seg.x1 - 1)
        if first == last:
            cells.setdefault(first, []).extend(row_words(page, seg))
            continue
        # A segment running across a column boundary is split back into words; text that continues a
        # description keeps to its column, since long descriptions run under their neighbours' headers.
        prev: int | None = None
        for w in row_words(page, seg):
            wi = _column_of(band, (w.bbox[0] + w.bbox[2]) / 2)
            if prev is not None and band.columns[prev].field in text_fields and not _DECIMAL.search(w.text):
                wi = prev
            cells.setdefault(wi, []).append(w)
            prev = wi
    return cells


@lru_cache(maxsize=8192)
def _is_summary(text: str) -> bool:
    """A row label such as ``Nettobetrag:``, ``Summe netto``, ``Total HT`` or ``Zwischensumme``."""
    label = normalize_label(text)
    first = label.split(" ", 1)[0] if label else ""
    return (
        first in SUMMARY_WORDS
        or first.endswith(("summe", "total"))
        or any(label.startswith(w + " ") or label == w for w in SUMMARY_WORDS if " " in w)
    )


@lru_cache(maxsize=8192)
def _is_carry(text: str) -> bool:
    """A carried-forward line (``Übertrag``, ``Report``) between the pages of one table."""
    label = normalize_label(text)
    return any(label == w or label.startswith(w + " ") for w in CARRY_WORDS)


@dataclass
class ReadTable:
    """The items read under one header band, and whether a total, a gap or another header ended them."""

    band: HeaderBand
    items: list[RowItem]
    stopped: bool


def read_table(page: Page, rows: list[Row], band: HeaderBand, end: float, fields: list[Field]) -> ReadTable:
    """Read the items under one header band with one column layout.

    Args:
        page: the page.
        rows: its rows for reading tables (``grid.table_rows``), top to bottom.
        band: the header band, its columns matched to item fields and ``bounds`` set between them.
        end: where the region ends (the next header's top, or past the page).
        fields: the item fields.
    Returns:
        The items found and whether something (a total, a wide gap) ended the table before ``end``.
    """
    reader = _Reader(page, rows, band, end, fields)
    for index, row in enumerate(rows):
        if row.top < band.bottom - EDGE_TOLERANCE or row.top >= end:
            continue
        row = keep_words(page, row, lambda w: reader.left <= (w.bbox[0] + w.bbox[2]) / 2 <= reader.right)
        if row.words and reader.read(index, row):
            return ReadTable(band, reader.items, True)
    return ReadTable(band, reader.items, False)


class _Reader:
    """The state of one read down the rows under a header band: the columns, the line height and pitch, the
    items so far and the text lines waiting for the numbers of their item."""

    def __init__(self, page: Page, rows: list[Row], band: HeaderBand, end: float, fields: list[Field]) -> None:
        self.page, self.rows, self.band = page, rows, band
        self.by_name = {f.name: f for f in fields}
        self.col_field = {i: c.field for i, c in enumerate(band.columns) if c.field}
        self.numeric_cols = [i for i, name in self.col_field.items() if self.by_name[name].type in NUMERIC_TYPES]
        self.text_fields = {f.name for f in fields if f.type == "string"}
        self.main_text = next((c.field for c in band.columns if c.field in self.text_fields), None)
        self.need = 2 if len(self.numeric_cols) >= 2 else 1
        self.pos_col = next((i for i, c in enumerate(band.columns) if c.concept == "position" and not c.field), None)
        margin = HEADER_MARGIN * page.width  # a centred header can sit well inside its column
        self.left, self.right = band.x0 - margin, band.x1 + margin
        region = [r for r in rows if band.bottom <= r.top < end][:LINE_HEIGHT_ROWS]
        heights = [r.bottom - r.top for r in region] or [DEFAULT_LINE_HEIGHT]
        self.line_h = statistics.median(heights)
        # Line pitch: OCR boxes hug the glyphs, so the gap between wrapped lines says less than their spacing.
        steps = sorted(
            b.top - a.top
            for a, b in zip(region, region[1:], strict=False)
            if b.top - a.top > MIN_PITCH_STEP * self.line_h
        )
        self.pitch = steps[len(steps) // PITCH_QUANTILE] if steps else DEFAULT_PITCH * self.line_h
        self.items: list[RowItem] = []
        self.pending: list[tuple[Row, list[Word]]] = []
        self.last_bottom = band.bottom

    def tight(self, upper: tuple[float, float], lower: Row) -> bool:
        """Whether ``lower`` is the next line after a line spanning ``upper`` (top, bottom)."""
        return lower.top - upper[1] < TIGHT_GAP * self.line_h or lower.top - upper[0] <= TIGHT_PITCH * self.pitch

    def cells(self, row: Row) -> dict[int, list[Word]]:
        return _row_cells(self.page, row, self.band, self.text_fields)

    def read(self, index: int, row: Row) -> bool:
        """Read one row (``rows[index]`` within the band's columns); True when it ends the table."""
        text = words_text(row_words(self.page, row))
        cells = self.cells(row)
        first_text = " ".join(w.text for w in cells[min(cells)]) if cells else ""
        if PAGE_LINE.search(normalize_label(text)):
            # A running footer far below the last item still closes the table (it does not run on).
            return bool(self.items) and row.top - self.last_bottom > WIDE_GAP * self.line_h
        if _is_carry(text) or _is_carry(first_text):
            return False
        if (
            _is_summary(first_text)
            or (self.main_text and _is_summary(_cell_text(cells, self.band, self.main_text)))
            or TOTAL_WORD.search(normalize_label(text))
        ):
            return bool(self.items)
        numbers = [i for i in self.numeric_cols if i in cells and is_numeric_cell(_text(cells[i]))]
        # A wide gap after the items ends the table (unless another item follows at a plausible distance).
        if (
            self.items
            and row.top - self.last_bottom > (ITEM_WIDE_GAP if len(numbers) >= self.need else WIDE_GAP) * self.line_h
        ):
            return True
        gap_prev = row.top - self.last_bottom
        self.last_bottom = row.bottom
        # A position number ("1", "2." ...) in its own column also starts an item when one amount is missing.
        numbered = self.pos_col is not None and bool(re.fullmatch(r"\d{1,4}\.?", _text(cells.get(self.pos_col, []))))
        named = bool(self.main_text and _cell_text(cells, self.band, self.main_text))
        chained = bool(self.pending) and self.tight((self.pending[-1][0].top, self.pending[-1][0].bottom), row)
        unnamed = self.main_text and not named and not chained and not numbered and len(numbers) >= self.need
        if unnamed and self._nameless(index, row):
            return False
        # A named row with an amount in the rightmost numeric column (the line total) is an item too.
        # Not when it sits tight under an item: then it is more of that item ("Basismenge 1 Stk  100,00").
        totalled = (
            named
            and bool(self.numeric_cols)
            and max(self.numeric_cols) in numbers
            and (not self.items or gap_prev > TIGHT_GAP * self.line_h)
        )
        if len(numbers) >= self.need or (numbers and named and (numbered or totalled)):
            self.items.append(self._item(row, cells, numbers))
            self.pending = []
        else:
            self._more(row, text, cells, gap_prev)
        return False

    def _nameless(self, index: int, row: Row) -> bool:
        """Numbers with no name beside, above or below them (a tax breakdown, a stray detail)."""
        below = self.rows[index + 1] if index + 1 < len(self.rows) else None
        return (
            below is None
            or not self.tight((row.top, row.bottom), below)
            or not _cell_text(self.cells(below), self.band, self.main_text or "")
        )

    def _item(self, row: Row, cells: dict[int, list[Word]], numbers: list[int]) -> RowItem:
        """A new item from a row with its numbers, and the wrapped description lines right above it."""
        item = RowItem(page=self.page)
        for i, ws in cells.items():
            name = self.col_field.get(i)
            if name and (i in numbers or self.by_name[name].type not in NUMERIC_TYPES):
                item.cells[name] = list(ws)
        item.words = [w for ws in cells.values() for w in ws]
        pending = self.pending
        if self.main_text and pending and self.tight((pending[-1][0].top, pending[-1][0].bottom), row):
            chain = [pending[-1]]
            for prev in reversed(pending[:-1]):
                if self.tight((prev[0].top, prev[0].bottom), chain[0][0]):
                    chain.insert(0, prev)
                else:
                    break
            extra = [w for _, ws in chain for w in ws]
            item.cells[self.main_text] = extra + item.cells.get(self.main_text, [])
            item.words = extra + item.words
        item.last_text_bottom, item.last_text_top = row.bottom, row.top
        item.rows = 1
        return item

    def _more(self, row: Row, text: str, cells: dict[int, list[Word]], gap_prev: float) -> None:
        """A row without an item's numbers: more of the last item (its numbers on a line of their own, a detail
        line, a wrapped description), or a text line waiting for the numbers below it."""
        main = self.main_text
        main_words = [w for i, ws in cells.items() if self.col_field.get(i) == main for w in ws] if main else []
        if self.items and gap_prev < 2 * self.line_h and self.items[-1].page is self.page:
            item = self.items[-1]
            # Numbers centred in a tall cell sit on a line of their own: fill the item's empty cells.
            for i in self.numeric_cols:
                name = self.col_field[i]
                if i in cells and name not in item.cells and is_numeric_cell(_text(cells[i])):
                    item.cells[name] = list(cells[i])
                    item.words.extend(cells[i])
            if _DETAIL.search(text):
                # "Bruttopreis : 9,90" under an item is a detail of it, not more of its description.
                item.last_text_bottom = item.last_text_top = -1e9
                return
            if main_words and main and self.tight((item.last_text_top, item.last_text_bottom), row):
                item.cells.setdefault(main, []).extend(main_words)
                item.words.extend(main_words)
                item.last_text_bottom, item.last_text_top = row.bottom, row.top
                item.rows += 1
                return
        if main_words:
            self.pending.append((row, main_words))


def _text(words: list[Word]) -> str:
    return " ".join(w.text for w in words)


def _cell_text(cells: dict[int, list[Word]], band: HeaderBand, name: str) -> str:
    return " ".join(_text(ws) for i, ws in cells.items() if band.columns[i].field == name)
