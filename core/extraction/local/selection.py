"""Choosing among scored candidates: description cues (location, selection, examples), priors when no label
explains anything, sum rows under column headers, net + tax = total, and "often equal to" another field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from rapidfuzz import fuzz

from core.extraction.citations import citations_from_words, words_confidence
from core.extraction.local.candidates import CENT, Candidate
from core.extraction.local.confidence import Evidence, EvidenceKind, confidence, evidence_ocr
from core.extraction.local.cues import FieldCues, example_shape
from core.extraction.local.kinds import value_key
from core.extraction.local.labels import LabelHit
from core.extraction.local.layout import DocumentLayout
from core.extraction.local.scoring import LABEL_REACH_ROWS, ScoredCandidate
from core.results import Citation, FieldMetadata, Insight
from core.schema import Field
from core.vocabulary.summary import SUMMARY_CONCEPTS

__all__ = [
    "Pick",
    "pick_scored",
    "apply_cues",
    "prior_candidate",
    "prefer_sum_row",
    "reconcile",
    "apply_equal_to",
    "is_cell",
    "num",
]

# Description cues and priors: factors on a label's score. Tuned on the development sets.
TOP_AREA = 0.35
"""Share of the first page's height, from the top, that a "top" location cue means."""
BOTTOM_AREA = 0.6
"""Share of a page's height below which a "bottom" location cue holds."""
CUE_FACTOR = 1.1
"""Factor for a candidate where the description says it is (location) or shaped like its examples."""
NO_DECIMALS_FACTOR = 0.8
"""Factor for an amount without decimals (more often a count, a number or a year than money)."""
BARE_NUMBER_FACTOR = 0.6
"""Factor for a summary amount with neither decimals nor a currency ("Net 30" is payment terms)."""
LATER_BONUS = 0.03
"""Up to this share more for a summary amount later in the document (the totals come after the items)."""
TIE_STEP = 0.02
"""Scores are compared in steps of this size: near-ties (within about 2%) go to reading order."""
SELECTION_NEAR = 0.7
"""A selection cue ("the largest", "the first") chooses among candidates within this share of the best score."""
PRIOR_LARGEST_AMOUNT_SCORE = 0.32
"""The score of the largest amount as a total no label explains (below a weakly labelled value)."""
PRIOR_FIRST_SCORE = 0.3
"""The score of the first date or VAT id as one no label explains."""
PRIOR_RIVAL_SHARE = 0.5
"""Another value of the kind printed is a rival to a prior's choice at this share of its score: the prior
prefers the first date or the largest amount, but without a label that is a guess among them."""

# Sum rows and net + tax = total.
SUM_ROW_CANDIDATES = 4
"""The best candidates checked for a sum row under their column header."""
SUM_ROW_NEAR = 0.9
"""... those within this share of the best score."""
SUM_ROW_BONUS = 1.05
"""The row that sums the column above it scores this many times the best."""
RECONCILE_KEEP = 0.5
"""A consistent net, tax and total replaces the independent choices when it keeps this share of their score."""
MIN_OPTION_SCORE = 0.05
"""A value scored below this is no option for the sum."""
MAX_OPTIONS = 6
"""The distinct values of each field tried in the sum (6 x 6 x 6 triples at most)."""
PRINTED_AMOUNT_SCORE = 0.2
"""The score of a printed amount, unlabelled, that makes the sum hold."""

# "Often equal to" another field.
EQUAL_TO_SIMILARITY = 80
"""How well (rapidfuzz token-set ratio, 0-100) the description must name the other field."""


@dataclass
class Pick:
    """The value chosen for one field (or item), with its evidence.

    Given ``evidence``, the confidence is what ``core.extraction.local.confidence`` makes of it (and of the
    value); the ``confidence`` passed is then ignored.
    """

    value: Any = None
    confidence: float | None = None
    citations: list[Citation] = dc_field(default_factory=list)
    ocr_confidence: float | None = None
    reason: str = ""
    note: str | None = None
    by_label: bool = True
    evidence: Evidence | None = None

    def __post_init__(self) -> None:
        if self.evidence is not None and self.value is not None:
            self.confidence = round(confidence(self.evidence, self.value), 4)

    def metadata(self) -> FieldMetadata:
        """The pick as the result's metadata of its path: confidences, citations, the reason and any note."""
        insights = [Insight(type="reasoning", content=self.reason or "no value found")]
        if self.note:
            insights.append(Insight(type="note", content=self.note))
        return FieldMetadata(
            ocr_confidence=self.ocr_confidence, confidence=self.confidence, citations=self.citations, insights=insights
        )


