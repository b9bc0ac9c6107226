"""Typed candidate values found on a document's pages: dates, amounts, currencies, identifiers, text spans.

Dates, amounts, currency marks and VAT-style identifiers are found once per document by precompiled
regexes over each segment's text (``dateparser``/``price_parser`` only see text the regexes picked), so
every field of a workflow reuses them. Identifiers and names depend on a label or a location; helpers here
read the text right of or below a given position.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from core.documents import BBox
from core.extraction.citations import union_bbox
from core.extraction.local.layout import DocumentLayout, PageLayout, Segment
from core.normalize import MONTHS, guess_decimal_separator, parse_amount, parse_currency
from core.vocabulary.places import US_STATES

__all__ = [
    "Candidate",
    "DocumentCandidates",
    "generate_candidates",
    "find_dates",
    "find_amounts",
    "make_candidate",
    "VAT_ID",
]

_MONTH_ALT = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))

CENT = 0.011
"""Two amounts are equal when they differ by less than this: a cent, plus slack for binary float rounding."""
MONTHS_IN_YEAR = 12
"""A number above this in a numeric date is the day, which tells day-first from month-first."""
CENTURY_PIVOT = 70
"""A two-digit year below this is 20xx, from it on 19xx (documents are of this century or the late last)."""
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100
"""Years outside these are not dates of a document (a postcode or a number read as a year)."""
MIN_VAT_DIGITS = 6
"""A VAT-style identifier has at least this many digits (VAT numbers have eight or more in most countries; a
shorter run after two capitals is another code)."""
# Numeric dates; a hyphen between two dates is a range ("01.05.14-31.05.14"), elsewhere it glues an id. A
# time may follow the year with no space (OCR drops a narrow one: "30-04-201815:57", "11/02/1819:21"): the year
# is the digits before a time, four of them unless they run into its colon.
_DATE_NUM = re.compile(
    r"(?<![\w.,/])(?<![A-Za-z]-)(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})"
    r"(?:(?=\d{1,2}:\d{2}(?!\d))|(?![\w/]|:\d|-(?!\d{1,2}[./]\d)|[.,]\d))"
    r"|(?<![\w.,/-])(\d{4})([-/.])(\d{1,2})\6(\d{1,2})(?![\w/-]|[.,]\d)"
)
_DATE_DMY = re.compile(
    rf"(?<!\w)(\d{{1,2}})(?:st|nd|rd|th|er|º)?\.?[\s\-/]*(?:day\s+of\s+|of\s+|de\s+)?({_MONTH_ALT})\.?(?:[\s\-/,]*(?:de\s+)?)(\d{{4}}|'?\d{{2}})(?![\w])",
    re.IGNORECASE,
)
_DATE_CJK = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATE_MDY = re.compile(
    rf"(?<!\w)({_MONTH_ALT})\.?\s*(\d{{1,2}})(?:st|nd|rd|th)?(?:\s*,\s*|\s+)(\d{{4}})(?!\d)", re.IGNORECASE
)

_CODES = "EUR|USD|GBP|CHF|INR|PLN|CZK|JPY|SEK|NOK|DKK|AUD|CAD|NZD|HUF|RON|BGN|HRK|TRY|CNY|HKD|SGD|ZAR|BRL|MXN|RUB|MYR"
# Marks made of letters count only where no letter precedes them ("Mrs." holds no rupee sign); the ringgit's
# "RM" only right before digits ("RM 8.50", "RM8.50"), since the two letters end many words.
_SYMBOLS = r"US\$|A\$|C\$|CA\$|[€$£₹¥]|(?<![A-Za-z])(?:Rs\.?|zł|Kč|RM(?=\s?\d))"
_AMOUNT = re.compile(
    rf"""(?<![\w.,/-])
    (?P<neg>[-−–]\s?|\()?
    (?:(?P<pre>(?:{_CODES}|{_SYMBOLS}))\s?)?
    (?P<neg2>[-−–]\s?)?
    (?P<num>\d{{1,3}}(?:[.,'’\u00a0\u202f]\d{{3}})+(?:[.,]\d{{1,2}})?(?![\d])
           |\d{{1,3}}(?:\ \d{{3}})+[.,]\d{{2}}
           |\d+(?:[.,]\d{{1,3}})?)
    (?![\d]|[.,]\d|[/-]\d|\s?%|\.\w)
    (?:\s?(?P<post>{_CODES}|{_SYMBOLS}|EURO?|Euro))?
    (?P<neg3>-(?!\w))?\)?""",
    re.VERBOSE,
)
_CURRENCY_MARK = re.compile(rf"(?<![A-Za-z])({_CODES})(?![A-Za-z])|({_SYMBOLS})")
VAT_ID = re.compile(
    r"(?<![A-Za-z0-9])((?:AT|BE|BG|CY|CZ|DE|DK|EE|EL|GR|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|GB|CHE|NO|XI)"
    r"[\s.-]?(?:U)?[0-9A-Z](?:[\s.]?[0-9A-Z]){7,12})(?![A-Za-z0-9])(?!\s?\d)"
)
"""VAT identification numbers of European countries (country prefix + 8-13 characters)."""


@dataclass
class Candidate:
    """A typed value found on a page, with the words it came from."""

    kind: str  # date, amount, currency, vat_id, text
    value: Any
    text: str
    page: int
    row: int
    segment: int
    words: list[int]
    bbox: BBox
    flags: dict[str, Any] = field(default_factory=dict)

    @property
    def x0(self) -> float:
        return self.bbox[0]


@dataclass
class DocumentCandidates:
    """All candidates of one document, by kind, in reading order (page, row, x)."""

    dates: list[Candidate] = field(default_factory=list)
    amounts: list[Candidate] = field(default_factory=list)
    currencies: list[Candidate] = field(default_factory=list)
    vat_ids: list[Candidate] = field(default_factory=list)
    day_first: bool = True


def find_dates(text: str, day_first: bool = True) -> list[tuple[int, int, date]]:
    """Dates in a text as ``(start, end, date)`` spans: numeric and written-month forms.

    >>> [d.isoformat() for _, _, d in find_dates("vom 05.03.2018 bis 5. April 2018")]
    ['2018-03-05', '2018-04-05']
    >>> [d.isoformat() for _, _, d in find_dates("REG 30-04-201815:57 / 11/02/1819:21 / 10/03/20185:41:06 PM")]
    ['2018-04-30', '2018-02-11', '2018-03-10']
    """
    out: list[tuple[int, int, date]] = []
    for m in _DATE_NUM.finditer(text):
        if m.group(5):
            d = _safe_date(int(m.group(5)), int(m.group(7)), int(m.group(8)))
        else:
            a, b, y = int(m.group(1)), int(m.group(3)), _year(m.group(4))
            if a > MONTHS_IN_YEAR or (m.group(2) == "." and b <= MONTHS_IN_YEAR) or (day_first and b <= MONTHS_IN_YEAR):
                d = _safe_date(y, b, a)
            else:
                d = _safe_date(y, a, b)
        if d:
            out.append((m.start(), m.end(), d))
    for m in _DATE_CJK.finditer(text):  # 2023年3月20日
        d = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            out.append((m.start(), m.end(), d))
    for rx, order in ((_DATE_DMY, "dmy"), (_DATE_MDY, "mdy")):
        for m in rx.finditer(text):
            if any(s < m.end() and m.start() < e for s, e, _ in out):
                continue
            if order == "dmy":
                day, month_name, year = m.group(1), m.group(2), m.group(3)
            else:
                month_name, day, year = m.group(1), m.group(2), m.group(3)
            month = MONTHS.get(month_name.casefold().rstrip("."))
            d = _safe_date(_year(year.lstrip("'")), month, int(day)) if month else None
            if d:
                out.append((m.start(), m.end(), d))
    return sorted(out, key=lambda t: t[0])


def _year(y: str) -> int:
    n = int(y)
    return n + 2000 if n < CENTURY_PIVOT else n + 1900 if n < 100 else n


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d) if EARLIEST_YEAR <= y <= LATEST_YEAR else None
    except ValueError:
        return None


def _to_decimal(num: str) -> Decimal | None:
    """A matched number (digits and separators only) as a Decimal, without price_parser's general parsing."""
    neg = num.startswith("-")
    digits = num.lstrip("-").replace("\u00a0", " ").replace("\u202f", " ").replace("’", "'")
    hint = guess_decimal_separator(digits)
    if hint is None:
        clean = re.sub(r"[ '.,]", "", digits)
    else:
        thousands = "," if hint == "." else "."
        clean = re.sub(r"[ ']", "", digits).replace(thousands, "").replace(hint, ".")
    try:
        value = Decimal(clean)
    except InvalidOperation:
        return parse_amount(num)
    return -value if neg else value


_DECIMALS = re.compile(r"[.,]\d{1,2}$")
_GROUPED = re.compile(r"\d[.,'’\u00a0\u202f ]\d{3}")


def find_amounts(
    text: str, skip: list[tuple[int, int]] | None = None
) -> list[tuple[int, int, Decimal, dict[str, Any]]]:
    """Amounts in a text as ``(start, end, amount, flags)``; flags say ``decimals`` and ``currency``.

    Args:
        text: A segment's text.
        skip: Character spans to ignore (e.g. dates already found).

    Returns:
        The amounts, left to right.

    >>> [(str(a), f["currency"]) for _, _, a, f in find_amounts("Summe 1.234,56 €")]
    [('1234.56', 'EUR')]
    """
    out = []
    for m in _AMOUNT.finditer(text):
        if skip and any(s < m.end() and m.start() < e for s, e in skip):
            continue
        num = m.group("num")
        sign = "-" if (m.group("neg") or m.group("neg2") or m.group("neg3")) else ""
        amount = _to_decimal(sign + num)
        if amount is None:
            continue
        if m.group("neg") == "(" and not m.group(0).endswith(")"):
            amount = abs(amount)
        mark = m.group("pre") or m.group("post")
        flags = {
            "decimals": _DECIMALS.search(num) is not None,
            "currency": parse_currency(mark) if mark else None,
            "grouped": _GROUPED.search(num) is not None,
        }
        out.append((m.start(), m.end(), amount, flags))
    return out


def make_candidate(
    kind: str,
    value: Any,
    seg: Segment,
    start: int,
    end: int,
    pl: PageLayout,
    flags: dict[str, Any] | None = None,
) -> Candidate | None:
    """The candidate of the characters ``[start, end)`` of a segment's text: the words they touch, their box."""
    words = seg.words_in_span(start, end)
    if not words:
        return None
    text = " ".join(pl.page.words[i].text for i in words)
    return Candidate(
        kind,
        value,
        text,
        pl.index,
        seg.row,
        seg.index,
        words,
        union_bbox(pl.page.words[i].bbox for i in words),
        flags or {},
    )


_US_STATE = re.compile(r"\b(?:" + "|".join(re.escape(state) for state in US_STATES) + r")\b")


def _document_day_first(layout: DocumentLayout) -> bool:
    """Whether the document's numeric dates put the day first: by its unambiguous numeric dates, else the order
    of its written-out dates, else day first unless it prints dollars or names a US state."""
    texts = [seg.text for pl in layout.pages for row in pl.rows for seg in row.segments]
    votes: Counter[str] = Counter()
    for text in texts:
        for m in _DATE_NUM.finditer(text):
            if m.group(1) and m.group(2) != ".":
                a, b = int(m.group(1)), int(m.group(3))
                if a > MONTHS_IN_YEAR >= b:
                    votes["dmy"] += 1
                elif b > MONTHS_IN_YEAR >= a:
                    votes["mdy"] += 1
            elif m.group(1):
                votes["dmy"] += 1
    if votes["dmy"] or votes["mdy"]:
        return votes["dmy"] >= votes["mdy"]
    # Only when no numeric date decides (the other signals cost a pass over the text): written-out dates say
    # the order too ("May 12, 2009" is the month-first convention) ...
    dmy = sum(len(_DATE_DMY.findall(text)) for text in texts)
    mdy = sum(len(_DATE_MDY.findall(text)) for text in texts)
    if dmy != mdy:
        return dmy > mdy
    # ... else dollars or a US state make it month first.
    return not any("$" in text and "€" not in text or _US_STATE.search(text) for text in texts)


def generate_candidates(layout: DocumentLayout) -> DocumentCandidates:
    """Find every date, amount, currency mark and VAT identifier of a document once.

    Args:
        layout: The document's rows and segments.

    Returns:
        The candidates by kind, in reading order.
    """
    out = DocumentCandidates(day_first=_document_day_first(layout))
    for pl in layout.pages:
        for row in pl.rows:
            for seg in row.segments:
                text = seg.text
                has_digit = any(map(str.isdigit, text))
                spans: list[tuple[int, int]] = []
                if has_digit:
                    for s, e, d in find_dates(text, out.day_first):
                        c = make_candidate("date", d, seg, s, e, pl)
                        if c:
                            out.dates.append(c)
                            spans.append((s, e))
                    for m in VAT_ID.finditer(text):
                        value = re.sub(r"[\s.-]", "", m.group(1))
                        if sum(ch.isdigit() for ch in value) >= MIN_VAT_DIGITS:
                            c = make_candidate("vat_id", value, seg, m.start(1), m.end(1), pl)
                            if c:
                                out.vat_ids.append(c)
                                spans.append((m.start(1), m.end(1)))
                    for s, e, amount, flags in find_amounts(text, spans):
                        c = make_candidate("amount", amount, seg, s, e, pl, flags)
                        if c:
                            out.amounts.append(c)
                for m in _CURRENCY_MARK.finditer(text):
                    code = parse_currency(m.group(0))
                    if code:
                        c = make_candidate("currency", code, seg, m.start(), m.end(), pl)
                        if c:
                            out.currencies.append(c)
    return out
