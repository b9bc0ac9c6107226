"""Training data of document classifiers: the samples-per-class recommendation, label folders, sample import.

The recommendation follows the hosted reference: fewer than 5 classes need at least 25 samples per class,
5 or more classes at least 50; difficult tasks should double that. A folder of training data has one
subfolder per label holding that label's documents (PDF, PNG, JPEG, TIFF).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from pydantic import BaseModel, Field

from core.documents import DOCUMENT_SUFFIXES, Document, DocumentSpec, PageCache, load_document, read_source
from core.errors import ClassifierError, FieldbenchError
from core.store import Store
from core.store.classifiers import Classifier

__all__ = [
    "LabelCheck",
    "DataCheck",
    "FolderImport",
    "recommended_samples",
    "check_counts",
    "data_check",
    "read_label_folder",
    "load_sample",
    "read_sample",
    "add_samples",
    "import_folder",
]

"""File endings taken as documents in a label folder; other files (``.json`` sidecars ...) are skipped."""

Progress = Callable[[float, str], None]


class LabelCheck(BaseModel):
    """How one label's samples compare with the recommendation."""

    label: str
    samples: int
    needed: int = Field(description="Samples the recommendation asks for.")
    short_by: int = Field(description="Samples missing to reach it (0 when enough).")


class DataCheck(BaseModel):
    """The samples-per-class recommendation applied to a classifier's training data."""

    classes: int
    recommended_per_class: int = Field(description="25 below 5 classes, 50 from 5 on; doubled for hard tasks.")
    hard: bool = Field(default=False, description="Whether the task was declared difficult (doubles the need).")
    labels: list[LabelCheck]
    ok: bool = Field(description="Every label has at least the recommended number of samples.")
    trainable: bool = Field(description="At least 2 labels, each with at least one sample.")
    messages: list[str] = Field(description="What falls short, one line per problem.")

    @property
    def recommendation(self) -> str:
        """The rule of thumb in one sentence."""
        return (
            "Fewer than 5 classes: at least 25 samples per class; 5 or more classes: at least 50 per class; "
            "difficult tasks: about double."
        )


class FolderImport(BaseModel):
    """What an import of a label folder added."""

    added: dict[str, int] = Field(description="Samples added per label.")
    skipped: list[str] = Field(default_factory=list, description="Files that are not documents, left out.")


def recommended_samples(classes: int, *, hard: bool = False) -> int:
    """Samples per class the reference recommends.

    >>> recommended_samples(3), recommended_samples(5), recommended_samples(3, hard=True)
    (25, 50, 50)
    """
    base = 25 if classes < 5 else 50
    return base * 2 if hard else base


def check_counts(counts: Mapping[str, int], *, hard: bool = False) -> DataCheck:
    """Compare samples per label with the recommendation.

    Args:
        counts: samples per label (labels without samples included, with 0).
        hard: the task is difficult (similar-looking classes); doubles the recommendation.

    Returns:
        The check, naming each label that falls short and by how much.

    >>> check_counts({"invoice": 30, "letter": 10}).messages
    ['letter: 10 samples, 15 short of the recommended 25.']
    """
    needed = recommended_samples(len(counts), hard=hard)
    labels = [
        LabelCheck(label=label, samples=n, needed=needed, short_by=max(0, needed - n)) for label, n in counts.items()
    ]
    messages: list[str] = []
    if len(counts) < 2:
        messages.append(f"A classifier needs at least 2 labels; it has {len(counts)}.")
    for check in labels:
        if check.samples == 0:
            messages.append(f"{check.label}: no samples yet; it needs {needed}.")
        elif check.short_by:
            messages.append(
                f"{check.label}: {check.samples} samples, {check.short_by} short of the recommended {needed}."
            )
    return DataCheck(
        classes=len(counts),
        recommended_per_class=needed,
        hard=hard,
        labels=labels,
        ok=len(counts) >= 2 and all(c.short_by == 0 for c in labels),
        trainable=len(counts) >= 2 and all(c.samples > 0 for c in labels),
        messages=messages,
    )


def data_check(store: Store, classifier: Classifier, *, hard: bool = False) -> DataCheck:
    """The recommendation applied to a stored classifier's samples (see ``check_counts``)."""
    return check_counts(store.classifiers.sample_counts(classifier.id), hard=hard)


