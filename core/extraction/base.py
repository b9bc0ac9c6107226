"""The one small protocol every extraction engine follows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, NamedTuple, Protocol, get_args, runtime_checkable

if TYPE_CHECKING:  # the protocol's annotations only: the engine names stay importable without documents or schemas
    from core.documents import Document
    from core.results import ExtractionResult
    from core.schema import Workflow

__all__ = ["EngineName", "ENGINE_NAMES", "ENGINE_CHOICES", "Availability", "Engine"]

EngineName = Literal["local", "llm", "trained"]
ENGINE_NAMES: tuple[str, ...] = get_args(EngineName)
"""The engines by name: ``local`` (offline), ``llm`` (an OpenAI-compatible server), ``trained`` (a workflow's model)."""
ENGINE_CHOICES: tuple[str, ...] = ("auto", *ENGINE_NAMES)
"""What a user may ask for: an engine by name, or ``auto`` (trained model, else LLM, else local)."""


class Availability(NamedTuple):
    """Whether an engine can run here, and why (not)."""

    ok: bool
    reason: str


@runtime_checkable
class Engine(Protocol):
    """An extraction engine. No engine reads the store: it gets a document and a workflow, returns a result."""

    name: str

    def is_available(self) -> Availability:
        """Whether this engine can run now, with a reason a user can act on."""
        ...

    def extract(self, document: Document, workflow: Workflow) -> ExtractionResult:
        """Extract the workflow's fields from the document."""
        ...
