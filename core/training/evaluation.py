"""Held-out evaluation of the trained engine: cross-validation by document (near-identical documents kept on
one side) or by template (whole layouts held out), each document scored for the trained engine and for the
local engine on the same documents; per field, per template, the share of documents with every field right,
a threshold table and the calibration error.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Literal

import numpy as np
from pydantic import BaseModel
from pydantic import Field as PydField

from core.errors import TrainingError
from core.evaluation.calibration import Calibration, calibration
from core.evaluation.report import DocumentScore, EvaluationReport, summarize
from core.evaluation.scoring import score, values_match
from core.extraction.local.engine import LocalEngine
from core.schema import Workflow
from core.training.examples import NO_TEMPLATE, TrainingExample, has_value
from core.training.features import PreparedDocument
from core.training.folds import group_ids, split, template_ids
from core.training.layout_memory import signature_matrix
from core.training.model import Progress, ShouldStop, TrainedExtractor, prepare_examples
from core.training.predict import extract_with

__all__ = [
    "THRESHOLDS",
    "FOLDS",
    "FieldConfidence",
    "HeldOutDocument",
    "ThresholdRow",
    "TemplateScore",
    "HeldOutEvaluation",
    "cross_validate",
    "evaluate_on",
    "summarize_documents",
]

FOLDS = 5
"""Outer folds of ``cross_validate``: each document is held out once, four fifths train its model."""
THRESHOLDS: tuple[float, ...] = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
"""Confidence thresholds of the table (the issue's 0.5 ... 0.99)."""


class FieldConfidence(BaseModel):
    """One scalar value the trained engine gave: its confidence and whether it was right."""

    field: str
    confidence: float
    correct: bool


class HeldOutDocument(BaseModel):
    """One held-out document: its counts under the trained and the local engine, and the trained values'
    confidences."""

    name: str
    template: str = NO_TEMPLATE
    fold: int = 0
    trained: DocumentScore
    local: DocumentScore
    confidences: list[FieldConfidence] = PydField(default_factory=list)
    expected_values: int = PydField(default=0, description="Scalar fields with a known non-empty value.")


class ThresholdRow(BaseModel):
    """Values kept at a confidence threshold: precision among them, and coverage (the share of known values
    answered at or above the threshold)."""

    threshold: float
    answered: int
    precision: float | None
    coverage: float


class TemplateScore(BaseModel):
    """Micro-F1 over scalar fields on one template's held-out documents, both engines."""

    template: str
    documents: int
    trained: float
    local: float
    trained_line_items: float | None = None
    local_line_items: float | None = None


class HeldOutEvaluation(BaseModel):
    """A held-out evaluation of the trained engine next to the local engine on the same documents."""

    mode: Literal["document", "template", "split"]
    folds: int
    documents: list[HeldOutDocument]
    trained: EvaluationReport
    local: EvaluationReport
    templates: list[TemplateScore]
    all_right: dict[str, float] = PydField(description="Share of documents with every scored field right.")
    thresholds: list[ThresholdRow]
    calibration: Calibration
    fit_seconds: list[float] = PydField(default_factory=list, description="Training time of each fold's model.")
    seconds: float = 0.0

    @property
    def all_right_shares(self) -> tuple[float, float]:
        """Shares of documents with every scored field right: ``(trained engine, local engine)``."""
        return self.all_right["trained"], self.all_right["local"]


def _all_right(doc: DocumentScore) -> bool:
    return all(c.fp == 0 and c.fn == 0 for c in doc.counts.values())


def evaluate_on(
    model: TrainedExtractor,
    examples: Sequence[TrainingExample],
    *,
    fold: int = 0,
    prepared: dict[str, PreparedDocument] | None = None,
) -> list[HeldOutDocument]:
    """Score a fitted model and the local engine on documents it was not trained on."""
    workflow = model.workflow
    scalar = {f.name: f for f in workflow.fields if f.is_scalar}
    out: list[HeldOutDocument] = []
    for ex in examples:
        prep = prepared.get(ex.document.id) if prepared else None
        result = extract_with(model, ex.document, prepared=prep)
        local_values = prep.local.values() if prep is not None and prep.local is not None else None
        if local_values is None:
            local_values = LocalEngine(cache_size=1).extract(ex.document, workflow).values()
        confidences = []
        for name, f in scalar.items():
            extraction = result.extractions.get(name)
            if name not in ex.expected or extraction is None or not has_value(extraction.value):
                continue
            if extraction.confidence is None:
                continue
            right = has_value(ex.expected[name]) and values_match(ex.expected[name], extraction.value, f.type)
            confidences.append(FieldConfidence(field=name, confidence=extraction.confidence, correct=right))
        out.append(
            HeldOutDocument(
                name=ex.name,
                template=ex.template or NO_TEMPLATE,
                fold=fold,
                trained=DocumentScore(name=ex.name, counts=score(ex.expected, result.values(), workflow.fields)),
                local=DocumentScore(name=ex.name, counts=score(ex.expected, local_values, workflow.fields)),
                confidences=confidences,
                expected_values=sum(1 for n in scalar if has_value(ex.expected.get(n))),
            )
        )
    return out


def _thresholds(documents: list[HeldOutDocument]) -> list[ThresholdRow]:
    confidences = [c for d in documents for c in d.confidences]
    known = sum(d.expected_values for d in documents)
    rows = []
    for t in THRESHOLDS:
        kept = [c for c in confidences if c.confidence >= t]
        right = sum(c.correct for c in kept)
        rows.append(
            ThresholdRow(
                threshold=t,
                answered=len(kept),
                precision=round(right / len(kept), 4) if kept else None,
                coverage=round(right / known, 4) if known else 0.0,
            )
        )
    return rows


def summarize_documents(
    documents: list[HeldOutDocument], workflow: Workflow, mode: Literal["document", "template", "split"], folds: int
) -> HeldOutEvaluation:
    """The evaluation's tables from its held-out documents."""
    trained = summarize([d.trained for d in documents], workflow.fields, engine="trained")
    local = summarize([d.local for d in documents], workflow.fields, engine="local")
    templates = []
    for name in sorted({d.template for d in documents}):
        docs = [d for d in documents if d.template == name]
        t = summarize([d.trained for d in docs], workflow.fields)
        lo = summarize([d.local for d in docs], workflow.fields)
        templates.append(
            TemplateScore(
                template=name,
                documents=len(docs),
                trained=round(t.micro.f1, 4),
                local=round(lo.micro.f1, 4),
                trained_line_items=t.line_item_f1,
                local_line_items=lo.line_item_f1,
            )
        )
    confidences = [c for d in documents for c in d.confidences]
    n = max(len(documents), 1)
    return HeldOutEvaluation(
        mode=mode,
        folds=folds,
        documents=documents,
        trained=trained,
        local=local,
        templates=templates,
        all_right={
            "trained": round(sum(_all_right(d.trained) for d in documents) / n, 4),
            "local": round(sum(_all_right(d.local) for d in documents) / n, 4),
        },
        thresholds=_thresholds(documents),
        calibration=calibration([c.confidence for c in confidences], [c.correct for c in confidences]),
    )


def cross_validate(
    examples: Sequence[TrainingExample],
    workflow: Workflow,
    *,
    by: Literal["document", "template"] = "document",
    folds: int = FOLDS,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
    prepared: dict[str, PreparedDocument] | None = None,
) -> HeldOutEvaluation:
    """Train on all but one fold, evaluate on it, for every fold; both engines scored on the same documents.

    Args:
        examples: the annotated documents.
        workflow: the fields.
        by: ``document`` (near-identical documents, ``group``, stay together) or ``template`` (every
            document of a template held out together; templates from the annotations, else layout clusters).
        folds: at most this many folds.
        progress: ``callback(fraction, message)``.
        should_stop: True cancels (``TrainingCancelled``).
        prepared: a cache of prepared documents by id (shared with a final fit, so nothing is prepared twice).

    Raises:
        TrainingError: fewer than two groups (or templates) to split.
    """
    started = time.perf_counter()
    cache = prepared if prepared is not None else {}
    if by == "template":
        similarity = np.zeros((0, 0))
        if not all(ex.template for ex in examples):
            preps = prepare_examples(examples, workflow, cache, should_stop=should_stop)
            sig = signature_matrix([p.anchors for p in preps])
            similarity = np.asarray((sig @ sig.T).todense())
        ids = template_ids([ex.template for ex in examples], similarity)
    else:
        ids = group_ids([ex.group_key for ex in examples])
    splits = split(ids, folds)
    if not splits:
        raise TrainingError(
            f"cross-validation by {by} needs documents of two or more {by}s",
            hint="Annotate more documents (of another template).",
        )
    documents: list[HeldOutDocument] = []
    fit_seconds: list[float] = []
    for k, (train, test) in enumerate(splits):

        def fold_progress(fraction: float, message: str, k: int = k) -> None:
            if progress is not None:
                progress((k + fraction) / len(splits), f"fold {k + 1} of {len(splits)}: {message}")

        model = TrainedExtractor(workflow).fit(
            [examples[i] for i in train], progress=fold_progress, should_stop=should_stop, prepared=cache
        )
        fit_seconds.append(round(model.fit_seconds_, 3))
        documents += evaluate_on(model, [examples[i] for i in test], fold=k, prepared=cache)
    report = summarize_documents(documents, workflow, by, len(splits))
    report.fit_seconds = fit_seconds
    report.seconds = round(time.perf_counter() - started, 3)
    return report
