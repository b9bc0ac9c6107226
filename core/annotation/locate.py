"""Values without boxes (pre-annotated files, feedback) located on the page: the words that match the value.

A value matches a run of consecutive words on one line (or running on into the next line of the same block,
for names and addresses that wrap) when the words read as the same value under the field's normaliser:
dates as the same day, numbers within the scoring tolerance, booleans and enums by their parsed value,
strings after NFKC, whitespace and case folding, else by a fuzzy score (a hyphen or a space more or less
still locates). Of several matches the shortest run wins, then the first in reading order. Line items are
located cell by cell, each item's cells preferring the row (the vertical band) of its first located cell.

The runs of a document and what they parse to are computed once per ``locate_values`` call (``_Index``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from core.documents import BBox, Document
from core.extraction.citations import union_bbox
from core.extraction.local.candidates import find_amounts, find_dates
from core.normalize import normalize_string, parse_currency, parse_typed
from core.schema import Field

__all__ = ["Location", "MAX_RUN_WORDS", "STRING_MATCH", "locate_value", "locate_values"]

MAX_RUN_WORDS = 12
"""Longest run of words a string value may span (a company name with its legal form, a street address)."""
SHORT_WORDS = 3
"""Longest run a boolean or an enum value spans ('Not yet paid')."""
STRING_MATCH = 90.0
"""Least rapidfuzz ratio (0-100) for a run of words to count as a string value: a character or two off."""
NEAR_CENT = 0.95
"""Score of an amount that matches only after rounding to the neighbouring cent (within the tolerance)."""
SIGN_FLIPPED = 0.8
"""Score of an amount found only with the opposite sign: probably the value, shown as a deduction."""
CURRENCY_SYMBOL = 0.9
"""Score of a currency code found as its symbol or glued to an amount rather than as the code itself."""
NUMBER_TOLERANCE = 0.005
"""Numbers locate when they differ by no more than this (the scoring rules' tolerance)."""


_CURRENCY_CODE = re.compile(r"[A-Z]{3}")


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
        """Runs by the value they read as in ``kind`` (numbers rounded to cents, dates ISO)."""
        key = f"{kind}|{values!r}"
        if key not in self._by_kind:
            table: dict[Any, list[_Run]] = {}
            if kind in ("number", "integer", "date"):
                for run, value in self._spans(kind):
                    table.setdefault(value, []).append(run)
            else:  # booleans and enums: a word or a few ("Yes", "Not paid")
                seen: dict[str, Any] = {}
                for run in self.runs(SHORT_WORDS):
                    if run.text not in seen:
                        seen[run.text] = parse_typed(run.text, kind, values)
                    if seen[run.text] is not None:
                        table.setdefault(seen[run.text], []).append(run)
            self._by_kind[key] = table
        return self._by_kind[key]

    def _spans(self, kind: str) -> Iterator[tuple[_Run, Any]]:
        """Dates and amounts as the local engine's finders see them in each line, mapped back to words."""
        for page in self.document.pages:
            for line in page.lines:
                starts, text = [], ""
                for i in line.words:
                    starts.append(len(text) + (1 if text else 0))
                    text = f"{text} {page.words[i].text}" if text else page.words[i].text
                dates = find_dates(text)
                spans: list[tuple[int, int, Any]]
                if kind == "date":
                    spans = [(s, e, d.isoformat()) for s, e, d in dates]
                else:
                    skip = [(s, e) for s, e, _ in dates]
                    spans = [(s, e, round(float(a), 2)) for s, e, a, _ in find_amounts(text, skip)]
                covered: set[int] = set()
                for start, end, value in spans:
                    words = tuple(
                        i
                        for i, begin in zip(line.words, starts, strict=True)
                        if begin < end and start < begin + len(page.words[i].text)
                    )
                    if words:
                        covered.update(words)
                        yield _Run(page.number, page.words[words[0]].line, words, text[start:end]), value
                if kind != "date":  # what the finder leaves (e.g. unit prices with four decimals: '9,9000')
                    for i in line.words:
                        word = page.words[i].text
                        if i not in covered and any(c.isdigit() for c in word):
                            number = parse_typed(word, "number")
                            if number is not None:
                                yield _Run(page.number, page.words[i].line, (i,), word), round(number, 2)

    def currencies(self) -> dict[str, list[_Run]]:
        """Single words by the ISO 4217 code they name or show ('€', 'EUR', '12,50€')."""
        if "currency" not in self._by_kind:
            table: dict[Any, list[_Run]] = {}
            for run in self.runs(1):
                code = parse_currency(run.text)
                if code:
                    table.setdefault(code, []).append(run)
            self._by_kind["currency"] = table
        return self._by_kind["currency"]

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
        neighbours = (round(target - 0.01, 2), round(target + 0.01, 2))
        near = [k for k in neighbours if abs(k - value) <= NUMBER_TOLERANCE + 1e-9]
        close = [(NEAR_CENT, r) for k in near for r in table.get(k, [])]
        # The amount printed with the other sign (a discount shown as '-12.50', a credit as '(12.50)').
        return close or [(SIGN_FLIPPED, r) for r in table.get(-target, [])]
    if kind in ("date", "boolean", "enum"):
        return [(1.0, r) for r in index.parsed(kind, tuple(field.values)).get(value, [])]
    norm = normalize_string(value)
    if not norm:
        return []
    same_text = index.texts().get(norm)
    if same_text:
        return [(1.0, r) for r in same_text]
    if _CURRENCY_CODE.fullmatch(str(value).strip()):  # a currency printed as its symbol
        symbols = index.currencies().get(str(value).strip())
        if symbols:
            return [(CURRENCY_SYMBOL, r) for r in symbols]
    return [(score / 100, r) for score, r in index.similar(norm, len(norm.split()))]


def _box(index: _Index, run: _Run) -> BBox:
    page = index.document.pages[run.page - 1]
    return union_bbox([page.words[i].bbox for i in run.words])


def _in_band(bbox: BBox, band: tuple[int, float, float], page: int) -> bool:
    """Whether a box sits in a row band ``(page, top, bottom)``: its vertical middle is inside."""
    middle = (bbox[1] + bbox[3]) / 2
    return page == band[0] and band[1] <= middle <= band[2]


def _best(index: _Index, field: Field, value: Any, row: tuple[int, float, float] | None) -> Location | None:
    """The best-scored match (in ``row`` first, if given), then the shortest run, then the first on the page."""
    matches = _matches(index, field, value)
    if not matches:
        return None

    def rank(item: tuple[float, _Run]) -> tuple[float, int, int, int, int]:
        score, run = item
        inside = 1 if row is not None and _in_band(_box(index, run), row, run.page) else 0
        return (-score, -inside, len(run.words), run.page, run.line)

    score, run = min(matches, key=rank)
    return Location(run.page, _box(index, run), run.text, round(score, 3), run.line)


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
        row: tuple[int, float, float] | None = None  # the item's band: page, top, bottom
        for sub in field_.item_fields:
            if item.get(sub.name) is None:
                continue
            where = _best(index, sub, item[sub.name], row)
            found[f"{field_.name}[{i}].{sub.name}"] = where
            if where is not None and row is None:
                row = (where.page, where.bbox[1], where.bbox[3])
    return found
