"""How contracts say who the parties are, which law governs them, how long they last and when they take
effect: the phrases that open a preamble and end it, defined-term marks, the clause cues of each contract
concept, incorporation phrases (a party's own law, not the contract's), number words and units of time, and
the canonical forms of legal-form suffixes.

Patterns are case-insensitive unless they say otherwise and read text whose whitespace is one space.
"""

from __future__ import annotations

import re

__all__ = [
    "PREAMBLE_OPENER",
    "PREAMBLE_END",
    "SALUTATION_LINE",
    "DEFINED_TERM",
    "NOT_A_PARTY",
    "NAME_CONNECTORS",
    "PARTY_DESCRIPTION",
    "GOVERNING_CUES",
    "INCORPORATION",
    "EFFECTIVE_CUES",
    "SIGNATURE_CUES",
    "SIGNED",
    "NAME_CAPTION",
    "WITNESS_CLAUSE",
    "SIGNATURE_FIELD",
    "OFFICER_TITLE",
    "TERM_CUES",
    "NOTICE_CUES",
    "NUMBER_WORDS",
    "TIME_UNITS",
    "DURATION",
    "ORDINALS",
    "ANNIVERSARY",
    "LEGAL_FORM_CANONICAL",
    "duration_number",
]

# "... by and between A and B", "among A, B and C", "PARTIES: A and B": where the list of parties starts.
PREAMBLE_OPENER = re.compile(r"\b(?:by and between|by and among|between|among|parties\s*:)\s*", re.I)
# Where a preamble's list of parties has ended: recitals, the first clause, a salutation.
PREAMBLE_END = re.compile(
    r"\b(?:WHEREAS|RECITALS?|BACKGROUND|W\s?I\s?T\s?N\s?E\s?S\s?S\s?E\s?T\s?H|NOW,? THEREFORE|PRELIMINARY STATEMENT"
    r"|Ladies and Gentlemen|Dear\s)|\s1\.\s+[A-Z]|\b[A-Z]{4,}\s*:"
)
# The salutation of a letter agreement: the addressee and the sender are printed above it.
SALUTATION_LINE = re.compile(r"\b(?:Ladies and Gentlemen|Dear (?:Sir|Madam|Sirs|Mr|Ms|Mrs)\b|Gentlemen\s*:)", re.I)
# A defined term introduced after a name: (“Kite”), (the “Company”), (hereinafter “Seller”).
DEFINED_TERM = re.compile(r"\(\s*(?:[^()“”\"]{0,60}?)[“\"]([^”\"]{1,40})[”\"][^()]{0,80}\)")
# Words that refer to a party without naming it, and generic nouns a name is never made of alone.
NOT_A_PARTY = re.compile(
    r"^(?:the\s+)?(?:undersigned|company|employee|executive|consultant|recipient|discloser|you|we|us|i|party|"
    r"parties|each|both|either|its|their|his|her|disclosing party|receiving party|agreement|buyer|seller|"
    r"corporation|purchaser|investor|individual|counterparty)$",
    re.I,
)
# What follows a party's name in a preamble and describes it rather than naming it: ", a Delaware corporation",
# ", having its principal office at", ", with offices at", "d/b/a ...": the name ends before it.
PARTY_DESCRIPTION = re.compile(
    r",?\s+(?:an?\s+(?=[a-z]|[A-Z][a-z]+\s+(?:[a-z]|corporation|company|limited|LLC|partnership|bank))"
    r"|having\b|with\b|whose\b|located\b|residing\b|organi[sz]ed\b|incorporated\b|existing\b|each\b|on behalf\b"
    r"|acting\b|together\b|including\b|its\b|and its\b|d/b/a\b|f/k/a\b|formerly\b|by its\b|through its\b)"
    r"|\s*\(|,\s+(?=[a-z])"
)
# Clause cues, strongest first, with a weight each (1 is a sure cue).
GOVERNING_CUES: tuple[tuple[re.Pattern[str], float], ...] = (
    (re.compile(r"\bgovern(?:ed|s|ing)\b", re.I), 1.0),
    (re.compile(r"\bconstrued\b|\binterpreted\b|\benforced\b", re.I), 0.9),
    (re.compile(r"\bapplicable law\b|\bchoice of law\b", re.I), 0.8),
    (re.compile(r"\bjurisdiction\b|\bcourts?\b|\bvenue\b", re.I), 0.5),
)
# "organized under the laws of Norway": where a party is incorporated, not the contract's law.
INCORPORATION = re.compile(
    r"\b(?:organi[sz]ed|incorporated|existing|registered|formed|chartered|established)\s+(?:and\s+\w+\s+)?"
    r"(?:under|in|pursuant to)\b",
    re.I,
)
EFFECTIVE_CUES: tuple[tuple[re.Pattern[str], float], ...] = (
    (re.compile(r"\beffective\b", re.I), 1.0),
    (re.compile(r"\b(?:dated|made|entered into|executed)\b(?:\s+and\s+\w+)?\s+(?:as of|on|this)\b", re.I), 0.9),
    (re.compile(r"\bas of\b", re.I), 0.8),
    (re.compile(r"\bdated\b|\bdate\s*:", re.I), 0.6),
)
# Words around the signatures at the end of a contract: dates there are when it was signed.
SIGNATURE_CUES = re.compile(r"\bIN WITNESS WHEREOF\b|\bBy\s*:|\bSignature\b|\bName\s*:|\bTitle\s*:", re.I)
# A conformed signature as filings print it ("/s/ Jane Doe"): the signer's name follows.
SIGNED = re.compile(r"/s/\s*")
# The printed name under a signature line ("Name: Jane Doe", "Printed Name: ..."), and the clause that opens the
# signature blocks.
NAME_CAPTION = re.compile(r"^(?:print(?:ed)?\s+)?name\s*:\s*(?=\S)", re.I)
WITNESS_CLAUSE = re.compile(r"\bIN WITNESS WHEREOF\b", re.I)
# The captions of a signature block's lines, never a heading above a signature: "By:", "Name:", "Title:".
SIGNATURE_FIELD = re.compile(
    r"^(?:by|name|title|date|signature|signed|print(?:ed)? name|its|witness|address|email|phone)\b\s*:?|^[_\s.:-]*$",
    re.I,
)
# A signer's office: who signs for a company rather than for themself.
OFFICER_TITLE = re.compile(
    r"\b(?:president|vice|chief|officer|director|secretary|treasurer|manager|chairman|chairperson|partner|"
    r"ceo|cfo|coo|cto|general counsel|authori[sz]ed (?:signatory|representative)|member|trustee)\b",
    re.I,
)
TERM_CUES: tuple[tuple[re.Pattern[str], float], ...] = (
    # The agreement or its obligations as the subject of lasting: "this Agreement shall expire ...", "the
    # obligations ... shall continue until ...", "the term of this Agreement".
    (
        re.compile(
            r"\b(?:(?:this|the)\s+(?:letter\s+)?agreement|obligations?)\b[^.;]{0,100}?\b(?:expire|terminat|remain|"
            r"continue|be in effect|surviv|last)\w*",
            re.I,
        ),
        1.0,
    ),
    (re.compile(r"\bterm of (?:this|the) (?:letter )?agreement\b", re.I), 1.0),
    (re.compile(r"\b(?:terminat|expir|surviv|remain in (?:full )?(?:force|effect))\w*", re.I), 0.8),
    (re.compile(r"\bfor a (?:period|term) of\b|\bperiod of\b", re.I), 0.7),
    (re.compile(r"\bconfidential\w*\b|\bobligations?\b", re.I), 0.5),
    (re.compile(r"\bterm\b", re.I), 0.5),
)
# "within 30 days", "upon ten days' notice": how soon something must happen, not how long the contract lasts.
NOTICE_CUES = re.compile(r"\b(?:within|notice|prior to|in advance|no later than|not later than|following)\b", re.I)

