"""``Request``: one HTTP request or websocket handshake, as seen by the application."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPMethod
from typing import Final, cast, final

from ._body import Body
from ._cookies import parse_cookie_header
from ._headers import Headers
from ._host import parse_host
from ._multidict import MultiDict
from ._response import Response
from ._scope import address, http_version
from ._urlencoded import parse_query
from ._websocket import WebSocket
from .asgi import HTTPScope, Receive, Send, WebSocketScope

__all__ = ["Request"]

_METHODS: Final[dict[str, HTTPMethod]] = {m.value: m for m in HTTPMethod}
_NO_PARAMS: Final[Mapping[str, object]] = {}


@final
class Request:
    """Represents an incoming request (HTTP, or the handshake of a websocket).

    A ``Request`` is a cheap view over ``(scope, receive, send)``: it parses nothing until a
    property is read, and caches what it parsed. It encapsulates a :class:`Response` used
    to answer the request (``request.response`` and the ``respond_*`` shortcuts) and, for
    websocket scopes, a :class:`WebSocket` (``request.websocket``).

    Missing optional scope keys never raise: they read as the ASGI defaults.
    """

    __slots__ = (
        "_body",
        "_cookies",
        "_headers",
        "_query",
        "_response",
        "_websocket",
        "receive",
        "scope",
        "send",
    )

    def __init__(self, scope: HTTPScope | WebSocketScope, receive: Receive, send: Send) -> None:
        scope_type = cast("Mapping[str, object]", scope).get("type")
        if scope_type != "http" and scope_type != "websocket":
            raise ValueError(
                f"Request needs an 'http' or 'websocket' scope, got {scope_type!r}; "
                "lifespan scopes have no request"
            )
        self.scope: HTTPScope | WebSocketScope = scope
        """The ASGI scope."""
        self.receive: Receive = receive
        """The ASGI ``receive`` callable."""
        self.send: Send = send
        """The ASGI ``send`` callable."""
        self._headers: Headers | None = None
        self._query: MultiDict[str] | None = None
        self._cookies: MultiDict[str] | None = None
        self._body: Body | None = None
        self._response: Response | None = None
        self._websocket: WebSocket | None = None

    # connection

    @property
    def is_http(self) -> bool:
        """Whether this is a plain HTTP request."""
        return self.scope["type"] == "http"

    @property
    def is_websocket(self) -> bool:
        """Whether this is a websocket handshake."""
        return self.scope["type"] == "websocket"

    @property
    def state(self) -> dict[str, object] | None:
        """State managed by the ASGI server (the lifespan state), or ``None`` if unsupported."""
        return self.scope.get("state")

    @property
    def http_version(self) -> str:
        """HTTP version: ``"1.0"``, ``"1.1"``, ``"2"`` or ``"3"``."""
        return http_version(self.scope)

    @property
    def server(self) -> tuple[str, int | None] | None:
        """Server ``(host, port)``; port ``None`` for unix sockets; ``None`` if unknown."""
        return address(self.scope.get("server"))

    @property
    def client(self) -> tuple[str, int | None] | None:
        """Client ``(host, port)``, or ``None`` if the server does not say."""
        return address(self.scope.get("client"))

    @property
    def scheme(self) -> str:
        """URL scheme: ``http``/``https``, or ``ws``/``wss`` for websockets."""
        default = "http" if self.scope["type"] == "http" else "ws"
        return self.scope.get("scheme", default)

    @property
    def method(self) -> HTTPMethod | str | None:
        """HTTP method.

        Standard methods are :class:`http.HTTPMethod` members; extension methods such as
        ``PROPFIND`` are returned as plain ``str``; websocket scopes have no method (``None``).
        ``HTTPMethod`` is a ``StrEnum``, so ``request.method == "GET"`` works for both.
        """
        if self.scope["type"] != "http":
            return None
        raw = self.scope["method"]
        return _METHODS.get(raw, raw)

    @property
    def root_path(self) -> str:
        """The path the application is mounted at (``""`` when not set)."""
        return self.scope.get("root_path", "")

    @property
    def path(self) -> str:
        """Request path, percent-decoded by the server.

        Do not make security decisions on it: ``%2F`` is already a ``/`` here. Use
        :attr:`raw_path` when the distinction matters.
        """
        return self.scope["path"]

    @property
    def raw_path(self) -> str | None:
        """The path exactly as sent on the wire (latin-1 decoded), or ``None`` if the server
        does not provide it."""
        raw = self.scope.get("raw_path")
        return None if raw is None else raw.decode("latin-1")

    @property
    def raw_query(self) -> str:
        """Query string exactly as sent (latin-1 decoded, not percent-decoded)."""
        return self.scope.get("query_string", b"").decode("latin-1")

    @property
    def headers(self) -> Headers:
        """Request headers (case-insensitive, repeats kept)."""
        headers = self._headers
        if headers is None:
            headers = self._headers = Headers(self.scope["headers"])
        return headers

    @property
    def query(self) -> MultiDict[str]:
        """Query parameters, parsed once from :attr:`raw_query`.

        ``&`` is the only separator, ``+`` is a space, and percent-escapes are decoded once,
        as UTF-8 (invalid sequences become U+FFFD).
        """
        query = self._query
        if query is None:
            query = self._query = parse_query(self.scope.get("query_string", b""))
        return query

    @property
    def cookies(self) -> MultiDict[str]:
        """Request cookies from every ``Cookie`` header.

        Duplicate names keep every value: ``get_first`` gives the first, ``get`` all of them.
        """
        cookies = self._cookies
        if cookies is None:
            values = self.headers.get("cookie") or []
            cookies = self._cookies = parse_cookie_header(values)
        return cookies

    @property
    def host(self) -> tuple[str, int | None] | None:
        """``(host, port)`` from a well-formed ``Host`` header, else the server address.

        A ``Host`` header that does not match the RFC 3986 grammar (``evil.com/admin?``,
        ``a@b``, ``[::1``...) is ignored, never used to build URLs.
        """
        value = self.headers.get_first("host")
        if value is not None:
            parsed = parse_host(value)
            if parsed is not None:
                return parsed
        return self.server

    @property
    def content_type(self) -> str | None:
        """Media type of the request body (without parameters), or ``None``."""
        return self.body.content_type

    # Starlette middleware compatibility

    @property
    def session(self) -> object:
        """``scope["session"]`` as set by Starlette's ``SessionMiddleware`` (``None`` if absent)."""
        return cast("Mapping[str, object]", self.scope).get("session")

    @property
    def auth(self) -> object:
        """``scope["auth"]`` as set by Starlette's ``AuthenticationMiddleware`` (``None`` if absent)."""
        return cast("Mapping[str, object]", self.scope).get("auth")

    @property
    def user(self) -> object:
        """``scope["user"]`` as set by Starlette's ``AuthenticationMiddleware`` (``None`` if absent)."""
        return cast("Mapping[str, object]", self.scope).get("user")

    @property
    def path_params(self) -> Mapping[str, object]:
        """``scope["path_params"]`` as set by Starlette routing (empty if absent)."""
        params = cast("Mapping[str, object]", self.scope).get("path_params")
        if isinstance(params, Mapping):
            return cast("Mapping[str, object]", params)
        return _NO_PARAMS

    # body, response, websocket

    @property
    def body(self) -> Body:
        """The request body."""
        body = self._body
        if body is None:
            body = self._body = Body(self.scope, self.receive)
        return body

    @property
    def response(self) -> Response:
        """The response to this request (unstarted, as far as the type checker knows)."""
        response = self._response
        if response is None:
            response = self._response = Response(self.scope, self.receive, self.send)
        return response

    @property
    def websocket(self) -> WebSocket:
        """The websocket of a websocket scope.

        Raises:
            WebSocketStateError: if this is a plain HTTP request.
        """
        websocket = self._websocket
        if websocket is None:
            if self.scope["type"] != "websocket":
                from ._exceptions import WebSocketStateError

                raise WebSocketStateError(
                    "this is an HTTP request, not a websocket handshake; check request.is_websocket"
                )
            websocket = self._websocket = WebSocket(self.scope, self.receive, self.send)
        return websocket
