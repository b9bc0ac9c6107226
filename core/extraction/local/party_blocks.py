"""Which party a value on the page belongs to: the seller's block (its name in the letterhead or under its label,
the lines below it, the footer) or the buyer's (the recipient address block), for fields about one party's
address, contact or bank details.

Each party is anchored at where its name is printed (``parties.name_candidates``, as for the name fields) and at
its printed labels ("Verkäufer", "Bill to"); a value belongs to a party as much as it sits on the anchor's line or
in the lines under it, aligned with it and without a gap.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.documents import BBox
from core.extraction.local.candidates import Candidate
from core.extraction.local.cues import SYNONYM_WEIGHT
from core.extraction.local.labels import LabelHit, LabelIndex
from core.extraction.local.layout import DocumentLayout
from core.extraction.local.parties import LETTERHEAD_TOP, MIN_NAME_SCORE, looks_like_label, name_candidates
from core.vocabulary.concepts import BY_KEY

__all__ = ["Anchor", "PartyMap", "ROLES"]

ROLES = ("seller", "buyer")
# How many rows under its anchor a party's block reaches (name, street, city, country, contact lines).
_BLOCK_ROWS = 8
# Vertical space per row within a block, in body text heights: more is a gap between two blocks.
_ROW_SPACING = 2.5
# Bands of the page that belong to the issuer without an anchor: the footer (bank, tax and contact details) and
# the letterhead above everything else (``parties.LETTERHEAD_TOP``), as fractions of the page height; with how
# much they belong.
_FOOTER_FROM, _FOOTER_AFFINITY = 0.82, 0.5
_LETTERHEAD_AFFINITY = 0.4
# A value on the anchor's own line (a sender line "Name ● Street ● Postcode City") belongs this much, when it
# starts right of the anchor within this share of the page width.
_SENDER_LINE_AFFINITY, _SENDER_LINE_REACH = 0.9, 0.4
# A line under the anchor is aligned with it when it starts within this many body text heights of the anchor's
# left edge; each row further down belongs this factor less.
_BLOCK_ALIGN = 3
_ROW_DECAY = 0.97


@dataclass(frozen=True)
class Anchor:
    """Where a party's block starts: its name or label."""

    page: int
    row: int
    bbox: BBox


class PartyMap:
    """The seller's and the buyer's anchors on one document, found when first asked.

    Args:
        layout: the document's rows and segments.
        labels: its label index (for the parties' printed labels).
    """

    def __init__(self, layout: DocumentLayout, labels: LabelIndex) -> None:
        self.layout = layout
        self._labels = labels
        self._anchors: dict[str, list[Anchor]] | None = None

    def _hits(self, role: str) -> list[LabelHit]:
        hits = [h for label in BY_KEY[role].labels for h in self._labels.find(role, label, SYNONYM_WEIGHT)]
        return [h for h in hits if looks_like_label(self.layout.pages[h.page], h)]

    def anchors(self, role: str) -> list[Anchor]:
        """Where the party's name and labels are printed (the best name, every label that looks like one)."""
        if self._anchors is None:
            hits = {r: self._hits(r) for r in ROLES}
            self._anchors = {}
            taken: set[str] = set()
            for r in ROLES:
                other = hits["buyer" if r == "seller" else "seller"]
                names = [n for n in name_candidates(self.layout, r, hits[r], other) if n.score >= MIN_NAME_SCORE]
                names = [n for n in names if n.candidate.value.casefold() not in taken]
                found = [Anchor(h.page, h.row, h.bbox) for h in hits[r]]
                if names:
                    best = names[0].candidate
                    taken.add(best.value.casefold())
                    found.insert(0, Anchor(best.page, best.row, best.bbox))
                self._anchors[r] = found
        return self._anchors[role]

    def affinity(self, c: Candidate, role: str) -> float:
        """How much a candidate belongs to a party's block (0-1)."""
        best = max((self._attached(a, c) for a in self.anchors(role)), default=0.0)
        if role == "seller":
            pl = self.layout.pages[c.page]
            rel = c.bbox[1] / max(pl.height, 1.0)
            if rel >= _FOOTER_FROM:
                best = max(best, _FOOTER_AFFINITY)
            elif c.page == 0 and rel <= LETTERHEAD_TOP:
                best = max(best, _LETTERHEAD_AFFINITY)
        return best

    def side(self, c: Candidate) -> tuple[float, float]:
        """The candidate's affinity to the seller and to the buyer."""
        return self.affinity(c, "seller"), self.affinity(c, "buyer")

    def _attached(self, a: Anchor, c: Candidate) -> float:
        if a.page != c.page:
            return 0.0
        pl = self.layout.pages[c.page]
        body = pl.body_height
        if c.row == a.row:  # the sender line: "Name ● Street ● Postcode City"
            return (
                _SENDER_LINE_AFFINITY
                if c.bbox[0] >= a.bbox[2] - 1 and c.bbox[0] - a.bbox[2] < _SENDER_LINE_REACH * pl.width
                else 0.0
            )
        k = c.row - a.row
        if not 1 <= k <= _BLOCK_ROWS or c.bbox[1] - a.bbox[3] > k * _ROW_SPACING * body:
            return 0.0
        aligned = abs(c.bbox[0] - a.bbox[0]) < _BLOCK_ALIGN * body or a.bbox[0] - body <= c.bbox[0] <= a.bbox[2] + body
        return _ROW_DECAY ** (k - 1) if aligned else 0.0
