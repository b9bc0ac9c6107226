"""Clause reading: values that contracts state in sentences rather than next to labels.

Read from the document's running text (``prose``):

- the **parties**: the list after "between" / "among" / "PARTIES:" in the preamble, one entity per defined
  term or "and"; without a preamble (a letter agreement), the companies above the salutation and those
  introduced with a defined term; distinct entities in a canonical form (``canonical_party``);
- the **governing law**: the place after "the laws of (the State of)" in the sentence that says the
  agreement is governed or construed by it, not where a party is incorporated;
- the **term**: a duration ("two (2) years" is "2 years") in a sentence about how long the agreement or its
  obligations last, not a notice period;
- the **effective date**: the date the preamble says the agreement is effective, dated or made as of, not a
  date by the signatures.

Every value is scored by the cue that explains it (``core.vocabulary.contracts``); the engine takes a clause
value for a field whose concept is one of ``CLAUSE_CONCEPTS``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from core.extraction.citations import citations_from_words
from core.extraction.local.candidates import find_dates
from core.extraction.local.confidence import Evidence
from core.extraction.local.layout import DocumentLayout
from core.extraction.local.prose import ProseText
from core.extraction.local.selection import Pick
from core.extraction.local.signatures import signing_parties
from core.results import Citation
from core.vocabulary.contracts import (
    ANNIVERSARY,
    DEFINED_TERM,
    DURATION,
    EFFECTIVE_CUES,
    GOVERNING_CUES,
    INCORPORATION,
    LEGAL_FORM_CANONICAL,
    NAME_CONNECTORS,
    NOT_A_PARTY,
    NOTICE_CUES,
    ORDINALS,
    PARTY_DESCRIPTION,
    PREAMBLE_END,
    PREAMBLE_OPENER,
    SALUTATION_LINE,
    SIGNATURE_CUES,
    TERM_CUES,
    duration_number,
)
from core.vocabulary.parties import LEGAL_FORM
from core.vocabulary.places import PLACE, place_name

__all__ = [
    "CLAUSE_CONCEPTS",
    "ClauseValue",
    "canonical_party",
    "read_parties",
    "read_governing_law",
    "read_term",
    "read_effective_date",
    "clause_pick",
    "prefer_clause",
]

CLAUSE_CONCEPTS = frozenset({"party", "governing_law", "term", "start_date"})
"""Field concepts read from clauses."""

PREAMBLE_CHARS = 6000
"""How far into a document its preamble is looked for: past a cover page and a title, before the clauses."""
PARTY_LIST_CHARS = 1500
"""The longest list of parties with their descriptions (three parties with addresses fit)."""
MAX_NAME_WORDS = 12
"""A party's name is at most this many words; a longer run is a sentence."""
MAX_PARTIES = 8
"""More distinct names than this in a preamble means it was not a list of parties."""
CUE_WINDOW = 120
"""Characters before a value in which its cue counts ("effective as of", "the laws of")."""
INCORPORATION_WINDOW = 50
"""Characters before "the laws of" in which "organized under" makes it a party's own law."""
SIGNATURE_WINDOW = 250
"""Characters before a date in which a signature cue makes it a signing date."""
NAME_WINDOW = 200
"""Characters before a legal form or a defined term read for the name it ends (the name's printed row at most)."""
LAWS_OF_WINDOW = 60
"""Characters before a place in which "the laws of" makes it a governing law ("the laws of the State of")."""
NOTICE_WINDOW = CUE_WINDOW // 4
"""Characters before a duration in which a notice cue makes it a notice period: only right before it."""
NO_CUE_SCORE = 0.3
"""The score of a value no cue explains (a guess: the confidence stays low)."""
INCORPORATION_FACTOR = 0.2
"""How much an incorporation phrase lowers a place: it names a party's law, rarely the contract's."""
NOTICE_FACTOR = 0.3
"""How much a notice cue ("within", "notice") lowers a duration: it is how soon, not how long."""
SHORT_UNIT_FACTOR = 0.6
"""Days and weeks: more often deadlines and notice periods than the term of an agreement."""
SIGNATURE_FACTOR = 0.4
"""A date next to the signatures: when it was signed, which the effective date often is not."""
LATE_FACTOR = 0.6
"""A cue outside the preamble: a date there more often belongs to another agreement or event."""
PREAMBLE_PARTY_SCORE = 0.9
"""A name in the preamble's list of parties."""
LETTER_PARTY_SCORE = 0.6
"""A company above a letter's salutation, or one introduced with a defined term (a letter agreement)."""
SIGNER_PARTY_SCORE = 0.5
"""A person who signs in person, found only at the signature: the weakest party evidence."""
MIN_PARTIES = 2
"""A contract has two sides at least: with fewer found in the preamble, the signatures are read."""
MAX_DURATION = {"year": 99, "month": 240, "week": 520, "day": 3650}
"""The longest count of each unit read as a duration (larger numbers are amounts or sections)."""


