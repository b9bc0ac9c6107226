"""The processing result: values with confidence and citations, OCR, and metadata keyed by field paths.

The shape follows the hosted references: top level as in reference 000 (``processing_id``, ``workflow_id``,
``workflow_name``, ``available_results``, ``extractions``, ``ocr``), per-path ``metadata`` as in reference 003
(``line_items[0].description`` with ``ocrConfidence``, ``logprobsConfidence`` and ``citations``).
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from core.schema.fields import split_path

if TYPE_CHECKING:  # results are plain data; only the constructor below reads these
    from core.documents import Document
    from core.schema import Workflow

__all__ = [
    "PageRef",
    "Point",
    "Citation",
    "Insight",
    "FieldMetadata",
    "Extraction",
    "OcrPage",
    "TokenUsage",
    "ExtractionResult",
    "flatten",
    "flatten_values",
    "version_label",
    "nest",
    "citations_of",
    "confidence_of",
    "citation_boxes",
    "field_rows",
    "notes_of",
    "to_csv",
    "results_csv",
    "uncited_values",
    "CSV_COLUMNS",
]


class _Model(BaseModel):
    # camelCase on the wire where the references use it, snake_case in Python; both accepted on input.
    model_config = ConfigDict(populate_by_name=True)


class PageRef(_Model):
    """The page a citation is on: 1-based number and size in points."""

    number: int
    width: float
    height: float


class Point(_Model):
    """A polygon corner in points, origin top-left."""

    x: float
    y: float


class Citation(_Model):
    """Where a value came from: a page, a polygon on it and the text there."""

    page: PageRef
    polygon: list[Point] = Field(description="Corners clockwise from top-left, in points, origin top-left.")
    reference_text: str | None = Field(default=None, alias="referenceText")

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """The polygon's bounding box ``(x0, y0, x1, y1)`` in points (zeros for an empty polygon)."""
        if not self.polygon:
            return (0.0, 0.0, 0.0, 0.0)
        xs = [p.x for p in self.polygon]
        ys = [p.y for p in self.polygon]
        return (min(xs), min(ys), max(xs), max(ys))


class Insight(_Model):
    """A note on how a value was chosen (``reasoning``) or why it has no citation (``note``)."""

    type: str
    content: str


class FieldMetadata(_Model):
    """Per-path details of a value."""

    ocr_confidence: float | None = Field(default=None, alias="ocrConfidence")
    logprobs_confidence: float | None = Field(default=None, alias="logprobsConfidence")
    confidence: float | None = Field(default=None, description="The engine's overall confidence 0-1.")
    citations: list[Citation] = Field(default_factory=list)
    insights: list[Insight] = Field(default_factory=list)


class Extraction(_Model):
    """One top-level field's value with its confidence and citations (reference 000's ``extractions``)."""

    value: Any = None
    confidence: float | None = None
    citations: list[Citation] = Field(default_factory=list)


class OcrPage(_Model):
    """What was read on one page."""

    number: int
    width: float
    height: float
    source: str
    text: str


