"""Names of the parties of a document: the seller in the letterhead or sender line, the buyer in the
recipient address block, or whoever a label names.

Candidates are line spans (segments) cut to the name ("Name only, without street"): the text before a
separator such as " - ", "●", "|" or a comma, or up to a legal-form suffix (GmbH, AG, Ltd, Inc, SARL ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.extraction.citations import union_bbox
from core.extraction.local.candidates import Candidate
from core.extraction.local.confidence import EvidenceKind
from core.extraction.local.labels import LabelHit
from core.extraction.local.layout import EDGE_TOLERANCE, DocumentLayout, PageLayout, Segment, make_segment
from core.vocabulary.parties import (
    ADDRESS_LABEL,
    LEGAL_FORM,
    LEGAL_FORM_SPELLINGS,
    NAME_KEY,
    NOT_A_NAME_START,
    REGISTRATION_NUMBER,
    SALUTATION,
    STREET,
)

__all__ = ["NameCandidate", "name_candidates", "cut_name", "is_name_like", "looks_like_label", "mend_legal_form"]

_SEPARATORS = re.compile(r"\s+[-–—|•●·∙]\s+|\s*[|•●·∙]\s*|,\s+|\s{3,}")
_POSTCODE_CITY = re.compile(
    r"(?:^|\s)(?:[A-Z]{1,2}[- ]?)?\d{4,5}\s+\w{2,}"  # DE 80333 München, 75001 Paris
    r"|\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b"  # UK postcodes
    r"|\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b"  # US states with ZIP
)
_KEY_VALUE = re.compile(r"^[^:]{1,40}:\s*\S")

# Geometry. Heights are multiples of the page's body line height (``PageLayout.body_height``), shares are of
# the page's width or height, tolerances are PDF points.
ALIGN_TOLERANCE = 2.0
"""PDF points two left edges may differ and still be one column (word boxes of one margin differ by rounding)."""
STACKED_LINE_GAP = 0.9
"""Line heights of gap up to which a line right above or below continues a party's lines (no blank line)."""
ADDRESS_AREA = 0.55
"""Share of the first page's height, from the top, where address blocks are looked for (the letter head and
the recipient's window)."""
ADDRESS_BLOCK_REACH = 7
"""An address block is its postcode/city line and at most six lines above it (name, attention, street...)."""
ADDRESS_ALIGN = 1.5
"""Line heights the left edges of one address block's lines may differ (an indented line)."""
ADDRESS_LINE_GAP = 2.2
"""Line heights of gap above which a line no longer belongs to the address block below it (about two blank
lines)."""
LABEL_SIMILARITY = 0.92
"""A label hit names a party only above this similarity: a near-exact match (a loose match of a common word is
running text)."""
NEXT_CELL_REACH = 0.25
"""Share of the page width within which the cell right of a label may hold its value (further is another column)."""
BELOW_LABEL_ROWS = 7
"""Rows under a label in which its name is looked for (a party's block with a few lines of its own labels)."""
BELOW_LABEL_ALIGN = 3
"""Line heights a cell under a label may start left or right of it and still be in its column."""
RIVAL_LABEL_ROWS = 2
"""Rows above an address block in which the other party's label makes it that party's block."""
RIGHT_SIDE = 0.45
"""Share of the page width right of which an address block is on the right side of the page."""
LETTERHEAD_TOP = 0.12
"""Share of the page height, from the top, that is the sender's letterhead: an address block there is the
sender's, not the recipient's."""
LETTERHEAD_AREA = 0.35
"""Share of the first page's height, from the top, searched for a company name (the letterhead)."""
SMALL_PRINT = 0.95
"""A row lower than this many body line heights is small print (the sender line above a recipient's address)."""
LARGEST_TEXT_AREA = 0.2
"""Share of the page height, from the top, whose largest text may be the seller's name (a logo in letters)."""
LARGE_TEXT = 1.3
"""Line heights above which the largest text of the letterhead counts as a name set large."""
FOOTER_AREA = 0.85
"""Share of the page height below which rows are the footer (a company's name, address and registration)."""

