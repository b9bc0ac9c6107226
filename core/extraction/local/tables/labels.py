"""Header labels against item fields: the cues a field's description gives, the column labels of
``core.vocabulary.columns``, and fuzzy scores (rapidfuzz) of a printed column label against both.

``tables.detect`` uses these to find header rows; changing a field's description changes the column it gets.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from core.extraction.local.cues import quoted_labels
from core.schema import Field
from core.vocabulary.columns import COLUMN_LABELS

if TYPE_CHECKING:
    from core.extraction.local.tables.detect import Column

__all__ = [
    "MATCH_THRESHOLD",
    "NUMERIC_TYPES",
    "normalize_label",
    "field_concept",
    "field_cues",
    "label_score",
    "LabelMatcher",
    "matcher_for",
]

NUMERIC_TYPES = frozenset({"number", "integer"})
_PAREN = re.compile(r"\(([^()]{1,80})\)")
MATCH_THRESHOLD = 72.0
"""A header label matches a cue at this fuzzy score (0-100) or more: about one letter in four may differ (OCR
errors, inflections). Tuned on the development sets."""
NAME_CONCEPT_SCORE = 85
"""A field's name alone gives its column concept at this fuzzy score (0-100) against a column label or more."""
COLUMN_LABEL_WEIGHT = 0.9
"""Weight of a concept's column labels as cues, below the field's own name and description cues (1.0)."""
# A cue that is a whole word of a label scores ``WHOLE_WORD_SCORE`` plus up to ``WHOLE_WORD_RANGE`` by the share
# of the label it covers; a cue inside a compound word ("Positionsbetrag") ``COMPOUND_SCORE`` plus up to
# ``COMPOUND_RANGE``: both above ``MATCH_THRESHOLD`` when the cue is most of the label.
WHOLE_WORD_SCORE = 80
WHOLE_WORD_RANGE = 20
COMPOUND_SCORE = 70
COMPOUND_RANGE = 30
MIN_COMPOUND_CUE = 4
"""Cues shorter than this many characters are not looked for inside compound words (too many false hits)."""
OTHER_CONCEPT_MARGIN = 0.9
"""A label reading more like another column concept: that concept's score times this above the field's ..."""
OTHER_CONCEPT_FACTOR = 0.6
"""... lowers the field's score by this factor (a VAT rate column is not the unit price)."""


