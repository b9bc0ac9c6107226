"""Comparing two versions on the same held-out documents (two models, or a model against the local engine):
the change in F1 per field and per template with a bootstrap interval over documents (few documents: the
interval says how sure the difference is), the documents fixed and broken, a chart, and the warnings shown
before a version is activated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel
from pydantic import Field as PydField

from core.errors import TrainingError
from core.evaluation.report import DocumentScore
from core.evaluation.scoring import item_prefixes
from core.schema import Field
from core.training.examples import NO_TEMPLATE

__all__ = [
    "RESAMPLES",
    "INTERVAL",
    "WARN_MIN_DOCUMENTS",
    "Change",
    "DocumentChange",
    "Comparison",
    "compare",
    "activation_warnings",
    "change_chart",
]

RESAMPLES = 2000
"""Bootstrap resamples of the documents: enough for a stable 95% interval, a few milliseconds of numpy."""
INTERVAL = 0.95
"""Coverage of the reported interval of a change."""
WARN_MIN_DOCUMENTS = 5
"""Held-out documents with a value a field needs before a drop on it warns on its own (fewer: the overall
figure speaks for it)."""
_OVERALL = "micro (scalar fields)"


class Change(BaseModel):
    """The F1 of one field (or template, or overall) before and after, and how sure the change is."""

    name: str
    documents: int = PydField(description="Documents where this field (template) was scored.")
    before: float
    after: float
    change: float
    low: float = PydField(description="Lower end of the bootstrap interval of the change.")
    high: float
    better_share: float = PydField(description="Share of bootstrap resamples in which the new version is better.")


class DocumentChange(BaseModel):
    """A document whose values changed correctness: paths fixed (wrong before, right after) and broken."""

    name: str
    template: str = NO_TEMPLATE
    fixed: list[str] = PydField(default_factory=list)
    broken: list[str] = PydField(default_factory=list)


class Comparison(BaseModel):
    """A new version against a previous one on the same documents."""

    before: str
    after: str
    documents: int
    overall: Change
    fields: list[Change]
    templates: list[Change]
    fixed: list[DocumentChange]
    broken: list[DocumentChange]
    warnings: list[str] = PydField(default_factory=list)


def _counts(docs: Sequence[DocumentScore], path: str | None, items: set[str]) -> np.ndarray:
    """(n, 3) TP, FP, FN per document of one path, or of every scalar path (None)."""
    out = np.zeros((len(docs), 3))
    for i, d in enumerate(docs):
        for key, c in d.counts.items():
            if (path is None and not any(key.startswith(p) for p in items)) or key == path:
                out[i] += (c.tp, c.fp, c.fn)
    return out


def _f1(sums: np.ndarray) -> np.ndarray:
    tp, fp, fn = sums[..., 0], sums[..., 1], sums[..., 2]
    denom = 2 * tp + fp + fn
    return np.where(denom > 0, 2 * tp / np.maximum(denom, 1e-12), 0.0)


def _change(name: str, a: np.ndarray, b: np.ndarray, weights: np.ndarray) -> Change:
    scored = (a.sum(axis=1) + b.sum(axis=1)) > 0
    before, after = float(_f1(a.sum(axis=0))), float(_f1(b.sum(axis=0)))
    deltas = _f1(weights @ b) - _f1(weights @ a)
    tail = (1 - INTERVAL) / 2
    return Change(
        name=name,
        documents=int(scored.sum()),
        before=round(before, 4),
        after=round(after, 4),
        change=round(after - before, 4),
        low=round(float(np.quantile(deltas, tail)), 4),
        high=round(float(np.quantile(deltas, 1 - tail)), 4),
        better_share=round(float(np.mean(deltas > 0)), 4),
    )


def _document_changes(
    before: Sequence[DocumentScore], after: Sequence[DocumentScore], templates: Mapping[str, str]
) -> list[DocumentChange]:
    out = []
    for a, b in zip(before, after, strict=True):
        change = DocumentChange(name=a.name, template=templates.get(a.name, NO_TEMPLATE))
        for path in sorted(set(a.counts) | set(b.counts)):
            ca, cb = a.counts.get(path), b.counts.get(path)
            wrong_a = ca is not None and (ca.fp or ca.fn)
            wrong_b = cb is not None and (cb.fp or cb.fn)
            if wrong_a and not wrong_b:
                change.fixed.append(path)
            elif wrong_b and not wrong_a:
                change.broken.append(path)
        if change.fixed or change.broken:
            out.append(change)
    return out


def compare(
    before: Sequence[DocumentScore],
    after: Sequence[DocumentScore],
    fields: list[Field],
    *,
    templates: Mapping[str, str] | None = None,
    names: tuple[str, str] = ("previous", "new"),
    seed: int = 0,
) -> Comparison:
    """Compare two versions' scores on the same documents.

    Args:
        before: the previous version's per-document scores (``HeldOutDocument.trained`` or ``.local``).
        after: the new version's, for the same documents (matched by name).
        fields: the workflow's fields.
        templates: the template of each document by name.
        names: what to call the two versions.
        seed: of the bootstrap.

    Raises:
        TrainingError: the two do not cover the same documents.
    """
    by_name = {d.name: d for d in after}
    if len(by_name) != len(after) or {d.name for d in before} != set(by_name):
        raise TrainingError("the two versions were not evaluated on the same documents", hint="Evaluate both again.")
    after = [by_name[d.name] for d in before]
    templates = templates or {}
    items = item_prefixes(fields)
    rng = np.random.default_rng(seed)
    n = len(before)
    weights = np.zeros((RESAMPLES, n))
    if n:
        picks = rng.integers(0, n, size=(RESAMPLES, n))
        for r in range(RESAMPLES):
            weights[r] = np.bincount(picks[r], minlength=n)
    paths = list(dict.fromkeys(p for d in list(before) + list(after) for p in d.counts))
    field_changes = [_change(p, _counts(before, p, items), _counts(after, p, items), weights) for p in paths]
    template_changes = []
    for template in sorted({templates.get(d.name, NO_TEMPLATE) for d in before}):
        mask = np.array([templates.get(d.name, NO_TEMPLATE) == template for d in before])
        a, b = _counts(before, None, items) * mask[:, None], _counts(after, None, items) * mask[:, None]
        change = _change(template, a, b, weights)
        template_changes.append(change.model_copy(update={"documents": int(mask.sum())}))
    changes = _document_changes(before, after, templates)
    comparison = Comparison(
        before=names[0],
        after=names[1],
        documents=n,
        overall=_change(_OVERALL, _counts(before, None, items), _counts(after, None, items), weights),
        fields=field_changes,
        templates=template_changes,
        fixed=[c for c in changes if c.fixed],
        broken=[c for c in changes if c.broken],
    )
    comparison.warnings = activation_warnings(comparison)
    return comparison


def activation_warnings(comparison: Comparison, *, min_documents: int = WARN_MIN_DOCUMENTS) -> list[str]:
    """Why activating the new version may be a mistake: worse overall, or worse on a field with enough
    documents; each with its interval so the user sees how sure it is."""

    def line(what: str, c: Change) -> str:
        return (
            f"{comparison.after} is worse than {comparison.before} {what}: F1 {c.before:.3f} -> {c.after:.3f} "
            f"({c.change:+.3f}, {INTERVAL:.0%} interval {c.low:+.3f} to {c.high:+.3f}, {c.documents} documents)"
        )

    out = []
    if comparison.overall.change < 0:
        out.append(line("overall", comparison.overall))
    for c in comparison.fields:
        if c.change < 0 and c.documents >= min_documents:
            out.append(line(f"on {c.name}", c))
    return out


def change_chart(comparison: Comparison) -> Any:
    """An Altair chart of the change per field with its interval (what the Train page shows)."""
    import altair as alt  # noqa: PLC0415 - altair (and its jsonschema stack) only when a chart is drawn
    import pandas as pd  # noqa: PLC0415 - comes with altair's use only

    rows = [c.model_dump() for c in [comparison.overall, *comparison.fields]]
    data = pd.DataFrame(rows)
    base = alt.Chart(data).encode(y=alt.Y("name:N", sort=None, title=None))
    bars = base.mark_bar().encode(
        x=alt.X("change:Q", title=f"F1 change, {comparison.before} -> {comparison.after}"),
        color=alt.condition("datum.change < 0", alt.value("#c0392b"), alt.value("#27ae60")),
        tooltip=["name", "before", "after", "change", "low", "high", "documents"],
    )
    rules = base.mark_rule().encode(x="low:Q", x2="high:Q")
    return (bars + rules).properties(height=alt.Step(18))