# Base scores of where a name was found (0..1, multiplied by a label's strength): a label's value scores above
# an address block's first line, which scores above the letterhead's guesses. Tuned on the development sets.
REST_OF_CELL_SCORE = 1.0
"""The rest of the label's own cell ("Seller: ACME Ltd")."""
NEXT_CELL_SCORE = 0.9
"""The cell right of a label that ends in a colon."""
NEXT_CELL_NO_COLON_SCORE = 0.75
"""The cell right of a label without a colon, which more often heads the block below it."""
KEY_VALUE_BELOW_SCORE = 0.9
"""The value of a "Name: ..." line under a label."""
KEY_VALUE_ROW_DECAY = 0.95
"""Factor per row between the label and that "Name:" line."""
BELOW_LABEL_SCORE = 0.85
"""The first name-like cell under a label."""
BELOW_LABEL_DECAY = 0.93
"""Factor per row between the label and that cell."""
BUYER_BLOCK_SCORE = 0.45
"""The first line of an address block on the left, for the buyer (where a window envelope shows it)."""
BUYER_BLOCK_RIGHT_SCORE = 0.38
"""The same on the right side of the page."""
LETTERHEAD_BLOCK_FACTOR = 0.7
"""Factor for a buyer's block at the very top (``LETTERHEAD_TOP``): more likely the sender's letterhead."""
SELLER_BLOCK_SCORE = 0.3
"""The first line of an address block, for the seller (the buyer's block is an address block too)."""
SELLER_COMPANY_BONUS = 0.08
"""Added when that line has a legal form (a company sells more often than it buys from a person)."""
SELLER_RIGHT_BONUS = 0.05
"""Added when the block is on the right side (a sender's block beside the recipient's)."""
RIVAL_LABEL_FACTOR = 0.5
"""Factor for an address block right under the other party's label."""
LETTERHEAD_COMPANY_SCORE = 0.5
"""A company name (legal form) near the top of the first page."""
SENDER_LINE_BONUS = 0.1
"""Added when it is in a sender line ("ACME GmbH - Road 1 - 12345 Town")."""
SMALL_PRINT_BONUS = 0.02
"""Added when it is small print (a sender line is printed small)."""
DEPTH_PENALTY = 0.1
"""Subtracted times the row's depth as a share of the page height: the higher, the likelier the letterhead."""
LARGEST_TEXT_SCORE = 0.4
"""The largest text of the letterhead."""
FOOTER_COMPANY_SCORE = 0.33
"""A company name in the footer (a letterhead that is a logo image)."""
MIN_NAME_SCORE = 0.25
"""The least score a name needs to be a party's name (the name fields' floor) or to anchor its block."""


@dataclass
class NameCandidate:
    """A name found in a segment, with the words it spans."""

    candidate: Candidate
    score: float
    reason: str
    kind: EvidenceKind = "label"


def mend_legal_form(name: str) -> str:
    """A name read by OCR with its legal form mended where one letter of it was misread.

    The last words of the name are compared with each of ``LEGAL_FORM_SPELLINGS`` by their letters: the same
    number of letters, exactly one of them different. They are then written as the form is spelled, in capitals
    when they were printed in capitals. A name that already ends with a spelling, that is no longer than the
    form, or that is one letter from two forms ("PTA LTD": "Pte Ltd" or "Pty Ltd") is returned as it is.

    >>> mend_legal_form("FOUR QUARTERS SUN BHD"), mend_legal_form("Muster GmbB")
    ('FOUR QUARTERS SDN BHD', 'Muster GmbH')
    >>> mend_legal_form("SUN BHD"), mend_legal_form("Muster Gmbh"), mend_legal_form("ACME PTY LTD")
    ('SUN BHD', 'Muster Gmbh', 'ACME PTY LTD')
    """
    words = name.split()
    mends: list[str] = []
    for form in LEGAL_FORM_SPELLINGS:
        parts = form.split()
        if len(words) <= len(parts):
            continue
        tail = words[-len(parts) :]
        printed = "".join(ch for ch in "".join(tail) if ch.isalpha()).casefold()
        spelled = "".join(parts).casefold()
        if printed == spelled:
            return name
        if len(printed) == len(spelled) and sum(a != b for a, b in zip(printed, spelled, strict=True)) == 1:
            mended = form.upper() if all(w.isupper() for w in tail) else form
            mends.append(" ".join([*words[: -len(parts)], mended]))
    return mends[0] if len(mends) == 1 else name


def cut_name(text: str) -> str:
    """The name part of a segment: before a separator, a street or an address.

    >>> cut_name("Bei Spiel GmbH ● Ecke 12 ● 12345 Stadthausen"), cut_name("ACME Ltd, 1 Road")
    ('Bei Spiel GmbH', 'ACME Ltd')
    """
    text = text.strip()
    parts = [p for p in _SEPARATORS.split(text) if p and re.search(r"[^\W\d_]", p)]
    name = parts[0].strip(" ,;:-") if parts else text.strip()
    return REGISTRATION_NUMBER.sub("", name) or name  # "Name only, without registration number"


