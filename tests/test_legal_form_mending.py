"""An OCR misreading of one letter of a legal form ("SUN BHD") is mended in the name the engine returns; the
same letters printed in a text layer are left as they are."""

from __future__ import annotations

import pytest

from core.documents import Document, Line, Page, Word
from core.extraction.local.engine import LocalEngine
from core.schema import Field, Workflow

ROWS = [
    "FOUR QUARTERS SUN BHD",
    "12 JALAN MAJU 47400 PETALING JAYA",
    "TAX INVOICE",
    "Date: 06/07/2016",
    "TOTAL 43.90",
]


def _receipt(source: str) -> Document:
    words, lines = [], []
    for r, text in enumerate(ROWS):
        y, x, idx = 40 + 18 * r, 30.0, []
        for token in text.split():
            idx.append(len(words))
            words.append(Word(text=token, bbox=(x, y, x + 7 * len(token), y + 11), confidence=0.9, line=r))
            x += 7 * len(token) + 6
        lines.append(Line(text=text, bbox=(30.0, y, x, y + 11), words=idx))
    page = Page(number=1, width=300, height=500, source=source, words=words, lines=lines)
    return Document(id=source, name=f"{source}.png", kind="png" if source == "ocr" else "pdf", pages=[page])


WORKFLOW = Workflow(
    name="receipts",
    fields=[Field(name="company", type="string", description="The name of the shop that issued the receipt.")],
)


@pytest.mark.parametrize(("source", "expected"), [("ocr", "FOUR QUARTERS SDN BHD"), ("text", "FOUR QUARTERS SUN BHD")])
def test_a_misread_legal_form_is_mended_on_ocr_pages_only(source: str, expected: str) -> None:
    result = LocalEngine().extract(_receipt(source), WORKFLOW)
    assert result.values()["company"] == expected
