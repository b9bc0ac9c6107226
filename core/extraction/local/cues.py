"""Reading a field's description: label, negative, location, selection and format cues.

What the description says comes first (quoted words, parenthesised label lists, "e.g." examples, "Not the
..." clauses); a compact multilingual synonym table of common invoice concepts only supplements it, at a
lower weight. Changing a description therefore changes the labels the engine looks for.
"""

from __future__ import annotations

import bisect
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


# Without whitespace of its own around the separators: "\s*" before them made a run of spaces quadratic; the
# parts are stripped instead.
_ITEM_SEPARATOR = re.compile(r"(?:,|;|/(?!\w*\d)|\bor\b|\bodere?\b|\bou\b|\band\b|\bund\b|\bet\b)")
_LEAVE_EMPTY = re.compile(r"\b(?:leave|empty|leer)\b", re.I)


def _split_items(text: str) -> list[str]:
    parts = (p.strip().strip(" .:'\"") for p in _ITEM_SEPARATOR.split(text))
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


def _add(labels: dict[str, Label], phrase: str, weight: float, source: str) -> None:
    # By casefolded phrase, in the order first seen (a list searched on every add was quadratic).
    phrase = phrase.strip(" .:-'\"")
    if len(phrase) < 2 or len(phrase) > 60 or len(phrase.split()) > 6:
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
    low = desc.casefold()
    cues = FieldCues(name=field.name, type=field.type)
    cues.concept = detect_concept(field)
    labels: dict[str, Label] = {}
    negatives: dict[str, Label] = {}

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
            _add(negatives, phrase, 1.0, "description")
            concept = _concept_of_phrase(phrase)
            if concept and concept != cues.concept:
                for syn in CONCEPTS[concept][2]:
                    _add(negatives, syn, 0.8, "synonym")
        for phrase in inner:
            _add(negatives, phrase, 1.0, "description")
    in_negative = _Spans(negative_spans)

    for m in _EXAMPLES.finditer(desc):
        for item in _split_items(m.group(1)):
            if re.search(r"\d", item) and " " not in item and len(item) <= 40:
                cues.examples.append(item)
    # "Leave empty when only payment terms such as '14 Tage netto' are given": no label source either.
    in_example = _Spans([(m.start(), m.end()) for m in _EXAMPLES.finditer(desc)] + _sentences_with(_LEAVE_EMPTY, desc))

    for m in _PARENS.finditer(desc):
        if m.start() in in_negative or m.start() in in_example:
            continue
        for item in _split_items(m.group(1)):
            if re.match(r"(?:e\.\s?g|z\.\s?b|i\.\s?e|see|as|ex)\b", item, re.I) or item in cues.examples:
                continue
            if re.fullmatch(r"[\d\W]+", item) or (cues.concept == "currency" and re.fullmatch(r"[A-Z]{3}", item)):
                continue
            _add(labels, item, 1.0, "description")
    for m in _QUOTED.finditer(desc):
        if m.start() not in in_negative and m.start() not in in_example:
            _add(labels, m.group(1) or m.group(2), 1.0, "description")

    if cues.concept:
        described = {key for key, n in negatives.items() if n.source == "description"}
        for syn in CONCEPTS[cues.concept][2]:
            if syn.casefold() not in described:
                # Very short words ("vom", "du") are labels only in context: trust them less.
                _add(labels, syn, 0.5 if len(syn) <= 3 else 0.75, "synonym")
    _add(labels, _name_words(field.name), 0.6, "name")
    cues.labels, cues.negatives = list(labels.values()), list(negatives.values())
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
    # "prefix" and "#" in one sentence (a regex with [^.]* between them was quadratic in the number of "#").
    cues.keep_hash = any("prefix" in sentence and "#" in sentence for sentence in low.split("."))
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
