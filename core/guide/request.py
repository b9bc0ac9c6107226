"""Plain-language requests read into fields, offline: "Extract the invoice number, total amount, and every
line item with description, quantity and unit price" becomes typed, named, described fields.

The rules: leading verbs ("Extract", "I need") and document references ("from each invoice") are dropped;
pieces are split on commas, "and", semicolons, question marks, lines, bullets and inline numbering
(outside parentheses); "every/each/all X with a, b and c", "X (a, b, c)" and "X: a, b" open an array of
objects (or an object for a singular X in parentheses); "all X"/"list of X" with a plural X is an array of
scalars; "one of A, B or C", "type (A/B/C)" make an enum; "whether ...", "is ...", "(yes/no)" a boolean;
the head noun's kind gives the type (``core.vocabulary.kinds``); the words are those of
``core.vocabulary.requests``.
"""

from __future__ import annotations

import keyword
import re

from core.errors import SchemaError, SchemaProblem
from core.guide.describe import build_description
from core.schema import ITEM_NAME, Field
from core.vocabulary.columns import ITEM_COLUMNS
from core.vocabulary.concepts import find_concept
from core.vocabulary.kinds import QUESTION_WORDS, ValueKind, phrase_kind
from core.vocabulary.requests import (
    AFTERTHOUGHT,
    AND_WORDS,
    COLUMNS_START,
    DETERMINERS,
    ENUM_CUE,
    ENUM_HEADS,
    ENUM_START,
    EVERY_START,
    FOLLOWING,
    FROM_PREFIX,
    FROM_START,
    FROM_SUFFIX,
    GENERIC_SUBJECTS,
    HOW_MANY,
    LEAD,
    NEW_FIELD_START,
    NOISE_WORDS,
    OF_HEADS,
    PASSIVE_WORDS,
    QUANTIFIER,
    QUESTION_START,
    RELATIVE_WORDS,
    WITH,
    YES_NO,
)
from core.vocabulary.words import name_words, plural, singular

_BULLET = re.compile(r"^\s*(?:[-*•·–]|\d+[.)])\s+")


__all__ = ["parse_request", "unique_names", "identifier"]


def _split_top(text: str) -> list[tuple[str, str]]:
    """Split on , ; and & (outside parentheses), keeping which separator came before each piece."""
    pieces: list[tuple[str, str]] = []
    depth, start, sep, i = 0, 0, "start", 0
    lower = text.lower()
    while i < len(text):
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0:
            found = None
            if ch in ",;?":
                m = re.match(rf"[,;?]\s*{AND_WORDS}?\s+", text[i:], re.IGNORECASE)
                kind = "," if ch == "," else ";"
                found = (
                    m.end() if m else 1,
                    "and" if kind == "," and m and m.group(0).strip(",; ") else kind,
                )
            else:
                m = re.match(rf"\s+{AND_WORDS}\s+", lower[i:])
                if m:
                    found = (m.end(), "and")
            if found:
                pieces.append((text[start:i], sep))
                sep = found[1]
                i += found[0]
                start = i
                continue
        i += 1
    pieces.append((text[start:], sep))
    return [(p.strip(" .:"), s) for p, s in pieces if p.strip(" .:")]


def _chunks(request: str) -> list[tuple[str, str]]:
    """The request as (piece, separator) pairs: lines and bullets first, then enumerations."""
    out: list[tuple[str, str]] = []
    request = re.sub(r"(?<=\s)\d{1,2}[.)]\s+(?=[^\W\d])", "\n", request)  # "1) invoice number 2) date"
    for n, raw in enumerate(request.splitlines()):
        line = _BULLET.sub("", raw).strip()
        line = _strip_intro(line)
        if not line:
            continue
        for k, (piece, sep) in enumerate(_split_top(line)):
            out.append((piece, sep if k else ("line" if n and out else "start")))
    return out


def _strip_intro(text: str) -> str:
    for _ in range(3):
        before = text
        text = LEAD.sub("", text).strip()
        text = FOLLOWING.sub("", text).strip()
        text = FROM_PREFIX.sub("", text).strip() if FROM_START.match(text) else text
        if text == before:
            break
    return FROM_SUFFIX.sub("", text).strip(" .:")


