"""Text right of and below a label: identifier tokens ("RE-4711", "#BLR_123", "DE 123 456 789" without spaces)
and short strings, as candidates for identifier and text fields.
"""

from __future__ import annotations

import re
from typing import Any

from core.extraction.citations import union_bbox
from core.extraction.local.candidates import Candidate
from core.extraction.local.cues import FieldCues
from core.extraction.local.labels import LabelHit
from core.extraction.local.layout import EDGE_TOLERANCE, DocumentLayout, Segment
from core.vocabulary.marks import GLUED_NUMBER_SIGN, NUMBER_SIGNS

__all__ = ["RUNNING_TEXT_WORDS", "in_running_text", "label_values"]

RUNNING_TEXT_WORDS = 10
"""A segment of at least this many words is a sentence, not a label and its value (a cell holds a few)."""
BELOW_ROWS = 3
"""Rows under a label in which its identifier may be (a label over its value, a value in a small table)."""
WORD_LENGTH = 3
"""A token of more letters than this and no digit is a word: it ends the search for an identifier."""

_AMOUNT_LIKE = re.compile(r"^[-(]?[€$£]?\d{1,3}(?:[.,' ]\d{3})*[.,]\d{2}\)?$")
_GROUP_START = re.compile(r"[A-Z]{2}\d{2}|[A-Z]{2}")
_CURRENCY_AFTER = re.compile(r"^(?:[€$£¥₹]|(?:EUR|USD|GBP|CHF)\b)", re.I)
_ID_TOKEN = re.compile(r"^[#№]?[\w][\w\-/.#_]*$", re.UNICODE)


def in_running_text(layout: DocumentLayout, h: LabelHit) -> bool:
    """Whether a label hit is words of a sentence ("... void or unenforceable in such jurisdiction, the ..."):
    a long segment that the hit neither starts nor ends with a colon. The rest of such a line is no value."""
    pl = layout.pages[h.page]
    seg = pl.rows[h.row].segments[h.segment]
    if len(seg.words) < RUNNING_TEXT_WORDS:
        return False
    starts = seg.words[0] == h.words[0]
    return not (starts and pl.page.words[h.words[-1]].text.endswith(":"))


def label_values(layout: DocumentLayout, hits: list[LabelHit], identifier: bool, cues: FieldCues) -> list[Candidate]:
    """Text candidates right of and below each label hit: an identifier token, or the rest of the cell (not
    for a label inside a sentence)."""
    out: list[Candidate] = []
    seen: set[tuple[int, tuple[int, ...]]] = set()
    label_cells = {(h.page, h.row, h.segment) for h in hits}
    for h in hits:
        if not identifier and in_running_text(layout, h):
            continue
        pl = layout.pages[h.page]
        row = pl.rows[h.row]
        regions: list[tuple[Segment, list[int]]] = []
        seg = row.segments[h.segment]
        rest = [w for w in seg.words if w not in h.words and pl.page.words[w].bbox[0] >= h.bbox[2] - EDGE_TOLERANCE]
        if rest:
            regions.append((seg, rest))
        if h.segment + 1 < len(row.segments):
            nxt = row.segments[h.segment + 1]
            regions.append((nxt, list(nxt.words)))
        for r in pl.rows[h.row + 1 : h.row + 1 + BELOW_ROWS]:
            for s in r.segments:
                if (
                    min(h.bbox[2], s.bbox[2]) - max(h.bbox[0], s.bbox[0]) > 0
                    or abs(s.bbox[0] - h.bbox[0]) < 2 * pl.body_height
                ):
                    if (h.page, s.row, s.index) not in label_cells:
                        regions.append((s, list(s.words)))
                    break
        for s, words in regions:
            picked = _identifier_words(pl.page.words, words, cues) if identifier else _text_words(pl.page.words, words)
            if not picked:
                continue
            key = (h.page, tuple(picked))
            if key in seen:
                continue
            seen.add(key)
            if identifier and cues.keep_hash and s.row == h.row:
                k = words.index(picked[0])
                if k > 0 and pl.page.words[words[k - 1]].text == "#":
                    picked = [words[k - 1]] + picked
            texts = [pl.page.words[i].text for i in picked]
            value = ("".join(texts) if cues.no_spaces or (texts and texts[0] == "#") else " ".join(texts)).strip(" :;,")
            if identifier:
                value = GLUED_NUMBER_SIGN.sub("", value.rstrip("."))
            if not value:
                continue
            out.append(
                Candidate(
                    "text",
                    value,
                    " ".join(texts),
                    h.page,
                    s.row,
                    s.index,
                    picked,
                    union_bbox(pl.page.words[i].bbox for i in picked),
                )
            )
    return out


def _identifier_words(words: list[Any], idx: list[int], cues: FieldCues) -> list[int]:
    """The identifier among some words: the first token with a digit (and following parts that belong)."""
    chosen: list[int] = []
    for k, i in enumerate(idx):
        t = GLUED_NUMBER_SIGN.sub("", words[i].text.strip(":;,"))
        if _AMOUNT_LIKE.match(t):
            if chosen:
                break
            continue
        if not t or t in NUMBER_SIGNS:
            if chosen:
                break
            continue
        has_digit = any(ch.isdigit() for ch in t)
        if not chosen:
            if has_digit and _ID_TOKEN.match(t) and not _date_or_amount(t, words, idx, k):
                chosen.append(i)
                # A short first group ("DE88", "DE") may open a spaced identifier such as an IBAN.
                if not cues.no_spaces and not _GROUP_START.fullmatch(t):
                    break
            elif re.search(r"[a-z]{3,}", t) and not has_digit and len(t) > WORD_LENGTH and k > 1:
                break
            continue
        # Glue the following groups ("DE 123 456 789", "DE88 2008 0000 0970 3757 00").
        iban_group = re.fullmatch(r"[A-Z]{4}", t) and re.fullmatch(r"[A-Z]{2}\d{2}", words[chosen[0]].text)
        group = re.fullmatch(r"[\dA-Z]{1,6}", t) and (any(ch.isdigit() for ch in t) or iban_group)
        if group and (cues.no_spaces or re.fullmatch(r"[\dA-Z]{2,4}", t)):
            chosen.append(i)
        else:
            break
    return chosen


def _date_or_amount(t: str, words: list[Any], idx: list[int], k: int) -> bool:
    """A date ("01.03.2018.") or an amount ("300 €") where an identifier was expected."""
    if re.fullmatch(r"\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}-\d{2}-\d{2}", t.rstrip(".")):
        return True
    following = words[idx[k + 1]].text if k + 1 < len(idx) else ""
    return t.replace(".", "").replace(",", "").isdigit() and bool(_CURRENCY_AFTER.match(following))


def _text_words(words: list[Any], idx: list[int]) -> list[int]:
    """The words of a cell after its label, without leading punctuation: a free-text value as printed."""
    picked = [i for i in idx if words[i].text.strip() not in (":", "-", "#")]
    text = " ".join(words[i].text for i in picked)
    return picked if re.search(r"\w", text) else []
