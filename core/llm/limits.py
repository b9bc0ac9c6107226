"""Limits on one HTTP request to the LLM server: a total deadline, and a budget of answer bytes.

httpx's time-outs bound each read, not the request: a server that sends one byte a second keeps it alive
forever. Here the request's connection is cut when its deadline passes (a timer shuts its socket down, in the
headers as in the body), and its answer is counted as it arrives and refused beyond its byte budget.

Only public hooks are used: an event hook on each request puts a ``trace`` on it (which hands over the
socket when the connection is made) and an event hook on each response wraps its byte stream. Connections
are therefore not kept alive: each request has a socket of its own to cut. The limits of the request being
made in this thread are set with ``request_limits``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx2

__all__ = ["RequestLimits", "AnswerTooLarge", "request_limits", "limited_http_client"]


class AnswerTooLarge(httpx2.TransportError):
    """The answer grew beyond the request's byte budget, or came compressed although none was asked for."""


@dataclass
class RequestLimits:
    """The deadline (``time.monotonic()``) and the byte budget of the request made in this thread."""

    deadline: float
    max_bytes: int
    received: int = 0
    expired: bool = False
    _sockets: list[socket.socket] = field(default_factory=list)
    _timer: threading.Timer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        """Start the clock: at the deadline, every socket of this request is shut down."""
        self._timer = threading.Timer(max(self.deadline - time.monotonic(), 0.0), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def adopt(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            late = self.expired
        if late:
            _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def count(self, size: int) -> None:
        self.received += size
        if self.received > self.max_bytes:
            raise AnswerTooLarge(f"the answer is larger than {self.max_bytes:,} bytes")


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed: the request finished
        sock.shutdown(socket.SHUT_RDWR)  # wakes a read blocked on it in another thread


_current = threading.local()


@contextmanager
def request_limits(deadline: float, max_bytes: int) -> Iterator[RequestLimits]:
    """Limit the HTTP request made in this thread within the block (the client must be ``limited_http_client``).

    Args:
        deadline: ``time.monotonic()`` by which the answer must have arrived whole.
        max_bytes: the most bytes the answer's body may have.

    Yields:
        The limits; ``expired`` tells afterwards whether the deadline cut the request.
    """
    limits = RequestLimits(deadline=deadline, max_bytes=max_bytes)
    previous = getattr(_current, "limits", None)
    _current.limits = limits
    limits.start()
    try:
        yield limits
    finally:
        limits.stop()
        _current.limits = previous


def _on_request(request: httpx2.Request) -> None:
    limits: RequestLimits | None = getattr(_current, "limits", None)
    if limits is None:
        return
    # The byte budget counts what arrives; a compressed answer would unpack to more than that.
    request.headers["Accept-Encoding"] = "identity"

    def trace(event: str, info: dict[str, Any]) -> None:
        if event == "connection.connect_tcp.complete":
            sock = info["return_value"].get_extra_info("socket")
            if sock is not None:
                limits.adopt(sock)

    request.extensions = {**request.extensions, "trace": trace}


class _CountedStream(httpx2.SyncByteStream):
    def __init__(self, stream: httpx2.SyncByteStream, limits: RequestLimits) -> None:
        self._stream = stream
        self._limits = limits

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._stream:
            self._limits.count(len(chunk))
            yield chunk

    def close(self) -> None:
        self._stream.close()


def _on_response(response: httpx2.Response) -> None:
    limits: RequestLimits | None = getattr(_current, "limits", None)
    if limits is None:
        return
    if response.headers.get("Content-Encoding", "identity").lower() not in ("identity", ""):
        raise AnswerTooLarge(f"the answer came compressed ({response.headers['Content-Encoding']}), unasked")
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit():
        limits.count(int(declared))  # refused before a byte of the body is read
        limits.received = 0
    if isinstance(response.stream, httpx2.SyncByteStream):
        response.stream = _CountedStream(response.stream, limits)


def limited_http_client(timeout: float) -> httpx2.Client:
    """An httpx client for the OpenAI SDK that honours ``request_limits`` (connections are not kept alive).

    Args:
        timeout: seconds for each network operation (the SDK's time-out), besides the request's deadline.
    """
    import openai  # lazy: the SDK takes seconds to import; only calls that talk to a server load it

    return openai.DefaultHttpxClient(
        timeout=timeout,
        limits=httpx2.Limits(max_connections=100, max_keepalive_connections=0),
        event_hooks={"request": [_on_request], "response": [_on_response]},
    )
