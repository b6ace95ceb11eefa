"""``Response[S]``: the HTTP response of one connection, with its state tracked statically.

The phantom parameter ``S`` is ``Unstarted``, ``Started`` or ``Finished``. Methods valid in one
state are typed on ``self: Response[<state>]`` and transitions return the same object re-typed,
so typed code rebinds (``started = await response.start()``) and the checkers reject ``write()``
before ``start()``, a second ``start()`` or ``write()`` after the end. Python cannot stop a
stale reference statically, so every check also exists at runtime, against the state shared by
every view of the scope (``connection_state``): ``await response.start()`` followed by
``await response.write(...)`` on the same object, as code written for asgikit 0.18 does, keeps
working.

Header policy, shared by every method that starts a response:

- ``headers`` are validated (``InvalidHeaderError`` for CR, LF, NUL, other controls, non-latin-1)
  and never modified. A header in ``headers`` replaces the one of the same name asgikit would
  set (``content-type``, or ``etag`` for files); ``content-length`` is owned by asgikit and
  passing it in ``headers`` raises ``ValueError`` (use ``content_length=``).
- ``content-type`` gets ``; charset=<encoding>`` for ``text/*``, ``application/javascript``,
  ``application/xml`` and ``application/xhtml+xml`` unless a charset is already given; never for
  ``application/json`` (RFC 8259 has no charset parameter) nor for ``respond_bytes``.
- Status must be 200-599: an informational (1xx) status cannot be a final response (use
  ``send_early_hints()`` for 103). 204 and 304 responses never carry ``content-length`` or
  body bytes (any given body is dropped). Responses to ``HEAD`` carry the ``content-length`` a
  ``GET`` would get, and no body bytes.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Generator,
    Iterable,
)
from contextlib import AbstractAsyncContextManager
from http import HTTPStatus
from os import PathLike
from time import monotonic
from types import TracebackType
from typing import Final, Generic, Literal, cast, final, overload

from typing_extensions import TypeVar

from ._connection import (
    RESPONSE_ENDED,
    RESPONSE_NOT_STARTED,
    RESPONSE_STARTED,
    STATE_KEY,
    ConnectionState,
    connection_state,
    store_state,
    stored_state,
)
from ._cookies import Cookies
from ._exceptions import (
    ClientDisconnectError,
    ResponseAlreadyEndedError,
    ResponseAlreadyStartedError,
    ResponseNotStartedError,
    WebSocketResponseNotSupportedError,
    WebSocketStateError,
)
from ._files import (
    CHUNK_SIZE,
    OpenedFile,
    content_disposition,
    guess_media_type,
    open_file,
    plan_file_response,
)
from ._header_encoding import HeaderInput, encode_header_value, encode_headers
from ._json import EncHook
from ._redirects import encode_location, is_safe_redirect_url
from ._response_headers import (
    CONTENT_LENGTH,
    CONTENT_TYPE,
    LENGTHS,
    SSE_HEADERS,
    STATUS_CODES,
    UTF8_CONTENT_TYPES,
    add_headers,
    body_bytes,
    content_type_value,
    json_payload,
    length_value,
)
from ._scope import extensions, spec_version
from ._sse import ServerSentEvent, format_sse_event
from .asgi import HTTPScope, Receive, Send, WebSocketScope

__all__ = [
    "Finished",
    "Response",
    "Started",
    "Unstarted",
    "encode_location",
    "is_safe_redirect_url",
]


@final
class Unstarted:
    """Phantom state of a ``Response`` that has sent nothing yet: ``start()`` and the
    ``respond_*`` helpers are available."""

    __slots__ = ()


@final
class Started:
    """Phantom state of a ``Response`` whose status and headers are sent: ``write()`` and
    ``end()`` are available."""

    __slots__ = ()


@final
class Finished:
    """Phantom state of a ``Response`` that has ended: nothing more can be sent."""

    __slots__ = ()


S = TypeVar("S", Unstarted, Started, Finished, default=Unstarted)

Writer = Callable[[bytes | str], Awaitable[None]]
"""What ``response_writer()`` yields: ``await write(chunk)`` sends one chunk of the body."""

WATCH_AFTER = 0.05
"""Seconds a response must have been streaming (on servers older than ASGI spec 2.4) before
the disconnect watcher task starts: short bursts never pay for a task."""

_LISTENER_KEY: Final = "asgikit.disconnect_listener"
_NEVER: Final = math.inf
_WEBSOCKET_DENIAL: Final = "websocket.http.response"
_TRAILERS: Final = "http.response.trailers"
_ACCEPTED: Final = 3
_CLOSED: Final = 4

def _store(scope: HTTPScope | WebSocketScope) -> dict[str, object]:
    """The scope as the mutable dict it is, for asgikit's private per-connection keys."""
    return cast("dict[str, object]", cast(object, scope))


def _stop_listener(scope: HTTPScope | WebSocketScope) -> None:
    if _LISTENER_KEY in scope:
        cast("asyncio.Task[None]", _store(scope).pop(_LISTENER_KEY)).cancel()


