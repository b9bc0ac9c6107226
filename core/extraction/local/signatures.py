"""Signature blocks: the parties a contract names only where they sign.

An employee's agreement, or one accepted by the other side, often introduces a party only as "the
undersigned", "you" or "I" and names that person at the signature. A signature is a name after "/s/" (a
conformed signature, as filings print them). It is the signature of a party in person unless it is signed for
a company: the heading above it in its column (the nearest short line above that overlaps it and is no
caption such as "By:" or "Name:") names a company, or, without a heading, the signer signs "By:" or has an
office (President, Director ...) printed under the name. A heading that is a role ("EMPLOYEE", "ASSOCIATE:",
"Second Party") makes the signer a party.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from core.extraction.local.layout import DocumentLayout, Segment
from core.extraction.local.prose import ProseText
from core.vocabulary.contracts import (
    NAME_CAPTION,
    NAME_CONNECTORS,
    OFFICER_TITLE,
    SIGNATURE_FIELD,
    SIGNED,
    WITNESS_CLAUSE,
)

__all__ = ["HEADING_ROWS", "TITLE_ROWS", "Signature", "read_signatures", "signing_parties"]

HEADING_ROWS = 5
"""Rows above a signature searched for its heading: the heading, a "By:" line and a blank line or two."""
MAX_HEADING_WORDS = 6
"""A heading names a company or a role; a longer line above a signature is the text before the block."""
TITLE_ROWS = 3
"""Rows under a signature where the signer's printed name and office follow."""
MIN_NAME_WORDS, MAX_NAME_WORDS = 2, 5
"""A signer's name has a given name and a surname, with initials or a middle name at most."""
_BY = re.compile(r"^by\b\s*:?\s*$", re.I)


@dataclass
class Signature:
    """One signature: the signer's name, where it is printed, and what the block says about it."""

    name: str
    page: int
    words: list[int]
    heading: str | None  # the company or the role printed above it in its column
    by: bool  # signed "By:" (for somebody else)
    office: bool  # an office is printed under the name


def _name_words(seg: Segment, layout: DocumentLayout, page: int, captions: bool) -> list[int]:
    """The words of the signer's name after "/s/" in a segment (or, with ``captions``, after "Name:"):
    capitalised words and initials."""
    words = layout.pages[page].page.words
    texts = [words[i].text for i in seg.words]
    marks = [k for k, t in enumerate(texts) if SIGNED.search(t)]
    if marks:
        k = marks[0]
        rest = texts[k][SIGNED.search(texts[k]).end() :]  # type: ignore[union-attr]
    elif captions and NAME_CAPTION.match(seg.text):
        caption = len(NAME_CAPTION.match(seg.text).group(0).rstrip())  # type: ignore[union-attr]
        k, pos = -1, 0
        for j, t in enumerate(texts):  # the last word of the caption (the cell's text is its words, spaced)
            if pos + len(t) <= caption:
                k = j
            pos += len(t) + 1
        rest = ""
    else:
        return []
    ids = ([seg.words[k]] if rest else []) + list(seg.words[k + 1 :])
    out: list[int] = []
    for i in ids:
        text = words[i].text if i != seg.words[k] else rest
        bare = text.strip(",")
        if not bare or SIGNED.search(bare) or not (bare[0].isupper() or bare.casefold() in NAME_CONNECTORS):
            break
        out.append(i)
        if len(out) == MAX_NAME_WORDS or text.endswith(","):
            break
    return out


def _overlaps(a: Segment, x0: float, x1: float) -> bool:
    return a.x0 < x1 and a.x1 > x0


def _signature_area(layout: DocumentLayout) -> tuple[int, int]:
    """Where the signature blocks start: the last row saying "IN WITNESS WHEREOF", else the last page."""
    for pl in reversed(layout.pages):
        for r in range(len(pl.rows) - 1, -1, -1):
            if WITNESS_CLAUSE.search(pl.rows[r].text):
                return pl.index, r
    return (layout.pages[-1].index if layout.pages else 0), 0


def read_signatures(layout: DocumentLayout) -> list[Signature]:
    """Every signature of a document, with its heading, "By:" and office: conformed ones ("/s/ Jane Doe")
    anywhere, printed names ("Name: Jane Doe") in the signature area."""
    out: list[Signature] = []
    area = _signature_area(layout)
    for pl in layout.pages:
        words = pl.page.words
        for r, row in enumerate(pl.rows):
            captions = (pl.index, r) >= area
            for seg in row.segments:
                if not (SIGNED.search(seg.text) or captions and NAME_CAPTION.match(seg.text)):
                    continue
                ids = _name_words(seg, layout, pl.index, captions)
                if not MIN_NAME_WORDS <= len(ids) <= MAX_NAME_WORDS:
                    continue
                name = " ".join(words[i].text for i in ids).replace("/s/", "").strip(" ,")
                x0, x1 = min(words[i].bbox[0] for i in ids), max(words[i].bbox[2] for i in ids)
                # "By:" printed apart, left of the signature, belongs to it (and widens its column).
                left = [t for t in row.segments if t.x1 <= seg.x0]
                by_apart = bool(left and _BY.match(left[-1].text))
                by = by_apart or seg.text.casefold().startswith("by")
                if by_apart:
                    x0 = left[-1].x0
                heading = None
                for above in reversed(pl.rows[max(0, r - HEADING_ROWS) : r]):
                    segs = [s for s in above.segments if _overlaps(s, x0, x1)]
                    text = " ".join(s.text for s in segs).strip()
                    if not text or SIGNATURE_FIELD.match(text) or SIGNED.search(text):
                        continue
                    heading = text.rstrip(":").strip() if len(text.split()) <= MAX_HEADING_WORDS else None
                    break
                below = [
                    s.text for b in pl.rows[r + 1 : r + 1 + TITLE_ROWS] for s in b.segments if _overlaps(s, x0, x1)
                ]
                out.append(
                    Signature(
                        name=name,
                        page=pl.index,
                        words=ids,
                        heading=heading,
                        by=by,
                        office=any(OFFICER_TITLE.search(t) for t in below),
                    )
                )
    return out


def signing_parties(
    layout: DocumentLayout, prose: ProseText, is_company: Callable[[str], bool]
) -> list[tuple[str, int, int]]:
    """The people who sign a contract in person: ``(name, start, end)`` with their place in ``prose``.

    Args:
        layout: the document's layout.
        prose: its running text (for the names' places, which give the citations).
        is_company: whether a heading names a company (a legal form, or a party already found).
    """
    where = {(p, w): s for s, p, w in zip(prose.starts, prose.pages, prose.words, strict=True)}
    out: list[tuple[str, int, int]] = []
    for sig in read_signatures(layout):
        if sig.heading is not None:
            if is_company(sig.heading):
                continue
        elif sig.by or sig.office:
            continue
        first, last = (sig.page, sig.words[0]), (sig.page, sig.words[-1])
        if first in where and last in where:
            end = where[last] + len(layout.pages[sig.page].page.words[sig.words[-1]].text)
            out.append((sig.name, where[first], end))
    return out
