"""The offline, description-guided engine: labels from descriptions, typed candidates, proximity scoring.

Per document (cached, so a re-run after a description edit only re-scores): rows and segments, every date,
amount, currency mark and VAT identifier, and an index of word runs for label lookup. Per field: its cues
(``cues.read_cues``), where its labels and negative phrases are printed, candidates of its type scored by
label proximity, rival fields' labels, location and selection cues; a prior (first date, largest amount,
letterhead, recipient block, most frequent currency) only when no label explains anything and the
description does not say to leave the field empty.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from core.documents import Document
from core.extraction.base import Availability
from core.extraction.citations import citations_from_words, words_confidence
from core.extraction.local.blocks import (
    ADDRESS_WORDS,
    Letterhead,
    issuer_role,
    letterhead_address,
    letterhead_name,
    read_letterhead,
)
from core.extraction.local.candidates import Candidate, DocumentCandidates, generate_candidates
from core.extraction.local.choices import pick_boolean, pick_currency, pick_enum
from core.extraction.local.clauses import CLAUSE_CONCEPTS, clause_pick, prefer_clause
from core.extraction.local.confidence import Evidence, evidence_ocr
from core.extraction.local.cues import FieldCues
from core.extraction.local.formats import formatted
from core.extraction.local.items import add_items
from core.extraction.local.kinds import (
    as_negative,
    cached_cues,
    extraction_kind,
    field_role,
    typed_value,
    value_key,
)
from core.extraction.local.labels import LabelHit, LabelIndex, qualify, resolve_overlaps
from core.extraction.local.layout import DocumentLayout, build_layout
from core.extraction.local.parties import MIN_NAME_SCORE, looks_like_label, mend_legal_form, name_candidates
from core.extraction.local.party_blocks import PartyMap
from core.extraction.local.prose import ProseText, build_prose
from core.extraction.local.rivals import RivalIndex
from core.extraction.local.scoring import ScoredCandidate, score_candidates
from core.extraction.local.selection import (
    Pick,
    apply_cues,
    apply_equal_to,
    pick_scored,
    prefer_sum_row,
    prior_candidate,
    reconcile,
)
from core.extraction.local.shaped import pick_shaped, reads_shape
from core.extraction.local.spans import label_values
from core.extraction.local.totals import weigh_totals
from core.extraction.local.value_kinds import ShapeIndex
from core.gcpause import gc_paused
from core.results import Citation, Extraction, ExtractionResult, FieldMetadata, Insight
from core.schema import Field, Workflow
from core.vocabulary.summary import SUMMARY_CONCEPTS

__all__ = ["LocalEngine", "Pick"]

_MIN_SCORE = 0.3
"""The least score a value needs to be chosen; below it the field stays empty (a weaker value is wrong more often
than right). Tuned on the development sets."""
PRIOR_MIN_FACTOR = 0.8
"""A value no label explains (a prior: the largest amount, the first date) needs this share of ``_MIN_SCORE``."""
RIVAL_NAME_ROWS = 3
"""Rows above a name in which the other party's label makes it the other party's name ..."""
RIVAL_NAME_REACH = 40
"""... when it overlaps the label widened by this many PDF points each side (the same column)."""
RIVAL_NAME_FACTOR = 0.6
"""... which lowers its score by this factor."""
_NO_RIVALS = RivalIndex([], {}, {})


@dataclass
class _Context:
    layout: DocumentLayout
    candidates: DocumentCandidates
    labels: LabelIndex
    shapes: ShapeIndex  # values by what they look like, found when a field first asks for a shape
    parties: PartyMap  # the seller's and the buyer's blocks, found when a field first asks
    _prose: ProseText | None = None
    _letterhead: Letterhead | None = None
    _letterhead_read: bool = False

    @property
    def prose(self) -> ProseText:
        """The document as running text, built when a clause field first needs it."""
        if self._prose is None:
            self._prose = build_prose(self.layout)
        return self._prose

    @property
    def letterhead(self) -> Letterhead | None:
        """The first page's letterhead (``blocks``), read when a field first needs it."""
        if not self._letterhead_read:
            self._letterhead, self._letterhead_read = read_letterhead(self.layout), True
        return self._letterhead