def pick_scored(layout: DocumentLayout, best: ScoredCandidate, runner_up: float, value: Any) -> Pick:
    """The pick of a scored candidate as ``value``: by its label or, without one, by a prior, against the best
    other value's score or the prior's own rival (``ScoredCandidate.rival``)."""
    c = best.candidate
    page = layout.pages[c.page].page
    ocr = words_confidence(page, c.words)
    kind: EvidenceKind = "label" if best.hit is not None else "prior"
    evidence = Evidence(kind, best.score, max(runner_up, best.rival), evidence_ocr(page, ocr))
    cites = citations_from_words(page, c.words)
    return Pick(value, None, cites, ocr, best.reason, by_label=best.hit is not None, evidence=evidence)


def num(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def is_cell(layout: DocumentLayout, c: Candidate) -> bool:
    """Whether a candidate fills its segment (a table cell or a value after a label), not a sentence."""
    seg = layout.pages[c.page].rows[c.row].segments[c.segment]
    return len(seg.words) - len(c.words) <= 1


def apply_cues(layout: DocumentLayout, cues: FieldCues, scored: list[ScoredCandidate]) -> list[ScoredCandidate]:
    """Apply location, amount-format, example-shape and selection cues to scored candidates, best first."""
    if not scored:
        return scored
    for s in scored:
        c = s.candidate
        pl = layout.pages[c.page]
        rel_y = c.bbox[1] / max(pl.height, 1.0)
        if "top" in cues.location and c.page == 0 and rel_y < TOP_AREA:
            s.score *= CUE_FACTOR
        if "bottom" in cues.location and rel_y > BOTTOM_AREA:
            s.score *= CUE_FACTOR
        if c.kind == "amount":
            s.score *= 1.0 if c.flags.get("decimals") else NO_DECIMALS_FACTOR
            if cues.concept in SUMMARY_CONCEPTS and not c.flags.get("decimals") and not c.flags.get("currency"):
                s.score *= BARE_NUMBER_FACTOR  # "Net 30" is payment terms, not a net amount
            if cues.concept in SUMMARY_CONCEPTS:
                # Summary amounts come after the items: among equals, the later one is the invoice's.
                pos = (c.page + rel_y) / max(len(layout.pages), 1)
                s.score *= 1.0 + LATER_BONUS * pos
        shaped = cues.examples and c.kind in ("vat_id", "text")
        if shaped and any(example_shape(e).fullmatch(str(c.value)) for e in cues.examples):
            s.score *= CUE_FACTOR
    # Near-ties (within 2%) go to the first in reading order (the header before the small print), for
    # summary amounts to the last (the totals after the items).
    sign = -1 if cues.concept in SUMMARY_CONCEPTS else 1
    scored.sort(
        key=lambda s: (
            -round(s.score / TIE_STEP),
            sign * s.candidate.page,
            sign * s.candidate.row,
            s.candidate.x0,
        )
    )
    best = scored[0].score
    if cues.selection and best > 0:
        near = [s for s in scored if s.score >= best * SELECTION_NEAR]
        keys: dict[str, Callable[[ScoredCandidate], tuple[float, ...]]] = {
            "largest": lambda s: (-num(s.candidate.value),),
            "smallest": lambda s: (num(s.candidate.value),),
            "first": lambda s: (s.candidate.page, s.candidate.row, s.candidate.x0),
            "last": lambda s: (-s.candidate.page, -s.candidate.row, -s.candidate.x0),
        }
        chosen = sorted(near, key=keys[cues.selection])[0]
        scored.remove(chosen)
        scored.insert(0, chosen)
    return scored


def prior_candidate(
    layout: DocumentLayout, f: Field, cues: FieldCues, cands: list[Candidate], negatives: list[LabelHit]
) -> ScoredCandidate | None:
    """A weak guess when no label explains a value: the largest amount cell, the first date or VAT id."""
    if not cands:
        return None
    neg_rows = {(h.page, h.row) for h in negatives}
    usable = [c for c in cands if (c.page, c.row) not in neg_rows]
    if not usable:
        return None

    def guess(c: Candidate, pool: list[Candidate], score: float, reason: str) -> ScoredCandidate:
        others = any(value_key(x.value) != value_key(c.value) for x in pool)
        return ScoredCandidate(c, score, None, reason, rival=score * PRIOR_RIVAL_SHARE if others else 0.0)

    if cues.concept in ("total", "due_payable") or cues.selection == "largest":
        money = [c for c in usable if c.flags.get("decimals") and is_cell(layout, c)]
        if not money:
            return None
        best = max(money, key=lambda c: (num(c.value), -c.page))
        return guess(best, money, PRIOR_LARGEST_AMOUNT_SCORE, "largest amount in the document (no label found)")
    if cues.concept == "issue_date" or (cues.concept is None and f.type == "date"):
        first = min(usable, key=lambda c: (c.page, c.bbox[1], c.x0))
        return guess(first, usable, PRIOR_FIRST_SCORE, "first date in the document (no label found)")
    if cues.concept == "vat_id" or (cues.examples and cands[0].kind == "vat_id"):
        return guess(usable[0], usable, PRIOR_FIRST_SCORE, "first VAT identification number in the document")
    return None


def prefer_sum_row(
    layout: DocumentLayout, scored: list[ScoredCandidate], cands: list[Candidate]
) -> list[ScoredCandidate]:
    """Under a column header, a total is the row that sums the rows above it, not the first row."""
    top = scored[0].score
    for best in [s for s in scored[:SUM_ROW_CANDIDATES] if s.score >= top * SUM_ROW_NEAR]:
        h, c = best.hit, best.candidate
        if h is None or c.row <= h.row or c.page != h.page:
            continue
        column = [
            x
            for x in cands
            if x.page == c.page
            and h.row < x.row <= h.row + LABEL_REACH_ROWS
            and min(x.bbox[2], c.bbox[2]) - max(x.bbox[0], c.bbox[0]) > 0
        ]
        column.sort(key=lambda x: x.row)
        for k in range(len(column) - 1, 1, -1):
            total = sum(num(x.value) for x in column[:k])
            if abs(total - num(column[k].value)) < CENT:
                chosen = next((s for s in scored if s.candidate is column[k]), None)
                if chosen is None:
                    chosen = ScoredCandidate(column[k], best.score, h, best.reason)
                chosen.score = max(chosen.score, top * SUM_ROW_BONUS)
                chosen.reason = f"{best.reason}; the row that sums the column"
                return [chosen] + [s for s in scored if s is not chosen]
    return scored


def reconcile(
    layout: DocumentLayout,
    amounts: list[Candidate],
    pick_fn: Callable[[Field, list[ScoredCandidate]], Pick],
    fields: list[Field],
    cues: dict[str, FieldCues],
    picks: dict[str, Pick],
    trace: dict[str, list[ScoredCandidate]],
) -> None:
    """Make net + tax = total hold when the workflow has all three amounts and the page allows it.

    Each field keeps its few best-scored distinct values (a tax amount, or failing that a total, may also be
    any printed amount that makes the sum hold); the consistent triple with the highest summed score
    replaces the independent choices when it keeps at least half of their summed score.
    """
    by_concept = _sum_fields(fields, cues, trace)
    if by_concept is None:
        return
    options = {c: _distinct_options(trace[f.name]) for c, f in by_concept.items()}
    current = sum(
        trace[f.name][0].score if trace[f.name] and picks[f.name].value is not None else 0.0
        for f in by_concept.values()
    )
    tax_pool = {round(num(c.value), 2): c for c in reversed(amounts) if c.flags.get("decimals")}
    best = _best_sum(options, tax_pool)
    if best is None or best[0] < RECONCILE_KEEP * current:
        return
    for c, chosen in zip(("total", "net", "tax"), best[1:], strict=False):
        f = by_concept[c]
        ranked = [chosen] + [s for s in trace[f.name] if s is not chosen]
        pick = pick_fn(f, ranked)
        if picks[f.name].value is None or num(picks[f.name].value) != num(pick.value):
            pick.reason += "; chosen so that net + tax = total"
        picks[f.name] = pick


_Triple = tuple[float, ScoredCandidate, ScoredCandidate, ScoredCandidate]
"""A summed score and the total, net and tax candidates that add up."""


def _sum_fields(
    fields: list[Field], cues: dict[str, FieldCues], trace: dict[str, list[ScoredCandidate]]
) -> dict[str, Field] | None:
    """The number fields of the total, net and tax concepts, one each, or None when the workflow lacks one or
    has two of a kind."""
    by_concept: dict[str, Field] = {}
    for f in fields:
        c = cues[f.name].concept
        if f.type == "number" and c in ("total", "net", "tax") and f.name in trace:
            if c in by_concept:
                return None
            by_concept[c] = f
    return by_concept if len(by_concept) == 3 else None


def _distinct_options(scored: list[ScoredCandidate]) -> list[ScoredCandidate]:
    """The best-scored candidates with distinct values (at most six)."""
    seen: set[float] = set()
    opts: list[ScoredCandidate] = []
    for s in scored:
        v = round(num(s.candidate.value), 2)
        if v not in seen and s.score > MIN_OPTION_SCORE:
            seen.add(v)
            opts.append(s)
        if len(opts) >= MAX_OPTIONS:
            break
    return opts


def _best_sum(options: dict[str, list[ScoredCandidate]], pool: dict[float, Candidate]) -> _Triple | None:
    """The consistent total, net and tax with the highest summed score; a tax (or failing that a total) may be
    any printed amount of ``pool`` that makes the sum hold."""
    best: _Triple | None = None
    for t in options["total"]:
        for n in options["net"]:
            want = round(num(t.candidate.value) - num(n.candidate.value), 2)
            x = next((o for o in options["tax"] if abs(num(o.candidate.value) - want) < CENT), None)
            if x is None and want in pool and want != 0:
                x = ScoredCandidate(
                    pool[want], PRINTED_AMOUNT_SCORE, None, "the printed amount equal to total minus net"
                )
            if x is None:
                continue
            total = t.score + n.score + x.score
            if best is None or total > best[0]:
                best = (total, t, n, x)
    if best is None:
        # No labelled total fits: a printed amount equal to net plus tax is the total.
        for n in options["net"]:
            for x in options["tax"]:
                want = round(num(n.candidate.value) + num(x.candidate.value), 2)
                if want in pool and want != 0:
                    t = ScoredCandidate(
                        pool[want], PRINTED_AMOUNT_SCORE, None, "the printed amount equal to net plus tax"
                    )
                    total = t.score + n.score + x.score
                    if best is None or total > best[0]:
                        best = (total, t, n, x)
    return best


def apply_equal_to(fields: list[Field], cues: dict[str, FieldCues], picks: dict[str, Pick]) -> None:
    """'Often equal to the grand total': without a label of its own, a field takes the named field's value."""
    for f in fields:
        target = cues[f.name].equal_to
        pick = picks.get(f.name)
        if not target or pick is None or (pick.value is not None and pick.by_label):
            continue
        names = {
            o.name: o.name.replace("_", " ")
            for o in fields
            if o.name != f.name and o.name in picks and o.type == f.type
        }
        if not names:
            continue
        name, score = max(((n, fuzz.token_set_ratio(target, words)) for n, words in names.items()), key=lambda t: t[1])
        source = picks[name]
        if score < EQUAL_TO_SIMILARITY or source.value is None:
            continue
        # A description's hint, not evidence of its own: derived, with the other value's evidence as its score.
        score = source.evidence.score if source.evidence is not None else 0.0
        picks[f.name] = Pick(
            source.value,
            None,
            list(source.citations),
            source.ocr_confidence,
            f"no label of its own; the description says it is often equal to {name}",
            by_label=False,
            evidence=Evidence("derived", score, ocr=source.evidence.ocr if source.evidence is not None else None),
        )