async def _watch_disconnect(receive: Receive, state: ConnectionState) -> None:
    """Wait for ``http.disconnect`` while a response streams (servers older than spec 2.4
    do not fail ``send`` after a disconnect), discarding the rest of the request body."""
    try:
        while True:
            event = await receive()
            if event["type"] == "http.disconnect":
                state.disconnected = True
                return
            if event["type"] != "http.request":
                return
            if not event.get("more_body", False):
                state.body_complete = True
    except Exception:  # a failing receive() must not surface as "exception never retrieved"
        return


def _advance_watch(
    scope: HTTPScope | WebSocketScope,
    receive: Receive,
    state: ConnectionState,
    watch_at: float,
    *,
    dropped: bool = False,
) -> float:
    """Slow path of streamed writes: decide about the disconnect watcher; returns the new
    ``watch_at`` (0.0 undecided, ``_NEVER`` decided, else the deadline).

    The first streamed chunk sets a deadline ``WATCH_AFTER`` seconds ahead (or rules the
    watcher out: spec >= 2.4, websockets, no asyncio loop); the first chunk after the
    deadline starts it. From then on a write after ``http.disconnect`` raises. ``dropped``
    chunks (HEAD, 204, 304) never reach ``send``, so they need the watcher on every spec.
    """
    if watch_at == 0.0:
        if (
            scope["type"] != "http"
            or (not dropped and spec_version(scope) >= (2, 4))
            or _LISTENER_KEY in scope
        ):
            return _NEVER
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # not asyncio (e.g. trio): no watcher
            return _NEVER
        watch_at = monotonic() + WATCH_AFTER
    if monotonic() < watch_at:
        return watch_at
    if state.reading:  # full duplex: a body reader owns receive() for now; try again later
        return monotonic() + WATCH_AFTER
    if _LISTENER_KEY in scope:
        return _NEVER
    if not state.body_complete:
        state.body_streamed = True  # the watcher discards what is left of the body
    watcher = asyncio.get_running_loop().create_task(_watch_disconnect(receive, state))
    _store(scope)[_LISTENER_KEY] = watcher
    return _NEVER


async def _close_iterator(iterator: AsyncIterator[object]) -> None:
    aclose = getattr(iterator, "aclose", None)
    if aclose is not None:
        await cast("Callable[[], Awaitable[object]]", aclose)()


