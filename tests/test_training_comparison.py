"""core.training.comparison and calibration: changes with intervals, fixed and broken documents, warnings, ECE."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import TrainingError
from core.evaluation.calibration import calibration
from core.evaluation.report import DocumentScore
from core.evaluation.scoring import FieldCounts
from core.schema import Field
from core.training.calibration import Calibrator
from core.training.comparison import activation_warnings, change_chart, compare

FIELDS = [Field(name="number"), Field(name="total", type="number")]


def _doc(name: str, number: bool, total: bool) -> DocumentScore:
    def counts(right: bool) -> FieldCounts:
        return FieldCounts(tp=1) if right else FieldCounts(fp=1, fn=1)

    return DocumentScore(name=name, counts={"number": counts(number), "total": counts(total)})


def test_changes_fixed_and_broken_documents_are_counted() -> None:
    before = [_doc(f"d{i}", number=i >= 4, total=True) for i in range(10)]  # number wrong on d0-d3
    after = [_doc(f"d{i}", number=i != 0, total=i != 9) for i in range(10)]  # fixes d1-d3, breaks total of d9
    templates = {f"d{i}": "A" if i < 5 else "B" for i in range(10)}
    c = compare(before, list(reversed(after)), FIELDS, templates=templates, names=("v1", "v2"))
    number = next(f for f in c.fields if f.name == "number")
    total = next(f for f in c.fields if f.name == "total")
    # number: 6 of 10 right (F1 = 2*6/(2*6+4+4) = 0.6) -> 9 of 10 (0.9); total: 1.0 -> 0.9
    assert (number.before, number.after, number.change) == (0.6, 0.9, 0.3)
    assert (total.before, total.after) == (1.0, 0.9)
    assert number.low <= number.change <= number.high and number.better_share > 0.9
    assert [d.name for d in c.fixed] == ["d1", "d2", "d3"] and c.fixed[0].fixed == ["number"]
    assert [(d.name, d.broken) for d in c.broken] == [("d9", ["total"])]
    assert {t.name: t.documents for t in c.templates} == {"A": 5, "B": 5}
    assert (c.overall.before, c.overall.after) == (0.8, 0.9)  # 16 of 20 right, then 18 of 20
    assert len(c.warnings) == 1 and "worse than v1 on total" in c.warnings[0] and "10 documents" in c.warnings[0]
    assert change_chart(c).to_dict()["layer"]


def test_a_worse_version_warns_overall_and_few_documents_do_not_warn_per_field() -> None:
    before = [_doc(f"d{i}", True, True) for i in range(3)]
    after = [_doc("d0", False, True), _doc("d1", True, True), _doc("d2", True, True)]
    c = compare(before, after, FIELDS)
    assert c.overall.change < 0 and c.overall.low < 0
    assert len(activation_warnings(c)) == 1 and "overall" in activation_warnings(c)[0]
    assert len(activation_warnings(c, min_documents=3)) == 2


def test_versions_on_different_documents_are_not_compared() -> None:
    with pytest.raises(TrainingError, match="same documents"):
        compare([_doc("a", True, True)], [_doc("b", True, True)], FIELDS)


def test_ece_bins_and_a_sigmoid_fitted_on_scores() -> None:
    report = calibration([0.95] * 10 + [0.55] * 10, [True] * 9 + [False] + [True] * 5 + [False] * 5)
    assert report.ece == pytest.approx((10 * 0.05 + 10 * 0.05) / 20)
    assert [b.count for b in report.bins if b.count] == [10, 10]
    rng = np.random.default_rng(0)
    scores = rng.normal(size=400)
    correct = rng.random(400) < 1 / (1 + np.exp(-2 * scores))
    cal = Calibrator().fit(scores, np.zeros(400), correct)
    assert cal.calibrated and cal.predict(np.array([2.0]), np.array([0.0]))[0] > 0.9
    assert not Calibrator().fit(scores[:3], np.zeros(3), correct[:3]).calibrated
