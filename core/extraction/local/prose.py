"""A document read as running text: its words in reading order joined into one string, with the way back
from a character span to the words (for citations) and the sentences the text is made of.

Contracts and letters say what matters in sentences ("governed by the laws of the State of New York"), which
the label reader (rows and cells) cannot isolate; the clause reader (``clauses``) reads this text instead.
Built once per document, only when a field needs it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from core.extraction.local.layout import DocumentLayout

__all__ = ["ProseText", "build_prose"]

# A sentence ends at a full stop, question or exclamation mark followed by a capital, a quote or a bracket,
# unless the word before it is an abbreviation ("Inc.", "No.", "Mr.") or an initial ("R. J. Seifert").
_SENTENCE_END = re.compile(r"[.!?][”\"]?\s+(?=[A-Z“\"(])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:inc|ltd|co|corp|no|nos|mr|mrs|ms|dr|st|jr|sr|u\.s|n\.a|l\.p|l\.l\.c|s\.a|n\.v|b\.v|e\.g|i\.e|vs|"
    r"sec|art|para|approx|dept|est)|\b[A-Z])$",
    re.I,
)
# Characters before a sentence end read for an abbreviation that makes it none ("e.g.", "Inc.", "No.").
_ABBREVIATION_WINDOW = 12
_HYPHEN_BREAK = re.compile(r"[A-Za-z]-$")  # "NON-" at the end of a row continues on the next one


@dataclass
class ProseText:
    """The words of a document as one text: ``text``, and for each word its start there, page and index."""

    text: str
    starts: list[int] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    words: list[int] = field(default_factory=list)
    sentence_starts: list[int] = field(default_factory=list)
    row_starts: list[int] = field(default_factory=list)

    def words_in(self, start: int, end: int) -> dict[int, list[int]]:
        """The words overlapping the character span ``[start, end)``, by page index, in reading order."""
        first = max(bisect.bisect_right(self.starts, start) - 1, 0)
        out: dict[int, list[int]] = {}
        for k in range(first, len(self.starts)):
            if self.starts[k] >= end:
                break
            out.setdefault(self.pages[k], []).append(self.words[k])
        return out

    def row_start(self, pos: int) -> int:
        """Where the printed row holding character ``pos`` starts in the text."""
        k = bisect.bisect_right(self.row_starts, pos) - 1
        return self.row_starts[k] if k >= 0 else 0

    def sentence(self, pos: int) -> tuple[int, int]:
        """The span of the sentence holding character ``pos``."""
        k = bisect.bisect_right(self.sentence_starts, pos) - 1
        start = self.sentence_starts[k] if k >= 0 else 0
        end = self.sentence_starts[k + 1] if k + 1 < len(self.sentence_starts) else len(self.text)
        return start, end


def _sentence_starts(text: str) -> list[int]:
    starts = [0]
    for m in _SENTENCE_END.finditer(text):
        before = text[max(0, m.start() - _ABBREVIATION_WINDOW) : m.start()]
        token = before.split(" ")[-1] if before else ""
        if _ABBREVIATION.search(token):
            continue
        starts.append(m.end())
    return starts


def build_prose(layout: DocumentLayout) -> ProseText:
    """The document's words in reading order (pages, rows, left to right) as one text.

    Args:
        layout: the document's rows.

    Returns:
        Its prose: words joined by single spaces, a row ending in a hyphen joined to the next without one.
    """
    parts: list[str] = []
    prose = ProseText("")
    pos = 0
    glue = False
    for pl in layout.pages:
        page_words = pl.page.words
        for row in pl.rows:
            if not glue:
                prose.row_starts.append(pos + (1 if parts else 0))
            for i in row.words:
                token = " ".join(page_words[i].text.split())
                if not token:
                    continue
                if parts and not glue:
                    parts.append(" ")
                    pos += 1
                prose.starts.append(pos)
                prose.pages.append(pl.index)
                prose.words.append(i)
                parts.append(token)
                pos += len(token)
                glue = False
            glue = bool(parts) and bool(_HYPHEN_BREAK.search(parts[-1]))
    prose.text = "".join(parts)
    prose.sentence_starts = _sentence_starts(prose.text)
    return prose
