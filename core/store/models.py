"""Training runs and the model versions they produced, per workflow: the training history.

Table ``training_runs``: every run with its status (``running``, ``succeeded``, ``failed``, ``cancelled``),
start and end, progress, the documents it used per template, its headline scores or its error. Table
``model_versions``: every saved model of a workflow (its folder, the run that made it, its evaluation report).
Which version is active is recorded here too (``workflows_active_model``), and only here: the pipeline hands
the active version's folder to the engine choice, so activating or rolling back is one transaction.
"""

from __future__ import annotations

import builtins
import json
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine

from core.errors import NotFoundError, StoreError
from core.store.db import metadata, utc

__all__ = [
    "RunStatus",
    "TrainingRun",
    "ModelVersion",
    "ModelRepo",
    "training_runs_table",
    "model_versions_table",
    "active_models_table",
]

RunStatus = Literal["running", "cancelling", "succeeded", "failed", "cancelled"]
"""``cancelling``: a cancel was asked for; the run stops at its next step (it may be in another process)."""

training_runs_table = sa.Table(
    "training_runs",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("workflow_id", sa.String(36), sa.ForeignKey("workflows.id", ondelete="CASCADE"), nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("progress", sa.Float, nullable=False, default=0.0),
    sa.Column("message", sa.Text, nullable=False, default=""),
    sa.Column("documents_json", sa.Text, nullable=False, default="{}"),
    sa.Column("version", sa.Integer, nullable=True),
    sa.Column("scores_json", sa.Text, nullable=False, default="{}"),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("owner", sa.String(200), nullable=False, default=""),
    sa.Index("ix_training_runs_workflow", "workflow_id"),
)

model_versions_table = sa.Table(
    "model_versions",
    metadata,
    sa.Column("workflow_id", sa.String(36), sa.ForeignKey("workflows.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("training_run_id", sa.String(36), nullable=True),
    sa.Column("workflow_version", sa.Integer, nullable=False),
    sa.Column("documents", sa.Integer, nullable=False),
    sa.Column("report_json", sa.Text, nullable=False, default="{}"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

active_models_table = sa.Table(
    "workflows_active_model",
    metadata,
    sa.Column("workflow_id", sa.String(36), sa.ForeignKey("workflows.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("activated_at", sa.DateTime(timezone=True), nullable=False),
)


class TrainingRun(BaseModel):
    """One training run of a workflow, as the training history lists it."""

    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    workflow_id: str
    status: RunStatus = "running"
    started_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    finished_at: datetime | None = None
    progress: float = Field(default=0.0, description="0-1.")
    message: str = Field(default="", description="What the run is doing, or did last.")
    documents: dict[str, int] = Field(default_factory=dict, description="Annotated documents used, per template.")
    version: int | None = Field(default=None, description="The model version it saved (succeeded runs).")
    scores: dict[str, Any] = Field(default_factory=dict, description="Headline held-out scores.")
    error: str | None = None
    owner: str = Field(default="", description="'host:pid' of the process running it (to tell a run that died).")

    @property
    def finished(self) -> bool:
        """The run ended (succeeded, failed or was cancelled)."""
        return self.status in ("succeeded", "failed", "cancelled")

    @property
    def seconds(self) -> float | None:
        """How long it ran (None while running)."""
        return None if self.finished_at is None else (self.finished_at - self.started_at).total_seconds()


class ModelVersion(BaseModel):
    """A saved model of a workflow."""

    workflow_id: str
    version: int
    path: str = Field(description="The model's folder.")
    training_run_id: str | None = None
    workflow_version: int = Field(description="The version of the workflow's fields it was trained for.")
    documents: int = Field(description="Annotated documents it was trained on.")
    report: dict[str, Any] = Field(default_factory=dict, description="Its held-out evaluation (JSON).")
    created_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))


class ModelRepo:
    """Training runs, model versions and which version is active."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ---------------------------------------------------------------------------------------- runs

    def start_run(self, run: TrainingRun) -> TrainingRun:
        """Record a run that starts now."""
        with self.engine.begin() as conn:
            conn.execute(training_runs_table.insert().values(**_run_row(run)))
        return run

    def set_progress(self, run_id: str, progress: float, message: str) -> None:
        """Write how far a run is (its status is left alone: a cancel asked for meanwhile stays asked for)."""
        t = training_runs_table
        with self.engine.begin() as conn:
            conn.execute(t.update().where(t.c.id == run_id).values(progress=progress, message=message))

    def update_run(self, run: TrainingRun) -> TrainingRun:
        """Write a run's outcome (every column)."""
        row = _run_row(run)
        row.pop("id")
        with self.engine.begin() as conn:
            done = conn.execute(training_runs_table.update().where(training_runs_table.c.id == run.id).values(**row))
        if not done.rowcount:
            raise NotFoundError("training run", run.id)
        return run

    def request_cancel(self, run_id: str) -> None:
        """Ask a running run to stop (it checks between steps, in whatever process it runs)."""
        t = training_runs_table
        with self.engine.begin() as conn:
            conn.execute(t.update().where(t.c.id == run_id, t.c.status == "running").values(status="cancelling"))

    def run(self, run_id: str) -> TrainingRun:
        """One training run.

        Raises:
            NotFoundError: no such run.
        """
        with self.engine.connect() as conn:
            row = (
                conn.execute(sa.select(training_runs_table).where(training_runs_table.c.id == run_id))
                .mappings()
                .first()
            )
        if row is None:
            raise NotFoundError("training run", run_id)
        return _run(row)

    def runs(self, workflow_id: str) -> builtins.list[TrainingRun]:
        """The training history of a workflow, newest first."""
        t = training_runs_table
        query = sa.select(t).where(t.c.workflow_id == workflow_id).order_by(t.c.started_at.desc())
        with self.engine.connect() as conn:
            return [_run(row) for row in conn.execute(query).mappings()]

    def last_started(self, workflow_id: str, *, status: RunStatus = "succeeded") -> datetime | None:
        """When the latest run with this status started (what "added since the last training" counts from)."""
        t = training_runs_table
        query = sa.select(sa.func.max(t.c.started_at)).where(t.c.workflow_id == workflow_id, t.c.status == status)
        with self.engine.connect() as conn:
            value = conn.execute(query).scalar_one_or_none()
        return utc(value) if value is not None else None

    # ------------------------------------------------------------------------------------ versions

    def next_version(self, workflow_id: str) -> int:
        """The number the next saved model of this workflow gets."""
        t = model_versions_table
        with self.engine.connect() as conn:
            latest = conn.execute(sa.select(sa.func.max(t.c.version)).where(t.c.workflow_id == workflow_id)).scalar()
        return int(latest or 0) + 1

    def add_version(self, version: ModelVersion) -> ModelVersion:
        """Record a saved model.

        Raises:
            StoreError: the version number is taken (another run saved it first).
        """
        row = version.model_dump(exclude={"report"})
        row["report_json"] = json.dumps(version.report, ensure_ascii=False, default=str)
        row["created_at"] = utc(version.created_at)
        try:
            with self.engine.begin() as conn:
                conn.execute(model_versions_table.insert().values(**row))
        except sa.exc.IntegrityError as exc:
            raise StoreError(f"model version {version.version} of this workflow exists already") from exc
        return version

    def versions(self, workflow_id: str) -> builtins.list[ModelVersion]:
        """Every saved model of a workflow, newest first."""
        t = model_versions_table
        query = sa.select(t).where(t.c.workflow_id == workflow_id).order_by(t.c.version.desc())
        with self.engine.connect() as conn:
            return [_version(row) for row in conn.execute(query).mappings()]

    def version(self, workflow_id: str, number: int) -> ModelVersion:
        """One saved model.

        Raises:
            NotFoundError: no such version.
        """
        t = model_versions_table
        query = sa.select(t).where(t.c.workflow_id == workflow_id, t.c.version == number)
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        if row is None:
            raise NotFoundError("model version", f"{workflow_id} v{number}")
        return _version(row)

    def active(self, workflow_id: str) -> int | None:
        """The active model version of a workflow, or None (the generic engines run)."""
        t = active_models_table
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(t.c.version).where(t.c.workflow_id == workflow_id)).scalar_one_or_none()
        return None if value is None else int(value)

    def active_path(self, workflow_id: str) -> Path | None:
        """The folder of the workflow's active model version; None when none is active or its folder is gone."""
        number = self.active(workflow_id)
        if number is None:
            return None
        path = Path(self.version(workflow_id, number).path)
        return path if path.is_dir() else None

    def set_active(self, workflow_id: str, number: int | None) -> None:
        """Make a version the active one (None: no trained model, the generic engines run)."""
        if number is not None:
            self.version(workflow_id, number)
        t = active_models_table
        with self.engine.begin() as conn:
            conn.execute(t.delete().where(t.c.workflow_id == workflow_id))
            if number is not None:
                now = datetime.now(timezone.utc)
                conn.execute(t.insert().values(workflow_id=workflow_id, version=number, activated_at=now))


def _run_row(run: TrainingRun) -> dict[str, Any]:
    row = run.model_dump(exclude={"documents", "scores"})
    row["documents_json"] = json.dumps(run.documents, ensure_ascii=False)
    row["scores_json"] = json.dumps(run.scores, ensure_ascii=False, default=str)
    row["started_at"] = utc(run.started_at)
    row["finished_at"] = utc(run.finished_at) if run.finished_at else None
    return row


def _run(row: sa.RowMapping) -> TrainingRun:
    data = dict(row)
    data["documents"] = json.loads(data.pop("documents_json") or "{}")
    data["scores"] = json.loads(data.pop("scores_json") or "{}")
    data["started_at"] = utc(data["started_at"])
    data["finished_at"] = utc(data["finished_at"]) if data["finished_at"] else None
    return TrainingRun.model_validate(data)


def _version(row: sa.RowMapping) -> ModelVersion:
    data = dict(row)
    data["report"] = json.loads(data.pop("report_json") or "{}")
    data["created_at"] = utc(data["created_at"])
    return ModelVersion.model_validate(data)
