"""The local engine's confidence: a probability of being right, lower for a guess than for a labelled value."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from core.documents import load_document
from core.evaluation import evaluate
from core.extraction.local import LocalEngine
from core.extraction.local.confidence import COEFFICIENTS, FEATURES, Evidence, confidence
from core.schema import Field, Workflow

WORKFLOW = Workflow(
    name="dates",
    fields=[Field(name="invoice_date", type="date", description="The date the invoice was issued.")],
)


def _pdf(lines: list[str]) -> bytes:
    pdf = pymupdf.open()
    page = pdf.new_page(width=595, height=842)
    for k, text in enumerate(lines):
        page.insert_text((50, 60 + 16 * k), text, fontsize=10)
    return pdf.tobytes()


def _confidence(lines: list[str]) -> float:
    result = LocalEngine().extract(load_document(_pdf(lines), name="d.pdf"), WORKFLOW)
    extraction = result.extractions["invoice_date"]
    assert extraction.value == "2024-03-05"
    assert extraction.confidence is not None
    return extraction.confidence


def test_a_value_next_to_its_label_is_surer_than_a_guess() -> None:
    labelled = _confidence(["ACME Tools Ltd", "Invoice date: 05.03.2024", "Delivered 10.03.2024", "Total 12.00"])
    only = _confidence(["ACME Tools Ltd", "05.03.2024", "Total 12.00"])  # the only date, no label
    first = _confidence(["ACME Tools Ltd", "05.03.2024", "Delivered 10.03.2024", "Total 12.00"])  # the first of two
    assert labelled >= 0.9
    assert first < min(only, labelled) - 0.02  # a guess among several values is less sure


def test_a_rival_value_a_poor_ocr_reading_and_a_layout_guess_lower_it() -> None:
    alone = confidence(Evidence("label", 0.7), "INV-1")
    assert confidence(Evidence("label", 0.7, runner_up=0.65), "INV-1") < alone  # another value nearly as likely
    assert confidence(Evidence("label", 0.7, ocr=0.4), "INV-1") < alone  # read badly from a scan
    assert confidence(Evidence("layout", 0.7), "ACME Ltd") < alone  # a name taken from where it is printed
    assert 0.05 <= confidence(Evidence("layout", 0.0, runner_up=0.0, ocr=0.0), "x " * 40) <= 0.99


def test_every_feature_has_a_fitted_weight() -> None:
    assert list(COEFFICIENTS) == list(FEATURES)  # refit with bench/calibrate_local.py --write after a change


def test_confidence_is_calibrated_on_the_invoices_the_repository_ships(datasets: Path) -> None:
    report = evaluate(datasets / "invoice2data", engine="local")
    assert report.calibration is not None and report.calibration.ece is not None
    # Values given 0.9 come out right about nine times in ten (before, every value got 0.5-0.8 and ECE was 0.2).
    assert report.calibration.ece < 0.1


def test_the_fitting_script_rewrites_exactly_the_coefficients() -> None:
    import sys
    from types import SimpleNamespace

    import numpy as np

    from core.extraction.local.confidence import INTERCEPT

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import calibrate_local

    text = calibrate_local.MODEL.read_text(encoding="utf-8")
    fitted = SimpleNamespace(intercept_=np.array([INTERCEPT]), coef_=np.array([[COEFFICIENTS[f] for f in FEATURES]]))
    block = calibrate_local.coefficients_block(fitted)
    # Writing the coefficients in place back changes nothing: --write replaces that block and only it.
    assert calibrate_local.BLOCK.sub(lambda _: block, text, count=1) == text