class TokenUsage(_Model):
    """LLM tokens spent on one run."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class ExtractionResult(_Model):
    """The result of processing one document with one workflow."""

    processing_id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    workflow_id: str
    workflow_name: str
    workflow_version: int = 1
    workflow_draft: bool = Field(
        default=False, description="True when the run used unsaved edits of version workflow_version (a draft)."
    )
    document_id: str = ""
    document_name: str = ""
    engine: str = Field(description="The engine that ran: local, llm or trained.")
    engine_reason: str = Field(default="", description="Why this engine was chosen.")
    available_results: list[str] = Field(default_factory=lambda: ["extractions", "ocr"])
    extractions: dict[str, Extraction] = Field(default_factory=dict)
    ocr: list[OcrPage] = Field(default_factory=list)
    metadata: dict[str, FieldMetadata] = Field(default_factory=dict)
    timings: dict[str, float] = Field(default_factory=dict, description="Seconds per stage (load, extract...).")
    usage: TokenUsage | None = None
    created_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))

    @classmethod
    def begin(cls, workflow: Workflow, document: Document, *, engine: str, engine_reason: str) -> ExtractionResult:
        """An empty result of ``engine`` on ``document``, with its OCR text, for the engine to fill."""
        return cls(
            workflow_id=workflow.id,
            workflow_name=workflow.name,
            workflow_version=workflow.version,
            document_id=document.id,
            document_name=document.name,
            engine=engine,
            engine_reason=engine_reason,
            ocr=[
                OcrPage(number=p.number, width=p.width, height=p.height, source=p.source, text=p.text)
                for p in document.pages
            ],
        )

    def values(self) -> dict[str, Any]:
        """The plain values, ``{field: value}``."""
        return {name: extraction.value for name, extraction in self.extractions.items()}

    def to_json(self, **kwargs: Any) -> str:
        """The result as JSON with the references' key names."""
        return self.model_dump_json(by_alias=True, **kwargs)

    @property
    def version_label(self) -> str:
        """The workflow version the run used, ``v2``, or ``v2 (unsaved draft)`` for unsaved edits of it."""
        return version_label(self.workflow_version, self.workflow_draft)


def version_label(version: int, draft: bool = False) -> str:
    """How a run's workflow version reads: ``v2``, or ``v2 (unsaved draft)`` when it ran on unsaved edits of v2.

    >>> version_label(2), version_label(2, draft=True)
    ('v2', 'v2 (unsaved draft)')
    """
    return f"v{version}" + (" (unsaved draft)" if draft else "")


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, dict)) and not value)


