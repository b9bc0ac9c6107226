"""Typed normalisers: dates, amounts, currencies, booleans, enums and strings, and the scoring equality.

Parsing leans on well-kept libraries (``dateparser`` for written dates, ``price_parser`` for amounts,
``babel`` for currency names and symbols); fast regexes handle the common numeric forms first so that
``dateparser`` is only called on text that looks like a written date.

``values_equal`` implements the scoring rules of the datasets' README exactly (strings: NFKC, whitespace
collapsed, trimmed, case-insensitive; numbers within 0.005; dates the same calendar day; arrays of scalars as
multisets); the evaluation module uses it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from babel.numbers import list_currencies
from price_parser import Price
from rapidfuzz import fuzz, process

__all__ = [
    "MONTHS",
    "parse_typed",
    "parse_date",
    "parse_amount",
    "guess_decimal_separator",
    "parse_currency",
    "parse_boolean",
    "match_enum",
    "normalize_string",
    "normalize_value",
    "values_equal",
]

# Month names and common abbreviations in the Latin languages Fieldbench reads (en, de, fr, es, it, nl, pt,
# pl, cs, sv, da, no, fi kept short). Keys are casefolded without a trailing dot.
_MONTH_NAMES: tuple[str, ...] = (  # one string per month, January first
    "january jan januar jänner janvier janv enero ene gennaio gen januari janeiro"
    " styczeń stycznia leden ledna tammikuu",
    "february feb febr februar février fevrier févr fevr febrero febbraio februari fevereiro fev"
    " luty lutego únor února",
    "march mar märz maerz mär mars marzo maart mrt março marco marzec marca březen března",
    "april apr avril avr abril abr aprile kwiecień kwietnia duben dubna",
    "may mai mayo maggio mag mei maio maj maja květen května",
    "june jun juni juin junio giugno giu junho czerwiec czerwca červen června",
    "july jul juli juillet juil julio luglio lug julho lipiec lipca červenec července",
    "august aug août aout agosto ago augustus sierpień sierpnia srpen srpna",
    "september sep sept septembre septiembre settembre set setembro wrzesień września září",
    "october oct oktober okt octobre octubre ottobre ott outubro out październik października říjen října",
    "november nov novembre noviembre novembro listopad listopada",
    "december dec dez dezember décembre decembre déc diciembre dic dicembre dezembro"
    " grudzień grudnia prosinec prosince",
)
MONTHS: dict[str, int] = {name: n for n, names in enumerate(_MONTH_NAMES, start=1) for name in names.split()}
"""Month name or abbreviation (casefolded, no dot) -> month number."""

_MONTH_ALT = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))

# Numeric dates: d.m.y, d/m/y, d-m-y, y-m-d, with 2- or 4-digit years.
_NUM_DATE = re.compile(r"(?<![\d.,/-])(\d{1,4})([./-])(\d{1,2})\2(\d{2,4})(?![\d/-]|[.,]\d)")
# Written months: "5. März 2018", "5 mars 2018", "20-Mar-2023", "March 5, 2018", "5th of March 2018".
_DMY_WORD = re.compile(
    rf"(?<!\w)(\d{{1,2}})(?:st|nd|rd|th|er|e|º)?\.?[\s\-/]*(?:of\s+|de\s+)?({_MONTH_ALT})\.?[\s\-/,]*(?:de\s+)?(\d{{4}}|\d{{2}})(?!\d)",
    re.IGNORECASE,
)
_MDY_WORD = re.compile(
    rf"(?<!\w)({_MONTH_ALT})\.?\s*(\d{{1,2}})(?:st|nd|rd|th)?(?:\s*,\s*|\s+)(\d{{4}})(?!\d)",
    re.IGNORECASE,
)


def _full_year(year: int) -> int:
    if year < 100:
        return 2000 + year if year < 70 else 1900 + year
    return year


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(_full_year(year), month, day)
    except ValueError:
        return None


def _numeric_date(a: str, sep: str, b: str, c: str, day_first: bool) -> date | None:
    if len(a) == 4:  # ISO-like y-m-d
        return _make_date(int(a), int(b), int(c))
    if len(a) == 3 or len(c) == 3:
        return None
    first, second, year = int(a), int(b), int(c)
    if first > 12:  # only day-first is possible
        return _make_date(year, second, first)
    if second > 12:  # only month-first is possible
        return _make_date(year, first, second)
    if sep == "." or day_first:  # a dotted date is day-first everywhere
        return _make_date(year, second, first)
    return _make_date(year, first, second)


@lru_cache(maxsize=4096)
def parse_date(text: str, languages: tuple[str, ...] | None = None, day_first: bool = True) -> date | None:
    """Parse a date printed in a common numeric or written-month form.

    Args:
        text: The text holding the date (surrounding words are tolerated by the fast paths).
        languages: ISO 639-1 codes for ``dateparser`` when the fast paths fail (None: let it detect).
        day_first: For an ambiguous ``01/02/2023``: day first (European) when True, month first (US)
            when False.
            Dotted dates are always day-first.

    Returns:
        The date, or None when the text holds none.

    >>> parse_date("5. März 2018"), parse_date("03/20/2023"), parse_date("01/02/2023", day_first=False)
    (datetime.date(2018, 3, 5), datetime.date(2023, 3, 20), datetime.date(2023, 1, 2))
    """
    text = text.strip()
    if not text:
        return None
    m = _NUM_DATE.search(text)
    if m:
        return _numeric_date(m.group(1), m.group(2), m.group(3), m.group(4), day_first)
    m = re.search(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日", text)
    if m:
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _DMY_WORD.search(text)
    if m:
        month = MONTHS.get(m.group(2).casefold().rstrip("."))
        if month:
            return _make_date(int(m.group(3)), month, int(m.group(1)))
    m = _MDY_WORD.search(text)
    if m:
        month = MONTHS.get(m.group(1).casefold().rstrip("."))
        if month:
            return _make_date(int(m.group(3)), month, int(m.group(2)))
    # dateparser is slow: only text with a day-like number and a year-like number, or a word, goes there.
    if len(text) > 40 or len(re.findall(r"\d+", text)) < 2:
        return None
    return _dateparser_date(text, languages, day_first)


def _dateparser_date(text: str, languages: tuple[str, ...] | None, day_first: bool) -> date | None:
    import dateparser  # lazy: loading its language data takes a moment

    settings = {
        "DATE_ORDER": "DMY" if day_first else "MDY",
        "PREFER_DAY_OF_MONTH": "first",
        "REQUIRE_PARTS": ["day", "month", "year"],
        "STRICT_PARSING": True,
    }
    try:
        parsed = dateparser.parse(text, languages=list(languages) if languages else None, settings=settings)
    except (ValueError, TypeError, OverflowError):
        return None
    return parsed.date() if isinstance(parsed, datetime) else None


_NUMBER_CORE = re.compile(r"\d(?:[\d.,'’\u00a0\u202f]|\s(?=\d{3}(?!\d)))*\d|\d")
_NEG_PAREN = re.compile(r"^\s*\(.*\)\s*$")
_NEG_SIGN = re.compile(r"(^|[^\w])[-−–](?=\s*[^\s\d]{0,4}\s*\d)|\d\s*[-−]\s*$")


def guess_decimal_separator(number: str) -> str | None:
    """Guess the decimal separator of a bare number, or None when price_parser's own guess is fine."""
    digits = number.replace(" ", "").replace("\u00a0", "").replace("\u202f", "").replace("'", "").replace("’", "")
    last_dot, last_comma = digits.rfind("."), digits.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        return "." if last_dot > last_comma else ","
    sep = "." if last_dot >= 0 else "," if last_comma >= 0 else None
    if sep is None:
        return None
    tail = len(digits) - digits.rfind(sep) - 1
    if digits.count(sep) > 1:  # 1.234.567 / 1,234,567: thousands separators only
        return "," if sep == "." else "."
    # One separator: three digits after it reads as thousands (1.234 / 1,234), anything else as decimals.
    if tail == 3:
        return "," if sep == "." else "."
    return sep


