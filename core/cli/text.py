"""Plain text shared by the commands: tables (columns padded to their widest cell, numbers right-aligned), help."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["WORKFLOW_REFERENCE", "text_table"]

# The help of every argument that names a stored workflow (``WorkflowRepo.resolve`` reads it).
WORKFLOW_REFERENCE = "the workflow: its id, a unique start of it (4 characters or more), or its name"


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] | None = None) -> str:
    """A table of ``rows`` under ``headers``; the columns numbered in ``right`` right-aligned (default: all but
    the first), the others left-aligned.

    >>> print(text_table(["day", "docs"], [["2026-11-20", "3"]]))
    day         docs
    2026-11-20     3
    """
    right = range(1, len(headers)) if right is None else right
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    for row in rows:
        cells = zip(row, widths, strict=True)
        lines.append("  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(cells)))
    return "\n".join(line.rstrip() for line in lines)
