"""Document structure: the letterhead block at the top of the first page, its lines told apart by content.

A letterhead (an invoice's sender block, a receipt's header) is the run of lines at the top of the first page
in one column, before the first line that is about the transaction (a date, an amount, "Cashier: ..."). Each
line is a *title* ("TAX INVOICE"), *contact* details, *registration* numbers, part of a postal *address* or a
*name*; the issuer's name is the name line before the address (the one with a legal form when there are
several), and its address the lines from the first address line to the first contact or registration line.
Values read here have no label: their confidence says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from core.extraction.citations import citations_from_words, union_bbox, words_confidence
from core.extraction.local.candidates import Candidate, find_amounts, find_dates
from core.extraction.local.confidence import Evidence, evidence_ocr
from core.extraction.local.layout import DocumentLayout, PageLayout, Segment
from core.extraction.local.parties import NameCandidate, cut_name, is_name_like
from core.extraction.local.selection import Pick
from core.vocabulary.parties import (
    ADDRESS_LINE,
    CONTACT_LINE,
    DESCRIPTION_ROLE_WORDS,
    DOCUMENT_TITLE,
    LEGAL_FORM,
    LEGAL_FORM_START,
    REGISTRATION_LINE,
    ROLE_WORDS,
)
from core.vocabulary.places import ends_with_country

__all__ = [
    "LineKind",
    "HeaderLine",
    "Letterhead",
    "LETTERHEAD_DEPTH",
    "LETTERHEAD_GAP",
    "ADDRESS_WORDS",
    "LETTERHEAD_NAME_SCORE",
    "LEGAL_FORM_BONUS",
    "ADDRESS_SCORE",
    "line_kind",
    "read_letterhead",
    "issuer_role",
    "letterhead_name",
    "letterhead_address",
]

LineKind = Literal["title", "contact", "registration", "address", "name", "other"]

LETTERHEAD_DEPTH = 0.45
"""The letterhead ends within this fraction of the first page's height (below it: items and totals)."""
LETTERHEAD_GAP = 3.0
"""A vertical gap of this many body-text heights after the block's lines ends it."""
MIN_LINE_CHARS = 3
"""A line of fewer characters is a logo's letter or a stray mark, not a letterhead line (nor its column)."""
MAX_NAME_LINES = 3
"""Lines an issuer's name is wrapped over at most (a long name with its branch in parentheses)."""
_KEY_VALUE = re.compile(r"^[^:]{1,30}:\s*\S")
_CODE_ONLY = re.compile(
    r"\(?[A-Z]{0,3}\d[\d./-]*\s?-?\s?[A-Z]{0,2}\)?"
)  # "(001963477-M)", "002043319-W": a number alone


@dataclass
class HeaderLine:
    """One line of the letterhead: the segment it is, and what kind of line it is."""

    segment: Segment
    kind: LineKind


@dataclass
class Letterhead:
    """The letterhead of a document: its lines, the issuer's name line(s) and its address lines."""

    page: int
    lines: list[HeaderLine] = field(default_factory=list)
    name: list[Segment] = field(default_factory=list)
    address: list[Segment] = field(default_factory=list)

    @property
    def name_text(self) -> str:
        return cut_name(" ".join(s.text for s in self.name)) if self.name else ""

    @property
    def address_text(self) -> str:
        return " ".join(" ".join(s.text for s in self.address).split())


def line_kind(text: str) -> LineKind:
    """What a letterhead line is, from its words.

    >>> [line_kind(t) for t in ("TAX INVOICE", "TEL: 03-5542", "GST ID: 0003", "LOT 3, JALAN PELABUR", "ACME SDN BHD")]
    ['title', 'contact', 'registration', 'address', 'name']
    """
    t = text.strip()
    if DOCUMENT_TITLE.match(t):
        return "title"
    if CONTACT_LINE.search(t):
        return "contact"
    if REGISTRATION_LINE.search(t) and not LEGAL_FORM.search(t) or _CODE_ONLY.fullmatch(t):
        return "registration"
    if ADDRESS_LINE.search(t) and not (LEGAL_FORM.search(t) and not re.search(r"\d", t)):
        return "address"
    if is_name_like(cut_name(t)):
        return "name"
    return "other"


def _transactional(text: str) -> bool:
    """A line about the sale, not the issuer: a date, an amount with decimals, a "Cashier: 12" pair."""
    if find_dates(text):
        return True
    if any(flags["decimals"] for *_, flags in find_amounts(text)):
        return True
    if LEGAL_FORM.search(text):
        return False  # "Owned by: ACME Sdn Bhd" names the issuer
    return bool(_KEY_VALUE.match(text)) and line_kind(text) not in ("contact", "registration", "address")


def _column_segment(pl: PageLayout, row_index: int, column: tuple[float, float] | None) -> Segment | None:
    """The row's segment in the letterhead's column (the first line's span), or its only segment."""
    segments = pl.rows[row_index].segments
    if column is None:
        return segments[0]
    x0, x1 = column
    inside = [s for s in segments if min(x1, s.x1) - max(x0, s.x0) > 0]
    return inside[0] if inside else None