@lru_cache(maxsize=8192)  # table reading tries several column layouts and parses the same cells again
def parse_amount(text: str, decimal_separator: str | None = None) -> Decimal | None:
    """Parse a money amount with any thousands and decimal separators and currency marks.

    Args:
        text: E.g. ``"1.234,56"``, ``"1,234.56"``, ``"1 234,56"``, ``"1'234.56"``, ``"-12,50"``,
            ``"(12.50)"``,
            ``"12,50 €"``, ``"EUR 12.50"``.
        decimal_separator: ``"."`` or ``","`` when known; guessed from the digits otherwise.

    Returns:
        The amount as a Decimal (negative for a leading/trailing minus or parentheses), or None.

    >>> parse_amount("1.234,56"), parse_amount("(12.50)"), parse_amount("EUR 12.50")
    (Decimal('1234.56'), Decimal('-12.50'), Decimal('12.50'))
    """
    if not text or not re.search(r"\d", text):
        return None
    core = _NUMBER_CORE.search(text)
    if core is None:
        return None
    number = core.group(0)
    hint = decimal_separator or guess_decimal_separator(number)
    price = Price.fromstring(number, decimal_separator=hint)
    amount = price.amount
    if amount is None:
        return None
    try:
        amount = Decimal(amount)
    except (InvalidOperation, TypeError):
        return None
    if _NEG_PAREN.match(text) or _NEG_SIGN.search(text):
        amount = -amount
    return amount


