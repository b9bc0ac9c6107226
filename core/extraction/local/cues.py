"""Reading a field's description: label, negative, location, selection and format cues.

What the description says comes first (quoted words, parenthesised label lists, "e.g." examples, "Not the
..." clauses); the labels of the field's concept (``core.vocabulary.concepts``) only supplement it, at a
lower weight. Changing a description therefore changes the labels the engine looks for. The words these cues
are read from are those of ``core.vocabulary.descriptions``.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from core.extraction.local.labels import PREPOSITION_LENGTH
from core.schema import Field
from core.vocabulary.concepts import BY_KEY, CONCEPTS, Concept
from core.vocabulary.descriptions import (
    ARTICLE,
    DAY_FIRST,
    EQUAL_TO,
    EXAMPLE_MARKER,
    FORMAT_CUES,
    KEEP_HASH_WORDS,
    LABEL_HEADS,
    LEAVE_EMPTY_WORD,
    LEFT_OUT,
    LIST_SEPARATOR,
    LOCATION_CUES,
    MONTH_FIRST,
    NAME_ONLY,
    NEGATION,
    NO_SPACES,
    NOT_A_LABEL,
    PLACED_LABEL,
    REQUIRE_LABEL,
    ROLE_CUES,
    SELECTION_CUES,
)
from core.vocabulary.kinds import named_kind
from core.vocabulary.shapes import Shape

__all__ = ["Label", "FieldCues", "detect_concept", "read_cues", "example_shape", "quoted_labels"]

MAX_LABEL_CHARS = 60
"""A phrase longer than this many characters is a sentence, not a label."""
MAX_LABEL_WORDS = 6
"""... as is one of more than this many words."""
MAX_EXAMPLE_CHARS = 40
"""An "e.g." example longer than this is prose, not a value."""
EXAMPLE_DIGIT_SLACK = 3
"""A value shaped like an example may have this many digits more or fewer in each digit run (ids vary in length)."""
EXAMPLE_LETTER_SLACK = 2
"""... and this many letters more or fewer in each letter run (country prefixes are two or three letters)."""
# Label weights (how much a phrase is trusted): the description's own phrases 1.0, the rest less. Tuned on the
# development sets.
NAME_LABEL_WEIGHT = 0.6
"""The field's name as a label ("invoice_number" as "invoice number")."""
SYNONYM_WEIGHT = 0.75
"""A label of the field's concept (``core.vocabulary.concepts``) the description does not give."""
SHORT_SYNONYM_WEIGHT = 0.5
"""Such a label of at most ``PREPOSITION_LENGTH`` characters ("vom", "du"): a label only in context."""
NEGATIVE_SYNONYM_WEIGHT = 0.8
"""A label of a concept the description negates ("Not the net amount")."""


@dataclass(frozen=True)
class Label:
    """A phrase to look for near a value, with how much to trust it and where it came from."""

    phrase: str
    weight: float
    source: str  # "description", "synonym", "name"


@dataclass
class FieldCues:
    """Everything the engine reads from one field's name and description."""

    name: str
    type: str
    concept: str | None = None
    labels: list[Label] = field(default_factory=list)
    negatives: list[Label] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    location: set[str] = field(default_factory=set)  # top, bottom, header, letterhead, recipient, left, right
    selection: str | None = None  # largest, smallest, first, last
    no_spaces: bool = False
    keep_hash: bool = False
    name_only: bool = False
    require_label: bool = False
    day_first: bool | None = None
    equal_to: str | None = None  # "often equal to the grand total": words naming another field
    shape: Shape | None = None  # what the value looks like (its concept's, else the kind the words name)
    role: str | None = None  # "seller" or "buyer": the party the description is about
    formats: set[str] = field(default_factory=set)  # FORMAT_CUES keys: digits, as_printed, upper ...


_NAME_SPLIT = re.compile(r"[_\W]+")
_QUOTED = re.compile(r"[\"“”„«»]\s*([^\"“”„«»]{1,40}?)\s*[\"“”„«»]|(?<![\w])'([^']{1,40})'(?!\w)")
"""A label quoted in a description: in double quotes or guillemets, or in single quotes that are not an
apostrophe inside a word ("the line's charge")."""
_PARENS = re.compile(r"\(([^()]{1,200})\)")


def _split_items(text: str) -> list[str]:
    parts = (p.strip().strip(" .:'\"") for p in LIST_SEPARATOR.split(text))
    return [p for p in parts if p]