@final
class Response(Generic[S]):
    """Response object used to interact with the client.

    A cheap view over ``(scope, receive, send)``: two ``Response`` objects on one scope share
    the started/ended state. Works for HTTP scopes and, as a websocket denial response, for
    websocket scopes whose server supports ``websocket.http.response`` (before ``accept()``).

    Client disconnects while streaming raise ``ClientDisconnectError`` from the next write:
    on servers implementing spec >= 2.4 because ``send`` fails with ``OSError``; on older ones
    (uvicorn, granian, hypercorn, daphne) a background asyncio task waits for
    ``http.disconnect``. It starts at the first chunk streamed once the response has been
    streaming for ``WATCH_AFTER`` (50 ms), so short bursts never pay for it, and is cancelled
    when the response ends. It waits while a ``Body`` reader is active (full-duplex echo works),
    then consumes and discards whatever body is left unread, so a later read raises
    ``RequestAlreadyConsumedError``. ``HEAD``/204/304 streams, whose chunks never reach ``send``,
    use the task on every spec. Under trio (no asyncio loop) there is no such task.
    """

    __slots__ = ("_head", "_receive", "_scope", "_send", "_state", "_watch_at", "_websocket")

    def __init__(self, scope: HTTPScope | WebSocketScope, receive: Receive, send: Send) -> None:
        """Wrap an ``http`` or ``websocket`` scope; nothing is sent or read."""
        self._scope = scope
        self._receive = receive
        self._send = send
        self._state = connection_state(scope)
        if scope["type"] == "http":
            self._websocket = False
            self._head = scope["method"] == "HEAD"
        else:
            self._websocket = True
            self._head = False
        self._watch_at = 0.0  # see _watch()

    @property
    def is_started(self) -> bool:
        """Whether the response has started (status and headers sent), including ended ones."""
        return self._state.response != RESPONSE_NOT_STARTED

    @property
    def is_finished(self) -> bool:
        """Whether the response has ended."""
        return self._state.response == RESPONSE_ENDED

    @property
    def status(self) -> int | None:
        """The status sent by ``start()`` or a ``respond_*`` method; ``None`` before that."""
        return self._state.response_status

    # state checks

    def _check_start(self, status: HTTPStatus | int) -> int:
        """Everything ``start`` must verify before sending; returns the status as a plain int."""
        return _start_checks(self._scope, self._state, status)

    def _check_writable(self) -> None:
        state = self._state
        if state.response != RESPONSE_STARTED:
            if state.response == RESPONSE_NOT_STARTED:
                raise ResponseNotStartedError(
                    "the response is not started; call start() before write()"
                )
            raise ResponseAlreadyEndedError(
                "the response has already ended; nothing more can be written"
            )
        if state.disconnected:
            raise ClientDisconnectError("the client disconnected; stop writing the response")

    def _gone(self, exc: OSError) -> ClientDisconnectError:
        return _client_gone(self._scope, self._state, exc)

    # sending

    async def _send_start(
        self, status: int, raw: list[tuple[bytes, bytes]], *, trailers: bool = False
    ) -> None:
        state = self._state
        state.response = RESPONSE_STARTED
        state.response_status = status
        try:
            if self._websocket:
                state.websocket = _CLOSED
                await self._send(
                    {"type": "websocket.http.response.start", "status": status, "headers": raw}
                )
            elif trailers:
                await self._send(
                    {"type": "http.response.start", "status": status, "headers": raw, "trailers": True}
                )
            else:
                await self._send({"type": "http.response.start", "status": status, "headers": raw})
        except OSError as exc:
            raise self._gone(exc) from exc

    async def _send_last(self) -> None:
        """The empty last chunk that ends a streamed body."""
        try:
            if self._websocket:
                await self._send({"type": "websocket.http.response.body", "body": b""})
            else:
                await self._send({"type": "http.response.body", "body": b""})
        except OSError as exc:
            raise self._gone(exc) from exc

    async def _respond(
        self,
        status: HTTPStatus | int,
        body: bytes,
        content_type: bytes | None,
        headers: HeaderInput | None,
        cookies: Cookies | None,
        extra: tuple[bytes, bytes] | None = None,
    ) -> None:
        await respond_complete(
            self._scope, self._send, status, body, content_type, headers, cookies, extra
        )

    def _watch(self, *, dropped: bool = False) -> None:
        """Slow path of streamed writes: decide about the disconnect watcher (see
        ``_advance_watch``)."""
        self._watch_at = _advance_watch(
            self._scope, self._receive, self._state, self._watch_at, dropped=dropped
        )

    def _abort(self) -> None:
        """A streamed body failed: stop watching, send nothing more. The response stays
        unfinished, so the server aborts the connection and the client sees the truncation."""
        _stop_listener(self._scope)

    def _body_dropped(self) -> bool:
        """Whether body chunks of this (started) response are dropped: HEAD, 204 and 304."""
        status = self._state.response_status
        return self._head or status == 204 or status == 304

    def _started(self: Response[Unstarted]) -> Response[Started]:
        return cast("Response[Started]", self)

    # the typestate API

    async def start(
        self: Response[Unstarted],
        status: HTTPStatus | int = 200,
        *,
        media_type: str | None = None,
        content_length: int | None = None,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
        encoding: str = "utf-8",
        trailers: bool = False,
    ) -> Response[Started]:
        """Start the response: send the status and headers, and return this object typed as
        started. Must be called before ``write()`` or ``end()``.

        ``media_type`` becomes ``content-type`` (with ``; charset=<encoding>`` for text types);
        ``content_length`` becomes ``content-length`` (omitted for 204 and 304). Without it the
        server frames the body itself (chunked encoding on HTTP/1.1).

        ``trailers=True`` announces trailers (sent with ``send_trailers()`` after ``end()``)
        when the server offers the ``http.response.trailers`` extension; elsewhere the flag is
        ignored and ``send_trailers()`` does nothing, as HTTP allows trailers to be dropped.

        Raises:
            ResponseAlreadyStartedError: if the response is already started.
            ResponseAlreadyEndedError: if the response is finished.
            WebSocketResponseNotSupportedError: for a websocket denial response on a server
                that does not support it (raised before anything is sent).
            WebSocketStateError: for a websocket scope already accepted or closed.
            InvalidHeaderError: if a header or the media type is unsafe.
            ClientDisconnectError: if the client is gone (``send`` failed with ``OSError``).
        """
        state = self._state
        code = STATUS_CODES.get(status)  # plain int for int and HTTPStatus alike
        if code is None or state.response or self._websocket:
            code = self._check_start(status)
        status = code
        raw: list[tuple[bytes, bytes]] = []
        if media_type is not None:
            raw.append((CONTENT_TYPE, content_type_value(media_type, encoding)))
        if content_length is not None and status != 204 and status != 304:
            if type(content_length) is not int or content_length < 0:
                raise ValueError(
                    f"content_length must be a non-negative int, not {content_length!r}"
                )
            raw.append((CONTENT_LENGTH, length_value(content_length)))
        if headers or cookies:
            raw = add_headers(raw, headers, cookies)
        if trailers and not self._websocket and _TRAILERS in extensions(self._scope):
            state.trailers = True
        await self._send_start(status, raw, trailers=state.trailers)
        return cast("Response[Started]", self)

    @overload
    async def write(
        self: Response[Started], body: bytes, *, more_body: Literal[False] = False
    ) -> Response[Finished]: ...
    @overload
    async def write(
        self: Response[Started], body: bytes, *, more_body: Literal[True]
    ) -> Response[Started]: ...
    @overload
    async def write(
        self: Response[Started], body: bytes, *, more_body: bool
    ) -> Response[Started] | Response[Finished]: ...
    async def write(
        self: Response[Started], body: bytes, *, more_body: bool = False
    ) -> Response[Started] | Response[Finished]:
        """Write a chunk of the body and return this object typed by its new state.

        As in asgikit 0.18, ``more_body`` defaults to ``False``: the chunk is the last one
        and the response ends (typed ``Response[Finished]``). Stream with ``more_body=True``
        (typed ``Response[Started]``) and finish with ``end()``. Chunks of a ``HEAD``, 204 or 304
        response are not sent.

        Raises:
            ResponseNotStartedError: if the response is not started.
            ResponseAlreadyEndedError: if the response has ended.
            ClientDisconnectError: if the client disconnected.
        """
        state = self._state
        if state.response != RESPONSE_STARTED or state.disconnected:
            self._check_writable()
        if type(body) is not bytes:
            raise TypeError(f"write() takes bytes, not {type(body).__name__}; encode text first")
        discard = self._head or state.response_status == 204 or state.response_status == 304
        if more_body:
            watch_at = self._watch_at
            if watch_at != _NEVER and (watch_at == 0.0 or monotonic() >= watch_at):
                self._watch(dropped=discard)
            if discard:
                return self
        else:
            state.response = RESPONSE_ENDED
            _stop_listener(self._scope)
            if discard:
                body = b""
        send = self._send
        try:
            if self._websocket:
                if more_body:
                    await send(
                        {"type": "websocket.http.response.body", "body": body, "more_body": True}
                    )
                else:
                    await send({"type": "websocket.http.response.body", "body": body})
            elif more_body:
                await send({"type": "http.response.body", "body": body, "more_body": True})
            else:
                await send({"type": "http.response.body", "body": body})
        except OSError as exc:
            raise self._gone(exc) from exc
        return self if more_body else cast("Response[Finished]", self)

    async def end(self: Response[Started]) -> Response[Finished]:
        """Finish the response (an empty last chunk) and return this object typed as finished.

        Does nothing if the response already ended, and sends nothing if the client is known
        to have disconnected.

        Raises:
            ResponseNotStartedError: if the response is not started.
            ClientDisconnectError: if ``send`` fails because the client is gone.
        """
        state = self._state
        if state.response == RESPONSE_STARTED:
            state.response = RESPONSE_ENDED
            _stop_listener(self._scope)
            if not state.disconnected:
                await self._send_last()
        elif state.response == RESPONSE_NOT_STARTED:
            raise ResponseNotStartedError("the response is not started; call start() before end()")
        return cast("Response[Finished]", self)

    # one-shot helpers

    async def respond_bytes(
        self: Response[Unstarted],
        content: bytes,
        *,
        status: HTTPStatus | int = 200,
        media_type: str | None = None,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
    ) -> None:
        """Respond with ``content`` and finish the response.

        ``media_type`` is sent as given (no charset is added to raw bytes); without it there is
        no ``content-type``.
        """
        await self._respond(
            status,
            body_bytes(content),
            None if media_type is None else content_type_value(media_type, None),
            headers,
            cookies,
        )

    async def respond_text(
        self: Response[Unstarted],
        content: str,
        *,
        status: HTTPStatus | int = 200,
        media_type: str = "text/plain",
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
        encoding: str = "utf-8",
    ) -> None:
        """Respond with ``content`` encoded with ``encoding`` and finish the response."""
        content_type = UTF8_CONTENT_TYPES.get(media_type) if encoding == "utf-8" else None
        if content_type is None:
            content_type = content_type_value(media_type, encoding)
        await self._respond(status, content.encode(encoding), content_type, headers, cookies)

    async def respond_json(
        self: Response[Unstarted],
        content: object,
        *,
        status: HTTPStatus | int = 200,
        media_type: str = "application/json",
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
        encoding: str = "utf-8",
        enc_hook: EncHook | None = None,
    ) -> None:
        """Respond with ``content`` serialised as compact JSON (msgspec) and finish.

        ``enc_hook`` converts objects msgspec cannot encode; without it such objects raise
        ``TypeError`` before anything is sent. JSON is UTF-8 by default (RFC 8259) and then
        carries no ``charset``; another ``encoding`` re-encodes the text and names it in
        ``content-type``.
        """
        body, content_type = json_payload(content, media_type, encoding, enc_hook)
        await self._respond(status, body, content_type, headers, cookies)

    async def respond_empty(
        self: Response[Unstarted],
        status: HTTPStatus | int = 204,
        *,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
    ) -> None:
        """Send a response without a body (``content-length: 0``, none for 204 and 304)."""
        await self._respond(status, b"", None, headers, cookies)

    async def redirect(
        self: Response[Unstarted],
        location: str,
        *,
        permanent: bool = False,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
    ) -> None:
        """Respond with a redirect: 308 if ``permanent`` else 307 (method and body are kept).

        ``location`` is encoded by ``encode_location`` (control characters raise
        ``InvalidHeaderError``). It is not checked for open redirects: validate user-supplied
        targets with ``is_safe_redirect_url`` first.
        """
        status = 308 if permanent else 307
        await self._respond(
            status, b"", None, headers, cookies, (b"location", encode_location(location))
        )

    async def redirect_post_get(
        self: Response[Unstarted],
        location: str,
        *,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
    ) -> None:
        """Respond with 303 See Other, sending the client to ``location`` with a GET
        (post/redirect/get). ``location`` is encoded as in ``redirect``."""
        await self._respond(
            303, b"", None, headers, cookies, (b"location", encode_location(location))
        )

    async def send_trailers(self: Response[Finished], headers: HeaderInput) -> None:
        """Send trailer headers after the body, when ``start(trailers=True)`` announced them
        and the server offers ``http.response.trailers``; otherwise do nothing.

        Raises:
            ResponseNotStartedError: if the response is not started.
            ResponseAlreadyStartedError: if the body has not ended yet (call ``end()`` first).
            InvalidHeaderError: if a header is unsafe.
            ClientDisconnectError: if ``send`` fails because the client is gone.
        """
        state = self._state
        if state.response == RESPONSE_NOT_STARTED:
            raise ResponseNotStartedError("the response is not started; trailers come after the body")
        if state.response == RESPONSE_STARTED:
            raise ResponseAlreadyStartedError(
                "the body is still open; call end() before send_trailers()"
            )
        encoded = encode_headers(headers)
        if not state.trailers or state.disconnected:
            return
        state.trailers = False
        try:
            await self._send({"type": "http.response.trailers", "headers": encoded})
        except OSError as exc:
            raise self._gone(exc) from exc

    async def send_early_hints(self: Response[Unstarted], links: Iterable[str]) -> None:
        """Send ``103 Early Hints`` with these ``Link`` header values, when the server supports
        the ``http.response.early_hint`` extension; otherwise (and for websockets) do nothing.

        Raises ``ResponseAlreadyStartedError``/``ResponseAlreadyEndedError`` after ``start()``
        and ``InvalidHeaderError`` for unsafe values.
        """
        if self._state.response != RESPONSE_NOT_STARTED:
            self._check_start(HTTPStatus.OK)
        if isinstance(links, str):  # one link, not an iterable of its characters
            links = (links,)
        encoded = [encode_header_value(link, name="link") for link in links]
        if (
            self._websocket
            or not encoded
            or "http.response.early_hint" not in extensions(self._scope)
        ):
            return
        try:
            await self._send({"type": "http.response.early_hint", "links": encoded})
        except OSError as exc:
            raise self._gone(exc) from exc

    # streaming helpers

    def response_writer(
        self: Response[Unstarted],
        status: HTTPStatus | int = 200,
        *,
        media_type: str | None = None,
        content_length: int | None = None,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
        encoding: str = "utf-8",
    ) -> AbstractAsyncContextManager[Writer]:
        """Context manager for streaming the body: entering it starts the response and gives
        ``write``.

        ``await write(chunk)`` sends ``bytes`` as they are and ``str`` encoded with
        ``encoding``; empty chunks are skipped. Leaving the block normally ends the response.
        If the block raises, the exception propagates and the response is left unfinished (no
        last chunk is sent), so the server aborts the connection and the client can tell the
        body is truncated.

        Example::

            async with response.response_writer(media_type="application/x-ndjson") as write:
                for i in range(10):
                    await write(json.dumps({"number": i}) + "\\n")

        Raises:
            ClientDisconnectError: from ``write`` if the client disconnects.
        """

        return StreamWriter(
            self._scope,
            self._receive,
            self._send,
            status,
            media_type,
            content_length,
            headers,
            cookies,
            encoding,
        )

    async def respond_stream(
        self: Response[Unstarted],
        stream: AsyncIterable[bytes | str],
        *,
        status: HTTPStatus | int = 200,
        media_type: str | None = None,
        content_length: int | None = None,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
        encoding: str = "utf-8",
    ) -> None:
        """Respond with the chunks of ``stream`` (``str`` chunks encoded with ``encoding``).

        The iterator is closed (``aclose()``) however the loop ends. If it raises, the
        exception propagates and the response is left unfinished, as in ``response_writer``.
        A response without a body (``HEAD``, 204, 304) is ended without reading the stream.

        Raises:
            ClientDisconnectError: if the client disconnects while sending data.
        """
        iterator = aiter(stream)
        try:
            async with self.response_writer(
                status,
                media_type=media_type,
                content_length=content_length,
                headers=headers,
                cookies=cookies,
                encoding=encoding,
            ) as write:
                if self._body_dropped():
                    return
                async for chunk in iterator:
                    await write(chunk)
        finally:
            await _close_iterator(iterator)

    async def respond_sse(
        self: Response[Unstarted],
        events: AsyncIterable[ServerSentEvent | str],
        *,
        status: HTTPStatus | int = 200,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
    ) -> None:
        """Stream server-sent events: each ``str`` is sent as a ``data``-only event.

        Sends ``content-type: text/event-stream; charset=utf-8``, ``cache-control: no-cache``
        and ``x-accel-buffering: no`` (stops nginx buffering); ``headers`` may replace them.
        An invalid event (see ``format_sse_event``) raises ``ValueError`` and aborts the stream.

        Raises:
            ClientDisconnectError: if the client disconnects while sending data.
        """
        code = self._check_start(status)
        await self._send_start(code, add_headers(list(SSE_HEADERS), headers, cookies))
        iterator = aiter(events)
        try:
            if self._body_dropped():  # HEAD, 204, 304: nothing would reach the client
                await self._started().end()
                return
            async for event in iterator:
                data = format_sse_event(event) if isinstance(event, str) else event.encode()
                await self._started().write(data, more_body=True)
        except BaseException:
            self._abort()
            raise
        finally:
            await _close_iterator(iterator)
        await self._started().end()

    # files

    async def respond_file(
        self: Response[Unstarted],
        path: str | PathLike[str],
        *,
        status: HTTPStatus | int = 200,
        media_type: str | None = None,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
        filename: str | None = None,
    ) -> None:
        """Respond with the contents of the file at ``path``.

        ``media_type`` defaults to a guess from the file name (``application/octet-stream``
        when unknown; text types get ``charset=utf-8``). ``filename`` adds
        ``Content-Disposition: attachment`` with an RFC 6266 ``filename*``.

        Sends a strong ``etag`` (from size and mtime), ``last-modified`` and
        ``accept-ranges: bytes``. For a 200 answer to GET or HEAD, a matching ``If-None-Match``
        (or, without it, a satisfied ``If-Modified-Since``) gives 304. For GET, ``Range`` gives
        206 (``multipart/byteranges`` for several ranges; overlapping ones merged; more than
        100 ranges, a malformed header or a failed ``If-Range`` give the whole file) or 416
        when no range is satisfiable. ``HEAD`` gets headers only.

        The bytes come from the file descriptor opened (and checked) here, never from the path
        again: with ``http.response.zerocopysend`` when the server offers it, otherwise in
        64 KiB chunks read in a worker thread. ``http.response.pathsend`` is not used: the
        server would reopen the path later, and a symlink swapped in between would serve
        another file.

        Raises:
            FileNotFoundError: if the file does not exist or the path contains NUL;
                ``IsADirectoryError`` or another ``OSError`` if it cannot be opened as a
                regular file. Raised before anything is sent, so the caller can still answer 404.
        """
        self._check_start(status)
        if status == 204 or status == 304:
            raise ValueError(
                f"respond_file cannot answer {int(status)}: that status has no body; "
                "use respond_empty()"
            )
        opened = await open_file(path)
        try:
            code = self._check_start(
                status
            )  # re-checked: another task may have responded meanwhile
            type_header = content_type_value(
                media_type if media_type is not None else guess_media_type(path), "utf-8"
            )
            disposition = None
            if filename is not None:
                disposition = encode_header_value(
                    content_disposition(filename), name="content-disposition"
                )
            plan = plan_file_response(
                opened,
                method="" if self._websocket else cast("HTTPScope", self._scope)["method"],
                request_headers=self._scope["headers"],
                status=code,
                content_type=type_header,
                disposition=disposition,
            )
            raw = plan.headers
            if plan.status != 304:
                raw.append((CONTENT_LENGTH, length_value(plan.content_length)))
            await self._send_start(plan.status, add_headers(raw, headers, cookies))
            if self._head or not plan.segments:
                await self._started().end()
                return
            await self._send_file_segments(opened, plan.segments)
        except BaseException:
            self._abort()
            raise
        finally:
            opened.close()

    async def _send_file_segments(
        self: Response[Unstarted], opened: OpenedFile, segments: list[bytes | tuple[int, int]]
    ) -> None:
        zerocopy = not self._websocket and "http.response.zerocopysend" in extensions(self._scope)
        pending = b""  # held back so the last chunk can carry more_body=False
        for segment in segments:
            if isinstance(segment, bytes):
                if pending:
                    await self._started().write(pending, more_body=True)
                pending = segment
                continue
            start, stop = segment
            if zerocopy:
                if pending:
                    await self._started().write(pending, more_body=True)
                    pending = b""
                self._check_writable()
                if self._watch_at != _NEVER:
                    self._watch()
                try:
                    await self._send(
                        {
                            "type": "http.response.zerocopysend",
                            "file": opened,
                            "offset": start,
                            "count": stop - start,
                            "more_body": True,
                        }
                    )
                except OSError as exc:
                    raise self._gone(exc) from exc
                continue
            while start < stop:
                chunk = await opened.read(start, min(CHUNK_SIZE, stop - start))
                if not chunk:
                    raise OSError(f"{opened.path} shrank while it was being sent")
                start += len(chunk)
                if pending:
                    await self._started().write(pending, more_body=True)
                pending = chunk
        await self._started().write(pending)


