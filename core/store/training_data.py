"""A workflow's training data: its documents (each in one template or none) and their annotated values.

Table ``training_documents``: one row per workflow and stored document (a file is training data of a
workflow once), with its status (``needs_annotation`` or ``annotated``), how it came in (``upload``,
``pre_annotated``, ``feedback``, ``review``), its template and the workflow version it was annotated for.
Table ``annotations``: one row per value path (``total``, ``line_items[0].quantity``) with the value, the
text of the words it came from, its box in page points (top-left origin) and its source (``drawn``,
``pre_annotated``, ``feedback``, ``verified``, ``model``: pre-filled by an engine, not yet checked).
"""

from __future__ import annotations

import builtins
import json
import uuid
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection, Engine

from core.documents import BBox
from core.errors import NotFoundError, StoreError
from core.store.db import metadata, utc

__all__ = [
    "TrainingStatus",
    "TrainingSource",
    "AnnotationSource",
    "AnnotatedValue",
    "TrainingDocument",
    "TrainingDataRepo",
    "training_documents_table",
    "annotations_table",
]

TrainingStatus = Literal["needs_annotation", "annotated"]
TrainingSource = Literal["upload", "pre_annotated", "feedback", "review"]
AnnotationSource = Literal["drawn", "pre_annotated", "feedback", "verified", "model"]

