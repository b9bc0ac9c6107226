"""Saving and loading trained extraction models: skops (no code runs on load, only listed types are accepted)
for the learned arrays, and a JSON sidecar, validated on load, for what the model is: format and version,
the workflow's fields, the plan per field, the training-data summary and the library versions.

A model folder is written aside and renamed into place; the folder it replaces is kept as ``<name>.previous``.
"""

from __future__ import annotations

import json
import platform
import shutil
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import scipy
import sklearn
import skops
import skops.io as sio
from pydantic import BaseModel, ValidationError
from pydantic import Field as PydField

from core.config import Settings, get_settings
from core.errors import TrainingError
from core.schema import Field, Workflow
from core.store.files import TOO_LARGE_HINT, archive_problem, replace_dir, staging_dir
from core.training.calibration import Calibrator
from core.training.examples import TrainingDataSummary
from core.training.features import HASH_FEATURES
from core.training.layout_memory import Anchors, LayoutMemory, MemoryEntry
from core.training.model import FieldPlan, TrainedExtractor
from core.training.scorer import FieldScorer

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MODEL_FILE",
    "CARD_FILE",
    "TRUSTED_TYPES",
    "ModelCard",
    "save_model",
    "load_model",
    "read_card",
    "fields_signature",
    "file_types",
]

FORMAT = "fieldbench-extractor"
FORMAT_VERSION = 1
MODEL_FILE = "model.skops"
CARD_FILE = "model.json"
TRUSTED_TYPES: frozenset[str] = frozenset(
    {"builtins.dict", "builtins.list", "builtins.str", "builtins.int", "builtins.float", "numpy.ndarray"}
)
"""Every type our model files hold: plain containers, strings, numbers and arrays. A file with any other type
(an estimator, a function, a pickled object), even one skops would trust by default, is refused unread."""


class ModelCard(BaseModel):
    """The JSON sidecar of a saved model."""

    format: str = FORMAT
    format_version: int = FORMAT_VERSION
    version: int = PydField(default=1, description="The model's version in its workflow's history.")
    workflow_id: str
    workflow_name: str
    fields: list[Field]
    plans: dict[str, FieldPlan]
    summary: TrainingDataSummary
    hash_features: int = HASH_FEATURES
    fit_seconds: float = 0.0
    trained_at: datetime = PydField(default_factory=lambda: datetime.now(timezone.utc))
    libraries: dict[str, str] = PydField(default_factory=dict)
    evaluation: dict[str, Any] | None = PydField(default=None, description="A held-out evaluation, if run.")


def fields_signature(fields: list[Field]) -> list[tuple[str, str]]:
    """Names and types of fields and their sub-fields, the part a model depends on.

    >>> fields_signature([Field(name="total", type="number")])
    [('total', 'number')]
    """
    out: list[tuple[str, str]] = []
    for f in fields:
        element = f.items.type if f.type == "array" and f.items is not None else ""
        out.append((f.name, f"{f.type}{'/' + element if element else ''}"))
        out += [(f"{f.name}.{name}", kind) for name, kind in fields_signature(f.sub_fields)]
    return out


def _libraries() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "skops": skops.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
    }


