"""Training a stored workflow: its annotated documents in, a new model version out, in the background.

A run is recorded in the training history at once (``store.models``) and then goes through its steps:
gather the annotated documents (``examples_from_store``), evaluate by cross-validation (by template when the
workflow has two or more, else by document), fit the final model, save it as the next version under
``<models_dir>/<workflow>/v<N>`` (written aside, then renamed), compare it with the previous version on the
documents both evaluations held out, and record the version. Progress is written to the run as it goes; a
cancel (``cancel_training``, from any process) stops it at its next step. A failed or cancelled run saves no
version and never changes which version is active: activating is the user's choice (``activate``), with the
comparison's warnings in front of them, and ``rollback`` goes back to any earlier version (or to none).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from core.annotation.values import expected_of
from core.config import Settings, get_settings
from core.errors import FieldbenchError, NotFoundError, TrainingCancelled, TrainingError
from core.schema import Workflow
from core.store import Store
from core.store.models import ModelVersion, TrainingRun
from core.training.comparison import Comparison, compare
from core.training.evaluation import HeldOutEvaluation, cross_validate
from core.training.examples import NO_TEMPLATE, TrainingExample, ValueBox
from core.training.features import PreparedDocument
from core.training.model import FieldPlan, TrainedExtractor
from core.training.persistence import save_model

__all__ = [
    "PROGRESS_EVERY",
    "CANCEL_CHECK_EVERY",
    "VersionReport",
    "examples_from_store",
    "train_workflow",
    "start_training",
    "cancel_training",
    "wait_for",
    "history",
    "activate",
    "rollback",
]

PROGRESS_EVERY = 0.5
"""Seconds between progress writes to the store (a page polling once a second sees every change)."""
CANCEL_CHECK_EVERY = 1.0
"""Seconds between looks at the store for a cancel asked for by another process."""

_CANCEL: dict[str, threading.Event] = {}  # runs of this process, by run id
_THREADS: dict[str, threading.Thread] = {}
_LOCK = threading.Lock()


class VersionReport(BaseModel):
    """What a model version's record keeps: its held-out evaluation and its comparison with the previous one."""

    evaluation: HeldOutEvaluation
    comparison: Comparison | None = None
    compared_with: int | None = Field(default=None, description="The previous version it was compared with.")
    documents: list[str] = Field(default_factory=list, description="Names of the documents it was trained on.")
    plans: dict[str, FieldPlan] = Field(
        default_factory=dict, description="Per field, what answers it (trained or local, per layout) and why."
    )


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def examples_from_store(store: Store, workflow: Workflow) -> list[TrainingExample]:
    """The workflow's annotated training documents as training examples (read with its document spec).

    Values are the annotations on the workflow's current fields; boxes those that were located or drawn;
    the template by name. Documents whose names repeat get the start of their id appended, so that held-out
    scores can be told apart.
    """
    names = {t.id: t.name for t in store.templates.list(workflow.id)}
    current = {f.name for f in workflow.fields}
    records = store.training.list(workflow.id, status="annotated")
    taken = Counter(r.name for r in records)
    examples = []
    for record in records:
        values = store.training.values(record.id)
        expected = {k: v for k, v in expected_of(values).items() if k in current}
        boxes = {
            v.path: ValueBox(page=v.page, bbox=v.bbox)
            for v in values
            if v.located and v.page is not None and v.bbox is not None
        }
        document = store.documents.load(record.document_id, spec=workflow.spec)
        if taken[record.name] > 1:
            document = document.model_copy(update={"name": f"{record.name} ({record.document_id[:8]})"})
        else:
            document = document.model_copy(update={"name": record.name})
        template = names.get(record.template_id) if record.template_id else None
        examples.append(TrainingExample(document=document, expected=expected, boxes=boxes, template=template))
    return examples


