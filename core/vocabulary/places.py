"""Names of the places whose law governs a contract: the US states, Canada's provinces and territories, the
countries and the legal systems within them ("England and Wales"), with a pattern that finds them in text.
"""

from __future__ import annotations

import re

__all__ = ["US_STATES", "CANADIAN_PROVINCES", "COUNTRIES", "LEGAL_SYSTEMS", "PLACES", "PLACE", "place_name"]

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


def place_name(text: str) -> str | None:
    """The place's name as written in this vocabulary, for its text in any case.

    >>> place_name("NEW YORK"), place_name("Gotham")
    ('New York', None)
    """
    return _BY_KEY.get(" ".join(text.split()).casefold())
