"""Document classifiers: train on labelled documents, classify with a confidence per class, route.

Training a stored classifier saves a new version under ``Settings.models_dir / "classifiers" / <id> /
v<N>``; a folder with one subfolder per label trains without the store (the CLI). A result under 80 %
confidence is flagged for review. A label can route to an extraction workflow, so classify-then-extract is
one step. The model itself is in ``core.classify_model``, training data handling in ``core.classify_data``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, Field

from core.classify_data import (
    DataCheck,
    FolderImport,
    add_samples,
    check_counts,
    data_check,
    import_folder,
    load_sample,
    read_label_folder,
)
from core.classify_model import (
    ClassifierModel,
    ClassMetrics,
    TrainingReport,
    feature_frame,
    fit,
    load_model,
    parse_pages,
    relevant_pages,
    save_model,
)
from core.config import Settings, get_settings
from core.documents import Document
from core.errors import ClassifierError, FieldbenchError
from core.results import ExtractionResult
from core.spec import DocumentSpec
from core.store import Store
from core.store.classifiers import Classifier

__all__ = [
    "REVIEW_THRESHOLD",
    "Classification",
    "RoutedResult",
    "train",
    "train_folder",
    "load_classifier_model",
    "classify",
    "classify_file",
    "classify_and_extract",
    # re-exported, so notebooks need one import
    "Classifier",
    "ClassifierModel",
    "ClassMetrics",
    "DataCheck",
    "FolderImport",
    "TrainingReport",
    "add_samples",
    "check_counts",
    "data_check",
    "fit",
    "import_folder",
    "load_model",
    "parse_pages",
    "save_model",
]

REVIEW_THRESHOLD = 0.8
"""Results below this confidence are flagged for review (the reference: about 3 % errors after review)."""

Progress = Callable[[float, str], None]


class Classification(BaseModel):
    """The class of one document, with a confidence per class."""

    label: str
    confidence: float = Field(description="Probability of the chosen label, 0-1.")
    scores: dict[str, float] = Field(description="Probability of every label.")
    needs_review: bool = Field(description=f"True below {REVIEW_THRESHOLD:.0%} confidence (or with no text).")
    document_name: str = ""
    note: str = Field(default="", description="Why a confident-looking result still needs review, if it does.")


class RoutedResult(BaseModel):
    """Classify-then-extract: the classification and, when the label routes to a workflow, its extraction."""

    classification: Classification
    workflow_id: str | None = None
    result: ExtractionResult | None = None
    note: str = ""


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
        samples.append((label, load_sample(path.read_bytes(), str(path.relative_to(root)), spec)))
    model = fit(samples, pages=pages, spec=spec, hard=hard)
    model.report.model_dir = str(Path(out))
    save_model(model, out, name=Path(folder).name)
    return model.report


def load_classifier_model(store: Store, classifier: Classifier) -> ClassifierModel:
    """The latest trained version of a stored classifier.

    Raises:
        ClassifierError: it was never trained, or its model files are missing or damaged.
    """
    version = store.classifiers.latest_version(classifier.id)
    if version is None:
        raise ClassifierError(f"classifier {classifier.name!r} is not trained yet", hint="Train it first.")
    return load_model(version.path)


def classify(model: ClassifierModel, document: Document) -> Classification:
    """The label of a document, with the probability of every label.

    Args:
        model: a trained model (``fit``, ``load_model``, ``load_classifier_model``).
        document: the loaded document.

    Returns:
        Label, its confidence, all scores, and ``needs_review`` below 80 % confidence.
    """
    frame = feature_frame([document], model.pages)
    probabilities = model.pipeline.predict_proba(frame)[0]
    classes = [str(c) for c in model.pipeline.classes_]
    scores = {label: float(p) for label, p in zip(classes, probabilities, strict=True)}
    label = max(scores, key=lambda k: scores[k])
    # Without words only the layout numbers speak, and they extrapolate with false confidence: always review.
    blank = not any(w.text.strip() for p in relevant_pages(document, model.pages) for w in p.words)
    return Classification(
        label=label,
        confidence=scores[label],
        scores=scores,
        needs_review=blank or scores[label] < REVIEW_THRESHOLD,
        document_name=document.name,
        note="no text on the relevant pages" if blank else "",
    )


def classify_file(
    model: ClassifierModel, data_or_path: bytes | str | Path, *, name: str | None = None
) -> Classification:
    """Read a document (bytes or a path) the way the model was trained to, and classify it."""
    from core.documents import load_document

    if isinstance(data_or_path, (bytes, bytearray)):
        document = load_document(bytes(data_or_path), name=name or "document", spec=model.spec)
    else:
        path = Path(data_or_path)
        if not path.is_file():
            raise ClassifierError(f"{path}: no such file")
        document = load_document(path.read_bytes(), name=name or path.name, spec=model.spec)
    return classify(model, document)


def classify_and_extract(
    store: Store,
    classifier: Classifier,
    data_or_path: bytes | str | Path,
    *,
    name: str | None = None,
    engine: str = "auto",
    source: str | None = None,
    model: ClassifierModel | None = None,
    settings: Settings | None = None,
) -> RoutedResult:
    """Classify a document, then extract it with the workflow its label routes to, in one step.

    The document is stored once (OCR cached), classified with the latest trained version, and, when the
    label has a route, processed with ``core.processing.process_document`` (which logs the run).

    Returns:
        The classification, the routed workflow id and its extraction (None when the label has no route).
    """
    from core.processing import process_document

    model = model or load_classifier_model(store, classifier)
    if isinstance(data_or_path, (bytes, bytearray)):
        data, display = bytes(data_or_path), name or "document"
    else:
        path = Path(data_or_path)
        if not path.is_file():
            raise ClassifierError(f"{path}: no such file")
        data, display = path.read_bytes(), name or path.name
    document = store.documents.add_and_load(data, display, spec=model.spec)
    document_id = document.id
    classification = classify(model, document)
    classification.document_name = display
    workflow_id = classifier.routes.get(classification.label)
    if not workflow_id:
        return RoutedResult(
            classification=classification, note=f"label {classification.label!r} has no route to a workflow"
        )
    workflow = store.workflows.get(workflow_id)
    result = process_document(
        store, document_id, workflow, engine=engine, source=source, name=display, settings=settings
    )
    return RoutedResult(classification=classification, workflow_id=workflow_id, result=result)
