"""Confidence from token log-probabilities: which tokens of a JSON answer wrote a value, how sure they were.

A chat-completions server asked for ``logprobs`` returns each token it generated with its log-probability.
``token_confidences`` lines the tokens up with the characters of the JSON answer (``json_spans`` gives each
value's span) and turns the tokens of each value into one confidence between 0 and 1.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["TokenLogprob", "JsonPath", "json_spans", "token_confidences"]


@dataclass(frozen=True)
class TokenLogprob:
    """One generated token with its log-probability (natural log), as the server reported it."""

    token: str
    logprob: float
    bytes: tuple[int, ...] | None = None


JsonPath = tuple[str | int, ...]
# The C string scanner json itself uses: (text, index after the opening quote) -> (string, index after it).
_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null")
_WHITESPACE = " \t\r\n"


def json_spans(text: str) -> dict[JsonPath, tuple[int, int]]:
    """Where each value of a JSON text is: ``{path: (start, end)}`` character offsets, ``()`` the whole.

    Strings' spans include their quotes. Raises ``ValueError`` when the text is not one JSON value.

    >>> spans = json_spans('{"a": {"value": "X1"}, "b": [1, 2]}')
    >>> spans[("a", "value")], spans[("b", 1)]
    ((16, 20), (32, 33))
    """
    n = len(text)
    spans: dict[JsonPath, tuple[int, int]] = {}

    def skip(i: int) -> int:
        while i < n and text[i] in _WHITESPACE:
            i += 1
        return i

    def expect(i: int, char: str) -> int:
        if i >= n or text[i] != char:
            raise ValueError(f"expected {char!r} at {i}")
        return i + 1

    def value(i: int, path: JsonPath) -> int:
        i = skip(i)
        if i >= n:
            raise ValueError("unexpected end of JSON")
        start, char = i, text[i]
        if char == "{":
            i = skip(i + 1)
            if i < n and text[i] == "}":
                i += 1
            else:
                while True:
                    i = skip(i)
                    key, i = _scanstring(text, expect(i, '"'))
                    i = value(expect(skip(i), ":"), (*path, key))
                    i = skip(i)
                    if i < n and text[i] == ",":
                        i += 1
                        continue
                    i = expect(i, "}")
                    break
        elif char == "[":
            i = skip(i + 1)
            if i < n and text[i] == "]":
                i += 1
            else:
                index = 0
                while True:
                    i = skip(value(i, (*path, index)))
                    index += 1
                    if i < n and text[i] == ",":
                        i += 1
                        continue
                    i = expect(i, "]")
                    break
        elif char == '"':
            _, i = _scanstring(text, i + 1)
        else:
            match = _SCALAR.match(text, i)
            if not match:
                raise ValueError(f"unexpected {char!r} at {i}")
            i = match.end()
        spans[path] = (start, i)
        return i

    end = skip(value(0, ()))
    if end != n:
        raise ValueError(f"extra data at {end}")
    return spans


def _token_offsets(content: str, tokens: Sequence[TokenLogprob]) -> list[tuple[int, int]] | None:
    """Character offsets of each token in ``content``, or None when the tokens do not spell the content."""
    if "".join(t.token for t in tokens) == content:
        offsets, position = [], 0
        for token in tokens:
            offsets.append((position, position + len(token.token)))
            position += len(token.token)
        return offsets
    # Tokens may split a multi-byte character; their bytes still spell the content's UTF-8.
    if all(t.bytes is not None for t in tokens):
        encoded = content.encode()
        if b"".join(bytes(t.bytes or ()) for t in tokens) != encoded:
            return None
        char_at = [0] * (len(encoded) + 1)  # byte offset -> character offset
        byte = 0
        for index, char in enumerate(content):
            width = len(char.encode())
            for k in range(width):
                char_at[byte + k] = index
            byte += width
        char_at[len(encoded)] = len(content)
        offsets, position = [], 0
        for token in tokens:
            end = position + len(token.bytes or ())
            offsets.append((char_at[position], char_at[end] if end < len(encoded) else len(content)))
            position = end
        return offsets
    return None


def token_confidences(
    content: str, tokens: Sequence[TokenLogprob], paths: Sequence[JsonPath]
) -> dict[JsonPath, float | None] | None:
    """Confidence 0-1 of JSON values from the log-probabilities of the tokens that wrote them.

    Method: the tokens overlapping the value's characters (inside the quotes for a non-empty string) are
    taken, and the confidence is ``exp(mean(logprob))``, the geometric mean of their probabilities: 1.0 when
    the model was sure of every token, lower as any of them was a guess; a long value is not penalised for
    its length the way the product of probabilities would be.

    Args:
        content: the answer's JSON text.
        tokens: its tokens with log-probabilities, in order.
        paths: the JSON paths whose confidence is wanted (e.g. ``("total", "value")``).

    Returns:
        ``{path: confidence}`` (None for a path not in the answer), or None when the tokens cannot be lined
        up with the text or the text is not JSON.

    >>> toks = [TokenLogprob('{"a":', 0.0), TokenLogprob('"x"', -0.5), TokenLogprob("}", 0.0)]
    >>> round(token_confidences('{"a":"x"}', toks, [("a",)])[("a",)], 3)
    0.607
    """
    offsets = _token_offsets(content, tokens)
    if offsets is None:
        return None
    try:
        spans = json_spans(content)
    except ValueError:
        return None
    result: dict[JsonPath, float | None] = {}
    for path in paths:
        span = spans.get(tuple(path))
        if span is None:
            result[tuple(path)] = None
            continue
        start, end = span
        if content[start] == '"' and end - start > 2:
            start, end = start + 1, end - 1
        chosen = [t.logprob for t, (a, b) in zip(tokens, offsets, strict=True) if a < end and b > start]
        result[tuple(path)] = math.exp(sum(chosen) / len(chosen)) if chosen else None
    return result
