"""Totals semantics: which printed amount is the total a sale came to, by what its line says about it.

A receipt or an invoice prints several amounts under words like "total": the cash handed over and the change
given back, a rounding adjustment, the tax lines (the tax summed, "Total GST", or the tax part of the total,
"GST included in total"), a tax summary table with its own "Total" row, a subtotal before tax, a count of
items ("Total qty: 65.00"). Each candidate's line is read (the words left of the amount on its row, or the row
above when the amount stands alone) and its score is weighed by what the line says; a total that the cash
tendered minus the change confirms is preferred.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.extraction.local.candidates import CENT, Candidate
from core.extraction.local.layout import EDGE_TOLERANCE, DocumentLayout
from core.extraction.local.scoring import ScoredCandidate
from core.extraction.local.selection import num
from core.vocabulary.summary import (
    ADJUSTMENT,
    AFTER_TAX,
    BEFORE_TAX,
    CHANGE,
    COUNT_LABEL,
    COUNTED,
    TAX_PART,
    TAX_SUMMARY,
    TAX_TOTAL,
    TAX_WORD,
    TENDERED,
    TOTAL_WORD,
)

__all__ = [
    "NOT_THE_TOTAL",
    "BEFORE_TAX_FACTOR",
    "AFTER_TAX_FACTOR",
    "CONFIRMED_FACTOR",
    "TAX_SUMMARY_ROWS",
    "line_text",
    "in_tax_summary",
    "weigh_totals",
]

NOT_THE_TOTAL = 0.25
"""A line of money tendered, change, an adjustment, a tax amount, a tax summary row or a count of items: not the
sale's total."""
BEFORE_TAX_FACTOR = 0.6
"""A total the line says is before tax (a subtotal): the total after tax follows it."""
AFTER_TAX_FACTOR = 1.15
"""A total the line says includes tax, is rounded or payable: the one the sale came to."""
CONFIRMED_FACTOR = 1.3
"""A total equal to the cash tendered minus the change given back."""
TAX_SUMMARY_ROWS = 6
"""A tax summary table's heading is at most this many rows above its last row."""


def line_text(layout: DocumentLayout, c: Candidate) -> str:
    """The casefolded words left of an amount on its row, or the row above when the amount stands alone."""
    pl = layout.pages[c.page]
    row = pl.rows[c.row]
    words = [pl.page.words[i].text for i in row.words if pl.page.words[i].bbox[2] <= c.bbox[0] + EDGE_TOLERANCE]
    if not any(any(ch.isalpha() for ch in w) for w in words) and c.row > 0:
        words = [pl.page.words[i].text for i in pl.rows[c.row - 1].words]
    return " ".join(words).casefold()


def _next_word(layout: DocumentLayout, c: Candidate) -> str:
    """The casefolded word right of an amount on its row ("" at the row's end)."""
    pl = layout.pages[c.page]
    right = [pl.page.words[i] for i in pl.rows[c.row].words if pl.page.words[i].bbox[0] >= c.bbox[2] - EDGE_TOLERANCE]
    return min(right, key=lambda w: w.bbox[0]).text.casefold() if right else ""


def in_tax_summary(layout: DocumentLayout, c: Candidate) -> bool:
    """Whether an amount is a row of a tax summary table (its heading a few rows above)."""
    pl = layout.pages[c.page]
    first = max(0, c.row - TAX_SUMMARY_ROWS)
    return any(TAX_SUMMARY.search(r.text.casefold()) for r in pl.rows[first : c.row + 1])


def _tendered_minus_change(layout: DocumentLayout, amounts: Sequence[Candidate]) -> float | None:
    tendered = change = None
    for c in amounts:
        text = line_text(layout, c)
        if CHANGE.search(text):
            change = abs(num(c.value))
        elif TENDERED.search(text) and not TOTAL_WORD.search(text):
            tendered = abs(num(c.value))
    if tendered is None or change is None or change > tendered:
        return None
    return round(tendered - change, 2)


def _factor(layout: DocumentLayout, c: Candidate, concept: str, confirmed: float | None) -> float:
    text = line_text(layout, c)
    total_word = bool(TOTAL_WORD.search(text))
    if CHANGE.search(text) or ADJUSTMENT.search(text) and not total_word:
        return NOT_THE_TOTAL
    if TENDERED.search(text) and not total_word or in_tax_summary(layout, c):
        return NOT_THE_TOTAL
    if COUNT_LABEL.search(text) and not any(ch.isdigit() for ch in text) or COUNTED.search(_next_word(layout, c)):
        return NOT_THE_TOTAL  # "Total qty: 65.00", the 3 of "Total 3 items: 45.00" (not the 45.00)
    factor = 1.0
    if concept == "total":
        says_tax = TAX_WORD.search(text) and not (total_word or AFTER_TAX.search(text))
        if says_tax or TAX_TOTAL.search(text) and not (AFTER_TAX.search(text) or BEFORE_TAX.search(text)):
            return NOT_THE_TOTAL
        if TAX_WORD.search(text) and TAX_PART.search(text):
            return NOT_THE_TOTAL
        if BEFORE_TAX.search(text):
            factor *= BEFORE_TAX_FACTOR
        elif AFTER_TAX.search(text):
            factor *= AFTER_TAX_FACTOR
    if confirmed is not None and abs(num(c.value) - confirmed) < CENT:
        factor *= CONFIRMED_FACTOR
    return factor


def weigh_totals(
    layout: DocumentLayout, scored: list[ScoredCandidate], amounts: Sequence[Candidate], concept: str | None
) -> list[ScoredCandidate]:
    """Scored amounts of a total or an amount due weighed by what their lines say, best first.

    Args:
        layout: the document layout.
        scored: the field's scored candidates.
        amounts: every amount of the document (for the cash tendered and the change).
        concept: the field's concept; only ``total`` and ``due_payable`` are weighed.

    Returns:
        The candidates re-sorted by their weighed scores (the same list when the concept is another).
    """
    if concept not in ("total", "due_payable") or not scored:
        return scored
    confirmed = _tendered_minus_change(layout, amounts)
    for s in scored:
        factor = _factor(layout, s.candidate, concept, confirmed)
        if factor != 1.0:
            s.score *= factor
            s.reason += "; the line says it is the total" if factor > 1 else "; the line says it is no total"
    return sorted(scored, key=lambda s: -s.score)
