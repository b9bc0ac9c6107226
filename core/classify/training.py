"""Training document classifiers: a stored classifier on its samples (a new version each time), or a folder.

Training a stored classifier saves a new version under ``Settings.models_dir / "classifiers" / <id> /
v<N>``; a folder with one subfolder per label trains without the store (the CLI).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from core.classify.data import load_sample, read_label_folder, read_sample
from core.classify.model import TrainingReport, fit
from core.classify.storage import save_model
from core.config import Settings, get_settings
from core.documents import Document, DocumentSpec
from core.errors import ClassifierError, FieldbenchError
from core.store import Store
from core.store.classifiers import Classifier

__all__ = ["Progress", "train", "train_folder"]

Progress = Callable[[float, str], None]
"""``callback(fraction, message)`` as training goes."""


def train(
    store: Store,
    classifier: Classifier,
    *,
    hard: bool = False,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> TrainingReport:
    """Train a stored classifier on its samples and save a new version under the models folder.

    Args:
        store: the store with the classifier and its samples.
        classifier: the classifier.
        hard: the task is difficult (doubles the samples recommendation).
        settings: where models go (``models_dir / "classifiers" / <id> / v<N>``); default: environment.
        progress: optional ``callback(fraction, message)``.

    Returns:
        The training report of the new version.

    Raises:
        ClassifierError: fewer than 2 labels, or a label without samples (named).
    """
    settings = settings or get_settings()
    counts = store.classifiers.sample_counts(classifier.id)
    empty = [label for label, n in counts.items() if n == 0]
    if len(counts) < 2:
        raise ClassifierError(f"classifier {classifier.name!r} needs at least 2 labels to train; it has {len(counts)}")
    if empty:
        raise ClassifierError(
            f"label(s) without samples: {', '.join(empty)}",
            hint="Upload sample documents for every label (or remove the label) before training.",
        )
    samples = store.classifiers.samples(classifier.id)
    documents: list[tuple[str, Document]] = []
    for i, sample in enumerate(samples):
        if progress:
            progress(0.4 * i / len(samples), f"reading {sample.name}")
        try:
            documents.append((sample.label, store.documents.load(sample.document_id, spec=classifier.spec)))
        except FieldbenchError as exc:
            raise ClassifierError(f"cannot read sample {sample.name}: {exc.message}") from exc

    def fit_progress(fraction: float, message: str) -> None:
        if progress:
            progress(0.4 + 0.5 * fraction, message)

    model = fit(documents, pages=classifier.pages, spec=classifier.spec, hard=hard, progress=fit_progress)
    version = store.classifiers.next_version(classifier.id)
    directory = settings.models_dir / "classifiers" / classifier.id / f"v{version}"
    model.report.version = version
    model.report.model_dir = str(directory)
    save_model(model, directory, name=classifier.name)
    try:
        store.classifiers.add_version(
            classifier.id, version, str(directory), json.loads(model.report.model_dump_json())
        )
    except FieldbenchError:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    if progress:
        progress(1.0, f"version {version} saved")
    return model.report


def train_folder(
    folder: str | Path,
    out: str | Path,
    *,
    pages: int | None = 1,
    spec: DocumentSpec | None = None,
    hard: bool = False,
    progress: Progress | None = None,
) -> TrainingReport:
    """Train from a folder with one subfolder per label and write the model to ``out`` (no store involved).

    Raises:
        ClassifierError: no label folders, an empty label, an unreadable document (named), < 2 labels.
    """
    spec = spec or DocumentSpec()
    by_label, _skipped = read_label_folder(folder)
    if len(by_label) < 2:
        raise ClassifierError(f"{folder}: training needs at least 2 label subfolders; found {len(by_label)}")
    root = Path(folder)
    samples: list[tuple[str, Document]] = []
    paths = [(label, path) for label, items in by_label.items() for path in items]
    for i, (label, path) in enumerate(paths):
        if progress:
            progress(0.5 * i / len(paths), f"reading {path.name}")
        name = str(path.relative_to(root))
        samples.append((label, load_sample(read_sample(path, name), name, spec)))
    model = fit(samples, pages=pages, spec=spec, hard=hard)
    model.report.model_dir = str(Path(out))
    save_model(model, out, name=Path(folder).name)
    return model.report
