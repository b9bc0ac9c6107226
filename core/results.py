"""The processing result: values with confidence and citations, OCR, and metadata keyed by field paths.

The shape follows the hosted references: top level as in reference 000 (``processing_id``, ``workflow_id``,
``workflow_name``, ``available_results``, ``extractions``, ``ocr``), per-path ``metadata`` as in reference 003
(``line_items[0].description`` with ``ocrConfidence``, ``logprobsConfidence`` and ``citations``).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

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

    def values(self) -> dict[str, Any]:
        """The plain values, ``{field: value}``."""
        return {name: extraction.value for name, extraction in self.extractions.items()}

    def to_json(self, **kwargs: Any) -> str:
        """The result as JSON with the references' key names."""
        return self.model_dump_json(by_alias=True, **kwargs)
