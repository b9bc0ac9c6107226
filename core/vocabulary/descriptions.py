"""The words field descriptions use to say where a value is, what it is not, how to pick it and in which format
to return it: what the field guide checks a description for, and the cues the local engine reads from it.
"""

from __future__ import annotations

import re

from core.vocabulary.words import words

__all__ = [
    "STOP_WORDS",
    "GENERIC_WORDS",
    "COMPARE_SKIP",
    "LOCATION_WORDS",
    "DATE_FORMAT_WORDS",
    "NUMBER_FORMAT_WORDS",
    "QUESTION_CUE",
    "EXAMPLE_MARKER",
    "NEGATION",
    "LABEL_HEADS",
    "LIST_SEPARATOR",
    "NOT_A_LABEL",
    "ARTICLE",
    "LEAVE_EMPTY_WORD",
    "LOCATION_CUES",
    "SELECTION_CUES",
    "NO_SPACES",
    "EQUAL_TO",
    "KEEP_HASH_WORDS",
    "NAME_ONLY",
    "REQUIRE_LABEL",
    "MONTH_FIRST",
    "DAY_FIRST",
    "ROLE_CUES",
    "FORMAT_CUES",
    "PLACED_LABEL",
    "LEFT_OUT",
]

# --- what the field guide checks ----------------------------------------------------------------------------

# Words that say nothing about which value is meant ("the number", "a date"): a description made of these and
# the field's own name is vague.
STOP_WORDS = frozenset(words("the a an this that its their any all each every of and or to in on at as"))
GENERIC_WORDS = frozenset(
    words(
        "number no date amount value total name text field info information data id code thing type string sum "
        "price document here there it"
    )
)
# Words left out when two descriptions are compared for overlap.
COMPARE_SKIP = ("the", "a", "an", "of", "as", "in", "on", "and", "or")
LOCATION_WORDS = re.compile(
    r"\b(header|footer|top|bottom|left|right|corner|table|column|row|line|lines|block|section|box|label|labell?ed|"
    r"next to|beside|below|above|under|near|page|letterhead|stamp|signature|paragraph|clause|heading|caption|"
    r"margin|sender line|address block|cover|form)\b",
    re.IGNORECASE,
)
DATE_FORMAT_WORDS = re.compile(r"YYYY|yyyy|ISO[ -]?8601|\bformat\b|DD[./-]MM|MM[./-]DD", re.IGNORECASE)
NUMBER_FORMAT_WORDS = re.compile(
    r"plain number|as an? (?:\w+ )?number|decimal|numeric|without (?:the )?(?:currency|unit|symbol|%)|whole number|"
    r"digits only|as a figure",
    re.IGNORECASE,
)
# A yes/no question in a description.
QUESTION_CUE = re.compile(r"\b(whether|if|yes|no|true|false)\b|\?", re.IGNORECASE)

# --- the cues the local engine reads ------------------------------------------------------------------------

