"""Splitting annotated documents for cross-validation: by document (near-identical documents kept on one
side) and by template (whole layouts held out), with templates found from the layout memory when the
annotations do not name them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from sklearn.model_selection import GroupKFold

from core.training.layout_memory import SAME_LAYOUT

__all__ = ["group_ids", "layout_clusters", "template_ids", "split"]


def group_ids(keys: Sequence[str]) -> np.ndarray:
    """Integer ids for string keys, in order of first appearance.

    >>> group_ids(["a", "b", "a"]).tolist()
    [0, 1, 0]
    """
    seen: dict[str, int] = {}
    return np.array([seen.setdefault(k, len(seen)) for k in keys], dtype=np.int64)


def layout_clusters(similarity: np.ndarray) -> np.ndarray:
    """Documents linked by a signature similarity of ``SAME_LAYOUT`` or more, as cluster ids."""
    if similarity.size == 0:
        return np.zeros(0, dtype=np.int64)
    graph = sparse.csr_matrix(similarity >= SAME_LAYOUT)
    _, ids = connected_components(graph, directed=False)
    return np.asarray(ids, dtype=np.int64)


def template_ids(templates: Sequence[str | None], similarity: np.ndarray) -> np.ndarray:
    """Template ids: the annotated template names where every document has one, else layout clusters."""
    if templates and all(t for t in templates):
        return group_ids([str(t) for t in templates])
    return layout_clusters(similarity)


def split(groups: np.ndarray, folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(train, test)`` index pairs of at most ``folds`` folds that never split a group; empty when fewer
    than two groups exist.

    >>> [t.tolist() for _, t in split(np.array([0, 0, 1, 2]), 3)]
    [[0, 1], [3], [2]]
    """
    distinct = np.unique(groups).size
    k = min(folds, distinct)
    if k < 2:
        return []
    out = []
    for train, test in GroupKFold(n_splits=k).split(np.zeros(groups.size), groups=groups):
        out.append((np.asarray(train), np.asarray(test)))
    return out