@dataclass
class ClauseValue:
    """A value read from the text: where it is printed, how well a cue explains it, and why."""

    value: str
    start: int
    end: int
    score: float
    reason: str


_LAWS_OF = re.compile(
    r"\blaws?\s+(?:and\s+[a-z ]{1,30}?\s+)?(?:in\s+force\s+in\s+|of\s+)(?:the\s+)?"
    r"(?:(?:State|Commonwealth|Province|Republic|Kingdom|Grand Duchy|Territory)\s+of\s+)?",
    re.I,
)
_PLACE_LAW = re.compile(r"\s+law\b", re.I)
_QUOTES = "“”\"'‘’"


def _is_legal_form(token: str) -> bool:
    bare = token.rstrip(",")
    return (
        bool(LEGAL_FORM.fullmatch(bare))
        or bare.casefold() in LEGAL_FORM_CANONICAL
        or (bare.casefold().rstrip(".") in LEGAL_FORM_CANONICAL)
    )


def canonical_party(name: str) -> str:
    """A party's name in one canonical form, so that the ways one entity is printed compare equal: no comma
    before the legal form, the legal form abbreviated (Incorporated: Inc., Limited: Ltd., L.P.: LP) and "and"
    for "&".

    >>> canonical_party("Leonard Green & Partners, L.P."), canonical_party("NEON SYSTEMS, INC.")
    ('Leonard Green and Partners LP', 'NEON SYSTEMS Inc.')
    """
    text = " ".join(name.split()).strip(" ,;:").replace("’", "'")
    if len(text) > 1 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1]
    text = re.sub(r"\s*&\s*", " and ", text)
    tokens = text.split()
    if len(tokens) > 1 and _is_legal_form(tokens[-1]):
        last = tokens[-1].casefold()
        form = LEGAL_FORM_CANONICAL.get(last) or LEGAL_FORM_CANONICAL.get(last.rstrip(".")) or tokens[-1]
        tokens[-1] = form
        tokens[-2] = tokens[-2].rstrip(",")
    elif tokens and tokens[-1].endswith("."):
        tokens[-1] = tokens[-1].rstrip(".")  # a full stop ending the sentence, not an abbreviation
    return " ".join(tokens)


def _party_key(name: str) -> str:
    return re.sub(r"[\W_]+", "", canonical_party(name).casefold())


def _names_somebody(name: str) -> bool:
    """Whether a run of words is a name: it starts with a capital or digit, has a capitalised word that is no
    generic party noun ("the Company"), and no lowercase word but connectors ("Bank of America")."""
    words = re.findall(r"[^\s,;]+", name)
    if not words or not (name[0].isupper() or name[0].isdigit()) or NOT_A_PARTY.match(name):
        return False
    if any(w[0].islower() and w.casefold() not in NAME_CONNECTORS for w in words):
        return False
    return any(w[0].isupper() and not NOT_A_PARTY.match(w.strip(_QUOTES + ".")) for w in words)


