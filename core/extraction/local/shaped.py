"""Choosing a value by what it looks like: candidates of the field's shape (``value_kinds``), scored by the
field's labels when printed near them, by the party whose block they sit in, by the description's location,
selection and exclusions; no value (with the reason) when no candidate of the right shape fits.

A value of the right shape without a label starts at ``_SHAPE_PRIOR``; one explained by a label of the field
rises towards 1; one in the other party's block, or next to a label the description excludes, falls below the
floor (``_MIN_SCORE``), so the field stays empty rather than taking the other party's value.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import phonenumbers

from core.extraction.local.candidates import Candidate
from core.extraction.local.cues import FieldCues
from core.extraction.local.labels import LabelHit
from core.extraction.local.layout import DocumentLayout
from core.extraction.local.parties import looks_like_label
from core.extraction.local.party_blocks import PartyMap
from core.extraction.local.scoring import (
    LABEL_REACH_ROWS,
    ScoredCandidate,
    proximity,
    score_candidates,
)
from core.extraction.local.selection import Pick, apply_cues, pick_scored
from core.extraction.local.value_kinds import ShapeIndex
from core.schema import Field
from core.vocabulary.concepts import BY_KEY
from core.vocabulary.shapes import LOCATED_SHAPES

__all__ = ["reads_shape", "pick_shaped", "SHAPE_NAMES"]

# What each shape is called in a reason ("no phone number printed").
SHAPE_NAMES: dict[str, str] = {
    "phone": "phone number",
    "email": "e-mail address",
    "url": "web address",
    "postcode": "postal code",
    "city": "city of an address",
    "street": "street of an address",
    "country": "country of an address",
    "iban": "IBAN",
    "bic": "BIC",
    "vat_id": "VAT number",
    "percent": "percentage",
    "quantity": "quantity with a unit",
    "duration": "duration",
}
# Shapes that belong to one party (its address, contact and bank details): without a role in the description,
# the issuer's, who prints its own details.
_PARTY_SHAPES = frozenset({"phone", "email", "url", "postcode", "city", "street", "country", "iban", "bic", "vat_id"})
_NUMERIC = ("number", "integer")
# A value of the right shape with no label of the field near it (below the floor with the other party's block).
_SHAPE_PRIOR = 0.5
# A labelled value: this much above the prior, scaled by the label's proximity and strength.
_LABEL_GAIN = 0.5
# The least score a shaped value needs to be chosen (the prior in the other party's block stays below it).
_MIN_SCORE = 0.3
# In its own party's block a value keeps this share of its score, plus this much times its affinity to the block.
_OWN_BLOCK, _OWN_BLOCK_GAIN = 0.8, 0.2
# Factors: in the other party's block; in neither party's block; next to an excluded label or another field's.
_OTHER_PARTY, _NO_PARTY = 0.25, 0.7
_EXCLUDED, _RIVAL = 0.25, 0.45
# A negative or rival label this close (proximity x strength) explains the value.
_EXPLAINS = 0.5
# Checks that raise or lower a candidate: a fax number for a phone field (or the reverse), a BIC without its
# label, a VAT number or IBAN whose check digits hold (sample documents often print ones that fail), a
# percentage off a tax row.
_FAX_MISMATCH, _UNLABELLED_BIC, _VALID_CHECK, _NOT_TAX_ROW = 0.35, 0.8, 1.05, 0.5


def reads_shape(f: Field, cues: FieldCues) -> bool:
    """Whether the field is read by its shape here: a shape recognised without a label, of a type that can hold
    it (a number for percentages, quantities and durations, text for the rest), or the buyer's VAT number."""
    if cues.shape == "vat_id":
        return cues.role == "buyer" and f.type == "string"
    if cues.shape == "period":
        return f.type in ("date", "string")
    if cues.shape not in LOCATED_SHAPES:
        return False
    if f.type in _NUMERIC:
        return cues.shape in ("percent", "quantity", "duration")
    return f.type == "string"


def _role(f: Field, cues: FieldCues, name_role: str) -> str | None:
    if cues.role:
        return cues.role
    if name_role in ("seller", "buyer"):
        return name_role
    if "letterhead" in cues.location:
        return "seller"
    return "seller" if cues.shape in _PARTY_SHAPES else None


def _explained(layout: DocumentLayout, c: Candidate, hits: list[LabelHit]) -> float:
    return max(
        (
            proximity(layout, h, c).score * h.strength
            for h in hits
            if h.page == c.page and 0 <= c.row - h.row <= LABEL_REACH_ROWS
        ),
        default=0.0,
    )


def _wants_fax(cues: FieldCues) -> bool:
    """A fax number: the field's concept, or a phone or fax field whose description excludes the other."""
    excluded = {n.phrase.casefold() for n in cues.negatives}
    if excluded & {label.casefold() for label in BY_KEY["fax"].labels}:
        return False
    if excluded & {label.casefold() for label in BY_KEY["phone"].labels}:
        return True
    return cues.concept == "fax"


def _shape_factor(c: Candidate, cues: FieldCues) -> float:
    if cues.shape == "phone":
        return 1.0 if bool(c.flags.get("fax")) == _wants_fax(cues) else _FAX_MISMATCH
    if cues.shape == "bic":
        return 1.0 if c.flags.get("labelled") else _UNLABELLED_BIC
    if cues.shape in ("vat_id", "iban"):
        return _VALID_CHECK if c.flags.get("valid") else 1.0
    if cues.shape == "percent" and cues.concept == "tax_rate" and c.flags.get("tax") is False:
        return _NOT_TAX_ROW
    return 1.0


