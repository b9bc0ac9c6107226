"""core.llm against a real chat-completions server on 127.0.0.1: answers, re-asks, failures, log-probs."""

from __future__ import annotations

import json
import math

import pytest
from pydantic import BaseModel

from core.errors import EngineUnavailableError, LLMError
from core.llm.client import structured_completion
from core.llm.logprobs import token_confidences
from tests.llm_server import LLMServer, Reply, refused_base_url


class Invoice(BaseModel):
    number: str
    total: float


GOOD = {"number": "INV-7", "total": 12.5}
MESSAGES = [{"role": "system", "content": "Extract."}, {"role": "user", "content": "[p1:l1] Number: INV-7"}]


def test_a_valid_answer_is_parsed_in_one_request(llm_server: LLMServer) -> None:
    llm_server.script(Reply.answer(GOOD))
    answer = structured_completion(Invoice, MESSAGES)
    assert answer.parsed.model_dump() == GOOD
    assert answer.attempts == 1
    assert answer.usage.prompt_tokens > 0 and answer.usage.completion_tokens > 0
    assert answer.logprobs is None
    (request,) = llm_server.chat_requests
    assert request.body["model"] == "fake-model"
    assert request.headers["authorization"] == "Bearer test-key"
    assert request.schema is not None and set(request.schema["properties"]) == {"number", "total"}
    assert request.messages[:2] == MESSAGES


def test_invalid_answers_are_re_asked_with_the_validation_errors(llm_server: LLMServer) -> None:
    llm_server.script(
        Reply.text("Sure! Here is the invoice: number INV-7"),
        Reply.answer({"number": "INV-7", "total": "twelve"}),
        Reply.answer(GOOD),
    )
    answer = structured_completion(Invoice, MESSAGES, max_attempts=3)
    assert answer.parsed.total == 12.5
    assert answer.attempts == 3
    first, second, third = llm_server.chat_requests
    # The re-ask carries the model's previous answer and the error that rejected it.
    assert "Sure! Here is the invoice" in second.messages[-2]["content"]
    assert "total" in third.messages[-1]["content"] and "twelve" in third.messages[-2]["content"]
    # Usage is summed over every request, not only the one that validated (the server counts 4 chars a token).
    contents = [
        "Sure! Here is the invoice: number INV-7",
        json.dumps({"number": "INV-7", "total": "twelve"}),
        json.dumps(GOOD),
    ]
    assert answer.usage.completion_tokens == sum(math.ceil(len(c) / 4) for c in contents)
    single = structured_completion(Invoice, MESSAGES)  # smart default answer, one request
    assert answer.usage.prompt_tokens > 3 * single.usage.prompt_tokens


def test_json_in_a_code_fence_or_after_thinking_is_still_the_answer(llm_server: LLMServer) -> None:
    llm_server.script(
        Reply.text("```json\n" + json.dumps(GOOD) + "\n```"),
        Reply.text("<think>The total is 12.5.</think>\n" + json.dumps(GOOD)),
    )
    assert structured_completion(Invoice, MESSAGES).parsed.model_dump() == GOOD
    answer = structured_completion(Invoice, MESSAGES)
    assert answer.parsed.model_dump() == GOOD and answer.attempts == 1
    assert answer.content == json.dumps(GOOD)


def test_an_answer_that_never_fits_ends_in_a_clear_error(llm_server: LLMServer) -> None:
    llm_server.script(*[Reply.text("{not json") for _ in range(3)])
    with pytest.raises(LLMError) as caught:
        structured_completion(Invoice, MESSAGES, max_attempts=3)
    assert "never fit the expected schema after 3 attempts" in str(caught.value)
    assert caught.value.attempts == 3
    assert len(llm_server.chat_requests) == 3