def _clean_name(chunk: str) -> str | None:
    """The name at the start of one party's part of a preamble, or None when it names nobody."""
    chunk = re.sub(r"^[\s,;:.]*(?:and\s+|&\s+)?(?:the\s+)?", "", chunk)
    m = PARTY_DESCRIPTION.search(chunk)
    name = (chunk[: m.start()] if m else chunk).strip(" ,;:")
    if len(name.split()) > MAX_NAME_WORDS or not re.search(r"[A-Za-z]{2}", name) or not _names_somebody(name):
        return None
    return name


def _list_chunks(text: str, start: int, end: int) -> list[tuple[int, str]]:
    """A list of parties cut into one part per party: after each defined term, else at " and "."""
    chunks: list[tuple[int, str]] = []
    pos = start
    for m in DEFINED_TERM.finditer(text, start, end):
        chunks.append((pos, text[pos : m.start()]))
        pos = m.end()
    rest = text[pos:end]
    for part in re.split(r"(,?\s+and\s+|;\s+)(?=[A-Z0-9“\"])", rest):
        if part and not re.fullmatch(r",?\s+and\s+|;\s+", part):
            chunks.append((pos + rest.find(part), part))
    return chunks


def _preamble_parties(prose: ProseText) -> list[ClauseValue]:
    text = prose.text
    limit = min(len(text), PREAMBLE_CHARS)
    for opener in PREAMBLE_OPENER.finditer(text, 0, limit):
        start = opener.end()
        stop = PREAMBLE_END.search(text, start, start + PARTY_LIST_CHARS)
        end = min(prose.sentence(start)[1], start + PARTY_LIST_CHARS, stop.start() if stop else len(text))
        found: list[ClauseValue] = []
        for offset, chunk in _list_chunks(text, start, end):
            name = _clean_name(chunk)
            if name is not None:
                at = text.find(name, offset)
                found.append(ClauseValue(name, at, at + len(name), PREAMBLE_PARTY_SCORE, "named in the preamble"))
        if found and len(found) <= MAX_PARTIES:
            return found
    return []


_CAPITALISED_RUN = re.compile(
    r"((?:[A-Z0-9][\w.'’&¢-]*,?\s+(?:(?:of|and|&|the|de|du|von)\s+)?){0,7}[A-Z0-9][\w.'’&¢-]*,?\s*$)"
)


def _run_before(prose: ProseText, end: int) -> tuple[int, str] | None:
    """The capitalised words of one printed row that end at ``end`` (a name before its legal form or its
    defined term)."""
    text = prose.text
    window = text[max(0, end - NAME_WINDOW, prose.row_start(max(end - 1, 0))) : end]
    m = _CAPITALISED_RUN.search(window)
    if not m:
        return None
    return end - len(window) + m.start(1), m.group(1).strip(" ,")


def _letter_parties(prose: ProseText) -> list[ClauseValue]:
    """A letter agreement's parties: companies above its salutation, then those given a defined term."""
    text = prose.text
    salutation = SALUTATION_LINE.search(text, 0, PREAMBLE_CHARS)
    head = salutation.start() if salutation else 0
    found: list[ClauseValue] = []
    for m in LEGAL_FORM.finditer(text, 0, head):
        run = _run_before(prose, m.end())
        if run and len(run[1].split()) > 1:
            found.append(ClauseValue(run[1], run[0], m.end(), LETTER_PARTY_SCORE, "a company above the salutation"))
    if len(found) >= 2:  # the sender and the addressee
        return found
    for m in DEFINED_TERM.finditer(text, head, head + PREAMBLE_CHARS):
        run = _run_before(prose, m.start())
        if run and LEGAL_FORM.search(run[1]):
            found.append(ClauseValue(run[1], run[0], m.start(), LETTER_PARTY_SCORE, "introduced with a defined term"))
    return found


def _words_key(name: str) -> list[str]:
    return [w for w in re.split(r"[\W_]+", canonical_party(name).casefold()) if w]


