"""The local engine: offline, description-guided extraction of typed values with citations."""

from core.extraction.local.engine import LocalEngine

__all__ = ["LocalEngine"]
