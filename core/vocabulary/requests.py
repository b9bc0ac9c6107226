"""The words of plain-language requests ("Extract the invoice number and every line item with ..."): polite
leads and verbs, references to the documents, quantifiers, the words that open columns, enum values and
yes/no questions, and the words that name nothing. English; ``core.guide.request`` parses with them.
"""

from __future__ import annotations

import re

__all__ = [
    "LEAD",
    "FOLLOWING",
    "FROM_PREFIX",
    "FROM_START",
    "FROM_SUFFIX",
    "QUANTIFIER",
    "EVERY_START",
    "WITH",
    "COLUMNS_START",
    "AND_WORDS",
    "ENUM_CUE",
    "ENUM_START",
    "YES_NO",
    "QUESTION_START",
    "HOW_MANY",
    "AFTERTHOUGHT",
    "NEW_FIELD_START",
    "ENUM_HEADS",
    "DETERMINERS",
    "GENERIC_SUBJECTS",
    "RELATIVE_WORDS",
    "NOISE_WORDS",
    "PASSIVE_WORDS",
    "OF_HEADS",
]


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# "Please extract", "I need", "Could you get": the request's lead, dropped.
LEAD = re.compile(
    r"^(?:please\s+|kindly\s+|(?:can|could|would) you\s+)*"
    r"(?:(?:i|we)\s*(?:need|want|would like|'d like)"
    r"(?:\s+to\s+(?:extract|get|capture|know|have|see|pull out))?|"
    r"extract|get|pull out|pull|find|capture|read|grab|return|give me|collect|list|identify|fetch|retrieve|"
    r"take|look for|scan for|parse|detect)\b\s*",
    re.IGNORECASE,
)
# "the following fields:" opening a list.
FOLLOWING = re.compile(
    r"^(?:the\s+)?(?:following|these|those)(?:\s+(?:fields|values|information|details|data|items|entities))?\s*:?\s*$"
    r"|^(?:the\s+)?(?:following|these|those)\s+(?:fields|values|information|details|data|entities)\s*:\s*",
    re.IGNORECASE,
)
# "From each contract, ..." and "... from each invoice": references to the documents, dropped.
FROM_PREFIX = re.compile(r"^(?:from|for|in|on)\s+[^,:]{1,40}?[,:]\s*", re.IGNORECASE)
FROM_START = re.compile(r"^(from|for|in|on)\s", re.I)
_DOCUMENTS = (
    r"(?:document|invoice|receipt|contract|form|pdf|file|page|letter|statement|bill|order|note|slip|label|report|"
    r"agreement|application|policy|policies|waybill|scan|image)s?"
)
FROM_SUFFIX = re.compile(
    rf"\s+(?:from|in|on|of)\s+(?:each|every|the|all|these|this|our|my|a|an|any)\s+(?:[\w-]+\s+){{0,2}}{_DOCUMENTS}"
    r"\s*\.?$",
    re.IGNORECASE,
)
# "every", "all the", "a list of": a list follows.
QUANTIFIER = re.compile(
    r"^(?:(?:a|the)\s+)?(?:(?:every|each|all(?:\s+the)?|any|(?:full\s+)?list\s+of(?:\s+(?:all|the))?)\s+)",
    re.IGNORECASE,
)
EVERY_START = re.compile(r"^(?:every|each)\s", re.I)
# "every line item with description, quantity": the columns follow.
WITH = re.compile(
    r"\s+(?:each\s+)?(?:with|including|containing|having|consisting of|showing)"
    r"(?:\s+(?:its|their|the))?\s*:?\s+"
    r"|\s*:\s+",
    re.IGNORECASE,
)
COLUMNS_START = re.compile(r"^(?:each|every one)?\s*(?:with|including)\s", re.I)
# Words that join two fields ("invoice number and total", "the date, plus the total").
AND_WORDS = r"(?:and|&|plus|as well as)"
# "one of cash, card or transfer": enum values follow.
ENUM_CUE = re.compile(r"\b(?:which is |that is |being )?(?:one of|either)\s+", re.IGNORECASE)
ENUM_START = re.compile(r"^(?:which is |that is |being )?(?:one of|either)\s", re.I)
# "(yes/no)", a trailing "?", "whether ...", "how many ...": the kind of answer asked for.
YES_NO = re.compile(r"\(?\b(?:yes\s*/\s*no|yes or no|true\s*/\s*false|y/n)\b\)?|\?$", re.IGNORECASE)
QUESTION_START = re.compile(r"^(?:whether|if)\s", re.IGNORECASE)
HOW_MANY = re.compile(r"^how many\s", re.IGNORECASE)
# "etc.", "and so on": pieces that name no field.
AFTERTHOUGHT = re.compile(r"^(?:etc\.?|and so on|and more|as well|too|also)$", re.IGNORECASE)
# Pieces that start a new top-level field rather than continue a list of columns or values.
NEW_FIELD_START = re.compile(r"^(?:the|a|an|also|plus|whether|if|every|each|all|any|list of)\s", re.IGNORECASE)

# Heads of fields whose values are a fixed set ("document type (invoice/credit note)").
ENUM_HEADS = _set("type status category kind method class mode level priority gender grade tier")
DETERMINERS = _set("the a an its their his her our my your any")
# Subjects of a question that name no field ("whether it is signed" asks is_signed).
GENERIC_SUBJECTS = _set("it this document form page file")
# Words after which a phrase describes rather than names ("the BIC from the footer" is the bic).
RELATIVE_WORDS = ("that", "which", "who", "where", "when", "if", "from", "in", "on", "at", "for")
# Pieces made only of these name nothing ("all", "with", "one of", "and").
NOISE_WORDS = _set(
    "every each all any with of one whether is are if and or list also plus the a an everything "
    "anything following field fields value values data information"
)
PASSIVE_WORDS = ("been", "being")  # "has been signed" asks whether it is signed
# "name of the company" is the company_name.
OF_HEADS = ("name", "address", "email", "phone", "signature")
