"""Suggested descriptions: the user's words kept, plus the labels the value is printed under, where it
usually is and the format to return it in (from the field concepts of ``core.vocabulary.concepts``)."""

from __future__ import annotations

from collections.abc import Sequence

from core.guide.wording import is_vague, mentions_format, mentions_labels, mentions_location
from core.schema import Field
from core.vocabulary.concepts import Concept, find_concept
from core.vocabulary.kinds import QUESTION_WORDS, ValueKind, named_kind
from core.vocabulary.words import name_words, singular

__all__ = ["build_description", "output_format"]

_AMOUNT_FORMAT = "as a plain number with a dot as decimal separator, without currency symbol or thousands separators"


def output_format(field_type: str, kind: ValueKind | None, values: Sequence[object] = ()) -> str:
    """The output-format sentence for a field of this type and kind (empty when none is needed)."""
    if field_type == "date" or kind == "date" and field_type == "string":
        return "returned as YYYY-MM-DD"
    if field_type == "enum":
        return "one of: " + ", ".join(str(v) for v in values) if values else "one of the allowed values"
    if field_type == "boolean":
        return "answer true if so, false if not"
    if kind == "amount":
        return _AMOUNT_FORMAT
    if kind == "percent":
        return "as a plain number without the % sign (19 for 19 %)"
    if field_type == "integer" or kind == "count":
        return "as a whole number"
    if field_type == "number" or kind == "quantity":
        return "as a plain number without unit"
    if kind == "currency":
        return "as an ISO 4217 code such as EUR or USD, derived from a symbol such as € when none is printed"
    if kind == "identifier":
        return "exactly as printed, including any letters, prefixes and separators"
    if kind == "name":
        return "as printed"
    return ""


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".;,?:")
    return text[:1].upper() + text[1:] if text else text


def build_description(field: Field, user_text: str | None = None) -> str:
    """A rewritten description for ``field``: the user's text kept, plus labels, location and output format.

    Args:
        field: the field (its name, type, values and description are used).
        user_text: the text to keep; defaults to ``field.description``.

    Returns:
        One or two sentences.

    >>> build_description(Field(name="due_date", type="date")).startswith("The date by which payment is due")
    True
    """
    words = name_words(field.name)
    text = (field.description if user_text is None else user_text).strip()
    found = find_concept(words)
    concept, whole = found if found else (None, False)
    kind = named_kind(field.name, text) or (concept.kind if concept else None)
    keep = bool(text) and not is_vague(text)
    title = " ".join(words).capitalize() or "Value"
    if field.type == "array":
        return _array_description(field, text if keep else "", concept if whole else None, title)
    if keep:
        lead = _sentence(text)
    elif field.type == "object":
        lead = f"The {title.lower()} block"
    elif concept and whole:
        lead = concept.lead
    elif field.type == "boolean":
        stem = words[1:] if words and words[0] in QUESTION_WORDS else words
        verb = words[0] if words and words[0] in QUESTION_WORDS else "is"
        lead = f"Whether the document {verb} {' '.join(stem)}".rstrip()
    else:
        lead = f"The value labelled '{title}' (or a similar label)"
    if field.type == "boolean":  # a yes/no question has no label of its own; the question is the cue
        if keep and text.endswith("?"):
            return f"{_sentence(lead)}? Answer true if so, false if not."
        return f"{_sentence(lead)}: true if so, false if not."
    parts = [lead]
    located = mentions_location(lead)
    if not mentions_labels(lead):
        if concept and whole:
            parts[0] += f" ({', '.join(concept.quoted)})"
        else:
            parts.append(f"labelled '{title}' or similar")
    if not located and concept and whole and concept.where:
        parts.append(concept.where)
    if field.type == "object":
        parts.append("with its parts as sub-fields")
    fmt = output_format(field.type, kind, field.values) if field.type != "object" else ""
    if fmt and not mentions_format(lead, kind, field.type) and not (field.type == "enum" and "one of" in lead):
        parts.append(fmt)
    sentence = _sentence(", ".join(parts)) + "."
    if concept and whole and concept.note and field.type != "object" and concept.note.lower() not in text.lower():
        sentence += " " + concept.note
    return sentence


def _array_description(field: Field, text: str, concept: Concept | None, title: str) -> str:
    item = " ".join(singular(w) for w in name_words(field.name)) or "entry"
    if text:
        lead = _sentence(text)
    elif concept:
        lead = concept.lead
    else:
        lead = f"Every {item} listed on the document"
    parts = [lead]
    located = mentions_location(lead)
    if not mentions_labels(lead) and concept:
        parts[0] += f" ({', '.join(concept.quoted)})"
    if not located:
        parts.append(concept.where if concept else f"under '{title}' or in a table or list")
    if "order" not in lead:
        parts.append("in order of appearance")
    parts.append("one entry per " + ("row" if field.item_fields else item))
    sentence = _sentence(", ".join(parts)) + "."
    if concept and concept.note and concept.note.lower() not in text.lower():
        sentence += " " + concept.note
    return sentence
