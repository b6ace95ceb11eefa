"""``Request``: one HTTP request or websocket handshake, as seen by the application."""

from __future__ import annotations

from collections.abc import AsyncIterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from http import HTTPMethod, HTTPStatus
from os import PathLike
from typing import Final, Generic, cast, final

from ._body import Body
from ._connection import connection_state
from ._cookies import Cookies, parse_cookie_header
from ._exceptions import WebSocketStateError
from ._file_sending import respond_file
from ._header_encoding import HeaderInput
from ._headers import Headers
from ._host import parse_host
from ._json import JSON_ENCODE, EncHook
from ._lifecycle import client_gone
from ._lifespan import StateT
from ._multidict import MultiDict
from ._negotiation import (
    MediaRange,
    OfferT,
    accepts,
    accepts_trailers,
    best_encoding,
    best_language,
    best_match,
    parse_accept,
)
from ._oneshot import complete_response
from ._polling import is_disconnected
from ._redirects import encode_location
from ._response import Response
from ._response_headers import body_bytes, content_type_value, json_payload, utf8_content_type
from ._scope import address, http_version
from ._sse import ServerSentEvent
from ._streaming import StreamWriter, Writer, respond_sse, respond_stream
from ._urlencoded import parse_query
from ._websocket import WebSocket
from .asgi import HTTPScope, Receive, Send, WebSocketScope

__all__ = ["Request"]

_METHODS: Final[dict[str, HTTPMethod]] = {m.value: m for m in HTTPMethod}
_NO_PARAMS: Final[Mapping[str, object]] = {}
_APPLICATION_JSON: Final = b"application/json"


