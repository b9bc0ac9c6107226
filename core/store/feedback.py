"""Feedback on processing results: a description, a tag (a template), expected values and their diff.

Table ``feedback``: one row per submission, kept for review; the document itself joins the training data
(``training_documents``), annotated when expected values came with it.
"""

from __future__ import annotations

import builtins
import json
import uuid
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine

from core.errors import NotFoundError, StoreError
from core.store.db import metadata, utc

__all__ = ["FieldDiff", "FeedbackRecord", "FeedbackRepo", "feedback_table"]

feedback_table = sa.Table(
    "feedback",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("processing_id", sa.String(64), nullable=False),
    sa.Column("workflow_id", sa.String(36), sa.ForeignKey("workflows.id", ondelete="CASCADE"), nullable=False),
    sa.Column("workflow_version", sa.Integer, nullable=False),
    sa.Column("description", sa.Text, nullable=False, default=""),
    sa.Column("tag", sa.String(200), nullable=True),
    sa.Column("template_id", sa.String(36), sa.ForeignKey("templates.id", ondelete="SET NULL"), nullable=True),
    sa.Column("expected_json", sa.Text, nullable=True),
    sa.Column("diff_json", sa.Text, nullable=True),
    sa.Column(
        "training_document_id",
        sa.String(36),
        sa.ForeignKey("training_documents.id", ondelete="SET NULL"),
        nullable=True,
    ),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_feedback_processing_id", "processing_id"),
)


class FieldDiff(BaseModel):
    """One value path of a feedback's diff: what was extracted against what was expected."""

    path: str
    expected: Any = None
    extracted: Any = None
    match: bool = Field(description="True when the extracted value counts as the expected one (scoring rules).")


class FeedbackRecord(BaseModel):
    """One feedback submission on a processing result."""

    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    processing_id: str
    workflow_id: str
    workflow_version: int
    description: str = ""
    tag: str | None = None
    template_id: str | None = None
    expected: dict[str, Any] | None = Field(
        default=None, description="The expected values, {field: value}; None when only described."
    )
    diff: builtins.list[FieldDiff] | None = Field(default=None, description="Expected against extracted, per path.")
    training_document_id: str | None = None
    created_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))

    @property
    def mismatches(self) -> builtins.list[FieldDiff]:
        """The paths where the result was wrong."""
        return [d for d in self.diff or [] if not d.match]


class FeedbackRepo:
    """Feedback submissions: add, get, list per workflow or per run."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, record: FeedbackRecord) -> FeedbackRecord:
        """Store one submission.

        Raises:
            StoreError: the store cannot be written.
        """
        row = record.model_dump(exclude={"expected", "diff"})
        row["created_at"] = utc(record.created_at)
        row["expected_json"] = None if record.expected is None else json.dumps(record.expected, ensure_ascii=False)
        row["diff_json"] = None if record.diff is None else json.dumps([d.model_dump(mode="json") for d in record.diff])
        try:
            with self.engine.begin() as conn:
                conn.execute(feedback_table.insert().values(**row))
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot store feedback on {record.processing_id!r}: {exc.__class__.__name__}") from exc
        return record

    def get(self, feedback_id: str) -> FeedbackRecord:
        """One submission.

        Raises:
            NotFoundError: no such feedback.
        """
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(feedback_table).where(feedback_table.c.id == feedback_id)).mappings().first()
        if row is None:
            raise NotFoundError("feedback", feedback_id)
        return _record(row)

    def list(self, workflow_id: str | None = None, processing_id: str | None = None) -> builtins.list[FeedbackRecord]:
        """Submissions, newest first, of one workflow or one run."""
        query = sa.select(feedback_table)
        if workflow_id is not None:
            query = query.where(feedback_table.c.workflow_id == workflow_id)
        if processing_id is not None:
            query = query.where(feedback_table.c.processing_id == processing_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(feedback_table.c.created_at.desc())).mappings().all()
        return [_record(row) for row in rows]


def _record(row: sa.RowMapping) -> FeedbackRecord:
    data = dict(row)
    data["created_at"] = utc(data["created_at"])
    data["expected"] = json.loads(data.pop("expected_json")) if row["expected_json"] else None
    diff = data.pop("diff_json")
    data["diff"] = [FieldDiff.model_validate(d) for d in json.loads(diff)] if diff else None
    return FeedbackRecord.model_validate(data)
