"""Plain-language requests read into fields, offline: "Extract the invoice number, total amount, and every
line item with description, quantity and unit price" becomes typed, named, described fields.

The rules: leading verbs ("Extract", "I need") and document references ("from each invoice") are dropped;
pieces are split on commas, "and", semicolons, question marks, lines, bullets and inline numbering
(outside parentheses); "every/each/all X with a, b and c", "X (a, b, c)" and "X: a, b" open an array of
objects (or an object for a singular X in parentheses); "all X"/"list of X" with a plural X is an array of
scalars; "one of A, B or C", "type (A/B/C)" make an enum; "whether ...", "is ...", "(yes/no)" a boolean;
the head noun's kind gives the type (``core.field_vocabulary``).
"""

from __future__ import annotations

import keyword
import re

from core.errors import SchemaError, SchemaProblem
from core.schema import ITEM_NAME, Field
from core.vocabulary.fields import Kind, build_description, find_concept, name_words, phrase_kind, plural, singular

__all__ = ["parse_request", "unique_names", "identifier"]


def _split(text: str) -> frozenset[str]:
    return frozenset(text.split())


_LEAD = re.compile(
    r"^(?:please\s+|kindly\s+|(?:can|could|would) you\s+)*"
    r"(?:(?:i|we)\s*(?:need|want|would like|'d like)"
    r"(?:\s+to\s+(?:extract|get|capture|know|have|see|pull out))?|"
    r"extract|get|pull out|pull|find|capture|read|grab|return|give me|collect|list|identify|fetch|retrieve|"
    r"take|look for|scan for|parse|detect)\b\s*",
    re.IGNORECASE,
)
_FOLLOWING = re.compile(
    r"^(?:the\s+)?(?:following|these|those)(?:\s+(?:fields|values|information|details|data|items|entities))?\s*:?\s*$"
    r"|^(?:the\s+)?(?:following|these|those)\s+(?:fields|values|information|details|data|entities)\s*:\s*",
    re.IGNORECASE,
)
_FROM_PREFIX = re.compile(r"^(?:from|for|in|on)\s+[^,:]{1,40}?[,:]\s*", re.IGNORECASE)
_DOC_WORDS = (
    r"(?:document|invoice|receipt|contract|form|pdf|file|page|letter|statement|bill|order|note|slip|label|report|"
    r"agreement|application|policy|policies|waybill|scan|image)s?"
)
_FROM_SUFFIX = re.compile(
    rf"\s+(?:from|in|on|of)\s+(?:each|every|the|all|these|this|our|my|a|an|any)\s+(?:[\w-]+\s+){{0,2}}{_DOC_WORDS}"
    r"\s*\.?$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[-*•·–]|\d+[.)])\s+")
_QUANTIFIER = re.compile(
    r"^(?:(?:a|the)\s+)?(?:(?:every|each|all(?:\s+the)?|any|(?:full\s+)?list\s+of(?:\s+(?:all|the))?)\s+)",
    re.IGNORECASE,
)
_WITH = re.compile(
    r"\s+(?:each\s+)?(?:with|including|containing|having|consisting of|showing)"
    r"(?:\s+(?:its|their|the))?\s*:?\s+"
    r"|\s*:\s+",
    re.IGNORECASE,
)
_ENUM_CUE = re.compile(r"\b(?:which is |that is |being )?(?:one of|either)\s+", re.IGNORECASE)
_BOOL_CUE = re.compile(r"\(?\b(?:yes\s*/\s*no|yes or no|true\s*/\s*false|y/n)\b\)?|\?$", re.IGNORECASE)
_ENUM_HEADS = _split("type status category kind method class mode level priority gender grade tier")
_DETERMINERS = _split("the a an its their his her our my your any")
_FILLER = re.compile(r"^(?:etc\.?|and so on|and more|as well|too|also)$", re.IGNORECASE)
_GENERIC_SUBJECTS = _split("it this document form page file")
# Words after which a phrase describes rather than names ("the BIC from the footer" is the bic).
_RELATIVE = ("that", "which", "who", "where", "when", "if", "from", "in", "on", "at", "for")
# Pieces made only of these name nothing ("all", "with", "one of", "and").
_NOISE = _split(
    "every each all any with of one whether is are if and or list also plus the a an everything "
    "anything following field fields value values data information"
)
_VERBS = _split("is are was were has have had does did can contains includes")


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
                m = re.match(r"[,;?]\s*(?:and|&|plus|as well as)?\s+", text[i:], re.IGNORECASE)
                kind = "," if ch == "," else ";"
                found = (
                    m.end() if m else 1,
                    "and" if kind == "," and m and m.group(0).strip(",; ") else kind,
                )
            else:
                m = re.match(r"\s+(?:and|&|plus|as well as)\s+", lower[i:])
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
        text = _LEAD.sub("", text).strip()
        text = _FOLLOWING.sub("", text).strip()
        text = _FROM_PREFIX.sub("", text).strip() if re.match(r"^(from|for|in|on)\s", text, re.I) else text
        if text == before:
            break
    return _FROM_SUFFIX.sub("", text).strip(" .:")


