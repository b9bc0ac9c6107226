"""Out-of-fold predictions inside ``TrainedExtractor.fit``: the scorers of a fold fitted on its training
documents (each one's layout memory drawn from the others, never its own near-duplicates), and their answers
on its held-out documents, next to the local engine's, for calibration and the per-field plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy import sparse

from core.annotation.spans import pool_of
from core.evaluation.scoring import FieldCounts, score, values_match
from core.extraction.local.tables import extract_items
from core.schema import Field
from core.training.columns import general_labels, layout_labels, learn_labels, novel_labels, with_labels
from core.training.examples import TrainingExample, has_value
from core.training.features import PreparedDocument
from core.training.layout_memory import LayoutMemory
from core.training.scorer import (
    FieldScorer,
    dense_columns,
    fit_scorer,
    labels,
    memory_hints,
    negatives_per_document,
    rank,
    sample_rows,
    stacked,
)

__all__ = ["Regime", "OutOfFold", "ItemsOutOfFold", "FoldData", "f1_of", "ItemHeaders"]

Regime = Literal["seen", "unseen"]
"""Whether the layout memory knows a document's layout (an annotated document of the same template)."""


@dataclass
class OutOfFold:
    """One held-out prediction of one field on one document."""

    field: str
    document: int
    regime: Regime
    score: float
    margin: float
    correct: bool
    expected: bool  # the document has a value for the field
    local_correct: bool
    local_predicted: bool
    confidence: float = 0.0  # calibrated (set once the calibrators are fitted)
    confident: bool = False  # confidence at or above the field's threshold


@dataclass
class ItemsOutOfFold:
    """One held-out reading of an array-of-objects field on one document: item cells counted over its item
    fields, read with the column labels learned on the fold's training documents and by the local reader."""

    field: str
    document: int
    regime: Regime
    trained: FieldCounts
    local: FieldCounts


ItemHeaders = list[dict[str, dict[str, str]]]
"""Per training document, per array field, the header label above each item field's column
(``columns.header_labels``)."""


def f1_of(rows: list[OutOfFold], trained: bool) -> float:
    """F1 of the trained scorer's answers (as thresholded) or of the local engine's, over some rows."""
    tp = fp = fn = 0
    for r in rows:
        if trained:
            predicted = r.confident
            correct = r.correct and predicted
        else:
            predicted, correct = r.local_predicted, r.local_correct
        tp += correct
        fp += predicted and not correct
        fn += r.expected and not correct
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


