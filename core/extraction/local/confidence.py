"""How sure the local engine is of a value: the evidence it chose the value on, mapped to the probability
that the value is right.

Every value the engine chooses carries its ``Evidence``: how it was found (``kind``: next to a label of the
field, by a prior with no label, by its place in the layout, in a clause of running text, or derived from other
printed evidence), the score of the best candidate (0-1), the best score of a candidate with a different
value, and the OCR confidence of the value's words. ``confidence`` maps that, with the number of words of a
text value, to a probability by a logistic model: ``1 / (1 + exp(-(INTERCEPT + sum of COEFFICIENTS x
features)))``.

Scores are not probabilities: a value printed next to an exact label scores about 0.7, and on the
development sets such values are right 98 times in 100; a prior's guess scores 0.3 and is right about as
often when it is the only value of its kind, less when others are printed (they count as its rival); a name
or an address taken from the letterhead is right far less often. The coefficients were fitted by
``bench/calibrate_local.py`` (logistic regression) on the looked-at parts of the four development sets pooled
(e-invoices, invoices, receipts, contracts), so that no one kind of document sets them; that script reports
the calibration on the held-apart parts and on each set left out of the fit (``bench/results/calibration.md``).
Refit them with it when the engine's scores change.

>>> e = Evidence("label", score=0.72, runner_up=0.0)
>>> confidence(e, "INV-1") > confidence(Evidence("prior", score=0.3), "INV-1")
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, get_args

from core.documents import Page

__all__ = [
    "EvidenceKind",
    "EVIDENCE_KINDS",
    "Evidence",
    "FEATURES",
    "features",
    "confidence",
    "evidence_ocr",
    "MIN_CONFIDENCE",
    "MAX_CONFIDENCE",
]

EvidenceKind = Literal["label", "prior", "layout", "clause", "derived"]
"""How a value was found: next to a label of its field; by a prior with no label (the first date, the
largest amount); by its place in the layout (the letterhead's name and address lines, an address block); in
a clause of running text; derived from other printed evidence (a currency symbol, net + tax = total, a field
the description says it equals)."""
EVIDENCE_KINDS: tuple[EvidenceKind, ...] = get_args(EvidenceKind)

MIN_CONFIDENCE = 0.05
"""The least confidence given: a chosen value is never certainly wrong."""
MAX_CONFIDENCE = 0.99
"""The most confidence given: a chosen value is never certainly right."""
OCR_FLOOR = 1e-3
"""OCR confidences are floored here before their logarithm is taken (a word read at 0 % is still read)."""

FEATURES = ("score", "margin", "log_ocr", "log_words", *(f"kind={k}" for k in EVIDENCE_KINDS[1:]))
"""The model's inputs, in order: the best score (capped at 1), its margin over the runner-up relative to it,
the logarithm of the OCR confidence (0 for a text layer), log(1 + words) of a text value (0 otherwise), and
one indicator per kind other than ``label`` (the baseline)."""

# Written by ``bench/calibrate_local.py --write`` (see the module docstring): the model fitted on the looked-at
# parts of the development sets, C chosen by the sets left out.
INTERCEPT = 1.7948
COEFFICIENTS: dict[str, float] = {
    "score": 0.9001,
    "margin": 0.9824,
    "log_ocr": 1.0325,
    "log_words": -0.2965,
    "kind=prior": -0.0101,
    "kind=layout": -1.6836,
    "kind=clause": -0.4688,
    "kind=derived": 0.2055,
}


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a value was chosen on."""

    kind: EvidenceKind
    score: float
    runner_up: float = 0.0
    ocr: float | None = None

    @property
    def margin(self) -> float:
        """The best score's lead over the runner-up, relative to it: 1 without a rival value, 0 on a tie.

        >>> round(Evidence("label", 0.8, 0.2).margin, 2), Evidence("label", 0.8).margin
        (0.75, 1.0)
        """
        return max(self.score - self.runner_up, 0.0) / self.score if self.score > 0 else 0.0


def evidence_ocr(page: Page, ocr: float | None) -> float | None:
    """The OCR confidence of a value's words that counts as evidence: an OCR page's, None on a text layer."""
    return ocr if page.source == "ocr" else None


def features(evidence: Evidence, value: Any) -> list[float]:
    """The model's inputs for a value chosen on this evidence, in ``FEATURES`` order.

    >>> features(Evidence("prior", 0.3), "two words")[:2], features(Evidence("prior", 0.3), "two words")[-4:]
    ([0.3, 1.0], [1.0, 0.0, 0.0, 0.0])
    """
    words = len(value.split()) if isinstance(value, str) else 0
    ocr = 1.0 if evidence.ocr is None else max(evidence.ocr, OCR_FLOOR)
    return [
        min(evidence.score, 1.0),
        evidence.margin,
        math.log(ocr),
        math.log1p(words),
        *(float(evidence.kind == k) for k in EVIDENCE_KINDS[1:]),
    ]


def confidence(evidence: Evidence, value: Any) -> float:
    """The probability that a value chosen on this evidence is right, clipped to [0.05, 0.99]."""
    z = INTERCEPT + sum(COEFFICIENTS[name] * x for name, x in zip(FEATURES, features(evidence, value), strict=True))
    return max(MIN_CONFIDENCE, min(MAX_CONFIDENCE, 1.0 / (1.0 + math.exp(-z))))
