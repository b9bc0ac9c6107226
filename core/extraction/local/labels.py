"""Finding label phrases on the page: fuzzy matching of phrases to word sequences, longest match wins.

Words are reduced to letters and digits (``word_key``), so case, trailing colons and punctuation such as
"USt.-Id.-Nr." vs "USt-IdNr" do not matter; a phrase matches a run of one to five words of a segment whose
concatenated key equals the phrase's, or is within a small edit distance of it (rapidfuzz, for OCR errors).
When labels of different fields overlap ("Total" inside "Total HT"), the longer phrase claims the words.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from core.documents import BBox
from core.extraction.citations import union_bbox
from core.extraction.local.layout import EDGE_TOLERANCE, DocumentLayout, word_key
from core.vocabulary.concepts import BY_KEY, FAMILY_STEMS
from core.vocabulary.marks import LABEL_CURRENCIES

__all__ = [
    "LabelHit",
    "LabelIndex",
    "resolve_overlaps",
    "qualify",
    "has_digit",
    "OWN_FAMILY_FACTOR",
    "OTHER_FAMILY_FACTOR",
    "PREPOSITION_LENGTH",
    "UNQUALIFIED_FACTOR",
    "COMPOUND_PART",
    "TAIL_SIMILARITY",
    "HEAD_SIMILARITY",
]

_MAX_WORDS = 5
"""A label phrase is a run of at most this many words of a cell."""
MAX_RUN_CHARS = 40
"""A run of word keys longer than this many characters is not looked up as a label (labels are short)."""
MIN_SLASH_PART = 3
"""Each side of a slash ("Käufer/Leistungsempfänger") of at least this many characters is a label of its own."""
MIN_COMPOUND_LENGTH = 9
"""Words of at least this many letters are indexed as compounds, by their tails and heads."""
MIN_HEAD_LETTERS = 3
"""A compound's tail is looked up after at least this many letters ("Handels|rechnung")."""
MIN_REST_LETTERS = 4
"""A compound's head leaves at least this many letters after it ("Rechnungs|korrektur")."""
MIN_FUZZY_KEY = 6
"""Phrase keys of at least this many characters are also matched fuzzily (a shorter key is one letter away
from too many other words)."""
FUZZY_CUTOFF = 83.0
"""The rapidfuzz ratio (0-100) a run must reach to match a phrase fuzzily: one letter off in a key of six to
eight characters (an OCR error) ..."""
LONG_KEY = 9
"""... and for keys of at least this many characters ..."""
FUZZY_CUTOFF_LONG = 88.0
"""... this ratio: one letter off, two only in keys of about 17 characters or more."""
SHORT_LABEL = 6
"""Labels of at most this many characters ("vom", "Date", "Nr.") are weighed by the words before them."""
MIN_INNER_STEM = 4
"""A family stem longer than this counts anywhere in a word before a short label, a shorter one only at its start."""
COMPOUND_PART = 5
"""The shortest part of a compound word looked up as a label ("Summe" in "Bruttosumme")."""
TAIL_SIMILARITY = 0.9
"""A label at the end of a compound names what the compound is ("Bruttosumme" is a sum)."""
HEAD_SIMILARITY = 0.8
"""A label at the start of a compound only qualifies it ("Rechnungskorrektur" is a correction of an invoice)."""
OWN_FAMILY_FACTOR = 1.15
"""A short label after words of its own concept's family ("Rechnung Nr. ... vom"): surely this field's."""
OTHER_FAMILY_FACTOR = 0.5
"""A short label after another family's words ("Bestellung vom"): another field's."""
PREPOSITION_LENGTH = 3
"""Short labels up to this many letters ("vom", "du", "of") are prepositions that only a family word qualifies."""
UNQUALIFIED_FACTOR = 0.6
"""A preposition label after words of no family (a version or a page line): weak, but not another field's."""


@dataclass
class LabelHit:
    """One place where a field's label phrase (or a negative phrase) is printed."""

    field: str
    phrase: str
    weight: float
    negative: bool
    page: int
    row: int
    segment: int
    words: list[int]  # page word indexes, left to right
    bbox: BBox
    similarity: float  # 1.0 exact
    key_length: int

    @property
    def strength(self) -> float:
        return self.weight * self.similarity


