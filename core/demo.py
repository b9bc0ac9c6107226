"""The demo: the "Demo invoices" workflow, present from the first start, and the documents in ``sample_docs/``."""

from __future__ import annotations

import uuid
from pathlib import Path

from core.documents import DocumentSpec
from core.documents.formats import is_document_file
from core.errors import FieldbenchError, NotFoundError, StoreError
from core.schema import Workflow, load_schema_file
from core.store import Store

__all__ = ["DEMO_WORKFLOW_ID", "SAMPLE_DOCS", "demo_schema_path", "ensure_demo_workflow", "sample_documents"]

# A fixed id keeps the demo from being created twice, by two processes at once or on every start.
DEMO_WORKFLOW_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "https://fieldbench.local/workflows/demo-invoices"))
SAMPLE_DOCS = Path(__file__).resolve().parent.parent / "sample_docs"


def sample_documents(sample_docs: Path | None = None) -> dict[str, Path]:
    """The sample documents by file name, in name order; empty without the folder (an installed package).

    Args:
        sample_docs: the folder (default: the repo's ``sample_docs/``); documents are the files with one of
            ``DOCUMENT_SUFFIXES`` directly inside it (their ``NAME.json`` expected values are not documents).

    >>> sorted(sample_documents())[:2]
    ['invoice_en.pdf', 'receipt_photo.jpg']
    """
    folder = sample_docs or SAMPLE_DOCS
    if not folder.is_dir():
        return {}
    return {path.name: path for path in sorted(folder.iterdir()) if is_document_file(path)}


def demo_schema_path(sample_docs: Path | None = None) -> Path:
    """The demo's ``schema.json`` (a dataset-format schema in ``sample_docs/``).

    Raises:
        FieldbenchError: the file is missing (e.g. an installed package without the repo's sample_docs).
    """
    path = (sample_docs or SAMPLE_DOCS) / "schema.json"
    if not path.is_file():
        raise FieldbenchError(
            f"the demo schema {path} is missing",
            hint="Run Fieldbench from its repository checkout, or create a workflow of your own.",
        )
    return path


def ensure_demo_workflow(store: Store, sample_docs: Path | None = None) -> Workflow:
    """The "Demo invoices" workflow, created from ``sample_docs/schema.json`` unless it already exists.

    Idempotent: the demo has a fixed id, so calling this again (or from two processes) returns the same
    workflow, with whatever edits the user saved since. A deleted demo comes back on the next call.

    Args:
        store: the store.
        sample_docs: the folder holding ``schema.json`` (default: the repo's ``sample_docs/``).

    Returns:
        The demo workflow at its latest version.

    Raises:
        FieldbenchError: the demo schema is missing or invalid.
    """
    try:
        return store.workflows.get(DEMO_WORKFLOW_ID)
    except NotFoundError:
        pass
    draft = load_schema_file(demo_schema_path(sample_docs))
    workflow = Workflow(
        id=DEMO_WORKFLOW_ID,
        name="Demo invoices",
        description=draft.description,
        # One sample is a photographed receipt on a table; cropping leaves text-layer PDF pages alone.
        spec=DocumentSpec(cropping=True),
        fields=draft.fields,
    )
    try:
        return store.workflows.create(workflow)
    except StoreError:
        # Another process created it between our get and create.
        return store.workflows.get(DEMO_WORKFLOW_ID)
