"""The per-template layout memory: which annotated documents look like this one, and where their values sit.

A document's layout signature is its anchor words (words of three or more letters) with their positions on
the page at two resolutions; two documents of one template share most anchors at the same places, so the
cosine of their signatures is high. For a field, the memory takes the nearest annotated documents, aligns each
to the new document by the anchors around the field's box (the labels that travel with it), and predicts
where the value should be. The scorer then sees, per candidate, how well it overlaps that prediction and
whether it reads the same as the neighbour's value (names and VAT ids repeat within a template).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.feature_extraction import FeatureHasher

from core.extraction.local.layout import DocumentLayout

__all__ = [
    "SAME_LAYOUT",
    "NEIGHBOURS",
    "Anchors",
    "anchors_of",
    "signature_matrix",
    "MemoryEntry",
    "LayoutMemory",
    "transfer_box",
    "box_overlap",
]

SAME_LAYOUT = 0.5
"""Signature cosine from which two documents count as the same template. On the development e-invoices
documents of one generator score 0.6-0.95 against each other and below 0.4 against other generators."""
NEIGHBOURS = 3
"""Nearest annotated documents a prediction draws on: more than one smooths one odd document, more adds
little (published layout-memory results plateau after a few examples per template)."""
_MIN_LETTERS = 3
"""Anchor words have at least this many letters (shorter ones, such as "Nr" or "EUR", repeat everywhere)."""
_ALIGN_ANCHORS = 5
"""Anchors around a field's box used to align a neighbour: the nearest few are the field's labels."""
_ALIGN_REACH = 0.25
"""An anchor moves at most this share of the page between two documents of one template."""
_DISTANCE_SCALE = 0.02
"""Centre distance (share of the page) at which the memory's closeness score falls to 1/e: about a line."""
_SIGNATURE_FEATURES = 2**16
_COARSE, _FINE = (4, 6), (12, 24)
_HASHER = FeatureHasher(n_features=_SIGNATURE_FEATURES, input_type="string", alternate_sign=False)


@dataclass
class Anchors:
    """A document's anchor words: keys, 0-based pages and centres as shares of the page size."""

    keys: list[str]
    pages: np.ndarray
    cx: np.ndarray
    cy: np.ndarray
    index: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.index:
            idx: dict[str, list[int]] = defaultdict(list)
            for i, k in enumerate(self.keys):
                idx[k].append(i)
            self.index = dict(idx)

    def tokens(self) -> list[str]:
        """The signature tokens: each anchor as a word, and at a coarse and a fine position."""
        out: list[str] = []
        for k, p, x, y in zip(self.keys, self.pages, self.cx, self.cy, strict=True):
            out.append(k)
            out.append(f"{k}@{p}:{int(x * _COARSE[0])}:{int(y * _COARSE[1])}")
            out.append(f"{k}@{p}:{int(x * _FINE[0])}:{int(y * _FINE[1])}")
        return out


def anchors_of(layout: DocumentLayout) -> Anchors:
    """The anchor words of a document (see the module docstring)."""
    keys: list[str] = []
    pages: list[int] = []
    cx: list[float] = []
    cy: list[float] = []
    for pl in layout.pages:
        w, h = max(pl.width, 1.0), max(pl.height, 1.0)
        for i, word in enumerate(pl.page.words):
            key = pl.keys[i]
            if len(key) < _MIN_LETTERS or not key.isalpha():
                continue
            x0, y0, x1, y1 = word.bbox
            keys.append(key)
            pages.append(pl.index)
            cx.append((x0 + x1) / 2 / w)
            cy.append((y0 + y1) / 2 / h)
    return Anchors(keys, np.array(pages, dtype=np.int64), np.array(cx), np.array(cy))


def signature_matrix(anchors: list[Anchors]) -> sparse.csr_matrix:
    """Row-normalised signatures, one row per document: ``a @ b.T`` is the cosine similarity."""
    if not anchors:
        return sparse.csr_matrix((0, _SIGNATURE_FEATURES))
    matrix = _HASHER.transform([a.tokens() or ["<empty>"] for a in anchors]).tocsr().astype(np.float64)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    normalised: sparse.csr_matrix = sparse.diags(1.0 / norms) @ matrix
    return normalised.tocsr()


