"""Confidence calibration: Platt scaling of the scorer's top score and margin on out-of-fold predictions
(the expected calibration error that measures it is ``core.evaluation.calibration``).

Platt (a sigmoid) rather than isotonic regression: a workflow has tens to hundreds of held-out predictions
per field, and isotonic regression overfits below about a thousand.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

__all__ = ["CALIBRATION_MIN", "Calibrator"]

CALIBRATION_MIN = 8
"""Held-out predictions (with both right and wrong ones) needed to fit a sigmoid; below, the raw score's
logistic is used and the report says the confidence is uncalibrated."""


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