def _state(model: TrainedExtractor) -> dict[str, Any]:
    memory = model.memory_
    entries = [(d, name, e) for d, per_doc in enumerate(memory.entries) for name, e in per_doc.items()]
    return {
        "scorers": {
            name: {"columns": s.columns, "coef": s.coef, "intercept": np.array([s.intercept])}
            for name, s in model.scorers_.items()
        },
        "calibrators": {
            regime: {
                "coef": c.coef_ if c.coef_ is not None else np.zeros(0),
                "intercept": np.array([c.intercept_]),
                "samples": np.array([c.samples_]),
            }
            for regime, c in model.calibrators_.items()
        },
        "item_headers": [{name: dict(labels) for name, labels in per_doc.items()} for per_doc in model.item_headers_],
        "memory": {
            "sizes": np.array([len(a.keys) for a in memory.anchors], dtype=np.int64),
            "keys": np.array([k for a in memory.anchors for k in a.keys], dtype=str),
            "pages": np.concatenate([a.pages for a in memory.anchors] or [np.zeros(0, np.int64)]),
            "cx": np.concatenate([a.cx for a in memory.anchors] or [np.zeros(0)]),
            "cy": np.concatenate([a.cy for a in memory.anchors] or [np.zeros(0)]),
            "entry_doc": np.array([d for d, _, _ in entries], dtype=np.int64),
            "entry_field": np.array([n for _, n, _ in entries], dtype=str),
            "entry_page": np.array([e.page for _, _, e in entries], dtype=np.int64),
            "entry_box": np.array([e.box for _, _, e in entries], dtype=np.float64).reshape(-1, 4),
            "entry_value": np.array([e.value for _, _, e in entries], dtype=str),
        },
    }


def save_model(
    model: TrainedExtractor, directory: str | Path, *, version: int = 1, evaluation: dict[str, Any] | None = None
) -> Path:
    """Write ``model.skops`` and ``model.json`` into ``directory`` (written aside, then renamed into place;
    a model already there is kept as ``<directory>.previous``).

    Raises:
        TrainingError: the model is not fitted, or ``directory`` exists and is not a model folder.
    """
    if not hasattr(model, "scorers_"):
        raise TrainingError("this model is not trained yet", hint="Call fit(examples) before saving it.")
    target = Path(directory)
    if target.exists() and (not target.is_dir() or (any(target.iterdir()) and not (target / CARD_FILE).is_file())):
        raise TrainingError(f"{target} exists and is not a model folder", hint="Choose another --out folder.")
    staging = staging_dir(target)
    try:
        sio.dump(_state(model), staging / MODEL_FILE)
        card = ModelCard(
            version=version,
            workflow_id=model.workflow.id,
            workflow_name=model.workflow.name,
            fields=model.fields_,
            plans=model.plans_,
            summary=model.summary_,
            fit_seconds=round(model.fit_seconds_, 3),
            libraries=_libraries(),
            evaluation=evaluation,
        )
        (staging / CARD_FILE).write_text(card.model_dump_json(indent=2), encoding="utf-8")
        # The new folder takes the old one's place in one step; the old one stays beside it as .previous.
        replace_dir(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def read_card(directory: str | Path) -> ModelCard:
    """The sidecar of a model folder, validated.

    Raises:
        TrainingError: no model here, or its sidecar is not one of ours.
    """
    folder = Path(directory)
    card_file = folder / CARD_FILE
    if not folder.is_dir() or not card_file.is_file() or not (folder / MODEL_FILE).is_file():
        raise TrainingError(
            f"{folder}: no trained model here (needs {MODEL_FILE} and {CARD_FILE})",
            hint="Train one with `fieldbench train DATASET --out DIR`.",
        )
    try:
        raw = json.loads(card_file.read_text(encoding="utf-8"))
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            got = raw.get("format") if isinstance(raw, dict) else type(raw).__name__
            raise TrainingError(f"{card_file}: not a Fieldbench extraction model (format {got!r})")
        card = ModelCard.model_validate(raw)
    except TrainingError:
        raise
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValidationError) as exc:
        first = str(exc).splitlines()[0]
        raise TrainingError(f"{card_file}: the model description is damaged ({first})", hint="Train it again.") from exc
    if card.format_version > FORMAT_VERSION:
        raise TrainingError(
            f"{folder}: model format {card.format_version} is newer than this Fieldbench reads ({FORMAT_VERSION})",
            hint="Upgrade Fieldbench.",
        )
    return card


def _types(node: Any, out: set[str]) -> None:
    if isinstance(node, dict):
        if "__class__" in node and "__module__" in node:
            out.add(f"{node['__module__']}.{node['__class__']}")
        for value in node.values():
            _types(value, out)
    elif isinstance(node, list):
        for value in node:
            _types(value, out)


