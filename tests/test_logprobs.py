"""Token log-probabilities to per-value confidences (core.logprobs): pure functions."""

from __future__ import annotations

import math

import pytest

from core.llm.logprobs import TokenLogprob, json_spans, token_confidences


def test_json_spans_locate_every_value() -> None:
    text = '{"a": {"value": "Zürich", "lines": ["p1:l2"]}, "b": [1.5, null, true], "c": {}}'
    spans = json_spans(text)
    start, end = spans[("a", "value")]
    assert text[start:end] == '"Zürich"'
    assert text[slice(*spans[("a", "lines", 0)])] == '"p1:l2"'
    assert text[slice(*spans[("b", 0)])] == "1.5"
    assert text[slice(*spans[("b", 1)])] == "null"
    assert text[slice(*spans[("c",)])] == "{}"
    assert spans[()] == (0, len(text))


@pytest.mark.parametrize("bad", ["", "{", '{"a": }', '{"a": 1} extra', "[1,]"])
def test_json_spans_reject_what_is_not_json(bad: str) -> None:
    with pytest.raises(ValueError):
        json_spans(bad)


def test_token_confidences_line_up_tokens_that_split_a_character() -> None:
    content = '{"v":"é"}'
    raw = content.encode()
    split = raw.index("é".encode())
    tokens = [
        TokenLogprob(token='{"v":"', logprob=0.0, bytes=tuple(raw[:split])),
        TokenLogprob(token="\\xc3", logprob=-1.0, bytes=(raw[split],)),
        TokenLogprob(token="\\xa9", logprob=-1.0, bytes=(raw[split + 1],)),
        TokenLogprob(token='"}', logprob=0.0, bytes=tuple(raw[split + 2 :])),
    ]
    confidences = token_confidences(content, tokens, [("v",), ("missing",)])
    assert confidences is not None
    assert confidences[("v",)] == pytest.approx(math.exp(-1.0))
    assert confidences[("missing",)] is None


def test_token_confidences_are_none_when_tokens_do_not_spell_the_answer() -> None:
    assert token_confidences('{"a":1}', [TokenLogprob("{}", 0.0)], [("a",)]) is None
