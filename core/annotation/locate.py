"""Values without boxes (pre-annotated files, feedback) located on the page: the words that match the value.

A value matches a run of consecutive words on one line (or running on into the next line of the same block,
for names and addresses that wrap) when the words read as the same value under the field's normaliser:
dates as the same day, numbers within the scoring tolerance, booleans and enums by their parsed value,
strings after NFKC, whitespace and case folding, else by a fuzzy score (a hyphen or a space more or less
still locates). Of several matches the shortest run wins, then the first in reading order. Line items are
located cell by cell, each item's cells preferring the line of its first located cell.

The runs of a document and what they parse to are computed once per ``locate_values`` call (``_Index``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from core.documents import BBox, Document
from core.extraction.citations import union_bbox
from core.normalize import normalize_string, parse_typed
from core.schema import Field

__all__ = ["Location", "MAX_RUN_WORDS", "STRING_MATCH", "locate_value", "locate_values"]

MAX_RUN_WORDS = 12
"""Longest run of words a string value may span (a company name with its legal form, a street address)."""
NUMBER_WORDS = 3
"""Longest run an amount or a count spans: sign or currency, digits, currency ('EUR 1 234,50' reads as 3)."""
DATE_WORDS = 4
"""Longest run a date spans ('3. März 2024' is three words, 'March 3 , 2024' four)."""
STRING_MATCH = 90.0
"""Least rapidfuzz ratio (0-100) for a run of words to count as a string value: a character or two off."""
NUMBER_TOLERANCE = 0.005
"""Numbers locate when they differ by no more than this (the scoring rules' tolerance)."""


@dataclass(frozen=True)
class Location:
    """Where a value is printed: page, the words' box in points, their text and how sure the match is (0-1)."""

    page: int
    bbox: BBox
    text: str
    score: float
    line: int


@dataclass(frozen=True)
class _Run:
    page: int
    line: int
    words: tuple[int, ...]
    text: str


@dataclass
class _Index:
    """The runs of words of one document, and what they read as, built on first use per kind."""

    document: Document
    _by_kind: dict[str, dict[Any, list[_Run]]] = field(default_factory=dict)
    _lengths: dict[int, list[tuple[str, _Run]]] = field(default_factory=dict)

    def runs(self, max_words: int) -> Iterator[_Run]:
        for page in self.document.pages:
            for number, line in enumerate(page.lines):
                follow = page.lines[number + 1] if number + 1 < len(page.lines) else None
                joined = line.words + (follow.words if follow is not None and follow.block == line.block else [])
                for start in range(len(line.words)):
                    for end in range(start + 1, min(len(joined), start + max_words) + 1):
                        indexes = tuple(joined[start:end])
                        text = " ".join(page.words[i].text for i in indexes)
                        yield _Run(page.number, page.words[indexes[0]].line, indexes, text)

    def parsed(self, kind: str, values: tuple[Any, ...] = ()) -> dict[Any, list[_Run]]:
        """Runs by the value they parse to in ``kind`` (numbers rounded to cents, dates ISO)."""
        key = f"{kind}|{values!r}"
        if key not in self._by_kind:
            limit = NUMBER_WORDS if kind in ("number", "integer") else DATE_WORDS if kind == "date" else 3
            table: dict[Any, list[_Run]] = {}
            seen: dict[str, Any] = {}
            for run in self.runs(limit):
                if kind in ("number", "integer", "date") and not any(c.isdigit() for c in run.text):
                    continue
                if run.text not in seen:
                    seen[run.text] = parse_typed(run.text, "number" if kind == "integer" else kind, values)
                value = seen[run.text]
                if value is not None:
                    table.setdefault(_key(kind, value), []).append(run)
            self._by_kind[key] = table
        return self._by_kind[key]

    def texts(self) -> dict[str, list[_Run]]:
        """Runs by their normalised text (NFKC, whitespace, case)."""
        if "text" not in self._by_kind:
            table: dict[Any, list[_Run]] = {}
            for run in self.runs(MAX_RUN_WORDS):
                norm = normalize_string(run.text)
                table.setdefault(norm, []).append(run)
                self._lengths.setdefault(len(run.words), []).append((norm, run))
            self._by_kind["text"] = table
        return self._by_kind["text"]

    def similar(self, norm: str, words: int) -> list[tuple[float, _Run]]:
        """Runs of about as many words whose text is at least ``STRING_MATCH`` like ``norm``."""
        self.texts()
        found: list[tuple[float, _Run]] = []
        for count in (words - 1, words, words + 1):
            pool = self._lengths.get(count, [])
            matches = process.extract(
                norm, [text for text, _ in pool], scorer=fuzz.ratio, score_cutoff=STRING_MATCH, limit=None
            )
            found += [(score, pool[index][1]) for _, score, index in matches]
        return found


def _key(kind: str, value: Any) -> Any:
    if kind in ("number", "integer"):
        return round(float(value), 2)
    return value


def _matches(index: _Index, field: Field, value: Any) -> list[tuple[float, _Run]]:
    """Runs that read as ``value``, each with a score in 0-1."""
    kind = field.type
    if kind in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return []
        table = index.parsed(kind)
        target = round(float(value), 2)
        exact = table.get(target, [])
        if exact:
            return [(1.0, r) for r in exact]
        # Rounding to cents can put a value within the tolerance under the neighbouring cent.
        near = [round(target + step, 2) for step in (-0.01, 0.01)]
        close = [k for k in near if abs(k - float(value)) <= NUMBER_TOLERANCE + 1e-9]
        return [(0.95, r) for k in close for r in table.get(k, [])]
    if kind in ("date", "boolean", "enum"):
        return [(1.0, r) for r in index.parsed(kind, tuple(field.values)).get(value, [])]
    norm = normalize_string(value)
    if not norm:
        return []
    exact = index.texts().get(norm)
    if exact:
        return [(1.0, r) for r in exact]
    return [(score / 100, r) for score, r in index.similar(norm, len(norm.split()))]


def _best(index: _Index, field: Field, value: Any, near: tuple[int, int] | None) -> Location | None:
    matches = _matches(index, field, value)
    if not matches:
        return None

    def rank(item: tuple[float, _Run]) -> tuple[float, int, int, int, int]:
        score, run = item
        close = 1 if near is not None and (run.page, run.line) == near else 0
        return (-score, -close, len(run.words), run.page, run.line)

    score, run = min(matches, key=rank)
    page = index.document.pages[run.page - 1]
    bbox = union_bbox([page.words[i].bbox for i in run.words])
    return Location(run.page, bbox, run.text, round(score, 3), run.line)


def locate_value(document: Document, field: Field, value: Any) -> Location | None:
    """The best place the scalar ``value`` of ``field`` is printed, or None when no words match it.

    Args:
        document: the loaded document.
        field: a scalar field (or an item field of an array of objects).
        value: the value in the field's type (dates ``YYYY-MM-DD``).

    >>> import pymupdf
    >>> from core.documents import load_document
    >>> pdf = pymupdf.open(); pdf.new_page().insert_text((72, 72), "Date: 03.01.2024  Total: 1.234,50")
    1
    >>> doc = load_document(pdf.tobytes())
    >>> locate_value(doc, Field(name="total", type="number"), 1234.5).text
    '1.234,50'
    >>> locate_value(doc, Field(name="date", type="date"), "2024-01-03").text
    '03.01.2024'
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _best(_Index(document), field, value, None)


def locate_values(document: Document, fields: list[Field], values: dict[str, Any]) -> dict[str, Location | None]:
    """Every leaf value of ``{field: value}`` located, by path (``total``, ``line_items[0].quantity``).

    Arrays of scalars give ``name[i]`` paths, objects ``name.sub``; a path maps to None when not located.
    """
    index = _Index(document)
    by_name = {f.name: f for f in fields}
    found: dict[str, Location | None] = {}
    for name, value in values.items():
        field_ = by_name.get(name)
        if field_ is None or value is None:
            continue
        if field_.item_fields:
            found.update(_locate_items(index, field_, value))
        elif field_.type == "array" and field_.items is not None:
            for i, item in enumerate(value or []):
                found[f"{name}[{i}]"] = None if item is None else _best(index, field_.items, item, None)
        elif field_.type == "object" and isinstance(value, dict):
            for sub in field_.properties:
                if value.get(sub.name) is not None:
                    found[f"{name}.{sub.name}"] = _best(index, sub, value[sub.name], None)
        else:
            found[name] = _best(index, field_, value, None)
    return found


def _locate_items(index: _Index, field_: Field, items: list[Any]) -> dict[str, Location | None]:
    found: dict[str, Location | None] = {}
    for i, item in enumerate(items or []):
        if not isinstance(item, dict):
            continue
        row: tuple[int, int] | None = None
        for sub in field_.item_fields:
            if item.get(sub.name) is None:
                continue
            where = _best(index, sub, item[sub.name], row)
            found[f"{field_.name}[{i}].{sub.name}"] = where
            if where is not None and row is None:
                row = (where.page, where.line)
    return found
