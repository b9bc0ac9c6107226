"""Classifying documents with a trained classifier, a confidence per class, and routing to a workflow.

A result under 80 % confidence is flagged for review. A label can route to an extraction workflow, so
classify-then-extract is one step.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from core.classify.model import ClassifierModel, feature_frame, relevant_pages
from core.classify.storage import load_model
from core.config import Settings
from core.documents import Document, Source, load_document, read_source
from core.errors import ClassifierError
from core.pipeline import process_document
from core.results import ExtractionResult
from core.store import Store
from core.store.classifiers import Classifier

__all__ = [
    "REVIEW_THRESHOLD",
    "ROW_DIGITS",
    "Classification",
    "RoutedResult",
    "load_classifier_model",
    "classify",
    "classify_file",
    "classify_and_extract",
    "result_row",
]

REVIEW_THRESHOLD = 0.8
"""Results below this confidence are flagged for review (the reference: about 3 % errors after review)."""
ROW_DIGITS = 3
"""Probabilities in result rows are rounded to this many places: enough to compare labels, short to read."""


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


def classify_file(model: ClassifierModel, data_or_path: Source, *, name: str | None = None) -> Classification:
    """Read a document (bytes or a path) the way the model was trained to, and classify it."""
    data, display = read_source(data_or_path, name)
    return classify(model, load_document(data, name=display, spec=model.spec))


def classify_and_extract(
    store: Store,
    classifier: Classifier,
    data_or_path: Source,
    *,
    name: str | None = None,
    engine: str = "auto",
    source: str | None = None,
    model: ClassifierModel | None = None,
    settings: Settings | None = None,
    extract: bool = True,
) -> RoutedResult:
    """Classify a document, then extract it with the workflow its label routes to, in one step.

    The document is stored once (OCR cached), classified with the latest trained version, and, when the
    label has a route, processed with ``core.pipeline.process_document`` (which logs the run).

    Args:
        extract: False stops after classifying: the document is stored and its route named, nothing extracted.

    Returns:
        The classification, the routed workflow id and its extraction (None when the label has no route).
    """
    model = model or load_classifier_model(store, classifier)
    data, display = read_source(data_or_path, name)
    document = store.documents.add_and_load(data, display, spec=model.spec)
    document_id = document.id
    classification = classify(model, document)
    classification.document_name = display
    workflow_id = classifier.routes.get(classification.label)
    if not workflow_id:
        return RoutedResult(
            classification=classification, note=f"label {classification.label!r} has no route to a workflow"
        )
    if not extract:
        return RoutedResult(classification=classification, workflow_id=workflow_id)
    workflow = store.workflows.get(workflow_id)
    result = process_document(
        store, document_id, workflow, engine=engine, source=source, name=display, settings=settings
    )
    return RoutedResult(classification=classification, workflow_id=workflow_id, result=result)


def result_row(routed: RoutedResult, *, with_extraction: bool = False) -> dict[str, object]:
    """One row of a results table: file, label, confidence, review, ``p(label)`` of every label and, with
    ``with_extraction``, the extracted values (``field=value, ...``) or why there are none.

    >>> c = Classification(label="invoice", confidence=0.91234, scores={"invoice": 0.91234, "letter": 0.08766},
    ...     needs_review=False, document_name="a.pdf")
    >>> result_row(RoutedResult(classification=c))
    {'file': 'a.pdf', 'label': 'invoice', 'confidence': 0.912, 'review': False, 'p(invoice)': 0.912, 'p(letter)': 0.088}
    """
    c = routed.classification
    row: dict[str, object] = {
        "file": c.document_name,
        "label": c.label,
        "confidence": round(c.confidence, ROW_DIGITS),
        "review": c.needs_review,
        **{f"p({label})": round(p, ROW_DIGITS) for label, p in c.scores.items()},
    }
    if with_extraction:
        values = routed.result.values() if routed.result else {}
        row["extraction"] = ", ".join(f"{k}={v}" for k, v in values.items()) if values else routed.note
    return row
