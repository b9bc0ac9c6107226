"""An OCR misreading of one letter of a legal form ("SUN BHD") is mended in the name the engine returns; the
same letters printed in a text layer are left as they are."""

from __future__ import annotations

import pytest

from core.extraction.local.engine import LocalEngine
from core.schema import Field, Workflow
from tests.text_rows import document_from_rows

ROWS = [
    "FOUR QUARTERS SUN BHD",
    "12 JALAN MAJU 47400 PETALING JAYA",
    "TAX INVOICE",
    "Date: 06/07/2016",
    "TOTAL 43.90",
]


WORKFLOW = Workflow(
    name="receipts",
    fields=[Field(name="company", type="string", description="The name of the shop that issued the receipt.")],
)


@pytest.mark.parametrize(("source", "expected"), [("ocr", "FOUR QUARTERS SDN BHD"), ("text", "FOUR QUARTERS SUN BHD")])
def test_a_misread_legal_form_is_mended_on_ocr_pages_only(source: str, expected: str) -> None:
    result = LocalEngine().extract(document_from_rows(ROWS, source=source, confidence=0.9), WORKFLOW)
    assert result.values()["company"] == expected
