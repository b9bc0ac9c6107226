"""The trained engine: a workflow's own scikit-learn model, once one has been trained and activated.

Training is a later stage of the project; until a model file exists this engine says honestly that it is not
available (and ``auto`` never picks it). It never pretends to extract.
"""

from __future__ import annotations

from pathlib import Path

from core.config import Settings, get_settings
from core.documents import Document
from core.errors import EngineUnavailableError
from core.extraction.base import Availability
from core.results import ExtractionResult
from core.schema import Workflow

__all__ = ["MODEL_FILE", "TrainedEngine", "active_model_dir"]

MODEL_FILE = "model.skops"
"""The file a trained model is saved in (skops: loading it does not execute code)."""


def active_model_dir(workflow_id: str, settings: Settings | None = None) -> Path:
    """Where the active trained model of a workflow lives: ``<models_dir>/<workflow_id>/active``.

    >>> active_model_dir("w1", Settings(home=Path("/data"))).as_posix()
    '/data/models/w1/active'
    """
    settings = settings or get_settings()
    return settings.models_dir / workflow_id / "active"


class TrainedEngine:
    """A workflow's trained model in ``model_dir``.

    Args:
        model_dir: the folder holding the model file (``model.skops``); None means no model.
    """

    name = "trained"

    def __init__(self, model_dir: Path | str | None) -> None:
        self.model_dir = Path(model_dir) if model_dir is not None else None

    def is_available(self) -> Availability:
        """Available only when a model file exists in ``model_dir``."""
        if self.model_dir is None:
            return Availability(False, "no trained model: train and activate one for this workflow first")
        model_file = self.model_dir / MODEL_FILE
        if not model_file.is_file():
            return Availability(False, f"no trained model at {self.model_dir} (missing {MODEL_FILE})")
        # Training and loading models arrive with the training stage; until then a model file is not enough.
        return Availability(False, f"found {model_file}, but this Fieldbench cannot load trained models yet")

    def extract(self, document: Document, workflow: Workflow) -> ExtractionResult:
        """Raise: there is no trained model this engine can apply yet.

        Raises:
            EngineUnavailableError: always until the training stage provides models.
        """
        availability = self.is_available()
        raise EngineUnavailableError(self.name, availability.reason)