class LabelIndex:
    """All word runs of a document by key, for fast exact and fuzzy phrase lookup. Built once per document."""

    def __init__(self, layout: DocumentLayout) -> None:
        self.layout = layout
        # key -> (page, row, segment, first, last) word positions in the segment; words are sliced on a hit.
        # Runs are indexed lazily by their first character, when a phrase starting with it is first looked up
        # (exact and fuzzy matches share it): a workflow asks for a few letters' worth of labels, while a long
        # contract has hundreds of thousands of runs.
        self._runs: dict[str, list[tuple[int, int, int, int, int]]] = defaultdict(list)
        self._segments: list[tuple[tuple[int, int, int], list[str]]] = []
        self._segments_by_char: dict[str, list[int]] = defaultdict(list)
        for pl in layout.pages:
            pkeys = pl.keys
            for row in pl.rows:
                for seg in row.segments:
                    keys = [pkeys[i] for i in seg.words]
                    for char in {k[0] for k in keys if k}:
                        self._segments_by_char[char].append(len(self._segments))
                    self._segments.append(((pl.index, row.index, seg.index), keys))
        self._slash_parts: dict[str, list[tuple[str, tuple[int, int, int, int, int]]]] = defaultdict(list)
        self._indexed: set[str] = set()
        # German compounds: "Handelsrechnung" ends with the label "Rechnung", "Bruttosumme" with "Summe", and
        # "Rechnungskorrektur" starts with "Rechnung". Single long words are indexed by their last and first
        # COMPOUND_PART letters (every tail or head looked up is at least that long); a phrase's first word is
        # compared with the words filed under its own last or first letters (``_compounds``).
        self._by_end: dict[str, list[tuple[str, tuple[int, int, int, int]]]] = defaultdict(list)
        self._by_start: dict[str, list[tuple[str, tuple[int, int, int, int]]]] = defaultdict(list)
        self._compound_cache: dict[tuple[str, bool], list[tuple[int, int, int, int]]] = {}
        for pl in layout.pages:
            for row in pl.rows:
                for seg in row.segments:
                    for a, w in enumerate(seg.words):
                        first = pl.keys[w]
                        raw = pl.page.words[w].text.rstrip(":.")
                        if "/" in raw:  # "Käufer/Leistungsempfänger": each side of a slash is a label of its own
                            for part in raw.split("/"):
                                pk = word_key(part)
                                if len(pk) >= MIN_SLASH_PART:
                                    self._slash_parts[pk[0]].append((pk, (pl.index, row.index, seg.index, a, a)))
                        if len(first) >= MIN_COMPOUND_LENGTH and raw.isalpha():
                            where = (pl.index, row.index, seg.index, a)
                            self._by_end[first[-COMPOUND_PART:]].append((first, where))
                            self._by_start[first[:COMPOUND_PART]].append((first, where))
        # Fuzzy lookup compares a phrase only with runs of about its length and first letter; runs with digits
        # are kept apart (a value such as "invoice_number_1" is not a fuzzy "Invoice number").
        self._buckets: dict[tuple[str, int], list[str]] = defaultdict(list)
        self._digit_buckets: dict[tuple[str, int], list[str]] = defaultdict(list)
        self._cache: dict[str, list[tuple[str, float]]] = {}

    def _index(self, char: str) -> None:
        """Index every run whose key starts with ``char``, and file those keys in the fuzzy buckets."""
        self._indexed.add(char)
        runs: dict[str, list[tuple[int, int, int, int, int]]] = defaultdict(list)
        for position in self._segments_by_char.get(char, []):
            where, keys = self._segments[position]
            n = len(keys)
            for a in range(n):
                if not keys[a].startswith(char):
                    continue
                acc = ""
                for b in range(a, min(a + _MAX_WORDS, n)):
                    kb = keys[b]
                    acc += kb
                    if len(acc) > MAX_RUN_CHARS:
                        break
                    if kb:
                        runs[acc].append((*where, a, b))
            if any(k in LABEL_CURRENCIES for k in keys[1:-1]):
                _index_without_currency(runs, keys, where, char)
        for key, run in self._slash_parts.get(char, []):
            runs[key].append(run)
        for key, positions in runs.items():
            self._runs[key] = positions
            if len(key) >= MIN_FUZZY_KEY - 1:  # a run one character shorter may match a fuzzy key
                (self._digit_buckets if has_digit(key) else self._buckets)[(key[0], len(key))].append(key)

    def _matching_keys(self, key: str) -> list[tuple[str, float]]:
        if key in self._cache:
            return self._cache[key]
        if key[0] not in self._indexed:
            self._index(key[0])
        found: list[tuple[str, float]] = []
        if key in self._runs:
            found.append((key, 1.0))
        if len(key) >= MIN_FUZZY_KEY:
            cutoff = FUZZY_CUTOFF_LONG if len(key) >= LONG_KEY else FUZZY_CUTOFF
            digits = has_digit(key)
            for n in range(len(key) - 1, len(key) + 2):
                candidates = self._buckets.get((key[0], n), [])
                if digits:
                    candidates = candidates + self._digit_buckets.get((key[0], n), [])
                for other in candidates:
                    if other != key:
                        score = fuzz.ratio(key, other, score_cutoff=cutoff)
                        if score:
                            found.append((other, score / 100.0))
        self._cache[key] = found
        return found

    def _compounds(self, part: str, *, tail: bool) -> list[tuple[int, int, int, int]]:
        """Where a long word ends with ``part`` after at least MIN_HEAD_LETTERS letters (``tail``), or starts
        with it and leaves at least MIN_REST_LETTERS; document order."""
        found = self._compound_cache.get((part, tail))
        if found is None:
            if tail:
                filed = self._by_end.get(part[-COMPOUND_PART:], [])
                found = [w for k, w in filed if k.endswith(part) and len(k) - len(part) >= MIN_HEAD_LETTERS]
            else:
                filed = self._by_start.get(part[:COMPOUND_PART], [])
                found = [w for k, w in filed if k.startswith(part) and len(k) - len(part) >= MIN_REST_LETTERS]
            self._compound_cache[(part, tail)] = found
        return found

    def find(self, field: str, phrase: str, weight: float, negative: bool = False) -> list[LabelHit]:
        """Where a phrase is printed in the document.

        Args:
            field: The field the phrase belongs to.
            phrase: The label phrase as written in the description or synonym table.
            weight: How much the phrase is trusted (description 1.0, synonym lower).
            negative: Whether it is a "not this" phrase.

        Returns:
            One hit per matching run of words.
        """
        key = _phrase_key(phrase)
        if len(key) < 2:
            return []
        hits = []
        matches: list[tuple[list[tuple[int, int, int, list[int]]], float]] = []
        for other, sim in self._matching_keys(key):
            spans = []
            for page, row, seg_i, a, b in self._runs[other]:
                words = self.layout.pages[page].rows[row].segments[seg_i].words
                spans.append((page, row, seg_i, words[a : b + 1]))
            matches.append((spans, sim))
        parts = _phrase_parts(phrase)
        tails = self._compounds(parts[0], tail=True) if parts and len(parts[0]) >= COMPOUND_PART else []
        if tails:
            tail_runs = []
            for page, row, seg_i, a in tails:
                seg = self.layout.pages[page].rows[row].segments[seg_i]
                keys = self.layout.pages[page].keys
                rest = [keys[w] for w in seg.words[a + 1 : a + len(parts)]]
                if rest == parts[1:]:
                    tail_runs.append((page, row, seg_i, seg.words[a : a + len(parts)]))
            matches.append((tail_runs, TAIL_SIMILARITY))
        heads = self._compounds(parts[0], tail=False) if len(parts) == 1 and len(parts[0]) >= COMPOUND_PART else []
        if heads:
            head_runs = []
            for page, row, seg_i, a in heads:
                seg = self.layout.pages[page].rows[row].segments[seg_i]
                head_runs.append((page, row, seg_i, seg.words[a : a + 1]))
            matches.append((head_runs, HEAD_SIMILARITY))
        for runs, sim in matches:
            for page, row, seg_index, words in runs:
                pl = self.layout.pages[page]
                bbox = union_bbox(pl.page.words[i].bbox for i in words)
                hits.append(
                    LabelHit(
                        field,
                        phrase,
                        weight,
                        negative,
                        page,
                        row,
                        seg_index,
                        list(words),
                        bbox,
                        sim,
                        len(key),
                    )
                )
        return hits


