"""Human review of processing results: confidence thresholds per workflow and field, and verified results.

Table ``review_thresholds``: a workflow's threshold (path ``""``) and per-field overrides. Table ``reviews``:
one row per verified run with, per value path, its confidence and whether the reviewer corrected it, so the
straight-through rate can be computed at any threshold afterwards.
"""

from __future__ import annotations

import builtins
import json
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine

from core.errors import StoreError
from core.store.db import metadata, utc

__all__ = ["DEFAULT_REVIEW_THRESHOLD", "ReviewRecord", "ReviewRepo", "reviews_table", "review_thresholds_table"]

DEFAULT_REVIEW_THRESHOLD = 0.8
"""Values with a lower confidence are flagged for review (the reference products default to 80 %)."""

review_thresholds_table = sa.Table(
    "review_thresholds",
    metadata,
    sa.Column("workflow_id", sa.String(36), sa.ForeignKey("workflows.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("path", sa.String(300), primary_key=True),
    sa.Column("threshold", sa.Float, nullable=False),
)

reviews_table = sa.Table(
    "reviews",
    metadata,
    sa.Column("processing_id", sa.String(64), primary_key=True),
    sa.Column("workflow_id", sa.String(36), sa.ForeignKey("workflows.id", ondelete="CASCADE"), nullable=False),
    sa.Column("values_json", sa.Text, nullable=False),
    sa.Column("confidences_json", sa.Text, nullable=False),
    sa.Column("corrected_json", sa.Text, nullable=False),
    sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_reviews_workflow_id", "workflow_id"),
)


class ReviewRecord(BaseModel):
    """A verified processing result: the checked values and what the reviewer had to correct."""

    processing_id: str
    workflow_id: str
    values: dict[str, Any] = Field(description="The verified values, {field: value}.")
    confidences: dict[str, float | None] = Field(description="The engine's confidence per value path.")
    corrected: dict[str, bool] = Field(description="Per value path: True when the reviewer changed it.")
    verified_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))


class ReviewRepo:
    """Thresholds and verified results."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def thresholds(self, workflow_id: str) -> dict[str, float]:
        """The workflow's thresholds: ``""`` for the workflow (default 0.8), a path for a field override."""
        t = review_thresholds_table
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t.c.path, t.c.threshold).where(t.c.workflow_id == workflow_id)).all()
        found = {row[0]: float(row[1]) for row in rows}
        found.setdefault("", DEFAULT_REVIEW_THRESHOLD)
        return found

    def set_threshold(self, workflow_id: str, threshold: float | None, path: str = "") -> None:
        """Set the workflow's threshold (``path=""``) or a field's; None removes a field's override.

        Raises:
            StoreError: the threshold is not between 0 and 1.
        """
        if threshold is not None and not 0.0 <= threshold <= 1.0:
            raise StoreError(f"a confidence threshold is between 0 and 1, not {threshold}")
        t = review_thresholds_table
        with self.engine.begin() as conn:
            conn.execute(t.delete().where(t.c.workflow_id == workflow_id, t.c.path == path))
            if threshold is not None:
                conn.execute(t.insert().values(workflow_id=workflow_id, path=path, threshold=float(threshold)))

    def verify(self, record: ReviewRecord) -> ReviewRecord:
        """Record a run as verified (again: the newer verification replaces the older)."""
        row = {
            "processing_id": record.processing_id,
            "workflow_id": record.workflow_id,
            "values_json": json.dumps(record.values, ensure_ascii=False, default=str),
            "confidences_json": json.dumps(record.confidences),
            "corrected_json": json.dumps(record.corrected),
            "verified_at": utc(record.verified_at),
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(reviews_table.delete().where(reviews_table.c.processing_id == record.processing_id))
                conn.execute(reviews_table.insert().values(**row))
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot record the review of {record.processing_id!r}: {exc.__class__.__name__}") from exc
        return record

    def get(self, processing_id: str) -> ReviewRecord | None:
        """The verification of a run, or None when it was not verified."""
        with self.engine.connect() as conn:
            row = (
                conn.execute(sa.select(reviews_table).where(reviews_table.c.processing_id == processing_id))
                .mappings()
                .first()
            )
        return None if row is None else _record(row)

    def list(self, workflow_id: str) -> builtins.list[ReviewRecord]:
        """The verified runs of a workflow, newest first."""
        query = sa.select(reviews_table).where(reviews_table.c.workflow_id == workflow_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(reviews_table.c.verified_at.desc())).mappings().all()
        return [_record(row) for row in rows]

    def verified_ids(self, workflow_id: str) -> set[str]:
        """The processing ids of the workflow's verified runs."""
        query = sa.select(reviews_table.c.processing_id).where(reviews_table.c.workflow_id == workflow_id)
        with self.engine.connect() as conn:
            return {row[0] for row in conn.execute(query)}


def _record(row: sa.RowMapping) -> ReviewRecord:
    return ReviewRecord(
        processing_id=row["processing_id"],
        workflow_id=row["workflow_id"],
        values=json.loads(row["values_json"]),
        confidences=json.loads(row["confidences_json"]),
        corrected=json.loads(row["corrected_json"]),
        verified_at=utc(row["verified_at"]),
    )
