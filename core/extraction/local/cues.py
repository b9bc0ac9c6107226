"""Reading a field's description: label, negative, location, selection and format cues.

What the description says comes first (quoted words, parenthesised label lists, "e.g." examples, "Not the
..." clauses); a compact multilingual synonym table of common invoice concepts only supplements it, at a
lower weight. Changing a description therefore changes the labels the engine looks for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.schema import Field
from core.vocabulary.labels import CONCEPTS

__all__ = ["Label", "FieldCues", "CONCEPTS", "detect_concept", "read_cues", "example_shape"]


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


_NAME_SPLIT = re.compile(r"[_\W]+")
_QUOTED = re.compile(r"[\"“”„«»]\s*([^\"“”„«»]{1,40}?)\s*[\"“”„«»]|(?<![\w])'([^']{1,40})'(?!\w)")
_PARENS = re.compile(r"\(([^()]{1,200})\)")
_EXAMPLES = re.compile(
    r"\b(?:e\.\s?g\.|z\.\s?b\.|for example|such as|par exemple|p\.\s?ex\.|like)\s*:?\s*([^.;()]+)", re.I
)
_NEGATIVE = re.compile(
    r"(?<!when )(?<!if )(?<!wenn )(?<!si )(?:^|(?<=[.;:,\s]))(?:not|nicht|never|jamais)\s+"
    r"(?:the|an?|any|der|die|das|le|la|les)?\s*([^.;]+)",
    re.I,
)
_HEADS = (
    "date",
    "number",
    "amount",
    "name",
    "address",
    "total",
    "id",
    "code",
    "reference",
    "datum",
    "nummer",
)


def _split_items(text: str) -> list[str]:
    parts = re.split(r"\s*(?:,|;|/(?!\w*\d)|\bor\b|\bodere?\b|\bou\b|\band\b|\bund\b|\bet\b)\s*", text)
    return [p.strip(" .:'\"") for p in parts if p and p.strip(" .:'\"")]


def _name_words(name: str) -> str:
    return " ".join(w for w in _NAME_SPLIT.split(name.casefold()) if w)


def detect_concept(field: Field) -> str | None:
    """The common invoice concept a field is about (its name first, then its description), or None.

    >>> from core.schema import Field
    >>> detect_concept(Field(name="tax_basis_total", type="number")), detect_concept(Field(name="due_date"))
    ('net', 'due_date')
    """
    name = f" {_name_words(field.name)} "
    for concept, (name_triggers, _, _) in CONCEPTS.items():
        if any(f" {t} " in name for t in name_triggers):
            return concept
    head = re.split(r"[(.;]", field.description.casefold(), maxsplit=1)[0]
    for concept, (_, desc_triggers, _) in CONCEPTS.items():
        if any(re.search(rf"\b{re.escape(t)}\b", head) for t in desc_triggers):
            return concept
    return None


def _concept_of_phrase(phrase: str) -> str | None:
    p = phrase.casefold().strip()
    for concept, (name_triggers, desc_triggers, labels) in CONCEPTS.items():
        if p in name_triggers or p in desc_triggers or p in (label.casefold() for label in labels):
            return concept
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
            parts.append(rf"\d{{{max(1, n - 3)},{n + 3}}}")
        elif s.isalpha():
            parts.append(rf"[A-Za-z]{{{max(1, n - 2)},{n + 2}}}")
        else:
            parts.append(re.escape(s) + "?")
    return re.compile("".join(parts))


def _add(labels: list[Label], phrase: str, weight: float, source: str) -> None:
    phrase = phrase.strip(" .:-'\"")
    if len(phrase) < 2 or len(phrase) > 60 or len(phrase.split()) > 6:
        return
    key = phrase.casefold()
    for i, existing in enumerate(labels):
        if existing.phrase.casefold() == key:
            if weight > existing.weight:
                labels[i] = Label(existing.phrase, weight, source)
            return
    labels.append(Label(phrase, weight, source))


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
    low = desc.casefold()
    cues = FieldCues(name=field.name, type=field.type)
    cues.concept = detect_concept(field)

    # Negative clauses first, so their words are not taken as positive labels.
    negative_spans: list[tuple[int, int]] = []
    for m in _NEGATIVE.finditer(desc):
        clause = m.group(1)
        negative_spans.append((m.start(1), m.end(1)))
        inner = [p for pm in _PARENS.finditer(clause) for p in _split_items(pm.group(1))]
        items = _split_items(_PARENS.sub("", clause))
        head = next((h for h in _HEADS if items and items[-1].casefold().endswith(h)), None)
        for item in items:
            phrase = item if head is None or item.casefold().endswith(head) else f"{item} {head}"
            phrase = re.sub(r"^(?:the|an?|der|die|das|le|la)\s+", "", phrase, flags=re.I)
            _add(cues.negatives, phrase, 1.0, "description")
            concept = _concept_of_phrase(phrase)
            if concept and concept != cues.concept:
                for syn in CONCEPTS[concept][2]:
                    _add(cues.negatives, syn, 0.8, "synonym")
        for phrase in inner:
            _add(cues.negatives, phrase, 1.0, "description")

    def in_negative(pos: int) -> bool:
        return any(a <= pos < b for a, b in negative_spans)

    for m in _EXAMPLES.finditer(desc):
        for item in _split_items(m.group(1)):
            if re.search(r"\d", item) and " " not in item and len(item) <= 40:
                cues.examples.append(item)
    example_spans = [(m.start(), m.end()) for m in _EXAMPLES.finditer(desc)]
    # "Leave empty when only payment terms such as '14 Tage netto' are given": no label source either.
    example_spans += [(m.start(), m.end()) for m in re.finditer(r"[^.]*\b(?:leave|empty|leer)\b[^.]*", desc, re.I)]

    for m in _PARENS.finditer(desc):
        if in_negative(m.start()) or any(a <= m.start() < b for a, b in example_spans):
            continue
        for item in _split_items(m.group(1)):
            if re.match(r"(?:e\.\s?g|z\.\s?b|i\.\s?e|see|as|ex)\b", item, re.I) or item in cues.examples:
                continue
            if re.fullmatch(r"[\d\W]+", item) or (cues.concept == "currency" and re.fullmatch(r"[A-Z]{3}", item)):
                continue
            _add(cues.labels, item, 1.0, "description")
    for m in _QUOTED.finditer(desc):
        if not in_negative(m.start()) and not any(a <= m.start() < b for a, b in example_spans):
            _add(cues.labels, m.group(1) or m.group(2), 1.0, "description")

    if cues.concept:
        for syn in CONCEPTS[cues.concept][2]:
            if not any(syn.casefold() == n.phrase.casefold() for n in cues.negatives if n.source == "description"):
                # Very short words ("vom", "du") are labels only in context: trust them less.
                _add(cues.labels, syn, 0.5 if len(syn) <= 3 else 0.75, "synonym")
    _add(cues.labels, _name_words(field.name), 0.6, "name")
    # A negative phrase that is also a positive description label is not negative.
    positives = {label.phrase.casefold() for label in cues.labels if label.source == "description"}
    cues.negatives = [n for n in cues.negatives if n.phrase.casefold() not in positives]
    negs = {n.phrase.casefold() for n in cues.negatives}
    cues.labels = [
        label for label in cues.labels if label.source == "description" or label.phrase.casefold() not in negs
    ]

    positive_text = " ".join(desc[a:b] for a, b in _complement(negative_spans, len(desc))).casefold()
    if re.search(r"\b(top|header|heading|letterhead|sender|kopf|en-tête)\b", positive_text):
        cues.location.add("top")
    if re.search(r"\b(bottom|footer|fuß|pied)\b", positive_text):
        cues.location.add("bottom")
    if re.search(r"\b(recipient|address block|addressee|bill to|empfänger)\b", positive_text):
        cues.location.add("recipient")
    if re.search(r"\bletterhead|sender line\b", positive_text):
        cues.location.add("letterhead")
    if re.search(r"\b(largest|highest|maximum|biggest|greatest)\b", positive_text):
        cues.selection = "largest"
    elif re.search(r"\b(smallest|lowest|minimum)\b", positive_text):
        cues.selection = "smallest"
    elif re.search(r"\blast\b", positive_text):
        cues.selection = "last"
    elif re.search(r"\bfirst\b", positive_text):
        cues.selection = "first"
    cues.no_spaces = bool(re.search(r"without (any )?(spaces|blanks)|no spaces|ohne leerzeichen", low))
    m_eq = re.search(
        r"(?:equal to|same as|identical to|gleich)\s+(?:the\s+|dem\s+|der\s+)?([\w\s-]{3,40}?)(?:[.;,()]|$)",
        positive_text,
    )
    if m_eq:
        cues.equal_to = m_eq.group(1).strip()
    cues.keep_hash = bool(re.search(r"prefix[^.]*#|#[^.]*prefix", low))
    cues.name_only = bool(re.search(r"name only|only the name|without (the )?(street|address)", low))
    cues.require_label = bool(re.search(r"leave (it )?empty|empty when|leer lassen|null when|if not printed", low))
    if re.search(r"\b(us|american|mm/dd)\b", low):
        cues.day_first = False
    elif re.search(r"\b(dd\.mm|dd/mm|european)\b", low):
        cues.day_first = True
    return cues


def _complement(spans: list[tuple[int, int]], n: int) -> list[tuple[int, int]]:
    out, pos = [], 0
    for a, b in sorted(spans):
        if a > pos:
            out.append((pos, a))
        pos = max(pos, b)
    if pos < n:
        out.append((pos, n))
    return out
