"""The processing log: every extraction run with its source, workflow version, engine, timings and result."""

from __future__ import annotations

from sqlalchemy.engine import Engine

__all__ = ["RunRepo"]


class RunRepo:
    """Processing runs."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