def is_name_like(text: str) -> bool:
    """Whether a segment's text can be a person's or company's name (letters, no "key: value", no address).

    >>> is_name_like("Kunden AG Mitte"), is_name_like("Nummer : 549910"), is_name_like("69876 Frankfurt")
    (True, False, False)
    """
    t = text.strip()
    if (
        len(t) < 2
        or _KEY_VALUE.match(t)
        or t.endswith(":")
        or NOT_A_NAME_START.match(t)
        or "@" in t
        or ADDRESS_LABEL.search(t)
    ):
        return False
    letters = sum(ch.isalpha() for ch in t)
    digits = sum(ch.isdigit() for ch in t)
    if letters < 2 or digits > letters / 2:
        return False
    return not (_POSTCODE_CITY.search(t) and not LEGAL_FORM.search(t))


def _segment_candidate(pl: PageLayout, seg: Segment) -> Candidate | None:
    name = cut_name(seg.text)
    if not is_name_like(name) or STREET.search(name) and not LEGAL_FORM.search(name) and re.search(r"\d", name):
        return None
    start = seg.text.find(name)
    if start < 0:
        return None
    words = seg.words_in_span(start, start + len(name))
    if not words:
        return None
    return Candidate(
        "text",
        name,
        name,
        pl.index,
        seg.row,
        seg.index,
        words,
        union_bbox(pl.page.words[i].bbox for i in words),
    )


def _stacked(pl: PageLayout, seg: Segment, direction: int) -> Segment | None:
    """The segment right above (-1) or below (+1) another at the same left edge, with no cell left of it."""
    r = seg.row + direction
    if not 0 <= r < len(pl.rows):
        return None
    row = pl.rows[r]
    gap = (seg.bbox[1] - row.bbox[3]) if direction < 0 else (row.bbox[1] - seg.bbox[3])
    if gap > STACKED_LINE_GAP * pl.body_height:
        return None
    for _k, other in enumerate(row.segments):
        if abs(other.bbox[0] - seg.bbox[0]) < ALIGN_TOLERANCE:
            return other
        if other.bbox[0] > seg.bbox[0]:
            break
    return None


def _extend_name(pl: PageLayout, candidate: Candidate) -> Candidate:
    """A name continued on the next line after a salutation alone on its line ("Mr." / "John Smith")."""
    seg = pl.rows[candidate.row].segments[candidate.segment]
    text, words = candidate.value, list(candidate.words)
    below = _stacked(pl, seg, +1)
    continues = below is not None and is_name_like(below.text) and not re.search(r"\d", below.text)
    if below is not None and continues and SALUTATION.match(text.strip()):
        text, words = f"{text} {below.text}", words + list(below.words)
    if words == candidate.words:
        return candidate
    bbox = union_bbox(pl.page.words[i].bbox for i in words)
    return Candidate("text", text, text, candidate.page, candidate.row, candidate.segment, words, bbox)


def _address_blocks(pl: PageLayout) -> list[list[Segment]]:
    """Runs of left-aligned segments on consecutive rows that end in a postcode/city line (upper half)."""
    blocks: list[list[Segment]] = []
    rows = [r for r in pl.rows if r.bbox[1] < pl.height * ADDRESS_AREA]
    for r in rows:
        for seg in r.segments:
            if not _POSTCODE_CITY.search(seg.text):
                continue
            block = [seg]
            cur = seg
            for prev_row in range(seg.row - 1, max(seg.row - ADDRESS_BLOCK_REACH, -1), -1):
                above = [
                    s
                    for s in pl.rows[prev_row].segments
                    if abs(s.bbox[0] - cur.bbox[0]) < ADDRESS_ALIGN * pl.body_height
                ]
                if not above:
                    continue
                gap = cur.bbox[1] - above[0].bbox[3]
                if gap > ADDRESS_LINE_GAP * pl.body_height:
                    break
                line = above[0].text.strip()
                if line.endswith(":") or _KEY_VALUE.match(line) or ADDRESS_LABEL.search(line):
                    break  # a label or a "key: value" line closes the block above
                block.insert(0, above[0])
                cur = above[0]
            if len(block) >= 2:
                blocks.append(block)
    return blocks


def looks_like_label(pl: PageLayout, h: LabelHit) -> bool:
    """A label starts its cell and ends it or is followed by a colon; otherwise the words are just text."""
    seg = pl.rows[h.row].segments[h.segment]
    if h.similarity < LABEL_SIMILARITY or seg.words[0] != h.words[0]:
        return False
    last = pl.page.words[h.words[-1]].text
    if seg.words[-1] == h.words[-1] or last.endswith(":"):
        return True
    k = seg.words.index(h.words[-1])
    return pl.page.words[seg.words[k + 1]].text.startswith(":")


