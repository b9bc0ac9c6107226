"""Extraction engines (local, llm, trained) behind one protocol, and the choice between them."""

from core.extraction.base import Availability, Engine

__all__ = ["Availability", "Engine"]
