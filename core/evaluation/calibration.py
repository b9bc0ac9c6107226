"""Calibration of confidences: do values given 0.9 come out right nine times in ten?

Predictions are put into equal-width confidence bins; each bin's accuracy (the share of its predictions that
were correct) is compared with its mean confidence. The expected calibration error (ECE) is the mean gap
weighted by how many predictions fall in each bin: 0 is perfectly calibrated. This is the one implementation;
the training evaluation reuses ``expected_calibration_error``.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

__all__ = ["CALIBRATION_BINS", "CalibrationBin", "Calibration", "calibration", "expected_calibration_error"]

CALIBRATION_BINS = 10
"""Bins of width 0.1: enough to see where confidence is off, few enough to fill them on a small dataset."""


class CalibrationBin(BaseModel):
    """One confidence bin: its range, how many predictions fell in it, their mean confidence and accuracy."""

    low: float
    high: float
    count: int
    confidence: float | None = Field(default=None, description="Mean confidence of its predictions (None: empty).")
    accuracy: float | None = Field(default=None, description="Share of its predictions that were right (None: empty).")


class Calibration(BaseModel):
    """The bins and the expected calibration error over a set of predictions."""

    ece: float | None = Field(
        description="Expected calibration error: count-weighted mean |accuracy - confidence|; None without predictions."
    )
    samples: int
    bins: list[CalibrationBin]


def calibration(confidences: Sequence[float], correct: Sequence[bool], bins: int = CALIBRATION_BINS) -> Calibration:
    """Bin predictions by confidence and compute the expected calibration error.

    Args:
        confidences: each prediction's confidence, 0-1.
        correct: whether each prediction was right.
        bins: the number of equal-width bins.

    Returns:
        The calibration: ECE, sample count and every bin (empty ones too).

    >>> c = calibration([0.95, 0.95, 0.15, 0.15], [True, True, False, True])
    >>> round(c.ece, 3), c.bins[9].accuracy, c.bins[1].count
    (0.2, 1.0, 2)
    """
    if len(confidences) != len(correct):
        raise ValueError("confidences and correct must be equally long")
    counts = [0] * bins
    conf_sums = [0.0] * bins
    right = [0] * bins
    for conf, ok in zip(confidences, correct, strict=True):
        conf = min(max(float(conf), 0.0), 1.0)
        k = min(int(conf * bins), bins - 1)
        counts[k] += 1
        conf_sums[k] += conf
        right[k] += int(ok)
    total = sum(counts)
    out: list[CalibrationBin] = []
    ece = 0.0
    for k in range(bins):
        if not counts[k]:
            out.append(CalibrationBin(low=k / bins, high=(k + 1) / bins, count=0))
            continue
        mean_conf, accuracy = conf_sums[k] / counts[k], right[k] / counts[k]
        ece += counts[k] / total * abs(accuracy - mean_conf)
        out.append(
            CalibrationBin(
                low=k / bins, high=(k + 1) / bins, count=counts[k], confidence=round(mean_conf, 4), accuracy=accuracy
            )
        )
    return Calibration(ece=round(ece, 4) if total else None, samples=total, bins=out)


def expected_calibration_error(
    confidences: Sequence[float], correct: Sequence[bool], bins: int = CALIBRATION_BINS
) -> float | None:
    """The expected calibration error alone (see ``calibration``); None without predictions.

    >>> expected_calibration_error([1.0, 0.0], [True, False])
    0.0
    """
    return calibration(confidences, correct, bins).ece