def _phrase_words(text: str) -> list[str]:
    """Words of a phrase for a name: possessives and leading determiners/quantifiers dropped."""
    text = re.sub(r"['’]s\b", "", text)
    text = QUANTIFIER.sub("", text)
    words = [w for w in name_words(text) if w not in DETERMINERS]
    while words and words[0] in NOISE_WORDS:
        words = words[1:]
    for stop in RELATIVE_WORDS:  # relative clauses describe, they do not name
        if stop in words[1:]:
            words = words[: words.index(stop, 1)]
    if len(words) > 2 and words[1] == "of" and words[0] in OF_HEADS:
        words = [*words[2:], words[0]]  # "name of the company" is the company_name
    return words[:6]


def identifier(words: list[str], fallback: str = "field") -> str:
    name = "_".join(words) or fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        name = f"{name}_value"
    return name


def _scalar_type(kind: ValueKind | None, words: list[str]) -> str:
    if kind is None:
        found = find_concept(words)
        kind = found[0].kind if found else None
    return {
        "amount": "number",
        "percent": "number",
        "quantity": "number",
        "count": "integer",
        "date": "date",
        "boolean": "boolean",
    }.get(kind or "", "string")


def _describe(f: Field, phrase: str) -> Field:
    """Give ``f`` the suggestion builder's description, keeping the request's wording when it says more."""
    found = find_concept(name_words(f.name))
    said = [w for w in name_words(phrase) if w not in DETERMINERS]
    own = "" if (found and found[1]) or said == name_words(f.name) else phrase
    if own:
        own = own[:1].upper() + own[1:]
    f.description = build_description(f, own)
    return f


def _enum_values(text: str) -> list[str]:
    parts = re.split(r"\s*(?:/|,|\bor\b|\|)\s*", text.strip(" ()."))
    values = [p.strip(" '\"").removeprefix("either ").strip() for p in parts]
    return list(dict.fromkeys(v for v in values if v))


def _boolean_field(text: str) -> Field:
    text = YES_NO.sub("", text).strip(" ?:,")
    words = [w for w in name_words(re.sub(r"['’]s\b", "", text)) if w not in DETERMINERS]
    if words and words[0] in ("whether", "if"):
        words = words[1:]
        verb_at = next((i for i, w in enumerate(words) if w in QUESTION_WORDS), None)
        if verb_at is not None and verb_at > 0:
            verb, rest = words[verb_at], words[verb_at + 1 :]
            if rest and rest[0] in PASSIVE_WORDS:
                verb, rest = "is", rest[1:]
            subject = words[:verb_at]
            words = [verb, *rest] if all(w in GENERIC_SUBJECTS for w in subject) else subject + rest
        phrase = "Whether " + " ".join(text.split()[1:])
    elif words and words[0] in QUESTION_WORDS:
        phrase = text[:1].upper() + text[1:] + "?"
    else:
        phrase = "Whether the document shows " + text
    f = Field(name=identifier(words[:5] or ["flag"]), type="boolean")
    f.description = build_description(f, phrase)
    return f