training_documents_table = sa.Table(
    "training_documents",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("workflow_id", sa.String(36), sa.ForeignKey("workflows.id", ondelete="CASCADE"), nullable=False),
    sa.Column("document_id", sa.String(64), sa.ForeignKey("documents.id"), nullable=False),
    sa.Column("name", sa.String(512), nullable=False),
    sa.Column("template_id", sa.String(36), sa.ForeignKey("templates.id", ondelete="SET NULL"), nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("processing_id", sa.String(64), nullable=True),
    sa.Column("workflow_version", sa.Integer, nullable=False),
    sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("annotated_at", sa.DateTime(timezone=True), nullable=True),
    sa.UniqueConstraint("workflow_id", "document_id", name="uq_training_documents_workflow_document"),
    sa.Index("ix_training_documents_workflow", "workflow_id"),
)

annotations_table = sa.Table(
    "annotations",
    metadata,
    sa.Column(
        "training_document_id",
        sa.String(36),
        sa.ForeignKey("training_documents.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("path", sa.String(300), primary_key=True),
    sa.Column("value_json", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False, default=""),
    sa.Column("page", sa.Integer, nullable=True),
    sa.Column("bbox_json", sa.Text, nullable=True),
    sa.Column("located", sa.Boolean, nullable=False),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("workflow_version", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)


class AnnotatedValue(BaseModel):
    """One annotated value of a training document: where it is on the page, and who said so."""

    path: str = Field(description="Field path: 'total', 'line_items[0].quantity', 'address.city'.")
    value: Any = Field(description="The value in the field's type (dates as YYYY-MM-DD, numbers as numbers).")
    text: str = Field(default="", description="The words the value was read from, as printed.")
    page: int | None = Field(default=None, description="1-based page of the box; None when not located.")
    bbox: BBox | None = Field(default=None, description="(x0, y0, x1, y1) in points, top-left origin.")
    located: bool = Field(default=False, description="True when the value has a box on the page.")
    source: AnnotationSource = "drawn"
    workflow_version: int = 1
    updated_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))


class TrainingDocument(BaseModel):
    """A document in a workflow's training data."""

    id: str
    workflow_id: str
    document_id: str = Field(description="SHA-256 of the stored file.")
    name: str
    template_id: str | None = None
    status: TrainingStatus = "needs_annotation"
    source: TrainingSource = "upload"
    processing_id: str | None = Field(default=None, description="The run it came from (feedback, review).")
    workflow_version: int = 1
    added_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    annotated_at: datetime | None = None


class TrainingDataRepo:
    """Training documents and their annotations; every write is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ------------------------------------------------------------------------------------------ documents

    def add(
        self,
        workflow_id: str,
        document_id: str,
        name: str,
        *,
        template_id: str | None,
        source: TrainingSource,
        workflow_version: int,
        values: Iterable[AnnotatedValue] | None = None,
        processing_id: str | None = None,
    ) -> TrainingDocument:
        """Add a stored document to a workflow's training data, or update it when it is there already.

        With ``values`` the document is annotated with exactly those values (replacing earlier ones); without,
        it keeps what it had (a new document needs annotation). A template given moves the document into it;
        None leaves an existing document in its template.

        Raises:
            StoreError: the store cannot be written (nothing is changed).
        """
        now = datetime.now(timezone.utc)
        items = None if values is None else list(values)
        try:
            with self.engine.begin() as conn:
                existing = self._find(conn, workflow_id, document_id)
                if existing is None:
                    record = TrainingDocument(
                        id=str(uuid.uuid4()),
                        workflow_id=workflow_id,
                        document_id=document_id,
                        name=name[:500],
                        template_id=template_id,
                        source=source,
                        processing_id=processing_id,
                        workflow_version=workflow_version,
                        added_at=now,
                    )
                    conn.execute(training_documents_table.insert().values(**record.model_dump()))
                else:  # already training data: a template given moves it, none given keeps its template
                    record = existing.model_copy(update={"template_id": template_id or existing.template_id})
                    conn.execute(
                        training_documents_table.update()
                        .where(training_documents_table.c.id == record.id)
                        .values(template_id=record.template_id)
                    )
                if items is not None:
                    record = self._replace_values(conn, record, items, workflow_version, now)
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot add {name!r} to the training data: {exc.__class__.__name__}") from exc
        return record

    def get(self, training_document_id: str) -> TrainingDocument:
        """The training document with this id.

        Raises:
            NotFoundError: no such training document.
        """
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    sa.select(training_documents_table).where(training_documents_table.c.id == training_document_id)
                )
                .mappings()
                .first()
            )
        if row is None:
            raise NotFoundError("training document", training_document_id)
        return _document(row)

    def find(self, workflow_id: str, document_id: str) -> TrainingDocument | None:
        """The workflow's training document for a stored file, or None."""
        with self.engine.connect() as conn:
            return self._find(conn, workflow_id, document_id)

    def list(
        self,
        workflow_id: str,
        *,
        template_id: str | None = None,
        status: TrainingStatus | None = None,
        without_template: bool = False,
    ) -> builtins.list[TrainingDocument]:
        """The workflow's training documents in the order they were added, optionally filtered."""
        t = training_documents_table
        query = sa.select(t).where(t.c.workflow_id == workflow_id)
        if template_id is not None:
            query = query.where(t.c.template_id == template_id)
        if without_template:
            query = query.where(t.c.template_id.is_(None))
        if status is not None:
            query = query.where(t.c.status == status)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(t.c.added_at, t.c.name)).mappings().all()
        return [_document(row) for row in rows]

    def set_template(self, training_document_id: str, template_id: str | None) -> TrainingDocument:
        """Move a training document into a template (None: no template)."""
        record = self.get(training_document_id)
        with self.engine.begin() as conn:
            conn.execute(
                training_documents_table.update()
                .where(training_documents_table.c.id == training_document_id)
                .values(template_id=template_id)
            )
        return record.model_copy(update={"template_id": template_id})

    def set_status(self, training_document_id: str, status: TrainingStatus) -> TrainingDocument:
        """Mark a training document annotated (its pre-filled values count as checked) or back to annotate."""
        record = self.get(training_document_id)
        now = datetime.now(timezone.utc)
        annotated_at = now if status == "annotated" else None
        with self.engine.begin() as conn:
            conn.execute(
                training_documents_table.update()
                .where(training_documents_table.c.id == training_document_id)
                .values(status=status, annotated_at=annotated_at)
            )
            if status == "annotated":
                conn.execute(
                    annotations_table.update()
                    .where(
                        annotations_table.c.training_document_id == training_document_id,
                        annotations_table.c.source == "model",
                    )
                    .values(source="verified", updated_at=now)
                )
        return record.model_copy(update={"status": status, "annotated_at": annotated_at})

    def remove(self, training_document_id: str) -> None:
        """Take a document out of the training data (with its annotations; the stored file stays)."""
        with self.engine.begin() as conn:
            done = conn.execute(
                training_documents_table.delete().where(training_documents_table.c.id == training_document_id)
            )
            if not done.rowcount:
                raise NotFoundError("training document", training_document_id)

    # ---------------------------------------------------------------------------------------- annotations

    def values(self, training_document_id: str) -> builtins.list[AnnotatedValue]:
        """The annotated values of a training document, in path order."""
        t = annotations_table
        query = sa.select(t).where(t.c.training_document_id == training_document_id).order_by(t.c.path)
        with self.engine.connect() as conn:
            return [_value(row) for row in conn.execute(query).mappings()]

    def put_values(self, training_document_id: str, values: Iterable[AnnotatedValue]) -> None:
        """Write some annotated values (each replaces the value of its path; other paths stay)."""
        items = list(values)
        with self.engine.begin() as conn:
            for item in items:
                conn.execute(
                    annotations_table.delete().where(
                        annotations_table.c.training_document_id == training_document_id,
                        annotations_table.c.path == item.path,
                    )
                )
                conn.execute(annotations_table.insert().values(**_value_row(training_document_id, item)))

    def delete_values(self, training_document_id: str, paths: Iterable[str]) -> None:
        """Remove the annotated values of these paths (e.g. a removed line-item row)."""
        paths = list(paths)
        if not paths:
            return
        with self.engine.begin() as conn:
            conn.execute(
                annotations_table.delete().where(
                    annotations_table.c.training_document_id == training_document_id,
                    annotations_table.c.path.in_(paths),
                )
            )

    def counts(self, workflow_id: str) -> dict[tuple[str | None, str], int]:
        """Documents per (template id, status) of a workflow."""
        t = training_documents_table
        query = (
            sa.select(t.c.template_id, t.c.status, sa.func.count())
            .where(t.c.workflow_id == workflow_id)
            .group_by(t.c.template_id, t.c.status)
        )
        with self.engine.connect() as conn:
            return {(row[0], row[1]): int(row[2]) for row in conn.execute(query)}

    # ------------------------------------------------------------------------------------------ internals

    @staticmethod
    def _find(conn: Connection, workflow_id: str, document_id: str) -> TrainingDocument | None:
        t = training_documents_table
        row = (
            conn.execute(sa.select(t).where(t.c.workflow_id == workflow_id, t.c.document_id == document_id))
            .mappings()
            .first()
        )
        return None if row is None else _document(row)

    @staticmethod
    def _replace_values(
        conn: Connection,
        record: TrainingDocument,
        values: builtins.list[AnnotatedValue],
        workflow_version: int,
        now: datetime,
    ) -> TrainingDocument:
        conn.execute(annotations_table.delete().where(annotations_table.c.training_document_id == record.id))
        for item in values:
            conn.execute(annotations_table.insert().values(**_value_row(record.id, item)))
        conn.execute(
            training_documents_table.update()
            .where(training_documents_table.c.id == record.id)
            .values(status="annotated", annotated_at=now, workflow_version=workflow_version)
        )
        return record.model_copy(
            update={"status": "annotated", "annotated_at": now, "workflow_version": workflow_version}
        )


def _value_row(training_document_id: str, item: AnnotatedValue) -> dict[str, Any]:
    return {
        "training_document_id": training_document_id,
        "path": item.path,
        "value_json": json.dumps(item.value, ensure_ascii=False, default=str),
        "text": item.text,
        "page": item.page,
        "bbox_json": None if item.bbox is None else json.dumps(list(item.bbox)),
        "located": item.located,
        "source": item.source,
        "workflow_version": item.workflow_version,
        "updated_at": utc(item.updated_at),
    }


def _value(row: sa.RowMapping) -> AnnotatedValue:
    bbox = json.loads(row["bbox_json"]) if row["bbox_json"] else None
    return AnnotatedValue(
        path=row["path"],
        value=json.loads(row["value_json"]),
        text=row["text"],
        page=row["page"],
        bbox=tuple(bbox) if bbox else None,
        located=bool(row["located"]),
        source=row["source"],
        workflow_version=row["workflow_version"],
        updated_at=utc(row["updated_at"]),
    )


def _document(row: sa.RowMapping) -> TrainingDocument:
    data = dict(row)
    data["added_at"] = utc(data["added_at"])
    if data["annotated_at"] is not None:
        data["annotated_at"] = utc(data["annotated_at"])
    return TrainingDocument.model_validate(data)