def read_label_folder(folder: str | Path) -> tuple[dict[str, list[Path]], list[str]]:
    """The documents of a training folder, by label (one subfolder per label).

    Args:
        folder: the folder; hidden entries are ignored.

    Returns:
        ``({label: [paths]}, skipped)``, labels and paths sorted; ``skipped`` lists files that are not
        documents (relative paths).

    Raises:
        ClassifierError: the folder is missing, has no label subfolders, or a label folder has no documents.
    """
    root = Path(folder)
    if not root.is_dir():
        raise ClassifierError(f"{root}: not a folder", hint="Give a folder with one subfolder per label.")
    labels: dict[str, list[Path]] = {}
    skipped: list[str] = []
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue
        if not entry.is_dir():
            skipped.append(entry.name)
            continue
        files = sorted(p for p in entry.rglob("*") if p.is_file() and not p.name.startswith("."))
        docs = [p for p in files if p.suffix.lower() in DOCUMENT_SUFFIXES]
        skipped.extend(str(p.relative_to(root)) for p in files if p.suffix.lower() not in DOCUMENT_SUFFIXES)
        if not docs:
            raise ClassifierError(
                f"label {entry.name!r} has no samples: {entry} holds no PDF or image",
                hint="Put at least one document in every label folder, or remove the folder.",
            )
        labels[entry.name] = docs
    if not labels:
        raise ClassifierError(f"{root}: no label subfolders", hint="Make one subfolder per label with its documents.")
    return labels, skipped


def load_sample(data: bytes, name: str, spec: DocumentSpec, *, cache: PageCache | None = None) -> Document:
    """Read one sample document, turning any reading failure into a ClassifierError naming the file.

    Args:
        data: the file's bytes.
        name: its name (relative path in a label folder), used in the error.
        spec: how to read it.
        cache: an OCR page cache (``store.documents.page_cache``), so training reads scans only once.
    """
    try:
        return load_document(data, name=name, spec=spec, cache=cache)
    except FieldbenchError as exc:
        raise _unreadable(name, exc) from exc


def read_sample(path: Path, name: str) -> bytes:
    """The bytes of a sample file, bounded like every document (``read_source``); ClassifierError naming it."""
    try:
        return read_source(path)[0]
    except FieldbenchError as exc:
        raise _unreadable(name, exc) from exc


def _unreadable(name: str, exc: FieldbenchError) -> ClassifierError:
    return ClassifierError(
        f"cannot read sample {name}: {exc.message}", hint="Remove or replace the file; nothing was imported."
    )


def add_samples(
    store: Store,
    classifier: Classifier,
    label: str,
    files: list[tuple[str, bytes]],
    *,
    progress: Progress | None = None,
) -> int:
    """Add sample documents of one label: every file is read first, so a bad file adds nothing.

    Args:
        store: the store (documents are kept there by content hash).
        classifier: the classifier; ``label`` must be one of its labels.
        label: the label of every file.
        files: ``(name, bytes)`` pairs.
        progress: optional ``callback(fraction, message)``.

    Returns:
        The number of samples added.
    """
    return _add_all(store, classifier, [(label, name, data) for name, data in files], progress)


def _add_all(
    store: Store,
    classifier: Classifier,
    items: list[tuple[str, str, bytes]],
    progress: Progress | None,
    *,
    new_labels: bool = False,
) -> int:
    if not items:
        return 0
    unknown = [label for label in dict.fromkeys(label for label, _n, _d in items) if label not in classifier.labels]
    if unknown and not new_labels:
        raise ClassifierError(f"unknown label(s) for classifier {classifier.name!r}: {', '.join(unknown)}")
    # Read everything before writing anything: one unreadable file must leave the store untouched.
    for i, (_label, name, data) in enumerate(items):
        if progress:
            progress(0.8 * i / len(items), f"reading {name}")
        load_sample(data, name, classifier.spec, cache=store.documents.page_cache)
    if unknown:
        classifier = store.classifiers.update(classifier.model_copy(update={"labels": classifier.labels + unknown}))
    rows: list[tuple[str, str, str]] = []
    for i, (label, name, data) in enumerate(items):
        if progress:
            progress(0.8 + 0.2 * i / len(items), f"storing {name}")
        rows.append((label, store.documents.add(data, name).id, name))
    store.classifiers.add_samples(classifier.id, rows)
    if progress:
        progress(1.0, f"{len(rows)} samples added")
    return len(rows)


def import_folder(
    store: Store,
    classifier: Classifier,
    folder: str | Path,
    *,
    progress: Progress | None = None,
) -> FolderImport:
    """Import a folder with one subfolder per label; labels the classifier lacks are added to it.

    Args:
        store: the store.
        classifier: the classifier to add samples to.
        folder: the training folder (see ``read_label_folder``).
        progress: optional ``callback(fraction, message)``.

    Returns:
        Samples added per label and the files skipped.

    Raises:
        ClassifierError: no label folders, an empty label folder, or an unreadable document (named); in each
            case nothing is added.
    """
    root = Path(folder)
    by_label, skipped = read_label_folder(root)
    items = [
        (label, name, read_sample(path, name))
        for label, paths in by_label.items()
        for path in paths
        for name in [str(path.relative_to(root))]
    ]
    _add_all(store, classifier, items, progress, new_labels=True)
    return FolderImport(added={label: len(paths) for label, paths in by_label.items()}, skipped=skipped)
