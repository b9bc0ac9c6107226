"""Structured answers from any OpenAI-compatible chat-completions server; failures mapped to ``LLMError``.

How the pieces fit (instructor 1.17 over openai 3.x):

* ``openai.OpenAI(base_url, api_key or "not-needed", timeout, max_retries=0)``: the SDK's own retries are off,
  because we retry here and report how many requests were made. Its HTTP client (``core.llm.limits``) gives
  every request a total deadline (``FIELDBENCH_LLM_TIMEOUT``, and what is left of the document's
  ``FIELDBENCH_LLM_DOCUMENT_TIMEOUT``) and a budget of answer bytes from ``max_tokens``.
* Every HTTP request goes through ``_Transport.create``: it counts the request, adds the answer's token usage,
  retries 429 (honouring ``Retry-After``) and 5xx with a bounded back-off, asks again without ``logprobs`` or
  ``temperature`` when a 400 says the model does not support them (and with ``max_completion_tokens`` for
  ``max_tokens``), unwraps JSON from a code fence or after a ``<think>`` block, and turns every other failure
  (time-out, deadline, an answer too large, refused connection, 401/403, 404, 400, a body that is no chat
  completion) into an ``LLMError`` at once. Every ``LLMError`` carries the tokens spent before it.
* ``instructor.patch(create=_Transport.create, mode=Mode.JSON_SCHEMA)`` wraps that function: instructor sends
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

import email.utils
import functools
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel

from core.config import Settings, get_settings
from core.errors import EngineUnavailableError, LLMError
from core.llm.logprobs import TokenLogprob
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

# Request options an answer can do without, dropped when a server says it does not support them.
_OPTIONAL = ("logprobs", "temperature")
# Options some servers know under another name (OpenAI's reasoning models want max_completion_tokens).
_RENAMED = {"max_tokens": "max_completion_tokens"}
_TIMEOUT_HINT = "Raise FIELDBENCH_LLM_TIMEOUT (seconds) if the model needs longer, or use a faster model."
_DOCUMENT_HINT = "Raise FIELDBENCH_LLM_DOCUMENT_TIMEOUT (seconds), or use a faster model."

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


def _retry_after(response: Any) -> float | None:
    """Seconds the server asked us to wait (``retry-after-ms``, ``Retry-After`` seconds or HTTP date)."""
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return max(float(raw_ms) / 1000.0, 0.0)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(float(raw), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def _server_message(error: openai.APIStatusError) -> str:
    body = error.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        if isinstance(inner, str):
            return inner
    return error.message


@dataclass
class _Transport:
    """The function instructor calls for each request: counts, sums usage, retries 429/5xx, maps errors."""

    client: openai.OpenAI
    settings: Settings
    max_attempts: int
    backoff: float
    max_wait: float
    max_bytes: int
    document_deadline: float | None = None  # time.monotonic() by which every request of the document is done
    attempts: int = 0
    usage: TokenUsage = field(default_factory=TokenUsage)
    waited: float = 0.0
    dropped: set[str] = field(default_factory=set)
    renamed: set[str] = field(default_factory=set)

    def _where(self) -> str:
        return self.settings.llm_base_url or "api.openai.com"

    def charged(self, error: LLMError) -> LLMError:
        """``error`` with the tokens and requests this call spent (they are spent, failed or not)."""
        error.prompt_tokens, error.completion_tokens = self.usage.prompt_tokens, self.usage.completion_tokens
        error.attempts = max(error.attempts, self.attempts)
        return error

    def _deadline(self) -> tuple[float, bool]:
        """The deadline of the next request, and whether it is the document's (rather than the request's)."""
        own = time.monotonic() + self.settings.llm_timeout
        if self.document_deadline is not None and self.document_deadline <= own:
            return self.document_deadline, True
        return own, False

    def _out_of_time(self, by_document: bool) -> LLMError:
        if by_document:
            return LLMError(
                f"the LLM requests for this document took more than {self.settings.llm_document_timeout:g} s together",
                attempts=self.attempts,
                hint=_DOCUMENT_HINT,
            )
        return LLMError(
            f"the LLM server at {self._where()} did not answer within {self.settings.llm_timeout:g} s",
            attempts=self.attempts,
            hint=_TIMEOUT_HINT,
        )

    def create(self, *args: Any, **kwargs: Any) -> Any:
        import openai  # lazy (see TYPE_CHECKING above)

        from core.llm.limits import AnswerTooLarge, request_limits  # lazy with openai: the HTTP stack

        retries = 0
        while True:
            for name in self.dropped:
                kwargs.pop(name, None)
            for name in self.renamed:
                if name in kwargs:
                    kwargs[_RENAMED[name]] = kwargs.pop(name)
            deadline, by_document = self._deadline()
            if deadline <= time.monotonic():
                raise self._out_of_time(by_document)
            self.attempts += 1
            with request_limits(deadline, self.max_bytes) as limits:
                try:
                    completion = self.client.chat.completions.create(*args, **kwargs)
                except openai.APIConnectionError as error:  # time-outs included
                    if limits.expired or isinstance(error, openai.APITimeoutError):
                        raise self._out_of_time(by_document and limits.expired) from None
                    if isinstance(error.__cause__, AnswerTooLarge):
                        raise LLMError(
                            f"the LLM server at {self._where()} sent an answer it was not asked for: "
                            f"{error.__cause__}; it was refused",
                            attempts=self.attempts,
                            hint="The model may be rambling: a smaller or stricter model, or fewer fields.",
                        ) from None
                    raise LLMError(
                        f"could not connect to the LLM server at {self._where()} ({error.__cause__ or error})",
                        attempts=self.attempts,
                        hint="Is the server running at OPENAI_BASE_URL?",
                    ) from None
                except openai.APIStatusError as error:
                    status = error.status_code
                    if status == 429 or status >= 500:
                        retries += 1
                        wait = self._wait_before_retry(error, retries)
                        if wait is not None:
                            time.sleep(wait)
                            self.waited += wait
                            continue
                    optional = self._unsupported_option(error, kwargs)
                    if optional is not None:
                        self.dropped.add(optional)
                        continue
                    renamed = self._renamed_option(error, kwargs)
                    if renamed is not None:
                        self.renamed.add(renamed)
                        continue
                    raise self._status_error(error) from None
                except (openai.APIError, ValueError, TypeError) as error:
                    # A 200 whose body is not JSON, or JSON that is not a chat completion (proxies, wrong URL).
                    raise self._garbled(error) from None
            if not getattr(completion, "choices", None):
                raise self._garbled(ValueError("it has no choices"))
            _unwrap_json(completion)
            usage = getattr(completion, "usage", None)
            if usage is not None:
                self.usage = TokenUsage(
                    prompt_tokens=self.usage.prompt_tokens + (usage.prompt_tokens or 0),
                    completion_tokens=self.usage.completion_tokens + (usage.completion_tokens or 0),
                )
            return completion

    def _unsupported_option(self, error: openai.APIStatusError, kwargs: dict[str, Any]) -> str | None:
        """The optional option (logprobs, temperature) a 400 complains about, if any, to retry without.

        Reasoning models, for instance, refuse ``logprobs`` and any ``temperature`` but the default; their
        answer is still worth having, only without confidence or with the default sampling.
        """
        if error.status_code not in (400, 422):
            return None
        detail = _server_message(error).lower()
        for name in _OPTIONAL:
            if name in kwargs and name not in self.dropped and name in detail:
                return name
        return None

    def _renamed_option(self, error: openai.APIStatusError, kwargs: dict[str, Any]) -> str | None:
        """The option a 400 asks to send under another name (``max_tokens`` -> ``max_completion_tokens``)."""
        if error.status_code not in (400, 422):
            return None
        detail = _server_message(error)
        for name, other in _RENAMED.items():
            if name in kwargs and name not in self.renamed and name in detail and other in detail:
                return name
        return None

    def _garbled(self, error: Exception) -> LLMError:
        return LLMError(
            f"the LLM server at {self._where()} sent something that is not a chat completion ({_short(error, 200)})",
            attempts=self.attempts,
            hint="Check that OPENAI_BASE_URL points at an OpenAI-compatible API (usually ending in /v1).",
        )

    def _wait_before_retry(self, error: openai.APIStatusError, retries: int) -> float | None:
        """Seconds to wait before retrying a 429/5xx, or None when retries or the wait budget are spent."""
        if retries >= self.max_attempts:
            return None
        asked = _retry_after(error.response)
        wait = asked if asked is not None else self.backoff * (2 ** (retries - 1))
        if self.waited + wait > self.max_wait:
            return None
        if self.document_deadline is not None and time.monotonic() + wait >= self.document_deadline:
            return None  # the document's time would be spent waiting
        return wait

    def _status_error(self, error: openai.APIStatusError) -> LLMError:
        status = error.status_code
        detail = _short(ValueError(_server_message(error)), 300)
        model = self.settings.llm_model
        if status == 429:
            asked = _retry_after(error.response)
            told = f"; it asked to wait {asked:g} s more" if asked is not None else ""
            return LLMError(
                f"the LLM server at {self._where()} is rate-limiting requests (429) after {self.attempts} "
                f"attempts and {self.waited:g} s of waiting{told}: {detail}",
                status=status,
                attempts=self.attempts,
                hint="Wait and try again, lower the request rate, or raise the server's limits.",
            )
        if status >= 500:
            return LLMError(
                f"the LLM server at {self._where()} failed with HTTP {status} after {self.attempts} attempts: {detail}",
                status=status,
                attempts=self.attempts,
                hint="Check the server's logs; the model may be overloaded or crashed.",
            )
        if status in (401, 403):
            return LLMError(
                f"the LLM server at {self._where()} refused the credentials (HTTP {status}): {detail}",
                status=status,
                attempts=self.attempts,
                hint="Check OPENAI_API_KEY.",
            )
        if status == 404:
            return LLMError(
                f"the LLM server at {self._where()} has no model {model!r} or no chat-completions endpoint "
                f"(HTTP 404): {detail}",
                status=status,
                attempts=self.attempts,
                hint="Check FIELDBENCH_LLM_MODEL and that OPENAI_BASE_URL ends with /v1.",
            )
        return LLMError(
            f"the LLM server at {self._where()} rejected the request (HTTP {status}): {detail}",
            status=status,
            attempts=self.attempts,
            hint="The model may not support JSON-schema answers or log-probabilities.",
        )


_THINKING = re.compile(r"^\s*<think>.*?</think>\s*", re.DOTALL)
_FENCE = re.compile(r"^\s*```(?:json)?\s*\n(.*?)\n?\s*```\s*$", re.DOTALL)


def _unwrap_json(completion: Any) -> None:
    """Strip a leading ``<think>`` block and a Markdown code fence around the JSON, in place.

    Servers that ignore ``response_format`` (or local reasoning models) often wrap the JSON this way; the
    JSON inside is still the answer. The tokens' log-probabilities then no longer spell the content, so no
    confidence is computed from them (see ``core.logprobs``).
    """
    try:
        message = completion.choices[0].message
    except (AttributeError, IndexError, TypeError):
        return
    content = getattr(message, "content", None)
    if not isinstance(content, str):
        return
    unwrapped = _THINKING.sub("", content, count=1)
    fenced = _FENCE.match(unwrapped)
    if fenced:
        unwrapped = fenced.group(1)
    if unwrapped != content:
        message.content = unwrapped


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


def _short(error: BaseException, limit: int = 400) -> str:
    text = " ".join(str(error).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
    transport = _Transport(
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
        f"the model's answer never fit the expected schema after {attempts} attempts: {_short(cause or error)}",
        attempts=attempts,
        hint="Try a stronger model, or simplify the field descriptions and types.",
    )
