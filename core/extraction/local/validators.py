"""Well-kept validators behind one small interface: phone numbers (``phonenumbers``), IBAN, BIC and VAT numbers
(``python-stdnum``), e-mail addresses (``email-validator``), and the postal-code shapes of the countries whose
documents the engine reads. Each finder returns ``(start, end, value)`` spans of a text.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum import bic as std_bic
from stdnum import iban as std_iban
from stdnum.eu import vat as std_vat
from stdnum.exceptions import InvalidChecksum, ValidationError

__all__ = [
    "Span",
    "find_phones",
    "find_emails",
    "find_urls",
    "find_ibans",
    "iban_check",
    "find_bics",
    "is_valid_vat",
    "find_postcodes",
    "digits",
]

Span = tuple[int, int, str]
"""A value found in a text: start, end, value."""

# A run that may be a phone number: a plus or a digit, then digits with the separators numbers are printed with.
_PHONE_RUN = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d\s()./-]{5,22}\d(?![\w])")
# The fewest digits of a phone number worth reading (shorter runs are extensions, house numbers, codes).
MIN_PHONE_DIGITS = 6
_BARE_URL_PREFIX = 4  # "www." alone (four characters) is no web address
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+(?<!\.)")
_URL = re.compile(r"(?<![\w@/])(?:https?://|www\.)[^\s,;<>\"']+", re.I)
_IBAN = re.compile(r"(?<![A-Z0-9])[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{1,4}){3,8}(?![A-Za-z0-9])")
_BIC = re.compile(r"(?<![A-Za-z0-9])[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?(?![A-Za-z0-9])")
# Postal codes by how they are printed: five digits (DE, FR, IT, ES, FI, US ZIP with its +4), four digits (AT,
# CH, BE, DK, NO, LU, HU), "1234 AB" (NL), "00-000" (PL), "123 45" (SE, CZ, SK), "1234-567" (PT), UK outward
# and inward codes; an optional country prefix ("DE-80333", "D 80333") is not part of the code.
_POSTCODE = re.compile(
    r"(?<![\w./,-])(?:(?:[A-Z]{1,2})[- ])?"
    r"(?P<code>\d{5}(?:-\d{4})?|\d{4}\s?[A-Z]{2}(?![A-Za-z])|\d{2}-\d{3}|\d{3}\s\d{2}|\d{4}-\d{3}|\d{4}"
    r"|[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2})(?![\w.,/-]|\s?%)"
)


def digits(text: str) -> str:
    """The digits of a text ("+49 (89) 123-4" -> "49891234")."""
    return re.sub(r"\D", "", text)


@lru_cache(maxsize=64)
def _region_codes() -> frozenset[str]:
    return frozenset(phonenumbers.SUPPORTED_REGIONS)


def find_phones(text: str, region: str | None, lenient: bool = False) -> list[Span]:
    """Phone numbers in a text, as printed.

    A number counts when ``phonenumbers`` finds it valid for the document's region (or in international form);
    ``lenient`` (the text follows a phone label such as "Tel.") also takes numbers that are only possible,
    such as fictitious ones.

    >>> [v for _, _, v in find_phones("Tel. +49 89 1234567, Datum 05.03.2018", "DE")]
    ['+49 89 1234567']
    """
    out: list[Span] = []
    region = region if region in _region_codes() else None
    for m in _PHONE_RUN.finditer(text):
        raw = m.group(0).strip(" ./-")
        if len(digits(raw)) < MIN_PHONE_DIGITS or _looks_like_date(raw):
            continue
        if not _dialled_form(raw, region):
            continue
        try:
            number = phonenumbers.parse(raw, region or "ZZ")
        except phonenumbers.NumberParseException:
            continue
        ok = phonenumbers.is_valid_number(number) or (lenient and phonenumbers.is_possible_number(number))
        if ok:
            start = m.start() + m.group(0).index(raw)
            out.append((start, start + len(raw), raw))
    return out


def _dialled_form(raw: str, region: str | None) -> bool:
    """Whether a run is written as a phone number is dialled: in international form, or nationally with the
    region's trunk prefix ("089 ...", "(0)89 ..."); a bare run of digits is an article or location number."""
    if raw.startswith(("+", "00")):
        return True
    if region is None:
        return False
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    prefix = metadata.national_prefix if metadata is not None else None
    return prefix is None or raw.lstrip("(").startswith(prefix) or (raw.startswith("(") and prefix == "1")


