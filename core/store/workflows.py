"""Workflows in the store, with every saved version of their fields."""

from __future__ import annotations

from sqlalchemy.engine import Engine

__all__ = ["WorkflowRepo"]


class WorkflowRepo:
    """Workflows and their versions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
