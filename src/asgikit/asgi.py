"""Typed shapes of the ASGI 3.0 protocol: scopes, events, and the callables that carry them.

Covers the HTTP and WebSocket specs up to 2.5 (with the ``http.response.pathsend``,
``http.response.zerocopysend``, ``http.response.trailers``, ``http.response.early_hint``,
``http.response.push`` and ``websocket.http.response`` extensions) and the lifespan spec 2.0.

Scopes are read-only for applications (``ReadOnly`` keys). Event ``TypedDict``\\ s are ``@final``
and tagged with a ``Literal`` ``type``, so ``if event["type"] == "http.request":`` and
``match event["type"]:`` narrow the unions in both mypy and pyright.

Keys that servers are allowed to omit are ``NotRequired``; read them with ``.get()``.
What real servers send and how asgikit copes is documented in ``docs/servers.md``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import Literal, NotRequired, Protocol, TypeAlias, final

from typing_extensions import ReadOnly, TypedDict

__all__ = [
    "ASGIApp",
    "ASGIVersions",
    "HTTPDisconnectEvent",
    "HTTPReceiveEvent",
    "HTTPRequestEvent",
    "HTTPResponseBodyEvent",
    "HTTPResponseEarlyHintEvent",
    "HTTPResponsePathsendEvent",
    "HTTPResponsePushEvent",
    "HTTPResponseStartEvent",
    "HTTPResponseTrailersEvent",
    "HTTPResponseZerocopysendEvent",
    "HTTPScope",
    "HTTPSendEvent",
    "LifespanReceiveEvent",
    "LifespanScope",
    "LifespanSendEvent",
    "LifespanShutdownCompleteEvent",
    "LifespanShutdownEvent",
    "LifespanShutdownFailedEvent",
    "LifespanStartupCompleteEvent",
    "LifespanStartupEvent",
    "LifespanStartupFailedEvent",
    "RawHeaders",
    "Receive",
    "ReceiveEvent",
    "Scope",
    "Send",
    "SendEvent",
    "SupportsFileno",
    "WebSocketAcceptEvent",
    "WebSocketCloseEvent",
    "WebSocketConnectEvent",
    "WebSocketDisconnectEvent",
    "WebSocketReceiveEvent",
    "WebSocketReceiveMessageEvent",
    "WebSocketResponseBodyEvent",
    "WebSocketResponseStartEvent",
    "WebSocketScope",
    "WebSocketSendEvent",
    "WebSocketSendMessageEvent",
]

RawHeaders: TypeAlias = Iterable[tuple[bytes, bytes]]
"""Header lines as ASGI carries them: lower-cased names and values as ``bytes``."""


class ASGIVersions(TypedDict):
    """The ``scope["asgi"]`` mapping. A missing ``spec_version`` means ``"2.0"``."""

    version: ReadOnly[str]
    spec_version: NotRequired[ReadOnly[str]]


class HTTPScope(TypedDict):
    """Connection scope of an HTTP request.

    ``server`` and ``client`` ports may be ``int``, ``str`` (granian) or ``None`` (unix
    sockets); ``http_version`` may be ``"1"`` for HTTP/1.0 (granian).
    """

    type: ReadOnly[Literal["http"]]
    asgi: ReadOnly[ASGIVersions]
    http_version: ReadOnly[str]
    method: ReadOnly[str]
    scheme: NotRequired[ReadOnly[str]]
    path: ReadOnly[str]
    raw_path: NotRequired[ReadOnly[bytes | None]]
    query_string: NotRequired[ReadOnly[bytes]]
    root_path: NotRequired[ReadOnly[str]]
    headers: ReadOnly[RawHeaders]
    client: NotRequired[ReadOnly[tuple[str, int | str | None] | None]]
    server: NotRequired[ReadOnly[tuple[str, int | str | None] | None]]
    state: NotRequired[ReadOnly[dict[str, object]]]
    extensions: NotRequired[ReadOnly[dict[str, dict[object, object]] | None]]


class WebSocketScope(TypedDict):
    """Connection scope of a websocket connection."""

    type: ReadOnly[Literal["websocket"]]
    asgi: ReadOnly[ASGIVersions]
    http_version: NotRequired[ReadOnly[str]]
    scheme: NotRequired[ReadOnly[str]]
    path: ReadOnly[str]
    raw_path: NotRequired[ReadOnly[bytes | None]]
    query_string: NotRequired[ReadOnly[bytes]]
    root_path: NotRequired[ReadOnly[str]]
    headers: ReadOnly[RawHeaders]
    client: NotRequired[ReadOnly[tuple[str, int | str | None] | None]]
    server: NotRequired[ReadOnly[tuple[str, int | str | None] | None]]
    subprotocols: NotRequired[ReadOnly[Iterable[str]]]
    state: NotRequired[ReadOnly[dict[str, object]]]
    extensions: NotRequired[ReadOnly[dict[str, dict[object, object]] | None]]


class LifespanScope(TypedDict):
    """Scope of the lifespan protocol."""

    type: ReadOnly[Literal["lifespan"]]
    asgi: ReadOnly[ASGIVersions]
    state: NotRequired[ReadOnly[dict[str, object]]]


Scope: TypeAlias = HTTPScope | WebSocketScope | LifespanScope
"""Any ASGI scope; narrow on ``scope["type"]``."""


# HTTP: server -> application


@final
class HTTPRequestEvent(TypedDict):
    """A chunk of the request body. Both keys default to empty / ``False``."""

    type: Literal["http.request"]
    body: NotRequired[bytes]
    more_body: NotRequired[bool]


@final
class HTTPDisconnectEvent(TypedDict):
    """The client disconnected, or the response was completely sent."""

    type: Literal["http.disconnect"]


# HTTP: application -> server


@final
class HTTPResponseStartEvent(TypedDict):
    """Starts the response with a status and headers."""

    type: Literal["http.response.start"]
    status: int
    headers: NotRequired[RawHeaders]
    trailers: NotRequired[bool]


@final
class HTTPResponseBodyEvent(TypedDict):
    """A chunk of the response body; ``more_body=False`` (the default) ends the response."""

    type: Literal["http.response.body"]
    body: NotRequired[bytes]
    more_body: NotRequired[bool]


@final
class HTTPResponseTrailersEvent(TypedDict):
    """Trailers extension: headers sent after the body."""

    type: Literal["http.response.trailers"]
    headers: NotRequired[RawHeaders]
    more_trailers: NotRequired[bool]


@final
class HTTPResponsePushEvent(TypedDict):
    """Server push extension (HTTP/2)."""

    type: Literal["http.response.push"]
    path: str
    headers: RawHeaders


class SupportsFileno(Protocol):
    """An open file, as the zero-copy send extension wants it."""

    def fileno(self) -> int:
        """Return the underlying file descriptor."""
        ...


@final
class HTTPResponseZerocopysendEvent(TypedDict):
    """Zero-copy send extension: the server sends from an open file descriptor."""

    type: Literal["http.response.zerocopysend"]
    file: SupportsFileno
    offset: NotRequired[int]
    count: NotRequired[int]
    more_body: NotRequired[bool]


@final
class HTTPResponsePathsendEvent(TypedDict):
    """Path send extension: the server sends the file at an absolute path."""

    type: Literal["http.response.pathsend"]
    path: str


@final
class HTTPResponseEarlyHintEvent(TypedDict):
    """Early hints extension (103): ``links`` are ``Link`` header values."""

    type: Literal["http.response.early_hint"]
    links: list[bytes]


# WebSocket: server -> application


@final
class WebSocketConnectEvent(TypedDict):
    """The client asked to open the websocket."""

    type: Literal["websocket.connect"]


@final
class WebSocketReceiveMessageEvent(TypedDict):
    """A message from the client: exactly one of ``bytes``/``text`` is non-``None``."""

    type: Literal["websocket.receive"]
    bytes: NotRequired[bytes | None]
    text: NotRequired[str | None]


@final
class WebSocketDisconnectEvent(TypedDict):
    """The connection closed; ``code`` defaults to 1005."""

    type: Literal["websocket.disconnect"]
    code: NotRequired[int]
    reason: NotRequired[str | None]


# WebSocket: application -> server


@final
class WebSocketAcceptEvent(TypedDict):
    """Accept the connection. ``headers`` need spec >= 2.1."""

    type: Literal["websocket.accept"]
    subprotocol: NotRequired[str | None]
    headers: NotRequired[RawHeaders]


@final
class WebSocketSendMessageEvent(TypedDict):
    """Send a message: exactly one of ``bytes``/``text`` is non-``None``."""

    type: Literal["websocket.send"]
    bytes: NotRequired[bytes | None]
    text: NotRequired[str | None]


@final
class WebSocketCloseEvent(TypedDict):
    """Close the connection (or reject it before accept). ``reason`` needs spec >= 2.3."""

    type: Literal["websocket.close"]
    code: NotRequired[int]
    reason: NotRequired[str | None]


@final
class WebSocketResponseStartEvent(TypedDict):
    """Denial response extension: start an HTTP response instead of accepting."""

    type: Literal["websocket.http.response.start"]
    status: int
    headers: NotRequired[RawHeaders]


@final
class WebSocketResponseBodyEvent(TypedDict):
    """Denial response extension: a chunk of the HTTP response body."""

    type: Literal["websocket.http.response.body"]
    body: NotRequired[bytes]
    more_body: NotRequired[bool]


# Lifespan


@final
class LifespanStartupEvent(TypedDict):
    """The server is starting up."""

    type: Literal["lifespan.startup"]


@final
class LifespanShutdownEvent(TypedDict):
    """The server is shutting down."""

    type: Literal["lifespan.shutdown"]


@final
class LifespanStartupCompleteEvent(TypedDict):
    """The application finished starting up."""

    type: Literal["lifespan.startup.complete"]


@final
class LifespanStartupFailedEvent(TypedDict):
    """The application failed to start up."""

    type: Literal["lifespan.startup.failed"]
    message: NotRequired[str]


@final
class LifespanShutdownCompleteEvent(TypedDict):
    """The application finished shutting down."""

    type: Literal["lifespan.shutdown.complete"]


@final
class LifespanShutdownFailedEvent(TypedDict):
    """The application failed to shut down."""

    type: Literal["lifespan.shutdown.failed"]
    message: NotRequired[str]


HTTPReceiveEvent: TypeAlias = HTTPRequestEvent | HTTPDisconnectEvent
"""Events an HTTP application receives."""

HTTPSendEvent: TypeAlias = (
    HTTPResponseStartEvent
    | HTTPResponseBodyEvent
    | HTTPResponseTrailersEvent
    | HTTPResponsePushEvent
    | HTTPResponseZerocopysendEvent
    | HTTPResponsePathsendEvent
    | HTTPResponseEarlyHintEvent
)
"""Events an HTTP application sends."""

WebSocketReceiveEvent: TypeAlias = (
    WebSocketConnectEvent | WebSocketReceiveMessageEvent | WebSocketDisconnectEvent
)
"""Events a websocket application receives."""

WebSocketSendEvent: TypeAlias = (
    WebSocketAcceptEvent
    | WebSocketSendMessageEvent
    | WebSocketCloseEvent
    | WebSocketResponseStartEvent
    | WebSocketResponseBodyEvent
)
"""Events a websocket application sends."""

LifespanReceiveEvent: TypeAlias = LifespanStartupEvent | LifespanShutdownEvent
"""Events a lifespan handler receives."""

LifespanSendEvent: TypeAlias = (
    LifespanStartupCompleteEvent
    | LifespanStartupFailedEvent
    | LifespanShutdownCompleteEvent
    | LifespanShutdownFailedEvent
)
"""Events a lifespan handler sends."""

ReceiveEvent: TypeAlias = HTTPReceiveEvent | WebSocketReceiveEvent | LifespanReceiveEvent
"""Any event ``receive()`` can return."""

SendEvent: TypeAlias = HTTPSendEvent | WebSocketSendEvent | LifespanSendEvent
"""Any event ``send()`` accepts."""


class Receive(Protocol):
    """The ``receive`` callable the server passes to the application."""

    def __call__(self) -> Awaitable[ReceiveEvent]:
        """Wait for the next event from the server."""
        ...


class Send(Protocol):
    """The ``send`` callable the server passes to the application."""

    def __call__(self, event: SendEvent, /) -> Awaitable[None]:
        """Send an event to the server."""
        ...


class ASGIApp(Protocol):
    """An ASGI 3.0 application."""

    def __call__(self, scope: Scope, receive: Receive, send: Send, /) -> Awaitable[None]:
        """Handle one connection."""
        ...

