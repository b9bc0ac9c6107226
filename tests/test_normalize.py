"""Typed normalisers on real-world formats, and the scoring equality the evaluation uses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.normalize import (
    match_enum,
    normalize_string,
    normalize_value,
    parse_amount,
    parse_boolean,
    parse_currency,
    parse_date,
    values_equal,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05.03.2018", date(2018, 3, 5)),
        ("5.3.2018", date(2018, 3, 5)),
        ("20.10.15", date(2015, 10, 20)),
        ("13/11/2017", date(2017, 11, 13)),
        ("03/20/2023", date(2023, 3, 20)),  # only month-first is possible
        ("2014-07-03", date(2014, 7, 3)),
        ("15-10-2015", date(2015, 10, 15)),
        ("Date : 28/11/2022", date(2022, 11, 28)),
        # written months in the Latin languages
        ("5. März 2018", date(2018, 3, 5)),
        ("5 Maerz 2018", date(2018, 3, 5)),
        ("March 5, 2018", date(2018, 3, 5)),
        ("August 3 , 2014", date(2014, 8, 3)),
        ("Aug 3, 2014", date(2014, 8, 3)),
        ("5th of March 2018", date(2018, 3, 5)),
        ("5 mars 2018", date(2018, 3, 5)),
        ("1er janvier 2020", date(2020, 1, 1)),
        ("02 Juillet 2015", date(2015, 7, 2)),
        ("20-Mar-2023", date(2023, 3, 20)),
        ("3 de marzo de 2019", date(2019, 3, 3)),
        ("7 maggio 2014", date(2014, 5, 7)),
        ("7 mei 2020", date(2020, 5, 7)),
        ("12 dicembre 2021", date(2021, 12, 12)),
        ("1. Dezember 2022", date(2022, 12, 1)),
        ("15 octobre 2019", date(2019, 10, 15)),
        ("2023年3月20日", date(2023, 3, 20)),
    ],
)
def test_parse_date_formats(text: str, expected: date) -> None:
    assert parse_date(text) == expected


def test_parse_date_ambiguity_is_a_parameter() -> None:
    assert parse_date("01/02/2023") == date(2023, 2, 1)
    assert parse_date("01/02/2023", day_first=False) == date(2023, 1, 2)
    # A dotted date is day-first even in a US context.
    assert parse_date("01.02.2023", day_first=False) == date(2023, 2, 1)


@pytest.mark.parametrize("text", ["", "no date here", "31.02.2020", "Invoice 4711", "99/99/9999"])
def test_parse_date_rejects_non_dates(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,56", Decimal("1234.56")),
        ("1,234.56", Decimal("1234.56")),
        ("1 234,56", Decimal("1234.56")),
        ("1'234.56", Decimal("1234.56")),
        ("-12,50", Decimal("-12.50")),
        ("12,50-", Decimal("-12.50")),
        ("(12.50)", Decimal("-12.50")),
        ("12,50 €", Decimal("12.50")),
        ("EUR 12.50", Decimal("12.50")),
        ("EUR -5,00", Decimal("-5.00")),
        ("$ 279.84", Decimal("279.84")),
        ("Rs. 319.00", Decimal("319.00")),
        ("120 000,00 €", Decimal("120000.00")),
        ("-1.234.567,89", Decimal("-1234567.89")),
        ("1.234", Decimal("1234")),  # one separator and three digits: thousands
        ("12.5", Decimal("12.5")),
        ("0,00", Decimal("0.00")),
    ],
)
def test_parse_amount_separators_and_signs(text: str, expected: Decimal) -> None:
    assert parse_amount(text) == expected


def test_parse_amount_decimal_separator_hint() -> None:
    assert parse_amount("1.234", decimal_separator=".") == Decimal("1.234")
    assert parse_amount("no number") is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("12,50 €", "EUR"),
        ("EUR", "EUR"),
        ("Beträge in EUR", "EUR"),
        ("$ 279.84", "USD"),
        ("US$ 5", "USD"),
        ("A$ 10", "AUD"),
        ("CA$ 10", "CAD"),
        ("£ 3", "GBP"),
        ("₹ 319", "INR"),
        ("Rs. 319", "INR"),
        ("10 zł", "PLN"),
        ("CHF 12", "CHF"),
        ("100 Kč", "CZK"),
        ("¥ 1000", "JPY"),
        ("Euro", "EUR"),
    ],
)
def test_parse_currency(text: str, code: str) -> None:
    assert parse_currency(text) == code


def test_parse_currency_none() -> None:
    assert parse_currency("Invoice 4711") is None
    assert parse_currency("") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Yes", True),
        ("ja", True),
        ("oui", True),
        ("☑", True),
        ("[x]", True),
        ("No", False),
        ("Nein", False),
        ("non", False),
        ("☐", False),
        ("maybe", None),
    ],
)
def test_parse_boolean(text: str, expected: bool | None) -> None:
    assert parse_boolean(text) is expected


def test_match_enum_exact_and_fuzzy() -> None:
    assert match_enum("PAID", ["Paid", "Open"]) == "Paid"
    assert match_enum("Pald", ["Paid", "Open"]) == "Paid"  # an OCR error
    assert match_enum("Cancelled", ["Paid", "Open"]) is None


def test_normalize_string_scoring_rule() -> None:
    assert normalize_string("  Lieferant\u00a0  GMBH ") == "lieferant gmbh"
    assert normalize_string("ﬁle") == "file"  # NFKC


@pytest.mark.parametrize(
    ("a", "b", "field_type", "equal"),
    [
        ("ACME  GmbH", "acme gmbh", "string", True),
        ("ACME GmbH", "ACME AG", "string", False),
        (12.004, 12, "number", True),
        (12.01, 12, "number", False),
        ("1.234,50", 1234.5, "number", True),
        ("2023-03-20", "20.03.2023", "date", True),
        ("2023-03-20", "2023-03-21", "date", False),
        (True, "yes", "boolean", True),
        (["a", "b", "b"], ["B", "a", "b"], "array", True),
        (["a", "b"], ["a", "b", "b"], "array", False),
        (None, "", "string", True),
        (None, "x", "string", False),
    ],
)
def test_values_equal(a: object, b: object, field_type: str, equal: bool) -> None:
    assert values_equal(a, b, field_type) is equal


def test_normalize_value_types() -> None:
    assert normalize_value("1.234,50", "number") == 1234.5
    assert normalize_value("2023-03-20", "date") == date(2023, 3, 20)
    assert normalize_value("  ", "string") is None