def _scalar_field(text: str) -> Field | None:
    raw = name_words(text)
    if (
        YES_NO.search(text)
        or QUESTION_START.match(text)
        or (len(raw) > 1 and raw[0] in QUESTION_WORDS and not ENUM_CUE.search(text))
    ):
        return _boolean_field(text)
    enum_match = ENUM_CUE.search(text)
    paren = re.search(r"\(([^)]*)\)\s*$", text)
    values: list[str] = []
    hint = ""
    if enum_match:
        values = _enum_values(text[enum_match.end() :])
        text = text[: enum_match.start()].strip(" ,:(")
    elif paren:
        inner, text = paren.group(1), text[: paren.start()].strip()
        head = _phrase_words(text)
        options = "/" in inner or re.search(r"\bor\b", inner) or (head and head[-1] in ENUM_HEADS and "," in inner)
        if options and not re.search(r"\d|YYYY|\bDD\b|\bMM\b|ISO|format", inner, re.IGNORECASE):
            values = _enum_values(inner)
        else:
            hint = inner  # a label or format hint: it goes into the description, not the name
    if HOW_MANY.match(text):
        text = "number of " + text[9:]
    words = _phrase_words(text)
    if not words:
        return None
    phrase = re.sub(r"^(?:the|a|an)\s+", "", text.strip(), flags=re.IGNORECASE)
    if hint:
        phrase += f" ({hint})"
    if values:
        return _describe(Field(name=identifier(words), type="enum", values=list(values)), phrase)
    kind = phrase_kind(words)
    f = _describe(Field(name=identifier(words), type=_scalar_type(kind, words)), phrase)
    if hint and hint not in f.description:
        looks = re.search(r"\d|YYYY|\bDD\b|\bMM\b", hint, re.IGNORECASE)
        f.description += f" On the document it looks like {hint}." if looks else f" Also labelled {hint}."
    return f


def _array_field(head: str, columns: list[str]) -> Field | None:
    words = _phrase_words(head)
    if not words:
        return None
    words = words[:-1] + [plural(words[-1])]
    name = identifier(words)
    if not columns:
        found = find_concept(words)
        if found and found[0].key == "line_items":
            columns = list(ITEM_COLUMNS)
    props = unique_names([f for f in (_scalar_field(c) for c in columns) if f is not None])
    if props:
        items = Field(name=ITEM_NAME, type="object", properties=props)
    else:
        item_words = words[:-1] + [singular(words[-1])]
        item = _scalar_field(" ".join(item_words)) or Field(name=ITEM_NAME)
        items = item.model_copy(update={"name": ITEM_NAME})
    return _describe(Field(name=name, type="array", items=items), "")


def unique_names(fields: list[Field]) -> list[Field]:
    seen: dict[str, int] = {}
    for f in fields:
        base = f.name
        seen[base] = seen.get(base, 0) + 1
        if seen[base] > 1:
            f.name = f"{base}_{seen[base]}"
    return fields


def _group_start(text: str) -> tuple[str, str] | None:
    """(head, first column) when the piece opens an array of objects ("every line item with description")."""
    if ENUM_CUE.search(text):
        return None
    paren = re.match(r"^(.+?)\s*\((.+)\)\s*$", text)
    if (
        paren
        and len(_split_top(paren.group(2))) > 1
        and not ("/" in paren.group(2) or re.search(r"\bor\b", paren.group(2)))
    ):
        head_words = _phrase_words(paren.group(1))
        if head_words and head_words[-1] not in ENUM_HEADS:
            return paren.group(1), paren.group(2)
    parts = WITH.split(text, maxsplit=1)
    if len(parts) == 2:
        head = parts[0]
        words = _phrase_words(head)
        if words and (QUANTIFIER.match(head) or singular(words[-1]) != words[-1] or ":" in text):
            return head, parts[1]
    return None


def parse_request(request: str) -> list[Field]:
    """Draft fields from a plain-language request, offline.

    Args:
        request: e.g. "Extract the invoice number, total amount, due date, and every line item with
            description, quantity, and unit price".

    Returns:
        Fields with snake_case names, types and descriptions (unique names, valid identifiers).

    Raises:
        SchemaError: the request is empty or names no field.

    >>> [(f.name, f.type) for f in parse_request("Get the invoice number, due date and total amount")]
    [('invoice_number', 'string'), ('due_date', 'date'), ('total_amount', 'number')]
    """
    if not request or not re.search(r"\w", request):
        raise SchemaError(
            [SchemaProblem("request", "the request is empty")],
            hint="Describe the fields, e.g. 'Extract the invoice number, total amount and due date'.",
        )
    pieces = _chunks(request)
    fields: list[Field] = []
    i = 0
    while i < len(pieces):
        i = _read_piece(pieces[i][0], pieces, i + 1, fields)
    if not fields:
        raise SchemaError(
            [SchemaProblem("request", f"no field found in {request.strip()[:80]!r}")],
            hint="Name the values to extract, separated by commas, e.g. 'invoice number, total amount'.",
        )
    return unique_names(fields)


