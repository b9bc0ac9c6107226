"""Extraction engines (local, llm, trained) behind one protocol, and the choice between them.

``choose_engine(workflow)`` picks as the product promises: an active trained model of the workflow, else the
LLM when one is configured, else the offline local engine, and says why. Engines are imported lazily: the LLM
stack (instructor, openai) is heavy and only needed when it runs.

>>> from core.schema import Workflow
>>> engine, reason = choose_engine(Workflow(name="w"), settings=Settings(home=Path("/tmp/fb-doc")))
>>> engine.name, reason.split(":")[0]
('local', 'local')
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from core.config import Settings, get_settings
from core.errors import EngineUnavailableError, FieldbenchError
from core.extraction.base import ENGINE_CHOICES, ENGINE_NAMES, Availability, Engine, EngineName

if TYPE_CHECKING:
    from core.schema import Workflow

__all__ = [
    "Availability",
    "Engine",
    "ENGINE_CHOICES",
    "ENGINE_NAMES",
    "EngineName",
    "get_engine",
    "choose_engine",
    "engine_options",
]


def _build(name: str, settings: Settings, model_dir: Path | None) -> Engine:
    # Each engine is imported when it is built: the engine names (argparse choices, pickers) come without the
    # local engine's vocabularies, the LLM stack (openai, instructor) or the trained model's.
    if name == "local":
        from core.extraction.local.engine import LocalEngine  # lazy: see above

        return LocalEngine()
    if name == "llm":
        from core.extraction.llm import LLMEngine  # lazy: see above

        return LLMEngine(settings=settings)
    if name == "trained":
        from core.extraction.trained import TrainedEngine  # lazy: see above

        return TrainedEngine(model_dir)
    raise FieldbenchError(f"unknown engine {name!r}", hint=f"Use one of: auto, {', '.join(ENGINE_NAMES)}.")


def _trained_dir(model_dir: Path | str | None) -> Path | None:
    # The workflow's active version is recorded in the store, which no engine reads: the pipeline looks it up
    # and passes its folder here (``store.models.active_path``).
    return Path(model_dir) if model_dir is not None else None


def get_engine(
    name: str,
    *,
    settings: Settings | None = None,
    model_dir: Path | str | None = None,
    workflow: Workflow | None = None,
) -> Engine:
    """The engine called ``name``, checked to be available.

    Args:
        name: ``local``, ``llm`` or ``trained``.
        settings: the settings (LLM endpoint, models directory); default from the environment.
        model_dir: the trained model's folder (``trained`` only): the workflow's active version's, which the
            pipeline finds in the store, or one given by the user.
        workflow: unused by the choice itself; kept so every caller names the workflow it extracts.

    Returns:
        The engine.

    Raises:
        EngineUnavailableError: the engine cannot run here, with the reason (no LLM configured, no model).
        FieldbenchError: ``name`` is not an engine.
    """
    settings = settings or get_settings()
    engine = _build(name, settings, _trained_dir(model_dir) if name == "trained" else None)
    availability = engine.is_available()
    if not availability.ok:
        raise EngineUnavailableError(name, availability.reason)
    return engine


def _llm_availability(settings: Settings) -> Availability:
    # Cheap check first: importing the LLM stack just to learn it is not configured would slow every run.
    if not settings.llm_configured:
        return Availability(False, "no LLM configured (set FIELDBENCH_LLM_MODEL and OPENAI_BASE_URL or OPENAI_API_KEY)")
    return _build("llm", settings, None).is_available()


def engine_options(
    workflow: Workflow | None = None,
    *,
    settings: Settings | None = None,
    model_dir: Path | str | None = None,
) -> dict[str, Availability]:
    """Which engines can run here and why (not), e.g. to enable or explain them in a picker.

    Returns:
        Every choice of ``ENGINE_CHOICES`` in its order: ``{"auto": Availability, "local": ..., "llm": ...,
        "trained": ...}``; ``auto`` can run when the local engine can (it is auto's last resort).
    """
    settings = settings or get_settings()
    local = _build("local", settings, None).is_available()
    return {
        "auto": Availability(local.ok, "a trained model, else the LLM, else local" if local.ok else local.reason),
        "local": local,
        "llm": _llm_availability(settings),
        "trained": _build("trained", settings, _trained_dir(model_dir)).is_available(),
    }


def choose_engine(
    workflow: Workflow,
    *,
    requested: str = "auto",
    settings: Settings | None = None,
    model_dir: Path | str | None = None,
) -> tuple[Engine, str]:
    """The engine to run for ``workflow`` and why.

    ``auto``: the workflow's active trained model, else the LLM when configured, else the local engine.
    A named engine must be available.

    Args:
        workflow: the workflow to extract.
        requested: ``auto``, ``local``, ``llm`` or ``trained``.
        settings: the settings; default from the environment.
        model_dir: a trained model's folder (instead of the workflow's active model).

    Returns:
        ``(engine, reason)``, the reason like ``"llm: FIELDBENCH_LLM_MODEL=gpt-4o configured; no trained
        model active"``.

    Raises:
        EngineUnavailableError: a named engine cannot run here.
    """
    settings = settings or get_settings()
    if requested != "auto":
        engine = get_engine(requested, settings=settings, model_dir=model_dir, workflow=workflow)
        return engine, f"{requested}: requested explicitly"

    from core.extraction.trained import TrainedEngine  # lazy: as the engines in _build

    trained = TrainedEngine(_trained_dir(model_dir))
    trained_ok, trained_reason = trained.is_available()
    if trained_ok:
        fits, why = trained.fits(workflow)
        if fits:
            return trained, f"trained: active trained model of workflow {workflow.name!r}"
        trained_reason = why

    llm_ok, llm_reason = _llm_availability(settings)
    if llm_ok:
        engine = _build("llm", settings, None)
        return engine, f"llm: FIELDBENCH_LLM_MODEL={settings.llm_model} configured; {_no_model(trained_reason)}"

    local = _build("local", settings, None)
    local_ok, local_reason = local.is_available()
    if not local_ok:
        raise EngineUnavailableError("local", local_reason)
    return local, f"local: offline default; {llm_reason}; {_no_model(trained_reason)}"


def _no_model(reason: str) -> str:
    """Why no trained model answers: none is active, or the active one does not fit the workflow now."""
    return reason if "other fields" in reason else "no trained model active"