def test_a_time_out_names_the_limit_and_the_setting(llm_server: LLMServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDBENCH_LLM_TIMEOUT", "0.3")
    llm_server.script(Reply.slow(5, Reply.answer(GOOD)))
    with pytest.raises(LLMError) as caught:
        structured_completion(Invoice, MESSAGES)
    assert "did not answer within 0.3 s" in str(caught.value)
    assert "FIELDBENCH_LLM_TIMEOUT" in str(caught.value.hint)
    assert caught.value.attempts == 1


def test_429_is_retried_after_the_wait_the_server_asks(llm_server: LLMServer) -> None:
    llm_server.script(Reply.error(429, retry_after=0.01), Reply.error(429, retry_after=0), Reply.answer(GOOD))
    answer = structured_completion(Invoice, MESSAGES, max_attempts=3)
    assert answer.parsed.model_dump() == GOOD
    assert answer.attempts == 3


def test_429_with_a_wait_beyond_the_budget_fails_at_once(llm_server: LLMServer) -> None:
    llm_server.script(Reply.error(429, "slow down", retry_after=120))
    with pytest.raises(LLMError) as caught:
        structured_completion(Invoice, MESSAGES, max_wait=1.0)
    assert caught.value.status == 429
    assert caught.value.attempts == 1
    assert "asked to wait 120 s" in str(caught.value) and "slow down" in str(caught.value)


def test_429_exhausted_ends_in_a_rate_limit_error(llm_server: LLMServer) -> None:
    llm_server.script(*[Reply.error(429, "Rate limit reached", retry_after=0) for _ in range(3)])
    with pytest.raises(LLMError) as caught:
        structured_completion(Invoice, MESSAGES, max_attempts=3)
    assert caught.value.status == 429
    assert caught.value.attempts == 3
    assert "rate-limiting" in str(caught.value) and "Rate limit reached" in str(caught.value)


def test_server_errors_are_retried_with_back_off_then_succeed(llm_server: LLMServer) -> None:
    llm_server.script(Reply.error(503), Reply.answer(GOOD))
    answer = structured_completion(Invoice, MESSAGES, backoff=0.01)
    assert answer.attempts == 2


def test_server_errors_exhausted_end_in_an_error_with_the_status(llm_server: LLMServer) -> None:
    llm_server.script(*[Reply.error(500, "model crashed") for _ in range(3)])
    with pytest.raises(LLMError) as caught:
        structured_completion(Invoice, MESSAGES, max_attempts=3, backoff=0.01)
    assert caught.value.status == 500
    assert caught.value.attempts == 3
    assert "HTTP 500 after 3 attempts: model crashed" in str(caught.value)


def test_a_refused_key_is_not_retried(llm_server: LLMServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "wrong-key")
    with pytest.raises(LLMError) as caught:
        structured_completion(Invoice, MESSAGES)
    assert caught.value.status == 401
    assert caught.value.attempts == 1
    assert "OPENAI_API_KEY" in str(caught.value.hint)
    assert len(llm_server.chat_requests) == 1


def test_an_unknown_model_is_not_retried(llm_server: LLMServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELDBENCH_LLM_MODEL", "no-such-model")
    with pytest.raises(LLMError) as caught:
        structured_completion(Invoice, MESSAGES)
    assert caught.value.status == 404
    assert "no-such-model" in str(caught.value)
    assert "FIELDBENCH_LLM_MODEL" in str(caught.value.hint)


def test_connection_refused_says_where_and_asks_if_the_server_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    url = refused_base_url()
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    monkeypatch.setenv("FIELDBENCH_LLM_MODEL", "m")
    with pytest.raises(LLMError) as caught:
        structured_completion(Invoice, MESSAGES)
    assert url in str(caught.value)
    assert caught.value.hint == "Is the server running at OPENAI_BASE_URL?"


@pytest.mark.parametrize("body", [b"<html>bad gateway</html>", b'{"choices": []}'])
def test_a_body_that_is_no_chat_completion_is_a_clear_error(llm_server: LLMServer, body: bytes) -> None:
    llm_server.script(Reply(raw_body=body))
    with pytest.raises(LLMError) as caught:
        structured_completion(Invoice, MESSAGES)
    assert "not a chat completion" in str(caught.value)
    assert caught.value.attempts == 1


def test_nothing_configured_is_an_unavailable_engine() -> None:
    with pytest.raises(EngineUnavailableError) as caught:
        structured_completion(Invoice, MESSAGES)
    assert "FIELDBENCH_LLM_MODEL" in str(caught.value)


def test_log_probabilities_come_back_when_asked(llm_server: LLMServer) -> None:
    llm_server.script(Reply.answer(GOOD, token_logprob=lambda token: -2.0 if token == "12" else -0.001))
    answer = structured_completion(Invoice, MESSAGES, logprobs=True)
    assert llm_server.chat_requests[0].body["logprobs"] is True
    assert answer.logprobs is not None
    assert "".join(t.token for t in answer.logprobs) == answer.content
    confidences = token_confidences(answer.content, answer.logprobs, [("number",), ("total",)])
    assert confidences is not None
    assert confidences[("number",)] == pytest.approx(math.exp(-0.001))
    # "12.5" is the tokens "12", ".", "5": the unsure "12" pulls the geometric mean down.
    assert confidences[("total",)] == pytest.approx(math.exp((-2.0 - 0.001 - 0.001) / 3))


def test_a_server_that_refuses_log_probabilities_is_asked_again_without(llm_server: LLMServer) -> None:
    llm_server.script(Reply.error(400, "logprobs are not supported with this model"))  # then a smart answer
    answer = structured_completion(Invoice, MESSAGES, logprobs=True)
    assert answer.logprobs is None
    assert answer.attempts == 2
    first, second = llm_server.chat_requests
    assert first.wants_logprobs and "logprobs" not in second.body


def test_other_bad_requests_are_not_retried(llm_server: LLMServer) -> None:
    llm_server.script(Reply.error(400, "response_format json_schema is not supported"))
    with pytest.raises(LLMError) as caught:
        structured_completion(Invoice, MESSAGES, logprobs=True)
    assert caught.value.status == 400 and caught.value.attempts == 1
    assert "json_schema is not supported" in str(caught.value)


def test_a_server_without_log_probabilities_gives_none(llm_server: LLMServer) -> None:
    llm_server.script(Reply.answer(GOOD, logprobs=False))
    assert structured_completion(Invoice, MESSAGES, logprobs=True).logprobs is None


def test_the_smart_default_answer_fits_any_schema(llm_server: LLMServer) -> None:
    class Suggestion(BaseModel):
        name: str
        kind: str
        required: bool

    class Draft(BaseModel):
        title: str
        fields: list[Suggestion]
        count: int | None

    answer = structured_completion(Draft, MESSAGES)
    assert isinstance(answer.parsed, Draft)
    assert answer.attempts == 1


def test_the_server_lists_its_model_and_answers_tool_calls(llm_server: LLMServer) -> None:
    from core.config import get_settings
    from core.llm.client import make_openai_client

    client = make_openai_client(get_settings())
    assert [m.id for m in client.models.list()] == ["fake-model"]
    tool = {"type": "function", "function": {"name": "Invoice", "parameters": Invoice.model_json_schema()}}
    completion = client.chat.completions.create(model="fake-model", messages=MESSAGES, tools=[tool])  # type: ignore[arg-type,list-item]
    call = completion.choices[0].message.tool_calls[0]  # type: ignore[index]
    assert call.function.name == "Invoice"  # type: ignore[union-attr]
    assert Invoice.model_validate_json(call.function.arguments).number == "INV-7"  # type: ignore[union-attr]


def test_the_server_can_be_used_without_the_fixture() -> None:
    with LLMServer(api_key=None) as server:
        assert server.base_url.startswith("http://127.0.0.1:")
    assert server._httpd is None
