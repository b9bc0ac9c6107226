"""Uploads to a workflow's training data: documents only (to annotate), or pre-annotated with a JSON file each.

A pre-annotated document comes with ``NAME.json`` of the same base name, ``{field: {"value": ...}}``, checked
against the workflow's fields; it is added as annotated at once, its values located on the page. The report
lists every file once: a document (with its JSON), or a JSON file without its document, accepted or rejected
with the reason. A rejected file changes nothing: its JSON is checked and its document read before anything
is stored. A folder in the format of ``datasets/`` (``schema.json`` + ``NAME.pdf`` + ``NAME.json``) imports
the same way (``import_folder``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from core.annotation.expected import parse_expected
from core.annotation.values import from_expected, located_share
from core.documents import DOCUMENT_SUFFIXES, Document
from core.errors import AnnotationError, FieldbenchError
from core.schema import Workflow
from core.store import Store
from core.store.training_data import AnnotatedValue

__all__ = [
    "AcceptedFile",
    "RejectedFile",
    "ImportReport",
    "upload_documents",
    "upload_pre_annotated",
    "import_folder",
    "MAX_JSON_BYTES",
]

MAX_JSON_BYTES = 10 * 1024 * 1024
"""Largest expected-values file read (10 MB: thousands of line items; anything bigger is not ours)."""
_FOLDER_SCHEMA = "schema.json"  # a dataset folder's workflow definition, not an expected-values file

Progress = Callable[[int, int, str], None]
Content = bytes | Path
"""A file's bytes, or its path (read only when its turn comes, so a large folder is never all in memory)."""


def _bytes(content: Content) -> bytes:
    if isinstance(content, Path):
        try:
            return content.read_bytes()
        except OSError as exc:
            raise FieldbenchError(f"cannot read the file ({exc.strerror or exc})") from None
    return content


class AcceptedFile(BaseModel):
    """A document added to the training data."""

    file: str = Field(description="The document's file name (its JSON file shares the base name).")
    document_id: str
    training_document_id: str
    status: str = Field(description="'annotated' (pre-annotated) or 'needs_annotation'.")
    template: str | None = None
    values: int = Field(default=0, description="Non-empty annotated values.")
    located: int = Field(default=0, description="Of those, how many were found on the page.")
    updated: bool = Field(default=False, description="The document was in the training data already.")


class RejectedFile(BaseModel):
    """A file that was not added, and why."""

    file: str
    reason: str


class ImportReport(BaseModel):
    """Every file of an upload, accepted or rejected, once each."""

    accepted: list[AcceptedFile] = Field(default_factory=list)
    rejected: list[RejectedFile] = Field(default_factory=list)
    skipped: list[str] = Field(
        default_factory=list,
        description="Files of an imported folder that are neither documents nor JSON (a README, a licence): "
        "left alone, not read.",
    )

    def summary(self) -> str:
        """One line: how many were accepted, how many of those annotated, how many rejected (and skipped).

        >>> ImportReport(skipped=["README.md"]).summary()
        '0 accepted (0 annotated), 0 rejected, 1 skipped (neither a document nor JSON)'
        """
        annotated = sum(1 for a in self.accepted if a.status == "annotated")
        line = f"{len(self.accepted)} accepted ({annotated} annotated), {len(self.rejected)} rejected"
        return line + (f", {len(self.skipped)} skipped (neither a document nor JSON)" if self.skipped else "")


def _is_document(name: str) -> bool:
    return Path(name).suffix.lower() in DOCUMENT_SUFFIXES


def _template_id(store: Store, workflow: Workflow, template: str | None) -> str | None:
    return store.templates.ensure(workflow.id, template).id if template else None


