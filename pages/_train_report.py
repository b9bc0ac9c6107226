"""The Train page's reports: a version's held-out evaluation (per field, per template, thresholds,
calibration) and its comparison with the previous version (changes with intervals, documents fixed and
broken, the chart)."""

from __future__ import annotations

import streamlit as st

from core.training.comparison import Comparison, change_chart
from core.training.evaluation import HeldOutEvaluation
from core.training.model import FieldPlan
from pages._widgets import plain

__all__ = ["evaluation_view", "comparison_view", "plans_view"]


def evaluation_view(evaluation: HeldOutEvaluation) -> None:
    """Per field and per template, both engines on the same held-out documents; thresholds; calibration."""
    st.markdown(f"**Held out by {evaluation.mode}**: {len(evaluation.documents)} documents, {evaluation.folds} folds")
    local = {s.field: s for s in [*evaluation.local.fields, evaluation.local.micro]}
    rows = [
        {
            "field": s.field,
            "precision": s.precision,
            "recall": s.recall,
            "F1": s.f1,
            "generic F1": local[s.field].f1 if s.field in local else None,
        }
        for s in [*evaluation.trained.fields, evaluation.trained.micro]
    ]
    st.dataframe(rows, hide_index=True)
    trained, generic = evaluation.all_right_shares
    st.caption(f"Documents with every field right: {trained:.0%} (generic engine {generic:.0%}).")
    if evaluation.templates:
        st.dataframe(
            [
                {"template": t.template, "documents": t.documents, "F1": t.trained, "generic F1": t.local}
                for t in evaluation.templates
            ],
            hide_index=True,
        )
    left, middle = st.columns(2)
    left.dataframe(
        [
            {"confidence ≥": r.threshold, "answered": r.answered, "precision": r.precision, "coverage": r.coverage}
            for r in evaluation.thresholds
        ],
        hide_index=True,
    )
    ece = evaluation.calibration.ece
    middle.metric(
        "Calibration error (ECE)",
        "–" if ece is None else f"{ece:.3f}",
        help="How far confidences are from the share of values that were right, over the bins below.",
    )
    middle.dataframe([b.model_dump() for b in evaluation.calibration.bins if b.count], hide_index=True)


def plans_view(plans: dict[str, FieldPlan]) -> None:
    """Per field, which engine answers it on known and on unseen layouts, and why (learned column labels)."""
    if not plans:
        return
    st.markdown("**What answers each field**")
    st.dataframe(
        [
            {
                "field": p.name,
                "documents": p.documents,
                "known layouts": p.seen,
                "unseen layouts": p.unseen,
                "why": p.reason,
            }
            for p in plans.values()
        ],
        hide_index=True,
    )


def comparison_view(comparison: Comparison, previous: int | None) -> None:
    """The change per field and template with its interval, the documents fixed and broken, a chart."""
    st.subheader(f"Compared with v{previous}" if previous else "Compared with the previous version")
    overall = comparison.overall
    st.markdown(
        f"On **{comparison.documents}** documents both versions held out: F1 {overall.before:.3f} → "
        f"{overall.after:.3f} (**{overall.change:+.3f}**, interval {overall.low:+.3f} to {overall.high:+.3f})."
    )
    sure = f"The new version is better in {overall.better_share:.0%} of the bootstrap resamples."
    if overall.low < 0 < overall.high:
        sure += " The interval includes 0: with this few documents the difference may be chance."
    st.caption(sure)
    for warning in comparison.warnings:
        st.warning(plain(warning))
    st.altair_chart(change_chart(comparison))
    st.dataframe(
        [
            {
                "template": c.name,
                "documents": c.documents,
                "before": c.before,
                "after": c.after,
                "change": c.change,
                "low": c.low,
                "high": c.high,
            }
            for c in comparison.templates
        ],
        hide_index=True,
    )
    fixed, broken = st.columns(2)
    fixed.markdown(f"**Fixed** ({len(comparison.fixed)} documents)")
    fixed.dataframe([{"document": d.name, "fields": ", ".join(d.fixed)} for d in comparison.fixed], hide_index=True)
    broken.markdown(f"**Broken** ({len(comparison.broken)} documents)")
    broken.dataframe([{"document": d.name, "fields": ", ".join(d.broken)} for d in comparison.broken], hide_index=True)
