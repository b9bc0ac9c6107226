"""Names of the places whose law governs a contract: the US states, Canada's provinces and territories, the
countries and the legal systems within them ("England and Wales"), with a pattern that finds them in text; and
every country's name in the languages addresses are written in (babel's territory names), which end an address.
"""

from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale

__all__ = [
    "US_STATES",
    "CANADIAN_PROVINCES",
    "COUNTRIES",
    "LEGAL_SYSTEMS",
    "PLACES",
    "PLACE",
    "place_name",
    "ends_with_country",
]

# fmt: off
US_STATES = (
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware", "Florida",
    "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine",
    "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska",
    "Nevada", "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota", "Ohio",
    "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas",
    "Utah", "Vermont", "Virginia", "Washington", "West Virginia", "Wisconsin", "Wyoming", "District of Columbia",
    "Puerto Rico",
)
CANADIAN_PROVINCES = (
    "Alberta", "British Columbia", "Manitoba", "New Brunswick", "Newfoundland and Labrador", "Nova Scotia",
    "Ontario", "Prince Edward Island", "Quebec", "Québec", "Saskatchewan", "Yukon", "Nunavut",
    "Northwest Territories",
)
COUNTRIES = (
    "Argentina", "Australia", "Austria", "Belgium", "Bermuda", "Brazil", "British Virgin Islands", "Bulgaria",
    "Canada", "Cayman Islands", "Chile", "China", "Colombia", "Croatia", "Cyprus", "Czech Republic", "Denmark",
    "Estonia", "Finland", "France", "Germany", "Greece", "Hong Kong", "Hungary", "Iceland", "India", "Indonesia",
    "Ireland", "Israel", "Italy", "Japan", "Jersey", "Korea", "Latvia", "Liechtenstein", "Lithuania", "Luxembourg",
    "Malaysia", "Malta", "Mexico", "Monaco", "Netherlands", "New Zealand", "Norway", "Philippines", "Poland",
    "Portugal", "Romania", "Russia", "Russian Federation", "Singapore", "Slovakia", "Slovenia", "South Africa",
    "Spain", "Sweden", "Switzerland", "Taiwan", "Thailand", "Turkey", "Ukraine", "United Arab Emirates",
    "United Kingdom", "United States", "United States of America", "Vietnam",
)
# Legal systems inside a country that contracts name as their law.
LEGAL_SYSTEMS = ("England and Wales", "England", "Scotland", "Northern Ireland", "Wales")
# fmt: on
PLACES = (*US_STATES, *CANADIAN_PROVINCES, *COUNTRIES, *LEGAL_SYSTEMS)
"""Every place name, as it is written."""

_BY_KEY = {p.casefold(): p for p in PLACES}
# Longest first, so "New York" wins over "York" and "England and Wales" over "England"; case-insensitive,
# because contracts print their governing law in capitals as often as not.
PLACE = re.compile(
    r"(?<![\w])(" + "|".join(re.escape(p) for p in sorted(PLACES, key=len, reverse=True)) + r")(?![\w])",
    re.IGNORECASE,
)
"""A place name in text (group 1)."""


ADDRESS_LOCALES = ("en", "de", "fr", "es", "it", "nl", "pt", "pl", "ms")
"""Languages whose country names are recognised at the end of an address line."""
_LETTERS = re.compile(r"[^\W\d_]+")
_MAX_COUNTRY_WORDS = 4  # "Bosnia and Herzegovina", "United States of America"


@lru_cache(maxsize=1)
def _country_names() -> frozenset[str]:
    names = {c.casefold() for c in COUNTRIES}
    for code in ADDRESS_LOCALES:
        try:
            territories = Locale(code).territories
        except Exception:  # noqa: BLE001 - a locale babel lacks: the others and the list above still work
            continue
        names |= {" ".join(_LETTERS.findall(name.casefold())) for key, name in territories.items() if key.isalpha()}
    return frozenset(names)


def ends_with_country(text: str) -> bool:
    """Whether a line ends with a country's name (the last line of a postal address).

    >>> ends_with_country("56000 KUALA LUMPUR, MALAYSIA"), ends_with_country("10115 Berlin, Deutschland")
    (True, True)
    >>> ends_with_country("AEON SHAH ALAM")
    False
    """
    words = _LETTERS.findall(text.casefold())
    names = _country_names()
    return any(" ".join(words[-n:]) in names for n in range(1, min(len(words), _MAX_COUNTRY_WORDS) + 1))


def place_name(text: str) -> str | None:
    """The place's name as written in this vocabulary, for its text in any case.

    >>> place_name("NEW YORK"), place_name("Gotham")
    ('New York', None)
    """
    return _BY_KEY.get(" ".join(text.split()).casefold())