def _looks_like_date(raw: str) -> bool:
    return bool(re.fullmatch(r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}", raw))


def find_emails(text: str) -> list[Span]:
    """E-mail addresses in a text, as printed, each checked by ``email-validator`` (syntax only, offline).

    >>> [v for _, _, v in find_emails("Mail: info@example.com; not@this")]
    ['info@example.com']
    """
    out: list[Span] = []
    for m in _EMAIL.finditer(text):
        try:
            validate_email(m.group(0), check_deliverability=False, globally_deliverable=False)
        except EmailNotValidError:
            continue
        out.append((m.start(), m.end(), m.group(0)))
    return out


def find_urls(text: str) -> list[Span]:
    """Web addresses in a text (``http(s)://`` or ``www.``), as printed, without trailing punctuation.

    >>> [v for _, _, v in find_urls("see www.example.org. or http://localhost/")]
    ['www.example.org', 'http://localhost/']
    """
    out: list[Span] = []
    for m in _URL.finditer(text):
        value = m.group(0).rstrip(".,;:)")
        if len(value) > _BARE_URL_PREFIX:
            out.append((m.start(), m.start() + len(value), value))
    return out


def iban_check(value: str) -> bool | None:
    """True for a valid IBAN, False for one of the right country length and format whose check digits fail
    (sample documents print such), None for no IBAN (``python-stdnum``)."""
    try:
        std_iban.validate(value)
    except InvalidChecksum:
        # The structure checked with check digits that hold: the country's length and format.
        number = std_iban.compact(value)
        repaired = number[:2] + std_iban.calc_check_digits(number) + number[4:]
        return False if std_iban.is_valid(repaired) else None
    except ValidationError:
        return None
    return True


def find_ibans(text: str) -> list[Span]:
    """IBANs in a text (printed with or without spaces) of their country's length and format, compact.

    >>> [v for _, _, v in find_ibans("IBAN DE88 2008 0000 0970 3757 00 BIC COBADEFFXXX")]
    ['DE88200800000970375700']
    """
    out: list[Span] = []
    for m in _IBAN.finditer(text):
        raw = m.group(0)
        # The greedy groups may have swallowed a word after the IBAN ("... 00 BIC"): shorten until it fits.
        parts = raw.split()
        while parts:
            candidate = " ".join(parts)
            if iban_check(candidate) is not None:
                out.append((m.start(), m.start() + len(candidate), std_iban.compact(candidate)))
                break
            parts.pop()
    return out


def find_bics(text: str) -> list[Span]:
    """Tokens shaped like a BIC (bank, country, location and branch codes) that ``python-stdnum`` accepts.

    Words in capitals ("RECHNUNG") have that shape too: the caller needs a label or a matching IBAN country.

    >>> [v for _, _, v in find_bics("BIC: COBADEFFXXX")]
    ['COBADEFFXXX']
    """
    return [(m.start(), m.end(), m.group(0)) for m in _BIC.finditer(text) if std_bic.is_valid(m.group(0))]


def is_valid_vat(value: str) -> bool:
    """Whether ``python-stdnum`` accepts a European VAT number's check digits (sample documents often fail)."""
    try:
        return bool(std_vat.is_valid(value))
    except Exception:  # stdnum raises its own errors for unknown country prefixes
        return False


def find_postcodes(text: str) -> list[Span]:
    """Postal codes in a text by their printed shapes (see ``_POSTCODE``), without a country prefix.

    >>> [v for _, _, v in find_postcodes("DE 80333 München")], [v for _, _, v in find_postcodes("London SW1A 1AA")]
    (['80333'], ['SW1A 1AA'])
    """
    return [(m.start("code"), m.end("code"), m.group("code")) for m in _POSTCODE.finditer(text)]