def _phrase_words(text: str) -> list[str]:
    """Words of a phrase for a name: possessives and leading determiners/quantifiers dropped."""
    text = re.sub(r"['’]s\b", "", text)
    text = _QUANTIFIER.sub("", text)
    words = [w for w in name_words(text) if w not in _DETERMINERS]
    while words and words[0] in _NOISE:
        words = words[1:]
    for stop in _RELATIVE:  # relative clauses describe, they do not name
        if stop in words[1:]:
            words = words[: words.index(stop, 1)]
    if len(words) > 2 and words[1] == "of" and words[0] in ("name", "address", "email", "phone", "signature"):
        words = [*words[2:], words[0]]  # "name of the company" is the company_name
    return words[:6]


def identifier(words: list[str], fallback: str = "field") -> str:
    name = "_".join(words) or fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        name = f"{name}_value"
    return name


def _scalar_type(kind: Kind | None, words: list[str]) -> str:
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
    said = [w for w in name_words(phrase) if w not in _DETERMINERS]
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
    text = _BOOL_CUE.sub("", text).strip(" ?:,")
    words = [w for w in name_words(re.sub(r"['’]s\b", "", text)) if w not in _DETERMINERS]
    if words and words[0] in ("whether", "if"):
        words = words[1:]
        verb_at = next((i for i, w in enumerate(words) if w in _VERBS), None)
        if verb_at is not None and verb_at > 0:
            verb, rest = words[verb_at], words[verb_at + 1 :]
            if rest and rest[0] in ("been", "being"):  # "has been signed" asks whether it is signed
                verb, rest = "is", rest[1:]
            subject = words[:verb_at]
            words = [verb, *rest] if all(w in _GENERIC_SUBJECTS for w in subject) else subject + rest
        phrase = "Whether " + " ".join(text.split()[1:])
    elif words and words[0] in _VERBS:
        phrase = text[:1].upper() + text[1:] + "?"
    else:
        phrase = "Whether the document shows " + text
    f = Field(name=identifier(words[:5] or ["flag"]), type="boolean")
    f.description = build_description(f, phrase)
    return f


