"""Values from a closed set: currency codes (from codes, symbols and names), booleans (yes/no words and
checkbox marks next to a label) and enum values (fuzzy matches of the allowed values).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from core.extraction.citations import citations_from_words, words_confidence
from core.extraction.local.candidates import Candidate
from core.extraction.local.confidence import Evidence, EvidenceKind, evidence_ocr
from core.extraction.local.labels import LabelHit
from core.extraction.local.layout import EDGE_TOLERANCE, DocumentLayout
from core.extraction.local.scoring import score_candidates
from core.extraction.local.selection import Pick
from core.normalize import match_enum, normalize_string, parse_boolean
from core.schema import Field
from core.vocabulary.marks import CHECKBOXES, UNCHECKED

__all__ = ["pick_currency", "pick_boolean", "pick_enum"]

# Scores (0..1, the ``Evidence`` of the pick) and reaches. Tuned on the development sets.
LABELLED_CURRENCY_SCORE = 0.5
"""A currency mark a label explains at least this well wins over the most frequent one."""
FREQUENT_CURRENCY_SCORE = 0.4
"""The score of the most frequent currency mark ..."""
FREQUENT_CURRENCY_WEIGHT = 0.5
"""... plus this times its share of all marks printed."""
OTHER_CURRENCY_FACTOR = 0.8
"""Another currency printed too is a rival value scoring this share of the chosen one."""
VERTICAL_WEIGHT = 3
"""A PDF point of vertical distance from a label counts as this many horizontal ones (a yes/no word on the
label's line before one under it)."""
DISTANCE_SCALE = 100
"""PDF points from a label at which a yes/no word's score is halved."""
CHECKBOX_REACH = 3
"""Body line heights left of a label within which a checkbox mark is its box."""
ENUM_ROWS = 3
"""Rows read for an allowed value: the label's and the two below it."""
ENUM_BELOW_FACTOR = 0.8
"""Factor for an allowed value below its label rather than beside it."""
ENUM_EXACT_SCORE = 0.45
"""An allowed value printed as a word of its own, with no label."""
ENUM_ANYWHERE_CUTOFF = 92.0
"""Without a label, a cell matches an allowed value at this fuzzy score (0-100) or more: nearly exact."""
ENUM_CLOSE_SCORE = 0.4
"""Such a cell's score."""


def pick_currency(layout: DocumentLayout, cands: list[Candidate], positives: list[LabelHit]) -> Pick:
    """The currency: a labelled code ("Währung: EUR"), else the most frequent code or symbol."""
    if not cands:
        return Pick(reason="no currency code or symbol printed")
    scored = score_candidates(layout, cands, positives, [], [])
    if scored and scored[0].score >= LABELLED_CURRENCY_SCORE:
        return _currency_pick(layout, scored[0].candidate, scored[0].reason, scored[0].score, cands, "label")
    counts = Counter(c.value for c in cands)
    # Codes count double: "USD" is unambiguous where "$" may be another dollar.
    for c in cands:
        if re.fullmatch(r"[A-Z]{3}", c.text.strip()):
            counts[c.value] += 1
    code, n = counts.most_common(1)[0]
    first = next(c for c in cands if c.value == code)
    return _currency_pick(
        layout,
        first,
        f"most frequent currency mark ({n}x)",
        FREQUENT_CURRENCY_SCORE + FREQUENT_CURRENCY_WEIGHT * n / sum(counts.values()),
        cands,
        "derived",
    )


def _currency_pick(
    layout: DocumentLayout, c: Candidate, reason: str, score: float, cands: list[Candidate], kind: EvidenceKind
) -> Pick:
    page = layout.pages[c.page].page
    cites = citations_from_words(page, c.words)
    note = None
    if c.text.strip().upper() != c.value:
        note = f"derived from the symbol '{c.text.strip()}' printed on page {page.number}"
    if note is not None:
        kind = "derived"
    # Another currency printed too is a rival value.
    others = {x.value for x in cands} - {c.value}
    rival = score * OTHER_CURRENCY_FACTOR if others else 0.0
    ocr = words_confidence(page, c.words)
    evidence = Evidence(kind, score, rival, evidence_ocr(page, ocr))
    return Pick(c.value, None, cites, ocr, reason, note, evidence=evidence)


def _word_pick(
    layout: DocumentLayout,
    value: Any,
    score: float,
    page_i: int,
    words: list[int],
    reason: str,
    kind: EvidenceKind = "label",
) -> Pick:
    """A value read from words on one page, with no rival value to compare against."""
    page = layout.pages[page_i].page
    ocr = words_confidence(page, words)
    evidence = Evidence(kind, score, ocr=evidence_ocr(page, ocr))
    return Pick(value, None, citations_from_words(page, words), ocr, reason, evidence=evidence)


def pick_boolean(layout: DocumentLayout, positives: list[LabelHit]) -> Pick:
    """A yes/no word or a checkbox mark next to one of the field's labels."""
    best: tuple[float, bool, list[int], int, str] | None = None
    for h in positives:
        pl = layout.pages[h.page]
        near = [i for r in pl.rows[max(h.row - 0, 0) : h.row + 2] for i in r.words]
        for i in near:
            w = pl.page.words[i]
            if i in h.words:
                continue
            value = parse_boolean(w.text)
            if value is None:
                continue
            dist = abs(w.bbox[0] - h.bbox[2]) + VERTICAL_WEIGHT * abs(w.bbox[1] - h.bbox[1])
            score = h.strength / (1 + dist / DISTANCE_SCALE)
            if best is None or score > best[0]:
                best = (score, value, [i], h.page, f"'{w.text}' next to label '{h.phrase}'")
        # A checkbox mark just left of the label ("☒ Paid").
        for i in pl.rows[h.row].words:
            w = pl.page.words[i]
            if (
                w.bbox[2] <= h.bbox[0] + EDGE_TOLERANCE
                and h.bbox[0] - w.bbox[2] < CHECKBOX_REACH * pl.body_height
                and w.text.strip() in CHECKBOXES
            ):
                value = w.text.strip() not in UNCHECKED
                score = h.strength
                if best is None or score > best[0]:
                    best = (score, value, [i], h.page, f"checkbox '{w.text}' before label '{h.phrase}'")
    if best is None:
        return Pick(reason="no yes/no word or checkbox next to a label")
    score, value, words, page_i, reason = best
    return _word_pick(layout, value, score, page_i, words, reason)


def pick_enum(layout: DocumentLayout, f: Field, positives: list[LabelHit]) -> Pick:
    """An allowed value (fuzzy) next to a label, else one printed anywhere."""
    options: list[tuple[float, Any, int, list[int], str]] = []
    for h in positives:
        pl = layout.pages[h.page]
        for r in pl.rows[h.row : h.row + ENUM_ROWS]:
            for seg in r.segments:
                words = [w for w in seg.words if w not in h.words and pl.page.words[w].bbox[0] >= h.bbox[0] - 1]
                text = " ".join(pl.page.words[w].text for w in words)
                value = match_enum(text, f.values) if text else None
                if value is not None:
                    options.append(
                        (
                            h.strength * (1.0 if r.index == h.row else ENUM_BELOW_FACTOR),
                            value,
                            h.page,
                            words,
                            f"'{text}' next to label '{h.phrase}'",
                        )
                    )
    kind: EvidenceKind = "label"
    if not options:
        options, kind = _enum_anywhere(layout, f), "prior"
    if not options:
        return Pick(reason="none of the allowed values is printed")
    score, value, page_i, words, reason = max(options, key=lambda o: o[0])
    return _word_pick(layout, value, score, page_i, words, reason, kind)


def _enum_anywhere(layout: DocumentLayout, f: Field) -> list[tuple[float, Any, int, list[int], str]]:
    """Without a label: the first word printed exactly as an allowed value, else the first close cell."""
    exact = {normalize_string(v): v for v in f.values}
    for pl in layout.pages:
        for r in pl.rows:
            for w in r.words:
                key = normalize_string(pl.page.words[w].text.strip(".,:;()"))
                if key in exact:
                    return [
                        (ENUM_EXACT_SCORE, exact[key], pl.index, [w], f"'{pl.page.words[w].text}' is an allowed value")
                    ]
    for pl in layout.pages:
        for r in pl.rows:
            for seg in r.segments:
                value = match_enum(seg.text, f.values, cutoff=ENUM_ANYWHERE_CUTOFF)
                if value is not None:
                    return [(ENUM_CLOSE_SCORE, value, pl.index, seg.words, f"'{seg.text}' matches the allowed value")]
    return []
