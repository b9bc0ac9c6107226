"""Citations from a page's words: polygons clockwise from the top-left, inside the page, text as printed."""

from __future__ import annotations

import pytest

from core.documents import Line, Page, Word
from core.extraction.citations import (
    bbox_polygon,
    citation_from_bbox,
    citation_from_line,
    citation_from_words,
    citations_from_words,
    union_bbox,
    words_confidence,
)


@pytest.fixture
def page() -> Page:
    words = [
        Word(text="Total:", bbox=(50, 100, 80, 110), confidence=0.9, line=0),
        Word(text="1.234,56", bbox=(300, 100, 340, 110), confidence=0.7, line=0),
        Word(text="EUR", bbox=(345, 100, 365, 110), confidence=None, line=0),
        Word(text="Lieferant", bbox=(50, 130, 90, 140), confidence=1.0, line=1),
        Word(text="GmbH", bbox=(50, 142, 75, 152), confidence=1.0, line=2),
    ]
    lines = [
        Line(text="Total: 1.234,56 EUR", bbox=(50, 100, 365, 110), words=[0, 1, 2]),
        Line(text="Lieferant", bbox=(50, 130, 90, 140), words=[3]),
        Line(text="GmbH", bbox=(50, 142, 75, 152), words=[4]),
    ]
    return Page(number=2, width=400, height=200, source="ocr", words=words, lines=lines)


def test_citation_from_words_text_and_polygon(page: Page) -> None:
    c = citation_from_words(page, [1, 2])
    assert c.reference_text == "1.234,56 EUR"
    assert [(p.x, p.y) for p in c.polygon] == [(300, 100), (365, 100), (365, 110), (300, 110)]
    assert (c.page.number, c.page.width, c.page.height) == (2, 400, 200)


def test_citations_split_per_line(page: Page) -> None:
    cites = citations_from_words(page, [3, 4])
    assert [c.reference_text for c in cites] == ["Lieferant", "GmbH"]


def test_citation_is_clamped_to_the_page(page: Page) -> None:
    c = citation_from_bbox(page, (-5, -5, 900, 900), "x")
    xs, ys = [p.x for p in c.polygon], [p.y for p in c.polygon]
    assert min(xs) == 0 and max(xs) == page.width and min(ys) == 0 and max(ys) == page.height


def test_citation_from_line(page: Page) -> None:
    assert citation_from_line(page, 0).reference_text == "Total: 1.234,56 EUR"


def test_words_confidence_ignores_missing(page: Page) -> None:
    assert words_confidence(page, [1, 2]) == pytest.approx(0.7)
    assert words_confidence(page, [2]) is None


def test_citation_needs_words(page: Page) -> None:
    with pytest.raises(ValueError):
        citation_from_words(page, [])


def test_union_and_polygon() -> None:
    assert union_bbox([(1, 2, 3, 4), (0, 5, 2, 6)]) == (0, 2, 3, 6)
    assert len(bbox_polygon((0, 0, 1, 1))) == 4
