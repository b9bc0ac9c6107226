"""The function instructor calls for each request to the LLM server: it counts the requests and their tokens,
retries what is worth retrying, enforces each request's limits (``core.llm.limits``) and turns every failure
into an ``LLMError`` (see ``core.llm.client`` for how the pieces fit).
"""

from __future__ import annotations

import email.utils
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.config import Settings
from core.errors import LLMError, one_line
from core.results import TokenUsage

if TYPE_CHECKING:  # openai takes seconds to import: only calls that talk to a server load it
    import openai  # lazy (see TYPE_CHECKING above)

__all__ = ["Transport", "unwrap_json"]

# Request options an answer can do without, dropped when a server says it does not support them.
_OPTIONAL = ("logprobs", "temperature")
# Options some servers know under another name (OpenAI's reasoning models want max_completion_tokens).
_RENAMED = {"max_tokens": "max_completion_tokens"}
_TIMEOUT_HINT = "Raise FIELDBENCH_LLM_TIMEOUT (seconds) if the model needs longer, or use a faster model."
_DOCUMENT_HINT = "Raise FIELDBENCH_LLM_DOCUMENT_TIMEOUT (seconds), or use a faster model."


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
class Transport:
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
            unwrap_json(completion)
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
            f"the LLM server at {self._where()} sent something that is not a chat completion ({one_line(error, 200)})",
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
        detail = one_line(_server_message(error))
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


def unwrap_json(completion: Any) -> None:
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
