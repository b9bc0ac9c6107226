"""Saving and loading classifier models: the pipeline with skops (no code runs on load, only trusted types)
next to a JSON sidecar validated by ``ModelSidecar``, the archive's unpacked size bounded before it is read,
and a folder replaced atomically with its previous version kept (``core.store.files.replace_dir``).
"""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

import sklearn
import skops
import skops.io as sio
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sklearn.pipeline import Pipeline

from core.classify.model import ClassifierModel, TrainingReport
from core.config import Settings, get_settings
from core.documents import DocumentSpec
from core.documents.formats import read_file
from core.errors import ClassifierError, DocumentError, one_line
from core.store.files import TOO_LARGE_HINT, archive_problem, replace_dir, staging_dir

__all__ = [
    "MODEL_FILE",
    "META_FILE",
    "FORMAT",
    "MAX_SIDECAR_BYTES",
    "TRUSTED_TYPES",
    "ModelSidecar",
    "save_model",
    "load_model",
]

MODEL_FILE = "model.skops"
META_FILE = "model.json"
FORMAT = "fieldbench-classifier"
MAX_SIDECAR_BYTES = 16 * 1024 * 1024
"""Largest ``model.json`` read: its report's confusion matrix for a thousand labels is about 5 MB."""
# Types skops may meet in our own files beyond what it trusts by default; anything else refuses to load.
TRUSTED_TYPES: tuple[str, ...] = (
    "numpy.dtype",
    "numpy.ndarray",
    "numpy.float64",
    "numpy.int64",
    "numpy.str_",
    "builtins.str",
    "scipy.sparse._csr.csr_matrix",
    "collections.defaultdict",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._data.StandardScaler",
)
_RETRAIN = "Train it again."


class ModelSidecar(BaseModel):
    """``model.json``: what a saved classifier is, checked before its model file is opened."""

    model_config = ConfigDict(extra="ignore")

    format: Literal["fieldbench-classifier"]
    format_version: Literal[1] = Field(description="Version of this layout; 1 is the only one so far.")
    name: str = ""
    labels: list[str] = Field(min_length=2, description="The classes, in the pipeline's order.")
    pages: int | None = Field(default=1, ge=1, description="Relevant pages (None: all).")
    spec: DocumentSpec = Field(default_factory=DocumentSpec)
    report: TrainingReport
    sklearn_version: str
    skops_version: str = ""
    saved_at: datetime | None = None


def save_model(model: ClassifierModel, directory: str | Path, *, name: str = "") -> Path:
    """Write ``model.skops`` and ``model.json`` into ``directory``: written aside, then swapped in place.

    A model already in ``directory`` is kept as ``<directory>.previous`` (``core.store.files.replace_dir``).

    Returns:
        The directory.

    Raises:
        ClassifierError: ``directory`` holds something that is not a classifier model.
    """
    target = Path(directory)
    if target.is_dir() and not (target / META_FILE).exists() and any(target.iterdir()):
        raise ClassifierError(f"{target} exists and is not a classifier model folder; choose another")
    staging = staging_dir(target)
    try:
        sio.dump(model.pipeline, staging / MODEL_FILE)
        sidecar = ModelSidecar(
            format=FORMAT,
            format_version=1,
            name=name or model.name,
            labels=model.labels,
            pages=model.pages,
            spec=model.spec,
            report=model.report,
            sklearn_version=sklearn.__version__,
            skops_version=skops.__version__,
            saved_at=datetime.now(timezone.utc),
        )
        (staging / META_FILE).write_text(sidecar.model_dump_json(indent=2), encoding="utf-8")
        replace_dir(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    model.path = target
    return target


def _sidecar(folder: Path) -> ModelSidecar:
    try:
        return ModelSidecar.model_validate_json(read_file(folder / META_FILE, MAX_SIDECAR_BYTES))
    except DocumentError as exc:
        raise _damaged(folder, f"{META_FILE} cannot be read: {exc.message.removeprefix(exc.source + ': ')}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "".join(f".{step}" if isinstance(step, str) else f"[{step}]" for step in first["loc"])
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise _damaged(folder, f"{META_FILE}{where}: {first['msg']}{more}") from None


def _damaged(folder: Path, why: str) -> ClassifierError:
    return ClassifierError(f"{folder}: the classifier model is damaged ({one_line(why)})", hint=_RETRAIN)


def _check_archive(model_file: Path, settings: Settings) -> None:
    problem = archive_problem(model_file, settings.max_model_mb)
    if problem is None:
        return
    if "unpacks to" not in problem:
        raise _damaged(model_file.parent, problem)
    raise ClassifierError(f"{problem}; it was not loaded", hint=TOO_LARGE_HINT)


def load_model(directory: str | Path, *, settings: Settings | None = None) -> ClassifierModel:
    """Load a model saved by ``save_model``: its sidecar validated, its archive's unpacked size bounded
    (``settings.max_model_mb``), only the expected scikit-learn types allowed, and the pipeline checked to
    classify into the sidecar's labels.

    Raises:
        ClassifierError: the folder or a file is missing, damaged, too large, holds unexpected types, or
            does not match its sidecar.
    """
    settings = settings or get_settings()
    folder = Path(directory)
    model_file, meta_file = folder / MODEL_FILE, folder / META_FILE
    if not folder.is_dir() or not model_file.is_file() or not meta_file.is_file():
        raise ClassifierError(
            f"{folder}: no classifier model here (needs {MODEL_FILE} and {META_FILE})",
            hint="Train one with `fieldbench classify train FOLDER --out DIR`.",
        )
    meta = _sidecar(folder)
    _check_archive(model_file, settings)
    try:
        untrusted = sio.get_untrusted_types(file=model_file)
        unexpected = sorted(set(untrusted) - set(TRUSTED_TYPES))
        if unexpected:
            raise ClassifierError(f"{model_file} holds unexpected types and was not loaded: {', '.join(unexpected)}")
        pipeline = sio.load(model_file, trusted=list(untrusted))
        classes = [str(label) for label in pipeline.classes_] if isinstance(pipeline, Pipeline) else None
    except ClassifierError:
        raise
    except Exception as exc:  # noqa: BLE001 - any damage to the files is reported the same way
        raise _damaged(folder, f"{exc.__class__.__name__}: {exc}") from exc
    if classes != meta.labels:
        raise _damaged(folder, f"{MODEL_FILE} does not classify into the labels of {META_FILE}")
    report = meta.report
    if meta.sklearn_version != sklearn.__version__:
        report.warnings.append(
            f"Trained with scikit-learn {meta.sklearn_version}, running {sklearn.__version__}: "
            "retrain if results look off."
        )
    return ClassifierModel(
        pipeline=pipeline,
        labels=list(meta.labels),
        pages=meta.pages,
        spec=meta.spec,
        report=report,
        path=folder,
        name=meta.name,
    )