def _index_without_currency(
    runs: dict[str, list[tuple[int, int, int, int, int]]], keys: list[str], where: tuple[int, int, int], char: str
) -> None:
    """Index the runs of a segment that hold a currency code inside ("Montant EUR HT") without the code: those
    whose key starts with ``char``."""
    blanked = ["" if k in LABEL_CURRENCIES else k for k in keys]
    n = len(keys)
    for a in range(n):
        if not blanked[a].startswith(char):
            continue
        acc, skipped = "", False
        for b in range(a, min(a + _MAX_WORDS, n)):
            skipped |= not blanked[b] and bool(keys[b])
            acc += blanked[b]
            if len(acc) > MAX_RUN_CHARS:
                break
            if blanked[b] and skipped:
                runs[acc].append((*where, a, b))


_DIGIT = re.compile(r"\d")


def has_digit(text: str) -> bool:
    """Whether a text holds a digit."""
    return _DIGIT.search(text) is not None


@lru_cache(maxsize=8192)
def _phrase_key(phrase: str) -> str:
    return word_key(phrase)


@lru_cache(maxsize=8192)
def _phrase_parts(phrase: str) -> list[str]:
    return [k for k in (word_key(p) for p in phrase.split()) if k]


def resolve_overlaps(hits: list[LabelHit]) -> list[LabelHit]:
    """Drop hits whose words are part of a longer hit of another field or of a negative phrase.

    Args:
        hits: Positive and negative hits of all fields.

    Returns:
        The hits that keep their words: for each field the longest phrase claims overlapping words.

    A positive "Total" inside "Total HT" (another field's label) or inside "Due Date" (a negative phrase of
    this field) is dropped; a hit of the same field is dropped when a longer hit of that field covers it.
    Hits are compared as classes of equal hits (same words, key length, similarity and sign), whatever the
    number of fields that share them, so the cost follows the document's labels, not the workflow's size.
    """
    classes: dict[tuple[Any, ...], _HitClass] = {}
    for h in hits:
        key = (h.page, tuple(h.words), h.key_length, h.similarity, h.negative)
        found = classes.get(key)
        if found is None:
            found = classes[key] = _HitClass(h)
        found.add_field(h.field)
    by_word: dict[tuple[int, int], list[_HitClass]] = defaultdict(list)
    for c in classes.values():
        for w in c.words:
            by_word[(c.page, w)].append(c)
    kept = []
    for h in hits:
        c = classes[(h.page, tuple(h.words), h.key_length, h.similarity, h.negative)]
        if c.beaten_except is None:
            c.judge(by_word)
        if not (c.beaten_all or (c.beaten_except and h.field != c.beaten_except)):
            kept.append(h)
    return kept


