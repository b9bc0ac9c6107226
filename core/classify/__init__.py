"""Document classifiers: labels and samples, features and model (skops), training, classifying and routing.

Modules: ``data`` (samples, folders, how many are needed), ``model`` (features, the scikit-learn pipeline),
``storage`` (saving and loading, bounded and validated), ``training`` (stored classifiers and folders),
``routing`` (classify, then extract).
"""

from core.classify.data import DataCheck, FolderImport, add_samples, check_counts, data_check, import_folder
from core.classify.model import ClassifierModel, ClassMetrics, TrainingReport, fit, parse_pages
from core.classify.routing import (
    REVIEW_THRESHOLD,
    Classification,
    RoutedResult,
    classify,
    classify_and_extract,
    classify_file,
    load_classifier_model,
    result_row,
)
from core.classify.storage import ModelSidecar, load_model, save_model
from core.classify.training import train, train_folder
from core.store.classifiers import Classifier

__all__ = [
    "REVIEW_THRESHOLD",
    "Classification",
    "Classifier",
    "ClassifierModel",
    "ClassMetrics",
    "DataCheck",
    "FolderImport",
    "ModelSidecar",
    "RoutedResult",
    "TrainingReport",
    "add_samples",
    "check_counts",
    "classify",
    "classify_and_extract",
    "classify_file",
    "data_check",
    "fit",
    "import_folder",
    "load_classifier_model",
    "load_model",
    "parse_pages",
    "result_row",
    "save_model",
    "train",
    "train_folder",
]
