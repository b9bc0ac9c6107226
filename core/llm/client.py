"""Structured answers from any OpenAI-compatible chat-completions server; failures mapped to ``LLMError``.

How the pieces fit (instructor 1.17 over openai 3.x):

* ``openai.OpenAI(base_url, api_key or "not-needed", timeout, max_retries=0)``: the SDK's own retries are off,
  because we retry here and report how many requests were made.
* Every HTTP request goes through ``_Transport.create``: it counts the request, adds the answer's token usage,
  retries 429 (honouring ``Retry-After``) and 5xx with a bounded back-off, asks again without ``logprobs`` or
  ``temperature`` when a 400 says the model does not support them, unwraps JSON from a code fence or after a
  ``<think>`` block, and turns every other failure (time-out, refused connection, 401/403, 404, 400, a body
  that is no chat completion) into an ``LLMError`` at once.
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
    "missing_settings",
    "make_openai_client",
    "make_instructor_create",
    "structured_completion",
]

M = TypeVar("M", bound=BaseModel)

# Request options an answer can do without, dropped when a server says it does not support them.
_OPTIONAL = ("logprobs", "temperature")
_TIMEOUT_HINT = "Raise FIELDBENCH_LLM_TIMEOUT (seconds) if the model needs longer, or use a faster model."


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

    # local servers ignore the key, but the SDK insists on one: hence "not-needed"
    return openai.OpenAI(base_url=base_url, api_key=api_key, timeout=timeout, max_retries=0)


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
    attempts: int = 0
    usage: TokenUsage = field(default_factory=TokenUsage)
    waited: float = 0.0
    dropped: set[str] = field(default_factory=set)

    def _where(self) -> str:
        return self.settings.llm_base_url or "api.openai.com"

    def create(self, *args: Any, **kwargs: Any) -> Any:
        import openai  # lazy (see TYPE_CHECKING above)

        retries = 0
        while True:
            self.attempts += 1
            for name in self.dropped:
                kwargs.pop(name, None)
            try:
                completion = self.client.chat.completions.create(*args, **kwargs)
            except openai.APITimeoutError:
                raise LLMError(
                    f"the LLM server at {self._where()} did not answer within {self.settings.llm_timeout:g} s",
                    attempts=self.attempts,
                    hint=_TIMEOUT_HINT,
                ) from None
            except openai.APIConnectionError as error:
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
        return wait

    def _status_error(self, error: openai.APIStatusError) -> LLMError:
        status = error.status_code
        detail = _server_message(error)
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

    Returns:
        The validated answer with its raw text, summed token usage, log-probabilities and request count.

    Raises:
        EngineUnavailableError: no model or server configured.
        LLMError: time-out, refused connection, refused credentials, unknown model, rate limit or server
            errors beyond the retries, or answers that never fit the schema.
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
    )
    create = make_instructor_create(transport.create)
    extra: dict[str, Any] = {}
    if temperature is not None:
        extra["temperature"] = temperature
    if logprobs:
        extra["logprobs"] = True
    try:
        parsed = create(
            response_model=response_model,
            max_retries=max(1, max_attempts) - 1,
            model=settings.llm_model,
            messages=[dict(message) for message in messages],
            **extra,
        )
    except InstructorRetryException as error:
        cause = error.__cause__
        if isinstance(cause, LLMError):
            raise cause from None
        raise LLMError(
            f"the model's answer never fit the expected schema after {transport.attempts} attempts: "
            f"{_short(cause or error)}",
            attempts=transport.attempts,
            hint="Try a stronger model, or simplify the field descriptions and types.",
        ) from None
    except IncompleteOutputException:
        raise LLMError(
            f"the model's answer was cut off (it reached its token limit) after {transport.attempts} attempts",
            attempts=transport.attempts,
            hint="Use a model with a larger context or fewer pages per batch.",
        ) from None
    except LLMError:
        raise
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
