"""One-page documents built from rows of text, for tests of the engine's reading without a PDF or an image."""

from __future__ import annotations

from core.documents import Document, Line, Page, Word

CHAR_WIDTH = 6.0
"""Points per character of a word."""
WORD_GAP = 8.0
"""Points between two words of a row: a space, not a column gap."""
ROW_STEP = 20.0
"""Points from one row's top to the next one's."""


def document_from_rows(rows: list[str], *, source: str = "text", confidence: float = 1.0) -> Document:
    """A one-page document with one line per text, its words split at spaces, left-aligned at 40 points.

    ``source`` is the page's (``text`` for a text layer, ``ocr`` for a scan); ``confidence`` each word's.
    """
    words, lines = [], []
    for r, text in enumerate(rows):
        y, x, idx = 50 + ROW_STEP * r, 40.0, []
        for token in text.split():
            idx.append(len(words))
            box = (x, y, x + CHAR_WIDTH * len(token), y + 10)
            words.append(Word(text=token, bbox=box, confidence=confidence, line=r))
            x += CHAR_WIDTH * len(token) + WORD_GAP
        lines.append(Line(text=text, bbox=(40.0, y, x, y + 10), words=idx))
    page = Page(number=1, width=600, height=800, source=source, words=words, lines=lines)
    kind = "png" if source == "ocr" else "pdf"
    return Document(id=source, name=f"rows.{kind}", kind=kind, pages=[page])
