"""``Response[S]``: the HTTP response of one connection, with its state tracked statically.

The phantom parameter ``S`` is ``Unstarted``, ``Started`` or ``Finished``. Methods valid in one
state are typed on ``self: Response[<state>]`` and transitions return the same object re-typed,
so typed code rebinds (``started = await response.start()``) and the checkers reject ``write()``
before ``start()``, a second ``start()`` or ``write()`` after the end, each with one error that
names the broken rule (the wrong-state overloads of ``_typestate``). Python cannot stop a
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

from collections.abc import AsyncIterable, Iterable
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from http import HTTPStatus
from os import PathLike
from typing import Final, Generic, Literal, Never, cast, final, overload

from typing_extensions import TypeVar

from ._connection import RESPONSE_ENDED, RESPONSE_NOT_STARTED, RESPONSE_STARTED, connection_state
from ._cookies import Cookies
from ._disconnect import UNDECIDED
from ._file_sending import respond_file
from ._header_encoding import HeaderInput, encode_header_value, encode_headers
from ._json import EncHook
from ._lifecycle import check_move, check_start, client_gone, send_start
from ._oneshot import respond_complete
from ._redirects import encode_location, is_safe_redirect_url
from ._response_headers import (
    STATUS_CODES,
    body_bytes,
    content_type_value,
    json_payload,
    start_headers,
    utf8_content_type,
)
from ._scope import extensions
from ._sse import ServerSentEvent
from ._streaming import StreamWriter, Writer, finish_body, respond_sse, respond_stream, write_chunk
from ._typestate import typestate_implementation
from .asgi import HTTPScope, Receive, Send, WebSocketScope

__all__ = [
    "Finished",
    "Response",
    "Started",
    "Unstarted",
    "Writer",
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

_TRAILERS: Final = "http.response.trailers"


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

    __slots__ = ("_receive", "_scope", "_send", "_state", "_watch_at")

    def __init__(self, scope: HTTPScope | WebSocketScope, receive: Receive, send: Send) -> None:
        """Wrap an ``http`` or ``websocket`` scope; nothing is sent or read."""
        self._scope = scope
        self._receive = receive
        self._send = send
        self._state = connection_state(scope)
        self._watch_at = UNDECIDED  # the disconnect watch of write(more_body=True)

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

    # the typestate API

    @overload
    async def start(
        self: Response[Unstarted],
        status: HTTPStatus | int = HTTPStatus.OK,
        *,
        media_type: str | None = None,
        content_length: int | None = None,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
        encoding: str = "utf-8",
        trailers: bool = False,
    ) -> Response[Started]: ...
    @overload
    async def start(
        self: Response[Started], *args: object, _response_already_started: Never, **kwargs: object
    ) -> Response[Started]: ...
    @overload
    async def start(
        self: Response[Finished], *args: object, _response_already_ended: Never, **kwargs: object
    ) -> Response[Started]: ...
    @typestate_implementation
    async def start(
        self: Response[Unstarted],
        status: HTTPStatus | int = HTTPStatus.OK,
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
        scope = self._scope
        state = self._state
        code = STATUS_CODES.get(status)  # plain int for int and HTTPStatus alike
        if code is None or state.response or scope["type"] != "http":
            code = check_start(scope, state, status)
        raw = start_headers(code, media_type, content_length, headers, cookies, encoding)
        if trailers and scope["type"] == "http" and _TRAILERS in extensions(scope):
            state.trailers = True
        await send_start(scope, self._send, state, code, raw, trailers=state.trailers)
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
    @overload
    async def write(
        self: Response[Unstarted], *args: object, _response_not_started: Never, **kwargs: object
    ) -> Response[Started] | Response[Finished]: ...
    @overload
    async def write(
        self: Response[Finished], *args: object, _response_already_ended: Never, **kwargs: object
    ) -> Response[Started] | Response[Finished]: ...
    @typestate_implementation
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
        self._watch_at = await write_chunk(
            self._scope, self._receive, self._send, self._state, body, more_body, self._watch_at
        )
        return self if more_body else cast("Response[Finished]", self)

    @overload
    async def end(self: Response[Started]) -> Response[Finished]: ...
    @overload
    async def end(
        self: Response[Unstarted], *args: object, _response_not_started: Never, **kwargs: object
    ) -> Response[Finished]: ...
    @overload
    async def end(
        self: Response[Finished], *args: object, _response_already_ended: Never, **kwargs: object
    ) -> Response[Finished]: ...
    @typestate_implementation
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
            await finish_body(self._scope, self._send, state)
        else:
            check_move("end", state)
        return cast("Response[Finished]", self)

    # one-shot helpers: each reaches the hot path, _oneshot.complete_response

    @overload
    async def respond_bytes(
        self: Response[Unstarted],
        content: bytes,
        *,
        status: HTTPStatus | int = HTTPStatus.OK,
        media_type: str | None = None,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
        etag: str | None = None,
        weak_etag: bool = False,
        last_modified: datetime | float | None = None,
    ) -> Response[Finished]: ...
    @overload
    async def respond_bytes(
        self: Response[Started], *args: object, _response_already_started: Never, **kwargs: object
    ) -> Response[Finished]: ...
    @overload
    async def respond_bytes(
        self: Response[Finished], *args: object, _response_already_ended: Never, **kwargs: object
    ) -> Response[Finished]: ...
    @typestate_implementation
    async def respond_bytes(
        self: Response[Unstarted],
        content: bytes,
        *,
        status: HTTPStatus | int = HTTPStatus.OK,
        media_type: str | None = None,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
        etag: str | None = None,
        weak_etag: bool = False,
        last_modified: datetime | float | None = None,
    ) -> Response[Finished]:
        """Respond with ``content`` and finish the response; returns this object typed as
        finished.

        ``media_type`` is sent as given (no charset is added to raw bytes); without it there is
        no ``content-type``.

        Conditional responses: ``etag`` is the entity-tag's opaque validator *without* quotes
        (``etag="v1"`` sends ``ETag: "v1"``, with ``weak_etag=True`` ``ETag: W/"v1"``);
        ``last_modified`` is a timezone-aware ``datetime`` or a POSIX timestamp (whole seconds
        are sent). With either, a 2xx response to an HTTP request first evaluates the
        request's ``If-Match``, ``If-Unmodified-Since``, ``If-None-Match`` and
        ``If-Modified-Since`` (RFC 9110 13.2.2): it may become ``304 Not Modified`` (GET and
        HEAD; no body, the validators, the ``cache-control``, ``content-location``, ``date``,
        ``expires`` and ``vary`` of ``headers``, and the cookies) or ``412 Precondition
        Failed`` (no body, only ``content-length: 0``). Other statuses are sent as given, with
        the validators. A naive ``datetime`` or an ``etag`` holding ``"``, spaces or control
        characters raises ``ValueError`` before anything is sent.
        """
        content_type = None if media_type is None else content_type_value(media_type, None)
        await respond_complete(
            self._scope,
            self._send,
            status,
            body_bytes(content),
            content_type,
            headers,
            cookies,
            etag,
            weak_etag,
            last_modified,
        )
        return cast("Response[Finished]", self)

    @overload
    async def respond_text(
        self: Response[Unstarted],
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
    ) -> Response[Finished]: ...
    @overload
    async def respond_text(
        self: Response[Started], *args: object, _response_already_started: Never, **kwargs: object
    ) -> Response[Finished]: ...
    @overload
    async def respond_text(
        self: Response[Finished], *args: object, _response_already_ended: Never, **kwargs: object
    ) -> Response[Finished]: ...
    @typestate_implementation
    async def respond_text(
        self: Response[Unstarted],
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
    ) -> Response[Finished]:
        """Respond with ``content`` encoded with ``encoding`` and finish the response; returns
        this object typed as finished. ``etag``, ``weak_etag`` and ``last_modified`` as in
        ``respond_bytes``."""
        content_type = utf8_content_type(media_type) if encoding == "utf-8" else None
        if content_type is None:
            content_type = content_type_value(media_type, encoding)
        await respond_complete(
            self._scope,
            self._send,
            status,
            content.encode(encoding),
            content_type,
            headers,
            cookies,
            etag,
            weak_etag,
            last_modified,
        )
        return cast("Response[Finished]", self)

    @overload
    async def respond_json(
        self: Response[Unstarted],
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
    ) -> Response[Finished]: ...
    @overload
    async def respond_json(
        self: Response[Started], *args: object, _response_already_started: Never, **kwargs: object
    ) -> Response[Finished]: ...
    @overload
    async def respond_json(
        self: Response[Finished], *args: object, _response_already_ended: Never, **kwargs: object
    ) -> Response[Finished]: ...
    @typestate_implementation
    async def respond_json(
        self: Response[Unstarted],
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
    ) -> Response[Finished]:
        """Respond with ``content`` serialised as compact JSON (msgspec) and finish; returns
        this object typed as finished.

        ``enc_hook`` converts objects msgspec cannot encode; without it such objects raise
        ``TypeError`` before anything is sent. JSON is UTF-8 by default (RFC 8259) and then
        carries no ``charset``; another ``encoding`` re-encodes the text and names it in
        ``content-type``. ``etag``, ``weak_etag`` and ``last_modified`` as in ``respond_bytes``.
        """
        body, content_type = json_payload(content, media_type, encoding, enc_hook)
        await respond_complete(
            self._scope,
            self._send,
            status,
            body,
            content_type,
            headers,
            cookies,
            etag,
            weak_etag,
            last_modified,
        )
        return cast("Response[Finished]", self)

    @overload
    async def respond_empty(
        self: Response[Unstarted],
        status: HTTPStatus | int = HTTPStatus.NO_CONTENT,
        *,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
    ) -> Response[Finished]: ...
    @overload
    async def respond_empty(
        self: Response[Started], *args: object, _response_already_started: Never, **kwargs: object
    ) -> Response[Finished]: ...
    @overload
    async def respond_empty(
        self: Response[Finished], *args: object, _response_already_ended: Never, **kwargs: object
    ) -> Response[Finished]: ...
    @typestate_implementation
    async def respond_empty(
        self: Response[Unstarted],
        status: HTTPStatus | int = HTTPStatus.NO_CONTENT,
        *,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
    ) -> Response[Finished]:
        """Send a response without a body (``content-length: 0``, none for 204 and 304);
        returns this object typed as finished."""
        await respond_complete(self._scope, self._send, status, b"", None, headers, cookies)
        return cast("Response[Finished]", self)

    @overload
    async def redirect(
        self: Response[Unstarted],
        location: str,
        *,
        permanent: bool = False,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
    ) -> Response[Finished]: ...
    @overload
    async def redirect(
        self: Response[Started], *args: object, _response_already_started: Never, **kwargs: object
    ) -> Response[Finished]: ...
    @overload
    async def redirect(
        self: Response[Finished], *args: object, _response_already_ended: Never, **kwargs: object
    ) -> Response[Finished]: ...
    @typestate_implementation
    async def redirect(
        self: Response[Unstarted],
        location: str,
        *,
        permanent: bool = False,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
    ) -> Response[Finished]:
        """Respond with a redirect: 308 if ``permanent`` else 307 (method and body are kept);
        returns this object typed as finished.

        ``location`` is encoded by ``encode_location`` (control characters raise
        ``InvalidHeaderError``). It is not checked for open redirects: validate user-supplied
        targets with ``is_safe_redirect_url`` first.
        """
        extra = (b"location", encode_location(location))
        status = 308 if permanent else 307
        await respond_complete(
            self._scope, self._send, status, b"", None, headers, cookies, None, False, None, extra
        )
        return cast("Response[Finished]", self)

    @overload
    async def redirect_post_get(
        self: Response[Unstarted],
        location: str,
        *,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
    ) -> Response[Finished]: ...
    @overload
    async def redirect_post_get(
        self: Response[Started], *args: object, _response_already_started: Never, **kwargs: object
    ) -> Response[Finished]: ...
    @overload
    async def redirect_post_get(
        self: Response[Finished], *args: object, _response_already_ended: Never, **kwargs: object
    ) -> Response[Finished]: ...
    @typestate_implementation
    async def redirect_post_get(
        self: Response[Unstarted],
        location: str,
        *,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
    ) -> Response[Finished]:
        """Respond with 303 See Other, sending the client to ``location`` with a GET
        (post/redirect/get); returns this object typed as finished. ``location`` is encoded as
        in ``redirect``."""
        extra = (b"location", encode_location(location))
        await respond_complete(
            self._scope, self._send, 303, b"", None, headers, cookies, None, False, None, extra
        )
        return cast("Response[Finished]", self)

    @overload
    async def send_trailers(self: Response[Finished], headers: HeaderInput) -> None: ...
    @overload
    async def send_trailers(
        self: Response[Unstarted], *args: object, _response_not_started: Never, **kwargs: object
    ) -> None: ...
    @overload
    async def send_trailers(
        self: Response[Started], *args: object, _response_not_ended: Never, **kwargs: object
    ) -> None: ...
    @typestate_implementation
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
        check_move("trailers", state)
        encoded = encode_headers(headers)
        if not state.trailers or state.disconnected:
            return
        state.trailers = False
        try:
            await self._send({"type": "http.response.trailers", "headers": encoded})
        except OSError as exc:
            raise client_gone(self._scope, state, exc) from exc

    @overload
    async def send_early_hints(self: Response[Unstarted], links: Iterable[str]) -> None: ...
    @overload
    async def send_early_hints(
        self: Response[Started], *args: object, _response_already_started: Never, **kwargs: object
    ) -> None: ...
    @overload
    async def send_early_hints(
        self: Response[Finished], *args: object, _response_already_ended: Never, **kwargs: object
    ) -> None: ...
    @typestate_implementation
    async def send_early_hints(self: Response[Unstarted], links: Iterable[str]) -> None:
        """Send ``103 Early Hints`` with these ``Link`` header values, when the server supports
        the ``http.response.early_hint`` extension; otherwise (and for websockets) do nothing.

        Raises ``ResponseAlreadyStartedError``/``ResponseAlreadyEndedError`` after ``start()``
        and ``InvalidHeaderError`` for unsafe values.
        """
        scope = self._scope
        check_move("start", self._state)
        if isinstance(links, str):  # one link, not an iterable of its characters
            links = (links,)
        encoded = [encode_header_value(link, name="link") for link in links]
        if (
            scope["type"] != "http"
            or not encoded
            or "http.response.early_hint" not in extensions(scope)
        ):
            return
        try:
            await self._send({"type": "http.response.early_hint", "links": encoded})
        except OSError as exc:
            raise client_gone(scope, self._state, exc) from exc

    # streaming helpers (see _streaming)

    @overload
    def response_writer(
        self: Response[Unstarted],
        status: HTTPStatus | int = HTTPStatus.OK,
        *,
        media_type: str | None = None,
        content_length: int | None = None,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
        encoding: str = "utf-8",
    ) -> AbstractAsyncContextManager[Writer]: ...
    @overload
    def response_writer(
        self: Response[Started], *args: object, _response_already_started: Never, **kwargs: object
    ) -> AbstractAsyncContextManager[Writer]: ...
    @overload
    def response_writer(
        self: Response[Finished], *args: object, _response_already_ended: Never, **kwargs: object
    ) -> AbstractAsyncContextManager[Writer]: ...
    @typestate_implementation
    def response_writer(
        self: Response[Unstarted],
        status: HTTPStatus | int = HTTPStatus.OK,
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

    @overload
    async def respond_stream(
        self: Response[Unstarted],
        stream: AsyncIterable[bytes | str],
        *,
        status: HTTPStatus | int = HTTPStatus.OK,
        media_type: str | None = None,
        content_length: int | None = None,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
        encoding: str = "utf-8",
    ) -> None: ...
    @overload
    async def respond_stream(
        self: Response[Started], *args: object, _response_already_started: Never, **kwargs: object
    ) -> None: ...
    @overload
    async def respond_stream(
        self: Response[Finished], *args: object, _response_already_ended: Never, **kwargs: object
    ) -> None: ...
    @typestate_implementation
    async def respond_stream(
        self: Response[Unstarted],
        stream: AsyncIterable[bytes | str],
        *,
        status: HTTPStatus | int = HTTPStatus.OK,
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
        await respond_stream(
            self._scope,
            self._receive,
            self._send,
            stream,
            status=status,
            media_type=media_type,
            content_length=content_length,
            headers=headers,
            cookies=cookies,
            encoding=encoding,
        )

    @overload
    async def respond_sse(
        self: Response[Unstarted],
        events: AsyncIterable[ServerSentEvent | str],
        *,
        status: HTTPStatus | int = HTTPStatus.OK,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
    ) -> None: ...
    @overload
    async def respond_sse(
        self: Response[Started], *args: object, _response_already_started: Never, **kwargs: object
    ) -> None: ...
    @overload
    async def respond_sse(
        self: Response[Finished], *args: object, _response_already_ended: Never, **kwargs: object
    ) -> None: ...
    @typestate_implementation
    async def respond_sse(
        self: Response[Unstarted],
        events: AsyncIterable[ServerSentEvent | str],
        *,
        status: HTTPStatus | int = HTTPStatus.OK,
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
        await respond_sse(
            self._scope,
            self._receive,
            self._send,
            events,
            status=status,
            headers=headers,
            cookies=cookies,
        )

    # files (see _file_sending)

    @overload
    async def respond_file(
        self: Response[Unstarted],
        path: str | PathLike[str],
        *,
        status: HTTPStatus | int = HTTPStatus.OK,
        media_type: str | None = None,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
        filename: str | None = None,
    ) -> None: ...
    @overload
    async def respond_file(
        self: Response[Started], *args: object, _response_already_started: Never, **kwargs: object
    ) -> None: ...
    @overload
    async def respond_file(
        self: Response[Finished], *args: object, _response_already_ended: Never, **kwargs: object
    ) -> None: ...
    @typestate_implementation
    async def respond_file(
        self: Response[Unstarted],
        path: str | PathLike[str],
        *,
        status: HTTPStatus | int = HTTPStatus.OK,
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
        await respond_file(
            self._scope,
            self._receive,
            self._send,
            path,
            status=status,
            media_type=media_type,
            headers=headers,
            cookies=cookies,
            filename=filename,
        )
