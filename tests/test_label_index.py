"""The label index: where a label phrase is printed, exactly, fuzzily, inside compounds, across a slash and
around a currency code; what it finds does not depend on the order of the lookups."""

from __future__ import annotations

from core.extraction.local.labels import HEAD_SIMILARITY, TAIL_SIMILARITY, LabelIndex
from core.extraction.local.layout import build_layout
from tests.text_rows import document_from_rows

ROWS = [
    "Invoice number 4711",
    "Invoce date 2024-03-05",
    "Käufer/Leistungsempfänger Muster GmbH",
    "Montant EUR HT 100,00",
    "Bruttosumme 119,00",
    "Rechnungskorrektur 5",
]
LOOKUPS = [
    ("number", "Invoice number"),
    ("date", "Invoice date"),
    ("buyer", "Leistungsempfänger"),
    ("net", "Montant HT"),
    ("total", "Summe"),
    ("invoice", "Rechnung"),
]


def _found(index: LabelIndex, field: str, phrase: str) -> list[tuple[int, float, str]]:
    layout = index.layout
    return [
        (h.row, h.similarity, " ".join(layout.pages[0].page.words[i].text for i in h.words))
        for h in index.find(field, phrase, 1.0)
    ]


def test_labels_are_found_exactly_fuzzily_in_compounds_across_slashes_and_currencies() -> None:
    index = LabelIndex(build_layout(document_from_rows(ROWS)))
    found = {field: _found(index, field, phrase) for field, phrase in LOOKUPS}
    assert found["number"] == [(0, 1.0, "Invoice number")]
    assert [(row, text) for row, _, text in found["date"]] == [(1, "Invoce date")]  # one letter off
    assert 0.8 < found["date"][0][1] < 1.0
    assert found["buyer"] == [(2, 1.0, "Käufer/Leistungsempfänger")]
    assert found["net"] == [(3, 1.0, "Montant EUR HT")]
    assert found["total"] == [(4, TAIL_SIMILARITY, "Bruttosumme")]
    assert found["invoice"] == [(5, HEAD_SIMILARITY, "Rechnungskorrektur")]


def test_lookups_in_any_order_find_the_same() -> None:
    layout = build_layout(document_from_rows(ROWS))
    forward, backward = LabelIndex(layout), LabelIndex(layout)
    ahead = {field: _found(forward, field, phrase) for field, phrase in LOOKUPS}
    behind = {field: _found(backward, field, phrase) for field, phrase in reversed(LOOKUPS)}
    assert ahead == behind
    assert all(ahead.values())
