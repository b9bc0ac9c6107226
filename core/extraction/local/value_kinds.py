"""Values found on the page by what they look like (``core.vocabulary.shapes.Shape``): phone numbers, e-mail and
web addresses, address parts, IBANs and BICs, VAT numbers, percentages, quantities with units, durations.

A document's values of one shape are found once, when a field first asks for that shape (``ShapeIndex``), so a
workflow without such fields pays nothing and every field of the same shape reuses them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from core.extraction.local.addresses import AddressLine, find_addresses
from core.extraction.local.candidates import Candidate, DocumentCandidates, make_candidate
from core.extraction.local.layout import DocumentLayout, PageLayout, Segment, word_key
from core.extraction.local.validators import (
    MIN_PHONE_DIGITS,
    find_bics,
    find_emails,
    find_ibans,
    find_phones,
    find_urls,
    iban_check,
    is_valid_vat,
)
from core.vocabulary.concepts import BY_KEY
from core.vocabulary.shapes import DURATION_UNITS, NUMBER_WORDS, QUANTITY_UNITS

__all__ = ["ShapeIndex", "label_before"]

_PERCENT = re.compile(r"(?<![\d.,])(\d{1,3}(?:[.,]\d{1,4})?)\s?%")
_QUANTITY = re.compile(r"(?<![\w.,])(\d{1,6}(?:[.,]\d{1,4})?)\s?([^\W\d_][\w²³]{0,9}\.?)(?:\(s\))?(?!\w)")
_NUMBER_WORD = "|".join(sorted((re.escape(w) for w in NUMBER_WORDS), key=len, reverse=True))
_DURATION = re.compile(
    rf"(?<![\w.,])(\d{{1,3}}|{_NUMBER_WORD})(?:\s*\((\d{{1,3}})\))?[\s-]*([^\W\d_]{{2,9}})(?!\w)", re.IGNORECASE
)
# How many words before a value are read for its label ("Tel.:", "Fax-Nr.", "E-Mail").
_LABEL_WORDS = 3
# How many rows above a percentage a column header naming a tax may be ("USt %" over the item rows).
_HEADER_ROWS = 12
# Where a BIC names its country: characters five and six (ISO 9362: bank, country, location, branch).
_BIC_COUNTRY = slice(4, 6)


def _keys(concept: str) -> frozenset[str]:
    return frozenset(word_key(label) for label in BY_KEY[concept].labels)


_PHONE_KEYS = _keys("phone")
_FAX_KEYS = _keys("fax")
_BIC_KEYS = _keys("bic")
_TAX_KEYS = _keys("tax") | _keys("tax_rate")


def label_before(pl: PageLayout, seg: Segment, word: int, keys: frozenset[str]) -> bool:
    """Whether one of ``keys`` (label word keys) is printed just before a word: in its segment or at the end of
    the segment before it on the row ("Tel.: 089 ...", "Telefon:  089 ...")."""
    row = pl.rows[seg.row]
    before = seg.words[: seg.words.index(word)]
    if not before and seg.index > 0:
        before = row.segments[seg.index - 1].words
    tail = [pl.keys[i] for i in before[-_LABEL_WORDS:] if pl.keys[i]]
    if any("".join(tail[k:]) in keys for k in range(len(tail))):
        return True
    # A compound label's last part: "Verkäufer-BIC", "Kunden-Tel.".
    last = pl.page.words[before[-1]].text if before else ""
    return bool(re.search(r"[-/]", last)) and word_key(re.split(r"[-/]", last.rstrip(":.-/ "))[-1]) in keys


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None


class ShapeIndex:
    """The values of each shape on one document, found the first time a field asks for the shape.

    Args:
        layout: the document's rows and segments.
        candidates: its dates, amounts and VAT numbers (found once for every field).
    """

    def __init__(self, layout: DocumentLayout, candidates: DocumentCandidates) -> None:
        self.layout = layout
        self._candidates = candidates
        self._found: dict[str, list[Candidate]] = {}
        self._addresses: list[AddressLine] | None = None
        self._region: str | None = None
        self._finders: dict[str, Callable[[], list[Candidate]]] = {
            "phone": self._phones,
            "email": lambda: self._spans("email", find_emails),
            "url": lambda: self._spans("url", find_urls),
            "iban": self._ibans,
            "bic": self._bics,
            "vat_id": self._vat_ids,
            "postcode": lambda: [a.postcode for a in self.addresses()],
            "city": lambda: [a.city for a in self.addresses() if a.city is not None],
            "street": lambda: [a.street for a in self.addresses() if a.street is not None],
            "country": lambda: [a.country for a in self.addresses() if a.country is not None],
            "percent": self._percents,
            "quantity": self._quantities,
            "duration": self._durations,
            "period": lambda: list(self._candidates.dates),
        }

    def find(self, shape: str) -> list[Candidate]:
        """The document's candidates of a shape, in reading order (empty for shapes read after a label)."""
        if shape not in self._found:
            finder = self._finders.get(shape)
            self._found[shape] = finder() if finder is not None else []
        return self._found[shape]

    def addresses(self) -> list[AddressLine]:
        """The document's address lines (postal code and city, with street and country)."""
        if self._addresses is None:
            self._addresses = find_addresses(self.layout)
        return self._addresses

    def region(self) -> str | None:
        """The country the document is most likely from (IBANs, VAT numbers, postal-code prefixes), for reading
        national phone numbers; None when nothing says."""
        if self._region is None:
            votes: Counter[str] = Counter()
            for c in self.find("iban") + self._candidates.vat_ids:
                votes[str(c.value)[:2].upper()] += 1
            for line in self.addresses():
                words = self.layout.pages[line.postcode.page].page.words
                first = words[line.postcode.words[0]]
                prefix = re.match(r"([A-Z]{2})[- ]", first.text + " ")
                if prefix:
                    votes[prefix.group(1)] += 1
            votes.pop("EL", None)  # Greece's VAT prefix is not its country code
            self._region = votes.most_common(1)[0][0] if votes else ""
        return self._region or None

    def _segments(self) -> list[tuple[PageLayout, Segment]]:
        return [(pl, seg) for pl in self.layout.pages for row in pl.rows for seg in row.segments]

    def _spans(self, kind: str, finder: Callable[[str], list[tuple[int, int, str]]]) -> list[Candidate]:
        out = []
        for pl, seg in self._segments():
            for start, end, value in finder(seg.text):
                c = make_candidate(kind, value, seg, start, end, pl)
                if c is not None:
                    out.append(c)
        return out

    def _phones(self) -> list[Candidate]:
        """Phone numbers valid for the document's region, or possible ones right after a phone or fax label;
        a number after a fax label is flagged ``fax``."""
        out = []
        region = self.region()
        for pl, seg in self._segments():
            if sum(ch.isdigit() for ch in seg.text) < MIN_PHONE_DIGITS:
                continue
            found = {(s, e): v for s, e, v in find_phones(seg.text, region)}
            for s, e, v in find_phones(seg.text, region, lenient=True):
                words = seg.words_in_span(s, e)
                if (s, e) not in found and words and label_before(pl, seg, words[0], _PHONE_KEYS | _FAX_KEYS):
                    found[(s, e)] = v
            for (s, e), v in sorted(found.items()):
                c = make_candidate("phone", v, seg, s, e, pl)
                if c is not None:
                    c.flags["fax"] = label_before(pl, seg, c.words[0], _FAX_KEYS)
                    out.append(c)
        return out

    def _ibans(self) -> list[Candidate]:
        out = self._spans("iban", find_ibans)
        for c in out:
            c.flags["valid"] = bool(iban_check(str(c.value)))
        return out

    def _bics(self) -> list[Candidate]:
        """BIC-shaped tokens after a BIC label, or whose country is that of an IBAN on the document."""
        countries = {str(c.value)[:2] for c in self.find("iban")}
        out = []
        for c in self._spans("bic", find_bics):
            pl = self.layout.pages[c.page]
            seg = pl.rows[c.row].segments[c.segment]
            labelled = label_before(pl, seg, c.words[0], _BIC_KEYS)
            if labelled or str(c.value)[_BIC_COUNTRY] in countries:
                c.flags["labelled"] = labelled
                out.append(c)
        return out

    def _vat_ids(self) -> list[Candidate]:
        for c in self._candidates.vat_ids:
            c.flags["valid"] = is_valid_vat(str(c.value))
        return list(self._candidates.vat_ids)

    def _percents(self) -> list[Candidate]:
        """Percentages ("19 %", "7,00%"); flagged ``tax`` when a tax label is printed on the same row or heads
        their column ("USt %" over the items), when any percentage of the document is (else unflagged)."""
        out = []
        for pl, seg in self._segments():
            if "%" not in seg.text:
                continue
            for m in _PERCENT.finditer(seg.text):
                value = _decimal(m.group(1))
                c = make_candidate("percent", value, seg, m.start(), m.end(), pl) if value is not None else None
                if c is not None:
                    c.flags["tax"] = self._tax_context(pl, c)
                    out.append(c)
        if not any(c.flags["tax"] for c in out):
            for c in out:
                del c.flags["tax"]
        return out

    def _tax_context(self, pl: PageLayout, c: Candidate) -> bool:
        if any(pl.keys[i] in _TAX_KEYS for i in pl.rows[c.row].words):
            return True
        for row in pl.rows[max(0, c.row - _HEADER_ROWS) : c.row]:
            for i in row.words:
                box = pl.page.words[i].bbox
                if pl.keys[i] in _TAX_KEYS and min(box[2], c.bbox[2]) - max(box[0], c.bbox[0]) > 0:
                    return True
        return False

    def _quantities(self) -> list[Candidate]:
        """A number followed by a unit ("20 Stk", "25 Liter(s)", "3.5 h"): the printed text, the number in
        ``flags["number"]``."""
        out = []
        for pl, seg in self._segments():
            for m in _QUANTITY.finditer(seg.text):
                unit = m.group(2).casefold()
                number = _decimal(m.group(1))
                if number is None or (unit not in QUANTITY_UNITS and unit.rstrip(".") not in QUANTITY_UNITS):
                    continue
                c = make_candidate("quantity", " ".join(m.group(0).split()), seg, m.start(), m.end(), pl)
                if c is not None:
                    c.flags["number"] = number
                    out.append(c)
        return out

    def _durations(self) -> list[Candidate]:
        """A number (or number word) and a unit of time ("two (2) years", "30 Tage"), as "2 years"."""
        out = []
        for pl, seg in self._segments():
            for m in _DURATION.finditer(seg.text):
                unit = m.group(3).casefold()
                if unit not in DURATION_UNITS:
                    continue
                raw = m.group(2) or m.group(1)
                n = int(raw) if raw.isdigit() else NUMBER_WORDS.get(raw.casefold())
                if n is None:
                    continue
                c = make_candidate("duration", f"{n} {m.group(3)}", seg, m.start(), m.end(), pl)
                if c is not None:
                    c.flags["number"] = Decimal(n)
                    out.append(c)
        return out