@final
class Request(Generic[StateT]):
    """Represents an incoming request (HTTP, or the handshake of a websocket).

    ``Request[AppState]`` types ``state`` as ``AppState`` (the mapping a lifespan context
    yields, see ``run_lifespan``); a plain ``Request`` types it as ``dict[str, object] | None``.

    A ``Request`` is a cheap view over ``(scope, receive, send)``: it parses nothing until a
    property is read, and caches what it parsed. It encapsulates a ``Response`` used
    to answer the request (``request.response`` and the ``respond_*`` shortcuts) and, for
    websocket scopes, a ``WebSocket`` (``request.websocket``).

    Missing optional scope keys never raise: they read as the ASGI defaults.
    """

    # No __slots__: the lazily filled caches below live as class-level defaults, so creating a
    # Request stores three attributes, not nine (it happens on every request).
    _headers: Headers | None = None
    _query: MultiDict[str] | None = None
    _cookies: MultiDict[str] | None = None
    _body: Body | None = None
    _response: Response | None = None
    _websocket: WebSocket | None = None

    def __init__(self, scope: HTTPScope | WebSocketScope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind != "http" and kind != "websocket":
            raise ValueError(
                f"Request needs an 'http' or 'websocket' scope, got {kind!r}; "
                "lifespan scopes have no request"
            )
        self.scope: HTTPScope | WebSocketScope = scope
        """The ASGI scope."""
        self.receive: Receive = receive
        """The ASGI ``receive`` callable."""
        self.send: Send = send
        """The ASGI ``send`` callable."""

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
    def state(self) -> StateT:
        """The lifespan state the server copied into this request's scope.

        ``None`` when the server has no lifespan state (daphne), whatever the type says:
        ``run_lifespan`` refuses to start with state on such servers, so with it a
        ``Request[AppState]`` always has its state.
        """
        return cast("StateT", self.scope.get("state"))

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

        Standard methods are ``http.HTTPMethod`` members; extension methods such as
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
        ``raw_path`` when the distinction matters.
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
        """Query parameters, parsed once from ``raw_query``.

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
        """Media type of the request body (without parameters, lower-cased), or ``None``."""
        value = self.headers.get_first("content-type")
        if value is None:
            return None
        return value.partition(";")[0].strip().lower() or None

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
        """The request body.

        Raises:
            WebSocketStateError: on a websocket scope (read messages from ``websocket``).
        """
        body = self._body
        if body is None:
            scope = self.scope
            if scope["type"] != "http":
                raise WebSocketStateError(
                    "a websocket handshake has no request body; use request.websocket to read messages"
                )
            body = self._body = Body(scope, self.receive)
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
                raise WebSocketStateError(
                    "this is an HTTP request, not a websocket handshake; check request.is_websocket"
                )
            websocket = self._websocket = WebSocket(self.scope, self.receive, self.send)
        return websocket

    async def is_disconnected(self) -> bool:
        """Whether the client has gone, answered without waiting (for generator and SSE loops).

        ``True`` once a body read, a stream, the disconnect watch or a failed send saw the
        client leave. Otherwise, unless a body reader or the disconnect watch owns
        ``receive()``, it gives ``receive()`` one event-loop iteration: a body chunk received
        meanwhile is kept for the next ``request.body`` read (read the body through
        ``request.body``, not ``request.receive``, after polling), and a disconnect makes later
        reads and writes raise ``ClientDisconnectError``. A ``receive()`` still pending is
        kept, never cancelled, for the next poll or read. Polls hold at most 64 KiB of unread
        body; past that they answer ``False`` until the body is read. Without an asyncio loop
        (e.g. trio) only what is already known is reported.

        Raises:
            WebSocketStateError: on a websocket scope (``websocket.receive*`` report the
                disconnect there).
        """
        scope = self.scope
        if scope["type"] != "http":
            raise WebSocketStateError(
                "is_disconnected() is for HTTP requests; a websocket learns that the client "
                "left from its receive methods (WebSocketDisconnect)"
            )
        return await is_disconnected(scope, self.receive)

    # Shortcuts to the response; each answers the request and finishes the response. The
    # one-shot ones run the hot path (_oneshot.complete_response) and send its two events in
    # their own frame, which is why each repeats the few lines of sending: sharing them
    # (awaiting _oneshot.respond_complete, as Response does) costs one coroutine more per
    # request, ~1,300 instructions on CPython 3.11, more than all the checks of the hot path.

    async def respond_bytes(
        self,
        content: bytes,
        *,
        status: HTTPStatus | int = HTTPStatus.OK,
        media_type: str | None = None,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
        etag: str | None = None,
        weak_etag: bool = False,
        last_modified: datetime | float | None = None,
    ) -> None:
        """Respond with the given content and finish the response.

        On a websocket scope this is a denial response (see ``Response.start``).

        ``etag``/``weak_etag``/``last_modified`` make the response conditional (see
        ``Response.respond_bytes``).
        """
        content_type = None if media_type is None else content_type_value(media_type, None)
        scope = self.scope
        body = body_bytes(content)
        start, last = complete_response(
            scope, status, body, content_type, headers, cookies, etag, weak_etag, last_modified
        )
        send = self.send  # `self.send(...)` is a method lookup, unspecialisable on an attribute
        try:
            await send(start)
            await send(last)
        except OSError as exc:
            raise client_gone(scope, connection_state(scope), exc) from exc

    async def respond_text(
        self,
        content: str,
        *,
        status: HTTPStatus | int = HTTPStatus.OK,
        media_type: str = "text/plain",
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
        encoding: str = "utf-8",
        etag: str | None = None,
        weak_etag: bool = False,
        last_modified: datetime | float | None = None,
    ) -> None:
        """Respond with the given text (``content-type`` gets ``; charset=<encoding>``) and
        finish the response.

        ``etag``/``weak_etag``/``last_modified`` make the response conditional (see
        ``Response.respond_bytes``).
        """
        if encoding == "utf-8":  # str.encode() without an argument skips the codec lookup
            body = content.encode()
            content_type = utf8_content_type(media_type)
        else:
            body = content.encode(encoding)
            content_type = None
        if content_type is None:
            content_type = content_type_value(media_type, encoding)
        scope = self.scope
        start, last = complete_response(
            scope, status, body, content_type, headers, cookies, etag, weak_etag, last_modified
        )
        send = self.send  # `self.send(...)` is a method lookup, unspecialisable on an attribute
        try:
            await send(start)
            await send(last)
        except OSError as exc:
            raise client_gone(scope, connection_state(scope), exc) from exc

    async def respond_json(
        self,
        content: object,
        *,
        status: HTTPStatus | int = HTTPStatus.OK,
        media_type: str = "application/json",
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
        encoding: str = "utf-8",
        enc_hook: EncHook | None = None,
        etag: str | None = None,
        weak_etag: bool = False,
        last_modified: datetime | float | None = None,
    ) -> None:
        """Respond with the given content serialized as compact JSON (msgspec).

        UTF-8 JSON (the default) carries no ``charset``; another ``encoding`` re-encodes the
        text and names it in ``content-type``. ``enc_hook`` converts objects msgspec cannot
        encode natively (``TypeError`` otherwise, before anything is sent).

        ``etag``/``weak_etag``/``last_modified`` make the response conditional (see
        ``Response.respond_bytes``).
        """
        if enc_hook is None and media_type == "application/json" and encoding == "utf-8":
            try:
                body, content_type = JSON_ENCODE(content), _APPLICATION_JSON
            except RecursionError:
                # Too deep or cyclic: encode_json raises the documented ValueError for it.
                body, content_type = json_payload(content, media_type, encoding, None)
        else:
            body, content_type = json_payload(content, media_type, encoding, enc_hook)
        scope = self.scope
        start, last = complete_response(
            scope, status, body, content_type, headers, cookies, etag, weak_etag, last_modified
        )
        send = self.send  # `self.send(...)` is a method lookup, unspecialisable on an attribute
        try:
            await send(start)
            await send(last)
        except OSError as exc:
            raise client_gone(scope, connection_state(scope), exc) from exc

    async def respond_empty(
        self,
        status: HTTPStatus | int = HTTPStatus.NO_CONTENT,
        *,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
    ) -> None:
        """Send an empty response with the given status."""
        scope = self.scope
        start, last = complete_response(scope, status, b"", None, headers, cookies)
        send = self.send  # `self.send(...)` is a method lookup, unspecialisable on an attribute
        try:
            await send(start)
            await send(last)
        except OSError as exc:
            raise client_gone(scope, connection_state(scope), exc) from exc

    async def redirect(
        self,
        location: str,
        *,
        permanent: bool = False,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
    ) -> None:
        """Respond with a redirect: 308 if ``permanent`` else 307.

        ``location`` is percent-encoded where needed; control characters are rejected with
        ``InvalidHeaderError``. Check user-supplied targets with ``is_safe_redirect_url``.
        """
        extra = (b"location", encode_location(location))
        scope = self.scope
        start, last = complete_response(
            scope, 308 if permanent else 307, b"", None, headers, cookies, None, False, None, extra
        )
        send = self.send  # `self.send(...)` is a method lookup, unspecialisable on an attribute
        try:
            await send(start)
            await send(last)
        except OSError as exc:
            raise client_gone(scope, connection_state(scope), exc) from exc

    async def redirect_post_get(
        self,
        location: str,
        *,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
    ) -> None:
        """Respond with 303 See Other, so the client GETs ``location`` (post/redirect/get)."""
        extra = (b"location", encode_location(location))
        scope = self.scope
        start, last = complete_response(
            scope, 303, b"", None, headers, cookies, None, False, None, extra
        )
        send = self.send  # `self.send(...)` is a method lookup, unspecialisable on an attribute
        try:
            await send(start)
            await send(last)
        except OSError as exc:
            raise client_gone(scope, connection_state(scope), exc) from exc

    def response_writer(
        self,
        status: HTTPStatus | int = HTTPStatus.OK,
        *,
        media_type: str | None = None,
        content_length: int | None = None,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
        encoding: str = "utf-8",
    ) -> AbstractAsyncContextManager[Writer]:
        """Context manager for streaming data to the response; yields ``write``.

        Example::

            async with request.response_writer(media_type="application/x-ndjson") as write:
                for i in range(10):
                    await write(f'{{"number": {i}}}\\n')

        Raises:
            ClientDisconnectError: if the client disconnects while sending data.
        """
        return StreamWriter(
            self.scope,
            self.receive,
            self.send,
            status,
            media_type,
            content_length,
            headers,
            cookies,
            encoding,
        )

    async def respond_stream(
        self,
        stream: AsyncIterable[bytes | str],
        *,
        status: HTTPStatus | int = HTTPStatus.OK,
        media_type: str | None = None,
        content_length: int | None = None,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
        encoding: str = "utf-8",
    ) -> None:
        """Respond with the given stream of data.

        Raises:
            ClientDisconnectError: if the client disconnects while sending data.
        """
        await respond_stream(
            self.scope,
            self.receive,
            self.send,
            stream,
            status=status,
            media_type=media_type,
            content_length=content_length,
            headers=headers,
            cookies=cookies,
            encoding=encoding,
        )

    async def respond_sse(
        self,
        events: AsyncIterable[ServerSentEvent | str],
        *,
        status: HTTPStatus | int = HTTPStatus.OK,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
    ) -> None:
        """Stream server-sent events (``text/event-stream``).

        Raises:
            ClientDisconnectError: if the client disconnects while sending data.
        """
        await respond_sse(
            self.scope,
            self.receive,
            self.send,
            events,
            status=status,
            headers=headers,
            cookies=cookies,
        )

    async def respond_file(
        self,
        path: str | PathLike[str],
        *,
        status: HTTPStatus | int = HTTPStatus.OK,
        media_type: str | None = None,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
        filename: str | None = None,
    ) -> None:
        """Respond with a file, honouring ``Range`` and conditional request headers.

        Raises:
            FileNotFoundError: if the file does not exist or the path contains NUL (before
                anything is sent).
        """
        await respond_file(
            self.scope,
            self.receive,
            self.send,
            path,
            status=status,
            media_type=media_type,
            headers=headers,
            cookies=cookies,
            filename=filename,
        )

    # Negotiation: what the client accepts (Accept, Accept-Language, Accept-Encoding, TE).

    _accept: tuple[MediaRange, ...] | None = None

    def _accept_ranges(self) -> tuple[MediaRange, ...]:
        """The usable media ranges of every ``Accept`` header, parsed once."""
        ranges = self._accept
        if ranges is None:
            ranges = self._accept = parse_accept(self.headers.get("accept") or ())
        return ranges

    def accepts(self, media_type: str) -> bool:
        """Whether the client accepts ``media_type`` (e.g. ``"application/json"``).

        Follows ``Accept``: q-values (``q=0`` excludes), the most specific matching range
        decides, ``*/*`` and ``type/*`` wildcards, parameters. Malformed entries are ignored;
        no ``Accept`` header (or none usable) accepts everything.
        """
        return accepts(self._accept_ranges(), media_type)

    def best_match(self, offers: Sequence[OfferT]) -> OfferT | None:
        """The offer the client prefers, or ``None`` if it accepts none of them.

        Highest quality first, then the most specific match, then the order of ``offers``
        (put the server's preference first). ``best_match(("application/json", "text/html"))``
        is typed ``Literal["application/json", "text/html"] | None``.
        """
        return best_match(self._accept_ranges(), offers)

    def best_language(self, offers: Sequence[OfferT]) -> OfferT | None:
        """The language tag among ``offers`` (``"en-GB"``, ``"fr"``...) that ``Accept-Language``
        prefers, or ``None``; without the header, the first offer.

        A range matches a tag and its subtags (``en`` matches ``en-GB``), the longest matching
        range decides, ``q=0`` excludes; ties go to the order of ``offers``.
        """
        return best_language(self.headers.get("accept-language") or (), offers)

    def best_encoding(self, offers: Sequence[OfferT]) -> OfferT | None:
        """The content coding among ``offers`` (``"br"``, ``"gzip"``, ``"identity"``) that
        ``Accept-Encoding`` prefers, or ``None``.

        Without the header any coding is acceptable (the first offer wins). ``identity`` stays
        acceptable unless ``identity;q=0`` or ``*;q=0`` excludes it, but ranks below every
        coding the client listed.
        """
        return best_encoding(self.headers.get("accept-encoding"), offers)

    @property
    def accepts_trailers(self) -> bool:
        """Whether the client sent ``TE: trailers`` (any case, in a list, with ``q`` above 0).

        Some servers (hypercorn) forward response trailers only to such clients.
        """
        return accepts_trailers(self.headers.get("te") or ())