@dataclass
class FoldData:
    """What the folds of one ``fit`` share: prepared documents, the memory of all of them, similarities."""

    preps: list[PreparedDocument]
    examples: Sequence[TrainingExample]
    memory: LayoutMemory
    similarity: np.ndarray
    groups: np.ndarray
    rng: np.random.Generator
    _dense: dict[tuple[int, str, tuple[tuple[int, float], ...]], np.ndarray] = field(default_factory=dict)

    def dense(self, doc: int, f: Field, pool: str, neighbours: list[tuple[int, float]]) -> np.ndarray:
        """A document's dense candidate columns for a field with its memory drawn from ``neighbours``: the
        same in every fold whose training documents hold the same neighbours, so computed once."""
        key = (doc, f.name, tuple(neighbours))
        if key not in self._dense:
            prep = self.preps[doc]
            hints = memory_hints(self.memory, prep.anchors, neighbours, f.name)
            self._dense[key] = dense_columns(prep, pool, f.name, hints)
        return self._dense[key]

    def _neighbours(self, doc: int, allowed: np.ndarray) -> list[tuple[int, float]]:
        mask = allowed & (self.groups != self.groups[doc])  # never a document's own near-duplicates
        return self.memory.neighbours(self.similarity[doc], mask)

    def held_out_items(
        self, fields: list[Field], headers: ItemHeaders, train: np.ndarray, test: np.ndarray
    ) -> list[ItemsOutOfFold]:
        """Item tables of the ``test`` documents read with the labels learned on ``train`` (on a known layout,
        also its nearest annotated documents' labels), next to the local reader's items; when the labels teach
        the reader nothing new, its reading is the local one."""
        allowed = np.zeros(len(self.preps), dtype=bool)
        allowed[train] = True
        out: list[ItemsOutOfFold] = []
        for f in fields:
            general = general_labels(f, learn_labels(f, [headers[int(i)].get(f.name, {}) for i in train]))
            for j in test:
                j = int(j)
                ex, prep = self.examples[j], self.preps[j]
                if f.name not in ex.expected:
                    continue
                neighbours = self._neighbours(j, allowed)
                labels = layout_labels(general, [headers[n].get(f.name, {}) for n, _ in neighbours])
                expected = {f.name: ex.expected[f.name]}
                local = (
                    prep.local.extractions[f.name].value if prep.local and f.name in prep.local.extractions else None
                )
                local_counts = _items_counts(expected, local, f)
                trained_counts = local_counts
                if novel_labels(f, labels):
                    items = extract_items(prep.document, with_labels(f, labels), prep.layout).items
                    trained_counts = _items_counts(expected, items or None, f)
                regime: Regime = "seen" if neighbours else "unseen"
                out.append(ItemsOutOfFold(f.name, j, regime, trained_counts, local_counts))
        return out

    def fit_fields(self, fields: list[Field], train: np.ndarray) -> dict[str, FieldScorer]:
        """One scorer per field on the ``train`` documents (their memory drawn from the other ones)."""
        allowed = np.zeros(len(self.preps), dtype=bool)
        allowed[train] = True
        neighbours = {int(i): self._neighbours(int(i), allowed) for i in train}
        out: dict[str, FieldScorer] = {}
        negatives = negatives_per_document(len(train))
        for f in fields:
            pool = pool_of(f)
            assert pool is not None
            parts: list[tuple[sparse.csr_matrix, np.ndarray]] = []
            ys = []
            for i in train:
                ex, prep = self.examples[int(i)], self.preps[int(i)]
                if f.name not in ex.expected:
                    continue  # unknown for this document: teaches nothing
                dense = self.dense(int(i), f, pool, neighbours[int(i)])
                y = labels(prep, pool, ex.expected.get(f.name))
                rows = sample_rows(y, dense, self.rng, negatives)
                parts.append((prep.features[pool][rows], dense[rows]))
                ys.append(y[rows])
            if not parts:
                continue
            model = fit_scorer(stacked(parts), np.concatenate(ys))
            if model is not None:
                out[f.name] = model
        return out

    def held_out(
        self, fields: list[Field], scorers: dict[str, FieldScorer], train: np.ndarray, test: np.ndarray
    ) -> list[OutOfFold]:
        """The scorers' answers on the ``test`` documents, memory drawn from ``train``."""
        allowed = np.zeros(len(self.preps), dtype=bool)
        allowed[train] = True
        out: list[OutOfFold] = []
        for j in test:
            j = int(j)
            ex, prep = self.examples[j], self.preps[j]
            neighbours = self._neighbours(j, allowed)
            regime: Regime = "seen" if neighbours else "unseen"
            for f in fields:
                pool = pool_of(f)
                scorer = scorers.get(f.name)
                if pool is None or scorer is None or f.name not in ex.expected:
                    continue
                expected = ex.expected.get(f.name)
                dense = self.dense(j, f, pool, neighbours)
                ranked = rank(scorer.decision(prep.features[pool], dense), prep.value_keys[pool])
                local_value = (
                    prep.local.extractions[f.name].value if prep.local and f.name in prep.local.extractions else None
                )
                y = labels(prep, pool, expected)
                out.append(
                    OutOfFold(
                        field=f.name,
                        document=j,
                        regime=regime,
                        score=ranked.score if ranked else -10.0,
                        margin=ranked.margin if ranked else 0.0,
                        correct=bool(ranked is not None and y[ranked.index]),
                        expected=has_value(expected),
                        local_correct=has_value(expected)
                        and has_value(local_value)
                        and values_match(expected, local_value, f.type),
                        local_predicted=has_value(local_value),
                    )
                )
        return out


def _items_counts(expected: dict[str, object], items: object, field: Field) -> FieldCounts:
    """Item cells right, wrong and missed over all item fields of one document."""
    return sum(score(expected, {field.name: items}, [field]).values(), FieldCounts())
