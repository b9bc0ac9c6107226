"""What the pages show of a Markdown source: AppTest hands back the source, the browser shows it rendered."""

from __future__ import annotations

import re

__all__ = ["shown"]

_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark: a backslash before ASCII punctuation shows it


def shown(source: str) -> str:
    """The text a browser shows for ``source`` as far as backslash escapes go (pages escape untrusted text).

    >>> shown(r"broken\\.pdf\\: truncated")
    'broken.pdf: truncated'
    """
    return _ESCAPE.sub(r"\1", source)
