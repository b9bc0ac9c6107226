"""Where values can be printed on a document (the candidates annotation locates values among and the trained
scorer ranks): the local engine's typed candidates (dates, amounts, currency marks, VAT identifiers) and text
spans (word runs within a cell, whole cells, rows, and cells stacked in a column, for names and addresses
printed over several lines), with their values in the form the scoring rules compare.

Built once per document and reused by every field, fold and fit.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from core.documents import BBox
from core.extraction.citations import union_bbox
from core.extraction.local.candidates import DocumentCandidates
from core.extraction.local.layout import DocumentLayout, PageLayout, Segment
from core.normalize import normalize_value
from core.schema import Field

__all__ = [
    "Span",
    "CandidatePools",
    "build_pools",
    "pool_of",
    "pool_values",
    "expected_key",
    "matches",
    "key_of",
    "POOLS",
    "MAX_SPAN_WORDS",
    "MAX_BLOCK_CELLS",
]

MAX_SPAN_WORDS = 6
"""Longest word run inside one cell taken as a candidate: invoice numbers, dates and names are 1-5 words;
longer text in a cell is taken whole (the cell itself is always a candidate)."""
MAX_BLOCK_CELLS = 5
"""Most cells stacked in a column joined into one candidate: addresses and company names run over 2-5 lines."""
_BLOCK_GAP = 1.2
"""A cell continues the one above when the gap between them is below this many line heights."""
_BLOCK_OVERLAP = 0.3
"""... and they overlap horizontally by at least this share of the narrower one."""

POOLS: tuple[str, ...] = ("date", "amount", "string")
"""The candidate pools: a date field ranks dates, a number field amounts, a string field text spans."""


@dataclass(slots=True)
class Span:
    """One candidate value: where it is printed and what it reads."""

    kind: str  # date, amount, currency, vat_id, text, block
    value: Any
    text: str
    page: int  # 0-based page index
    row: int
    segment: int
    words: tuple[int, ...]  # page word indexes
    bbox: BBox
    rows: int = 1
    starts_cell: bool = True
    ends_cell: bool = True
    flags: dict[str, Any] = field(default_factory=dict)


@dataclass
class CandidatePools:
    """A document's candidates by pool (``POOLS``), in reading order."""

    date: list[Span] = field(default_factory=list)
    amount: list[Span] = field(default_factory=list)
    string: list[Span] = field(default_factory=list)

    def get(self, pool: str) -> list[Span]:
        spans: list[Span] = getattr(self, pool)
        return spans


def pool_of(f: Field) -> str | None:
    """The pool a field's values come from; None for types the scorer does not rank (booleans, enums,
    objects, arrays), which the local engine answers.

    >>> pool_of(Field(name="total", type="number")), pool_of(Field(name="paid", type="boolean"))
    ('amount', None)
    """
    if f.type == "date":
        return "date"
    if f.type in ("number", "integer"):
        return "amount"
    if f.type == "string":
        return "string"
    return None


_NUMBER_TOLERANCE = 0.005 + 1e-9
"""Numbers match within half a cent, the datasets' scoring rule (``core.normalize.values_equal``)."""


def expected_key(pool: str, value: Any) -> Any:
    """A value in the form candidates are compared in: a float (amounts), a day ordinal (dates) or the
    normalised string (NFKC, whitespace collapsed, casefolded); None when empty or unreadable.

    >>> expected_key("amount", "1.234,50"), expected_key("string", " ACME  Corp ")
    (1234.5, 'acme corp')
    """
    field_type = {"amount": "number", "date": "date"}.get(pool, "string")
    normal = normalize_value(value, field_type)
    if normal is None:
        return None
    if pool == "date":
        return normal.toordinal()
    return normal


def pool_values(pool: str, spans: list[Span]) -> np.ndarray:
    """The candidates' values in comparable form (see ``expected_key``), as one array."""
    if pool == "amount":
        return np.array([float(s.value) for s in spans], dtype=np.float64)
    if pool == "date":
        return np.array([s.value.toordinal() for s in spans], dtype=np.int64)
    return np.array([expected_key("string", s.value) or "" for s in spans], dtype=object)


def matches(pool: str, values: np.ndarray, key: Any) -> np.ndarray:
    """Which candidate values equal ``key`` by the scoring rules (numbers within half a cent)."""
    if key is None or values.size == 0:
        return np.zeros(values.shape[0], dtype=bool)
    if pool == "amount":
        return np.abs(values - float(key)) <= _NUMBER_TOLERANCE
    return np.asarray(values == key, dtype=bool)


