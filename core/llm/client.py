"""Structured answers from any OpenAI-compatible chat-completions server; failures mapped to ``LLMError``.

How the pieces fit (instructor 1.17 over openai 3.x):

* ``openai.OpenAI(base_url, api_key or "not-needed", timeout, max_retries=0)``: the SDK's own retries are off,
  because we retry here and report how many requests were made. Its HTTP client (``core.llm.limits``) gives
  every request a total deadline (``FIELDBENCH_LLM_TIMEOUT``, and what is left of the document's
  ``FIELDBENCH_LLM_DOCUMENT_TIMEOUT``) and a budget of answer bytes from ``max_tokens``.
* Every HTTP request goes through ``Transport.create`` (``core.llm.transport``): it counts the request, adds
  the answer's token usage, retries 429 (honouring ``Retry-After``) and 5xx with a bounded back-off, asks again
  without ``logprobs`` or ``temperature`` when a 400 says the model does not support them (and with
  ``max_completion_tokens`` for ``max_tokens``), unwraps JSON from a code fence or after a ``<think>`` block, and
  turns every other failure (time-out, deadline, an answer too large, refused connection, 401/403, 404, 400, a
  body that is no chat completion) into an ``LLMError`` at once. Every ``LLMError`` carries the tokens spent.
* ``instructor.patch(create=Transport.create, mode=Mode.JSON_SCHEMA)`` wraps that function: instructor sends
  the pydantic model's JSON Schema as ``response_format={"type": "json_schema", ...}``, validates the answer
  (``message.content``) with the model, and when it does not fit, re-asks with the validation errors appended
  to the conversation, up to ``max_attempts`` answers. JSON-schema mode (not tools) is used because the
  answer then arrives as message content, whose tokens carry log-probabilities when asked for.
* Instructor is never given a ``context``: with one it renders messages as Jinja templates, and document text
  must never be interpreted.

The one entry point is :func:`structured_completion`; the field guide, drafting and the LLM engine use it.
Log-probabilities become confidences in ``core.logprobs``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel

from core.config import Settings, get_settings
from core.errors import EngineUnavailableError, LLMError, one_line
from core.llm.logprobs import TokenLogprob
from core.llm.transport import Transport
from core.results import TokenUsage

if TYPE_CHECKING:  # openai and instructor take seconds to import: only calls that talk to a server load them
    import openai  # lazy (see TYPE_CHECKING above)

__all__ = [
    "TokenLogprob",
    "StructuredAnswer",
    "BYTES_PER_ANSWER_TOKEN",
    "ANSWER_ENVELOPE_BYTES",
    "DEFAULT_ANSWER_TOKENS",
    "answer_bytes",
    "missing_settings",
    "make_openai_client",
    "make_instructor_create",
    "structured_completion",
]

M = TypeVar("M", bound=BaseModel)

BYTES_PER_ANSWER_TOKEN = 1024
"""Answer bytes allowed per token asked for: a token is a few bytes of text and about a hundred more as a
log-probability record; a thousand leaves room for servers that add top candidates or other detail."""
ANSWER_ENVELOPE_BYTES = 64 * 1024
"""Answer bytes allowed besides the tokens: the completion's ids, usage and a server's own fields."""
DEFAULT_ANSWER_TOKENS = 8192
"""Tokens whose bytes a call that sets no ``max_tokens`` may receive (the limit is not sent to the server)."""


def answer_bytes(max_tokens: int | None) -> int:
    """The most bytes an answer of at most ``max_tokens`` tokens may have (the HTTP body).

    >>> answer_bytes(1000)
    1089536
    """
    return (max_tokens or DEFAULT_ANSWER_TOKENS) * BYTES_PER_ANSWER_TOKEN + ANSWER_ENVELOPE_BYTES


@dataclass
class StructuredAnswer(Generic[M]):
    """A validated answer.

    Attributes:
        parsed: the response model instance.
        content: the raw text of the answer that validated (JSON).
        usage: tokens spent on every request of this call, retries included.
        logprobs: the tokens of the validated answer with their log-probabilities, or None when the server
            sent none (not asked for, or not supported).
        attempts: how many requests were sent (re-asks and rate-limit/server-error retries included).
    """

    parsed: M
    content: str
    usage: TokenUsage
    logprobs: list[TokenLogprob] | None
    attempts: int


def missing_settings(settings: Settings) -> list[str]:
    """The environment variables still needed before an LLM can be called (empty when configured).

    >>> missing_settings(Settings(home=".", llm_model="m", llm_base_url="http://127.0.0.1:1/v1"))
    []
    """
    missing = []
    if not settings.llm_base_url and not settings.llm_api_key:
        missing.append("OPENAI_BASE_URL (or OPENAI_API_KEY for api.openai.com)")
    if not settings.llm_model:
        missing.append("FIELDBENCH_LLM_MODEL")
    return missing


def make_openai_client(settings: Settings) -> openai.OpenAI:
    """An ``openai.OpenAI`` client for the configured server, with the SDK's own retries off.

    Clients are kept per (server, key, time-out): building one loads the system's TLS certificates
    (~0.15 s), and a kept client reuses its connections. The client is thread-safe.

    Args:
        settings: ``llm_base_url`` (None means api.openai.com), ``llm_api_key`` (local servers need none),
            ``llm_timeout`` (seconds per request).

    Returns:
        The client.
    """
    return _client(settings.llm_base_url, settings.llm_api_key or "not-needed", settings.llm_timeout)


@functools.lru_cache(maxsize=8)
def _client(base_url: str | None, api_key: str, timeout: float) -> openai.OpenAI:
    import openai  # lazy (see TYPE_CHECKING above)

    from core.llm.limits import limited_http_client  # lazy with openai: it imports the HTTP stack

    # local servers ignore the key, but the SDK insists on one: hence "not-needed"
    return openai.OpenAI(
        base_url=base_url,
        api_key=api_key,
        timeout=timeout,
        max_retries=0,
        http_client=limited_http_client(timeout),
    )


def make_instructor_create(transport_create: Any) -> Any:
    """Wrap a chat-completions ``create`` function with instructor in JSON-schema mode.

    The returned function takes ``response_model=`` and ``max_retries=`` (re-asks after the first answer)
    besides the usual chat-completions arguments, and returns the validated model instance; the raw
    completion that validated is on its ``_raw_response`` attribute.
    """
    import instructor  # lazy with openai (see TYPE_CHECKING above)

    # Instructor logs every failed API call at ERROR level before re-raising; we report them ourselves.
    logging.getLogger("instructor.v2.retry").setLevel(logging.CRITICAL)
    return instructor.patch(create=transport_create, mode=instructor.Mode.JSON_SCHEMA)


def _logprobs_of(completion: Any) -> list[TokenLogprob] | None:
    try:
        content = completion.choices[0].logprobs.content
    except (AttributeError, IndexError, TypeError):
        return None
    if not content:
        return None
    tokens = []
    for item in content:
        raw_bytes = getattr(item, "bytes", None)
        tokens.append(
            TokenLogprob(
                token=str(item.token),
                logprob=float(item.logprob),
                bytes=tuple(raw_bytes) if raw_bytes is not None else None,
            )
        )
    return tokens


def structured_completion(
    response_model: type[M],
    messages: Sequence[dict[str, Any]],
    *,
    settings: Settings | None = None,
    max_attempts: int = 3,
    logprobs: bool = False,
    temperature: float | None = 0.0,
    backoff: float = 1.0,
    max_wait: float = 30.0,
    max_tokens: int | None = None,
    document_deadline: float | None = None,
) -> StructuredAnswer[M]:
    """Ask the configured model for an answer that fits ``response_model``; re-ask until it fits.

    Args:
        response_model: the pydantic model the answer must validate against.
        messages: chat messages (``{"role": ..., "content": ...}``); they are sent as they are.
        settings: the LLM settings; read from the environment when None.
        max_attempts: most answers asked for (the first plus re-asks with the validation errors); also the
            most requests per answer when the server says 429 or 5xx.
        logprobs: ask the server for token log-probabilities (``logprobs=True``).
        temperature: sampling temperature; None leaves the server's default.
        backoff: first wait in seconds before retrying a 429/5xx that gave no ``Retry-After``; doubles.
        max_wait: most seconds spent waiting on 429/5xx in this call; beyond it the call fails.
        max_tokens: the most tokens an answer may have (sent as ``max_tokens``); it also sets how many bytes
            an answer may have (``answer_bytes``). None sends no limit and allows ``DEFAULT_ANSWER_TOKENS``.
        document_deadline: ``time.monotonic()`` by which every request of this call must be done (what is
            left of a document's ``llm_document_timeout``); each request has ``llm_timeout`` besides.

    Returns:
        The validated answer with its raw text, summed token usage, log-probabilities and request count.

    Raises:
        EngineUnavailableError: no model or server configured.
        LLMError: time-out or deadline, an answer larger than allowed or cut off at ``max_tokens``, refused
            connection, refused credentials, unknown model, rate limit or server errors beyond the retries,
            or answers that never fit the schema; with the tokens spent until then.
    """
    from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException  # lazy, as above

    settings = settings or get_settings()
    missing = missing_settings(settings)
    if missing:
        raise EngineUnavailableError("llm", "set " + " and ".join(missing))
    transport = Transport(
        client=make_openai_client(settings),
        settings=settings,
        max_attempts=max(1, max_attempts),
        backoff=backoff,
        max_wait=max_wait,
        max_bytes=answer_bytes(max_tokens),
        document_deadline=document_deadline,
    )
    create = make_instructor_create(transport.create)
    extra: dict[str, Any] = {}
    if temperature is not None:
        extra["temperature"] = temperature
    if logprobs:
        extra["logprobs"] = True
    if max_tokens is not None:
        extra["max_tokens"] = max_tokens
    try:
        parsed = create(
            response_model=response_model,
            max_retries=max(1, max_attempts) - 1,
            model=settings.llm_model,
            messages=[dict(message) for message in messages],
            **extra,
        )
    except (InstructorRetryException, IncompleteOutputException, LLMError) as error:
        raise transport.charged(_failure(error, transport.attempts, max_tokens)) from None
    completion = getattr(parsed, "_raw_response", None)
    content = ""
    if completion is not None and getattr(completion, "choices", None):
        content = completion.choices[0].message.content or ""
    return StructuredAnswer(
        parsed=parsed,
        content=content,
        usage=transport.usage,
        logprobs=_logprobs_of(completion) if logprobs else None,
        attempts=transport.attempts,
    )


def _failure(error: Exception, attempts: int, max_tokens: int | None) -> LLMError:
    """The LLMError for what instructor raised: ours, a cut-off answer, or answers that never fit."""
    from instructor.core.exceptions import IncompleteOutputException  # lazy, as above

    cause = error.__cause__ if not isinstance(error, (LLMError, IncompleteOutputException)) else error
    if isinstance(cause, LLMError):
        return cause
    if isinstance(cause, IncompleteOutputException):
        limit = f" of {max_tokens:,} tokens" if max_tokens else ""
        return LLMError(
            f"the model's answer was cut off at its token limit{limit} after {attempts} attempts",
            attempts=attempts,
            hint="The model may be rambling; raise FIELDBENCH_LLM_MAX_TOKENS, or send fewer pages per batch.",
        )
    return LLMError(
        f"the model's answer never fit the expected schema after {attempts} attempts: {one_line(cause or error, 400)}",
        attempts=attempts,
        hint="Try a stronger model, or simplify the field descriptions and types.",
    )
