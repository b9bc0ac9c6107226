"""The trained engine: a workflow's own model (``core.training``), once one has been trained.

It answers every field in the local engine's result shape; fields the model did not learn, or on which it
did not beat the local engine out of fold, come from the local engine and say so in an insight. Loaded models
are kept per folder until the folder changes (a new model renamed into place).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from core.documents import Document
from core.errors import EngineUnavailableError, FieldbenchError, TrainingError
from core.extraction.base import Availability
from core.results import ExtractionResult
from core.schema import Workflow

if TYPE_CHECKING:
    from core.training.model import TrainedExtractor

__all__ = ["MODEL_FILE", "TrainedEngine"]

MODEL_FILE = "model.skops"
"""The file a trained model is saved in (skops: loading it does not execute code)."""
_LOADED: dict[tuple[str, int], TrainedExtractor] = {}
_LOCK = threading.Lock()
_KEEP = 4
"""Loaded models kept in memory (one per workflow the app is serving at once)."""


def _load(folder: Path) -> TrainedExtractor:
    # core.training pulls in scikit-learn and skops: imported only when a trained model is really used, so
    # that choosing the local engine (every `fieldbench extract`) stays fast.
    from core.training.persistence import CARD_FILE, load_model

    key = (str(folder.resolve()), (folder / CARD_FILE).stat().st_mtime_ns)
    with _LOCK:
        model = _LOADED.get(key)
    if model is None:
        model = load_model(folder)
        with _LOCK:
            _LOADED[key] = model
            while len(_LOADED) > _KEEP:
                _LOADED.pop(next(iter(_LOADED)))
    return model


class TrainedEngine:
    """A workflow's trained model in ``model_dir``.

    Args:
        model_dir: the folder holding the model (``model.skops`` and ``model.json``); None means no model.
    """

    name = "trained"

    def __init__(self, model_dir: Path | str | None) -> None:
        self.model_dir = Path(model_dir) if model_dir is not None else None

    def is_available(self) -> Availability:
        """Available when a valid model is in ``model_dir``; otherwise why not."""
        if self.model_dir is None:
            return Availability(False, "no trained model: train and activate one for this workflow first")
        if not (self.model_dir / MODEL_FILE).is_file():
            return Availability(False, f"no trained model at {self.model_dir} (missing {MODEL_FILE})")
        try:
            model = _load(self.model_dir)
        except (FieldbenchError, OSError) as exc:
            return Availability(False, str(exc))
        trained = model.trained_fields
        return Availability(True, f"model at {self.model_dir}, trained fields: {', '.join(trained) or 'none'}")

    def model(self) -> TrainedExtractor:
        """The loaded model.

        Raises:
            EngineUnavailableError: there is no valid model in ``model_dir``.
        """
        ok, reason = self.is_available()
        if not ok or self.model_dir is None:
            raise EngineUnavailableError(self.name, reason)
        return _load(self.model_dir)

    def fits(self, workflow: Workflow) -> Availability:
        """Whether the model was trained for the workflow's fields as they are (names and types, in order)."""
        from core.training.persistence import fields_signature  # see _load: scikit-learn only when used

        model = self.model()
        wanted, known = fields_signature(workflow.fields), fields_signature(model.fields_)
        if wanted == known:
            return Availability(True, "trained for these fields")
        missing = [f"{n} ({t})" for n, t in wanted if (n, t) not in known]
        extra = [f"{n} ({t})" for n, t in known if (n, t) not in wanted]
        parts = [
            f"not in the model: {', '.join(missing)}" if missing else "",
            f"only in the model: {', '.join(extra)}" if extra else "",
        ]
        detail = "; ".join(p for p in parts if p) or "the fields are in another order"
        return Availability(False, f"the trained model at {self.model_dir} was trained for other fields ({detail})")

    def extract(self, document: Document, workflow: Workflow) -> ExtractionResult:
        """Extract with the model; the workflow must have the fields (names and types) it was trained on.

        Raises:
            EngineUnavailableError: no valid model.
            TrainingError: the model was trained for other fields.
        """
        from core.training.predict import extract_with  # see _load: scikit-learn only when used

        fits, reason = self.fits(workflow)
        if not fits:
            raise TrainingError(reason, hint="Train a new model for this version of the workflow.")
        return extract_with(self.model(), document, workflow=workflow)
