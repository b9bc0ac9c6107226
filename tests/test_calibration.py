"""Calibration: confidence bins and the expected calibration error in the evaluation report."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.evaluation import calibration, evaluate, expected_calibration_error, format_report, load_dataset


def test_a_perfectly_calibrated_set_has_no_error() -> None:
    confidences = [0.25] * 4 + [0.75] * 4
    correct = [True, False, False, False, True, True, True, False]
    assert expected_calibration_error(confidences, correct) == 0.0


def test_overconfidence_shows_as_the_gap_per_bin() -> None:
    c = calibration([0.9] * 10, [True] * 5 + [False] * 5)
    assert c.ece == pytest.approx(0.4)
    assert c.bins[9].count == 10 and c.bins[9].accuracy == 0.5
    with pytest.raises(ValueError):
        calibration([0.5], [])


def test_the_evaluation_report_carries_the_calibration(datasets: Path) -> None:
    dataset = load_dataset(datasets / "invoice2data")
    report = evaluate(dataset.model_copy(update={"documents": dataset.documents[:3]}), engine="local")
    assert report.calibration is not None and report.calibration.samples > 0
    assert 0.0 <= report.calibration.ece <= 1.0
    assert "calibration: ECE" in format_report(report)