@dataclass
class MemoryEntry:
    """Where one field's value sits in one annotated document: page, box as shares of the page, value key."""

    page: int
    box: tuple[float, float, float, float]
    value: str


def transfer_box(
    source: Anchors, target: Anchors, entry: MemoryEntry
) -> tuple[int, tuple[float, float, float, float], int]:
    """Move a field's box from an annotated document to a new one by the anchors around it.

    Returns:
        ``(page, box, support)``: the predicted box as shares of the page, and how many anchors agreed
        (0: none found, the box is kept where it was).
    """
    x0, y0, x1, y1 = entry.box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    on_page = np.flatnonzero(source.pages == entry.page)
    if on_page.size == 0:
        return entry.page, entry.box, 0
    dist = np.hypot(source.cx[on_page] - cx, source.cy[on_page] - cy)
    shifts: list[tuple[float, float]] = []
    for i in on_page[np.argsort(dist)]:
        key = source.keys[i]
        if len(source.index[key]) != 1:
            continue  # a word printed twice does not say which copy moved where
        best, best_d = None, _ALIGN_REACH
        for j in target.index.get(key, ()):
            if target.pages[j] != entry.page:
                continue
            d = math.hypot(target.cx[j] - source.cx[i], target.cy[j] - source.cy[i])
            if d < best_d:
                best, best_d = j, d
        if best is not None:
            shifts.append((target.cx[best] - source.cx[i], target.cy[best] - source.cy[i]))
        if len(shifts) >= _ALIGN_ANCHORS:
            break
    if not shifts:
        return entry.page, entry.box, 0
    dx = float(np.median([s[0] for s in shifts]))
    dy = float(np.median([s[1] for s in shifts]))
    return entry.page, (x0 + dx, y0 + dy, x1 + dx, y1 + dy), len(shifts)


def box_overlap(boxes: np.ndarray, box: tuple[float, float, float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Intersection over union of each row of ``boxes`` (n, 4) with ``box``, and a closeness score of their
    centres (1 at the same place, 1/e one ``_DISTANCE_SCALE`` apart); all in shares of the page."""
    if boxes.size == 0:
        return np.zeros(0), np.zeros(0)
    ix = np.clip(np.minimum(boxes[:, 2], box[2]) - np.maximum(boxes[:, 0], box[0]), 0, None)
    iy = np.clip(np.minimum(boxes[:, 3], box[3]) - np.maximum(boxes[:, 1], box[1]), 0, None)
    inter = ix * iy
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]) + (box[2] - box[0]) * (box[3] - box[1])
    iou = inter / np.maximum(area - inter, 1e-9)
    dx = (boxes[:, 0] + boxes[:, 2]) / 2 - (box[0] + box[2]) / 2
    dy = (boxes[:, 1] + boxes[:, 3]) / 2 - (box[1] + box[3]) / 2
    return iou, np.exp(-np.hypot(dx, dy) / _DISTANCE_SCALE)


class LayoutMemory:
    """Annotated documents' anchors and field boxes, and the nearest of them to a new document.

    Args:
        anchors: the annotated documents' anchors.
        entries: per document, ``{field: MemoryEntry}`` for the values that were located.
    """

    def __init__(self, anchors: list[Anchors], entries: list[dict[str, MemoryEntry]]) -> None:
        self.anchors = anchors
        self.entries = entries
        self.signatures = signature_matrix(anchors)

    def __len__(self) -> int:
        return len(self.anchors)

    def similarities(self, query: Anchors | sparse.csr_matrix) -> np.ndarray:
        """Cosine similarity of a document's signature with every annotated document's."""
        sig = signature_matrix([query]) if isinstance(query, Anchors) else query
        if len(self) == 0:
            return np.zeros(0)
        return np.asarray((self.signatures @ sig.T).todense()).ravel()

    def neighbours(self, similarities: np.ndarray, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The nearest annotated documents of the same layout (``SAME_LAYOUT``), best first.

        Args:
            similarities: from ``similarities``.
            allowed: a boolean mask of the documents that may be used (training folds); default all.
        """
        sims = similarities if allowed is None else np.where(allowed, similarities, -1.0)
        order = np.argsort(-sims)[:NEIGHBOURS]
        return [(int(i), float(sims[i])) for i in order if sims[i] >= SAME_LAYOUT]