class _HitClass:
    """Equal hits of one or more fields, and whether a longer hit beats them (decided once for all of them)."""

    def __init__(self, h: LabelHit) -> None:
        self.page, self.words, self.negative = h.page, set(h.words), h.negative
        self.key_length, self.similarity, self.size = h.key_length, h.similarity, len(h.words)
        self.fields: list[str] = []  # the first two distinct fields: enough to know "another field than mine"
        self.beaten_all = False
        self.beaten_except: str | None = None  # after judge(): "" or the one field a negative class spares

    def add_field(self, field: str) -> None:
        if len(self.fields) < 2 and field not in self.fields:
            self.fields.append(field)

    def longer(self, other: _HitClass) -> bool:
        """Whether ``other`` covers these words with a longer phrase."""
        if not self.words <= other.words:
            return False
        return (other.key_length > self.key_length and other.similarity >= self.similarity) or (
            other.key_length == self.key_length and other.size > self.size
        )

    def judge(self, by_word: dict[tuple[int, int], list[_HitClass]]) -> None:
        others = {id(o): o for w in self.words for o in by_word[(self.page, w)]}.values()
        beaters = [o for o in others if o is not self and self.longer(o)]
        self.beaten_except = ""
        if not self.negative:
            self.beaten_all = bool(beaters)  # a longer hit of any field, positive or negative, claims the words
            return
        # A negative phrase yields only to a positive hit, or to another field's (longer) negative phrase.
        spared = {o.fields[0] for o in beaters if o.negative and len(o.fields) == 1}
        if any(not o.negative or len(o.fields) > 1 for o in beaters) or len(spared) > 1:
            self.beaten_all = True
        elif spared:
            self.beaten_except = spared.pop()


def qualify(layout: DocumentLayout, h: LabelHit, concept: str | None) -> LabelHit:
    """A short label weighed by the words before it on its row.

    Short labels ("vom", "du", "Date", "Nr.") take their meaning from the words before them in the same cell:
    "Rechnung Nr. 4711 vom 05.03.2018" is the invoice date, "Bestellung vom 01.03.2018" the order date. Words
    of the concept's own family (``core.vocabulary.concepts.FAMILY_STEMS``) raise its weight, another family's
    lower it.
    """
    if h.negative or h.key_length > SHORT_LABEL:
        return h
    pl = layout.pages[h.page]
    row = pl.rows[h.row]
    before = [
        pl.keys[w] for w in row.words if pl.page.words[w].bbox[2] <= h.bbox[0] + EDGE_TOLERANCE and w not in h.words
    ]
    if not before:
        return h
    own = BY_KEY[concept].family if concept is not None and concept in BY_KEY else None
    factor = 1.0
    for fam, stems in FAMILY_STEMS.items():
        if any(k.startswith(st) or (len(st) > MIN_INNER_STEM and st in k) for k in before for st in stems):
            factor = max(factor, OWN_FAMILY_FACTOR) if fam == own else min(factor, OTHER_FAMILY_FACTOR)
    if factor == 1.0 and own is not None and h.key_length <= PREPOSITION_LENGTH:
        factor = UNQUALIFIED_FACTOR  # a preposition after words of no family: part of a phrase, not a label
    if factor == 1.0:
        return h
    return dataclasses.replace(h, weight=h.weight * factor)
