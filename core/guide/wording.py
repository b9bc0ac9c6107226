"""What a field's description already says: the labels it is printed under, where it is, the format to return
it in, or nothing more than the field's own name."""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.vocabulary.descriptions import (
    DATE_FORMAT_WORDS,
    GENERIC_WORDS,
    LOCATION_WORDS,
    NUMBER_FORMAT_WORDS,
    STOP_WORDS,
)
from core.vocabulary.kinds import ValueKind
from core.vocabulary.words import name_words, singular

__all__ = ["mentions_labels", "mentions_location", "mentions_format", "is_vague"]

# Quoted words or a parenthesised list: the labels the value is printed under.
_QUOTED = re.compile(r"['\"‘’“”«„][^'\"‘’“”«»]{2,}['\"‘’“”»]|\([^)]{2,}\)")


def mentions_labels(text: str) -> bool:
    """True when the text quotes or parenthesises the labels printed next to the value."""
    return bool(_QUOTED.search(text))


def mentions_location(text: str) -> bool:
    """True when the text says where the value is: quoted/parenthesised labels or location words."""
    return mentions_labels(text) or bool(LOCATION_WORDS.search(text))


def mentions_format(text: str, kind: ValueKind | None, field_type: str) -> bool:
    """True when the text states the output format a date or an amount should be returned in."""
    if field_type == "date" or kind == "date":
        return bool(DATE_FORMAT_WORDS.search(text))
    return bool(NUMBER_FORMAT_WORDS.search(text))


def is_vague(text: str, words: Sequence[str] = ()) -> bool:
    """True when a description says no more than generic words and the field's own name ("the number").

    >>> is_vague("the number", ["invoice", "number"]), is_vague("Invoice No. in the header")
    (True, False)
    """
    content = [w for w in name_words(text) if w not in STOP_WORDS]
    return bool(content) and all(
        w in GENERIC_WORDS or singular(w) in words or any(_abbreviates(w, n) for n in words) for w in content
    )


def _abbreviates(short: str, word: str) -> bool:
    """True when ``short`` is ``word`` or an abbreviation of it ("qty" of "quantity", "amt" of "amount")."""
    if short == word:
        return True
    if len(short) < 2 or len(short) >= len(word) or short[0] != word[0]:
        return False
    rest = iter(word[1:])
    return all(ch in rest for ch in short[1:])