def _score(
    layout: DocumentLayout,
    parties: PartyMap,
    cands: list[Candidate],
    cues: FieldCues,
    role: str | None,
    hits: tuple[list[LabelHit], list[LabelHit], list[LabelHit]],
) -> list[ScoredCandidate]:
    positives, negatives, rivals = hits
    # Only words printed as labels speak against a value ("...straße" ends a street name, it labels nothing).
    negatives = [h for h in negatives if looks_like_label(layout.pages[h.page], h)]
    rivals = [h for h in rivals if looks_like_label(layout.pages[h.page], h)]
    labelled = {id(s.candidate): s for s in score_candidates(layout, cands, positives, negatives, rivals)}
    out: list[ScoredCandidate] = []
    for c in cands:
        by_label = labelled.get(id(c))
        score = _SHAPE_PRIOR + (_LABEL_GAIN * min(by_label.score, 1.0) if by_label else 0.0)
        reason = by_label.reason if by_label else f"a {SHAPE_NAMES[cues.shape or '']} printed on page {c.page + 1}"
        if _explained(layout, c, negatives) >= _EXPLAINS:
            score *= _EXCLUDED
            reason += "; next to a label the description excludes"
        elif by_label is None and _explained(layout, c, rivals) >= _EXPLAINS:
            score *= _RIVAL
            reason += "; next to another field's label"
        score *= _shape_factor(c, cues)
        if role is not None:
            own = parties.affinity(c, role)
            other = parties.affinity(c, "buyer" if role == "seller" else "seller")
            if own > 0 and own >= other:
                score *= _OWN_BLOCK + _OWN_BLOCK_GAIN * own
                reason += f"; in the {role}'s block"
            elif other > own:
                score *= _OTHER_PARTY
                reason += f"; in the {'buyer' if role == 'seller' else 'seller'}'s block"
            else:
                score *= _NO_PARTY
        out.append(ScoredCandidate(c, score, by_label.hit if by_label else None, reason))
    out.sort(key=lambda s: -s.score)
    return out


def _value(f: Field, c: Candidate, cues: FieldCues, region: str | None) -> Any:
    """The value in the field's type and the description's format."""
    if f.type in _NUMERIC:
        number = c.flags.get("number", c.value)
        return int(number) if f.type == "integer" else float(number)
    if isinstance(c.value, Decimal):
        return f"{c.value.normalize():f}" if "number" in cues.formats else c.text
    if "as_printed" in cues.formats:
        return c.text
    if cues.shape == "phone" and "international" in cues.formats:
        try:
            number = phonenumbers.parse(str(c.value), region or "ZZ")
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        except phonenumbers.NumberParseException:
            return c.value
    if "number" in cues.formats and "number" in c.flags:
        return f"{c.flags['number'].normalize():f}"
    return c.value


def pick_shaped(
    layout: DocumentLayout,
    shapes: ShapeIndex,
    parties: PartyMap,
    f: Field,
    cues: FieldCues,
    hits: tuple[list[LabelHit], list[LabelHit], list[LabelHit]],
    name_role: str,
) -> Pick:
    """The field's value among the document's candidates of its shape, or none with the reason.

    Args:
        layout: the document's rows and segments.
        shapes: its candidates by shape.
        parties: where the seller's and the buyer's blocks are.
        f: the field; cues: what its description says.
        hits: the field's label hits, its negative hits, other fields' label hits (rivals).
        name_role: the party the field's name is about (``kinds.field_role``).
    """
    shape = cues.shape or ""
    cands = shapes.find(shape)
    if shape == "period":
        return _period(layout, cands, cues, hits)
    what = SHAPE_NAMES.get(shape, shape)
    if not cands:
        return Pick(reason=f"no {what} printed on the document")
    role = _role(f, cues, name_role)
    scored = apply_cues(layout, cues, _score(layout, parties, cands, cues, role, hits))
    if not scored or scored[0].score < _MIN_SCORE:
        where = f" in the {role}'s block" if role else " near a label of this field"
        return Pick(reason=f"{len(cands)} {what}(s) printed, but none{where}")
    best = scored[0]
    runner = next((s.score for s in scored[1:] if s.candidate.value != best.candidate.value), 0.0)
    c = best.candidate
    return pick_scored(layout, best, runner, _value(f, c, cues, shapes.region()))


def _period(
    layout: DocumentLayout,
    dates: list[Candidate],
    cues: FieldCues,
    hits: tuple[list[LabelHit], list[LabelHit], list[LabelHit]],
) -> Pick:
    """A date of a labelled range ("Abrechnungszeitraum 01.01.2010 - 31.12.2010"): its first date, or its last
    when the description asks for the last day or the end."""
    scored = score_candidates(layout, dates, *hits)
    if not scored or scored[0].score < _MIN_SCORE:
        return Pick(reason="no date range near a label of this field")
    best = scored[0]
    c = best.candidate
    same_row = sorted((d for d in dates if d.page == c.page and d.row == c.row and d.x0 >= c.x0), key=lambda d: d.x0)
    chosen, reason = c, best.reason
    if cues.selection == "last" and len(same_row) > 1:
        chosen, reason = same_row[1], f"{best.reason}; the end of the range"
    runner = next((s.score for s in scored[1:] if s.candidate.value not in (c.value, chosen.value)), 0.0)
    return pick_scored(layout, ScoredCandidate(chosen, best.score, best.hit, reason), runner, chosen.value.isoformat())
