"""The classifier model: document features (text and layout), the scikit-learn pipeline, and training with
cross-validation (saving and loading: ``core.classify.storage``).

The pipeline reads three text views of the relevant pages (word TF-IDF, character n-grams, the words at the
top of the first page) and a few layout numbers (pages, words, numeric share, a 3x3 text density grid).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sklearn
from pydantic import BaseModel, Field
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from core.classify.data import check_counts
from core.documents import Document, DocumentSpec, Page
from core.errors import ClassifierError

__all__ = [
    "RELIABLE_ACCURACY",
    "LAYOUT_COLUMNS",
    "ClassMetrics",
    "TrainingReport",
    "ClassifierModel",
    "parse_pages",
    "relevant_pages",
    "document_features",
    "build_pipeline",
    "feature_frame",
    "fit",
]

RELIABLE_ACCURACY = 0.8
"""Held-out accuracy (overall and per class) below which a classifier is called unreliable."""

LAYOUT_COLUMNS: tuple[str, ...] = (
    "log_pages",
    "log_words",
    "numeric_share",
    "upper_share",
    "mean_word_length",
    "ink_share",
    *(f"grid_{r}{c}" for r in range(3) for c in range(3)),
)
Progress = Callable[[float, str], None]
_DIGITS = re.compile(r"\d")
# A token every document has, so a text view is never an empty vocabulary (blank scans, image-only pages).
_SENTINEL = "fbdoc"


class ClassMetrics(BaseModel):
    """Held-out figures of one class."""

    samples: int
    accuracy: float | None = Field(description="Share of this class's samples predicted right (recall).")
    precision: float | None = Field(default=None, description="Share of predictions of this class that were right.")


class TrainingReport(BaseModel):
    """What training found: cross-validated accuracy per class, the confusion matrix, and warnings."""

    labels: list[str]
    samples: dict[str, int]
    folds: int = Field(description="Cross-validation folds (0: too few samples to hold any out).")
    accuracy: float | None = Field(description="Cross-validated accuracy over all samples.")
    per_class: dict[str, ClassMetrics]
    confusion: list[list[int]] = Field(description="Rows: true label, columns: predicted, in ``labels`` order.")
    unreliable: bool = Field(description="Too few samples or low held-out accuracy: add data before relying on it.")
    warnings: list[str] = Field(default_factory=list)
    pages: int | None = Field(default=1, description="Relevant pages the model reads (None: all).")
    seconds: float = 0.0
    sklearn_version: str = sklearn.__version__
    trained_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    version: int | None = Field(default=None, description="The stored version, for a store classifier.")
    model_dir: str | None = None


@dataclass
class ClassifierModel:
    """A trained classifier ready to classify: the fitted pipeline and what it was trained with."""

    pipeline: Pipeline
    labels: list[str]
    pages: int | None
    spec: DocumentSpec
    report: TrainingReport
    path: Path | None = None
    name: str = ""


def parse_pages(value: str | int | None) -> int | None:
    """The relevant pages from ``first``, ``all``, ``N`` (first N pages) or an int.

    >>> parse_pages("first"), parse_pages("all"), parse_pages("3")
    (1, None, 3)
    """
    if value is None or value == "all":
        return None
    if value == "first":
        return 1
    try:
        pages = int(value)
    except (TypeError, ValueError):
        raise ClassifierError(f"relevant pages must be first, all or a number, not {value!r}") from None
    if pages < 1:
        raise ClassifierError(f"relevant pages must be at least 1, not {pages}")
    return pages


def relevant_pages(document: Document, pages: int | None) -> list[Page]:
    """The pages a classifier reads: the first ``pages`` pages, or all when None."""
    return document.pages if pages is None else document.pages[:pages]


def document_features(document: Document, pages: int | None = 1) -> dict[str, Any]:
    """The features of one document: text views and layout numbers of its relevant pages.

    Args:
        document: a loaded document.
        pages: first N pages (None: all).

    Returns:
        ``{"text", "top_text", *LAYOUT_COLUMNS}``. Digits become ``0`` so invoice numbers and dates do not
        become vocabulary of their own.
    """
    selected = relevant_pages(document, pages)
    words = [w for p in selected for w in p.words]
    tokens = [w.text for w in words if w.text.strip()]
    text = " ".join(line.text for p in selected for line in p.lines) or " ".join(tokens)
    features: dict[str, Any] = {
        "text": f"{_SENTINEL} {_DIGITS.sub('0', text)}",
        "top_text": _SENTINEL,
        "log_pages": float(np.log1p(len(document.pages))),
        "log_words": float(np.log1p(len(tokens))),
        "numeric_share": sum(any(ch.isdigit() for ch in t) for t in tokens) / len(tokens) if tokens else 0.0,
        "upper_share": sum(t.isupper() for t in tokens) / len(tokens) if tokens else 0.0,
        "mean_word_length": float(np.mean([len(t) for t in tokens])) if tokens else 0.0,
        "ink_share": 0.0,
    }
    grid = np.zeros((3, 3))
    if selected:
        first = selected[0]
        width, height = max(first.width, 1.0), max(first.height, 1.0)
        top: list[str] = []
        ink = 0.0
        for w in first.words:
            x0, y0, x1, y1 = w.bbox
            cx, cy = (x0 + x1) / 2 / width, (y0 + y1) / 2 / height
            grid[min(int(cy * 3), 2), min(int(cx * 3), 2)] += 1
            ink += max(0.0, x1 - x0) * max(0.0, y1 - y0)
            if cy < 0.25:
                top.append(w.text)
        features["top_text"] = f"{_SENTINEL} {_DIGITS.sub('0', ' '.join(top))}"
        features["ink_share"] = min(1.0, ink / (width * height))
        if grid.sum():
            grid /= grid.sum()
    for r in range(3):
        for c in range(3):
            features[f"grid_{r}{c}"] = float(grid[r, c])
    return features


def feature_frame(documents: Sequence[Document], pages: int | None) -> pd.DataFrame:
    """The features of several documents as the frame the pipeline takes (one row per document)."""
    return pd.DataFrame([document_features(d, pages) for d in documents], columns=["text", "top_text", *LAYOUT_COLUMNS])


def build_pipeline() -> Pipeline:
    """The unfitted pipeline: word and character TF-IDF, top-of-page words, layout, logistic regression."""
    features = ColumnTransformer(
        [
            ("words", TfidfVectorizer(sublinear_tf=True, min_df=1, max_features=20000), "text"),
            (
                "chars",
                TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, max_features=40000),
                "text",
            ),
            ("top", TfidfVectorizer(sublinear_tf=True), "top_text"),
            ("layout", StandardScaler(), list(LAYOUT_COLUMNS)),
        ]
    )
    # C=1 (the default) keeps probabilities honest: with C=10 labels drawn from one generator got confidences
    # up to 0.96, with C=1 at most 0.65, while clearly different classes still score above 0.9.
    classifier = LogisticRegression(C=1.0, max_iter=5000, class_weight="balanced")
    return Pipeline([("features", features), ("classifier", classifier)])


def _verdict(data_short: bool, accuracy: float | None, weak_classes: bool) -> str:
    """Why a classifier is unreliable, in one sentence (a high held-out accuracy on few samples says little).

    >>> _verdict(True, 1.0, False).split(". ")[0]
    'Unreliable despite 100% held-out accuracy: too few samples per label to trust it'
    """
    reasons = []
    if data_short:
        reasons.append("too few samples per label to trust it")
    if accuracy is None:
        reasons.append("no sample could be held out to measure its accuracy")
    elif accuracy < RELIABLE_ACCURACY:
        reasons.append(f"held-out accuracy under {RELIABLE_ACCURACY:.0%}")
    if weak_classes:
        reasons.append("some labels are often confused")
    good = accuracy is not None and accuracy >= RELIABLE_ACCURACY
    lead = f"Unreliable despite {accuracy:.0%} held-out accuracy" if good else "Unreliable"
    return f"{lead}: {'; '.join(reasons)}. Add samples (of the labels named above) before relying on it."


def fit(
    samples: Sequence[tuple[str, Document]],
    *,
    pages: int | None = 1,
    spec: DocumentSpec | None = None,
    hard: bool = False,
    progress: Progress | None = None,
) -> ClassifierModel:
    """Train a classifier on labelled documents and evaluate it by stratified cross-validation.

    Args:
        samples: ``(label, document)`` pairs.
        pages: relevant pages (first N; None: all).
        spec: how documents are read (kept with the model so classifying reads them the same way).
        hard: the task is difficult (doubles the samples recommendation in the warnings).
        progress: optional ``callback(fraction, message)``.

    Returns:
        The fitted model with its training report (k = min(5, smallest class) folds; none below 2).

    Raises:
        ClassifierError: fewer than 2 labels.
    """
    started = time.perf_counter()
    counts: dict[str, int] = {}
    for label, _doc in samples:
        counts[label] = counts.get(label, 0) + 1
    labels = sorted(counts)
    if len(labels) < 2:
        raise ClassifierError(
            f"training needs 2 or more labels with samples; got {len(labels)}: {', '.join(labels) or 'none'}",
            hint="Add sample documents for a second label.",
        )
    if progress:
        progress(0.05, "computing features")
    X = feature_frame([doc for _l, doc in samples], pages)
    y = np.array([label for label, _d in samples])
    folds = min(5, min(counts.values()))
    warnings = list(check_counts({label: counts[label] for label in labels}, hard=hard).messages)
    data_short = bool(warnings)
    predicted: np.ndarray | None = None
    if folds >= 2:
        if progress:
            progress(0.2, f"cross-validating ({folds} folds)")
        cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
        predicted = cross_val_predict(build_pipeline(), X, y, cv=cv)
    else:
        warnings.append("Too few samples to hold any out (a label has 1): accuracy is unknown.")
    if progress:
        progress(0.8, "fitting the final model")
    pipeline = build_pipeline().fit(X, y)
    per_class: dict[str, ClassMetrics] = {}
    accuracy: float | None = None
    matrix = np.zeros((len(labels), len(labels)), dtype=int)
    if predicted is not None:
        matrix = confusion_matrix(y, predicted, labels=labels)
        accuracy = float(np.mean(predicted == y))
    for i, label in enumerate(labels):
        column = int(matrix[:, i].sum())
        per_class[label] = ClassMetrics(
            samples=counts[label],
            accuracy=float(matrix[i, i] / counts[label]) if predicted is not None else None,
            precision=float(matrix[i, i] / column) if predicted is not None and column else None,
        )
    low = [label for label, m in per_class.items() if m.accuracy is not None and m.accuracy < RELIABLE_ACCURACY]
    if accuracy is not None and accuracy < RELIABLE_ACCURACY:
        warnings.append(f"Held-out accuracy is {accuracy:.0%}, below {RELIABLE_ACCURACY:.0%}.")
    if low:
        warnings.append(f"Weak classes (held-out accuracy below {RELIABLE_ACCURACY:.0%}): {', '.join(low)}.")
    unreliable = data_short or accuracy is None or accuracy < RELIABLE_ACCURACY or bool(low)
    if unreliable:
        warnings.append(_verdict(data_short, accuracy, bool(low)))
    report = TrainingReport(
        labels=labels,
        samples={label: counts[label] for label in labels},
        folds=folds if folds >= 2 else 0,
        accuracy=accuracy,
        per_class=per_class,
        confusion=matrix.tolist(),
        unreliable=unreliable,
        warnings=warnings,
        pages=pages,
        seconds=time.perf_counter() - started,
    )
    if progress:
        progress(1.0, "trained")
    return ClassifierModel(pipeline=pipeline, labels=labels, pages=pages, spec=spec or DocumentSpec(), report=report)
