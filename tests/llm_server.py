"""A real OpenAI-compatible chat-completions server on 127.0.0.1 for tests, scriptable per test.

It speaks ``POST /v1/chat/completions`` and ``GET /v1/models`` over HTTP (``ThreadingHTTPServer`` in a
thread on a free port), so the real ``openai`` client talks to it; nothing is mocked.

Use the ``llm_server`` fixture (registered for all tests through ``pytest_plugins`` in ``tests/conftest.py``).
It starts a server, sets ``OPENAI_BASE_URL``, ``OPENAI_API_KEY`` (``test-key``), ``FIELDBENCH_LLM_MODEL``
(``fake-model``) and ``FIELDBENCH_LLM_TIMEOUT`` (10 s), and stops the server after the test::

    from tests.llm_server import Reply

    def test_something(llm_server):
        # Without a script the server answers "smartly" (see below), so often nothing needs scripting.
        llm_server.script(
            Reply.error(429, retry_after=0),          # first request: rate-limited
            Reply.answer({"total": {"value": 12.5, "lines": ["p1:l3"]}}, logprobs=True),
        )
        ...                                         # call the code under test
        assert len(llm_server.requests) == 2
        assert "[p1:l3]" in llm_server.requests[1].user_text

Scripted replies are used in order, one per request; when the queue is empty the server answers smartly:

* it reads the JSON Schema the client sent (``response_format.json_schema.schema``, or the first tool's
  parameters in tools mode) and returns an instance that fits it;
* an object ``{"value": ..., "lines": [...]}`` (the LLM engine's "value with its source lines") is filled from
  the document lines ``[p1:l3] Invoice number: INV-001`` found in the user messages: the line whose text
  contains the words of the property name (``invoice_number`` -> "invoice" and "number") gives the text after
  its colon, converted to the value's type (number, integer, date as YYYY-MM-DD, boolean, enum), and the line
  id; with no such line the value is null and the lines empty;
* any other string is filled the same way from the property name when a line matches, else ``"example"``;
  numbers 0, booleans false, arrays empty (one item when ``minItems`` asks for it), enums their first value.

``llm_server.answer_with = fn`` replaces the smart answer by ``fn(request) -> Reply`` (for answers that depend
on the request, e.g. per page batch). ``llm_server.requests`` records every request (``Request``: ``body``,
``usage`` as the server reported it, ``messages``, ``system_text``, ``user_text``, ``schema``, ``line_ids``,
``wants_logprobs``, ``headers`` with lower-case names); ``chat_requests`` only the chat-completions ones.
``Reply`` options: ``status``, ``content`` / ``answer`` (JSON-dumped), ``headers``, ``delay`` (seconds before
answering, e.g. beyond the client's time-out), ``logprobs`` (None: as the request asked), ``token_logprob``
(a float or ``fn(token) -> float``), ``raw_body`` (bytes sent as they are, e.g. malformed JSON),
``as_tool_call``, ``finish_reason``, and the fault modes: ``drip`` (seconds between single bytes of the whole
HTTP response, status line and headers included: a server that never stops answering, each read on time),
``ramble`` (a model that writes text without end: the request's ``max_tokens`` of it with ``finish_reason``
``length``, or ``RAMBLE_CHARS`` characters when the request sets no limit), ``prompt_tokens`` /
``completion_tokens`` (the usage to report instead of the estimate).
Every request's ``max_tokens`` is recorded (``Request.max_tokens``).
``refused_base_url()`` gives a URL where nothing listens (connection refused).
"""

from __future__ import annotations

import json
import math
import re
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

__all__ = ["Reply", "Request", "LLMServer", "RAMBLE_CHARS", "smart_answer", "refused_base_url", "llm_server"]

RAMBLE_CHARS = 20_000_000
"""What a rambling model writes when the request sets no ``max_tokens`` (far more than any answer budget)."""

_LINE = re.compile(r"^\[(p\d+:l\d+)\][ \t]?(.*)$", re.MULTILINE)
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass
class Reply:
    """One scripted answer of the server."""

    status: int = 200
    content: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    logprobs: bool | None = None
    token_logprob: float | Callable[[str], float] = -0.01
    raw_body: bytes | None = None
    as_tool_call: bool = False
    finish_reason: str = "stop"
    error_message: str | None = None
    drip: float = 0.0
    ramble: bool = False
    prompt_tokens: int | None = None
    completion_tokens: int | None = None

    @classmethod
    def answer(cls, value: Any, **options: Any) -> Reply:
        """A 200 answer whose message content is ``value`` as JSON."""
        return cls(content=json.dumps(value), **options)

    @classmethod
    def text(cls, content: str, **options: Any) -> Reply:
        """A 200 answer whose message content is ``content`` as it is (e.g. not JSON at all)."""
        return cls(content=content, **options)

    @classmethod
    def error(cls, status: int, message: str | None = None, *, retry_after: float | None = None) -> Reply:
        """An HTTP error in OpenAI's error shape, with ``Retry-After`` when given."""
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        return cls(status=status, headers=headers, error_message=message or f"scripted error {status}")

    @classmethod
    def slow(cls, seconds: float, then: Reply | None = None) -> Reply:
        """Wait ``seconds`` before answering (smartly, unless ``then`` is given)."""
        reply = then or cls()
        reply.delay = seconds
        return reply