def read_parties(prose: ProseText, layout: DocumentLayout | None = None) -> list[ClauseValue]:
    """The distinct parties of a contract, in the order they are first named.

    With fewer than ``MIN_PARTIES`` found in the preamble and a ``layout``, the people who sign in person are
    parties too (``signatures``). A name that is the start of another party's name ("Telenor" beside
    "Telenor ASA") is that party's short name, not another party.
    """
    found = _preamble_parties(prose) or _letter_parties(prose)
    if layout is not None and len({_party_key(v.value) for v in found}) < MIN_PARTIES:
        keys = {_party_key(v.value) for v in found} - {""}

        def is_company(text: str) -> bool:
            tokens, key = text.split(), _party_key(text)
            return bool(tokens) and _is_legal_form(tokens[-1]) or any(k.startswith(key) for k in keys if key)

        for name, start, end in signing_parties(layout, prose, is_company):
            found.append(ClauseValue(name, start, end, SIGNER_PARTY_SCORE, "signs the agreement in person"))
    seen: set[str] = set()
    out: list[ClauseValue] = []
    for v in found:
        key = _party_key(v.value)
        if key and key not in seen and not NOT_A_PARTY.match(v.value) and _names_somebody(v.value):
            seen.add(key)
            out.append(ClauseValue(canonical_party(v.value), v.start, v.end, v.score, v.reason))
    names = [_words_key(v.value) for v in out]
    return [
        v
        for v, words in zip(out, names, strict=True)
        if not any(len(other) > len(words) and other[: len(words)] == words for other in names)
    ]


def _cue_weight(text: str, cues: tuple[tuple[re.Pattern[str], float], ...], start: int, end: int) -> float:
    return max((w for rx, w in cues if rx.search(text, start, end)), default=0.0)


def read_governing_law(prose: ProseText) -> list[ClauseValue]:
    """Places whose law the text names, best first: in a sentence that governs or construes the agreement."""
    text = prose.text
    out: list[ClauseValue] = []
    for m in PLACE.finditer(text):
        after_laws = next((lm for lm in _LAWS_OF.finditer(text, max(0, m.start() - LAWS_OF_WINDOW), m.start())), None)
        law_after = _PLACE_LAW.match(text, m.end())
        if not (after_laws and after_laws.end() == m.start()) and not law_after:
            continue
        s0 = max(prose.sentence(m.start())[0], m.start() - CUE_WINDOW)
        weight = _cue_weight(text, GOVERNING_CUES, s0, m.start())
        score = weight or NO_CUE_SCORE
        if INCORPORATION.search(text, max(s0, m.start() - INCORPORATION_WINDOW), m.start()):
            score *= INCORPORATION_FACTOR
        name = place_name(m.group(1)) or m.group(1)
        reason = "the law named in the governing-law clause" if weight else "a law named in the text"
        out.append(ClauseValue(name, m.start(), m.end(), score, reason))
    out.sort(key=lambda v: (-v.score, v.start))
    return out


def _durations(text: str) -> list[tuple[int, int, int, str]]:
    """Every duration in the text as ``(start, end, count, unit)``: "two (2) years", "the third anniversary"."""
    out: list[tuple[int, int, int, str]] = []
    for m in DURATION.finditer(text):
        n = duration_number(m)
        if n is not None:
            out.append((m.start(), m.end(), n, m.group("unit").casefold()))
    for m in ANNIVERSARY.finditer(text):
        out.append((m.start(), m.end(), ORDINALS[m.group("ordinal").casefold()], "year"))
    return sorted(out)


def read_term(prose: ProseText) -> list[ClauseValue]:
    """Durations the text gives, best first: how long the agreement or its obligations last."""
    text = prose.text
    out: list[ClauseValue] = []
    for start, end, n, unit in _durations(text):
        if not 0 < n <= MAX_DURATION[unit]:
            continue
        s0, s1 = prose.sentence(start)
        weight = _cue_weight(text, TERM_CUES, s0, s1)
        score = weight or NO_CUE_SCORE
        if NOTICE_CUES.search(text, max(s0, start - NOTICE_WINDOW), start):
            score *= NOTICE_FACTOR
        if unit in ("day", "week"):
            score *= SHORT_UNIT_FACTOR
        value = f"{n} {unit}" + ("s" if n != 1 else "")
        out.append(ClauseValue(value, start, end, score, "a duration in a clause on how long it lasts"))
    out.sort(key=lambda v: (-v.score, v.start))
    return out


