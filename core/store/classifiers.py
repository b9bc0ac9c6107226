"""Document classifiers in the store: labels, routes to extraction workflows, samples and trained versions.

A classifier row holds its labels, the relevant pages, the document specification and the routes
(label -> extraction workflow id) as JSON; samples point at documents kept by ``store.documents``; every
training adds a version whose model files live under ``Settings.models_dir / "classifiers" / <id> / v<N>``.
"""

from __future__ import annotations

import builtins
import json
import uuid
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field, field_validator
from sqlalchemy.engine import Engine

from core.documents import DocumentSpec
from core.errors import ClassifierError, NotFoundError, StoreError
from core.store.db import metadata, utc

__all__ = [
    "Classifier",
    "ClassifierSample",
    "ClassifierVersion",
    "ClassifierRepo",
    "classifiers_table",
    "classifier_samples_table",
    "classifier_versions_table",
]

classifiers_table = sa.Table(
    "classifiers",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("description", sa.Text, nullable=False, default=""),
    sa.Column("labels_json", sa.Text, nullable=False),
    sa.Column("routes_json", sa.Text, nullable=False),
    sa.Column("spec_json", sa.Text, nullable=False),
    sa.Column("pages", sa.Integer, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

classifier_samples_table = sa.Table(
    "classifier_samples",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("classifier_id", sa.String(36), sa.ForeignKey("classifiers.id", ondelete="CASCADE"), nullable=False),
    sa.Column("label", sa.String(200), nullable=False),
    sa.Column("document_id", sa.String(64), nullable=False),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("classifier_id", "document_id", name="uq_classifier_sample_document"),
)

classifier_versions_table = sa.Table(
    "classifier_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("classifier_id", sa.String(36), sa.ForeignKey("classifiers.id", ondelete="CASCADE"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("report_json", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("classifier_id", "version", name="uq_classifier_version"),
)


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Classifier(BaseModel):
    """A document classifier: its labels, how documents are read and which pages count, and its routes."""

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), description="UUID of the classifier.")
    name: str = Field(description="Display name.")
    description: str = ""
    labels: list[str] = Field(default_factory=list, description="The classes documents are sorted into.")
    spec: DocumentSpec = Field(default_factory=DocumentSpec, description="Cropping, character set, text mode.")
    pages: int | None = Field(
        default=1,
        description="The relevant pages: the first N pages (1 = first page only), None for all pages.",
    )
    routes: dict[str, str] = Field(
        default_factory=dict,
        description="Label -> id of the extraction workflow documents of that label go to.",
    )
    created_at: datetime = Field(default_factory=_now)
    updated_at: datetime = Field(default_factory=_now)

    @field_validator("labels")
    @classmethod
    def _clean_labels(cls, labels: list[str]) -> list[str]:
        cleaned: list[str] = []
        for label in labels:
            label = label.strip()
            if not label:
                raise ValueError("a label cannot be empty")
            if label in cleaned:
                raise ValueError(f"label {label!r} is listed twice")
            cleaned.append(label)
        return cleaned

    @field_validator("pages")
    @classmethod
    def _check_pages(cls, pages: int | None) -> int | None:
        if pages is not None and pages < 1:
            raise ValueError("relevant pages must be at least 1 (or None for all pages)")
        return pages


class ClassifierSample(BaseModel):
    """One training document of a classifier, by its document id in ``store.documents``."""

    id: int
    classifier_id: str
    label: str
    document_id: str
    name: str
    created_at: datetime


class ClassifierVersion(BaseModel):
    """One trained version: where its model files are and its training report (JSON)."""

    classifier_id: str
    version: int
    path: str = Field(description="Directory with model.skops and model.json.")
    report: dict[str, Any] = Field(default_factory=dict, description="The TrainingReport as a JSON object.")
    created_at: datetime


