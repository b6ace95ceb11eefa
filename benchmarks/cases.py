"""Benchmark cases: payloads, scopes and scripted ``receive`` callables shared by every suite.

Every implementation (raw ASGI, asgikit, the peers of :data:`PEERS`, asgikit 0.18.2) answers
each case with the same response, checked by :func:`normalise` before anything is timed.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from time import perf_counter_ns
from typing import TYPE_CHECKING, Final, Literal, TypeAlias, cast, final

import msgspec

# Only types: the asgikit 0.18.2 worker process imports this module with 0.18.2 as "asgikit".
if TYPE_CHECKING:
    from asgikit.asgi import (
        HTTPRequestEvent,
        HTTPScope,
        Receive,
        ReceiveEvent,
        Send,
        SendEvent,
        WebSocketReceiveMessageEvent,
        WebSocketScope,
    )

__all__ = [
    "BENCH_DIR",
    "CASES",
    "CHUNK_SIZE",
    "ECHO_DOCUMENT",
    "FORM_FIELD",
    "HELLO_JSON",
    "HELLO_TEXT",
    "MULTIPART_BOUNDARY",
    "PEERS",
    "SPOOL_MAX_SIZE",
    "STREAM_CHUNKS",
    "WS_MESSAGE",
    "App",
    "Case",
    "ConnectionScope",
    "HTTPReceiver",
    "NormalisedResponse",
    "Recorder",
    "WebSocketReceiver",
    "case_by_name",
    "discard",
    "http_scope",
    "load_apps",
    "normalise",
    "peer_installed",
    "stream_chunks",
    "websocket_scope",
]

ConnectionScope: TypeAlias = "HTTPScope | WebSocketScope"
"""The scopes the benchmark apps are called with."""

App: TypeAlias = "Callable[[ConnectionScope, Receive, Send], Awaitable[None]]"
"""An ASGI application restricted to HTTP and websocket scopes."""

BENCH_DIR: Final = Path(__file__).resolve().parent.parent / ".bench"
"""Scratch directory of the suites (gitignored): asgikit 0.18.2 is installed under it."""

HELLO_TEXT: Final = "Hello, World!"
"""Body of the plaintext case."""

HELLO_JSON: Final[dict[str, str]] = {"message": "Hello, World!"}
"""Document of the small JSON case."""

CHUNK_SIZE: Final = 64 * 1024
"""Size of the ``http.request`` body chunks a server hands over (uvicorn reads 64 KiB)."""

SPOOL_MAX_SIZE: Final = 1024 * 1024
"""In-memory size of the hand-driven multipart floor's ``SpooledTemporaryFile``."""

STREAM_CHUNKS: Final[tuple[bytes, ...]] = tuple(bytes([97 + i]) * 1024 for i in range(10))
"""The streaming case writes these ten 1 KiB chunks."""


async def stream_chunks() -> AsyncIterator[bytes]:
    """:data:`STREAM_CHUNKS` as the async generator the frameworks' streaming responses take."""
    for chunk in STREAM_CHUNKS:
        yield chunk


WS_MESSAGE: Final = "Hello, websocket! " * 4
"""The text message of the websocket echo case (72 characters)."""

FORM_FIELD: Final = "field07"
"""The urlencoded case answers with the value of this field."""

MULTIPART_BOUNDARY: Final = "----asgikitBenchBoundary7MA4YWxkTrZu0gW"
"""Boundary of the multipart cases."""


def _echo_document() -> dict[str, object]:
    items: list[dict[str, object]] = []
    document: dict[str, object] = {"id": 12345, "name": "benchmark", "items": items}
    i = 0
    while len(msgspec.json.encode(document)) < 1000:
        items.append({"id": i, "name": f"item-{i}", "tags": ["a", "b"], "active": i % 2 == 0})
        i += 1
    return document


ECHO_DOCUMENT: Final = _echo_document()
"""The ~1 KiB JSON document of the echo case."""


def http_scope(
    method: str = "GET",
    path: str = "/",
    headers: Sequence[tuple[bytes, bytes]] = (),
    *,
    spec_version: str = "2.3",
) -> HTTPScope:
    """An HTTP scope shaped like uvicorn's (httptools): spec 2.3, no ``extensions`` key."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": spec_version},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 54321),
        "scheme": "http",
        "method": method,
        "root_path": "",
        "path": path,
        "raw_path": path.encode("ascii"),
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"user-agent", b"wrk"),
            (b"accept", b"*/*"),
            *headers,
        ],
        "state": {},
    }


def websocket_scope(path: str = "/ws") -> WebSocketScope:
    """A websocket scope shaped like uvicorn's: spec 2.4 with the denial-response extension."""
    return {
        "type": "websocket",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 54321),
        "scheme": "ws",
        "root_path": "",
        "path": path,
        "raw_path": path.encode("ascii"),
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"upgrade", b"websocket"),
            (b"connection", b"upgrade"),
            (b"sec-websocket-version", b"13"),
            (b"sec-websocket-key", b"dGhlIHNhbXBsZSBub25jZQ=="),
        ],
        "subprotocols": [],
        "state": {},
        "extensions": {"websocket.http.response": {}},
    }


