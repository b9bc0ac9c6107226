"""Values of the e-invoice XML embedded in a PDF (ZUGFeRD 1, ZUGFeRD 2 / Factur-X, XRechnung CII): parties'
addresses and contacts, bank details, references, dates and tax rates, for building custom-field test sets.

Only the XML decides a value; whether it is printed on the page is checked separately (``printed``), by
comparing normalised text, so no expected value is ever typed by hand.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pymupdf

__all__ = ["InvoiceXml", "read_invoice_xml", "page_text", "printed"]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(el: ET.Element | None, name: str) -> list[ET.Element]:
    return [c for c in el if _local(c.tag) == name] if el is not None else []


def _find(el: ET.Element | None, path: str) -> ET.Element | None:
    """The first element at a '/'-separated path of local names, any depth for the first step."""
    if el is None:
        return None
    first, *rest = path.split("/")
    for start in (e for e in el.iter() if _local(e.tag) == first):
        cur: ET.Element | None = start
        for step in rest:
            nxt = _children(cur, step)
            cur = nxt[0] if nxt else None
            if cur is None:
                break
        if cur is not None:
            return cur
    return None


def _text(el: ET.Element | None, path: str = "") -> str | None:
    found = _find(el, path) if path else el
    if found is None or found.text is None:
        return None
    text = " ".join(found.text.split())
    return text or None


def _date(el: ET.Element | None, path: str) -> str | None:
    raw = _text(el, path)
    if raw is None or not re.fullmatch(r"\d{8}", raw):
        return None
    return f"{raw[:4]}-{raw[4:6]}-{raw[6:]}"


class InvoiceXml:
    """The parsed XML of one e-invoice, with the values the custom-field sets ask for."""

    def __init__(self, root: ET.Element) -> None:
        self.root = root
        self.seller = _find(root, "SellerTradeParty")
        self.buyer = _find(root, "BuyerTradeParty")

    def party(self, role: str, what: str) -> str | None:
        """``postcode``, ``city``, ``street``, ``country``, ``name``, ``id``, ``phone``, ``email``, ``contact``,
        ``vat_id`` or ``tax_number`` of the ``seller`` or ``buyer``."""
        p = self.seller if role == "seller" else self.buyer
        if p is None:
            return None
        simple = {
            "postcode": "PostalTradeAddress/PostcodeCode",
            "city": "PostalTradeAddress/CityName",
            "street": "PostalTradeAddress/LineOne",
            "country": "PostalTradeAddress/CountryID",
            "phone": "DefinedTradeContact/TelephoneUniversalCommunication/CompleteNumber",
            "contact": "DefinedTradeContact/PersonName",
        }
        if what in simple:
            return _text(_path(p, simple[what]))
        if what == "name":
            return _text(_children(p, "Name")[0]) if _children(p, "Name") else None
        if what == "id":
            return _text(_children(p, "ID")[0]) if _children(p, "ID") else None
        if what == "email":
            return _text(_path(p, "DefinedTradeContact/EmailURIUniversalCommunication/URIID")) or _email(
                _text(_path(p, "URIUniversalCommunication/URIID"))
            )
        if what in ("vat_id", "tax_number"):
            scheme = "VA" if what == "vat_id" else "FC"
            for reg in _children(p, "SpecifiedTaxRegistration"):
                for i in _children(reg, "ID"):
                    if i.get("schemeID") == scheme:
                        return _text(i)
        return None

    def value(self, key: str) -> str | None:
        """A value of the invoice as a whole: ``iban``, ``bic``, ``account_holder``, ``order_number``,
        ``contract_number``, ``delivery_date``, ``period_start``, ``period_end``, ``payment_terms``."""
        r = self.root
        paths = {
            "iban": "PayeePartyCreditorFinancialAccount/IBANID",
            "bic": "PayeeSpecifiedCreditorFinancialInstitution/BICID",
            "account_holder": "PayeePartyCreditorFinancialAccount/AccountName",
            "order_number": "BuyerOrderReferencedDocument/IssuerAssignedID",
            "contract_number": "ContractReferencedDocument/IssuerAssignedID",
            "payment_terms": "SpecifiedTradePaymentTerms/Description",
        }
        if key in paths:
            return _text(_find(r, paths[key]))
        dates = {
            "delivery_date": "ActualDeliverySupplyChainEvent/OccurrenceDateTime/DateTimeString",
            "period_start": "BillingSpecifiedPeriod/StartDateTime/DateTimeString",
            "period_end": "BillingSpecifiedPeriod/EndDateTime/DateTimeString",
        }
        if key in dates:
            return _date(r, dates[key])
        raise KeyError(key)

    def tax_rates(self) -> list[float]:
        """The distinct VAT rates of the invoice's tax breakdown (header level), in percent."""
        rates: set[float] = set()
        for settlement in (e for e in self.root.iter() if _local(e.tag).endswith("HeaderTradeSettlement")):
            for tax in _children(settlement, "ApplicableTradeTax"):
                for name in ("RateApplicablePercent", "ApplicablePercent"):
                    raw = _text(_children(tax, name)[0]) if _children(tax, name) else None
                    if raw is not None:
                        rates.add(float(raw))
        return sorted(rates)


def _path(el: ET.Element, path: str) -> ET.Element | None:
    cur: ET.Element | None = el
    for step in path.split("/"):
        found = _children(cur, step)
        cur = found[0] if found else None
        if cur is None:
            return None
    return cur


def _email(value: str | None) -> str | None:
    return value if value and "@" in value else None


def read_invoice_xml(pdf: Path) -> InvoiceXml | None:
    """The embedded e-invoice XML of a PDF, or None when it holds none."""
    with pymupdf.open(pdf) as doc:
        names = [n for n in doc.embfile_names() if n.lower().endswith(".xml")]
        if not names:
            return None
        data = doc.embfile_get(names[0])
    return InvoiceXml(ET.fromstring(data))


def page_text(pdf: Path) -> str:
    """Every page's text of a PDF, joined."""
    with pymupdf.open(pdf) as doc:
        return "\n".join(page.get_text() for page in doc)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def _date_forms(iso: str) -> list[str]:
    d = date.fromisoformat(iso)
    return [
        d.strftime("%d.%m.%Y"),
        d.isoformat(),
        d.strftime("%d/%m/%Y"),
        d.strftime("%d.%m.%y"),
        d.strftime("%m/%d/%Y"),
        f"{d.day}.{d.month}.{d.year}",
    ]


def _number_forms(value: float) -> list[str]:
    whole = int(value)
    out = [f"{value:.2f}", f"{value:.2f}".replace(".", ",")]
    if value == whole:
        out.append(str(whole))
    else:
        out += [f"{value:g}", f"{value:g}".replace(".", ",")]
    return out


def printed(value: str | float, text: str, kind: str = "string") -> bool:
    """Whether a value from the XML is printed in a page text: strings compared without whitespace and case,
    dates in their common numeric forms, percentages followed by a per cent sign; ``exact``: as printed, with its
    spaces."""
    squashed = _squash(text)
    if kind == "exact":  # as printed, whitespace runs aside
        return " ".join(str(value).split()).casefold() in " ".join(text.split()).casefold()
    if kind == "date":
        return any(_squash(form) in squashed for form in _date_forms(str(value)))
    if kind == "percent":
        return any(re.search(rf"(?<![\d.,]){re.escape(form)}%", squashed) for form in _number_forms(float(value)))
    return _squash(str(value)) in squashed
