"""The trained extractor: per field, a candidate scorer fed by the per-template layout memory and the local
engine's pick, calibrated on out-of-fold predictions, with the local engine as the fallback.

``fit`` prepares every document once, cross-validates by document (for the confidence on known layouts) and
by template (for unseen layouts), decides per field and per case (a known layout or not) whether the
trained scorer or the local engine answers, and fits the final scorers on everything. A field with too few
annotated values, or on which the scorer did not beat the local engine out of fold, falls back and the
result says so. Line items are read by the local table reader with the header labels learned above each
annotated column (``columns``), where that beat the reader alone out of fold. It follows scikit-learn's
estimator contract: ``__init__`` stores parameters, ``fit`` returns self, learned state ends in ``_``,
``predict`` checks the model is fitted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from pydantic import BaseModel
from pydantic import Field as PydField

from core.annotation.locate import Location, Locator
from core.annotation.spans import pool_of
from core.documents import Document
from core.errors import TrainingCancelled, TrainingError
from core.evaluation.scoring import FieldCounts
from core.extraction.local.engine import LocalEngine
from core.schema import Field, Workflow
from core.training.calibration import Calibrator
from core.training.columns import (
    general_labels,
    header_labels,
    item_cells,
    layout_labels,
    learn_labels,
    novel_labels,
)
from core.training.crossfit import FoldData, ItemHeaders, ItemsOutOfFold, OutOfFold, Regime, f1_of
from core.training.examples import TrainingDataSummary, TrainingExample, has_value, summarize_examples
from core.training.features import PreparedDocument, prepare_document
from core.training.folds import group_ids, split, template_ids
from core.training.layout_memory import LayoutMemory, MemoryEntry
from core.training.scorer import (
    FieldScorer,
    dense_columns,
    memory_hints,
    pool_key,
    rank,
)

__all__ = [
    "INNER_FOLDS",
    "MIN_FIELD_DOCUMENTS",
    "ABSTAIN_BELOW",
    "ABSTAIN_FLOOR",
    "Progress",
    "ShouldStop",
    "FieldPlan",
    "FieldAnswer",
    "TrainedExtractor",
    "prepare_examples",
]

INNER_FOLDS = 3
"""Folds of each cross-validation inside ``fit`` (by document, then by template): three keep two thirds of a
workflow for each fit, and seven fits per field in all keep training within a few times extraction."""
MIN_FIELD_DOCUMENTS = 3
"""Documents with a value a field needs before it is trained: with fewer, out-of-fold evidence is one or two
documents and cannot show the scorer beats the local engine."""
ABSTAIN_BELOW = 0.5
"""The highest confidence below which a field is left empty. A wrong value costs a false positive on top of
the miss; the threshold that maximises F1 is half the F1 the field reaches (Lipton, Elkan and Naryanaswamy,
2014), so each field leaves values empty below half its out-of-fold F1, and never above this."""
ABSTAIN_FLOOR = 0.2
"""... and never below this: a value less than one in five likely to be right is not worth showing."""

Progress = Callable[[float, str], None]
"""Called with the fraction done (0-1) and what is happening."""
ShouldStop = Callable[[], bool]
"""Asked between steps; True cancels the run (``TrainingCancelled``)."""


class FieldPlan(BaseModel):
    """What answers one field, and the out-of-fold evidence for it."""

    name: str
    pool: str | None = PydField(description="The candidates ranked (date, amount, string); None: not ranked.")
    documents: int = PydField(description="Training documents with a value of this field.")
    seen: Literal["trained", "local"] = "local"
    unseen: Literal["trained", "local"] = "local"
    reason: str = ""
    f1: dict[str, dict[str, float]] = PydField(
        default_factory=dict, description="Out-of-fold F1 per regime: {'seen': {'trained': .., 'local': ..}}."
    )
    samples: dict[str, int] = PydField(default_factory=dict, description="Out-of-fold documents per regime.")
    threshold: float = PydField(default=ABSTAIN_BELOW, description="Confidence below which the field is left empty.")
    column_labels: dict[str, list[str]] = PydField(
        default_factory=dict,
        description="Line items: per item field, the header labels printed above its column in the annotated "
        "documents that hold on any layout, given to the table reader when the trained engine answers (on a "
        "known layout with those its nearest annotated documents print).",
    )


@dataclass
class FieldAnswer:
    """The trained scorer's answer for a field of one document, before the plan picks an engine."""

    regime: Regime
    neighbours: int
    similarity: float
    index: int | None = None
    score: float = 0.0
    margin: float = 0.0
    confidence: float = 0.0