def _chunked(body: bytes) -> tuple[HTTPRequestEvent, ...]:
    if not body:
        return ({"type": "http.request", "body": b"", "more_body": False},)
    last = len(body) - 1
    return tuple(
        {
            "type": "http.request",
            "body": body[start : start + CHUNK_SIZE],
            "more_body": start + CHUNK_SIZE <= last,
        }
        for start in range(0, len(body), CHUNK_SIZE)
    )


def _urlencoded_form() -> bytes:
    fields = [f"field{i:02d}=value+{i}+%C3%A9t%C3%A9+%26+more%21&" for i in range(20)]
    return "".join(fields).rstrip("&").encode("ascii")


def _multipart_body(file_size: int) -> bytes:
    boundary = MULTIPART_BOUNDARY.encode("ascii")
    content = random.Random(file_size).randbytes(file_size)
    return b"".join(
        [
            b"--" + boundary + b"\r\n",
            b'Content-Disposition: form-data; name="name"\r\n\r\n',
            b"asgikit\r\n",
            b"--" + boundary + b"\r\n",
            b'Content-Disposition: form-data; name="upload"; filename="data.bin"\r\n',
            b"Content-Type: application/octet-stream\r\n\r\n",
            content,
            b"\r\n--" + boundary + b"--\r\n",
        ]
    )


Unit: TypeAlias = Literal["ns", "MB/s", "ns/msg"]


@final
@dataclass(frozen=True, slots=True)
class Case:
    """One benchmark case: the scope and the events ``receive`` hands out."""

    name: str
    """Short identifier used on the command line and as the key of every ``APPS`` dict."""
    title: str
    """Human-readable title for tables."""
    scope: ConnectionScope
    """Template scope; every request gets a shallow copy (asgikit keeps state in it)."""
    events: tuple[HTTPRequestEvent, ...]
    """Body events of an HTTP case (empty for websockets)."""
    unit: Unit
    """``ns`` per request, ``MB/s`` of request body, or ``ns/msg`` for websockets."""
    body_size: int = 0
    """Request body size in bytes (for ``MB/s``)."""
    messages: int = 0
    """Messages per connection of the websocket case."""

    def receiver(self) -> HTTPReceiver | WebSocketReceiver:
        """A fresh ``receive`` for one request or connection."""
        if self.messages:
            return WebSocketReceiver(self.messages)
        return HTTPReceiver(self.events)


def _json_headers(body: bytes) -> list[tuple[bytes, bytes]]:
    return [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]


