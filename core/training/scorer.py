"""The candidate scorer of one field: a logistic regression over a candidate's hashed features plus the
field's own signals (where the layout memory expects the value, what the local engine picked), and the
ranking of a document's candidates into one value with its score and margin.

Logistic regression because a field seen on five documents has five positives: a linear model over sparse
tokens with an L2 penalty generalises from that few, trains in well under a second on thousands of
candidates, and its decision values are what Platt scaling calibrates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from core.annotation.spans import expected_key, key_of, matches
from core.training.features import HASH_FEATURES, PreparedDocument
from core.training.layout_memory import Anchors, LayoutMemory, box_overlap, transfer_box

__all__ = [
    "DENSE_COLUMNS",
    "MemoryHint",
    "memory_hints",
    "local_pick",
    "dense_columns",
    "stacked",
    "labels",
    "sample_rows",
    "FieldScorer",
    "fit_scorer",
    "Ranked",
    "rank",
    "pool_key",
    "REGULARISATION",
    "NEGATIVE_ROWS",
    "negatives_per_document",
]

DENSE_COLUMNS: tuple[str, ...] = (
    "memory_iou",
    "memory_close",
    "memory_value",
    "memory_similarity",
    "memory_present",
    "local_value",
    "local_box",
    "local_confidence",
)
"""The field's own signals next to the hashed features, each 0-1."""
REGULARISATION = 1.0
"""Inverse L2 strength of the scorer (scikit-learn's default): on the development sets 0.3 and 3 ranked
within a point of it; smaller lets the local engine's pick dominate, larger memorises one template's words."""
NEGATIVE_ROWS = 20000
"""Negative candidates a field's fit samples over all its documents (most candidates of a string field,
over a thousand a page, are trivially wrong; fitting on all of them costs time without changing the
ranking), spread evenly: 150 a document for a small workflow, fewer for a large one, never below 20.
Candidates with a memory or local-engine signal and all positives are always kept."""
_NEGATIVES_PER_DOCUMENT = (20, 150)
_LOCAL_IOU = 0.5
"""A candidate is the local engine's pick when its box overlaps the cited box by half (same words)."""


@dataclass
class MemoryHint:
    """A neighbour's say on one field: the box it predicts on this document, its value and similarity."""

    page: int
    box: tuple[float, float, float, float]
    value: str
    similarity: float


def memory_hints(
    memory: LayoutMemory, anchors: Anchors, neighbours: list[tuple[int, float]], field: str
) -> list[MemoryHint]:
    """The neighbours' boxes of ``field`` moved onto this document (``layout_memory.transfer_box``)."""
    hints = []
    for index, similarity in neighbours:
        entry = memory.entries[index].get(field)
        if entry is None:
            continue
        page, box, _support = transfer_box(memory.anchors[index], anchors, entry)
        hints.append(MemoryHint(page, box, entry.value, similarity))
    return hints


def local_pick(prep: PreparedDocument, pool: str, field: str) -> tuple[Any, list[tuple[int, tuple]], float]:
    """The local engine's value of ``field`` in comparable form, its cited boxes ``(page index, box as shares
    of the page)`` and its confidence."""
    if prep.local is None or field not in prep.local.extractions:
        return None, [], 0.0
    extraction = prep.local.extractions[field]
    key = expected_key(pool, extraction.value)
    boxes = []
    for c in extraction.citations:
        x0, y0, x1, y1 = c.bbox
        w, h = max(c.page.width, 1.0), max(c.page.height, 1.0)
        boxes.append((c.page.number - 1, (x0 / w, y0 / h, x1 / w, y1 / h)))
    return key, boxes, float(extraction.confidence or 0.0)


def dense_columns(prep: PreparedDocument, pool: str, field: str, hints: list[MemoryHint]) -> np.ndarray:
    """The ``DENSE_COLUMNS`` of every candidate of ``pool`` for ``field``: shape (n, 8)."""
    n = len(prep.spans(pool))
    out = np.zeros((n, len(DENSE_COLUMNS)))
    if n == 0:
        return out
    boxes, pages, keys = prep.norm_boxes[pool], prep.pages[pool], prep.value_keys[pool]
    for hint in hints:
        iou, close = box_overlap(boxes, hint.box)
        same_page = pages == hint.page
        out[:, 0] = np.maximum(out[:, 0], np.where(same_page, iou, 0.0) * hint.similarity)
        out[:, 1] = np.maximum(out[:, 1], np.where(same_page, close, 0.0) * hint.similarity)
        out[:, 2] = np.maximum(out[:, 2], (keys == hint.value) * hint.similarity)
    if hints:
        out[:, 3] = max(h.similarity for h in hints)
        out[:, 4] = 1.0
    key, cited, confidence = local_pick(prep, pool, field)
    if key is not None:
        agree = matches(pool, prep.values[pool], key)
        out[:, 5] = agree
        for page, box in cited:
            iou, _ = box_overlap(boxes, box)
            out[:, 6] = np.maximum(out[:, 6], (iou >= _LOCAL_IOU) & (pages == page) & agree)
        out[:, 7] = agree * confidence
    return out


