"""Package faces that load a submodule on the first use of one of its names (PEP 562).

A face such as ``core.documents`` re-exports names from its submodules; importing it eagerly would import
PyMuPDF, OpenCV and SQLAlchemy (seconds) for a caller that only wants a constant, such as the argparse
choices of ``fieldbench``. A lazy face keeps ``from core.documents import load_document`` working and fast.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, public: Sequence[str], exports: Mapping[str, Sequence[str]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a package face whose names live in its submodules.

    Args:
        package: the face's ``__name__``.
        public: its ``__all__``; must name exactly the names of ``exports`` (checked here, at import).
        exports: submodule (relative to ``package``) to the names it provides.

    Returns:
        ``(__getattr__, __dir__)`` for the face's module namespace.

    Raises:
        ValueError: ``public`` and ``exports`` disagree (a programming error, seen on the first import).

    >>> getattr_, dir_ = lazy_exports("core", ["FieldbenchError"], {"errors": ["FieldbenchError"]})
    >>> getattr_("FieldbenchError").__name__
    'FieldbenchError'
    """
    where = {name: module for module, names in exports.items() for name in names}
    if sorted(where) != sorted(public):
        raise ValueError(f"{package}: __all__ and the lazy exports differ: {sorted(set(where) ^ set(public))}")

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)  # the next use is a plain attribute
        return value

    def __dir__() -> list[str]:
        return sorted({*where, *vars(sys.modules[package])})

    return __getattr__, __dir__