def _read_json(name: str, data: bytes) -> Any:
    if len(data) > MAX_JSON_BYTES:
        limit = MAX_JSON_BYTES // (1024 * 1024)
        raise FieldbenchError(f"{name}: larger than an expected-values file may be ({limit} MB)")
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise FieldbenchError(f"{name}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise FieldbenchError(f"{name}: not valid JSON ({exc.msg} at line {exc.lineno})") from None


def _load(store: Store, workflow: Workflow, name: str, data: bytes) -> Document:
    """Read a document as the workflow reads its documents, and store it (only once it could be read)."""
    return store.documents.add_and_load(data, Path(name).name, spec=workflow.spec)


def _add(
    store: Store,
    workflow: Workflow,
    name: str,
    document: Document,
    template: tuple[str | None, str | None],
    values: list[AnnotatedValue] | None,
) -> AcceptedFile:
    """Add (or update) a read document in the training data; what the report says of it.

    ``template`` is ``(name, id)``; ``values`` None keeps what a known document had (a regular upload).
    """
    existing = store.training.find(workflow.id, document.id)
    record = store.training.add(
        workflow.id,
        document.id,
        Path(name).name,
        template_id=template[1],
        source="upload" if values is None else "pre_annotated",
        workflow_version=workflow.version,
        values=values,
    )
    located, filled = located_share(values or [])
    return AcceptedFile(
        file=name,
        document_id=record.document_id,
        training_document_id=record.id,
        status=record.status,
        template=template[0],
        values=filled,
        located=located,
        updated=existing is not None,
    )


def upload_documents(
    store: Store,
    workflow: Workflow,
    files: Sequence[tuple[str, Content]],
    *,
    template: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Regular upload: documents only, each added as *needs annotation* (an annotated one keeps its values).

    Args:
        store: the store.
        workflow: the workflow whose training data they join.
        files: ``(file name, bytes)``; the name is for display only.
        template: the template to put them in (made when missing); None for no template.
        progress: called ``(done, total, file name)`` after each file.
    """
    report = ImportReport()
    template_id = _template_id(store, workflow, template)
    for index, (name, data) in enumerate(files):
        if not _is_document(name):
            report.rejected.append(RejectedFile(file=name, reason="not a document (PDF, PNG, JPEG or TIFF)"))
        else:
            try:
                document = _load(store, workflow, name, _bytes(data))
                report.accepted.append(_add(store, workflow, name, document, (template, template_id), None))
            except FieldbenchError as exc:
                report.rejected.append(RejectedFile(file=name, reason=str(exc)))
        if progress:
            progress(index + 1, len(files), name)
    return report


def _pair(
    files: Sequence[tuple[str, Content]],
) -> tuple[dict[str, tuple[str, Content]], dict[str, tuple[str, Content]], list[RejectedFile]]:
    """Documents and JSON files by base name; files that are neither are rejected."""
    documents: dict[str, tuple[str, Content]] = {}
    expected: dict[str, tuple[str, Content]] = {}
    rejected: list[RejectedFile] = []
    for name, data in files:
        stem, suffix = Path(name).stem, Path(name).suffix.lower()
        if suffix == ".json":
            expected[stem] = (name, data)
        elif suffix in DOCUMENT_SUFFIXES:
            if stem in documents:
                rejected.append(
                    RejectedFile(
                        file=name, reason=f"another document has the base name {stem!r} ({documents[stem][0]})"
                    )
                )
            else:
                documents[stem] = (name, data)
        else:
            rejected.append(RejectedFile(file=name, reason="not a document or a .json file of expected values"))
    return documents, expected, rejected


def upload_pre_annotated(
    store: Store,
    workflow: Workflow,
    files: Sequence[tuple[str, Content]],
    *,
    template: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Pre-annotated upload: each document with ``NAME.json``, added as annotated with its values located.

    Rejected, with the reason: a document without its JSON, a JSON without its document, JSON that is not
    valid or names an unknown field or a value of the wrong type, a document that cannot be read.
    """
    documents, expected, rejected = _pair(files)
    report = ImportReport(rejected=rejected)
    template_id = _template_id(store, workflow, template) if documents else None
    for stem in sorted(set(expected) - set(documents)):
        report.rejected.append(
            RejectedFile(file=expected[stem][0], reason=f"no matching document (a PDF or image named {stem}.*)")
        )
    for index, stem in enumerate(sorted(documents)):
        name, data = documents[stem]
        if stem not in expected:
            report.rejected.append(RejectedFile(file=name, reason=f"no expected values ({stem}.json is missing)"))
        else:
            try:
                json_name, json_content = expected[stem]
                values = parse_expected(_read_json(json_name, _bytes(json_content)), workflow.fields)
                document = _load(store, workflow, name, _bytes(data))
                annotated = from_expected(
                    document, workflow, values, source="pre_annotated", workflow_version=workflow.version
                )
                report.accepted.append(_add(store, workflow, name, document, (template, template_id), annotated))
            except AnnotationError as exc:
                report.rejected.append(RejectedFile(file=name, reason=f"{expected[stem][0]}: {exc}"))
            except FieldbenchError as exc:
                report.rejected.append(RejectedFile(file=name, reason=str(exc)))
        if progress:
            progress(index + 1, len(documents), name)
    return report


def import_folder(
    store: Store,
    workflow: Workflow,
    folder: str | Path,
    *,
    template: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a folder in the format of ``datasets/`` as pre-annotated training data (its ``schema.json``
    is the dataset's workflow and is not imported; every other file is in the report: files that are neither
    documents nor JSON, such as a README or a licence, as skipped).

    Raises:
        FieldbenchError: the folder does not exist.
    """
    root = Path(folder)
    if not root.is_dir():
        raise FieldbenchError(f"{root}: no such folder", hint="Give a folder with NAME.pdf and NAME.json files.")
    paths = [
        path
        for path in sorted(root.iterdir())
        if path.is_file() and not path.name.startswith(".") and path.name != _FOLDER_SCHEMA
    ]
    read = [p for p in paths if p.suffix.lower() == ".json" or _is_document(p.name)]
    files: list[tuple[str, Content]] = [(p.name, p) for p in read]
    report = upload_pre_annotated(store, workflow, files, template=template, progress=progress)
    report.skipped = [p.name for p in paths if p not in read]
    return report