class _Run:
    """One run's progress and cancel checks, written to the store at most every ``PROGRESS_EVERY`` seconds."""

    def __init__(self, store: Store, run: TrainingRun, cancel: threading.Event) -> None:
        self.store, self.run, self.cancel = store, run, cancel
        self._written = self._checked = 0.0

    def progress(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if now - self._written >= PROGRESS_EVERY or fraction >= 1.0:
            self._written = now
            self.store.models.set_progress(self.run.id, round(min(max(fraction, 0.0), 1.0), 4), message)

    def step(self, start: float, end: float) -> Callable[[float, str], None]:
        """A progress callback for one step that covers ``start``-``end`` of the run."""
        return lambda fraction, message: self.progress(start + (end - start) * fraction, message)

    def should_stop(self) -> bool:
        if self.cancel.is_set():
            return True
        now = time.monotonic()
        if now - self._checked >= CANCEL_CHECK_EVERY:
            self._checked = now
            if self.store.models.run(self.run.id).status == "cancelling":
                self.cancel.set()
        return self.cancel.is_set()


def _compare_with_previous(
    store: Store, workflow: Workflow, evaluation: HeldOutEvaluation
) -> tuple[Comparison | None, int | None]:
    """The new evaluation against the latest version's, on the documents both held out."""
    versions = store.models.versions(workflow.id)
    if not versions:
        return None, None
    previous = versions[0]
    try:
        before = VersionReport.model_validate(previous.report).evaluation
    except ValueError:  # a version recorded without an evaluation: nothing to compare with
        return None, previous.version
    ours = {d.name: d for d in evaluation.documents}
    shared = [d for d in before.documents if d.name in ours]
    if not shared:
        return None, previous.version
    comparison = compare(
        [d.trained for d in shared],
        [ours[d.name].trained for d in shared],
        workflow.fields,
        templates={d.name: ours[d.name].template for d in shared},
        names=(f"v{previous.version}", "new"),
    )
    return comparison, previous.version


def train_workflow(
    store: Store,
    workflow: Workflow,
    *,
    run: TrainingRun | None = None,
    settings: Settings | None = None,
    cancel: threading.Event | None = None,
) -> TrainingRun:
    """Train the workflow on its annotated documents now (in this thread), and record the run.

    Returns:
        The finished run: ``succeeded`` with its new version, ``cancelled``, or ``failed`` with the reason.
    """
    settings = settings or get_settings()
    run = run or store.models.start_run(TrainingRun(workflow_id=workflow.id, owner=_owner()))
    state = _Run(store, run, cancel or threading.Event())
    target: Path | None = None
    try:
        state.progress(0.0, "reading the annotated documents")
        examples = examples_from_store(store, workflow)
        if not examples:
            raise TrainingError("the workflow has no annotated documents", hint="Annotate or import documents first.")
        run.documents = dict(Counter(ex.template or NO_TEMPLATE for ex in examples))
        templates = {ex.template for ex in examples if ex.template}
        by: Literal["document", "template"] = "template" if len(templates) >= 2 else "document"
        cache: dict[str, PreparedDocument] = {}
        evaluation = cross_validate(
            examples, workflow, by=by, progress=state.step(0.05, 0.8), should_stop=state.should_stop, prepared=cache
        )
        model = TrainedExtractor(workflow).fit(
            examples, progress=state.step(0.8, 0.95), should_stop=state.should_stop, prepared=cache
        )
        comparison, previous = _compare_with_previous(store, workflow, evaluation)
        state.progress(0.96, "saving the model")
        version = store.models.next_version(workflow.id)
        target = settings.models_dir / workflow.id / f"v{version}"
        report = VersionReport(
            evaluation=evaluation,
            comparison=comparison,
            compared_with=previous,
            documents=[e.name for e in examples],
            plans=model.plans_,
        )
        save_model(model, target, version=version, evaluation=evaluation.model_dump(mode="json"))
        store.models.add_version(
            ModelVersion(
                workflow_id=workflow.id,
                version=version,
                path=str(target),
                training_run_id=run.id,
                workflow_version=workflow.version,
                documents=len(examples),
                report=report.model_dump(mode="json"),
            )
        )
        run.status, run.version = "succeeded", version
        run.scores = {
            "trained_f1": evaluation.trained.micro.f1,
            "local_f1": evaluation.local.micro.f1,
            "ece": evaluation.calibration.ece,
            "held_out_by": by,
        }
        run.message = f"version {version} saved"
    except TrainingCancelled:
        run.status, run.message = "cancelled", "cancelled; no version saved"
    except (FieldbenchError, ValueError, OSError) as exc:
        run.status, run.error, run.message = "failed", str(exc), "failed; no version saved"
    finally:
        if run.status != "succeeded" and target is not None:
            shutil.rmtree(target, ignore_errors=True)  # saved but not recorded: not a version
        run.finished_at = datetime.now(timezone.utc)
        run.progress = 1.0 if run.status == "succeeded" else run.progress
        store.models.update_run(run)
    return run


def start_training(store: Store, workflow: Workflow, *, settings: Settings | None = None) -> TrainingRun:
    """Start training in a background thread; returns the run as recorded (``running``).

    The app stays responsive; the run's progress, its end and its outcome are in ``store.models.run(id)``.
    """
    run = store.models.start_run(TrainingRun(workflow_id=workflow.id, owner=_owner(), message="starting"))
    cancel = threading.Event()
    thread = threading.Thread(
        target=train_workflow,
        args=(store, workflow),
        kwargs={"run": run, "settings": settings, "cancel": cancel},
        name=f"training-{run.id[:8]}",
        daemon=True,
    )
    with _LOCK:
        _CANCEL[run.id] = cancel
        _THREADS[run.id] = thread
    thread.start()
    return run


def cancel_training(store: Store, run_id: str) -> None:
    """Ask a run to stop: at once when it runs in this process, at its next check in another one."""
    with _LOCK:
        event = _CANCEL.get(run_id)
    if event is not None:
        event.set()
    store.models.request_cancel(run_id)


def wait_for(run_id: str, timeout: float | None = None) -> None:
    """Wait for a run started in this process to end (notebooks, the CLI, tests)."""
    with _LOCK:
        thread = _THREADS.get(run_id)
    if thread is not None:
        thread.join(timeout)


def _alive(owner: str) -> bool:
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine's run: assume it lives
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def history(store: Store, workflow_id: str) -> list[TrainingRun]:
    """The training history, newest first; a run whose process ended without finishing it is marked failed."""
    runs = store.models.runs(workflow_id)
    for i, run in enumerate(runs):
        if not run.finished and run.owner and not _alive(run.owner):
            run = run.model_copy(
                update={
                    "status": "failed",
                    "error": "interrupted: the process running it ended",
                    "finished_at": datetime.now(timezone.utc),
                }
            )
            runs[i] = store.models.update_run(run)
    return runs


def activate(store: Store, workflow_id: str, version: int) -> list[str]:
    """Make ``version`` the workflow's model (``auto`` picks it from now on); returns the warnings its
    comparison with the previous version gave (worse overall, or on a field with enough documents).

    Raises:
        NotFoundError: no such version, or its folder is gone.
    """
    record = store.models.version(workflow_id, version)
    if not Path(record.path).is_dir():
        raise NotFoundError("model folder", record.path)
    store.models.set_active(workflow_id, version)
    comparison = record.report.get("comparison") if isinstance(record.report, dict) else None
    return list(comparison.get("warnings", [])) if isinstance(comparison, dict) else []


def rollback(store: Store, workflow_id: str, version: int | None = None) -> int | None:
    """Go back to an earlier version: ``version``, else the newest one older than the active one, else none
    (the generic engines run again). Returns the version now active (None: no trained model)."""
    if version is None:
        active = store.models.active(workflow_id)
        older = [v.version for v in store.models.versions(workflow_id) if active is not None and v.version < active]
        version = max(older) if older else None
    store.models.set_active(workflow_id, version)
    return version
