"""Confidence calibration: Platt scaling of the scorer's top score and margin on out-of-fold predictions,
and the expected calibration error (ECE) with its bins.

Platt (a sigmoid) rather than isotonic regression: a workflow has tens to hundreds of held-out predictions
per field, and isotonic regression overfits below about a thousand.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, Field
from sklearn.linear_model import LogisticRegression

__all__ = ["CALIBRATION_MIN", "ECE_BINS", "CalibrationBin", "CalibrationReport", "Calibrator", "calibration_report"]

CALIBRATION_MIN = 8
"""Held-out predictions (with both right and wrong ones) needed to fit a sigmoid; below, the raw score's
logistic is used and the report says the confidence is uncalibrated."""
ECE_BINS = 10
"""Equal-width confidence bins of the ECE: the usual ten."""


class Calibrator:
    """``P(value right | top score, margin)`` by Platt scaling; the plain logistic of the score until fitted.

    Attributes:
        coef_: the sigmoid's weights on (score, margin), or None (uncalibrated).
        intercept_: its intercept.
        samples_: how many predictions it was fitted on.
    """

    def __init__(self) -> None:
        self.coef_: np.ndarray | None = None
        self.intercept_ = 0.0
        self.samples_ = 0

    def fit(self, scores: np.ndarray, margins: np.ndarray, correct: np.ndarray) -> Calibrator:
        """Fit on out-of-fold top scores, margins and whether the value was right."""
        self.samples_ = int(correct.size)
        self.coef_, self.intercept_ = None, 0.0
        if correct.size >= CALIBRATION_MIN and 0 < correct.sum() < correct.size:
            # C=1 keeps the two slopes from running off when held-out predictions are nearly separable.
            model = LogisticRegression(C=1.0).fit(np.column_stack([scores, margins]), correct.astype(int))
            self.coef_, self.intercept_ = model.coef_.ravel().astype(np.float64), float(model.intercept_[0])
        return self

    def predict(self, scores: np.ndarray, margins: np.ndarray) -> np.ndarray:
        """Calibrated probabilities that each top value is right."""
        scores = np.asarray(scores, dtype=np.float64)
        if self.coef_ is None:
            z = scores
        else:
            z = np.column_stack([scores, np.asarray(margins, dtype=np.float64)]) @ self.coef_ + self.intercept_
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -50, 50))))

    @property
    def calibrated(self) -> bool:
        return self.coef_ is not None


class CalibrationBin(BaseModel):
    """One confidence bin: its range, how many predictions fell in it, their mean confidence and accuracy."""

    low: float
    high: float
    count: int
    confidence: float | None = None
    accuracy: float | None = None


class CalibrationReport(BaseModel):
    """Expected calibration error: the count-weighted gap between confidence and accuracy over the bins."""

    ece: float | None = Field(description="None when there were no predictions.")
    samples: int
    bins: list[CalibrationBin]


def calibration_report(confidence: Sequence[float], correct: Sequence[bool], bins: int = ECE_BINS) -> CalibrationReport:
    """The ECE of predictions with their confidences and whether they were right.

    >>> r = calibration_report([0.9, 0.9, 0.2, 0.2], [True, True, False, True])
    >>> r.ece, r.bins[9].count
    (0.2, 2)
    """
    conf = np.clip(np.asarray(confidence, dtype=np.float64), 0.0, 1.0)
    ok = np.asarray(correct, dtype=bool)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.minimum((conf * bins).astype(int), bins - 1)
    out: list[CalibrationBin] = []
    gap = 0.0
    for b in range(bins):
        mask = which == b
        n = int(mask.sum())
        if n:
            c, a = float(conf[mask].mean()), float(ok[mask].mean())
            gap += n * abs(c - a)
            out.append(
                CalibrationBin(low=edges[b], high=edges[b + 1], count=n, confidence=round(c, 4), accuracy=round(a, 4))
            )
        else:
            out.append(CalibrationBin(low=edges[b], high=edges[b + 1], count=0))
    ece = round(gap / conf.size, 4) if conf.size else None
    return CalibrationReport(ece=ece, samples=int(conf.size), bins=out)