@dataclass
class Request:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    usage: dict[str, int] | None = None  # the token usage the server reported in its answer, if it answered

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages") or [])

    def _text(self, role: str) -> str:
        parts = []
        for message in self.messages:
            if message.get("role") != role:
                continue
            content = message.get("content")
            if isinstance(content, list):  # content parts
                content = "\n".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
            parts.append(str(content or ""))
        return "\n".join(parts)

    @property
    def system_text(self) -> str:
        """All system messages' text."""
        return self._text("system")

    @property
    def user_text(self) -> str:
        """All user messages' text."""
        return self._text("user")

    @property
    def schema(self) -> dict[str, Any] | None:
        """The JSON Schema the client asked the answer to fit (JSON-schema or tools mode)."""
        response_format = self.body.get("response_format") or {}
        if response_format.get("type") == "json_schema":
            return dict(response_format.get("json_schema", {}).get("schema") or {})
        tools = self.body.get("tools") or []
        if tools:
            return dict(tools[0].get("function", {}).get("parameters") or {})
        return None

    @property
    def wants_logprobs(self) -> bool:
        return bool(self.body.get("logprobs"))

    @property
    def max_tokens(self) -> int | None:
        """The request's ``max_tokens`` (or ``max_completion_tokens``), None when it set no limit."""
        value = self.body.get("max_tokens", self.body.get("max_completion_tokens"))
        return int(value) if value is not None else None

    @property
    def line_ids(self) -> list[str]:
        """The ``pN:lM`` ids of the document lines in the user messages."""
        return [match.group(1) for match in _LINE.finditer(self.user_text)]


# --- the smart answer -------------------------------------------------------------------------------------

_NUMBER = re.compile(r"-?\d[\d,.' ]*\d|-?\d")
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DATE_DMY = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b")


def _to_number(text: str) -> float | None:
    match = _NUMBER.search(text)
    if not match:
        return None
    raw = match.group(0).replace(" ", "").replace("'", "")
    if "," in raw and "." in raw:
        raw = raw.replace(",", "") if raw.rfind(".") > raw.rfind(",") else raw.replace(".", "").replace(",", ".")
    elif "," in raw:
        head, _, tail = raw.rpartition(",")
        raw = f"{head.replace(',', '')}.{tail}" if len(tail) != 3 else raw.replace(",", "")
    try:
        return float(raw)
    except ValueError:
        return None


