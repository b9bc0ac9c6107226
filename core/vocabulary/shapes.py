"""What values look like on the page (``Shape``) and the words printed with them: units of quantities and
durations, number words, country names (from Babel's CLDR data, in the languages the engine reads), and the
labels that mark a phone number as a fax.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from babel import Locale

from core.vocabulary.words import words

__all__ = [
    "Shape",
    "LOCATED_SHAPES",
    "QUANTITY_UNITS",
    "DURATION_UNITS",
    "NUMBER_WORDS",
    "COUNTRY_LANGUAGES",
    "country_names",
]

# fmt: off
Shape = Literal[
    "phone", "email", "url", "postcode", "city", "street", "country", "iban", "bic", "vat_id", "reference", "person",
    "organisation", "period", "duration", "percent", "quantity",
]
# fmt: on
"""What a value looks like, which the local engine finds and validates on the page: a phone number
(``phonenumbers``), an e-mail or web address, an address part (postal code, city, street, country), bank details
(IBAN, BIC: ``python-stdnum``), a VAT number, a reference printed after its label, a person or organisation named
after a role label, a date range, a duration, a percentage, a quantity with its unit."""

LOCATED_SHAPES: frozenset[str] = frozenset(
    {"phone", "email", "url", "postcode", "city", "street", "country", "iban", "bic", "duration", "percent", "quantity"}
)
"""Shapes recognised on the page without a label (a label only strengthens them); the others need one."""

# Units printed after a quantity (casefolded; a trailing "(s)" as in "Unit(s)" is allowed by the reader).
QUANTITY_UNITS = frozenset(
    words(
        "stk stk. stck st. st pcs pcs. pc pce piece pieces unit units x ea each pack packs box boxes kg g mg t "
        "tonne tonnes lb lbs oz l ltr liter liters litre litres ml cl hl m m2 m² m3 m³ km cm mm qm h hr hrs hour hours "
        "std std. stunde stunden min minute minutes day days tag tage night nights pauschal psch set sets paar pair "
        "pairs roll rolls rolle sheet sheets blatt kwh mwh"
    )
)
# Units of durations, singular and plural, in the documents' languages (casefolded).
DURATION_UNITS: dict[str, str] = {
    **dict.fromkeys(words("day days tag tage tagen jour jours día días giorno giorni dag dagen"), "day"),
    **dict.fromkeys(words("week weeks woche wochen semaine semaines semana semanas settimana settimane"), "week"),
    **dict.fromkeys(words("month months monat monate monaten mois mes meses mese mesi maand maanden"), "month"),
    **dict.fromkeys(words("year years jahr jahre jahren an ans année années año años anno anni jaar jaren"), "year"),
}
# Number words a duration may be written with ("two (2) years").
NUMBER_WORDS: dict[str, int] = {
    w: n
    for n, w in enumerate(
        words(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
            "seventeen eighteen nineteen twenty"
        )
    )
} | {"thirty": 30, "sixty": 60, "ninety": 90, "twenty-four": 24, "thirty-six": 36, "forty-eight": 48}
# Languages whose country names are recognised in addresses.
COUNTRY_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pl", "pt")
# Regions (CLDR territory codes) that are no country: continents and groupings have numeric codes; these few
# letter codes are groupings or exceptional reservations.
_NOT_COUNTRIES = frozenset(("EU", "EZ", "UN", "QO", "ZZ"))


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """Casefolded country name -> ISO 3166 alpha-2 code, in ``COUNTRY_LANGUAGES`` (Babel's CLDR territories).

    >>> country_names()["deutschland"], country_names()["france"]
    ('DE', 'FR')
    """
    names: dict[str, str] = {}
    for language in COUNTRY_LANGUAGES:
        for code, name in Locale(language).territories.items():
            if re.fullmatch(r"[A-Z]{2}", code) and code not in _NOT_COUNTRIES:
                names.setdefault(name.casefold(), code)
    return names