@final
class _Done:
    """An awaitable that is already complete (for a skipped empty chunk)."""

    __slots__ = ()

    def __await__(self) -> Generator[None, None, None]:
        yield from ()


_DONE: Final = _Done()


@final
class StreamWriter:
    """What ``response_writer()`` returns: an async context manager whose entry starts the
    response and gives ``write``, and whose normal exit ends it.

    A class of its own rather than an ``@asynccontextmanager`` generator or closures over a
    ``Response``: no generator can fail to stop, and one object per stream is all it costs.
    The checks are those of ``Response.start``/``write``/``end``; uncommon cases (websocket
    denial bodies, HEAD, 204/304, a response ended inside the block) go through ``Response``.
    """

    __slots__ = (
        "_content_length",
        "_cookies",
        "_encoding",
        "_fast",
        "_headers",
        "_media_type",
        "_receive",
        "_response",
        "_scope",
        "_send",
        "_send_may_fail",
        "_state",
        "_status",
        "_watch_at",
    )

    def __init__(
        self,
        scope: HTTPScope | WebSocketScope,
        receive: Receive,
        send: Send,
        status: HTTPStatus | int,
        media_type: str | None,
        content_length: int | None,
        headers: HeaderInput | None,
        cookies: Cookies | None,
        encoding: str,
    ) -> None:
        """Remember how to start the response; nothing is sent until ``async with``."""
        self._scope = scope
        self._receive = receive
        self._send = send
        self._status = status
        self._media_type = media_type
        self._content_length = content_length
        self._headers = headers
        self._cookies = cookies
        self._encoding = encoding
        self._state = connection_state(scope)
        self._response: Response[Started] | None = None
        self._fast = False
        self._send_may_fail = False
        self._watch_at = 0.0

    async def __aenter__(self) -> Writer:
        scope = self._scope
        state = self._state
        status = self._status
        code = STATUS_CODES.get(status)
        if code is None or state.response or scope["type"] != "http":
            code = _start_checks(scope, state, status)
        raw: list[tuple[bytes, bytes]] = []
        if self._media_type is not None:
            raw.append((CONTENT_TYPE, content_type_value(self._media_type, self._encoding)))
        length = self._content_length
        if length is not None and code != 204 and code != 304:
            if type(length) is not int or length < 0:
                raise ValueError(f"content_length must be a non-negative int, not {length!r}")
            raw.append((CONTENT_LENGTH, length_value(length)))
        if self._headers or self._cookies:
            raw = add_headers(raw, self._headers, self._cookies)
        state.response = RESPONSE_STARTED
        state.response_status = code
        try:
            if scope["type"] == "http":
                self._fast = scope["method"] != "HEAD" and code != 204 and code != 304
                if spec_version(scope) >= (2, 4):
                    self._send_may_fail = True
                    self._watch_at = _NEVER  # send reports disconnects itself
                await self._send({"type": "http.response.start", "status": code, "headers": raw})
            else:
                state.websocket = _CLOSED
                await self._send(
                    {"type": "websocket.http.response.start", "status": code, "headers": raw}
                )
        except OSError as exc:
            raise _client_gone(scope, state, exc) from exc
        return self.write

    def write(self, data: bytes | str) -> Awaitable[None]:
        """Send one chunk: ``bytes`` as they are, ``str`` encoded; empty chunks are skipped.

        A plain method returning what to await: on servers whose ``send`` cannot fail (ASGI spec
        < 2.4) the common case hands back ``send``'s own awaitable, one coroutine less per
        chunk. Errors known up front are raised by the call itself.

        Raises:
            ClientDisconnectError: if the client disconnected.
            ResponseAlreadyEndedError: if the response was ended inside the block.
        """
        if type(data) is bytes:
            chunk = data
        elif isinstance(data, str):
            chunk = data.encode(self._encoding)
        else:  # bytearray and the like: Response.write rejects them with a clear TypeError
            return self._general_write(data)
        if not chunk:
            return _DONE
        state = self._state
        if self._fast and state.response == RESPONSE_STARTED and not state.disconnected:
            watch_at = self._watch_at
            if watch_at != _NEVER and (watch_at == 0.0 or monotonic() >= watch_at):
                watch_at = self._watch_at = _advance_watch(
                    self._scope, self._receive, state, watch_at
                )
            if self._send_may_fail:
                return self._checked_send(state, chunk)
            return self._send({"type": "http.response.body", "body": chunk, "more_body": True})
        return self._general_write(chunk)

    async def _general_write(self, chunk: bytes) -> None:
        """Everything but the common case, with ``Response.write``'s checks and errors.

        One ``Response`` view serves the whole stream, so its disconnect-watch deadline
        carries over from chunk to chunk (HEAD/204/304 streams rely on it)."""
        response = self._response
        if response is None:
            response = self._response = cast(
                "Response[Started]", Response(self._scope, self._receive, self._send)
            )
        await response.write(chunk, more_body=True)

    async def _checked_send(self, state: ConnectionState, chunk: bytes) -> None:
        """Spec >= 2.4: ``send`` raises ``OSError`` once the client is gone."""
        try:
            await self._send({"type": "http.response.body", "body": chunk, "more_body": True})
        except OSError as exc:
            raise _client_gone(self._scope, state, exc) from exc

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        scope = self._scope
        if exc_type is not None:
            # The block failed: send nothing more. The response stays unfinished, so the
            # server aborts the connection and the client sees the truncation.
            _stop_listener(scope)
            return
        state = self._state
        if state.response != RESPONSE_STARTED:
            return
        state.response = RESPONSE_ENDED
        _stop_listener(scope)
        if state.disconnected:
            return
        try:
            if scope["type"] == "http":
                await self._send({"type": "http.response.body", "body": b""})
            else:
                await self._send({"type": "websocket.http.response.body", "body": b""})
        except OSError as exc:
            raise _client_gone(scope, state, exc) from exc


