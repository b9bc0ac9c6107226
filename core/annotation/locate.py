"""Locating a known value on its document: the words that read as the value under the field's normaliser.

A value without a box (imported from a pre-annotated file, typed in by a reviewer) becomes a box here, so
that training learns where values sit. Dates and amounts match the page's typed candidates by day and to the
cent; strings match a text span exactly after normalisation (NFKC, whitespace, case), else fuzzily
(rapidfuzz, for OCR errors). A line item's cells are located within one row of the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import BaseModel, Field
from rapidfuzz import fuzz, process

from core.annotation.spans import CandidatePools, Span, build_pools, expected_key, matches, pool_of, pool_values
from core.documents import BBox, Document
from core.extraction.local.candidates import generate_candidates
from core.extraction.local.layout import DocumentLayout, build_layout
from core.schema import Field as SchemaField
from core.schema import Workflow

__all__ = ["Location", "Locator", "locate", "locate_values", "FUZZY_MIN", "AMBIGUOUS_SCORE"]

FUZZY_MIN = 85.0
"""Least rapidfuzz ratio (0-100) for a string located fuzzily: one or two misread characters in a name of
fifteen, not a different name."""
AMBIGUOUS_SCORE = 0.8
"""How sure a location is when the value is printed at several places (a total in the table and the footer):
the first is taken, and it may not be the one the annotator meant."""
_ROW_REACH = 1
"""A line item's cells may sit this many rows away from the row most of its cells share (wrapped text)."""


class Location(BaseModel):
    """Where a value is printed, and how sure that is (1.0: exactly one exact match)."""

    page: int = Field(description="1-based page number.")
    bbox: BBox = Field(description="(x0, y0, x1, y1) in points, origin top-left.")
    text: str = Field(description="The words found.")
    score: float = Field(ge=0.0, le=1.0, description="1 exact and unique; lower when fuzzy or ambiguous.")
    places: int = Field(default=1, description="How many places read as this value.")
    row: int = Field(default=0, description="0-based row of the page layout (for line items).")


def _location(span: Span, score: float, places: int) -> Location:
    return Location(page=span.page + 1, bbox=span.bbox, text=span.text, score=score, places=places, row=span.row)


def _preference(span: Span) -> tuple[int, int, int]:
    # Typed candidates and single cells before longer runs: the tightest box that reads as the value.
    typed = 0 if span.kind in ("date", "amount", "currency", "vat_id") else 1
    return (typed, span.rows, len(span.words))


