"""Pausing Python's cyclic garbage collector around allocation-heavy work that creates no cycles.

Building thousands of small objects (words of a page, candidates of a document) triggers full collections
that walk every object already loaded; measured, that was about half of page assembly and a fifth of an
extraction with many documents in memory.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the garbage collector for a block; enable it again afterwards if it was enabled before.

    Safe with threads: only the caller that found it enabled enables it again, so it is never left off.

    >>> with gc_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
