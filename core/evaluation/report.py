"""Evaluation reports: a dataset extracted through the pipeline and scored per field, micro-F1, line items."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel
from pydantic import Field as PydField

from core.errors import FieldbenchError
from core.evaluation.calibration import Calibration, calibration
from core.evaluation.datasets import Dataset, load_dataset
from core.evaluation.scoring import FieldCounts, item_prefixes, score
from core.extraction import choose_engine
from core.pipeline import process
from core.results import ExtractionResult
from core.schema import Field
from core.store import Store

__all__ = [
    "FieldScore",
    "DocumentScore",
    "EvaluationReport",
    "summarize",
    "confidence_pairs",
    "evaluate",
    "format_report",
]


class FieldScore(BaseModel):
    """Counts and scores of one field path over a dataset."""

    field: str
    line_item: bool = PydField(default=False, description="True for an item field of an array of objects.")
    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float


class DocumentScore(BaseModel):
    """One document's counts, or the error that stopped it."""

    name: str
    counts: dict[str, FieldCounts] = PydField(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0
    engine: str = ""
    confidences: list[tuple[float, bool]] = PydField(
        default_factory=list,
        description="(confidence, correct) of each scalar value predicted with a confidence, for calibration.",
    )


class EvaluationReport(BaseModel):
    """Per-field precision, recall and F1 of one engine on one dataset, micro-F1 and line-item F1."""

    dataset: str
    engine: str
    engine_reason: str = ""
    documents: int
    failed: int = 0
    fields: list[FieldScore]
    micro: FieldScore = PydField(description="Micro average over all scalar fields (not line items).")
    line_items: FieldScore | None = PydField(default=None, description="Micro average over item fields.")
    per_document: list[DocumentScore] = PydField(default_factory=list)
    calibration: Calibration | None = PydField(
        default=None, description="Confidence bins and expected calibration error of the scalar values predicted."
    )
    seconds: float = 0.0

    @property
    def micro_f1(self) -> float:
        """Micro-F1 over all scalar fields."""
        return self.micro.f1

    @property
    def line_item_f1(self) -> float | None:
        """Micro-F1 over all line-item fields; None when the dataset has none."""
        return self.line_items.f1 if self.line_items else None


def _field_score(name: str, counts: FieldCounts, line_item: bool) -> FieldScore:
    return FieldScore(
        field=name,
        line_item=line_item,
        tp=counts.tp,
        fp=counts.fp,
        fn=counts.fn,
        precision=round(counts.precision, 4),
        recall=round(counts.recall, 4),
        f1=round(counts.f1, 4),
    )


def summarize(
    per_document: list[DocumentScore],
    fields: list[Field],
    *,
    dataset: str = "",
    engine: str = "",
    engine_reason: str = "",
    seconds: float = 0.0,
) -> EvaluationReport:
    """Sum per-document counts into a report: per field, micro over scalar fields, micro over line items.

    "Scalar fields" are every path that is not an item field of an array of objects (arrays of scalars count
    their elements there); line-item fields are summed apart.
    """
    prefixes = item_prefixes(fields)
    order: list[str] = []
    totals: dict[str, FieldCounts] = {}
    for doc in per_document:
        for key, counts in doc.counts.items():
            if key not in totals:
                order.append(key)
                totals[key] = FieldCounts()
            totals[key] = totals[key] + counts
    # Keep the workflow's field order, not the order fields happened to be first seen.
    rank = {f.name: i for i, f in enumerate(fields)}
    seen = {key: i for i, key in enumerate(order)}
    order.sort(key=lambda k: (rank.get(k.split(".", 1)[0], len(rank)), seen[k]))
    scalar_total, item_total, has_items = FieldCounts(), FieldCounts(), False
    scores: list[FieldScore] = []
    for key in order:
        is_item = any(key.startswith(p) for p in prefixes)
        scores.append(_field_score(key, totals[key], is_item))
        if is_item:
            has_items = True
            item_total = item_total + totals[key]
        else:
            scalar_total = scalar_total + totals[key]
    pairs = [pair for doc in per_document for pair in doc.confidences]
    return EvaluationReport(
        calibration=calibration([c for c, _ in pairs], [ok for _, ok in pairs]) if pairs else None,
        dataset=dataset,
        engine=engine,
        engine_reason=engine_reason,
        documents=len(per_document),
        failed=sum(1 for d in per_document if d.error),
        fields=scores,
        micro=_field_score("micro (scalar fields)", scalar_total, False),
        line_items=_field_score("line items", item_total, True) if has_items else None,
        per_document=per_document,
        seconds=round(seconds, 3),
    )


def confidence_pairs(result: ExtractionResult, counts: dict[str, FieldCounts]) -> list[tuple[float, bool]]:
    """(confidence, correct) of each scored scalar field the result gave a value and a confidence."""
    pairs: list[tuple[float, bool]] = []
    for name, c in counts.items():
        extraction = result.extractions.get(name)
        if extraction is None or extraction.confidence is None or not c.one_value:
            continue  # not a scalar (an array counts its elements), or nothing predicted
        pairs.append((float(extraction.confidence), bool(c.tp)))
    return pairs


def evaluate(
    dataset: Dataset | Path | str,
    *,
    engine: str = "local",
    store: Store | None = None,
    model_dir: Path | str | None = None,
    limit: int | None = None,
    source: str = "bench",
    progress: Callable[[int, int, str], None] | None = None,
) -> EvaluationReport:
    """Extract every document of a dataset through the pipeline and score it.

    A document that fails to load or extract counts every expected value as a miss (FN) and is listed with
    its error; the evaluation goes on.

    Args:
        dataset: a loaded dataset or its folder.
        engine: ``auto``, ``local``, ``llm`` or ``trained``.
        store: where documents and runs go; default a throw-away store.
        model_dir: a trained model's folder (``trained``).
        limit: evaluate only the first N documents.
        source: the run source logged (``bench``, ``cli`` ...).
        progress: called ``(done, total, name)`` after each document.

    Returns:
        The report.

    Raises:
        EngineUnavailableError: the engine asked for cannot run here.
    """
    if not isinstance(dataset, Dataset):
        dataset = load_dataset(dataset)
    own_store = store is None
    store = store or Store.open_memory()
    # Fail fast (before any document) when the engine cannot run at all.
    _, reason = choose_engine(dataset.workflow, requested=engine, model_dir=model_dir)
    docs = dataset.documents[:limit] if limit is not None else dataset.documents
    per_document: list[DocumentScore] = []
    engine_name = engine
    start = time.perf_counter()
    try:
        for index, doc in enumerate(docs):
            t0 = time.perf_counter()
            try:
                result = process(store, doc.path, dataset.workflow, engine=engine, source=source, model_dir=model_dir)
                counts = score(doc.expected, result.values(), dataset.workflow.fields)
                engine_name = result.engine
                per_document.append(
                    DocumentScore(
                        name=doc.name,
                        counts=counts,
                        seconds=round(time.perf_counter() - t0, 3),
                        engine=result.engine,
                        confidences=confidence_pairs(result, counts),
                    )
                )
            except FieldbenchError as exc:
                counts = score(doc.expected, {}, dataset.workflow.fields)
                per_document.append(
                    DocumentScore(name=doc.name, counts=counts, error=str(exc), seconds=time.perf_counter() - t0)
                )
            if progress is not None:
                progress(index + 1, len(docs), doc.name)
    finally:
        if own_store:
            store.close()
    return summarize(
        per_document,
        dataset.workflow.fields,
        dataset=dataset.name,
        engine=engine_name,
        engine_reason=reason,
        seconds=time.perf_counter() - start,
    )


def format_report(report: EvaluationReport) -> str:
    """The report as a plain-text table (what ``fieldbench evaluate`` prints)."""
    rows = [(s.field, s.tp, s.fp, s.fn, s.precision, s.recall, s.f1) for s in report.fields]
    width = max([len("field")] + [len(r[0]) for r in rows] + [len(report.micro.field), len("line items")])
    header = f"{'field':<{width}}  {'TP':>4} {'FP':>4} {'FN':>4}  {'precision':>9} {'recall':>6} {'F1':>6}"
    lines = [
        f"dataset {report.dataset}: {report.documents} documents, engine {report.engine}"
        + (f", {report.failed} failed" if report.failed else ""),
        header,
        "-" * len(header),
    ]
    for name, tp, fp, fn, p, r, f1 in rows:
        lines.append(f"{name:<{width}}  {tp:>4} {fp:>4} {fn:>4}  {p:>9.3f} {r:>6.3f} {f1:>6.3f}")
    lines.append("-" * len(header))
    for total in [report.micro] + ([report.line_items] if report.line_items else []):
        lines.append(
            f"{total.field:<{width}}  {total.tp:>4} {total.fp:>4} {total.fn:>4}  "
            f"{total.precision:>9.3f} {total.recall:>6.3f} {total.f1:>6.3f}"
        )
    if report.calibration is not None:
        cal = report.calibration
        ece = "-" if cal.ece is None else f"{cal.ece:.3f}"
        lines.append(f"calibration: ECE {ece} over {cal.samples} values with a confidence")
        for b in cal.bins:
            if b.count:
                lines.append(
                    f"  confidence {b.low:.1f}-{b.high:.1f}: {b.count:>4} values, mean {b.confidence:.2f}, "
                    f"correct {b.accuracy:.2f}"
                )
    for doc in report.per_document:
        if doc.error:
            lines.append(f"failed: {doc.name}: {doc.error}")
    return "\n".join(lines)