# Symbols and local names -> ISO 4217. "$" alone is ambiguous; prefixed dollars are not.
_CURRENCY_WORDS: dict[str, str] = {  # ISO code -> its symbols and words, space-separated, casefolded
    "EUR": "€ eur euro euros",
    "USD": "us$ u$s usd $ dollar dollars",
    "AUD": "a$ au$",
    "CAD": "c$ ca$ can$",
    "NZD": "nz$",
    "HKD": "hk$",
    "SGD": "s$",
    "MXN": "mx$",
    "BRL": "r$",
    "GBP": "£ gbp pound pounds",
    "INR": "₹ rs rs. inr rupees rupee",
    "PLN": "zł zl pln złotych",
    "CHF": "chf fr. sfr",
    "CZK": "kč czk",
    "JPY": "¥ 円 jpy yen",
    "SEK": "kr sek",
    "NOK": "nok",
    "DKK": "dkk",
    "HUF": "ft huf",
    "RON": "lei ron",
    "RUB": "₽",
    "KRW": "₩",
    "TRY": "₺",
    "ILS": "₪",
    "THB": "฿",
    "VND": "₫",
    "PHP": "₱",
    "NGN": "₦",
    "MYR": "rm myr ringgit",
    "ZAR": "r",
}
_CURRENCY_MARKS: dict[str, str] = {mark: code for code, marks in _CURRENCY_WORDS.items() for mark in marks.split()}
_ISO_CODE = re.compile(r"(?<![A-Za-z])([A-Z]{3})(?![A-Za-z])")


@lru_cache(maxsize=1)
def _iso_codes() -> frozenset[str]:
    try:
        return frozenset(list_currencies())
    except Exception:  # noqa: BLE001 - babel's currency data unreadable: the symbol table still works
        return frozenset(v for v in _CURRENCY_MARKS.values())


_SYMBOL_RE = re.compile(
    r"(US\$|U\$S|AU\$|A\$|CA\$|CAN\$|C\$|NZ\$|HK\$|S\$|MX\$|R\$|[€$£₹¥円₽₩₺₪฿₫₱₦]|zł|Kč|\bRs\.?(?=\s*\d|\s|$))",
    re.IGNORECASE,
)


@lru_cache(maxsize=8192)  # the same marks ("€", "EUR") recur on every row of a document
def parse_currency(text: str) -> str | None:
    """The ISO 4217 code a text names: a code, a symbol or a currency word.

    Args:
        text: E.g. ``"EUR"``, ``"12,50 €"``, ``"US$ 5"``, ``"Rs. 319"``, ``"zł"``, ``"Euro"``.

    Returns:
        The code, or None. A bare ``$`` gives USD (prefixed dollars such as ``A$`` or ``CA$`` give theirs).

    >>> parse_currency("12,50 €"), parse_currency("A$ 10"), parse_currency("chf 12")
    ('EUR', 'AUD', 'CHF')
    """
    if not text:
        return None
    for m in _ISO_CODE.finditer(text.upper() if len(text.strip()) <= 4 else text):
        if m.group(1) in _iso_codes():
            return m.group(1)
    symbol = _SYMBOL_RE.search(text)
    if symbol:
        return _CURRENCY_MARKS.get(symbol.group(1).casefold())
    for token in re.findall(r"[^\W\d_]+\.?", text.casefold()):
        code = _CURRENCY_MARKS.get(token) or _CURRENCY_MARKS.get(token.rstrip("."))
        if code and len(token.rstrip(".")) > 1:
            return code
    return None


_TRUE = {
    "yes",
    "y",
    "true",
    "ja",
    "j",
    "oui",
    "si",
    "sí",
    "sì",
    "x",
    "☑",
    "☒",
    "✓",
    "✔",
    "[x]",
    "1",
    "wahr",
    "vrai",
    "sim",
    "tak",
    "ano",
    "on",
    "checked",
}
_FALSE = {
    "no",
    "n",
    "false",
    "nein",
    "non",
    "nee",
    "não",
    "nao",
    "nie",
    "ne",
    "☐",
    "[ ]",
    "0",
    "falsch",
    "faux",
    "off",
    "unchecked",
}