def _read_piece(text: str, pieces: list[tuple[str, str]], i: int, fields: list[Field]) -> int:
    """Read one piece into ``fields``: a new field, or the columns or values of the previous one. Returns the
    index of the next piece to read (``i``, or past the pieces taken as columns or values)."""
    if AFTERTHOUGHT.match(text):
        return i
    group = _group_start(text)
    if group is None and COLUMNS_START.match(text) and fields and fields[-1].type == "array":
        # "all parties, each with name and address": the columns of the previous list
        columns, i = _take_columns([WITH.split(" " + text, maxsplit=1)[-1]], pieces, i)
        rebuilt = _array_field(fields[-1].name.replace("_", " "), columns)
        if rebuilt is not None:
            fields[-1] = rebuilt
        return i
    if group is not None:
        return _read_group(text, group, pieces, i, fields)
    if ENUM_START.match(text) and fields:
        # "the policy type, one of life, health or property": the values of the previous field
        text, i = _take_values(text, pieces, i)
        previous = fields[-1]
        values = _enum_values(text[ENUM_CUE.search(text).end() :])  # type: ignore[union-attr]
        if previous.is_scalar and values:
            fields[-1] = _describe(
                Field(name=previous.name, type="enum", values=list(values)),
                previous.name.replace("_", " "),
            )
        return i
    if ENUM_CUE.search(text):
        text, i = _take_values(text, pieces, i)
    if QUANTIFIER.match(text):
        words = _phrase_words(text)
        if words and (singular(words[-1]) != words[-1] or EVERY_START.match(text)):
            f = _array_field(text, [])
            if f is not None:
                fields.append(f)
            return i
    scalar = _scalar_field(text)
    if scalar is not None:
        fields.append(scalar)
    return i


def _read_group(text: str, group: tuple[str, str], pieces: list[tuple[str, str]], i: int, fields: list[Field]) -> int:
    """An array of objects (or an object) with its columns: in parentheses, or the pieces that follow."""
    head, first = group
    if "(" in text:
        columns = [c for c, _ in _split_top(first)]
    else:
        columns, i = _take_columns([first], pieces, i)
    head_words = _phrase_words(head)
    if head_words and singular(head_words[-1]) == head_words[-1] and not QUANTIFIER.match(head):
        f = _object_field(head, columns)
    else:
        f = _array_field(head, columns)
    if f is not None:
        fields.append(f)
    return i


def _take_columns(columns: list[str], pieces: list[tuple[str, str]], i: int) -> tuple[list[str], int]:
    """Add the pieces from ``i`` that continue a list of columns ("..., quantity and unit price")."""
    while i < len(pieces) and pieces[i][1] in (",", "and") and not _starts_new(pieces[i][0]):
        columns.append(pieces[i][0])
        i += 1
    return columns, i


def _take_values(text: str, pieces: list[tuple[str, str]], i: int) -> tuple[str, int]:
    """Join the enum values that run on after "one of" ("cash, card or transfer") up to the one with "or"."""
    cue = ENUM_CUE.search(text)
    if cue is None or re.search(r"\bor\b", text[cue.end() :]):
        return text, i
    while i < len(pieces) and pieces[i][1] in (",", "and") and not _starts_new(pieces[i][0]):
        text += ", " + pieces[i][0]
        last = pieces[i][1] == "and" or re.search(r"\bor\b", pieces[i][0])
        i += 1
        if last:
            break
    return text, i


def _object_field(head: str, columns: list[str]) -> Field | None:
    words = _phrase_words(head)
    if not words:
        return None
    props = unique_names([f for f in (_scalar_field(c) for c in columns) if f is not None])
    if not props:  # "X: something" that names no part is just X
        return _scalar_field(head)
    return _describe(Field(name=identifier(words), type="object", properties=props), "")


def _starts_new(text: str) -> bool:
    """True when a piece starts a new top-level field rather than continuing a list of columns or values."""
    return bool(NEW_FIELD_START.match(text))
