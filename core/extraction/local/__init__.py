"""The local engine: offline, description-guided extraction of typed values with citations.

How the package is split (one concept per module):

- ``layout``: visual rows and cells rebuilt from word boxes (tilt-tolerant on OCR pages);
- ``cues``: what a field's name and description say (labels, negatives, location, selection, format), with
  the labels of its concept (``core.vocabulary.concepts``) as a supplement;
- ``labels``: where label phrases are printed (exact, fuzzy and compound-word matches, longest wins);
- ``candidates``: every date, amount, currency mark and VAT id of a document, found once;
- ``value_kinds``, ``validators``, ``addresses``: values by what they look like (phone numbers, e-mail and web
  addresses, postal codes, cities, streets, IBANs, BICs, percentages, quantities, durations), found when a field
  first asks; ``party_blocks``: whose block (seller's, buyer's) a value sits in; ``shaped``: choosing such a
  value or none with the reason; ``formats``: the output format a description asks for;
- ``spans`` and ``parties``: identifiers and text right of / below a label; names of seller and buyer;
- ``scoring``: label proximity (same line, below, table header, wrapped line), negatives and rival fields;
- ``selection``: cues, priors, sum rows, net + tax = total, "often equal to";
- ``confidence``: a value's evidence (how it was found, score, margin, OCR) mapped to the probability that it
  is right;
- ``choices``: currencies, booleans, enums; ``items``: line items from ``tables`` into the result;
- ``kinds``: what a field asks for; ``engine``: ``LocalEngine`` putting it together, with a
  per-document cache so a re-run only re-scores.
"""

from core.extraction.local.engine import LocalEngine

__all__ = ["LocalEngine"]