@cache
def case_by_name(name: str) -> Case:
    """Build (once) the case called ``name``; large bodies are only built when asked for."""
    if name == "plaintext":
        return Case(name, "plaintext", http_scope(path="/plaintext"), _chunked(b""), "ns")
    if name == "json":
        return Case(name, "small JSON", http_scope(path="/json"), _chunked(b""), "ns")
    if name == "echo_json":
        body = msgspec.json.encode(ECHO_DOCUMENT)
        scope = http_scope("POST", "/echo", _json_headers(body))
        return Case(name, f"JSON echo {len(body)} B", scope, _chunked(body), "ns", len(body))
    if name == "form_20":
        body = _urlencoded_form()
        headers = [
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()),
        ]
        scope = http_scope("POST", "/form", headers)
        return Case(name, "urlencoded 20 fields", scope, _chunked(body), "ns", len(body))
    if name in ("multipart_1m", "multipart_50m"):
        size = 1024 * 1024 if name == "multipart_1m" else 50 * 1024 * 1024
        body = _multipart_body(size)
        headers = [
            (b"content-type", b"multipart/form-data; boundary=" + MULTIPART_BOUNDARY.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        scope = http_scope("POST", "/upload", headers)
        title = f"multipart {size // (1024 * 1024)} MiB file"
        return Case(name, title, scope, _chunked(body), "MB/s", len(body))
    if name == "stream":
        return Case(name, "streaming 10 x 1 KiB", http_scope(path="/stream"), _chunked(b""), "ns")
    if name == "websocket":
        return Case(name, "websocket echo", websocket_scope(), (), "ns/msg", messages=2000)
    raise KeyError(f"unknown case {name!r}; choose from {', '.join(CASES)}")


CASES: Final[tuple[str, ...]] = (
    "plaintext",
    "json",
    "echo_json",
    "form_20",
    "multipart_1m",
    "multipart_50m",
    "stream",
    "websocket",
)
"""Every case name, in report order."""


@final
class HTTPReceiver:
    """``receive`` for one HTTP request: the body events, then it waits like a server does.

    After the body a real server's ``receive`` blocks until the client disconnects; here it
    blocks until cancelled (disconnect listeners in task groups are cancelled by their owner).
    """

    __slots__ = ("_events", "_next")

    def __init__(self, events: tuple[HTTPRequestEvent, ...]) -> None:
        self._events = events
        self._next = 0

    async def __call__(self) -> ReceiveEvent:
        """The next body event, or wait forever."""
        index = self._next
        if index < len(self._events):
            self._next = index + 1
            return self._events[index]
        forever: asyncio.Future[ReceiveEvent] = asyncio.get_running_loop().create_future()
        return await forever


_CONNECT: Final[ReceiveEvent] = {"type": "websocket.connect"}
_DISCONNECT: Final[ReceiveEvent] = {"type": "websocket.disconnect", "code": 1000}
_MESSAGE: Final[WebSocketReceiveMessageEvent] = {"type": "websocket.receive", "text": WS_MESSAGE}


@final
class WebSocketReceiver:
    """``receive`` for one websocket connection: connect, ``messages`` texts, then disconnect.

    It stamps the time it hands out the first message and the disconnect, so the echo loop is
    timed over an already accepted connection: ``(ended_ns - started_ns) / messages``.
    """

    __slots__ = ("_clock", "_connected", "_remaining", "ended_ns", "messages", "started_ns")

    def __init__(self, messages: int, clock: Callable[[], int] = perf_counter_ns) -> None:
        self.messages = messages
        """Number of messages the connection carries."""
        self._remaining = messages
        self._clock = clock
        self._connected = False
        self.started_ns = 0
        """``clock()`` when the first message was handed out."""
        self.ended_ns = 0
        """``clock()`` when the disconnect was handed out."""

    async def __call__(self) -> ReceiveEvent:
        """``websocket.connect``, then the messages, then ``websocket.disconnect``."""
        remaining = self._remaining
        if remaining:
            if not self._connected:
                self._connected = True
                return _CONNECT
            if remaining == self.messages:
                self.started_ns = self._clock()
            self._remaining = remaining - 1
            return _MESSAGE
        self.ended_ns = self._clock()
        return _DISCONNECT


async def discard(event: SendEvent, /) -> None:
    """The no-op ``send`` of the timed loops."""


@final
class Recorder:
    """A ``send`` that keeps every event (for the correctness check)."""

    __slots__ = ("events",)

    def __init__(self) -> None:
        self.events: list[SendEvent] = []
        """Every event sent, in order."""

    async def __call__(self, event: SendEvent, /) -> None:
        """Record ``event``."""
        self.events.append(event)


NormalisedResponse: TypeAlias = tuple[object, ...]
"""What must agree between implementations (see :func:`normalise`)."""


def normalise(events: Sequence[SendEvent], *, exact_headers: bool = False) -> NormalisedResponse:
    """Reduce sent events to what every implementation must agree on.

    HTTP: status, media type (parameters dropped unless ``exact_headers``), Content-Length and
    the concatenated body; with ``exact_headers`` the sorted header list. Websocket: the
    kinds of events and every message sent.
    """
    status: object = None
    headers: list[tuple[bytes, bytes]] = []
    body = bytearray()
    messages: list[object] = []
    for event in events:
        if event["type"] == "http.response.start":
            status = int(event["status"])
            headers = [(name.lower(), value) for name, value in event.get("headers", [])]
        elif event["type"] == "http.response.body":
            body += event.get("body", b"")
        elif event["type"] == "websocket.send":
            text = event.get("text")
            messages.append(text if text is not None else event.get("bytes"))
        else:
            messages.append(event["type"])
    if status is None:
        return ("websocket", *messages)
    if exact_headers:
        return (status, sorted(headers), bytes(body))
    fields = dict(headers)
    media_type = fields.get(b"content-type", b"").split(b";")[0].strip().lower()
    return (status, media_type, fields.get(b"content-length"), bytes(body))


PEERS: Final[dict[str, str]] = {
    "starlette": "Starlette",
    "baize": "baize",
    "blacksheep": "BlackSheep",
}
"""The other frameworks measured next to asgikit, in report order, with their display names.

Each key names both the framework's package and its apps module (``benchmarks.apps_<key>``).
A case a framework cannot express is missing from its ``APPS`` dict."""


def peer_installed(peer: str) -> bool:
    """Whether the framework of ``peer`` (a key of :data:`PEERS`) can be imported."""
    return importlib.util.find_spec(peer) is not None


def load_apps(implementation: str) -> dict[str, App]:
    """The ``APPS`` dict of ``benchmarks.apps_<implementation>`` (imported on demand): ``raw``,
    ``asgikit``, ``asgikit018`` or a key of :data:`PEERS`."""
    module = importlib.import_module(f"benchmarks.apps_{implementation}")
    return dict(cast("dict[str, App]", module.APPS))
