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
from core.extraction.local.labels import LabelHit
from core.extraction.local.layout import DocumentLayout, PageLayout, Segment, make_segment
from core.vocabulary.parties import (
    ADDRESS_LABEL,
    LEGAL_FORM,
    NAME_KEY,
    NOT_A_NAME_START,
    REGISTRATION_NUMBER,
    SALUTATION,
    STREET,
)

__all__ = ["NameCandidate", "name_candidates", "cut_name", "is_name_like", "looks_like_label"]

_SEPARATORS = re.compile(r"\s+[-–—|•●·∙]\s+|\s*[|•●·∙]\s*|,\s+|\s{3,}")
_POSTCODE_CITY = re.compile(
    r"(?:^|\s)(?:[A-Z]{1,2}[- ]?)?\d{4,5}\s+\w{2,}"  # DE 80333 München, 75001 Paris
    r"|\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b"  # UK postcodes
    r"|\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b"  # US states with ZIP
)
_KEY_VALUE = re.compile(r"^[^:]{1,40}:\s*\S")


@dataclass
class NameCandidate:
    """A name found in a segment, with the words it spans."""

    candidate: Candidate
    score: float
    reason: str


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
    if gap > 0.9 * pl.body_height:
        return None
    for _k, other in enumerate(row.segments):
        if abs(other.bbox[0] - seg.bbox[0]) < 2.0:
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
    rows = [r for r in pl.rows if r.bbox[1] < pl.height * 0.55]
    for r in rows:
        for seg in r.segments:
            if not _POSTCODE_CITY.search(seg.text):
                continue
            block = [seg]
            cur = seg
            for prev_row in range(seg.row - 1, max(seg.row - 7, -1), -1):
                above = [s for s in pl.rows[prev_row].segments if abs(s.bbox[0] - cur.bbox[0]) < 1.5 * pl.body_height]
                if not above:
                    continue
                gap = cur.bbox[1] - above[0].bbox[3]
                if gap > 2.2 * pl.body_height:
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
    if h.similarity < 0.92 or seg.words[0] != h.words[0]:
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
                    and not any(o.bbox[0] < value.bbox[0] - 2 for o in pl.rows[above.row].segments)
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
        if pl.page.words[w].bbox[0] >= h.bbox[2] - 0.5 and w not in h.words and re.search(r"\w", pl.page.words[w].text)
    ]
    options: list[tuple[Segment, float, str]] = []
    if rest_words:
        options.append((_tail(seg, rest_words), 1.0, "right of"))
        return options
    if h.segment + 1 < len(row.segments):
        nxt = row.segments[h.segment + 1]
        if nxt.bbox[0] - h.bbox[2] < 0.25 * pl.width and (h.page, nxt.row, nxt.index) not in label_cells:
            # A label without a colon more often heads the block below it than names the cell beside it.
            colon = pl.page.words[h.words[-1]].text.endswith(":")
            options.append((nxt, 0.9 if colon else 0.75, "right of"))
    below = _below_label(pl, h)
    return options + ([below] if below else [])


def _below_label(pl: PageLayout, h: LabelHit) -> tuple[Segment, float, str] | None:
    """The first name-like cell under a label (or the value of a "Name:" line), within seven rows."""
    for k, r in enumerate(pl.rows[h.row + 1 : h.row + 8]):
        kv = _key_value(pl, r.index)
        if kv is not None:
            return kv, 0.9 * (0.95**k), "below, after 'Name:'"
        segs = [
            s
            for s in r.segments
            if abs(s.bbox[0] - h.bbox[0]) < 3 * pl.body_height or (s.bbox[0] <= h.bbox[0] <= s.bbox[2])
        ]
        if not segs:
            continue
        s = segs[0]
        following = r.segments[s.index + 1].text if s.index + 1 < len(r.segments) else ""
        key_value = re.match(r"^[^:]{1,40}?\s*:", s.text) or following.startswith(":")
        if key_value and not LEGAL_FORM.search(s.text.split(":")[0]):
            continue
        if is_name_like(cut_name(s.text)):
            return s, 0.85 * (0.93**k), "below"
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
        right_side = first.bbox[0] > pl.width * 0.45
        has_company = bool(LEGAL_FORM.search(c.text))
        labelled_rival = any((0, r) in rival_rows for r in range(first.row - 2, first.row + 1))
        if role == "buyer":
            score = 0.45 if not right_side else 0.38
            if first.bbox[1] < pl.height * 0.12:  # a block at the very top is the sender's letterhead
                score *= 0.7
        else:
            score = 0.3 + (0.08 if has_company else 0.0) + (0.05 if right_side else 0.0)
        score *= 0.5 if labelled_rival else 1.0
        out.append(NameCandidate(c, score, "first line of an address block"))
    return out


def _letterhead_names(pl: PageLayout) -> list[NameCandidate]:
    """A seller's name without a label: a company near the top, the largest text of the letterhead, or a
    company in the footer (a letterhead that is a logo image)."""
    out: list[NameCandidate] = []
    for r in pl.rows:
        if r.bbox[1] > pl.height * 0.35:
            break
        for seg in r.segments:
            if LEGAL_FORM.search(seg.text):
                c = _segment_candidate(pl, seg)
                if c and LEGAL_FORM.search(c.text):
                    small = r.height < pl.body_height * 0.95
                    sender_line = bool(_SEPARATORS.search(seg.text)) and bool(re.search(r"\d", seg.text))
                    score = (
                        0.5 + (0.1 if sender_line else 0.0) + (0.02 if small else 0.0) - 0.1 * (r.bbox[1] / pl.height)
                    )
                    out.append(NameCandidate(c, score, "company name near the top of the first page"))
    top = [(seg, r.height) for r in pl.rows if r.bbox[1] < pl.height * 0.2 for seg in r.segments]
    if top:
        big, height = max(top, key=lambda t: t[1])
        if height > pl.body_height * 1.3:
            c = _segment_candidate(pl, big)
            if c:
                out.append(NameCandidate(c, 0.4, "largest text in the letterhead"))
    for r in pl.rows:
        if r.bbox[1] < pl.height * 0.85:
            continue
        for seg in r.segments:
            c = _segment_candidate(pl, seg) if LEGAL_FORM.search(seg.text) else None
            if c and LEGAL_FORM.search(c.text):
                out.append(NameCandidate(c, 0.33, "company name in the footer"))
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