def _to_date(text: str) -> str | None:
    match = _DATE_ISO.search(text)
    if match:
        return match.group(0)
    match = _DATE_DMY.search(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = defs.get(schema["$ref"].rsplit("/", 1)[-1], {})
    return schema


def _branches(schema: dict[str, Any], defs: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """The non-null alternatives of a schema and whether null is allowed."""
    schema = _resolve(schema, defs)
    options = schema.get("anyOf") or schema.get("oneOf")
    if not options:
        kind = schema.get("type")
        if isinstance(kind, list):
            return [{**schema, "type": t} for t in kind if t != "null"], "null" in kind
        return [schema], kind == "null"
    resolved = [_resolve(option, defs) for option in options]
    return [o for o in resolved if o.get("type") != "null"], any(o.get("type") == "null" for o in resolved)


def _find_line(name: str, lines: list[tuple[str, str]]) -> tuple[str, str] | None:
    """The first line containing every word of ``name``, and the text after its label (after the colon)."""
    words = [w for w in re.split(r"[_\W]+", name.lower()) if w]
    if not words:
        return None
    for line_id, text in lines:
        lowered = text.lower()
        if all(word in lowered for word in words):
            if ":" in text:
                rest = text.split(":", 1)[1].strip()
            else:
                position = max(lowered.rfind(word) + len(word) for word in words)
                rest = text[position:].strip(" :-#")
            return line_id, rest or text
    return None


def _convert(text: str, schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    """``text`` as a value fitting ``schema``, or None when it cannot be one."""
    for option in _branches(schema, defs)[0]:
        kind = option.get("type")
        if "enum" in option:
            for value in option["enum"]:
                if str(value).lower() in text.lower():
                    return value
            continue
        if kind == "string" and option.get("format") == "date":
            value = _to_date(text)
        elif kind == "string":
            value = text
        elif kind in ("number", "integer"):
            number = _to_number(text)
            value = None if number is None else (int(number) if kind == "integer" else number)
        elif kind == "boolean":
            value = True
        else:
            value = None
        if value is not None:
            return value
    return None


def _placeholder(schema: dict[str, Any], defs: dict[str, Any], name: str, lines: list[tuple[str, str]]) -> Any:
    options, nullable = _branches(schema, defs)
    if not options:
        return None
    option = options[0]
    kind = option.get("type")
    if "enum" in option:
        return option["enum"][0]
    if kind == "object" or "properties" in option:
        return _instance(option, defs, lines)
    if kind == "array":
        count = int(option.get("minItems", 0))
        return [_placeholder(option.get("items", {}), defs, name, lines) for _ in range(count)]
    found = _find_line(name, lines) if name else None
    if found is not None:
        value = _convert(found[1], option, defs)
        if value is not None:
            return value
    if nullable and kind != "string":
        return None
    if kind == "string":
        return "2024-01-31" if option.get("format") == "date" else "example"
    if kind in ("number", "integer"):
        return 0
    if kind == "boolean":
        return False
    return None


def _instance(schema: dict[str, Any], defs: dict[str, Any], lines: list[tuple[str, str]]) -> dict[str, Any]:
    properties: dict[str, Any] = schema.get("properties") or {}
    answer: dict[str, Any] = {}
    for name, sub in properties.items():
        options, _ = _branches(sub, defs)
        entry = options[0] if options else {}
        if set(entry.get("properties") or {}) >= {"value", "lines"}:
            answer[name] = _entry(name, entry, defs, lines)
        else:
            answer[name] = _placeholder(sub, defs, name, lines)
    return answer


def _entry(name: str, entry: dict[str, Any], defs: dict[str, Any], lines: list[tuple[str, str]]) -> dict[str, Any]:
    """A ``{"value", "lines"}`` object for property ``name`` from the document line that mentions it."""
    found = _find_line(name, lines)
    value_schema = entry["properties"]["value"]
    value = _convert(found[1], value_schema, defs) if found else None
    result: dict[str, Any] = {"value": value, "lines": [found[0]] if found and value is not None else []}
    for other, sub in (entry.get("properties") or {}).items():
        if other not in result:
            result[other] = _placeholder(sub, defs, other, [])
    return result


def smart_answer(request: Request) -> Any:
    """A schema-fitting answer drawn from the document lines of the request (see the module docstring)."""
    schema = request.schema or {"type": "object", "properties": {}}
    defs = dict(schema.get("$defs") or schema.get("definitions") or {})
    lines = [(m.group(1), m.group(2)) for m in _LINE.finditer(request.user_text)]
    return _instance(_resolve(schema, defs), defs, lines)


# --- the server -------------------------------------------------------------------------------------------


def _logprobs_content(content: str, token_logprob: float | Callable[[str], float]) -> list[dict[str, Any]]:
    tokens = _TOKEN.findall(content)
    result = []
    for token in tokens:
        logprob = token_logprob(token) if callable(token_logprob) else token_logprob
        result.append({"token": token, "logprob": logprob, "bytes": list(token.encode()), "top_logprobs": []})
    return result


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        return

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None, drip: float = 0.0) -> None:
        try:
            if drip:
                self._drip(status, body, headers or {}, drip)
                return
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (time-out test): nothing to answer

    def _drip(self, status: int, body: bytes, headers: dict[str, str], seconds: float) -> None:
        """The whole response one byte at a time, ``seconds`` apart, until done or the client hangs up."""
        head = [f"HTTP/1.1 {status} OK", "Content-Type: application/json", f"Content-Length: {len(body)}"]
        head += [f"{key}: {value}" for key, value in headers.items()]
        raw = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        owner = self.server.owner
        for index in range(len(raw)):
            if owner._stopping.wait(seconds):
                return
            self.wfile.write(raw[index : index + 1])
            self.wfile.flush()
            owner.dripped += 1

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        body = {"error": {"message": message, "type": "invalid_request_error", "code": status}}
        self._send(status, json.dumps(body).encode(), headers)

    def do_GET(self) -> None:
        owner = self.server.owner
        owner._record(Request("GET", self.path, {k.lower(): v for k, v in self.headers.items()}, {}))
        if self.path.rstrip("/") == "/v1/models":
            data = {"object": "list", "data": [{"id": owner.model, "object": "model", "owned_by": "tests"}]}
            self._send(200, json.dumps(data).encode())
        else:
            self._error(404, f"no route {self.path}")

    def do_POST(self) -> None:
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._error(400, "request body is not JSON")
            return
        request = Request("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        owner._record(request)
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._error(404, f"no route {self.path}")
            return
        try:
            reply = owner._next_reply(request)
        except Exception as error:
            # a failing answer_with (e.g. an assert in it): tell the test, not the void
            owner.errors.append(error)
            self._error(500, f"answer_with failed: {error!r}")
            return
        if reply.delay and owner._stopping.wait(reply.delay):
            return  # the server is stopping: drop the request
        if owner.api_key is not None and self.headers.get("Authorization") != f"Bearer {owner.api_key}":
            self._error(401, "Incorrect API key provided.")
            return
        if body.get("model") != owner.model:
            self._error(404, f"The model {body.get('model')!r} does not exist")
            return
        if reply.raw_body is not None:
            self._send(reply.status, reply.raw_body, reply.headers)
            return
        if reply.status != 200:
            self._error(reply.status, reply.error_message or f"error {reply.status}", reply.headers)
            return
        if reply.ramble:
            limit = request.max_tokens
            content = ("and then " * (RAMBLE_CHARS // 9 + 1))[: limit * 4 if limit else RAMBLE_CHARS]
            reply.finish_reason = "length" if limit else reply.finish_reason
            reply.logprobs = reply.logprobs if limit else False  # millions of token records would only be noise
        else:
            content = reply.content if reply.content is not None else json.dumps(smart_answer(request))
        body = json.dumps(owner._completion(request, reply, content)).encode()
        self._send(200, body, reply.headers, drip=reply.drip)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: LLMServer


class LLMServer:
    """The server: ``start()``, ``stop()`` (or use it as a context manager), ``script(...)``, ``requests``."""

    def __init__(self, *, model: str = "fake-model", api_key: str | None = "test-key") -> None:
        self.model = model
        self.api_key = api_key
        self.requests: list[Request] = []
        self.answer_with: Callable[[Request], Reply] | None = None
        self.errors: list[Exception] = []  # exceptions raised by answer_with; the fixture re-raises the first
        self.dripped = 0  # bytes sent by ``drip`` replies so far
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._counter = 0

    # -- life cycle --
    def start(self) -> LLMServer:
        httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        httpd.owner = self
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> LLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "the server is not running"
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """The URL to put in OPENAI_BASE_URL."""
        return f"http://127.0.0.1:{self.port}/v1"

    # -- behaviour --
    def script(self, *replies: Reply) -> None:
        """Queue replies, used one per chat-completions request in order."""
        with self._lock:
            self._replies.extend(replies)

    @property
    def chat_requests(self) -> list[Request]:
        """The chat-completions requests received, in order."""
        return [r for r in self.requests if r.path.rstrip("/").endswith("/chat/completions")]

    def _record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def _next_reply(self, request: Request) -> Reply:
        with self._lock:
            if self._replies:
                return self._replies.popleft()
        if self.answer_with is not None:
            return self.answer_with(request)
        return Reply()

    def _completion(self, request: Request, reply: Reply, content: str) -> dict[str, Any]:
        with self._lock:
            self._counter += 1
            number = self._counter
        prompt_chars = sum(len(json.dumps(m.get("content", ""))) for m in request.messages)
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if reply.as_tool_call or (request.body.get("tools") and reply.content is None):
            tools = request.body.get("tools") or [{"function": {"name": "answer"}}]
            message = {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": f"call_{number}",
                        "type": "function",
                        "function": {"name": tools[0]["function"]["name"], "arguments": content},
                    }
                ],
            }
        wants = request.wants_logprobs if reply.logprobs is None else reply.logprobs
        choice: dict[str, Any] = {"index": 0, "message": message, "finish_reason": reply.finish_reason}
        choice["logprobs"] = {"content": _logprobs_content(content, reply.token_logprob)} if wants else None
        request.usage = {
            "prompt_tokens": reply.prompt_tokens if reply.prompt_tokens is not None else math.ceil(prompt_chars / 4),
            "completion_tokens": (
                reply.completion_tokens if reply.completion_tokens is not None else math.ceil(len(content) / 4)
            ),
        }
        return {
            "id": f"chatcmpl-{number}",
            "object": "chat.completion",
            "created": 1_700_000_000 + number,
            "model": self.model,
            "choices": [choice],
            "usage": {**request.usage, "total_tokens": sum(request.usage.values())},
        }


def refused_base_url() -> str:
    """A base URL on 127.0.0.1 where nothing listens (a port just freed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


@pytest.fixture
def llm_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LLMServer]:
    """A running server with the LLM environment pointing at it; stopped after the test."""
    server = LLMServer().start()
    try:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        monkeypatch.setenv("FIELDBENCH_LLM_MODEL", server.model)
        monkeypatch.setenv("FIELDBENCH_LLM_TIMEOUT", "10")
        yield server
    finally:
        server.stop()
    if server.errors:
        raise server.errors[0]