def _walk(path: str, value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        if not value:
            yield path, None
        for key, sub in value.items():
            yield from _walk(f"{path}.{key}", sub)
    elif isinstance(value, list):
        if not value:
            yield path, None
        for index, sub in enumerate(value):
            yield from _walk(f"{path}[{index}]", sub)
    else:
        yield path, value


def flatten(values: Mapping[str, Any]) -> dict[str, Any]:
    """Every leaf of ``{field: value}`` by path, ``{"total": 12.5, "line_items[0].description": "Pens", ...}``.

    An empty array or object appears as its own path with ``None``.

    >>> flatten({"items": [{"qty": 2}], "total": 3.5, "tags": []})
    {'items[0].qty': 2, 'total': 3.5, 'tags': None}
    """
    flat: dict[str, Any] = {}
    for name, value in values.items():
        flat.update(_walk(name, value))
    return flat


def nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of ``flatten``: leaves by path back into ``{field: value}`` (lists ordered by index).

    >>> nest({"items[1].qty": 3, "items[0].qty": 2, "total": 3.5})
    {'items': [{'qty': 2}, {'qty': 3}], 'total': 3.5}
    """
    root: dict[str, Any] = {}
    for path, value in flat.items():
        steps = split_path(path)
        node: Any = root
        for step, following in zip(steps, steps[1:], strict=False):
            empty: Any = [] if isinstance(following, int) else {}
            if isinstance(step, int):
                while len(node) <= step:
                    node.append(None)
                if node[step] is None:
                    node[step] = empty
                node = node[step]
            else:
                node = node.setdefault(step, empty)
        last = steps[-1]
        if isinstance(last, int):
            while len(node) <= last:
                node.append(None)
            node[last] = value
        elif not (value is None and last in node):
            node[last] = value
    return root


def flatten_values(result: ExtractionResult) -> dict[str, Any]:
    """Every leaf value of a result by path (see ``flatten``).

    >>> r = ExtractionResult(workflow_id="w", workflow_name="W", engine="local",
    ...     extractions={"items": Extraction(value=[{"qty": 2}]), "total": Extraction(value=3.5)})
    >>> flatten_values(r)
    {'items[0].qty': 2, 'total': 3.5}
    """
    return flatten(result.values())


CSV_COLUMNS: tuple[str, ...] = ("document", "field", "value", "confidence", "page", "reference_text")


def _top_level(path: str) -> str:
    return path.split("[", 1)[0].split(".", 1)[0]


def citations_of(result: ExtractionResult, path: str) -> list[Citation]:
    """The citations of a field path (``total``, ``line_items[0].description``): its metadata's, else the
    top-level extraction's."""
    return _path_details(result, path)[1]


def confidence_of(result: ExtractionResult, path: str) -> float | None:
    """The confidence of a field path: its metadata's, else the top-level extraction's (None: not given)."""
    return _path_details(result, path)[0]


def citation_boxes(result: ExtractionResult, path: str) -> tuple[int, list[tuple[float, float, float, float]]]:
    """The page of a path's first citation and the boxes of its citations on that page (to highlight).

    Returns:
        ``(page_number, boxes)``; ``(1, [])`` when the value has no citation.
    """
    citations = citations_of(result, path)
    if not citations:
        return 1, []
    page = citations[0].page.number
    return page, [c.bbox for c in citations if c.page.number == page and c.polygon]


def _path_details(result: ExtractionResult, path: str) -> tuple[float | None, list[Citation]]:
    meta = result.metadata.get(path)
    extraction = result.extractions.get(path)
    confidence = meta.confidence if meta and meta.confidence is not None else None
    if confidence is None and extraction is not None:
        confidence = extraction.confidence
    citations = list(meta.citations) if meta and meta.citations else []
    if not citations and extraction is not None:
        citations = list(extraction.citations)
    return confidence, citations


def field_rows(result: ExtractionResult) -> list[dict[str, Any]]:
    """One row per field path: document, field, value, confidence, page and reference text of its citation.

    The rows behind the CSV export and the tables in the app.
    """
    rows: list[dict[str, Any]] = []
    for path, value in flatten_values(result).items():
        confidence, citations = _path_details(result, path)
        first = citations[0] if citations else None
        rows.append(
            {
                "document": result.document_name or result.document_id,
                "field": path,
                "value": value,
                "confidence": confidence,
                "page": first.page.number if first else None,
                "reference_text": first.reference_text if first else None,
            }
        )
    return rows


def notes_of(result: ExtractionResult, path: str) -> list[str]:
    """The notes on a path (why it has no citation, how it was chosen): its own, then its top-level field's."""
    keys = dict.fromkeys((path, _top_level(path)))
    return [insight.content for key in keys if (meta := result.metadata.get(key)) for insight in meta.insights]


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """Rows as CSV text with a header: empty cells for None, ``true``/``false``, ISO dates, JSON for lists.

    The one CSV writer of exports (results here, usage figures in ``core.usage``).

    >>> to_csv([{"a": 1.5, "b": None}], ["a", "b"]).splitlines()
    ['a,b', '1.5,']
    """
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _csv_cell(row.get(key)) for key in columns})
    return buffer.getvalue()


def results_csv(results: ExtractionResult | list[ExtractionResult]) -> str:
    """Results as CSV: one row per document and field path (line items as ``line_items[0].description``).

    Columns: document, field, value, confidence, page, reference_text.

    >>> r = ExtractionResult(workflow_id="w", workflow_name="W", engine="local", document_name="a.pdf",
    ...     extractions={"total": Extraction(value=3.5, confidence=0.9)})
    >>> results_csv(r).splitlines()[1]
    'a.pdf,total,3.5,0.9,,'
    """
    if isinstance(results, ExtractionResult):
        results = [results]
    return to_csv((row for result in results for row in field_rows(result)), CSV_COLUMNS)


def uncited_values(result: ExtractionResult) -> list[str]:
    """Paths of non-empty values that have neither a citation nor an insight saying why not.

    The promise is that every value can be traced; this lists where it cannot (should be empty).
    """
    missing: list[str] = []
    for path, value in flatten_values(result).items():
        if _is_empty(value):
            continue
        _, citations = _path_details(result, path)
        if citations:
            continue
        notes = [m for key in (path, _top_level(path)) if (m := result.metadata.get(key)) and m.insights]
        if not notes:
            missing.append(path)
    return missing
