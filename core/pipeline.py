"""The processing pipeline: store the document, load it (OCR once, cached), choose the engine, extract, log.

``process`` is what the app, the notebooks, the CLI and the benchmarks call for one document; every run,
failed or not, ends up in the processing log (``store.runs``) with its source, workflow version, engine,
pages, timings, token usage and result.
"""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from core.config import Settings, get_settings
from core.documents import Document, Source, read_source
from core.errors import ExtractionError, FieldbenchError, LLMError, NotFoundError
from core.extraction import choose_engine
from core.extraction.base import Engine
from core.results import ExtractionResult, OcrPage, TokenUsage
from core.schema import Workflow
from core.store import Store
from core.store.runs import RUN_SOURCES, RunRecord

__all__ = [
    "Progress",
    "process",
    "process_document",
    "reprocess",
    "is_draft",
    "detect_source",
    "llm_cost",
    "usage_cost",
]

Progress = Callable[[str, float], None]
"""Called with a stage (``loading``, ``extracting``, ``saving``, ``done``) and the fraction done (0-1)."""


def detect_source() -> str:
    """Who is calling, when the caller did not say: ``notebook`` in a Jupyter kernel, ``test`` under pytest,
    else ``api`` (a script using the library). The app and the CLI pass theirs explicitly."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None and getattr(shell, "kernel", None) is not None:  # a running Jupyter kernel, not an import
        return "notebook"
    if "pytest" in sys.modules:
        return "test"
    return "api"


def llm_cost(result: ExtractionResult, settings: Settings) -> float | None:
    """Estimated USD of a run's LLM tokens at the configured prices; None when no LLM ran.

    >>> from core.results import TokenUsage
    >>> r = ExtractionResult(workflow_id="w", workflow_name="W", engine="llm",
    ...     usage=TokenUsage(prompt_tokens=2000, completion_tokens=500))
    >>> s = Settings(home=Path("/tmp"), llm_price_per_1k_prompt=0.5, llm_price_per_1k_completion=2.0)
    >>> llm_cost(r, s)
    2.0
    """
    if result.engine != "llm":
        return None
    return usage_cost(result.usage or TokenUsage(), settings)


def usage_cost(usage: TokenUsage, settings: Settings) -> float:
    """Estimated USD of some LLM tokens at the configured prices (a failed run's tokens cost the same)."""
    return round(
        usage.prompt_tokens / 1000 * settings.llm_price_per_1k_prompt
        + usage.completion_tokens / 1000 * settings.llm_price_per_1k_completion,
        6,
    )


def is_draft(store: Store, workflow: Workflow) -> bool:
    """Whether ``workflow`` holds unsaved edits of its version: its fields or document specification differ from
    those saved as ``workflow.version``. A workflow the store does not hold (a schema file given to the command
    line) is a draft of nothing.

    >>> from core.schema import Field
    >>> store = Store.open_memory()
    >>> saved = store.workflows.create(Workflow(name="w", fields=[Field(name="total")]))
    >>> is_draft(store, saved), is_draft(store, saved.model_copy(update={"fields": [Field(name="date")]}))
    (False, True)
    """
    try:
        stored = store.workflows.get(workflow.id, workflow.version)
    except NotFoundError:
        return False
    as_saved = [f.model_dump(mode="json") for f in stored.fields], stored.spec
    return as_saved != ([f.model_dump(mode="json") for f in workflow.fields], workflow.spec)


def _ocr_pages(document: Document) -> list[OcrPage]:
    return [
        OcrPage(number=p.number, width=p.width, height=p.height, source=p.source, text=p.text) for p in document.pages
    ]


def _record(
    store: Store, workflow: Workflow, *, processing_id: str, document_id: str, name: str, source: str, engine: str
) -> RunRecord:
    """The run as it is logged if it fails before a result exists."""
    return RunRecord(
        id=processing_id,
        workflow_id=workflow.id,
        workflow_version=workflow.version,
        workflow_draft=is_draft(store, workflow),
        workflow_name=workflow.name,
        document_id=document_id,
        document_name=name,
        source=source,  # checked against RUN_SOURCES by the caller
        engine=engine,
        status="error",
        created_at=datetime.now(timezone.utc),
    )


def _extract(engine: Engine, document: Document, workflow: Workflow) -> ExtractionResult:
    """The engine's result; an engine's own bug still ends as one line (and the run is logged)."""
    try:
        return engine.extract(document, workflow)
    except FieldbenchError:
        raise
    except Exception as exc:  # noqa: BLE001 - an engine bug must still be logged and shown as one line
        raise ExtractionError(f"the {engine.name} engine failed: {exc.__class__.__name__}: {exc}") from exc


def _stamped(
    result: ExtractionResult, record: RunRecord, document: Document, reason: str, timings: dict[str, float]
) -> ExtractionResult:
    """The engine's result with the run's identity, workflow, document, engine choice, OCR and timings."""
    return result.model_copy(
        update={
            "processing_id": record.id,
            "workflow_id": record.workflow_id,
            "workflow_name": record.workflow_name,
            "workflow_version": record.workflow_version,
            "workflow_draft": record.workflow_draft,
            "document_id": document.id,
            "document_name": record.document_name,
            "engine": record.engine,
            # Why this engine, then what the engine says of its own answer (which fields a model trained).
            "engine_reason": f"{reason}; {result.engine_reason}" if result.engine_reason else reason,
            "ocr": result.ocr or _ocr_pages(document),
            "timings": {**result.timings, **{k: round(v, 6) for k, v in timings.items()}},
            "created_at": record.created_at,
        }
    )


def _log_failure(store: Store, record: RunRecord, exc: FieldbenchError, seconds: float, settings: Settings) -> None:
    """Log a failed run, with the tokens an LLM spent on it and their cost."""
    record.seconds = seconds
    record.error = str(exc)
    if isinstance(exc, LLMError):
        record.prompt_tokens, record.completion_tokens = exc.prompt_tokens, exc.completion_tokens
        usage = TokenUsage(prompt_tokens=exc.prompt_tokens, completion_tokens=exc.completion_tokens)
        record.llm_cost = usage_cost(usage, settings)
    store.runs.add(record)


def _run(
    store: Store,
    workflow: Workflow,
    load: Callable[[Callable[[int, int], None]], Document],
    *,
    document_id: str,
    name: str,
    engine: str,
    source: str | None,
    model_dir: Path | str | None,
    progress: Progress | None,
    settings: Settings,
) -> ExtractionResult:
    source = source or detect_source()
    if source not in RUN_SOURCES:
        raise FieldbenchError(f"unknown run source {source!r}", hint=f"Use one of: {', '.join(RUN_SOURCES)}.")
    start = time.perf_counter()
    timings: dict[str, float] = {}
    record = _record(
        store,
        workflow,
        processing_id=str(uuid.uuid4()),
        document_id=document_id,
        name=name,
        source=source,
        engine=engine,
    )

    def step(stage: str, fraction: float) -> None:
        if progress is not None:
            progress(stage, fraction)

    try:
        step("choosing engine", 0.0)
        if model_dir is None and engine in ("auto", "trained"):
            model_dir = store.models.active_path(workflow.id)  # the workflow's active trained version, if any
        chosen, reason = choose_engine(workflow, requested=engine, settings=settings, model_dir=model_dir)
        record.engine, record.engine_reason = chosen.name, reason
        step("loading", 0.05)
        t0 = time.perf_counter()
        document = load(lambda done, total: step(f"reading page {done} of {total}", 0.05 + 0.45 * done / total))
        timings["load"] = record.load_seconds = time.perf_counter() - t0
        record.document_id, record.pages = document.id, len(document.pages)
        step("extracting", 0.5)
        t0 = time.perf_counter()
        try:
            result = _extract(chosen, document, workflow)
        finally:
            timings["extract"] = record.extract_seconds = time.perf_counter() - t0
        step("saving", 0.95)
        timings["total"] = time.perf_counter() - start
        result = _stamped(result, record, document, reason, timings)
    except FieldbenchError as exc:
        _log_failure(store, record, exc, time.perf_counter() - start, settings)
        raise
    store.runs.add(
        RunRecord.from_result(
            result, source=record.source, pages=len(document.pages), llm_cost=llm_cost(result, settings)
        )
    )
    step("done", 1.0)
    return result


def process(
    store: Store,
    data_or_path: Source,
    workflow: Workflow,
    *,
    engine: str = "auto",
    source: str | None = None,
    name: str | None = None,
    password: str | None = None,
    model_dir: Path | str | None = None,
    progress: Progress | None = None,
    settings: Settings | None = None,
) -> ExtractionResult:
    """Process one document: add it to the store, load it (OCR cached), extract with the chosen engine, log.

    Args:
        store: the store the document and the run go to.
        data_or_path: the document's bytes, or a path to it.
        workflow: the workflow (a saved version or an unsaved draft; the run records ``workflow.version``).
        engine: ``auto`` (trained model, else LLM when configured, else local), or ``local``, ``llm``,
            ``trained``.
        source: who asks: ``app``, ``notebook``, ``cli``, ``api``, ``bench`` or ``test``; default detected.
        name: display name; default the file name (never used as a path).
        password: the password of an encrypted PDF.
        model_dir: a trained model's folder (for ``trained``).
        progress: called with ``(stage, fraction)`` as the run goes.
        settings: default from the environment.

    Returns:
        The result, with processing id, workflow, document, engine, reason, timings and OCR filled in.

    Raises:
        FieldbenchError: the document cannot be read, the engine is unavailable or fails (the failed run is
            logged with status ``error`` first).
    """
    settings = settings or get_settings()
    data, display_name = read_source(data_or_path, name, settings=settings)

    def load(pages_progress: Callable[[int, int], None]) -> Document:
        # Read first, store after: a file that cannot be read is not kept.
        return store.documents.add_and_load(
            data, display_name, workflow.spec, password, pages_progress, settings=settings
        )

    return _run(
        store,
        workflow,
        load,
        document_id="",
        name=display_name,
        engine=engine,
        source=source,
        model_dir=model_dir,
        progress=progress,
        settings=settings,
    )


def process_document(
    store: Store,
    document_id: str,
    workflow: Workflow,
    *,
    engine: str = "auto",
    source: str | None = None,
    name: str | None = None,
    password: str | None = None,
    model_dir: Path | str | None = None,
    progress: Progress | None = None,
    settings: Settings | None = None,
) -> ExtractionResult:
    """Re-run extraction on a document already in the store (its OCR comes from the cache).

    Args and Returns as ``process``; ``document_id`` is the document's SHA-256.

    Raises:
        NotFoundError: no such document in the store.
    """
    settings = settings or get_settings()
    display_name = name or _stored_name(store, document_id)

    def load(pages_progress: Callable[[int, int], None]) -> Document:
        return store.documents.load(document_id, workflow.spec, password, pages_progress, settings=settings)

    return _run(
        store,
        workflow,
        load,
        document_id=document_id,
        name=display_name,
        engine=engine,
        source=source,
        model_dir=model_dir,
        progress=progress,
        settings=settings,
    )


def reprocess(
    store: Store,
    processing_id: str,
    *,
    engine: str = "auto",
    source: str | None = None,
    password: str | None = None,
    progress: Progress | None = None,
    settings: Settings | None = None,
) -> ExtractionResult:
    """Process the document of a logged run again, with its workflow as saved now (its latest version; ``auto``
    takes the workflow's active trained model when there is one). The earlier run stays in the log.

    Args:
        store: the store holding the run, its document and its workflow.
        processing_id: the run to repeat.
        engine, source, password, progress, settings: as ``process``.

    Returns:
        The new result (compare it with ``store.runs.get(processing_id).result`` by ``core.comparison.diff``).

    Raises:
        NotFoundError: no such run, or its workflow was deleted since.
        FieldbenchError: the run failed before its document was read, so there is nothing to process again.
    """
    run = store.runs.get(processing_id)
    if not run.document_id:
        raise FieldbenchError(
            f"run {processing_id} has no stored document: it failed before the document was read",
            hint="Upload the document again",
        )
    workflow = store.workflows.get(run.workflow_id)
    return process_document(
        store,
        run.document_id,
        workflow,
        engine=engine,
        source=source,
        name=run.document_name,
        password=password,
        progress=progress,
        settings=settings,
    )


def _stored_name(store: Store, document_id: str) -> str:
    return store.documents.get(document_id).name or document_id[:12]
