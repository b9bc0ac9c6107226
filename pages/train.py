"""Train: a workflow's own model from its annotated documents, in the background; its held-out evaluation,
the comparison with the previous version, activation and rollback."""

from __future__ import annotations

import streamlit as st

from core.annotation.progress import RECOMMENDATION_RULE, training_progress
from core.schema import Workflow
from core.store import Store
from core.store.models import ModelVersion, TrainingRun
from core.training.jobs import VersionReport, activate, cancel_training, history, rollback, start_training
from pages._train_report import comparison_view, evaluation_view, plans_view
from pages._widgets import get_store, plain, show_errors, workflow_picker

STATE = "train"
POLL_SECONDS = 1.0  # how often a running training's progress is read again (a fragment, not the page)


def _data(store: Store, workflow: Workflow) -> int:
    """Annotated against recommended documents per template; returns how many are annotated."""
    rows = training_progress(store, workflow.id, since=store.models.last_started(workflow.id))
    st.dataframe(
        [
            {
                "template": r.name,
                "annotated": r.annotated,
                "recommended": r.recommended,
                "still recommended": r.missing,
                "added since last training": r.added_since_training,
            }
            for r in rows
        ],
        hide_index=True,
    )
    st.caption(RECOMMENDATION_RULE)
    return sum(r.annotated for r in rows)


@st.fragment(run_every=POLL_SECONDS)
def _running(store: Store, run_id: str) -> None:
    """The running training's progress, read again every second; stops polling once it ended."""
    run = store.models.run(run_id)
    if run.finished:
        st.session_state.pop(f"{STATE}_run", None)
        st.rerun()
    st.progress(run.progress, text=plain(run.message or run.status))
    if st.button("Cancel", key=f"{STATE}_cancel", disabled=run.status == "cancelling"):
        cancel_training(store, run_id)


def _history(runs: list[TrainingRun]) -> None:
    st.dataframe(
        [
            {
                "status": r.status,
                "started": r.started_at.strftime("%Y-%m-%d %H:%M"),
                "seconds": round(r.seconds) if r.seconds is not None else None,
                "documents per template": ", ".join(f"{k}: {n}" for k, n in r.documents.items()),
                "version": r.version,
                "held-out F1 (trained / local)": (
                    f"{r.scores['trained_f1']:.3f} / {r.scores['local_f1']:.3f}" if "trained_f1" in r.scores else ""
                ),
                "note": r.error or r.message,
            }
            for r in runs
        ],
        hide_index=True,
    )


def _done(message: str, warnings: list[str] | None = None) -> None:
    """Say what an action did on the next run (the page is drawn again with its effect)."""
    st.session_state[f"{STATE}_done"] = (message, warnings or [])
    st.rerun()


def _said() -> None:
    said = st.session_state.pop(f"{STATE}_done", None)
    if said:
        message, warnings = said
        for warning in warnings:
            st.warning(plain(warning))
        st.success(message)


def _versions(store: Store, workflow: Workflow, versions: list[ModelVersion]) -> None:
    """Pick a version: its evaluation and comparison, activate it, or roll back."""
    active = store.models.active(workflow.id)
    labels = {v.version: f"v{v.version}" + (" (active)" if v.version == active else "") for v in versions}
    chosen = st.selectbox("Version", list(labels), format_func=labels.__getitem__, key=f"{STATE}_version")
    version = next(v for v in versions if v.version == chosen)
    report = VersionReport.model_validate(version.report)
    left, right = st.columns(2)
    if left.button(f"Activate v{chosen}", type="primary", disabled=chosen == active, key=f"{STATE}_activate"):
        with show_errors():
            warnings = activate(store, workflow.id, chosen)
            _done(f"v{chosen} is active: it replaces the generic engines for this workflow.", warnings)
    if right.button(
        "Roll back",
        disabled=active is None,
        key=f"{STATE}_rollback",
        help="Back to the version before the active one; from the first, to the generic engines.",
    ):
        now = rollback(store, workflow.id)
        _done(f"v{now} is active." if now is not None else "No trained model is active: the generic engines run.")
    evaluation_view(report.evaluation)
    plans_view(report.plans)
    if report.comparison is not None:
        comparison_view(report.comparison, report.compared_with)


st.title("Train")
st.caption(
    "Train a model for the workflow from its annotated documents. It is evaluated on documents held out from "
    "training (by template when there are two or more), next to the generic engine on the same documents, and "
    "compared with the previous version; activate a version to make it the workflow's engine."
)
store = get_store()
workflow = workflow_picker(store, f"{STATE}_workflow")
if workflow is not None:
    annotated = _data(store, workflow)
    running = st.session_state.get(f"{STATE}_run")
    if running:
        _running(store, running)
    elif st.button("Start training", type="primary", disabled=annotated == 0, key=f"{STATE}_start"):
        with show_errors():
            st.session_state[f"{STATE}_run"] = start_training(store, workflow).id
            st.rerun()
    runs = history(store, workflow.id)
    if runs:
        st.subheader("Training history")
        _history(runs)
    versions = store.models.versions(workflow.id)
    if versions:
        st.subheader("Versions")
        _said()
        _versions(store, workflow, versions)