def _key_value(pl: PageLayout, row_index: int) -> Segment | None:
    """The value of a "Name: ..." line of a party's block."""
    row = pl.rows[row_index]
    for k, seg in enumerate(row.segments):
        if NAME_KEY.match(seg.text):
            rest = seg.text.split(":", 1)[1].strip()
            if rest:
                start = seg.text.index(rest)
                words = seg.words_in_span(start, start + len(rest))
                return _tail(seg, words)
            if k + 1 < len(row.segments):
                value = row.segments[k + 1]
                above = _stacked(pl, value, -1)
                if (
                    above is not None
                    and not any(o.bbox[0] < value.bbox[0] - ALIGN_TOLERANCE for o in pl.rows[above.row].segments)
                    and is_name_like(above.text)
                    and not re.search(r"\d", above.text)
                ):
                    return make_segment(pl.page, value.page, above.row, above.index, above.words + value.words)
                return value
    return None


def _tail(seg: Segment, words: list[int]) -> Segment:
    """The part of a segment from the first of ``words`` on (the value after a label in the same cell)."""
    k0 = seg.words.index(words[0])
    return Segment(
        seg.page,
        seg.row,
        seg.index,
        words,
        seg.text[seg.starts[k0] :],
        [s - seg.starts[k0] for s in seg.starts[k0:]],
        seg.bbox,
    )


def _label_options(
    pl: PageLayout, h: LabelHit, label_cells: set[tuple[int, int, int]]
) -> list[tuple[Segment, float, str]]:
    """Where a label's name may be, with a base score: the rest of its cell or the next cell, else below it."""
    row = pl.rows[h.row]
    seg = row.segments[h.segment]
    # Right of the label: rest of its segment, or the next segment.
    rest_words = [
        w
        for w in seg.words
        if pl.page.words[w].bbox[0] >= h.bbox[2] - EDGE_TOLERANCE
        and w not in h.words
        and re.search(r"\w", pl.page.words[w].text)
    ]
    options: list[tuple[Segment, float, str]] = []
    if rest_words:
        options.append((_tail(seg, rest_words), REST_OF_CELL_SCORE, "right of"))
        return options
    if h.segment + 1 < len(row.segments):
        nxt = row.segments[h.segment + 1]
        if nxt.bbox[0] - h.bbox[2] < NEXT_CELL_REACH * pl.width and (h.page, nxt.row, nxt.index) not in label_cells:
            # A label without a colon more often heads the block below it than names the cell beside it.
            colon = pl.page.words[h.words[-1]].text.endswith(":")
            options.append((nxt, NEXT_CELL_SCORE if colon else NEXT_CELL_NO_COLON_SCORE, "right of"))
    below = _below_label(pl, h)
    return options + ([below] if below else [])


def _below_label(pl: PageLayout, h: LabelHit) -> tuple[Segment, float, str] | None:
    """The first name-like cell under a label (or the value of a "Name:" line), within seven rows."""
    for k, r in enumerate(pl.rows[h.row + 1 : h.row + 1 + BELOW_LABEL_ROWS]):
        kv = _key_value(pl, r.index)
        if kv is not None:
            return kv, KEY_VALUE_BELOW_SCORE * (KEY_VALUE_ROW_DECAY**k), "below, after 'Name:'"
        segs = [
            s
            for s in r.segments
            if abs(s.bbox[0] - h.bbox[0]) < BELOW_LABEL_ALIGN * pl.body_height or (s.bbox[0] <= h.bbox[0] <= s.bbox[2])
        ]
        if not segs:
            continue
        s = segs[0]
        following = r.segments[s.index + 1].text if s.index + 1 < len(r.segments) else ""
        key_value = re.match(r"^[^:]{1,40}?\s*:", s.text) or following.startswith(":")
        if key_value and not LEGAL_FORM.search(s.text.split(":")[0]):
            continue
        if is_name_like(cut_name(s.text)):
            return s, BELOW_LABEL_SCORE * (BELOW_LABEL_DECAY**k), "below"
    return None