def parse_boolean(text: str) -> bool | None:
    """A boolean from a word or mark: yes/no, ja/nein, oui/non, sí/no, ☑/☐, [x]/[ ].

    >>> parse_boolean("Ja"), parse_boolean("☐"), parse_boolean("maybe")
    (True, False, None)
    """
    t = normalize_string(text).strip(" .:")
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    return None


def match_enum(text: str, values: Sequence[Any], cutoff: float | None = None) -> Any:
    """The enum value a text names (exact, then fuzzy with rapidfuzz), or None.

    >>> match_enum("paid", ["Paid", "Open"])
    'Paid'
    """
    if not text or not values:
        return None
    by_norm = {normalize_string(str(v)): v for v in values}
    key = normalize_string(text)
    if key in by_norm:
        return by_norm[key]
    if cutoff is None:  # short words tolerate one wrong letter (an OCR error), longer ones proportionally
        cutoff = 74.0 if len(key) <= 5 else 85.0
    best = process.extractOne(key, list(by_norm), scorer=fuzz.WRatio, score_cutoff=cutoff)
    return by_norm[best[0]] if best else None


_WS = re.compile(r"\s+")


def normalize_string(value: Any) -> str:
    """NFKC, whitespace runs collapsed to one space, trimmed, casefolded (the scoring rule for strings).

    >>> normalize_string("  Lieferant\\u00a0 GMBH ")
    'lieferant gmbh'
    """
    return _WS.sub(" ", unicodedata.normalize("NFKC", str(value))).strip().casefold()


def _to_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, str):
        amount = parse_amount(value)
        return float(amount) if amount is not None else None
    return None


def _to_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return parse_date(value)
    return None


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def normalize_value(value: Any, field_type: str) -> Any:
    """The canonical form a value is compared in, by field type.

    Args:
        value: A predicted or expected value.
        field_type: ``string``, ``enum``, ``number``, ``integer``, ``boolean``, ``date`` or ``array``.

    Returns:
        None for empty values; a float for numbers; a ``date`` for dates; a bool for booleans; the
        normalised string otherwise; a list of normalised elements for arrays (elements as strings).

    >>> normalize_value("1.234,50", "number"), normalize_value("2023-03-20", "date")
    (1234.5, datetime.date(2023, 3, 20))
    """
    if _empty(value):
        return None
    if field_type in ("number", "integer"):
        return _to_number(value)
    if field_type == "date":
        return _to_date(value)
    if field_type == "boolean":
        if isinstance(value, bool):
            return value
        return parse_boolean(str(value))
    if field_type == "array":
        if not isinstance(value, (list, tuple)):
            value = [value]
        return [v if isinstance(v, dict) else normalize_string(v) for v in value if not _empty(v)]
    return normalize_string(value)


def values_equal(a: Any, b: Any, field_type: str) -> bool:
    """Whether two values are equal by the datasets' scoring rules.

    Strings: NFKC + whitespace collapse + trim + casefold; numbers within 0.005; dates the same calendar day;
    booleans equal; arrays of scalars as multisets of normalised strings. Two empty values are equal.

    >>> values_equal("ACME  GmbH", "acme gmbh", "string"), values_equal(12.004, "12", "number")
    (True, True)
    """
    na, nb = normalize_value(a, field_type), normalize_value(b, field_type)
    if na is None or nb is None:
        return na is None and nb is None
    if field_type in ("number", "integer"):
        return abs(float(na) - float(nb)) <= 0.005 + 1e-9
    if field_type == "array":
        return sorted(map(str, na)) == sorted(map(str, nb))
    return bool(na == nb)


def parse_typed(text: str, field_type: str, values: Sequence[Any] = ()) -> Any:
    """The value printed ``text`` stands for in a field's type, JSON-ready; None when it does not parse.

    Numbers come back as float (integers as int when whole), dates as ``YYYY-MM-DD``, booleans as bool,
    enums as the matching value, strings as the text with whitespace runs collapsed.

    >>> parse_typed("1.234,50 EUR", "number"), parse_typed("20.03.2024", "date"), parse_typed(" A  B ", "string")
    (1234.5, '2024-03-20', 'A B')
    >>> parse_typed("3", "integer"), parse_typed("three", "integer")
    (3, None)
    """
    cleaned = _WS.sub(" ", text).strip()
    if not cleaned:
        return None
    if field_type in ("number", "integer"):
        amount = parse_amount(cleaned)
        if amount is None:
            return None
        number = float(amount)
        if field_type == "integer":
            return int(number) if number.is_integer() else None
        return number
    if field_type == "date":
        day = parse_date(cleaned)
        return day.isoformat() if day else None
    if field_type == "boolean":
        return parse_boolean(cleaned)
    if field_type == "enum":
        return match_enum(cleaned, values)
    return cleaned
