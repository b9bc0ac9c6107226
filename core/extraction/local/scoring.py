"""Scoring a candidate for a field: label proximity on the page, negative labels, rival fields, location.

Proximity of a value to a label (1.0 best):

- same row, to the right: 1.0 in the label's own segment, 0.95 in the next, less further away; halved for
  each value of the same kind in between (the nearest value belongs to the label);
- rows below, aligned with the label (a table header over its column, a label over its value): 0.8 for the
  next row, times 0.75 per row in between, up to eight rows;
- words between the label and the value (other than ":" "#" "No.") mean the label says something more
  ("Gesamtbetrag der Zuschläge"): times 0.5.

A field's score for a candidate is its best positive proximity times the label's strength (weight x
similarity); a negative label (from "Not the ...") or another field's label that explains the candidate at
least as well cuts it down.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.extraction.local.candidates import Candidate
from core.extraction.local.labels import LabelHit
from core.extraction.local.layout import EDGE_TOLERANCE, DocumentLayout, PageLayout
from core.vocabulary.marks import LABEL_FILLER

__all__ = ["Proximity", "SameKind", "proximity", "ScoredCandidate", "score_candidates"]

# Proximity scores (0..1, see the module docstring) and the factors that lower them. The layout of a label and
# its value is what they encode; the exact values were tuned on the development sets.
NEXT_SEGMENT_SCORE = 0.95
"""A value in the segment right after its label's (the label's own segment scores 1.0)."""
SEGMENT_STEP = 0.12
"""Less per further segment between the label and the value."""
FAR_SEGMENT_SCORE = 0.5
"""The least a value on the label's row scores for being segments away."""
DISTANCE_PENALTY = 0.15
"""Less for a value a page width right of its label (proportionally less for nearer ones)."""
VALUE_BETWEEN_FACTOR = 0.45
"""Factor per value of the same kind between a label and a value on its row (the nearer value is the label's)."""
WORDS_BETWEEN_FACTOR = 0.5
"""Factor for words between a label and its value: the label says something more ("Gesamtbetrag der ...")."""
MANY_WORDS = 3
"""From this many words between them on, the label belongs to a phrase rather than to the value ..."""
MANY_WORDS_BETWEEN_FACTOR = 0.3
"""... and the factor is this."""
CONTINUED_SCORE = 0.85
"""A value alone on the line after a label that ends its line (a sentence wrapped after its label)."""
LABEL_REACH_ROWS = 9
"""A label explains values at most this many rows below it (up to eight rows in between: a table header over
a column of a few items)."""
BELOW_REACH = 12
"""... and at most this many body line heights below it."""
BELOW_ALIGN = 2
"""Body line heights by which a value below a label may start or end left or right of it and still be aligned."""
BELOW_SCORE = 0.8
"""A value on the row right below its label, aligned with it."""
BELOW_ROW_DECAY = 0.75
"""Factor per row between them."""
SENTENCE_INDENT = 3
"""Body line heights a value's segment may start left of the label (not overlapping it) before the value is
read as the end of a longer sentence ..."""
SENTENCE_FACTOR = 0.5
"""... which scores this factor less."""
VALUE_BETWEEN_BELOW_FACTOR = 0.5
"""Factor per value of the same kind in the column between a label and a value below it."""
VALUE_RIGHT_FACTOR = 0.5
"""Factor for a value below a label that has a value of its own to its right."""
NEGATIVE_MARGIN = 0.9
"""A negative label explaining a candidate at least this share as well as the field's label ..."""
NEGATIVE_FACTOR = 0.25
"""... cuts its score to this share."""
RIVAL_MARGIN = 1.05
"""Another field's label explaining a candidate more than this many times as well as the field's label ..."""
RIVAL_FACTOR = 0.4
"""... cuts its score to this share."""


class SameKind:
    """Candidates of one kind by (page, row): ``proximity`` looks at a few rows instead of every candidate."""

    def __init__(self, candidates: Sequence[Candidate]) -> None:
        self._rows: dict[tuple[int, int], list[Candidate]] = {}
        for c in candidates:
            self._rows.setdefault((c.page, c.row), []).append(c)

    def on_row(self, page: int, row: int) -> list[Candidate]:
        """The candidates on one row, left to right as given."""
        return self._rows.get((page, row), [])


@dataclass(frozen=True)
class Proximity:
    """How well a label explains a candidate, and how (for the reasoning insight)."""

    score: float
    relation: str


