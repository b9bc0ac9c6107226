"""Typed candidate generation: dates, amounts, currencies, VAT ids and names, with their words."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.documents import Document, Line, Page, Word
from core.extraction.local.candidates import (
    VAT_ID,
    find_amounts,
    find_dates,
    generate_candidates,
)
from core.extraction.local.layout import build_layout, word_key
from core.extraction.local.parties import cut_name, is_name_like
from core.vocabulary.parties import LEGAL_FORM


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rechnung Nr. 471102 vom 05.03.2018", [date(2018, 3, 5)]),
        ("Invoice Date: 03/20/2023 Due Date: 04/04/2023", [date(2023, 3, 20), date(2023, 4, 4)]),
        ("du 02 Juillet 2015 au 5. März 2016", [date(2015, 7, 2), date(2016, 3, 5)]),
        ("Issued August 3 , 2014", [date(2014, 8, 3)]),
        ("20-Mar-2023", [date(2023, 3, 20)]),
        ("Period 01.05.14-31.05.14", [date(2014, 5, 1), date(2014, 5, 31)]),
        ("Order 2014-07-03/502", []),  # glued to an identifier
        ("Issued 2023/03/20", [date(2023, 3, 20)]),
        ("発行日 2023年3月20日", [date(2023, 3, 20)]),
        ("Tel 0049 89 123456", []),
        # A time glued to the year (OCR dropped the space): four-digit year, else two digits before the time.
        ("REG 30-04-201815:57", [date(2018, 4, 30)]),
        ("Date 20/03/20181:11:38PM", [date(2018, 3, 20)]),
        ("11/02/1819:21", [date(2018, 2, 11)]),
        ("ref 12/05/2018:7", []),  # a colon and one digit is no time
    ],
)
def test_find_dates(text: str, expected: list[date]) -> None:
    assert [d for _, _, d in find_dates(text)] == expected


def test_find_dates_month_first_context() -> None:
    assert [d for _, _, d in find_dates("01/02/2023", day_first=False)] == [date(2023, 1, 2)]


@pytest.mark.parametrize(
    ("text", "amounts", "currency"),
    [
        ("Summe 1.234,56 €", [Decimal("1234.56")], "EUR"),
        ("Total $ 279.84", [Decimal("279.84")], "USD"),
        ("EUR 12.50", [Decimal("12.50")], "EUR"),
        ("Grand Total Rs 1939", [Decimal("1939")], "INR"),
        ("Gutschrift -8,79", [Decimal("-8.79")], None),
        ("(35,13 €)", [Decimal("-35.13")], "EUR"),
        ("19 % VAT", [], None),  # a rate is no amount
        ("DE123456789", [], None),  # an identifier is no amount
        ("RE-20140703/502", [], None),
        ("120 000,00 €", [Decimal("120000.00")], "EUR"),
    ],
)
def test_find_amounts(text: str, amounts: list[Decimal], currency: str | None) -> None:
    found = find_amounts(text)
    assert [a for _, _, a, _ in found] == amounts
    if amounts:
        assert found[0][3]["currency"] == currency


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("USt-IdNr.: DE123456789", "DE123456789"),
        ("TVA : FR11999999998 - SIRET", "FR11999999998"),
        ("VAT GB 123 4567 89", "GB 123 4567 89"),
        ("Steuernummer 201/113/40209", None),
    ],
)
def test_vat_id_pattern(text: str, found: str | None) -> None:
    m = VAT_ID.search(text)
    assert (m.group(1) if m else None) == found


@pytest.mark.parametrize(
    "name", ["Lieferant GmbH", "ACME Ltd.", "Au bon moulin SARL", "Foo S.A.", "Bar Inc", "Baz B.V."]
)
def test_legal_form(name: str) -> None:
    assert LEGAL_FORM.search(name)


def test_cut_name_and_name_likeness() -> None:
    assert cut_name("Bei Spiel GmbH ● Ecke 12 ● 12345 Stadthausen") == "Bei Spiel GmbH"
    assert cut_name("Au bon moulin SARL - 1242 chemin de l'olive") == "Au bon moulin SARL"
    assert is_name_like("Kunden AG Mitte")
    assert not is_name_like("Nummer : 549910")
    assert not is_name_like("69876 Frankfurt")
    assert not is_name_like("Verkäufer:")


def _doc(rows: list[list[tuple[str, float]]]) -> Document:
    """A one-page document from rows of (text, x) words, 20 points apart."""
    words, lines = [], []
    for r, row in enumerate(rows):
        y = 50 + 20 * r
        idx = []
        for text, x in row:
            idx.append(len(words))
            words.append(Word(text=text, bbox=(x, y, x + 6 * len(text), y + 10), confidence=1.0, line=r))
        lines.append(Line(text=" ".join(t for t, _ in row), bbox=(row[0][1], y, words[-1].bbox[2], y + 10), words=idx))
    return Document(
        id="t",
        name="t",
        kind="pdf",
        pages=[Page(number=1, width=600, height=800, source="text", words=words, lines=lines)],
    )


def test_generate_candidates_maps_values_to_their_words() -> None:
    doc = _doc(
        [
            [("Rechnungsdatum:", 50), ("05.03.2018", 300)],
            [("Gesamtbetrag", 50), ("1.234,56", 300), ("€", 352)],
            [("USt-IdNr.:", 50), ("DE123456789", 300)],
        ]
    )
    cands = generate_candidates(build_layout(doc))
    assert [c.value for c in cands.dates] == [date(2018, 3, 5)]
    assert [c.text for c in cands.dates] == ["05.03.2018"]
    assert [c.value for c in cands.amounts] == [Decimal("1234.56")]
    assert cands.amounts[0].text == "1.234,56 €" and cands.amounts[0].flags["currency"] == "EUR"
    assert [c.value for c in cands.vat_ids] == ["DE123456789"]
    assert [c.value for c in cands.currencies] == ["EUR"]
    assert cands.day_first


@pytest.mark.parametrize(
    ("rows", "day"),
    [
        ([[("Signed", 50), ("5/12/09", 120)], [("laws of the State of California", 50)]], date(2009, 5, 12)),
        ([[("Signed", 50), ("5/12/09", 120)], [("Agreement of 3 March 2009", 50)]], date(2009, 12, 5)),
        ([[("Signed", 50), ("5/12/09", 120)], [("Agreement of March 3, 2009", 50)]], date(2009, 5, 12)),
        ([[("Signed", 50), ("5/12/09", 120)], [("13/11/09", 50)], [("California", 300)]], date(2009, 12, 5)),
    ],
)
def test_an_ambiguous_numeric_date_follows_the_document_s_convention(
    rows: list[list[tuple[str, float]]], day: date
) -> None:
    # An unambiguous numeric date decides; else written-out dates; else dollars or a US state say month first.
    cands = generate_candidates(build_layout(_doc(rows)))
    assert cands.dates[0].value == day


def test_layout_rebuilds_rows_and_splits_cells() -> None:
    doc = _doc([[("Invoice", 50), ("Date:", 100), ("2023-03-20", 400)]])
    layout = build_layout(doc)
    row = layout.pages[0].rows[0]
    assert [s.text for s in row.segments] == ["Invoice Date:", "2023-03-20"]
    assert word_key("USt.-Id.-Nr.:") == "ustidnr"