def _start_checks(
    scope: HTTPScope | WebSocketScope, state: ConnectionState, status: HTTPStatus | int
) -> int:
    """Everything ``start`` must verify before sending; returns the status as a plain int."""
    if state.response == RESPONSE_STARTED:
        raise ResponseAlreadyStartedError(
            "the response is already started; call start() or a respond_*() method only once"
        )
    if state.response == RESPONSE_ENDED:
        raise ResponseAlreadyEndedError(
            "the response has already ended; nothing more can be sent"
        )
    if not isinstance(cast(object, status), int) or isinstance(status, bool):
        raise TypeError(f"status must be an int or HTTPStatus, not {type(status).__name__}")
    code = int(status)
    if not 200 <= code <= 599:
        raise ValueError(
            f"invalid response status {code}: use 200-599 (an informational 1xx status cannot "
            "be a final response; use send_early_hints() for 103)"
        )
    if scope["type"] != "http":
        if _WEBSOCKET_DENIAL not in extensions(scope):
            raise WebSocketResponseNotSupportedError(
                "the ASGI server does not support websocket denial responses "
                "(no 'websocket.http.response' extension); close() the websocket instead"
            )
        if state.websocket == _ACCEPTED:
            raise WebSocketStateError(
                "the websocket is already accepted; a denial response must be sent before accept()"
            )
        if state.websocket == _CLOSED:
            raise WebSocketStateError(
                "the websocket is closed; a denial response can no longer be sent"
            )
    return code