def _check(should_stop: ShouldStop | None) -> None:
    if should_stop is not None and should_stop():
        raise TrainingCancelled("training cancelled", hint="Nothing was saved; the active model is unchanged.")


def prepare_examples(
    examples: Sequence[TrainingExample],
    workflow: Workflow,
    cache: dict[str, PreparedDocument],
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
) -> list[PreparedDocument]:
    """Prepare each example's document once (``cache`` by document id is filled and reused); progress runs
    from 0 to 0.5 over the documents.

    Raises:
        TrainingCancelled: ``should_stop`` said so.
    """
    local = LocalEngine(cache_size=1)
    preps = []
    for i, ex in enumerate(examples):
        _check(should_stop)
        key = ex.document.id
        if key not in cache:
            cache[key] = prepare_document(ex.document, workflow, local)
        preps.append(cache[key])
        if progress is not None:
            progress(0.5 * (i + 1) / len(examples), f"reading document {i + 1} of {len(examples)}")
    return preps


def _threshold(rows: list[OutOfFold]) -> float:
    """Half the field's out-of-fold F1 when every value is given, within ``ABSTAIN_FLOOR``-``ABSTAIN_BELOW``."""
    for r in rows:
        r.confident = True
    return float(min(max(f1_of(rows, True) / 2, ABSTAIN_FLOOR), ABSTAIN_BELOW))


