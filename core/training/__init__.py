"""Training a workflow's own extraction model: annotated documents in, a calibrated model out, evaluated by
document and by template and compared with the previous version.

Modules: ``examples`` (the training data shape), ``features`` (per-document work, done once),
``layout_memory`` (nearest annotated documents of a layout), ``scorer`` (the per-field candidate scorer),
``calibration`` (Platt scaling, ECE), ``folds`` (splits), ``crossfit`` (out-of-fold predictions), ``model``
(``TrainedExtractor``), ``predict`` (its result), ``persistence`` (save and load), ``evaluation`` (held-out
scores), ``comparison`` (two versions).
"""

from core.training.examples import TrainingDataSummary, TrainingExample, ValueBox, examples_from_dataset
from core.training.model import FieldPlan, TrainedExtractor
from core.training.persistence import ModelCard, load_model, read_card, save_model
from core.training.predict import extract_with

__all__ = [
    "FieldPlan",
    "ModelCard",
    "TrainedExtractor",
    "TrainingDataSummary",
    "TrainingExample",
    "ValueBox",
    "examples_from_dataset",
    "extract_with",
    "load_model",
    "read_card",
    "save_model",
]