class Locator:
    """Locates values on one document; the layout and candidates are built once and reused.

    Args:
        document: the loaded document.
        layout: its layout, when already built.
        pools: its candidates, when already built.
        values: the candidates' comparable values by pool (``spans.pool_values``), when already computed.
    """

    def __init__(
        self,
        document: Document,
        layout: DocumentLayout | None = None,
        pools: CandidatePools | None = None,
        values: dict[str, np.ndarray] | None = None,
    ) -> None:
        self.document = document
        self.layout = layout or build_layout(document)
        self.pools = pools or build_pools(self.layout, generate_candidates(self.layout))
        self._values: dict[str, np.ndarray] = dict(values or {})

    def values(self, pool: str) -> np.ndarray:
        if pool not in self._values:
            self._values[pool] = pool_values(pool, self.pools.get(pool))
        return self._values[pool]

    def places(self, field: SchemaField, value: Any) -> list[tuple[Span, float]]:
        """Every span that reads as ``value``, with how well (1.0 exact, lower fuzzy), best first."""
        pool = pool_of(field)
        key = expected_key(pool, value) if pool else None
        if pool is None or key is None:
            return []
        spans = self.pools.get(pool)
        hits = np.flatnonzero(matches(pool, self.values(pool), key))
        if hits.size:
            return sorted(((spans[i], 1.0) for i in hits), key=lambda t: _preference(t[0]))
        if pool != "string":
            return []
        choices = list(self.values(pool))
        found = process.extract(str(key), choices, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN, limit=5)
        return [(spans[i], score / 100.0) for _, score, i in found]

    def locate(self, field: SchemaField, value: Any) -> Location | None:
        """Where ``value`` of ``field`` is printed; None when it is not found (or the type is not located)."""
        found = self.places(field, value)
        if not found:
            return None
        span, similarity = found[0]
        distinct = {(s.page, s.row, s.segment) for s, sim in found if sim == similarity}
        score = similarity * (AMBIGUOUS_SCORE if len(distinct) > 1 else 1.0)
        return _location(span, round(score, 4), len(distinct))

    def locate_items(self, field: SchemaField, items: list[Any]) -> list[dict[str, Location]]:
        """Each line item's cells, located within one row: the row most of the item's cells are found in,
        below the previous item's row."""
        out: list[dict[str, Location]] = []
        after = (-1, -1)
        for item in items:
            if not isinstance(item, Mapping):
                out.append({})
                continue
            cells = {f.name: self.places(f, item.get(f.name)) for f in field.item_fields}
            rows: dict[tuple[int, int], int] = {}
            for found in cells.values():
                for key in {(s.page, s.row) for s, _ in found}:
                    if key > after:
                        rows[key] = rows.get(key, 0) + 1
            if not rows:
                out.append({})
                continue
            best = max(rows, key=lambda k: (rows[k], -k[0], -k[1]))
            located: dict[str, Location] = {}
            used: set[int] = set()
            # Cells with fewer places first, so that a value printed twice in the row (a quantity of 2 and a
            # price of 2.00) leaves the cell the other field needs.
            for name, found in sorted(cells.items(), key=lambda kv: len(kv[1])):
                near = [
                    (s, sim)
                    for s, sim in found
                    if s.page == best[0] and abs(s.row - best[1]) <= _ROW_REACH and not used.intersection(s.words)
                ]
                if near:
                    span, sim = min(near, key=lambda t: (abs(t[0].row - best[1]), -t[1], _preference(t[0])))
                    located[name] = _location(span, round(sim, 4), len(near))
                    used.update(span.words)
            after = best
            out.append({f.name: located[f.name] for f in field.item_fields if f.name in located})
        return out


def locate(document: Document, field: SchemaField, value: Any, *, locator: Locator | None = None) -> Location | None:
    """Where a value of a scalar field is printed on a document.

    Args:
        document: the loaded document.
        field: the field (its type chooses the normaliser: dates by day, amounts to the cent, strings).
        value: the known value.
        locator: a ``Locator`` of the document to reuse (its layout and candidates).

    Returns:
        The location and how sure it is, or None when no words read as the value (booleans and enums are
        not located: they are not printed as such).
    """
    return (locator or Locator(document)).locate(field, value)


def locate_values(document: Document, workflow: Workflow, expected: Mapping[str, Any]) -> dict[str, Location]:
    """Locate every known value of a document, by path (``total``, ``line_items[0].quantity``).

    Paths whose value is not found are absent.
    """
    locator = Locator(document)
    out: dict[str, Location] = {}
    for f in workflow.fields:
        value = expected.get(f.name)
        if value is None:
            continue
        if f.item_fields and isinstance(value, list):
            for i, cells in enumerate(locator.locate_items(f, value)):
                out.update({f"{f.name}[{i}].{name}": loc for name, loc in cells.items()})
        elif f.type == "array" and f.items is not None and isinstance(value, list):
            for i, element in enumerate(value):
                loc = locator.locate(f.items, element)
                if loc is not None:
                    out[f"{f.name}[{i}]"] = loc
        elif f.type == "object" and isinstance(value, Mapping):
            for sub in f.properties:
                loc = locator.locate(sub, value.get(sub.name))
                if loc is not None:
                    out[f"{f.name}.{sub.name}"] = loc
        else:
            loc = locator.locate(f, value)
            if loc is not None:
                out[f.name] = loc
    return out