class TrainedExtractor:
    """A workflow's trained extraction model.

    Args:
        workflow: the fields to learn (their names and types are checked again when the model is applied).
        inner_folds: cross-validation folds inside ``fit``.
        min_field_documents: documents with a value a field needs to be trained.
        random_state: seed of the negative sampling.
    """

    def __init__(
        self,
        workflow: Workflow,
        *,
        inner_folds: int = INNER_FOLDS,
        min_field_documents: int = MIN_FIELD_DOCUMENTS,
        random_state: int = 0,
    ) -> None:
        self.workflow = workflow
        self.inner_folds = inner_folds
        self.min_field_documents = min_field_documents
        self.random_state = random_state

    # --- fitting ------------------------------------------------------------------------------------------

    def fit(
        self,
        examples: Sequence[TrainingExample],
        *,
        progress: Progress | None = None,
        should_stop: ShouldStop | None = None,
        prepared: dict[str, PreparedDocument] | None = None,
    ) -> TrainedExtractor:
        """Learn from annotated documents.

        Args:
            examples: the annotated documents.
            progress: ``callback(fraction, message)``.
            should_stop: asked between steps; True raises ``TrainingCancelled``.
            prepared: a cache of prepared documents by document id, filled and reused (evaluation passes one
                so that folds do not prepare a document twice).

        Returns:
            self.

        Raises:
            TrainingError: no examples (a field with too few values is not an error: it falls back, and its
                plan says why).
            TrainingCancelled: ``should_stop`` said so.
        """
        started = time.perf_counter()
        if not examples:
            raise TrainingError("no annotated documents to train on", hint="Annotate some documents first.")
        say = progress or (lambda _f, _m: None)
        cache = prepared if prepared is not None else {}
        preps = prepare_examples(examples, self.workflow, cache, say, should_stop)
        locators = [Locator(p.document, p.layout, p.pools, p.values) for p in preps]
        entries = [self._entries(p, ex, loc) for p, ex, loc in zip(preps, examples, locators, strict=True)]
        headers: ItemHeaders = [
            self._item_headers(p, ex, loc) for p, ex, loc in zip(preps, examples, locators, strict=True)
        ]
        memory = LayoutMemory([p.anchors for p in preps], entries)
        similarity = np.asarray((memory.signatures @ memory.signatures.T).todense())
        groups = group_ids([ex.group_key for ex in examples])
        templates = template_ids([ex.template for ex in examples], similarity)
        fields = [f for f in self.workflow.fields if pool_of(f) is not None]
        self.plans_: dict[str, FieldPlan] = {}
        counts = {f.name: sum(has_value(ex.expected.get(f.name)) for ex in examples) for f in self.workflow.fields}
        trainable = [f for f in fields if counts[f.name] >= self.min_field_documents]
        tables = [f for f in self.workflow.fields if f.item_fields and counts[f.name] >= self.min_field_documents]
        context = FoldData(preps, examples, memory, similarity, groups, np.random.default_rng(self.random_state))
        oof, items_oof = self._cross_fit(context, trainable, tables, headers, templates, say, should_stop)
        _check(should_stop)
        say(0.95, "fitting the final model")
        self.calibrators_ = self._calibrate(oof)
        self._plan(self.workflow.fields, counts, trainable, oof)
        for f in tables:
            self._plan_items(self.plans_[f.name], f, headers, [r for r in items_oof if r.field == f.name])
        used = [f for f in trainable if "trained" in (self.plans_[f.name].seen, self.plans_[f.name].unseen)]
        self.scorers_: dict[str, FieldScorer] = context.fit_fields(used, np.arange(len(preps)))
        self.memory_ = memory
        self.item_headers_: ItemHeaders = headers
        self.oof_ = oof
        self.summary_: TrainingDataSummary = summarize_examples(examples, self.workflow)
        self.fields_ = [f.model_copy(deep=True) for f in self.workflow.fields]
        self.fit_seconds_ = time.perf_counter() - started
        say(1.0, "trained")
        return self

    def _cross_fit(
        self,
        context: FoldData,
        trainable: list[Field],
        tables: list[Field],
        headers: ItemHeaders,
        templates: np.ndarray,
        say: Progress,
        should_stop: ShouldStop | None,
    ) -> tuple[list[OutOfFold], list[ItemsOutOfFold]]:
        """Out-of-fold answers of the scalar fields and the item tables: cross-validated by document, then by
        template (progress 0.5 to 0.95)."""
        groups = context.groups
        oof: list[OutOfFold] = []
        items_oof: list[ItemsOutOfFold] = []
        fold_sets = [
            (mode, split(ids, self.inner_folds)) for mode, ids in (("document", groups), ("template", templates))
        ]
        total = sum(len(s) for _, s in fold_sets) + 1
        step = 0
        for mode, folds in fold_sets:
            # Held out by template differs from held out by document only if some template has two groups.
            if mode == "template" and (
                np.unique(templates).size < 2 or np.unique(templates).size == np.unique(groups).size
            ):
                continue
            for train, test in folds:
                _check(should_stop)
                say(0.5 + 0.45 * step / total, f"cross-validating by {mode} ({step + 1} of {total - 1})")
                scorers = context.fit_fields(trainable, train)
                oof += context.held_out(trainable, scorers, train, test)
                items_oof += context.held_out_items(tables, headers, train, test)
                step += 1
        return oof, items_oof

    def _entries(self, prep: PreparedDocument, example: TrainingExample, locator: Locator) -> dict[str, MemoryEntry]:
        """Where each known value of the document sits: its annotated box, else where it is located."""
        out: dict[str, MemoryEntry] = {}
        for f in self.workflow.fields:
            pool = pool_of(f)
            value = example.expected.get(f.name)
            if pool is None or not has_value(value):
                continue
            box = example.boxes.get(f.name)
            if box is not None:
                page, bbox = box.page - 1, box.bbox
            else:
                found = locator.locate(f, value)
                if found is None:
                    continue
                page, bbox = found.page - 1, found.bbox
            if not 0 <= page < len(prep.layout.pages):
                continue
            pl = prep.layout.pages[page]
            w, h = max(pl.width, 1.0), max(pl.height, 1.0)
            out[f.name] = MemoryEntry(page, (bbox[0] / w, bbox[1] / h, bbox[2] / w, bbox[3] / h), pool_key(pool, value))
        return out

    def _item_headers(
        self, prep: PreparedDocument, example: TrainingExample, locator: Locator
    ) -> dict[str, dict[str, str]]:
        """Per array-of-objects field with items, the header label above each item field's column."""
        out: dict[str, dict[str, str]] = {}
        for f in self.workflow.fields:
            items = example.expected.get(f.name)
            if not f.item_fields or not isinstance(items, list) or not items:
                continue
            cells = item_cells(locator, f, items)
            for i, item in enumerate(cells):  # annotated boxes win over located ones
                for sub in f.item_fields:
                    box = example.boxes.get(f"{f.name}[{i}].{sub.name}")
                    if box is not None:
                        item[sub.name] = Location(page=box.page, bbox=box.bbox, text="", score=1.0)
            out[f.name] = header_labels(prep.layout, cells)
        return out

    def _calibrate(self, oof: list[OutOfFold]) -> dict[str, Calibrator]:
        out: dict[str, Calibrator] = {}
        pooled = Calibrator().fit(
            np.array([r.score for r in oof]), np.array([r.margin for r in oof]), np.array([r.correct for r in oof])
        )
        for regime in ("seen", "unseen"):
            rows = [r for r in oof if r.regime == regime]
            cal = Calibrator().fit(
                np.array([r.score for r in rows]),
                np.array([r.margin for r in rows]),
                np.array([r.correct for r in rows]),
            )
            out[regime] = cal if cal.calibrated else pooled
        return out

    def _plan(self, fields: list[Field], counts: dict[str, int], trainable: list[Field], oof: list[OutOfFold]) -> None:
        trainable_names = {f.name for f in trainable}
        for r in oof:
            r.confidence = float(self.calibrators_[r.regime].predict(np.array([r.score]), np.array([r.margin]))[0])
        for f in fields:
            plan = FieldPlan(name=f.name, pool=pool_of(f), documents=counts[f.name])
            if plan.pool is None and not (f.item_fields and counts[f.name] < self.min_field_documents):
                plan.reason = (
                    f"{f.type} fields are answered by the local engine (the scorer ranks dates, numbers, strings)"
                )
            elif f.name not in trainable_names:
                plan.reason = (
                    f"too little annotated data: {counts[f.name]} document(s) with a value, "
                    f"needs {self.min_field_documents}"
                )
            else:
                plan.threshold = _threshold([r for r in oof if r.field == f.name])
                for regime in ("seen", "unseen"):
                    rows = [r for r in oof if r.field == f.name and r.regime == regime]
                    for r in rows:
                        r.confident = r.confidence >= plan.threshold
                    plan.samples[regime] = len(rows)
                    if not rows:
                        continue
                    trained, local = f1_of(rows, True), f1_of(rows, False)
                    plan.f1[regime] = {"trained": round(trained, 4), "local": round(local, 4)}
                    # Seen layouts: the scorer when it does at least as well. Unseen ones: only when it does
                    # strictly better, so that a layout the model has not seen is never answered worse.
                    better = trained >= local if regime == "seen" else trained > local
                    setattr(plan, regime, "trained" if better else "local")
                if not plan.f1:
                    plan.reason = "no held-out evidence: the candidates never held both a right and a wrong value"
                else:
                    if "seen" not in plan.f1:
                        plan.seen = plan.unseen  # no held-out document of a known layout: the unseen verdict
                    plan.reason = f"known layouts: {plan.seen}; unseen layouts: {plan.unseen} (out-of-fold F1)"
            self.plans_[f.name] = plan

    def _plan_items(self, plan: FieldPlan, f: Field, headers: ItemHeaders, rows: list[ItemsOutOfFold]) -> None:
        """Line items: the labels learned on every document, and per regime whether reading with them beat the
        local reader out of fold (known layouts: at least as well; unseen ones: strictly better)."""
        learned = learn_labels(f, [h.get(f.name, {}) for h in headers])
        plan.column_labels = general_labels(f, learned)
        novel = novel_labels(f, learned)
        if not novel:
            plan.reason = "the table reader already reads every column label printed above these items"
            return
        for regime in ("seen", "unseen"):
            held = [r for r in rows if r.regime == regime]
            plan.samples[regime] = len(held)
            if not held:
                continue
            trained = sum((r.trained for r in held), FieldCounts()).f1
            local = sum((r.local for r in held), FieldCounts()).f1
            plan.f1[regime] = {"trained": round(trained, 4), "local": round(local, 4)}
            better = trained >= local if regime == "seen" else trained > local
            setattr(plan, regime, "trained" if better else "local")
        if "seen" not in plan.f1:
            plan.seen = plan.unseen
        taught = "; ".join(f"{name}: {', '.join(labels)}" for name, labels in novel.items())
        plan.reason = (
            f"column labels learned ({taught}); known layouts: {plan.seen}; unseen layouts: {plan.unseen} "
            "(out-of-fold F1 of the item cells)"
        )

    @property
    def trained_fields(self) -> list[str]:
        """The fields the trained engine answers on known or unseen layouts (the others: the local engine)."""
        self._check_fitted()
        return [
            name
            for name, plan in self.plans_.items()
            if (name in self.scorers_ or plan.pool is None) and "trained" in (plan.seen, plan.unseen)
        ]

    # --- prediction ---------------------------------------------------------------------------------------

    def _check_fitted(self) -> None:
        if not hasattr(self, "scorers_"):
            raise TrainingError("this model is not trained yet", hint="Call fit(examples) first.")

    def known_layout(self, prep: PreparedDocument) -> tuple[FieldAnswer, list[tuple[int, float]]]:
        """Whether the layout memory knows the document's layout: an answer holding only the regime, the number
        of annotated documents of the layout and the nearest one's similarity; and those documents (index,
        similarity), nearest first."""
        self._check_fitted()
        sims = self.memory_.similarities(prep.anchors)
        neighbours = self.memory_.neighbours(sims)
        regime: Regime = "seen" if neighbours else "unseen"
        similarity = neighbours[0][1] if neighbours else float(sims.max(initial=0.0))
        return FieldAnswer(regime, len(neighbours), similarity), neighbours

    def column_labels(self, field: Field, neighbours: list[tuple[int, float]]) -> dict[str, list[str]]:
        """The column labels to read an item table with: the general ones, and on a known layout also those its
        nearest annotated documents (``known_layout``) print."""
        plan = self.plans_.get(field.name)
        general = plan.column_labels if plan is not None else {}
        return layout_labels(general, [self.item_headers_[n].get(field.name, {}) for n, _ in neighbours])

    def answer(
        self,
        prep: PreparedDocument,
        field: Field,
        layout: tuple[FieldAnswer, list[tuple[int, float]]] | None = None,
    ) -> FieldAnswer:
        """The trained scorer's best candidate for ``field`` on a prepared document, with its confidence
        (``layout``: the document's ``known_layout``, when the caller has it)."""
        base, neighbours = layout or self.known_layout(prep)
        out = replace(base)
        regime = out.regime
        pool = pool_of(field)
        scorer = self.scorers_.get(field.name)
        if pool is None or scorer is None:
            return out
        hints = memory_hints(self.memory_, prep.anchors, neighbours, field.name)
        ranked = rank(
            scorer.decision(prep.features[pool], dense_columns(prep, pool, field.name, hints)), prep.value_keys[pool]
        )
        if ranked is None:
            return out
        out.index, out.score, out.margin = ranked.index, ranked.score, ranked.margin
        out.confidence = float(
            self.calibrators_[regime].predict(np.array([ranked.score]), np.array([ranked.margin]))[0]
        )
        return out

    def predict(self, document: Document, *, prepared: PreparedDocument | None = None) -> dict[str, FieldAnswer]:
        """The trained scorer's answer for every field it was trained on (``core.training.predict.extract_with``
        turns them, and the local engine's answers for the other fields, into a result).

        Args:
            document: the loaded document.
            prepared: the document already prepared with this model's workflow.

        Raises:
            TrainingError: the model is not fitted.
        """
        self._check_fitted()
        prep = prepared or prepare_document(document, self.workflow)
        layout = self.known_layout(prep)
        return {f.name: self.answer(prep, f, layout) for f in self.workflow.fields if f.name in self.scorers_}