def _between_words(layout: DocumentLayout, hit: LabelHit, cand_words: Sequence[int], row: int) -> list[str]:
    pl = layout.pages[hit.page]
    r = pl.rows[row]
    x_from = hit.bbox[2]
    x_to = min(pl.page.words[i].bbox[0] for i in cand_words)
    hs = set(hit.words) | set(cand_words)
    return [
        pl.page.words[i].text
        for i in r.words
        if i not in hs
        and pl.page.words[i].bbox[0] >= x_from - EDGE_TOLERANCE
        and pl.page.words[i].bbox[2] <= x_to + EDGE_TOLERANCE
    ]


def proximity(
    layout: DocumentLayout, hit: LabelHit, cand: Candidate, same_kind: Sequence[Candidate] | SameKind = ()
) -> Proximity:
    """How well a label hit explains a candidate's position.

    Args:
        layout: The document layout.
        hit: Where the label is.
        cand: The candidate value.
        same_kind: Other candidates of the same kind (to prefer the nearest one), as a list or indexed by
            row (``SameKind``, built once when many pairs are scored).

    Returns:
        The proximity score (0 when unrelated) and a short description of the relation.
    """
    if hit.page != cand.page or set(hit.words) & set(cand.words):
        return Proximity(0.0, "")
    rows = same_kind if isinstance(same_kind, SameKind) else SameKind(same_kind)
    pl = layout.pages[hit.page]
    if cand.row == hit.row:
        return _same_row(layout, hit, cand, rows)
    if cand.row == hit.row + 1 and _continues(pl, hit, cand, rows):
        return Proximity(CONTINUED_SCORE, "continued on the next line")
    if cand.row > hit.row:
        return _below(pl, hit, cand, rows)
    return Proximity(0.0, "")


def _same_row(layout: DocumentLayout, hit: LabelHit, cand: Candidate, rows: SameKind) -> Proximity:
    """A value right of its label: nearer segments and no value or word in between score higher."""
    if cand.bbox[0] < hit.bbox[2] - 1:
        return Proximity(0.0, "")
    pl = layout.pages[hit.page]
    gap_segments = cand.segment - hit.segment
    score = (
        1.0
        if gap_segments == 0
        else NEXT_SEGMENT_SCORE
        if gap_segments == 1
        else max(NEXT_SEGMENT_SCORE - SEGMENT_STEP * (gap_segments - 1), FAR_SEGMENT_SCORE)
    )
    dx = cand.bbox[0] - hit.bbox[2]
    score *= 1.0 - DISTANCE_PENALTY * min(dx / max(pl.width, 1.0), 1.0)
    between = [
        c
        for c in rows.on_row(cand.page, cand.row)
        if hit.bbox[2] <= c.bbox[0] < cand.bbox[0] and c is not cand and not set(c.words) & set(cand.words)
    ]
    score *= VALUE_BETWEEN_FACTOR ** len(between)
    extra = [
        w
        for w in _between_words(layout, hit, cand.words, cand.row)
        if not LABEL_FILLER.match(w) and not any(ch.isdigit() for ch in w)
    ]
    if extra:
        score *= WORDS_BETWEEN_FACTOR if len(extra) < MANY_WORDS else MANY_WORDS_BETWEEN_FACTOR
    return Proximity(score, "on the same line")


def _continues(pl: PageLayout, hit: LabelHit, cand: Candidate, rows: SameKind) -> bool:
    """A sentence wrapped after its label: "... Nr. 4711 vom" / "05.03.2018" (the value alone on its row)."""
    label_row, cand_row = pl.rows[hit.row], pl.rows[cand.row]
    alone = not any(c is not cand for c in rows.on_row(cand.page, cand.row))
    return (
        label_row.words[-1] == hit.words[-1]
        and cand_row.words[0] == cand.words[0]
        and cand.bbox[0] < hit.bbox[0]
        and alone
    )


