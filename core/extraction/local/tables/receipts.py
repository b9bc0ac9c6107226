"""Item lines without a table header, as on till receipts: ``2 x Flat White   6.80``.

When no header row matches the item fields, ``tables.extract_items`` falls back to this reader: a run of lines
that end in an amount and carry a product name, optionally a leading quantity (``2 x``, ``2x``, ``2 @``) or
trailing quantity and unit price, up to the first total, tax or payment line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.documents import Page, Word
from core.extraction.local.candidates import CENT
from core.extraction.local.layout import DocumentLayout, PageLayout
from core.extraction.local.tables.grid import row_words, table_rows
from core.extraction.local.tables.labels import normalize_label
from core.vocabulary.summary import RECEIPT_END_WORDS

__all__ = ["ReceiptLine", "receipt_rows", "read_receipt_lines"]

_AMOUNT = re.compile(r"^[-+]?[€$£¥]?\d{1,3}(?:[.,' ]?\d{3})*[.,]\d{2}-?$")
_INTEGER = re.compile(r"^\d{1,4}$")
_QTY_WORD = re.compile(r"^(\d{1,4}(?:[.,]\d{1,3})?)[xX×*]$")
_TRAILERS = re.compile(r"^(?:[A-D]|[A-D]\d|\*|eur|usd|gbp|chf|€|\$|£)$", re.I)

STOP_WORDS = 3
"""A line's first this many words tell a total, tax or payment line ("Summe EUR", "Total incl. VAT")."""
RECEIPT_TOTAL_TOLERANCE = 0.01
"""Quantity x unit price may differ from a receipt line's total by this share of it (or a cent): till
receipts round unit prices and weights."""
MAX_LINE_NUMBERS = 3
"""An item line ends in at most three numbers (quantity, unit price, total); more is a tax or summary row."""
MIN_NAME_LETTERS = 3
"""A line of at least this many letters and no digit may be an item's name with its amount on the next line."""


@dataclass
class ReceiptLine:
    """One item line: its words and the parts read from it."""

    page: Page
    words: list[Word]
    description: list[Word]
    quantity: list[Word]
    unit_price: list[Word]
    line_total: list[Word]


def receipt_rows(pl: PageLayout) -> list[list[Word]]:
    """The words of each line of a page for reading receipts, top to bottom: Tesseract's lines on OCR pages
    (they follow a tilted scan), the layout's rows on text pages (a PDF's lines split at cell gaps)."""
    page = pl.page
    if page.source != "ocr" or not page.lines:
        return [row_words(page, r) for r in table_rows(pl)]
    lines = []
    for line in page.lines:
        words = [page.words[i] for i in line.words if page.words[i].text.strip()]
        if words:
            lines.append(words)
    return sorted(lines, key=lambda words: min(w.bbox[1] for w in words))


def _is_stop(words: list[Word]) -> bool:
    label = normalize_label(" ".join(w.text for w in words[:STOP_WORDS]))
    return any(label == s or label.startswith(s + " ") for s in RECEIPT_END_WORDS)


def _number(text: str) -> float | None:
    digits = re.sub(r"[^\d.,]", "", text)
    if not digits:
        return None
    head, sep, tail = digits.replace(",", ".").rpartition(".")
    try:
        return float(head.replace(".", "") + "." + tail) if sep else float(tail)
    except ValueError:
        return None


def _consistent(quantity: list[Word] | None, price: Word, total: Word) -> bool:
    q = _number(quantity[0].text) if quantity else 1.0
    p, t = _number(price.text), _number(total.text)
    return None not in (q, p, t) and abs((q or 0) * (p or 0) - (t or 0)) <= max(
        CENT, RECEIPT_TOTAL_TOLERANCE * abs(t or 0)
    )


def _parse(page: Page, line: list[Word]) -> ReceiptLine | None:
    words = list(line)
    while words and _TRAILERS.match(words[-1].text):
        words = words[:-1]
    numbers: list[Word] = []
    while words and (_AMOUNT.match(words[-1].text) or (numbers and _INTEGER.match(words[-1].text))):
        numbers.insert(0, words.pop())
    if not numbers or not _AMOUNT.match(numbers[-1].text) or len(numbers) > MAX_LINE_NUMBERS:
        return None
    quantity: list[Word] = []
    unit_price: list[Word] = []
    if words and _QTY_WORD.match(words[0].text):
        quantity, words = [words[0]], words[1:]
    elif len(words) > 1 and _INTEGER.match(words[0].text) and re.fullmatch(r"[xX×*@]", words[1].text):
        quantity, words = [words[0]], words[2:]
    if len(numbers) == 3:
        # quantity, unit price, total, when they say so (an integer count, and count x price = total);
        # otherwise three amounts of unknown roles (net, tax, gross) of which the last is kept.
        if _INTEGER.match(numbers[0].text) and _consistent([numbers[0]], numbers[1], numbers[2]):
            quantity, unit_price = quantity or [numbers[0]], [numbers[1]]
    elif len(numbers) == 2:
        if _INTEGER.match(numbers[0].text) and not quantity:
            quantity = [numbers[0]]
        else:
            unit_price = [numbers[0]]
    if unit_price and len(numbers) == 2 and not _consistent(quantity or None, unit_price[0], numbers[-1]):
        # "Water 0.5l 1.90" read as two amounts: the first is part of the name unless it prices the line.
        words, unit_price = words + unit_price, []
    # "Flat White 2 x 3.40   6.80": quantity and unit price written after the name.
    if len(words) >= 2 and re.fullmatch(r"[xX×*@]", words[-1].text) and _INTEGER.match(words[-2].text):
        if not quantity:
            quantity = [words[-2]]
        words = words[:-2]
    if words and (sum(c.isalpha() for w in words for c in w.text) < 2 or _is_stop(words)):
        return None
    return ReceiptLine(page, list(line), words, quantity, unit_price, [numbers[-1]])


def read_receipt_lines(layout: DocumentLayout) -> list[ReceiptLine]:
    """Item lines of a receipt-like document, in order.

    Args:
        layout: the document's layout.
    Returns:
        The lines of the first run of item lines (ended by a total, tax or payment line), possibly empty.
    """
    run: list[ReceiptLine] = []
    for pl in layout.pages:
        page = pl.page
        pending: list[Word] | None = None
        for line in receipt_rows(pl):
            if _is_stop(line):
                if run:
                    return run
                pending = None
                continue
            parsed = _parse(page, line)
            if parsed is None:
                # A name on its own line may have its quantity and amount on the next one; any other line
                # (an address, a date, a phone number) breaks the run: items are listed together.
                letters = sum(c.isalpha() for w in line for c in w.text)
                digits = any(c.isdigit() for w in line for c in w.text)
                pending = line if letters >= MIN_NAME_LETTERS and not digits else None
                if pending is None:
                    run = []
                continue
            if not parsed.description:
                if pending is None:
                    continue
                parsed.description = list(pending)
                parsed.words = list(pending) + parsed.words
            pending = None
            run.append(parsed)
    # Without a closing total line there is no telling item lines from any other amounts.
    return []