_HYPHEN_BREAK = re.compile(r"-\s+")
_LABEL_PUNCT = re.compile(r"[.:;*_\[\]()]+")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=65536)  # the same header words recur on every page and in every field's search
def normalize_label(text: str) -> str:
    """Casefolded, accent-free label text with hyphenated line breaks joined.

    >>> normalize_label("Qté.")
    'qte'
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().replace("ß", "ss")
    text = _HYPHEN_BREAK.sub("", text)
    text = _LABEL_PUNCT.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def field_concept(item: Field) -> str | None:
    """The column concept (``quantity``, ``unit_price``...) an item field stands for, or None."""
    return _concept(item.name, item.description)


@lru_cache(maxsize=4096)  # asked for every item field on every document; depends on name and description only
def _concept(field_name: str, description: str) -> str | None:
    name = normalize_label(field_name.replace("_", " "))
    best, best_score = None, 0.0
    for concept, words in COLUMN_LABELS.items():
        for cand in (concept.replace("_", " "), *words):
            score = fuzz.ratio(name, cand)
            if score > best_score:
                best, best_score = concept, score
    if best_score >= NAME_CONCEPT_SCORE:
        return best
    for cue in _description_cues(description):
        for concept, words in COLUMN_LABELS.items():
            if cue in words:
                return concept
    # Otherwise the concept whose words the description uses most ("Product name" -> description).
    text = f" {normalize_label(description)} "
    hits = {c: sum(f" {w} " in text for w in (c.replace("_", " "), *ws)) for c, ws in COLUMN_LABELS.items()}
    concept = max(hits, key=lambda c: hits[c])
    return concept if hits[concept] and list(hits.values()).count(hits[concept]) == 1 else None


def _description_cues(description: str) -> list[str]:
    cues: list[str] = []
    for group in _PAREN.findall(description) + quoted_labels(description):
        for part in re.split(r"[,;/]| or | oder | ou ", group):
            part = normalize_label(part)
            if part and not re.fullmatch(r"[\d %]+", part):
                cues.append(part)
    return cues


def field_cues(item: Field) -> list[tuple[str, float]]:
    """Label cues of an item field with their weight: description cues and name 1.0, column labels 0.9."""
    cues = [(c, 1.0) for c in _description_cues(item.description)]
    cues.append((normalize_label(item.name.replace("_", " ")), 1.0))
    concept = field_concept(item)
    if concept:
        cues.extend((s, COLUMN_LABEL_WEIGHT) for s in COLUMN_LABELS[concept])
    return cues


def label_score(label: str, cue: str) -> float:
    """How well a header label matches a cue, 0-100 (whole-label fuzz or the cue inside a compound)."""
    if not label or not cue:
        return 0.0
    score = fuzz.ratio(label, cue) if min(len(label), len(cue)) > 2 else (100.0 if label == cue else 0.0)
    tokens = label.split()
    if cue in tokens:
        score = max(score, WHOLE_WORD_SCORE + WHOLE_WORD_RANGE * len(cue) / len(label))
    elif len(cue) >= MIN_COMPOUND_CUE and cue in label.replace(" ", ""):
        score = max(score, COMPOUND_SCORE + COMPOUND_RANGE * len(cue) / len(label.replace(" ", "")))
    return float(score)


class LabelMatcher:
    """Scores header labels against the item fields' cues, remembering each label it has seen."""

    def __init__(self, items: list[Field]) -> None:
        self.items = items
        self.concepts = {f.name: field_concept(f) for f in items}
        # One list of every cue, scored against a label in one rapidfuzz call; then grouped back.
        self.cues: list[str] = sorted({w for words in COLUMN_LABELS.values() for w in words})
        self.cues += sorted({c for f in items for c, _ in field_cues(f)} - set(self.cues))
        index = {c: i for i, c in enumerate(self.cues)}
        self.by_concept = {name: [index[w] for w in words] for name, words in COLUMN_LABELS.items()}
        self.by_field = {f.name: [(index[c], wt) for c, wt in field_cues(f)] for f in items}
        self._short_cues = [i for i, c in enumerate(self.cues) if len(c) <= 2]
        self._seen: dict[str, tuple[str | None, dict[str, float]]] = {}

    def _cue_scores(self, label: str) -> list[float]:
        scores: list[float] = process.cdist([label], self.cues, scorer=fuzz.ratio)[0].tolist()
        # Labels or cues of one or two letters count only when equal (fuzz.ratio says little about them).
        short = range(len(self.cues)) if len(label) <= 2 else self._short_cues
        for i in short:
            scores[i] = 100.0 if label == self.cues[i] else 0.0
        # Cues inside the label (a compound such as "Positionsbetrag") get the compound rule of label_score.
        for i, cue in enumerate(self.cues):
            if cue in label:
                scores[i] = label_score(label, cue)
        return scores

    def scores(self, raw_label: str) -> tuple[str | None, dict[str, float]]:
        """The label's closest column concept and its score per item field (0-100)."""
        label = normalize_label(raw_label)
        if label in self._seen:
            return self._seen[label]
        if len(self._seen) > 50_000:  # a long-lived process reading many documents
            self._seen.clear()
        concept, best_other = None, 0.0
        out: dict[str, float] = {}
        if label and not re.search(r"\d", label):
            cue_scores = self._cue_scores(label)
            for name, idx in self.by_concept.items():
                s = max(cue_scores[i] for i in idx)
                if s > best_other:
                    best_other, concept = s, name
            for f in self.items:
                s = max(cue_scores[i] * wt for i, wt in self.by_field[f.name])
                # A column that reads more like another kind (VAT rate, position) than this field is not it.
                if concept and concept != self.concepts[f.name] and best_other * OTHER_CONCEPT_MARGIN > s + 1:
                    s *= OTHER_CONCEPT_FACTOR
                out[f.name] = s
        self._seen[label] = (concept if best_other >= MATCH_THRESHOLD else None, out)
        return self._seen[label]

    def match(self, columns: list[Column]) -> float:
        """Assign item fields to columns (best scores first, one each); returns the summed score."""
        pairs: list[tuple[float, int, str]] = []
        for ci, col in enumerate(columns):
            col.concept, by_field = self.scores(col.label)
            pairs.extend((s, ci, name) for name, s in by_field.items() if s >= MATCH_THRESHOLD)
        total, used_cols, used_fields = 0.0, set(), set()
        for s, ci, name in sorted(pairs, reverse=True):
            if ci in used_cols or name in used_fields:
                continue
            columns[ci].field, columns[ci].score = name, s
            used_cols.add(ci)
            used_fields.add(name)
            total += s / 100
        return total


_MATCHERS: dict[tuple[tuple[str, str, str], ...], LabelMatcher] = {}


def matcher_for(items: list[Field]) -> LabelMatcher:
    """A matcher per set of item fields, kept (a few) so labels seen on earlier pages are not scored again."""
    key = tuple((f.name, f.type, f.description) for f in items)
    if key not in _MATCHERS:
        if len(_MATCHERS) >= 16:
            _MATCHERS.pop(next(iter(_MATCHERS)))
        _MATCHERS[key] = LabelMatcher(items)
    return _MATCHERS[key]
