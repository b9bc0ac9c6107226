"""Workflows in the store, with every saved version of their fields and document specification.

The name, description and thumbnail of a workflow are edited in place; its fields and document
specification are versioned: a save that changes them adds a version, and every version stays readable.

Saves are optimistic: a workflow carries the version and the save time (``updated_at``) it was read at, and a
save from a copy that is no longer the stored one is refused with a ``ConflictError`` (the row is updated
only where both still match, so of two saves racing from one copy exactly one wins).
"""

from __future__ import annotations

import builtins
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from pydantic import Field as PydField
from sqlalchemy.engine import Connection, Engine

from core.documents import DocumentSpec
from core.errors import ConflictError, NotFoundError, StoreError
from core.schema import Field, Workflow, check_workflow
from core.store.db import metadata, utc

__all__ = [
    "WorkflowRepo",
    "WorkflowVersionInfo",
    "workflows_table",
    "workflow_versions_table",
    "describe_changes",
]

# The shortest id prefix taken as a reference to a workflow (git's shortest abbreviation too): shorter ones
# would match by accident as soon as a store holds a few dozen workflows.
MIN_ID_PREFIX = 4

workflows_table = sa.Table(
    "workflows",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("description", sa.Text, nullable=False, default=""),
    sa.Column("thumbnail", sa.LargeBinary, nullable=True),
    sa.Column("latest_version", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

workflow_versions_table = sa.Table(
    "workflow_versions",
    metadata,
    sa.Column("workflow_id", sa.String(36), sa.ForeignKey("workflows.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("fields", sa.Text, nullable=False),
    sa.Column("spec", sa.Text, nullable=False),
    sa.Column("field_count", sa.Integer, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)


class WorkflowVersionInfo(BaseModel):
    """One saved version of a workflow's fields, as listed in its history."""

    version: int = PydField(description="1 for the first save, one more for every change of fields or spec.")
    created_at: datetime = PydField(description="When the version was saved (UTC).")
    field_count: int = PydField(description="Number of top-level fields.")
    summary: str = PydField(description="What changed against the version before, in a short sentence.")


def _naive_utc(value: datetime) -> datetime:
    return utc(value).replace(tzinfo=None)


def _fields_json(fields: builtins.list[Field]) -> str:
    return json.dumps([f.model_dump(mode="json") for f in fields], ensure_ascii=False, sort_keys=True)


def _spec_json(spec: DocumentSpec) -> str:
    return json.dumps(spec.model_dump(mode="json"), sort_keys=True)


def _names(items: builtins.list[str], limit: int = 4) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def describe_changes(
    old_fields: builtins.list[Field],
    new_fields: builtins.list[Field],
    old_spec: DocumentSpec | None = None,
    new_spec: DocumentSpec | None = None,
) -> str:
    """A short sentence saying what changed between two versions of a workflow's fields and specification.

    >>> describe_changes([Field(name="a")], [Field(name="a", type="number"), Field(name="b")])
    'added b; changed a (type string → number)'
    """
    old = {f.name: f for f in old_fields}
    new = {f.name: f for f in new_fields}
    parts: builtins.list[str] = []
    added = [n for n in new if n not in old]
    removed = [n for n in old if n not in new]
    if added:
        parts.append("added " + _names(added))
    if removed:
        parts.append("removed " + _names(removed))
    changed: builtins.list[str] = []
    for name, field in new.items():
        before = old.get(name)
        if before is None or before == field:
            continue
        what = []
        if before.type != field.type:
            what.append(f"type {before.type} → {field.type}")
        if before.description != field.description:
            what.append("description")
        if before.required != field.required:
            what.append("required" if field.required else "optional")
        if before.values != field.values:
            what.append("values")
        if before.sub_fields != field.sub_fields and before.has_sub_fields and field.has_sub_fields:
            what.append(f"sub-fields: {describe_changes(before.sub_fields, field.sub_fields)}")
        elif before.items != field.items or before.properties != field.properties:
            what.append("sub-fields")
        changed.append(f"{name} ({', '.join(what)})")
    if changed:
        parts.append("changed " + _names(changed, 3))
    if not parts and [f.name for f in old_fields] != [f.name for f in new_fields]:
        parts.append("reordered fields")
    if old_spec is not None and new_spec is not None and old_spec != new_spec:
        diffs = [
            f"{key} {getattr(old_spec, key)} → {getattr(new_spec, key)}"
            for key in ("cropping", "charset", "text", "ocr")
            if getattr(old_spec, key) != getattr(new_spec, key)
        ]
        parts.append("document specification: " + ", ".join(diffs))
    return "; ".join(parts) or "no change"


class WorkflowRepo:
    """Workflows and their versions (one transaction per write; invalid workflows are never saved)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ------------------------------------------------------------------ writes

    def create(self, workflow: Workflow) -> Workflow:
        """Save a new workflow as version 1.

        Args:
            workflow: the workflow; its ``id`` must be new.

        Returns:
            The saved workflow (version 1, ``created_at`` as stored).

        Raises:
            SchemaError: the workflow is invalid (name, fields or thumbnail); nothing is saved.
            StoreError: a workflow with this id already exists, or the store cannot be written.
        """
        check_workflow(workflow)
        now = datetime.now(timezone.utc)
        try:
            with self.engine.begin() as conn:
                if self._row(conn, workflow.id) is not None:
                    raise StoreError(f"a workflow with id {workflow.id!r} already exists")
                conn.execute(
                    workflows_table.insert().values(
                        id=workflow.id,
                        name=workflow.name.strip(),
                        description=workflow.description,
                        thumbnail=workflow.thumbnail,
                        latest_version=1,
                        created_at=_naive_utc(now),
                        updated_at=_naive_utc(now),
                    )
                )
                self._insert_version(conn, workflow, 1, f"created with {len(workflow.fields)} fields", now)
        except sa.exc.IntegrityError as exc:
            raise StoreError(f"a workflow with id {workflow.id!r} already exists") from exc
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot save workflow {workflow.name!r}: {exc.__class__.__name__}") from exc
        stamp = utc(_naive_utc(now))
        return workflow.model_copy(
            update={"version": 1, "created_at": stamp, "updated_at": stamp, "name": workflow.name.strip()}
        )

    def save(self, workflow: Workflow) -> Workflow:
        """Save an edited workflow: a new version when its fields or specification changed, else in place.

        Name, description and thumbnail are not versioned; they are updated in place either way.

        Args:
            workflow: the workflow as edited from a copy read from the store: its ``version`` (and
                ``updated_at``, when set) must still be the stored ones.

        Returns:
            The workflow as saved, with its (possibly new) version and its new ``updated_at``.

        Raises:
            NotFoundError: there is no workflow with this id (use ``create``).
            ConflictError: the workflow was saved elsewhere since this copy was read; nothing is saved.
            SchemaError: the workflow is invalid; nothing is saved.
        """
        check_workflow(workflow)
        try:
            with self.engine.begin() as conn:
                row = self._row(conn, workflow.id)
                if row is None:
                    raise NotFoundError("workflow", workflow.id)
                latest = int(row.latest_version)
                self._check_base(workflow, row)
                # Strictly after the stored save, so the stamp a copy was read with never comes back.
                now = max(datetime.now(timezone.utc), utc(row.updated_at) + timedelta(microseconds=1))
                current = self._version_row(conn, workflow.id, latest)
                assert current is not None
                old_fields = [Field.model_validate(f) for f in json.loads(current.fields)]
                old_spec = DocumentSpec.model_validate_json(current.spec)
                version = latest
                if _fields_json(old_fields) != _fields_json(workflow.fields) or old_spec != workflow.spec:
                    version = latest + 1
                    summary = describe_changes(old_fields, workflow.fields, old_spec, workflow.spec)
                    self._insert_version(conn, workflow, version, summary, now)
                updated = conn.execute(
                    workflows_table.update()
                    .where(
                        workflows_table.c.id == workflow.id,
                        workflows_table.c.latest_version == latest,
                        workflows_table.c.updated_at == row.updated_at,
                    )
                    .values(
                        name=workflow.name.strip(),
                        description=workflow.description,
                        thumbnail=workflow.thumbnail,
                        latest_version=version,
                        updated_at=_naive_utc(now),
                    )
                )
                if updated.rowcount != 1:  # another save committed between our read and our write
                    raise self._conflict(workflow, "at the same time")
        except sa.exc.IntegrityError as exc:
            # Two saves of the same workflow at once both chose the next version number; the second loses.
            raise self._conflict(workflow, "at the same time") from exc
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot save workflow {workflow.name!r}: {exc.__class__.__name__}") from exc
        return workflow.model_copy(
            update={
                "version": version,
                "created_at": utc(row.created_at),
                "updated_at": utc(_naive_utc(now)),
                "name": workflow.name.strip(),
            }
        )

    def _check_base(self, workflow: Workflow, row: Any) -> None:
        """Refuse a save from a copy older than the stored workflow (another version, or a later save)."""
        stored_at = utc(row.updated_at)
        if workflow.version != int(row.latest_version):
            when = f"since this copy was read (it is version {workflow.version}, the store has {row.latest_version})"
        elif workflow.updated_at is not None and utc(workflow.updated_at) != stored_at:
            when = f"since this copy was read (last saved {stored_at:%Y-%m-%d %H:%M:%S} UTC)"
        else:
            return
        raise self._conflict(workflow, when)

    @staticmethod
    def _conflict(workflow: Workflow, when: str) -> ConflictError:
        return ConflictError(
            f"workflow {workflow.name!r} was saved elsewhere {when}; nothing was saved",
            hint="Reload the workflow, make your change again and save.",
        )

    def delete(self, workflow_id: str) -> None:
        """Delete a workflow and all its versions.

        Raises:
            NotFoundError: there is no workflow with this id.
            StoreError: something else in the store still refers to the workflow.
        """
        try:
            with self.engine.begin() as conn:
                if self._row(conn, workflow_id) is None:
                    raise NotFoundError("workflow", workflow_id)
                conn.execute(
                    workflow_versions_table.delete().where(workflow_versions_table.c.workflow_id == workflow_id)
                )
                conn.execute(workflows_table.delete().where(workflows_table.c.id == workflow_id))
        except sa.exc.IntegrityError as exc:
            raise StoreError(
                f"workflow {workflow_id!r} cannot be deleted: other records (runs, documents) refer to it"
            ) from exc

    # ------------------------------------------------------------------ reads

    def get(self, workflow_id: str, version: int | None = None) -> Workflow:
        """A workflow at its latest version, or at ``version``.

        Raises:
            NotFoundError: no workflow with this id, or no such version of it.
        """
        with self.engine.connect() as conn:
            row = self._row(conn, workflow_id)
            if row is None:
                raise NotFoundError("workflow", workflow_id)
            number = int(row.latest_version) if version is None else version
            version_row = self._version_row(conn, workflow_id, number)
            if version_row is None:
                raise NotFoundError("workflow version", f"{workflow_id}@{version}")
        return self._workflow(row, version_row)

    def resolve(self, reference: str) -> str:
        """The id of the workflow ``reference`` names: its id, a unique prefix of it, or its unique name.

        What a user types on the command line: ``fieldbench train --workflow 98a9`` or ``--workflow Invoices``.

        Raises:
            NotFoundError: no workflow matches, or several do (the hint lists them).
        """
        w = workflows_table
        with self.engine.connect() as conn:
            if self._row(conn, reference) is not None:
                return reference
            matches: builtins.list[Any] = []
            if len(reference) >= MIN_ID_PREFIX:
                prefix = sa.select(w.c.id, w.c.name).where(w.c.id.startswith(reference, autoescape=True))
                matches = list(conn.execute(prefix).all())
            if not matches:
                named = sa.select(w.c.id, w.c.name).where(sa.func.lower(w.c.name) == reference.strip().lower())
                matches = list(conn.execute(named).all())
        if len(matches) == 1:
            return str(matches[0].id)
        if not matches:
            raise NotFoundError("workflow", reference, hint="`fieldbench workflow list` shows the workflows.")
        listed = ", ".join(f"{row.id} ({row.name})" for row in matches)
        raise NotFoundError(
            "single workflow", reference, hint=f"It matches {len(matches)}: {listed}; give the full id."
        )

    def list(self) -> builtins.list[Workflow]:
        """Every workflow at its latest version, by name."""
        w, v = workflows_table, workflow_versions_table
        query = (
            sa.select(w, v.c.fields, v.c.spec)
            .join(v, sa.and_(v.c.workflow_id == w.c.id, v.c.version == w.c.latest_version))
            .order_by(sa.func.lower(w.c.name), w.c.created_at)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [self._workflow(row, row) for row in rows]

    def versions(self, workflow_id: str) -> builtins.list[WorkflowVersionInfo]:
        """The saved versions of a workflow, oldest first.

        Raises:
            NotFoundError: no workflow with this id.
        """
        v = workflow_versions_table
        with self.engine.connect() as conn:
            if self._row(conn, workflow_id) is None:
                raise NotFoundError("workflow", workflow_id)
            rows = conn.execute(
                sa.select(v.c.version, v.c.created_at, v.c.field_count, v.c.summary)
                .where(v.c.workflow_id == workflow_id)
                .order_by(v.c.version)
            ).all()
        return [
            WorkflowVersionInfo(
                version=r.version, created_at=utc(r.created_at), field_count=r.field_count, summary=r.summary
            )
            for r in rows
        ]

    def exists(self, workflow_id: str) -> bool:
        """Whether a workflow with this id is stored."""
        with self.engine.connect() as conn:
            return self._row(conn, workflow_id) is not None

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _row(conn: Connection, workflow_id: str) -> Any:
        return conn.execute(sa.select(workflows_table).where(workflows_table.c.id == workflow_id)).first()

    @staticmethod
    def _version_row(conn: Connection, workflow_id: str, version: int) -> Any:
        v = workflow_versions_table
        return conn.execute(sa.select(v).where(v.c.workflow_id == workflow_id, v.c.version == version)).first()

    @staticmethod
    def _insert_version(conn: Connection, workflow: Workflow, version: int, summary: str, now: datetime) -> None:
        conn.execute(
            workflow_versions_table.insert().values(
                workflow_id=workflow.id,
                version=version,
                fields=_fields_json(workflow.fields),
                spec=_spec_json(workflow.spec),
                field_count=len(workflow.fields),
                summary=summary,
                created_at=_naive_utc(now),
            )
        )

    @staticmethod
    def _workflow(row: Any, version_row: Any) -> Workflow:
        return Workflow(
            id=row.id,
            name=row.name,
            description=row.description or "",
            thumbnail=row.thumbnail,
            spec=DocumentSpec.model_validate_json(version_row.spec),
            fields=[Field.model_validate(f) for f in json.loads(version_row.fields)],
            version=int(getattr(version_row, "version", row.latest_version)),
            created_at=utc(row.created_at),
            updated_at=utc(row.updated_at),
        )