EXAMPLE_MARKER = re.compile(
    r"\b(?:e\.\s?g\.|z\.\s?b\.|for example|such as|par exemple|p\.\s?ex\.|like)\s*:?\s*([^.;()]+)", re.I
)
# "Not the order date": a negative cue (but "when not printed" is none).
NEGATION = re.compile(
    r"(?<!when )(?<!if )(?<!wenn )(?<!si )(?:^|(?<=[.;:,\s]))(?:not|nicht|never|jamais)\s+"
    r"(?:the|an?|any|der|die|das|le|la|les)?\s*([^.;]+)",
    re.I,
)
# Head nouns shared by a list of negatives ("Not the order, delivery or due date": each one a date).
LABEL_HEADS = ("date", "number", "amount", "name", "address", "total", "id", "code", "reference", "datum", "nummer")
# Without whitespace of its own around the separators: "\s*" on both sides made a run of spaces quadratic;
# the parts are stripped instead.
LIST_SEPARATOR = re.compile(r"(?:,|;|/(?!\w*\d)|\bor\b|\bodere?\b|\bou\b|\band\b|\bund\b|\bet\b)")
# A parenthesised item that explains rather than labels ("(e.g. ...)", "(see ...)").
NOT_A_LABEL = re.compile(r"(?:e\.\s?g|z\.\s?b|i\.\s?e|see|as|ex)\b", re.I)
ARTICLE = re.compile(r"^(?:the|an?|der|die|das|le|la)\s+", re.I)
# "Leave empty when only payment terms such as '14 Tage netto' are given": no labels in this sentence.
# A word that makes its sentence a "leave empty when ..." clause (the sentence is found around it: a regex
# with [^.]* on both sides retried every start of a long text without a full stop).
LEAVE_EMPTY_WORD = re.compile(r"\b(?:leave|empty|leer)\b", re.I)
# Where the value is, and how to choose among several (in order: the first that matches), in casefolded text.
LOCATION_CUES: dict[str, re.Pattern[str]] = {
    "top": re.compile(r"\b(top|header|heading|letterhead|sender|kopf|en-tête)\b"),
    "bottom": re.compile(r"\b(bottom|footer|fuß|pied)\b"),
    "recipient": re.compile(r"\b(recipient|address block|addressee|bill to|empfänger)\b"),
    "letterhead": re.compile(r"\bletterhead|sender line\b"),
}
# Which party a description is about, in casefolded text: words naming the issuer's side or the addressee's
# ("of the seller", "the recipient's"); the first one mentioned wins.
ROLE_CUES: dict[str, re.Pattern[str]] = {
    "seller": re.compile(
        r"\b(seller|vendor|supplier|issuer|sender|merchant|payee|biller|creditor|letterhead|sender line|lieferant|"
        r"verkäufer|rechnungssteller|absender|fournisseur|vendeur|émetteur|proveedor)(?:'s|’s|s)?\b"
    ),
    "buyer": re.compile(
        r"\b(buyer|customer|client|recipient|addressee|purchaser|bill[- ]to|debtor|recipient block|käufer|kunde|"
        r"empfänger|rechnungsempfänger|acheteur|destinataire|cliente)(?:'s|’s|s)?\b"
    ),
}
# "Without phone, fax or GST numbers": what a value leaves out is not what the field is ("excluding" is left to
# amounts: "the total excluding VAT" is a net amount).
LEFT_OUT = re.compile(r"\b(?:without|other than|except|ohne|sans)\s+(?:the\s+|any\s+|its\s+)?([^.;()]+)", re.I)
# A label named by where the value is printed, in capitals and without quotes ("the amount printed after CASH",
# "the number under IBAN"): case-sensitive, in the description as written.
PLACED_LABEL = re.compile(
    r"\b(?:after|under|below|beside|next to|labell?ed|right of|following)\s+(?:the\s+)?(?:word\s+|label\s+)?"
    r"([A-Z][A-Z0-9.#/-]{1,20}(?:\s[A-Z][A-Z0-9.#/-]{1,20}){0,2})(?![\w'])"
)
# How to return a value, in casefolded text: digits only, without spaces (``NO_SPACES``), as printed, in capitals
# or small letters, a phone number in international form, a date as YYYY-MM-DD.
FORMAT_CUES: dict[str, re.Pattern[str]] = {
    "digits": re.compile(
        r"digits only|only (?:the )?digits|numbers only|only (?:the )?numbers|without (?:any )?(?:separators|"
        r"punctuation|slashes|dashes|hyphens|dots)|nur ziffern|uniquement les chiffres"
    ),
    "as_printed": re.compile(
        r"as printed|exactly as (?:it is )?(?:printed|shown|written)|as (?:it )?appears|with (?:its |the )?spaces|"
        r"including (?:the )?spaces|wie gedruckt"
    ),
    "upper": re.compile(r"upper ?case|in capitals|capital letters|großbuchstaben"),
    "lower": re.compile(r"lower ?case|small letters|kleinbuchstaben"),
    "international": re.compile(r"international (?:format|form|notation)|e\.?\s?164|with (?:the )?country code"),
    "iso_date": re.compile(r"yyyy-mm-dd|iso[ -]?8601|iso format|iso date"),
    "number": re.compile(r"as an? (?:plain |bare )?number|number only|without (?:the )?(?:unit|%|per ?cent sign)"),
}
SELECTION_CUES: dict[str, re.Pattern[str]] = {
    "largest": re.compile(r"\b(largest|highest|maximum|biggest|greatest)\b"),
    "smallest": re.compile(r"\b(smallest|lowest|minimum)\b"),
    "last": re.compile(r"\blast\b"),
    "first": re.compile(r"\bfirst\b"),
}
# Format and presence cues, in casefolded text.
NO_SPACES = re.compile(r"without (any )?(spaces|blanks)|no spaces|ohne leerzeichen")
EQUAL_TO = re.compile(
    r"(?:equal to|same as|identical to|gleich)\s+(?:the\s+|dem\s+|der\s+)?([\w\s-]{3,40}?)(?:[.;,()]|$)"
)
# "prefix" and "#" in one sentence: keep the hash mark of a number (checked per sentence, not by a regex
# with [^.]* between them, which was quadratic in the number of "#").
KEEP_HASH_WORDS = ("prefix", "#")
NAME_ONLY = re.compile(r"name only|only the name|without (the )?(street|address)")
REQUIRE_LABEL = re.compile(r"leave (it )?empty|empty when|leer lassen|null when|if not printed")
MONTH_FIRST = re.compile(r"\b(us|american|mm/dd)\b")
DAY_FIRST = re.compile(r"\b(dd\.mm|dd/mm|european)\b")