# fmt: off
NUMBER_WORDS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "forty-eight": 48, "fifty": 50, "sixty": 60, "ninety": 90, "twenty-four": 24, "thirty-six": 36,
    "one hundred twenty": 120, "one hundred eighty": 180,
}
# fmt: on
TIME_UNITS: dict[str, str] = {"year": "year", "month": "month", "week": "week", "day": "day"}
"""Units of a duration by their singular (plural with an s)."""
_NUMBER = "|".join(sorted((re.escape(w) for w in NUMBER_WORDS if w not in ("a", "an")), key=len, reverse=True))
DURATION = re.compile(
    rf"\b(?:(?P<word>{_NUMBER}|an?)\s*(?:\(\s*(?P<paren>\d{{1,3}})\s*\)\s*)?|(?P<digits>\d{{1,3}})\s*)"
    r"[- ]?(?:(?:full|calendar|consecutive|additional)\s+)?(?P<unit>year|month|week|day)s?\b",
    re.I,
)
"""A duration: "two (2) years", "18 months", "a one-year", "three-year", "one year"."""
# fmt: off
ORDINALS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10,
}
# fmt: on
_ORDINAL = "|".join(ORDINALS)
ANNIVERSARY = re.compile(rf"\b(?P<ordinal>{_ORDINAL})\s*(?:\(\s*\d{{1,2}}(?:st|nd|rd|th)\s*\)\s*)?anniversary\b", re.I)
""""the second (2nd) anniversary of the date hereof": a duration of that many years."""

# Lowercase words a name may hold ("Bank of America", "Procter and Gamble"); any other makes it a phrase.
NAME_CONNECTORS = frozenset({"and", "of", "the", "for", "de", "du", "des", "la", "le", "von", "van", "der", "y", "e"})
# Legal-form suffixes as a party's canonical name writes them (the same entity is printed several ways).
LEGAL_FORM_CANONICAL: dict[str, str] = {
    "incorporated": "Inc.",
    "inc": "Inc.",
    "limited": "Ltd.",
    "ltd": "Ltd.",
    "l.p.": "LP",
    "l.p": "LP",
    "l.l.c.": "LLC",
    "l.l.c": "LLC",
    "corp": "Corp.",
    "co": "Co.",
}


def duration_number(m: re.Match[str]) -> int | None:
    """The count of a ``DURATION`` match: the digits in brackets win over the words before them.

    >>> duration_number(DURATION.search("for two (2) years")), duration_number(DURATION.search("18 months"))
    (2, 18)
    """
    if m.group("paren"):
        return int(m.group("paren"))
    if m.group("digits"):
        return int(m.group("digits"))
    word = (m.group("word") or "").casefold()
    return NUMBER_WORDS.get(word)
