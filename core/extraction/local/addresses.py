"""Postal addresses on the page: lines holding a postal code and a city ("DE 80333 München", "Lyon 69001",
"Springfield, IL 62704"), the street line above or before them and the country line after them, each part a
candidate with the words it spans.

A postal code alone is any short number; it counts only on a line shaped like "code city" (or "city code") whose
city is a capitalised word, and, for four-digit codes, with more evidence of an address around it: a street, a
country, a sender line of several parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from core.extraction.local.candidates import Candidate, make_candidate
from core.extraction.local.layout import DocumentLayout, PageLayout, Segment
from core.normalize import MONTHS
from core.vocabulary.parties import STREET
from core.vocabulary.shapes import DURATION_UNITS, QUANTITY_UNITS, country_names

__all__ = ["AddressLine", "find_addresses", "is_street"]

_UK_CODE = r"[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}"
_FIVE = r"\d{5}(?:-\d{4})?"
_CODE = rf"{_FIVE}|\d{{2}}-\d{{3}}|\d{{3}}\s\d{{2}}|\d{{4}}-\d{{3}}|\d{{4}}\s?[A-Z]{{2}}|\d{{4}}|{_UK_CODE}"
_CITY = r"[^\W\d_][^\d,;:|●•·]{0,40}?"
# "DE 80333 München", "D-80333 München", "80333 München", "1012 AB Amsterdam".
_CODE_CITY = re.compile(rf"^(?:(?P<cc>[A-Z]{{1,2}})[- ]\s*)?(?P<code>{_CODE})\s+(?P<city>{_CITY})\s*$")
# "London SW1A 1AA", "Springfield, IL 62704", "Lyon 69001".
_CITY_CODE = re.compile(rf"^(?P<city>{_CITY}),?\s+(?:(?P<state>[A-Z]{{2}})\s+)?(?P<code>{_UK_CODE}|{_FIVE})\s*$")
# Parts of a sender line ("Bei Spiel GmbH ● Ecke 12 ● 12345 Stadthausen") or of a cell ("Malaucène - France").
_PARTS = re.compile(r"\s+[-–—|•●·∙]\s+|\s*[|•●·∙]\s*|,\s+|\s{3,}")
# A street: a street word, or a name followed by a house number ("Ecke 12", "Bahnstr. 42a"), or a house number
# before the name ("35 rue de la République").
_HOUSE_AFTER = re.compile(r"^[^\W\d_][^\d:]{1,40}\s\d{1,4}\s?[a-zA-Z]?(?:[-/]\d{1,4}[a-zA-Z]?)?$")
# "Rechnung Nr. 17", "Invoice # 5": a number sign before the number makes it no house number.
_NUMBER_SIGN = re.compile(r"(?:^|\s)(?:nr|no|n°|nº|#|num)\.?\s*\d", re.I)
_HOUSE_BEFORE = re.compile(r"^\d{1,4}[a-zA-Z]?,?\s+[^\W\d_][^:]{2,40}$")
# What a capitalised word after a number may be that is no city: units, months, currencies, document words.
_NOT_CITY_WORDS = frozenset(
    ("eur", "usd", "gbp", "chf", "stk", "pos", "nr", "no", "page", "seite", "copyright", "hrb", "hra", "amtsgericht")
)
# Evidence an address line needs: a five-digit code scores on its own; a four-digit one (as short as a year or a
# quantity) needs a street, a country or a sender line around it.
_FIVE_DIGIT_EVIDENCE = 0.6
_FOUR_DIGIT_EVIDENCE = 0.2
_EVIDENCE_STEP = 0.2
_MIN_EVIDENCE = 0.5
# A street line has at least this many characters ("Rd 1" is the shortest street with a number).
_MIN_STREET_CHARS = 4
# A line right above or below continues an address when the gap to it is at most this many body line heights
# and it starts within ``_STACK_ALIGN`` of them at the same x.
_STACK_GAP = 1.2
_STACK_ALIGN = 2


@dataclass
class AddressLine:
    """A postal code and city printed together, with the street and country printed with them, if any."""

    postcode: Candidate
    city: Candidate | None
    street: Candidate | None
    country: Candidate | None
    evidence: float  # 0-1: how sure the line is an address


@lru_cache(maxsize=1)
def _not_city() -> frozenset[str]:
    return frozenset(_NOT_CITY_WORDS | QUANTITY_UNITS | set(DURATION_UNITS) | {m.casefold() for m in MONTHS})


def _parts(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for m in _PARTS.finditer(text):
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    return spans


def is_street(text: str) -> bool:
    """Whether a line reads as a street and house number.

    >>> is_street("Lieferantenstraße 20"), is_street("35 rue de la République"), is_street("Nummer: 549910")
    (True, True, False)
    """
    t = text.strip()
    if ":" in t or len(t) < _MIN_STREET_CHARS or _NUMBER_SIGN.search(t):
        return False
    return bool(_HOUSE_AFTER.match(t) or _HOUSE_BEFORE.match(t) or (STREET.search(t) and re.search(r"\d", t)))


def _country(text: str) -> str | None:
    return country_names().get(text.strip(" .,").casefold())


# The most words a city name has ("Frankfurt am Main", "Saint-Martin-de-Ré" is one).
_MAX_CITY_WORDS = 4


def _city_ok(city: str) -> bool:
    words = city.split()
    return (
        0 < len(words) <= _MAX_CITY_WORDS
        and words[0][:1].isupper()
        and words[0].casefold().strip(".") not in _not_city()
        and _country(city) is None
    )


def _match(text: str) -> tuple[re.Match[str], str] | None:
    m = _CODE_CITY.match(text)
    if m and _city_ok(m.group("city")):
        return m, "code-city"
    m = _CITY_CODE.match(text)
    if m and _city_ok(m.group("city")) and not re.search(r"\d", m.group("city")):
        return m, "city-code"
    return None


def _line_of(pl: PageLayout, seg: Segment) -> AddressLine | None:
    text = seg.text
    parts = _parts(text)
    for a, b in [(0, len(text))] + (parts if len(parts) > 1 else []):
        found = _match(text[a:b])
        if found is None:
            continue
        m, _ = found
        city_text = m.group("city").strip()
        code = make_candidate("postcode", m.group("code"), seg, a + m.start("code"), a + m.end("code"), pl)
        if code is None:
            continue
        city_start = a + m.start("city")
        city = make_candidate("city", city_text, seg, city_start, city_start + len(city_text), pl)
        street = country = None
        evidence = (
            _FIVE_DIGIT_EVIDENCE if re.fullmatch(rf"{_FIVE}|{_UK_CODE}", m.group("code")) else _FOUR_DIGIT_EVIDENCE
        )
        if m.groupdict().get("cc"):
            evidence += _EVIDENCE_STEP
        others = [p for p in parts if p != (a, b) and p[1] <= a]
        for pa, pb in reversed(others):  # a street before the code on a sender line
            if is_street(text[pa:pb]):
                street = make_candidate("street", text[pa:pb].strip(), seg, pa, pb, pl)
                evidence += _EVIDENCE_STEP
                break
        for pa, pb in (p for p in parts if p[0] >= b):  # a country after it ("69001 Lyon - France")
            if _country(text[pa:pb]):
                country = make_candidate("country", text[pa:pb].strip(), seg, pa, pb, pl)
                evidence += _EVIDENCE_STEP
                break
        return AddressLine(code, city, street, country, min(evidence, 1.0))
    return None


def _stacked(pl: PageLayout, seg: Segment, direction: int) -> Segment | None:
    """The segment in the next row above (-1) or below (+1) that starts at about the same x, without a gap."""
    r = seg.row + direction
    if not 0 <= r < len(pl.rows):
        return None
    row = pl.rows[r]
    gap = seg.bbox[1] - row.bbox[3] if direction < 0 else row.bbox[1] - seg.bbox[3]
    if gap > _STACK_GAP * pl.body_height:
        return None
    return next((s for s in row.segments if abs(s.bbox[0] - seg.bbox[0]) < _STACK_ALIGN * pl.body_height), None)


def _add_block(pl: PageLayout, seg: Segment, line: AddressLine) -> None:
    """The street line above a "code city" line, the country line below it."""
    if line.street is None:
        above = _stacked(pl, seg, -1)
        if above is not None and is_street(above.text):
            line.street = make_candidate("street", above.text.strip(), above, 0, len(above.text), pl)
            line.evidence = min(1.0, line.evidence + _EVIDENCE_STEP * 2)
    if line.country is None:
        below = _stacked(pl, seg, +1)
        if below is not None and _country(below.text):
            line.country = make_candidate("country", below.text.strip(), below, 0, len(below.text), pl)
            line.evidence = min(1.0, line.evidence + _EVIDENCE_STEP)


def find_addresses(layout: DocumentLayout) -> list[AddressLine]:
    """Every address line of a document with enough evidence (``_MIN_EVIDENCE``), in reading order."""
    out: list[AddressLine] = []
    for pl in layout.pages:
        for row in pl.rows:
            for seg in row.segments:
                if not any(ch.isdigit() for ch in seg.text):
                    continue
                line = _line_of(pl, seg)
                if line is None:
                    continue
                _add_block(pl, seg, line)
                if line.evidence >= _MIN_EVIDENCE:
                    out.append(line)
    return out