def file_types(path: Path) -> set[str]:
    """Every ``module.class`` a skops file's schema names, read without loading anything from it."""
    with zipfile.ZipFile(path) as archive:
        schema = json.loads(archive.read("schema.json"))
    out: set[str] = set()
    _types(schema, out)
    return out


def _memory(state: dict[str, Any]) -> LayoutMemory:
    sizes = np.asarray(state["sizes"], dtype=np.int64)
    bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    keys = [str(k) for k in state["keys"]]
    anchors = [
        Anchors(keys[a:b], np.asarray(state["pages"][a:b], np.int64), state["cx"][a:b], state["cy"][a:b])
        for a, b in zip(bounds[:-1], bounds[1:], strict=True)
    ]
    entries: list[dict[str, MemoryEntry]] = [{} for _ in anchors]
    for d, name, page, box, value in zip(
        state["entry_doc"],
        state["entry_field"],
        state["entry_page"],
        state["entry_box"],
        state["entry_value"],
        strict=True,
    ):
        entries[int(d)][str(name)] = MemoryEntry(
            int(page), (float(box[0]), float(box[1]), float(box[2]), float(box[3])), str(value)
        )
    return LayoutMemory(anchors, entries)


def _check_archive(model_file: Path, settings: Settings) -> None:
    """Refuse a model file that is not an archive, or would unpack to more than ``settings.max_model_mb``."""
    problem = archive_problem(model_file, settings.max_model_mb)
    if problem is not None:
        hint = TOO_LARGE_HINT if "unpacks to" in problem else "Train the model again."
        raise TrainingError(f"{problem}; it was not loaded", hint=hint)


def load_model(directory: str | Path, *, settings: Settings | None = None) -> TrainedExtractor:
    """Load a model saved by ``save_model``; only ``TRUSTED_TYPES`` may appear in its file.

    Raises:
        TrainingError: the folder is not a model of ours, a file is damaged, or it holds unexpected types.
    """
    folder = Path(directory)
    card = read_card(folder)
    model_file = folder / MODEL_FILE
    _check_archive(model_file, settings or get_settings())
    try:
        unexpected = sorted(file_types(model_file) - TRUSTED_TYPES)
        if unexpected:
            raise TrainingError(f"{model_file} holds unexpected types and was not loaded: {', '.join(unexpected)}")
        state = sio.load(model_file, trusted=[])
        workflow = Workflow(id=card.workflow_id, name=card.workflow_name, fields=card.fields)
        model = TrainedExtractor(workflow)
        model.scorers_ = {
            name: FieldScorer(
                np.asarray(s["columns"], np.int64), np.asarray(s["coef"], np.float64), float(s["intercept"][0])
            )
            for name, s in state["scorers"].items()
        }
        calibrators = {}
        for regime, c in state["calibrators"].items():
            cal = Calibrator()
            cal.coef_ = np.asarray(c["coef"], np.float64) if np.asarray(c["coef"]).size else None
            cal.intercept_, cal.samples_ = float(c["intercept"][0]), int(c["samples"][0])
            calibrators[regime] = cal
        model.calibrators_ = calibrators
        model.memory_ = _memory(state["memory"])
        model.item_headers_ = [
            {str(name): {str(k): str(v) for k, v in labels.items()} for name, labels in per_doc.items()}
            for per_doc in state.get("item_headers", [])
        ] or [{} for _ in model.memory_.anchors]
    except TrainingError:
        raise
    except Exception as exc:  # noqa: BLE001 - any damage to the file is reported the same way
        raise TrainingError(
            f"{folder}: the trained model is damaged ({exc.__class__.__name__}: {exc})", hint="Train it again."
        ) from exc
    if set(model.scorers_) - set(card.plans):
        raise TrainingError(f"{folder}: the model file and its description disagree", hint="Train it again.")
    model.plans_ = card.plans
    model.summary_ = card.summary
    model.fields_ = card.fields
    model.fit_seconds_ = card.fit_seconds
    model.oof_ = []
    return model
