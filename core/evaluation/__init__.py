"""Evaluation: datasets in the pre-annotated format, the scoring rules per field, reports over a dataset.

Modules: ``datasets`` (reading a dataset folder), ``scoring`` (one document's counts by the datasets' rules),
``report`` (a dataset through the pipeline: per field, micro-F1, line items), ``calibration`` (confidence bins
and the expected calibration error).
"""

from core.evaluation.calibration import Calibration, CalibrationBin, calibration, expected_calibration_error
from core.evaluation.datasets import Dataset, DatasetDocument, expected_values, load_dataset
from core.evaluation.report import DocumentScore, EvaluationReport, FieldScore, evaluate, format_report, summarize
from core.evaluation.scoring import FieldCounts, pair_items, score, values_match

__all__ = [
    "Calibration",
    "CalibrationBin",
    "calibration",
    "expected_calibration_error",
    "Dataset",
    "DatasetDocument",
    "DocumentScore",
    "EvaluationReport",
    "FieldCounts",
    "FieldScore",
    "evaluate",
    "expected_values",
    "format_report",
    "load_dataset",
    "pair_items",
    "score",
    "summarize",
    "values_match",
]