def _below(pl: PageLayout, hit: LabelHit, cand: Candidate, rows: SameKind) -> Proximity:
    """A value on a row below its label, aligned with it (a label over its value, a header over its column)."""
    k = cand.row - hit.row - 1
    cand_row = pl.rows[cand.row]
    dy = cand.bbox[1] - hit.bbox[3]
    if k > LABEL_REACH_ROWS - 1 or dy > BELOW_REACH * pl.body_height:
        return Proximity(0.0, "")
    hx0, hx1 = hit.bbox[0], hit.bbox[2]
    cx0, cx1 = cand.bbox[0], cand.bbox[2]
    overlap = min(hx1, cx1) - max(hx0, cx0)
    aligned = (
        overlap > 0 or abs(cx0 - hx0) < BELOW_ALIGN * pl.body_height or abs(cx1 - hx1) < BELOW_ALIGN * pl.body_height
    )
    if not aligned:
        return Proximity(0.0, "")
    # The value should sit in its own cell, not at the end of a longer sentence.
    seg = cand_row.segments[cand.segment]
    score = BELOW_SCORE * (BELOW_ROW_DECAY**k)
    if seg.bbox[0] < hx0 - SENTENCE_INDENT * pl.body_height and overlap <= 0:
        score *= SENTENCE_FACTOR
    between = [
        c
        for r in range(hit.row + 1, cand.row)
        for c in rows.on_row(cand.page, r)
        if min(hx1, c.bbox[2]) - max(hx0, c.bbox[0]) > 0
    ]
    score *= VALUE_BETWEEN_BELOW_FACTOR ** len(between)
    # A label with its own value to the right on its row is less likely to head the value below.
    right = [c for c in rows.on_row(cand.page, hit.row) if c.bbox[0] >= hit.bbox[2]]
    if right:
        score *= VALUE_RIGHT_FACTOR
    return Proximity(score, "below" if k == 0 else f"{k + 1} lines below")


@dataclass
class ScoredCandidate:
    """A candidate with its score for one field and the label that explains it (if any)."""

    candidate: Candidate
    score: float
    hit: LabelHit | None
    reason: str
    rival: float = 0.0
    """The score of a rival no label explains either (a prior's: another value of its kind is printed)."""


def score_candidates(
    layout: DocumentLayout,
    candidates: Sequence[Candidate],
    positives: Sequence[LabelHit],
    negatives: Sequence[LabelHit],
    rivals: Sequence[LabelHit],
) -> list[ScoredCandidate]:
    """Score each candidate by its best label, minus what negative labels and rival fields' labels explain.

    Args:
        layout: The document layout.
        candidates: Candidates of the field's kind, in reading order.
        positives: The field's own label hits.
        negatives: Hits of its "not the ..." phrases.
        rivals: Label hits of the workflow's other fields of a compatible type.

    Returns:
        Candidates with a positive score, best first (ties keep reading order).
    """
    out: list[ScoredCandidate] = []
    if not positives:
        return out
    same_kind = SameKind(candidates)
    for cand in candidates:
        best, best_hit, best_rel = _best_label(layout, cand, positives, same_kind)
        if best <= 0 or best_hit is None:
            continue
        neg = max(
            (
                proximity(layout, h, cand, same_kind).score * h.strength
                for h in negatives
                if h.page == cand.page and 0 <= cand.row - h.row <= LABEL_REACH_ROWS
            ),
            default=0.0,
        )
        riv, riv_hit = _best_rival(layout, cand, best_hit, rivals, same_kind)
        score = best
        reason = f"label '{best_hit.phrase}' {best_rel}" if best_hit.phrase else best_rel
        if neg >= best * NEGATIVE_MARGIN:
            score *= NEGATIVE_FACTOR
            reason += "; closer to a label it should not be"
        elif riv > best * RIVAL_MARGIN and riv_hit is not None:
            score *= RIVAL_FACTOR
            reason += f"; but nearer to '{riv_hit.phrase}' of field {riv_hit.field}"
        out.append(ScoredCandidate(cand, score, best_hit, reason))
    out.sort(key=lambda s: -s.score)
    return out


def _best_label(
    layout: DocumentLayout, cand: Candidate, positives: Sequence[LabelHit], same_kind: SameKind
) -> tuple[float, LabelHit | None, str]:
    """The field's label that explains the candidate best: its score (proximity x strength), hit, relation."""
    best, best_hit, best_rel = 0.0, None, ""
    for h in positives:
        if h.page != cand.page or h.row > cand.row or cand.row - h.row > LABEL_REACH_ROWS:
            continue
        p = proximity(layout, h, cand, same_kind)
        s = p.score * h.strength
        if s > best:
            best, best_hit, best_rel = s, h, p.relation
    return best, best_hit, best_rel


def _best_rival(
    layout: DocumentLayout, cand: Candidate, own: LabelHit, rivals: Sequence[LabelHit], same_kind: SameKind
) -> tuple[float, LabelHit | None]:
    """Another field's label that explains the candidate best, outside the field's own label cell."""
    riv, riv_hit = 0.0, None
    own_cell = (own.page, own.row, own.segment)
    for h in rivals:
        # Another field's word inside this label's own cell qualifies it ("Summe netto (excl. USt.)").
        if (h.page, h.row, h.segment) == own_cell:
            continue
        if h.page == cand.page and 0 <= cand.row - h.row <= LABEL_REACH_ROWS:
            s = proximity(layout, h, cand, same_kind).score * h.strength
            if s > riv:
                riv, riv_hit = s, h
    return riv, riv_hit