async def respond_complete(
    scope: HTTPScope | WebSocketScope,
    send: Send,
    status: HTTPStatus | int,
    body: bytes,
    content_type: bytes | None,
    headers: HeaderInput | None,
    cookies: Cookies | None,
    extra: tuple[bytes, bytes] | None = None,
) -> None:
    """Send a complete response in exactly two events: the hot path of every ``respond_*``.

    A module function rather than a method so ``Request.respond_*`` reach it without building
    a ``Response`` first; the checks are those of ``Response.start``.
    """
    found = stored_state(scope, STATE_KEY)
    if headers is None and cookies is None and extra is None and scope["type"] == "http":
        # The common case, kept lean: a plain HTTP response on a connection where nothing has
        # been started (at most the body was read).
        code = STATUS_CODES.get(status)
        if (
            code is not None
            and code != 204
            and code != 304
            and (
                found is None
                or (type(found) is ConnectionState and found.response == RESPONSE_NOT_STARTED)
            )
        ):
            length = len(body)
            content_length = LENGTHS[length] if length < 1024 else b"%d" % length
            if content_type is None:
                raw = [(CONTENT_LENGTH, content_length)]
            else:
                raw = [(CONTENT_TYPE, content_type), (CONTENT_LENGTH, content_length)]
            if scope["method"] == "HEAD":
                body = b""
            if found is None:
                store_state(scope, STATE_KEY, code)
            else:
                found.response = RESPONSE_ENDED
                found.response_status = code
            try:
                await send({"type": "http.response.start", "status": code, "headers": raw})
                await send({"type": "http.response.body", "body": body})
            except OSError as exc:
                raise _client_gone(scope, connection_state(scope), exc) from exc
            return
    state = connection_state(scope)
    if scope["type"] == "http":
        websocket = False
        head = scope["method"] == "HEAD"
    else:
        websocket = True
        head = False
    code = STATUS_CODES.get(status)  # plain int for int and HTTPStatus alike
    if code is None or state.response or websocket:
        code = _start_checks(scope, state, status)
    if code == 204 or code == 304:
        raw = [] if content_type is None else [(CONTENT_TYPE, content_type)]
        body = b""
    else:
        length = len(body)
        content_length = LENGTHS[length] if length < 1024 else b"%d" % length
        if content_type is None:
            raw = [(CONTENT_LENGTH, content_length)]
        else:
            raw = [(CONTENT_TYPE, content_type), (CONTENT_LENGTH, content_length)]
        if head:
            body = b""
    if extra is not None:
        raw.append(extra)
    if headers or cookies:
        raw = add_headers(raw, headers, cookies)
    state.response = RESPONSE_STARTED
    state.response_status = code
    try:
        if websocket:
            state.websocket = _CLOSED
            await send({"type": "websocket.http.response.start", "status": code, "headers": raw})
            state.response = RESPONSE_ENDED
            await send({"type": "websocket.http.response.body", "body": body})
        else:
            await send({"type": "http.response.start", "status": code, "headers": raw})
            state.response = RESPONSE_ENDED
            await send({"type": "http.response.body", "body": body})
    except OSError as exc:
        raise _client_gone(scope, state, exc) from exc


def _client_gone(
    scope: HTTPScope | WebSocketScope, state: ConnectionState, exc: OSError
) -> ClientDisconnectError:
    state.disconnected = True
    _stop_listener(scope)
    return ClientDisconnectError(f"the client disconnected while the response was sent: {exc}")