class LocalEngine:
    """The local engine: offline, no model, no network; reads field descriptions for labels and cues."""

    name = "local"

    def __init__(self, cache_size: int = 16) -> None:
        self._cache: OrderedDict[tuple[str, int, int], _Context] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def is_available(self) -> Availability:
        """Always available: it runs offline on the document's words."""
        return Availability(True, "offline, always available")

    def layout_and_candidates(self, document: Document) -> tuple[DocumentLayout, DocumentCandidates]:
        """The layout and the typed candidates the engine reads the document with (cached with the rest of its
        reading: the trained engine's features are built on the same ones)."""
        ctx = self._context(document)
        return ctx.layout, ctx.candidates

    def _context(self, document: Document) -> _Context:
        key = (document.id, len(document.pages), sum(len(p.words) for p in document.pages))
        with self._lock:  # one engine may serve several app sessions at once
            ctx = self._cache.get(key)
            if ctx is not None:
                self._cache.move_to_end(key)
                return ctx
        layout = build_layout(document)
        candidates, labels = generate_candidates(layout), LabelIndex(layout)
        ctx = _Context(layout, candidates, labels, ShapeIndex(layout, candidates), PartyMap(layout, labels))
        with self._lock:
            self._cache[key] = ctx
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return ctx

    def extract(self, document: Document, workflow: Workflow) -> ExtractionResult:
        """Extract every field of the workflow from the document.

        Args:
            document: A loaded document.
            workflow: The fields to extract.

        Returns:
            The result: every top-level field present (None when nothing was found), metadata by path with
            confidence, citations and a reasoning insight.
        """
        return self.extract_with_picks(document, workflow)[0]

    def extract_with_picks(self, document: Document, workflow: Workflow) -> tuple[ExtractionResult, dict[str, Pick]]:
        """The result, and the pick of every scalar field behind it with its ``Evidence`` (what
        ``bench/calibrate_local.py`` fits the confidence model on)."""
        # Extraction builds tens of thousands of short-lived, acyclic objects (rows, runs, candidates, hits);
        # each of them counts towards the collector's thresholds, and its full passes walk every object the
        # process holds (loaded documents, caches): about a fifth of the extraction time with 78 documents
        # loaded. The collector is paused for one extraction and runs again after it (``core.gcpause``).
        with gc_paused():
            return self._extract(document, workflow)

    def _extract(self, document: Document, workflow: Workflow) -> tuple[ExtractionResult, dict[str, Pick]]:
        t0 = time.perf_counter()
        ctx = self._context(document)
        t1 = time.perf_counter()
        scalar_fields = [
            f for f in workflow.fields if f.type != "array" or (f.items is not None and f.items.type != "object")
        ]
        cues = {f.name: cached_cues(f) for f in workflow.fields}
        hits = self._hits(ctx, workflow.fields, cues)
        rival_index = RivalIndex(scalar_fields, cues, hits)
        result = ExtractionResult.begin(
            workflow,
            document,
            engine="local",
            engine_reason="offline engine: labels and cues read from the field descriptions",
        )
        trace: dict[str, list[ScoredCandidate]] = {}
        picks: dict[str, Pick] = {}
        for f in workflow.fields:
            if f.item_fields:
                add_items(ctx.layout, f, result)
                continue
            if f.type == "object":
                self._object(ctx, f, result)
                continue
            picks[f.name] = formatted(self._scalar(ctx, f, cues[f.name], hits, rival_index, trace), cues[f.name])
        self._distinct_parties(ctx, workflow.fields, cues, hits, rival_index, picks)
        reconcile(
            ctx.layout,
            ctx.candidates.amounts,
            lambda f, ranked: self._pick(ctx, f, ranked),
            workflow.fields,
            cues,
            picks,
            trace,
        )
        apply_equal_to(workflow.fields, cues, picks)
        for name, pick in picks.items():
            result.extractions[name] = Extraction(
                value=pick.value, confidence=pick.confidence, citations=pick.citations
            )
            result.metadata[name] = pick.metadata()
        result.extractions = {
            f.name: result.extractions[f.name] for f in workflow.fields if f.name in result.extractions
        }
        result.timings = {"prepare": t1 - t0, "extract": time.perf_counter() - t0}
        return result, picks

    def _object(self, ctx: _Context, f: Field, result: ExtractionResult) -> None:
        """An object field: each property read on its own."""
        values: dict[str, Any] = {}
        cites: list[Citation] = []
        confs: list[float] = []
        for sub in f.properties:
            sub_cues = cached_cues(sub)
            sub_hits = self._hits(ctx, [sub], {sub.name: sub_cues})
            # The hits looked up are the sub-field's own only: no other field's label is its rival.
            pick = formatted(self._scalar(ctx, sub, sub_cues, sub_hits, _NO_RIVALS), sub_cues)
            values[sub.name] = pick.value
            cites += pick.citations
            confs += [pick.confidence] if pick.confidence is not None else []
            result.metadata[f"{f.name}.{sub.name}"] = pick.metadata()
        has = any(v is not None for v in values.values())
        conf = min(confs) if has and confs else None
        result.extractions[f.name] = Extraction(value=values if has else None, confidence=conf, citations=cites)
        found = sum(v is not None for v in values.values())
        result.metadata[f.name] = FieldMetadata(
            confidence=conf,
            citations=cites,
            insights=[Insight(type="reasoning", content=f"{found} of {len(values)} properties found")],
        )

    def _distinct_parties(
        self,
        ctx: _Context,
        fields: list[Field],
        cues: dict[str, FieldCues],
        hits: dict[str, tuple[list[LabelHit], list[LabelHit]]],
        rival_index: RivalIndex,
        picks: dict[str, Pick],
    ) -> None:
        """The buyer is not the seller: a buyer name equal to a seller name is chosen again without it."""
        sellers = {
            str(picks[f.name].value).casefold()
            for f in fields
            if f.name in picks and picks[f.name].value and field_role(f, cues[f.name]) == "seller"
        }
        for f in fields:
            pick = picks.get(f.name)
            if pick is None or not isinstance(pick.value, str) or field_role(f, cues[f.name]) != "buyer":
                continue
            if pick.value.casefold() in sellers:
                picks[f.name] = self._scalar(ctx, f, cues[f.name], hits, rival_index, exclude=sellers)

    # --- labels -------------------------------------------------------------------------------------------

    def _hits(
        self, ctx: _Context, fields: list[Field], cues: dict[str, FieldCues]
    ) -> dict[str, tuple[list[LabelHit], list[LabelHit]]]:
        all_hits: list[LabelHit] = []
        for f in fields:
            c = cues[f.name]
            for label in c.labels:
                all_hits += ctx.labels.find(f.name, label.phrase, label.weight)
            for label in c.negatives:
                all_hits += ctx.labels.find(f.name, label.phrase, label.weight, negative=True)
        kept = [qualify(ctx.layout, h, cues[h.field].concept) for h in resolve_overlaps(all_hits)]
        out: dict[str, tuple[list[LabelHit], list[LabelHit]]] = {f.name: ([], []) for f in fields}
        for h in kept:
            out[h.field][1 if h.negative else 0].append(h)
        return out

    # --- scalars ------------------------------------------------------------------------------------------

    def _scalar(
        self,
        ctx: _Context,
        f: Field,
        cues: FieldCues,
        hits: dict[str, tuple[list[LabelHit], list[LabelHit]]],
        rival_index: RivalIndex,
        trace: dict[str, list[ScoredCandidate]] | None = None,
        exclude: set[str] | None = None,
    ) -> Pick:
        if cues.concept in CLAUSE_CONCEPTS:
            # Clause fields (parties, governing law, term, effective date) are read from the running text; a
            # value printed next to a label (a form, a cover sheet) wins over a clause value no cue explains.
            clause = clause_pick(ctx.layout, ctx.prose, cues.concept, f.type == "array", ctx.candidates.day_first)
            if clause.value is not None and clause.by_label:
                return clause
            labelled = self._by_labels(ctx, f, cues, hits, rival_index, trace, exclude)
            return prefer_clause(clause, labelled, cues.concept)
        return self._by_labels(ctx, f, cues, hits, rival_index, trace, exclude)

    def _by_labels(
        self,
        ctx: _Context,
        f: Field,
        cues: FieldCues,
        hits: dict[str, tuple[list[LabelHit], list[LabelHit]]],
        rival_index: RivalIndex,
        trace: dict[str, list[ScoredCandidate]] | None = None,
        exclude: set[str] | None = None,
    ) -> Pick:
        positives, negatives = hits.get(f.name, ([], []))
        kind = extraction_kind(f, cues)
        rivals = rival_index.rivals(f.name, kind)
        role = field_role(f, cues)
        if reads_shape(f, cues):  # a value known by what it looks like (a phone number, a postal code ...)
            return pick_shaped(ctx.layout, ctx.shapes, ctx.parties, f, cues, (positives, negatives, rivals), role)
        if role in ("seller", "buyer"):
            other_role = "buyer" if role == "seller" else "seller"
            negatives = negatives + [as_negative(h) for h in rival_index.party(other_role)]
        if f.type == "array":
            return self._array(ctx, f, cues, positives, negatives, rivals, kind)
        if kind == "date":
            return self._typed(ctx, f, cues, ctx.candidates.dates, positives, negatives, rivals)
        if kind == "amount":
            cands = ctx.candidates.amounts
            if f.type == "integer":
                cands = [c for c in cands if c.value == int(c.value)]
            return self._typed(ctx, f, cues, cands, positives, negatives, rivals, trace)
        if kind == "currency":
            return pick_currency(ctx.layout, ctx.candidates.currencies, positives)
        if kind == "vat_id":
            return self._typed(ctx, f, cues, ctx.candidates.vat_ids, positives, negatives, rivals)
        if kind == "boolean":
            return pick_boolean(ctx.layout, positives)
        if kind == "enum":
            return pick_enum(ctx.layout, f, positives)
        if kind == "name":
            return self._name(ctx, cues, role, positives, negatives, rivals, exclude)
        text = self._text(ctx, f, cues, positives, negatives, rivals, identifier=(kind == "identifier"))
        unlabelled = text.value is None or not text.by_label
        if unlabelled and ADDRESS_WORDS.search(f.name) and issuer_role(f.name, f.description) != "buyer":
            # An address without a label of its own: the letterhead's, unless the field asks for the buyer's.
            return letterhead_address(ctx.layout, ctx.letterhead)
        return text

    def _typed(
        self,
        ctx: _Context,
        f: Field,
        cues: FieldCues,
        cands: list[Candidate],
        positives: list[LabelHit],
        negatives: list[LabelHit],
        rivals: list[LabelHit],
        trace: dict[str, list[ScoredCandidate]] | None = None,
    ) -> Pick:
        scored = score_candidates(ctx.layout, cands, positives, negatives, rivals)
        scored = apply_cues(ctx.layout, cues, scored)
        if cues.concept in SUMMARY_CONCEPTS and scored:
            scored = prefer_sum_row(ctx.layout, scored, cands)
        if trace is not None:
            trace[f.name] = list(scored)
        if (not scored or scored[0].score < _MIN_SCORE) and not cues.require_label:
            prior = prior_candidate(ctx.layout, f, cues, cands, negatives)
            if prior is not None and (not scored or prior.score > scored[0].score):
                scored = [prior] + scored
        scored = weigh_totals(ctx.layout, scored, ctx.candidates.amounts, cues.concept)
        if not scored or scored[0].score < _MIN_SCORE * (PRIOR_MIN_FACTOR if scored and scored[0].hit is None else 1.0):
            why = "no label of this field found near a value" if positives else "none of its labels is printed"
            return Pick(reason=why)
        return self._pick(ctx, f, scored)

    def _pick(self, ctx: _Context, f: Field, scored: list[ScoredCandidate]) -> Pick:
        best = scored[0]
        runner = next(
            (s.score for s in scored[1:] if value_key(s.candidate.value) != value_key(best.candidate.value)),
            0.0,
        )
        return pick_scored(ctx.layout, best, runner, typed_value(f, best.candidate.value))

    def _name(
        self,
        ctx: _Context,
        cues: FieldCues,
        role: str,
        positives: list[LabelHit],
        negatives: list[LabelHit],
        rivals: list[LabelHit],
        exclude: set[str] | None = None,
    ) -> Pick:
        # Only words printed as labels count against a name ("Lieferant" in "Muster Lieferant GmbH" does not).
        negatives = [h for h in negatives if looks_like_label(ctx.layout.pages[h.page], h)]
        cells = {(h.page, h.row, h.segment) for h in rivals + negatives}
        found = name_candidates(ctx.layout, role, positives, [h for h in negatives], cells)
        heading = letterhead_name(ctx.layout, ctx.letterhead) if role == "seller" else None
        if heading is not None:
            found.append(heading)
        if exclude:
            found = [n for n in found if n.candidate.value.casefold() not in exclude]
        for n in found:
            c = n.candidate
            # The other party's label just above, in the same column ("Verkäufer:" over a seller's name).
            if any(
                h.page == c.page
                and 0 <= c.row - h.row <= RIVAL_NAME_ROWS
                and min(h.bbox[2] + RIVAL_NAME_REACH, c.bbox[2]) > max(h.bbox[0] - RIVAL_NAME_REACH, c.bbox[0])
                for h in negatives
            ):
                n.score *= RIVAL_NAME_FACTOR
        found.sort(key=lambda n: -n.score)
        if not found or found[0].score < MIN_NAME_SCORE:
            return Pick(reason="no name found by label, letterhead or address block")
        best = found[0]
        runner = next(
            (n.score for n in found[1:] if n.candidate.value.casefold() != best.candidate.value.casefold()),
            0.0,
        )
        c = best.candidate
        page = ctx.layout.pages[c.page].page
        ocr = words_confidence(page, c.words)
        return Pick(
            mend_legal_form(c.value) if page.source == "ocr" else c.value,
            None,
            citations_from_words(page, c.words),
            ocr,
            best.reason,
            evidence=Evidence(best.kind, best.score, runner, evidence_ocr(page, ocr)),
        )

    def _text(
        self,
        ctx: _Context,
        f: Field,
        cues: FieldCues,
        positives: list[LabelHit],
        negatives: list[LabelHit],
        rivals: list[LabelHit],
        identifier: bool,
    ) -> Pick:
        cands = label_values(ctx.layout, positives, identifier, cues)
        scored = score_candidates(ctx.layout, cands, positives, negatives, rivals)
        scored = apply_cues(ctx.layout, cues, scored)
        if not scored or scored[0].score < _MIN_SCORE:
            return Pick(reason="no value found right of or below a label of this field")
        return self._pick(ctx, f, scored)

    def _array(
        self,
        ctx: _Context,
        f: Field,
        cues: FieldCues,
        positives: list[LabelHit],
        negatives: list[LabelHit],
        rivals: list[LabelHit],
        kind: str,
    ) -> Pick:
        pool = {
            "date": ctx.candidates.dates,
            "amount": ctx.candidates.amounts,
            "currency": ctx.candidates.currencies,
            "vat_id": ctx.candidates.vat_ids,
        }.get(kind)
        if pool is None:
            pool = label_values(ctx.layout, positives, kind == "identifier", cues)
        scored = score_candidates(ctx.layout, pool, positives, negatives, rivals) if positives else []
        keep = [s for s in scored if s.score >= _MIN_SCORE]
        keep.sort(key=lambda s: (s.candidate.page, s.candidate.row, s.candidate.x0))
        values: list[Any] = []
        cites: list[Citation] = []
        seen: set[Any] = set()
        element = f.items or Field(name=f.name, type="string")
        for s in keep:
            v = typed_value(element, s.candidate.value)
            k = value_key(v)
            if k in seen:
                continue
            seen.add(k)
            values.append(v)
            cites += citations_from_words(ctx.layout.pages[s.candidate.page].page, s.candidate.words)
        if not values:
            return Pick(reason="no value found near a label of this field")
        score = sum(s.score for s in keep) / len(keep)
        reason = f"{len(values)} values near labels of this field"
        return Pick(values, None, cites, None, reason, evidence=Evidence("label", score))