def _block_names(pl: PageLayout, role: str, rivals: list[LabelHit]) -> list[NameCandidate]:
    """The first line of each address block: the buyer's on the left, a seller's (with a legal form) anywhere;
    less when the other party's label is just above it."""
    out: list[NameCandidate] = []
    rival_rows = {(h.page, h.row) for h in rivals}
    for block in _address_blocks(pl):
        first = block[0]
        c = _segment_candidate(pl, first)
        if c is None and len(block) > 2:
            c = _segment_candidate(pl, block[1])
        if c is None:
            continue
        c = _extend_name(pl, c)
        right_side = first.bbox[0] > pl.width * RIGHT_SIDE
        has_company = bool(LEGAL_FORM.search(c.text))
        labelled_rival = any((0, r) in rival_rows for r in range(first.row - RIVAL_LABEL_ROWS, first.row + 1))
        if role == "buyer":
            score = BUYER_BLOCK_SCORE if not right_side else BUYER_BLOCK_RIGHT_SCORE
            if first.bbox[1] < pl.height * LETTERHEAD_TOP:  # a block at the very top is the sender's letterhead
                score *= LETTERHEAD_BLOCK_FACTOR
        else:
            score = (
                SELLER_BLOCK_SCORE
                + (SELLER_COMPANY_BONUS if has_company else 0.0)
                + (SELLER_RIGHT_BONUS if right_side else 0.0)
            )
        score *= RIVAL_LABEL_FACTOR if labelled_rival else 1.0
        out.append(NameCandidate(c, score, "first line of an address block", "layout"))
    return out


def _letterhead_names(pl: PageLayout) -> list[NameCandidate]:
    """A seller's name without a label: a company near the top, the largest text of the letterhead, or a
    company in the footer (a letterhead that is a logo image)."""
    out: list[NameCandidate] = []
    for r in pl.rows:
        if r.bbox[1] > pl.height * LETTERHEAD_AREA:
            break
        for seg in r.segments:
            if LEGAL_FORM.search(seg.text):
                c = _segment_candidate(pl, seg)
                if c and LEGAL_FORM.search(c.text):
                    small = r.height < pl.body_height * SMALL_PRINT
                    sender_line = bool(_SEPARATORS.search(seg.text)) and bool(re.search(r"\d", seg.text))
                    score = (
                        LETTERHEAD_COMPANY_SCORE
                        + (SENDER_LINE_BONUS if sender_line else 0.0)
                        + (SMALL_PRINT_BONUS if small else 0.0)
                        - DEPTH_PENALTY * (r.bbox[1] / pl.height)
                    )
                    out.append(NameCandidate(c, score, "company name near the top of the first page", "layout"))
    top = [(seg, r.height) for r in pl.rows if r.bbox[1] < pl.height * LARGEST_TEXT_AREA for seg in r.segments]
    if top:
        big, height = max(top, key=lambda t: t[1])
        if height > pl.body_height * LARGE_TEXT:
            c = _segment_candidate(pl, big)
            if c:
                out.append(NameCandidate(c, LARGEST_TEXT_SCORE, "largest text in the letterhead", "layout"))
    for r in pl.rows:
        if r.bbox[1] < pl.height * FOOTER_AREA:
            continue
        for seg in r.segments:
            c = _segment_candidate(pl, seg) if LEGAL_FORM.search(seg.text) else None
            if c and LEGAL_FORM.search(c.text):
                out.append(NameCandidate(c, FOOTER_COMPANY_SCORE, "company name in the footer", "layout"))
                break
    return out


def name_candidates(
    layout: DocumentLayout,
    role: str,
    positives: list[LabelHit],
    rivals: list[LabelHit],
    label_cells: set[tuple[int, int, int]] | None = None,
) -> list[NameCandidate]:
    """Candidates for a party's name, scored.

    Args:
        layout: The document layout.
        role: ``seller`` (letterhead, sender line, company suffix near the top), ``buyer`` (recipient block)
            or ``other`` (only what labels point at).
        positives: The field's label hits (e.g. "Verkäufer", "Bill to").
        rivals: The other party's label hits (a seller name is not under "Bill to").
        label_cells: Cells holding other fields' labels (no name beside a label is one of them).

    Returns:
        Scored candidates, best first.
    """
    label_cells = label_cells or set()
    out: list[NameCandidate] = []
    for h in positives:
        pl = layout.pages[h.page]
        if not looks_like_label(pl, h):
            continue
        for s, base, rel in _label_options(pl, h, label_cells):
            c = _segment_candidate(pl, s)
            if c:
                if rel == "below":
                    c = _extend_name(pl, c)
                out.append(NameCandidate(c, base * h.strength, f"label '{h.phrase}' {rel}"))
    if role in ("seller", "buyer") and layout.pages:
        out += _block_names(layout.pages[0], role, rivals)
        if role == "seller":
            out += _letterhead_names(layout.pages[0])
    out.sort(key=lambda n: -n.score)
    return out
