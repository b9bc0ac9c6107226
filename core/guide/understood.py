"""What the local engine understood a field to be, in words for the field guide: the concept and the shape of
the value it reads from the name and description (``core.extraction.local.cues``), which party, which format."""

from __future__ import annotations

from core.extraction.local.cues import read_cues
from core.extraction.local.shaped import SHAPE_NAMES
from core.schema import Field
from core.vocabulary.concepts import BY_KEY

__all__ = ["understood", "understands"]

# What the shapes read after a label are called (the others by ``SHAPE_NAMES``).
_LABELLED_SHAPES = {
    "reference": "a reference printed after its label",
    "person": "a person's name printed after its label",
    "organisation": "an organisation's name printed after its label",
    "period": "a date range printed after its label",
}
_FORMATS = {
    "digits": "digits only",
    "as_printed": "as printed",
    "upper": "in capitals",
    "lower": "in small letters",
    "international": "in international form",
    "number": "as a plain number",
}


def understands(field: Field) -> bool:
    """Whether the local engine reads a concept or a value shape from the field, or labels to look for."""
    cues = read_cues(field)
    return bool(cues.concept or cues.shape or any(label.source == "description" for label in cues.labels))


def understood(field: Field) -> str | None:
    """One sentence on what the local engine will look for, or None when it understood nothing.

    >>> understood(Field(name="field_01", description="Postal code in the invoice recipient's address."))
    'Understood as a postal code, of the buyer (found by what it looks like and where it is printed).'
    """
    cues = read_cues(field)
    if cues.shape in SHAPE_NAMES and cues.shape not in _LABELLED_SHAPES:
        what = f"a {SHAPE_NAMES[cues.shape]}"
        how = "found by what it looks like and where it is printed"
    elif cues.shape in _LABELLED_SHAPES:
        what, how = _LABELLED_SHAPES[cues.shape], "found next to its labels"
    elif cues.concept:
        concept = BY_KEY[cues.concept]
        what = (concept.lead or concept.key.replace("_", " ")).rstrip(".")
        what = what[0].lower() + what[1:]
        how = "found next to its labels"
    elif any(label.source == "description" for label in cues.labels):
        what, how = "the value next to the labels the description quotes", "found next to those labels"
    else:
        return None
    parts = [f"Understood as {what}"]
    if cues.role and cues.concept not in ("seller", "buyer"):
        parts.append(f"of the {cues.role}")
    formats = [_FORMATS[f] for f in sorted(cues.formats) if f in _FORMATS]
    if formats:
        parts.append("returned " + " and ".join(formats))
    return ", ".join(parts) + f" ({how})."