def key_of(pool: str, key: Any) -> str:
    """A comparable value as a string, for the layout memory's value equality (amounts to the cent).

    >>> key_of("amount", 12.5), key_of("date", 738000)
    ('12.50', '738000')
    """
    if key is None:
        return ""
    if pool == "amount":
        return f"{float(key):.2f}"
    return str(key)


def _typed(kind: str, c: Any, value: Any) -> Span:
    return Span(kind, value, c.text, c.page, c.row, c.segment, tuple(c.words), c.bbox, flags=dict(c.flags))


def _cell_spans(pl: PageLayout, seg: Segment) -> list[Span]:
    words = pl.page.words
    n = len(seg.words)
    out: list[Span] = []
    for a in range(n):
        for b in range(a, min(a + MAX_SPAN_WORDS, n)):
            if a == 0 and b == n - 1:
                continue  # the whole cell is added once below
            ids = tuple(seg.words[a : b + 1])
            text = " ".join(words[i].text for i in ids)
            out.append(
                Span(
                    "text",
                    text,
                    text,
                    pl.index,
                    seg.row,
                    seg.index,
                    ids,
                    union_bbox(words[i].bbox for i in ids),
                    starts_cell=a == 0,
                    ends_cell=b == n - 1,
                )
            )
    out.append(Span("text", seg.text, seg.text, pl.index, seg.row, seg.index, tuple(seg.words), seg.bbox))
    return out


def _below(pl: PageLayout, seg: Segment) -> Segment | None:
    """The cell right under ``seg`` in the next row, if it continues it (close below, overlapping)."""
    if seg.row + 1 >= len(pl.rows):
        return None
    row = pl.rows[seg.row]
    nxt = pl.rows[seg.row + 1]
    if nxt.bbox[1] - row.bbox[3] > _BLOCK_GAP * max(row.height, 1.0):
        return None
    best, best_overlap = None, 0.0
    for other in nxt.segments:
        overlap = min(seg.bbox[2], other.bbox[2]) - max(seg.bbox[0], other.bbox[0])
        narrow = max(min(seg.bbox[2] - seg.bbox[0], other.bbox[2] - other.bbox[0]), 1.0)
        if overlap / narrow >= _BLOCK_OVERLAP and overlap > best_overlap:
            best, best_overlap = other, overlap
    return best


def _blocks(pl: PageLayout, seg: Segment) -> list[Span]:
    out: list[Span] = []
    chain = [seg]
    while len(chain) < MAX_BLOCK_CELLS:
        nxt = _below(pl, chain[-1])
        if nxt is None:
            break
        chain.append(nxt)
        ids = tuple(i for s in chain for i in s.words)
        text = " ".join(s.text for s in chain)
        out.append(
            Span("block", text, text, pl.index, seg.row, seg.index, ids, union_bbox(s.bbox for s in chain), len(chain))
        )
    return out


_TRAILING = ".,;:"
"""Marks that end a printed line but not always the annotated value ("SELANGOR." annotated "SELANGOR")."""


def _trimmed(spans: list[Span]) -> list[Span]:
    """A variant without trailing punctuation of every multi-word span that has some: the scorer learns
    from the annotations whether a field keeps it."""
    out = []
    for s in spans:
        text = s.text.rstrip(_TRAILING)
        if text != s.text and " " in text:
            out.append(replace(s, kind=f"{s.kind}-trim", value=text, text=text))
    return out


def build_pools(layout: DocumentLayout, typed: DocumentCandidates) -> CandidatePools:
    """Every candidate of a document by pool.

    Args:
        layout: the document's rows and cells (``build_layout``).
        typed: its dates, amounts, currency marks and VAT ids (``generate_candidates``).

    Returns:
        Dates, amounts, and text spans (with currency codes and VAT ids as normalised string candidates).
    """
    pools = CandidatePools(
        date=[_typed("date", c, c.value) for c in typed.dates],
        amount=[_typed("amount", c, float(c.value)) for c in typed.amounts],
    )
    strings = pools.string
    strings += [_typed("currency", c, c.value) for c in typed.currencies]
    strings += [_typed("vat_id", c, c.value) for c in typed.vat_ids]
    for pl in layout.pages:
        for row in pl.rows:
            for seg in row.segments:
                spans = _cell_spans(pl, seg) + _blocks(pl, seg)
                strings += spans + _trimmed(spans)
            if len(row.segments) > 1:
                ids = tuple(i for s in row.segments for i in s.words)
                text = " ".join(s.text for s in row.segments)
                strings.append(Span("row", text, text, pl.index, row.index, 0, ids, row.bbox))
    return pools