def _scalar_field(text: str) -> Field | None:
    raw = name_words(text)
    if (
        _BOOL_CUE.search(text)
        or re.match(r"^(?:whether|if)\s", text, re.IGNORECASE)
        or (len(raw) > 1 and raw[0] in _VERBS and not _ENUM_CUE.search(text))
    ):
        return _boolean_field(text)
    enum_match = _ENUM_CUE.search(text)
    paren = re.search(r"\(([^)]*)\)\s*$", text)
    values: list[str] = []
    hint = ""
    if enum_match:
        values = _enum_values(text[enum_match.end() :])
        text = text[: enum_match.start()].strip(" ,:(")
    elif paren:
        inner, text = paren.group(1), text[: paren.start()].strip()
        head = _phrase_words(text)
        options = "/" in inner or re.search(r"\bor\b", inner) or (head and head[-1] in _ENUM_HEADS and "," in inner)
        if options and not re.search(r"\d|YYYY|\bDD\b|\bMM\b|ISO|format", inner, re.IGNORECASE):
            values = _enum_values(inner)
        else:
            hint = inner  # a label or format hint: it goes into the description, not the name
    if re.match(r"^how many\s", text, re.IGNORECASE):
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
            columns = ["description", "quantity", "unit price", "line total"]
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
    if _ENUM_CUE.search(text):
        return None
    paren = re.match(r"^(.+?)\s*\((.+)\)\s*$", text)
    if (
        paren
        and len(_split_top(paren.group(2))) > 1
        and not ("/" in paren.group(2) or re.search(r"\bor\b", paren.group(2)))
    ):
        head_words = _phrase_words(paren.group(1))
        if head_words and head_words[-1] not in _ENUM_HEADS:
            return paren.group(1), paren.group(2)
    parts = _WITH.split(text, maxsplit=1)
    if len(parts) == 2:
        head = parts[0]
        words = _phrase_words(head)
        if words and (_QUANTIFIER.match(head) or singular(words[-1]) != words[-1] or ":" in text):
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
        text, _sep = pieces[i]
        i += 1
        if _FILLER.match(text):
            continue
        group = _group_start(text)
        if group is None and re.match(r"^(?:each|every one)?\s*(?:with|including)\s", text, re.I) and fields:
            # "all parties, each with name and address": the columns of the previous list
            previous = fields[-1]
            if previous.type == "array":
                columns = [_WITH.split(" " + text, maxsplit=1)[-1]]
                while i < len(pieces) and pieces[i][1] in (",", "and") and not _starts_new(pieces[i][0]):
                    columns.append(pieces[i][0])
                    i += 1
                head = previous.name.replace("_", " ")
                rebuilt = _array_field(head, columns)
                if rebuilt is not None:
                    fields[-1] = rebuilt
                continue
        if group is not None:
            head, first = group
            columns = [c for c, _ in _split_top(first)] if "(" in text else [first]
            if "(" not in text:
                while i < len(pieces) and pieces[i][1] in (",", "and") and not _starts_new(pieces[i][0]):
                    columns.append(pieces[i][0])
                    i += 1
            head_words = _phrase_words(head)
            if head_words and singular(head_words[-1]) == head_words[-1] and not _QUANTIFIER.match(head):
                f = _object_field(head, columns)
            else:
                f = _array_field(head, columns)
            if f is not None:
                fields.append(f)
            continue
        if re.match(r"^(?:which is |that is |being )?(?:one of|either)\s", text, re.I) and fields:
            # "the policy type, one of life, health or property": the values of the previous field
            text, i = _take_values(text, pieces, i)
            previous = fields[-1]
            values = _enum_values(text[_ENUM_CUE.search(text).end() :])  # type: ignore[union-attr]
            if previous.is_scalar and values:
                fields[-1] = _describe(
                    Field(name=previous.name, type="enum", values=list(values)),
                    previous.name.replace("_", " "),
                )
            continue
        if _ENUM_CUE.search(text):
            text, i = _take_values(text, pieces, i)
        if _QUANTIFIER.match(text):
            words = _phrase_words(text)
            if words and (singular(words[-1]) != words[-1] or re.match(r"^(?:every|each)\s", text, re.I)):
                f = _array_field(text, [])
                if f is not None:
                    fields.append(f)
                continue
        scalar = _scalar_field(text)
        if scalar is not None:
            fields.append(scalar)
    if not fields:
        raise SchemaError(
            [SchemaProblem("request", f"no field found in {request.strip()[:80]!r}")],
            hint="Name the values to extract, separated by commas, e.g. 'invoice number, total amount'.",
        )
    return unique_names(fields)


def _take_values(text: str, pieces: list[tuple[str, str]], i: int) -> tuple[str, int]:
    """Join the enum values that run on after "one of" ("cash, card or transfer") up to the one with "or"."""
    cue = _ENUM_CUE.search(text)
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
    return bool(re.match(r"^(?:the|a|an|also|plus|whether|if|every|each|all|any|list of)\s", text, re.IGNORECASE))