def read_effective_date(prose: ProseText, day_first: bool = True) -> list[ClauseValue]:
    """Dates the text gives, best first: the one the agreement is effective, dated or made as of."""
    text = prose.text
    out: list[ClauseValue] = []
    for start, end, d in find_dates(text, day_first):
        s0 = prose.sentence(start)[0]
        window = max(s0, start - CUE_WINDOW)
        weight = _cue_weight(text, EFFECTIVE_CUES, window, start)
        score = weight or (NO_CUE_SCORE if start < PREAMBLE_CHARS else NO_CUE_SCORE * LATE_FACTOR)
        if weight and start >= PREAMBLE_CHARS:
            score *= LATE_FACTOR
        if SIGNATURE_CUES.search(text, max(0, start - SIGNATURE_WINDOW), start):
            score *= SIGNATURE_FACTOR
        reason = "the date the agreement is effective or dated as of" if weight else "a date in the preamble"
        out.append(ClauseValue(_iso(d), start, end, score, reason))
    out.sort(key=lambda v: (-v.score, v.start))
    return out


def _iso(d: date) -> str:
    return d.isoformat()


def _citations(layout: DocumentLayout, prose: ProseText, values: list[ClauseValue]) -> list[Citation]:
    cites: list[Citation] = []
    for v in values:
        for page, words in prose.words_in(v.start, v.end).items():
            cites += citations_from_words(layout.pages[page].page, words)
    return cites


def clause_pick(
    layout: DocumentLayout, prose: ProseText, concept: str | None, is_array: bool, day_first: bool = True
) -> Pick:
    """The value of a field of a clause concept read from the text; None for other concepts.

    Args:
        layout: the document's layout (for citations).
        prose: its running text.
        concept: the field's concept (``CLAUSE_CONCEPTS`` are read here).
        is_array: whether the field takes every value (the parties) or one.
        day_first: how the document writes numeric dates.

    Returns:
        The pick; its value is None, with a reason, when the text states none (or the concept is no clause's).
    """
    if concept not in CLAUSE_CONCEPTS:
        return Pick(reason="not a clause field", by_label=False)
    if concept == "party":
        parties = read_parties(prose, layout)
        if not parties:
            return Pick(reason="no list of parties in the preamble", by_label=False)
        values = [p.value for p in parties] if is_array else [parties[0].value]
        return Pick(
            values if is_array else values[0],
            None,
            _citations(layout, prose, parties),
            None,
            parties[0].reason,
            evidence=Evidence("clause", min(p.score for p in parties)),
        )
    readers = {"governing_law": read_governing_law, "term": read_term}
    found = readers[concept](prose) if concept in readers else read_effective_date(prose, day_first)
    if not found:
        return Pick(reason="no clause states it", by_label=False)
    best = found[0]
    runner = next((v.score for v in found[1:] if v.value != best.value), 0.0)
    return Pick(
        [best.value] if is_array else best.value,
        None,
        _citations(layout, prose, [best]),
        None,
        best.reason,
        by_label=best.score > NO_CUE_SCORE,
        evidence=Evidence("clause", best.score, runner),
    )


def prefer_clause(clause: Pick, labelled: Pick, concept: str | None = None) -> Pick:
    """A clause value no cue explains, or none, against the label reader's pick of the same field: a value
    next to a label (a form, a cover sheet) wins, unless it reads parties that are no names or more of them
    than a contract has (words of running text taken after a label that occurs in it)."""
    value = labelled.value
    if value is None or not labelled.by_label:
        return clause
    if concept == "party":
        names = value if isinstance(value, list) else [value]
        if len(names) > MAX_PARTIES or not all(isinstance(n, str) and _names_somebody(n) for n in names):
            return clause
    return labelled