class ClassifierRepo:
    """Classifiers, their samples and their trained versions (SQLAlchemy Core, one transaction per write)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- classifiers ---------------------------------------------------------------------------------------

    @staticmethod
    def _row_values(classifier: Classifier) -> dict[str, Any]:
        return {
            "name": classifier.name,
            "description": classifier.description,
            "labels_json": json.dumps(classifier.labels),
            "routes_json": json.dumps(classifier.routes),
            "spec_json": classifier.spec.model_dump_json(),
            "pages": classifier.pages,
        }

    @staticmethod
    def _from_row(row: Any) -> Classifier:
        return Classifier(
            id=row.id,
            name=row.name,
            description=row.description or "",
            labels=json.loads(row.labels_json),
            routes=json.loads(row.routes_json),
            spec=DocumentSpec.model_validate_json(row.spec_json),
            pages=row.pages,
            created_at=utc(row.created_at),
            updated_at=utc(row.updated_at),
        )

    def add(self, classifier: Classifier) -> Classifier:
        """Save a new classifier.

        Args:
            classifier: the classifier; its ``id`` must be new.

        Returns:
            The classifier as stored.

        >>> from core.store import Store
        >>> repo = Store.open_memory().classifiers
        >>> repo.add(Classifier(name="Mail", labels=["invoice", "letter"])).labels
        ['invoice', 'letter']
        """
        if not classifier.name.strip():
            raise ClassifierError("a classifier needs a name")
        now = _now()
        values = self._row_values(classifier) | {"id": classifier.id, "created_at": now, "updated_at": now}
        try:
            with self.engine.begin() as conn:
                conn.execute(classifiers_table.insert().values(**values))
        except sa.exc.IntegrityError as exc:
            raise StoreError(f"a classifier with id {classifier.id!r} already exists") from exc
        return classifier.model_copy(update={"created_at": now, "updated_at": now})

    def update(self, classifier: Classifier) -> Classifier:
        """Save changes to a classifier's name, labels, options or routes.

        A label that still has samples cannot be removed (delete its samples first), and a route must name
        one of the labels.
        """
        unknown_routes = sorted(set(classifier.routes) - set(classifier.labels))
        if unknown_routes:
            raise ClassifierError(f"routes name labels the classifier does not have: {', '.join(unknown_routes)}")
        now = _now()
        with self.engine.begin() as conn:
            found = conn.execute(
                sa.select(classifiers_table.c.id).where(classifiers_table.c.id == classifier.id)
            ).first()
            if found is None:
                raise NotFoundError("classifier", classifier.id)
            used = {
                row.label
                for row in conn.execute(
                    sa.select(classifier_samples_table.c.label)
                    .where(classifier_samples_table.c.classifier_id == classifier.id)
                    .distinct()
                )
            }
            orphaned = sorted(used - set(classifier.labels))
            if orphaned:
                raise ClassifierError(
                    f"cannot remove label(s) {', '.join(orphaned)}: they still have samples",
                    hint="Delete the label's samples first.",
                )
            conn.execute(
                classifiers_table.update()
                .where(classifiers_table.c.id == classifier.id)
                .values(**self._row_values(classifier), updated_at=now)
            )
        return classifier.model_copy(update={"updated_at": now})

    def get(self, classifier_id: str) -> Classifier:
        """The classifier with this id (NotFoundError when there is none)."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(classifiers_table).where(classifiers_table.c.id == classifier_id)).first()
        if row is None:
            raise NotFoundError("classifier", classifier_id)
        return self._from_row(row)

    def list(self) -> builtins.list[Classifier]:
        """All classifiers, newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(classifiers_table).order_by(classifiers_table.c.created_at.desc(), classifiers_table.c.id)
            ).all()
        return [self._from_row(row) for row in rows]

    def delete(self, classifier_id: str) -> None:
        """Delete a classifier with its samples and version rows (model files on disk stay)."""
        with self.engine.begin() as conn:
            conn.execute(
                classifier_samples_table.delete().where(classifier_samples_table.c.classifier_id == classifier_id)
            )
            conn.execute(
                classifier_versions_table.delete().where(classifier_versions_table.c.classifier_id == classifier_id)
            )
            deleted = conn.execute(classifiers_table.delete().where(classifiers_table.c.id == classifier_id))
        if deleted.rowcount == 0:
            raise NotFoundError("classifier", classifier_id)

    # --- samples -------------------------------------------------------------------------------------------

    def add_samples(self, classifier_id: str, samples: builtins.list[tuple[str, str, str]]) -> int:
        """Record training samples in one transaction.

        Args:
            classifier_id: the classifier.
            samples: ``(label, document_id, name)`` triples; every label must be one of the classifier's.
                A document that is already a sample of this classifier moves to the new label.

        Returns:
            The number of samples written.
        """
        classifier = self.get(classifier_id)
        unknown = sorted({label for label, _doc, _name in samples} - set(classifier.labels))
        if unknown:
            raise ClassifierError(
                f"unknown label(s) {', '.join(unknown)} for classifier {classifier.name!r}",
                hint=f"Its labels are: {', '.join(classifier.labels) or '(none yet)'}.",
            )
        now = _now()
        table = classifier_samples_table
        with self.engine.begin() as conn:
            for label, document_id, name in samples:
                conn.execute(
                    table.delete().where(table.c.classifier_id == classifier_id, table.c.document_id == document_id)
                )
                conn.execute(
                    table.insert().values(
                        classifier_id=classifier_id,
                        label=label,
                        document_id=document_id,
                        name=name,
                        created_at=now,
                    )
                )
        return len(samples)

    def samples(self, classifier_id: str, label: str | None = None) -> builtins.list[ClassifierSample]:
        """The classifier's samples (of one label when given), oldest first."""
        table = classifier_samples_table
        query = sa.select(table).where(table.c.classifier_id == classifier_id)
        if label is not None:
            query = query.where(table.c.label == label)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(table.c.id)).all()
        return [
            ClassifierSample(
                id=row.id,
                classifier_id=row.classifier_id,
                label=row.label,
                document_id=row.document_id,
                name=row.name,
                created_at=utc(row.created_at),
            )
            for row in rows
        ]

    def sample_counts(self, classifier_id: str) -> dict[str, int]:
        """Samples per label, every label of the classifier included (0 when it has none)."""
        classifier = self.get(classifier_id)
        table = classifier_samples_table
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(table.c.label, sa.func.count())
                .where(table.c.classifier_id == classifier_id)
                .group_by(table.c.label)
            ).all()
        counts = {label: 0 for label in classifier.labels}
        counts.update({row[0]: int(row[1]) for row in rows})
        return counts

    def remove_sample(self, classifier_id: str, document_id: str) -> None:
        """Remove one sample (the document itself stays in the store)."""
        table = classifier_samples_table
        with self.engine.begin() as conn:
            conn.execute(
                table.delete().where(table.c.classifier_id == classifier_id, table.c.document_id == document_id)
            )

    # --- versions ------------------------------------------------------------------------------------------

    def next_version(self, classifier_id: str) -> int:
        """The number the next trained version will get (1 for the first)."""
        table = classifier_versions_table
        with self.engine.connect() as conn:
            current = conn.execute(
                sa.select(sa.func.max(table.c.version)).where(table.c.classifier_id == classifier_id)
            ).scalar()
        return int(current or 0) + 1

    def add_version(self, classifier_id: str, version: int, path: str, report: dict[str, Any]) -> ClassifierVersion:
        """Record a trained version whose model files are already written at ``path``."""
        self.get(classifier_id)
        now = _now()
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    classifier_versions_table.insert().values(
                        classifier_id=classifier_id,
                        version=version,
                        path=path,
                        report_json=json.dumps(report),
                        created_at=now,
                    )
                )
        except sa.exc.IntegrityError as exc:
            raise StoreError(f"classifier {classifier_id!r} already has a version {version}") from exc
        return ClassifierVersion(classifier_id=classifier_id, version=version, path=path, report=report, created_at=now)

    def versions(self, classifier_id: str) -> builtins.list[ClassifierVersion]:
        """Every trained version, oldest first."""
        table = classifier_versions_table
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(table).where(table.c.classifier_id == classifier_id).order_by(table.c.version)
            ).all()
        return [
            ClassifierVersion(
                classifier_id=row.classifier_id,
                version=row.version,
                path=row.path,
                report=json.loads(row.report_json),
                created_at=utc(row.created_at),
            )
            for row in rows
        ]

    def latest_version(self, classifier_id: str) -> ClassifierVersion | None:
        """The newest trained version, None before the first training."""
        versions = self.versions(classifier_id)
        return versions[-1] if versions else None