def _block_lines(pl: PageLayout) -> list[HeaderLine]:
    lines: list[HeaderLine] = []
    column: tuple[float, float] | None = None
    last_bottom: float | None = None
    for row in pl.rows:
        if row.top > pl.height * LETTERHEAD_DEPTH:
            break
        seg = _column_segment(pl, row.index, column)
        if seg is None or not re.search(r"[^\W\d_]", seg.text) or len(seg.text.strip()) < MIN_LINE_CHARS:
            continue
        if last_bottom is not None and seg.bbox[1] - last_bottom > LETTERHEAD_GAP * pl.body_height:
            break
        if _transactional(seg.text):
            if lines:
                break
            continue
        kind = line_kind(seg.text)
        if kind == "title" and any(line.kind == "name" for line in lines):
            break  # "TAX INVOICE" under the issuer's block opens the document's body
        lines.append(HeaderLine(seg, kind))
        if column is None and kind != "title":
            column = (seg.x0, seg.x1)
        last_bottom = seg.bbox[3]
    return lines


def _name_lines(lines: list[HeaderLine]) -> list[Segment]:
    """The issuer's name: the name line with a legal form before the address (with the lines above it
    continues), else the first name line."""
    before: list[HeaderLine] = []
    for line in lines:
        if line.kind == "address":
            break
        before.append(line)
    names = [k for k, line in enumerate(before) if line.kind == "name"]
    if not names:
        return []
    legal = [k for k in names if LEGAL_FORM.search(before[k].segment.text)]
    k = legal[0] if legal else names[0]
    chosen = [before[k].segment]
    while k > 0 and before[k - 1].kind == "name" and len(chosen) < MAX_NAME_LINES and _continues(chosen[0].text):
        k -= 1
        chosen.insert(0, before[k].segment)
    return chosen


def _continues(text: str) -> bool:
    """Whether a name line continues one above it: it starts with the legal form ("SDN BHD"), with a
    parenthesised part ("(SEMENYIH) SDN BHD") or closes a parenthesis it did not open ("ALAM) SDN BHD")."""
    t = text.lstrip()
    return bool(LEGAL_FORM_START.match(t)) or t[:1] in "()" or t.count(")") > t.count("(")


def _address_lines(lines: list[HeaderLine], name: list[Segment]) -> list[Segment]:
    """From the first address line after the name to the first contact, registration or title line."""
    start = 0
    if name:
        start = next(k for k, line in enumerate(lines) if line.segment is name[-1]) + 1
    out: list[Segment] = []
    for line in lines[start:]:
        if line.kind == "address" or (out and line.kind == "name"):
            out.append(line.segment)
            if ends_with_country(line.segment.text):
                break  # the country is an address's last line (a branch name may follow it)
        elif out or line.kind in ("contact", "title"):
            break  # a branch name or a registration number may stand between the name and the address
    return out


def read_letterhead(layout: DocumentLayout) -> Letterhead | None:
    """The letterhead of a document's first page, or None when its top holds no issuer block.

    Args:
        layout: the document's rows and segments.

    Returns:
        The letterhead with its classified lines, the issuer's name and address lines.
    """
    if not layout.pages or not layout.pages[0].rows:
        return None
    lines = _block_lines(layout.pages[0])
    if not lines:
        return None
    name = _name_lines(lines)
    address = _address_lines(lines, name)
    if not name and not address:
        return None
    return Letterhead(0, lines, name, address)


ADDRESS_WORDS = re.compile(r"(?:^|_)(?:address|anschrift|adresse|addr)(?:$|_)", re.I)
"""Field names that ask for a postal address."""
LETTERHEAD_NAME_SCORE = 0.45
"""A letterhead's name line: below a labelled name (about 0.7 and more), above an address block's first line."""
LEGAL_FORM_BONUS = 0.1
"""A letterhead name with a legal form is more surely the issuer's."""
ADDRESS_SCORE = 0.6
"""An address read from the letterhead's structure, with no label: never as sure as a labelled value."""


def issuer_role(name: str, description: str) -> str:
    """Whose address or name a field asks for: ``seller`` or ``buyer`` by its name's or description's role
    words, else ``other``."""
    low = name.casefold()
    for role, words in ROLE_WORDS.items():
        if any(w in low for w in words):
            return role
    for role, pattern in DESCRIPTION_ROLE_WORDS.items():
        if pattern.search(description):
            return role
    return "other"


def letterhead_name(layout: DocumentLayout, letterhead: Letterhead | None) -> NameCandidate | None:
    """The issuer's name from the letterhead, as a name candidate (scored below a labelled name)."""
    if letterhead is None or not letterhead.name:
        return None
    text = letterhead.name_text
    pl = layout.pages[letterhead.page]
    words = [i for s in letterhead.name for i in s.words]
    first = letterhead.name[0]
    score = LETTERHEAD_NAME_SCORE + (LEGAL_FORM_BONUS if LEGAL_FORM.search(text) else 0.0)
    bbox = union_bbox(pl.page.words[i].bbox for i in words)
    candidate = Candidate("text", text, text, pl.index, first.row, first.index, words, bbox)
    return NameCandidate(candidate, score, "name line of the letterhead", "layout")


def letterhead_address(layout: DocumentLayout, letterhead: Letterhead | None) -> Pick:
    """The issuer's postal address from the letterhead: its address lines joined with single spaces."""
    if letterhead is None or not letterhead.address:
        return Pick(reason="no address lines in the letterhead", by_label=False)
    page = layout.pages[letterhead.page].page
    words = [i for s in letterhead.address for i in s.words]
    ocr = words_confidence(page, words)
    return Pick(
        letterhead.address_text,
        None,
        citations_from_words(page, words),
        ocr,
        "address lines of the letterhead (no label)",
        by_label=False,
        evidence=Evidence("layout", ADDRESS_SCORE, ocr=evidence_ocr(page, ocr)),
    )