def stacked(parts: Sequence[tuple[sparse.csr_matrix, np.ndarray]]) -> sparse.csr_matrix:
    """Training rows of several documents as one matrix: their hashed features with the field's dense columns
    beside them (the columns a ``FieldScorer`` is fitted on), stacked once rather than document by document."""
    hashed = sparse.vstack([h for h, _ in parts], format="csr")
    dense = sparse.csr_matrix(np.vstack([d for _, d in parts]))
    matrix: sparse.csr_matrix = sparse.hstack([hashed, dense], format="csr")
    return matrix


def labels(prep: PreparedDocument, pool: str, expected: Any) -> np.ndarray:
    """Which candidates read as the expected value (all False when it is empty or not printed)."""
    return matches(pool, prep.values[pool], expected_key(pool, expected))


def negatives_per_document(documents: int) -> int:
    """How many plain negatives each document contributes to a fit of ``documents`` documents.

    >>> negatives_per_document(10), negatives_per_document(400), negatives_per_document(5000)
    (150, 50, 20)
    """
    low, high = _NEGATIVES_PER_DOCUMENT
    return int(min(max(NEGATIVE_ROWS // max(documents, 1), low), high))


def sample_rows(y: np.ndarray, dense: np.ndarray, rng: np.random.Generator, negatives: int) -> np.ndarray:
    """The rows a fit uses: every positive, every candidate with a field signal, and ``negatives`` random
    others (``negatives_per_document``)."""
    keep = y | (dense[:, [0, 2, 5]].max(axis=1) > 0) if dense.size else y.copy()
    rest = np.flatnonzero(~keep)
    if rest.size > negatives:
        rest = rng.choice(rest, negatives, replace=False)
    return np.sort(np.concatenate([np.flatnonzero(keep), rest]))


@dataclass
class FieldScorer:
    """A fitted scorer: the logistic regression's weights on the columns the training rows used.

    Fitting on those columns only (a few thousand of the hashed space) is several times faster than on all
    of them, and the weights are plain arrays to save.
    """

    columns: np.ndarray  # int64 column indexes of ``stacked``: hashed features, then the dense columns
    coef: np.ndarray  # float64 weight per column
    intercept: float
    _weights: np.ndarray | None = None

    def decision(self, hashed: sparse.csr_matrix, dense: np.ndarray) -> np.ndarray:
        """Decision values (log-odds before calibration) of a pool's candidates, from their hashed features and
        the field's dense columns (kept apart: no matrix is stacked to score a document)."""
        if self._weights is None:
            weights = np.zeros(HASH_FEATURES + len(DENSE_COLUMNS))
            weights[self.columns] = self.coef
            self._weights = weights
        scores: np.ndarray = hashed @ self._weights[:HASH_FEATURES] + dense @ self._weights[HASH_FEATURES:]
        return scores + self.intercept


def fit_scorer(x: sparse.csr_matrix, y: np.ndarray) -> FieldScorer | None:
    """Fit the field's scorer; None when the rows do not hold both classes."""
    if y.size == 0 or y.all() or not y.any():
        return None
    used = np.zeros(x.shape[1], dtype=bool)
    used[x.indices] = True
    columns = np.flatnonzero(used)
    # The used columns renumbered in place of scipy's column slicing (the same matrix, several times faster).
    renumber = np.cumsum(used) - 1
    compact = sparse.csr_matrix((x.data, renumber[x.indices], x.indptr), shape=(x.shape[0], columns.size))
    # liblinear's primal Newton solver: on tens of thousands of sparse rows it is the fastest exact one here.
    model = LogisticRegression(C=REGULARISATION, solver="liblinear", dual=False, max_iter=200)
    model.fit(compact, y)
    return FieldScorer(columns.astype(np.int64), model.coef_.ravel().astype(np.float64), float(model.intercept_[0]))


@dataclass
class Ranked:
    """A document's best candidate for a field: its index, decision score, and margin over the best
    candidate with a different value (how clearly it won)."""

    index: int
    score: float
    margin: float
    value_key: str


_NO_RIVAL_MARGIN = 10.0
"""The margin recorded when every candidate reads the same value (nothing to confuse it with)."""


def rank(scores: np.ndarray, keys: np.ndarray) -> Ranked | None:
    """The top candidate and its margin over the best candidate of another value."""
    if scores.size == 0:
        return None
    best = int(np.argmax(scores))
    other = scores[keys != keys[best]]
    margin = float(scores[best] - other.max()) if other.size else _NO_RIVAL_MARGIN
    return Ranked(best, float(scores[best]), min(margin, _NO_RIVAL_MARGIN), str(keys[best]))


def pool_key(pool: str, value: Any) -> str:
    """A value as the memory stores it (``key_of`` of its comparable form)."""
    return key_of(pool, expected_key(pool, value))
