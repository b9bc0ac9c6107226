"""Templates of a workflow's training data: one per vendor, layout or document type, each name once.

A training document belongs to one template or none (``training_documents.template_id``); deleting a template
keeps its documents, without a template.
"""

from __future__ import annotations

import builtins
import uuid
from datetime import datetime, timezone

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection, Engine

from core.errors import NotFoundError, StoreError
from core.store.db import metadata, utc
from core.store.training_data import training_documents_table
from core.store.workflows import workflows_table

__all__ = ["Template", "TemplateRepo", "templates_table", "TEMPLATE_NAME_MAX"]

TEMPLATE_NAME_MAX = 200
"""Longest template name, in characters (a vendor or layout name, not a description)."""

templates_table = sa.Table(
    "templates",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("workflow_id", sa.String(36), sa.ForeignKey("workflows.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(TEMPLATE_NAME_MAX), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("workflow_id", "name", name="uq_templates_workflow_name"),
)


class Template(BaseModel):
    """A named group of a workflow's training documents (a vendor, a layout, a document type)."""

    id: str = Field(description="UUID of the template.")
    workflow_id: str
    name: str
    created_at: datetime


def _clean(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise StoreError("a template needs a name", hint="Give it the vendor, layout or document type it stands for.")
    if len(cleaned) > TEMPLATE_NAME_MAX:
        raise StoreError(
            f"the template name is {len(cleaned)} characters long, more than {TEMPLATE_NAME_MAX}",
            hint="Use a shorter name.",
        )
    return cleaned


class TemplateRepo:
    """Create, rename, delete and list the templates of a workflow.

    >>> from core.store import Store
    >>> from core.schema import Field, Workflow
    >>> store = Store.open_memory()
    >>> wf = store.workflows.create(Workflow(name="Invoices", fields=[Field(name="total", type="number")]))
    >>> store.templates.create(wf.id, "Acme Corp").name
    'Acme Corp'
    >>> [t.name for t in store.templates.list(wf.id)]
    ['Acme Corp']
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, workflow_id: str, name: str) -> Template:
        """A new template of the workflow.

        Raises:
            StoreError: the name is empty, too long, or the workflow has a template of that name already.
            NotFoundError: no such workflow.
        """
        template = Template(
            id=str(uuid.uuid4()), workflow_id=workflow_id, name=_clean(name), created_at=datetime.now(timezone.utc)
        )
        try:
            with self.engine.begin() as conn:
                self._check_workflow(conn, workflow_id)
                if self._by_name(conn, workflow_id, template.name) is not None:
                    raise StoreError(f"the workflow has a template named {template.name!r} already")
                conn.execute(templates_table.insert().values(**template.model_dump()))
        except sa.exc.IntegrityError as exc:
            raise StoreError(f"the workflow has a template named {template.name!r} already") from exc
        return template

    def ensure(self, workflow_id: str, name: str) -> Template:
        """The template of this name, created when missing (feedback with a ``tag``, imports with a template)."""
        with self.engine.connect() as conn:
            found = self._by_name(conn, workflow_id, _clean(name))
        if found is not None:
            return found
        try:
            return self.create(workflow_id, name)
        except StoreError:  # created by another process meanwhile
            with self.engine.connect() as conn:
                found = self._by_name(conn, workflow_id, _clean(name))
            if found is None:
                raise
            return found

    def rename(self, template_id: str, name: str) -> Template:
        """Give a template another name (its documents stay with it).

        Raises:
            NotFoundError: no such template.
            StoreError: the name is empty, too long or taken in this workflow.
        """
        cleaned = _clean(name)
        template = self.get(template_id)
        try:
            with self.engine.begin() as conn:
                other = self._by_name(conn, template.workflow_id, cleaned)
                if other is not None and other.id != template_id:
                    raise StoreError(f"the workflow has a template named {cleaned!r} already")
                conn.execute(templates_table.update().where(templates_table.c.id == template_id).values(name=cleaned))
        except sa.exc.IntegrityError as exc:
            raise StoreError(f"the workflow has a template named {cleaned!r} already") from exc
        return template.model_copy(update={"name": cleaned})

    def delete(self, template_id: str) -> None:
        """Delete a template; its documents stay in the training data, without a template.

        Raises:
            NotFoundError: no such template.
        """
        t = training_documents_table
        with self.engine.begin() as conn:
            if conn.execute(sa.select(templates_table.c.id).where(templates_table.c.id == template_id)).first() is None:
                raise NotFoundError("template", template_id)
            conn.execute(t.update().where(t.c.template_id == template_id).values(template_id=None))
            conn.execute(templates_table.delete().where(templates_table.c.id == template_id))

    def get(self, template_id: str) -> Template:
        """The template with this id.

        Raises:
            NotFoundError: no such template.
        """
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(templates_table).where(templates_table.c.id == template_id)).mappings().first()
        if row is None:
            raise NotFoundError("template", template_id)
        return _template(row)

    def find(self, workflow_id: str, name: str) -> Template | None:
        """The workflow's template of this name (spaces collapsed), or None."""
        with self.engine.connect() as conn:
            return self._by_name(conn, workflow_id, " ".join(name.split()))

    def list(self, workflow_id: str) -> builtins.list[Template]:
        """The workflow's templates, by name."""
        query = sa.select(templates_table).where(templates_table.c.workflow_id == workflow_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(templates_table.c.name)).mappings().all()
        return [_template(row) for row in rows]

    @staticmethod
    def _by_name(conn: Connection, workflow_id: str, name: str) -> Template | None:
        query = sa.select(templates_table).where(
            templates_table.c.workflow_id == workflow_id, templates_table.c.name == name
        )
        row = conn.execute(query).mappings().first()
        return None if row is None else _template(row)

    @staticmethod
    def _check_workflow(conn: Connection, workflow_id: str) -> None:
        if conn.execute(sa.select(workflows_table.c.id).where(workflows_table.c.id == workflow_id)).first() is None:
            raise NotFoundError("workflow", workflow_id)


def _template(row: sa.RowMapping) -> Template:
    data = dict(row)
    data["created_at"] = utc(data["created_at"])
    return Template.model_validate(data)