def _sentences_with(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """The spans of the sentences (text between full stops) in which ``pattern`` occurs, in order.

    What ``[^.]*pattern[^.]*`` finds, in linear time: that regex retried every start of a long text without
    a full stop.
    """
    spans: list[tuple[int, int]] = []
    for m in pattern.finditer(text):
        if spans and m.start() < spans[-1][1]:
            continue
        end = text.find(".", m.end())
        spans.append((text.rfind(".", 0, m.start()) + 1, len(text) if end < 0 else end))
    return spans


class _Spans:
    """Spans of a text, asked whether they hold a position (by bisection: the description may be long)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for a, b in sorted(spans):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self._starts = [a for a, _ in merged]
        self._ends = [b for _, b in merged]

    def __contains__(self, pos: int) -> bool:
        i = bisect.bisect_right(self._starts, pos) - 1
        return i >= 0 and pos < self._ends[i]


def _name_words(name: str) -> str:
    return " ".join(w for w in _NAME_SPLIT.split(name.casefold()) if w)


# A party is a role, not a value: "the seller's postal code" is a postal code. Party concepts are matched only
# when no other concept is.
_PARTIES = ("seller", "buyer")
_ORDERED = [c for c in CONCEPTS if c.key not in _PARTIES] + [c for c in CONCEPTS if c.key in _PARTIES]
# Concept kinds a field of each type can hold (a string can hold anything).
_TYPE_KINDS: dict[str, tuple[str | None, ...]] = {
    "date": (None, "date"),
    "number": (None, "amount", "percent", "quantity", "count"),
    "integer": (None, "amount", "percent", "quantity", "count"),
}
# Description triggers, compiled once: the words, a plural ending, and not a possessive of a party ("the
# buyer's ..." names whose value, not which value).
_NOT_POSSESSIVE = r"(?![’'`]s)"
_TRIGGERS: dict[str, list[re.Pattern[str]]] = {
    c.key: [
        re.compile(rf"(?<!\w){re.escape(t)}(?:s|es)?(?!\w)" + (_NOT_POSSESSIVE if c.key in _PARTIES else ""))
        for t in c.in_text
    ]
    for c in CONCEPTS
}


def _fits(concept: Concept, field: Field) -> bool:
    t = field.items.type if field.type == "array" and field.items is not None else field.type
    return concept.kind in _TYPE_KINDS.get(t, (concept.kind,))


def _excluded(description: str) -> set[str]:
    """The concepts the description's "Not the ..." and "without ..." clauses name: what the field is not."""
    clauses = [m.group(1).casefold() for rx in (NEGATION, LEFT_OUT) for m in rx.finditer(description)]
    return {key for key, rxs in _TRIGGERS.items() for clause in clauses if any(rx.search(clause) for rx in rxs)}


def detect_concept(field: Field) -> str | None:
    """The concept a field is about (its name first, then its description), or None.

    A concept whose kind the field's type cannot hold (an identifier for a date field) is skipped; party
    concepts come last (``_PARTIES``), and a concept the description excludes ("Not the VAT ID") is none of
    them. Without a concept word in the opening of the description, the labels it quotes name the concept
    ("(Total, Grand total)").

    >>> from core.schema import Field
    >>> detect_concept(Field(name="tax_basis_total", type="number")), detect_concept(Field(name="due_date"))
    ('net', 'due_date')
    >>> detect_concept(Field(name="field_01", description="Postal code of the seller's address."))
    'postcode'
    """
    name = f" {_name_words(field.name)} "
    excluded = _excluded(field.description)
    usable = [c for c in _ORDERED if _fits(c, field) and c.key not in excluded]
    for concept in usable:
        if any(f" {t} " in name for t in concept.in_name):
            return concept.key
    head = re.split(r"[(.;]", field.description.casefold(), maxsplit=1)[0]
    for concept in usable:
        if any(rx.search(head) for rx in _TRIGGERS[concept.key]):
            return concept.key
    for m in list(_PARENS.finditer(field.description)) + list(_QUOTED.finditer(field.description)):
        for item in _split_items(m.group(1) or (m.group(2) if m.lastindex and m.lastindex > 1 else "") or ""):
            label = item.casefold()
            found = next((c for c in usable if label in (x.casefold() for x in c.labels)), None)
            if found is not None:
                return found.key
    return None


def _concept_of_phrase(phrase: str) -> str | None:
    p = phrase.casefold().strip()
    for concept in CONCEPTS:
        if p in concept.in_name or p in concept.in_text or p in (label.casefold() for label in concept.labels):
            return concept.key
    return None


def example_shape(example: str) -> re.Pattern[str]:
    """A loose pattern for values shaped like an example: letter runs and digit runs of about that length.

    >>> bool(example_shape("DE123456789").fullmatch("FR11999999998"))
    True
    """
    parts = []
    for run in re.finditer(r"[A-Za-z]+|\d+|[^A-Za-z\d]", example):
        s = run.group(0)
        n = len(s)
        if s.isdigit():
            parts.append(rf"\d{{{max(1, n - EXAMPLE_DIGIT_SLACK)},{n + EXAMPLE_DIGIT_SLACK}}}")
        elif s.isalpha():
            parts.append(rf"[A-Za-z]{{{max(1, n - EXAMPLE_LETTER_SLACK)},{n + EXAMPLE_LETTER_SLACK}}}")
        else:
            parts.append(re.escape(s) + "?")
    return re.compile("".join(parts))


Phrases = dict[str, Label]
"""Labels being read, by casefolded phrase, in the order first seen (a list searched on every add was quadratic)."""


def _add(labels: Phrases, phrase: str, weight: float, source: str) -> None:
    phrase = phrase.strip(" .:-'\"")
    if len(phrase) < 2 or len(phrase) > MAX_LABEL_CHARS or len(phrase.split()) > MAX_LABEL_WORDS:
        return
    key = phrase.casefold()
    existing = labels.get(key)
    if existing is None:
        labels[key] = Label(phrase, weight, source)
    elif weight > existing.weight:
        labels[key] = Label(existing.phrase, weight, source)


def read_cues(field: Field) -> FieldCues:
    """Read the cues of a field from its name, type and description.

    Args:
        field: The field.

    Returns:
        Its cues: labels (description first, then synonyms), negatives, examples, location, selection, format.

    >>> from core.schema import Field
    >>> field = Field(name="due", type="date", description="The due date (Fällig am). Not the order date.")
    >>> cues = read_cues(field)
    >>> [l.phrase for l in cues.labels][:1], [n.phrase for n in cues.negatives][:1]
    (['Fällig am'], ['order date'])
    """
    desc = field.description or ""
    cues = FieldCues(name=field.name, type=field.type)
    cues.concept = detect_concept(field)
    labels: Phrases = {}
    negatives: Phrases = {}
    # Negative clauses first, so their words are not taken as positive labels.
    negative_spans = _read_negatives(cues, desc, negatives)
    example_spans = _read_examples(cues, desc)
    _read_labels(cues, desc, _Spans(negative_spans + example_spans), labels, negatives)
    _add(labels, _name_words(field.name), NAME_LABEL_WEIGHT, "name")
    cues.labels, cues.negatives = list(labels.values()), list(negatives.values())
    _drop_contradictions(cues)
    positive_text = " ".join(desc[a:b] for a, b in _complement(negative_spans, len(desc))).casefold()
    _read_choice(cues, positive_text, desc.casefold())
    _read_shape(cues, field, positive_text)
    return cues


def _read_negatives(cues: FieldCues, desc: str, negatives: Phrases) -> list[tuple[int, int]]:
    """The "Not the ..." phrases (with the labels of a concept they name), and where their clauses are."""
    spans: list[tuple[int, int]] = []
    for m in NEGATION.finditer(desc):
        clause = m.group(1)
        spans.append((m.start(1), m.end(1)))
        inner = [p for pm in _PARENS.finditer(clause) for p in _split_items(pm.group(1))]
        items = _split_items(_PARENS.sub("", clause))
        head = next((h for h in LABEL_HEADS if items and items[-1].casefold().endswith(h)), None)
        for item in items:
            phrase = item if head is None or item.casefold().endswith(head) else f"{item} {head}"
            phrase = ARTICLE.sub("", phrase)
            _add(negatives, phrase, 1.0, "description")
            bare = phrase[: -len(head)].strip() if head and phrase.casefold().endswith(head) else ""
            if len(bare) >= 2 and bare.isupper():  # "Not the CASH amount": the word in capitals is what is printed
                _add(negatives, bare, 1.0, "description")
            concept = _concept_of_phrase(phrase)
            if concept and concept != cues.concept:
                for syn in BY_KEY[concept].labels:
                    _add(negatives, syn, NEGATIVE_SYNONYM_WEIGHT, "synonym")
        for phrase in inner:
            _add(negatives, phrase, 1.0, "description")
    return spans


def _read_examples(cues: FieldCues, desc: str) -> list[tuple[int, int]]:
    """The "e.g." example values, and the spans that name no label (examples, "leave empty when ...")."""
    for m in EXAMPLE_MARKER.finditer(desc):
        for item in _split_items(m.group(1)):
            if re.search(r"\d", item) and " " not in item and len(item) <= MAX_EXAMPLE_CHARS:
                cues.examples.append(item)
    spans = [(m.start(), m.end()) for m in EXAMPLE_MARKER.finditer(desc)]
    # "Leave empty when only payment terms such as '14 Tage netto' are given": no label source either.
    return spans + _sentences_with(LEAVE_EMPTY_WORD, desc)


def quoted_labels(text: str) -> list[str]:
    """The labels quoted in a description.

    >>> quoted_labels("The line's charge, printed as «Betrag» or 'Total'.")
    ['Betrag', 'Total']
    """
    return [m.group(1) or m.group(2) for m in _QUOTED.finditer(text)]


def _read_labels(cues: FieldCues, desc: str, no_labels: _Spans, labels: Phrases, negatives: Phrases) -> None:
    """Parenthesised and quoted labels outside the ``no_labels`` spans, then the concept's labels."""
    for m in _PARENS.finditer(desc):
        if m.start() in no_labels:
            continue
        for item in _split_items(m.group(1)):
            if NOT_A_LABEL.match(item) or item in cues.examples:
                continue
            if re.fullmatch(r"[\d\W]+", item) or (cues.concept == "currency" and re.fullmatch(r"[A-Z]{3}", item)):
                continue
            _add(labels, item, 1.0, "description")
    for m in _QUOTED.finditer(desc):
        if m.start() not in no_labels:
            _add(labels, m.group(1) or m.group(2), 1.0, "description")
    for m in PLACED_LABEL.finditer(desc):
        if m.start(1) not in no_labels:
            _add(labels, m.group(1), 1.0, "description")
    if cues.concept:
        described = {key for key, n in negatives.items() if n.source == "description"}
        for syn in BY_KEY[cues.concept].labels:
            if syn.casefold() not in described:
                # Very short words ("vom", "du") are labels only in context: trust them less.
                _add(labels, syn, SHORT_SYNONYM_WEIGHT if len(syn) <= PREPOSITION_LENGTH else SYNONYM_WEIGHT, "synonym")


def _drop_contradictions(cues: FieldCues) -> None:
    """A negative phrase that is also a positive description label is not negative; a synonym or name label
    that the description negates is no label."""
    positives = {label.phrase.casefold() for label in cues.labels if label.source == "description"}
    cues.negatives = [n for n in cues.negatives if n.phrase.casefold() not in positives]
    negs = {n.phrase.casefold() for n in cues.negatives}
    cues.labels = [
        label for label in cues.labels if label.source == "description" or label.phrase.casefold() not in negs
    ]


def _read_choice(cues: FieldCues, positive_text: str, low: str) -> None:
    """Location and selection (from the description's positive clauses) and format cues."""
    for place, words in LOCATION_CUES.items():
        if words.search(positive_text):
            cues.location.add(place)
    cues.selection = next((how for how, words in SELECTION_CUES.items() if words.search(positive_text)), None)
    cues.no_spaces = bool(NO_SPACES.search(low))
    m_eq = EQUAL_TO.search(positive_text)
    if m_eq:
        cues.equal_to = m_eq.group(1).strip()
    cues.keep_hash = any(all(word in sentence for word in KEEP_HASH_WORDS) for sentence in low.split("."))
    cues.name_only = bool(NAME_ONLY.search(low))
    cues.require_label = bool(REQUIRE_LABEL.search(low))
    if MONTH_FIRST.search(low):
        cues.day_first = False
    elif DAY_FIRST.search(low):
        cues.day_first = True


def _read_shape(cues: FieldCues, field: Field, positive_text: str) -> None:
    """What the value looks like (its concept's shape, else a percentage or quantity the words name), which
    party the description is about (the first role word it mentions), and how to return the value."""
    concept = BY_KEY[cues.concept] if cues.concept else None
    cues.shape = concept.shape if concept else None
    if cues.shape is None and field.type in ("number", "integer", "string"):
        kind = named_kind(field.name, field.description)
        if kind in ("percent", "quantity"):
            cues.shape = kind
    first: tuple[int, str] | None = None
    for role, words in ROLE_CUES.items():
        m = words.search(positive_text)
        if m and (first is None or m.start() < first[0]):
            first = (m.start(), role)
    cues.role = first[1] if first else None
    if cues.role is None and "recipient" in cues.location:
        cues.role = "buyer"
    cues.formats = {key for key, words in FORMAT_CUES.items() if words.search(positive_text)}


def _complement(spans: list[tuple[int, int]], n: int) -> list[tuple[int, int]]:
    out, pos = [], 0
    for a, b in sorted(spans):
        if a > pos:
            out.append((pos, a))
        pos = max(pos, b)
    if pos < n:
        out.append((pos, n))
    return out
