"""Streamed response bodies: chunk writes, the ``response_writer`` context manager, and
``respond_stream``/``respond_sse`` on top of it.

``write_chunk`` and ``finish_body`` are the one implementation of sending a body chunk and
the empty last chunk of a started response, with the lifecycle checks (see ``_lifecycle``)
and the disconnect watch (see ``_disconnect``). ``Response.write``/``end``, file sending and
the uncommon cases of ``StreamWriter`` all go through them. ``StreamWriter.write`` has a
lean path of its own for the common case (HTTP, a body that reaches the client): it decides
everything it can once, when the stream starts, so a chunk costs a few tests and ``send``.

Chunks of a ``HEAD``, 204 or 304 response are not sent; the last chunk is, empty.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Generator
from http import HTTPStatus
from time import monotonic
from types import TracebackType
from typing import Final, TypeVar, cast, final

from ._connection import (
    LISTENER_KEY,
    RESPONSE_ENDED,
    RESPONSE_STARTED,
    ConnectionState,
    connection_state,
)
from ._cookies import Cookies
from ._disconnect import (
    NEVER,
    UNDECIDED,
    advance_watch,
    first_deadline,
    stop_listener,
    watch_step,
)
from ._header_encoding import HeaderInput
from ._lifecycle import check_start, check_writable, client_gone, start_event
from ._response_headers import SSE_HEADERS, STATUS_CODES, start_headers
from ._sse import ServerSentEvent, format_sse_event
from .asgi import HTTPScope, Receive, Send, SendEvent, WebSocketScope

__all__ = [
    "StreamWriter",
    "Writer",
    "body_dropped",
    "finish_body",
    "last_event",
    "respond_sse",
    "respond_stream",
    "write_chunk",
]

_T = TypeVar("_T")

_OK: Final = HTTPStatus.OK  # looked up once: reading an enum member costs ~190 ns

Writer = Callable[[bytes | str], Awaitable[None]]
"""What ``response_writer()`` yields: ``await write(chunk)`` sends one chunk of the body."""


def body_dropped(scope: HTTPScope | WebSocketScope, state: ConnectionState) -> bool:
    """Whether body chunks of this (started) response never reach the client: HEAD, 204, 304."""
    status = state.response_status
    return status == 204 or status == 304 or (scope["type"] == "http" and scope["method"] == "HEAD")


async def write_chunk(
    scope: HTTPScope | WebSocketScope,
    receive: Receive,
    send: Send,
    state: ConnectionState,
    body: bytes,
    more_body: bool,
    watch_at: float,
) -> float:
    """Send one body chunk of a started response; ``more_body=False`` ends it. Returns the
    stream's new disconnect-watch deadline (see ``_disconnect``).

    Raises the lifecycle errors, ``TypeError`` for a chunk that is not ``bytes``, and
    ``ClientDisconnectError`` once the client is known to be gone.
    """
    if state.response != RESPONSE_STARTED or state.disconnected:
        check_writable(state)
    if type(body) is not bytes:
        raise TypeError(f"write() takes bytes, not {type(body).__name__}; encode text first")
    dropped = body_dropped(scope, state)
    if more_body:
        watch_at = watch_step(scope, receive, state, watch_at, dropped=dropped)
        if dropped:
            return watch_at
    else:
        state.response = RESPONSE_ENDED
        stop_listener(scope)
        if dropped:
            body = b""
    try:
        if scope["type"] != "http":
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
        raise client_gone(scope, state, exc) from exc
    return watch_at


def last_event(scope: HTTPScope | WebSocketScope, state: ConnectionState) -> SendEvent | None:
    """Record the end of a started response and return its empty last chunk, or ``None`` when
    the client is known to be gone (nothing is sent then). The caller has checked that the
    response is started."""
    state.response = RESPONSE_ENDED
    if LISTENER_KEY in scope:  # tested here: a call less for the streams without a watcher
        stop_listener(scope)
    if state.disconnected:
        return None
    if scope["type"] != "http":
        return {"type": "websocket.http.response.body", "body": b""}
    return {"type": "http.response.body", "body": b""}  # fresh: middleware may edit events


async def finish_body(
    scope: HTTPScope | WebSocketScope, send: Send, state: ConnectionState
) -> None:
    """``last_event``, sent; ``ClientDisconnectError`` if ``send`` fails with ``OSError``."""
    event = last_event(scope, state)
    if event is None:
        return
    try:
        await send(event)
    except OSError as exc:
        raise client_gone(scope, state, exc) from exc


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

    A class of its own rather than an ``@asynccontextmanager`` generator or closures: no
    generator can fail to stop, and one object per stream is all it costs. Entry decides once
    which writer it hands out: ``write``, the fast path, for the common case (an HTTP body that
    reaches the client, on a server whose ``send`` cannot fail), which then costs a few tests
    per chunk; ``_write_other`` for the rest (``_lean``: the body reaches the client but ``send``
    may fail; otherwise HEAD/204/304 and websocket denials, through ``write_chunk``).
    """

    __slots__ = (
        "_base",
        "_content_length",
        "_cookies",
        "_encoding",
        "_headers",
        "_lean",
        "_media_type",
        "_receive",
        "_scope",
        "_send",
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
        base: tuple[tuple[bytes, bytes], ...] = (),
    ) -> None:
        """Remember how to start the response; nothing is sent until ``async with``.
        ``base`` headers come first and ``headers`` may replace them."""
        self._scope = scope
        self._receive = receive
        self._send = send
        self._status = status
        self._media_type = media_type
        self._content_length = content_length
        self._headers = headers
        self._cookies = cookies
        self._encoding = encoding
        self._base = base
        self._state = connection_state(scope)
        self._lean = False
        self._watch_at = UNDECIDED

    async def __aenter__(self) -> Writer:
        scope = self._scope
        state = self._state
        status = self._status
        code = 200 if status is _OK else STATUS_CODES.get(status)
        if code is None or state.response or scope["type"] != "http":
            code = check_start(scope, state, status)
        raw = start_headers(
            code,
            self._media_type,
            self._content_length,
            self._headers,
            self._cookies,
            self._encoding,
            self._base,
        )
        # Decided once for the whole stream: the lean path (the body reaches the client), and
        # within it the fast one (spec < 2.4, so send cannot fail: a watch may be needed).
        fast = False
        if scope["type"] == "http" and scope["method"] != "HEAD" and code != 204 and code != 304:
            watch_at = first_deadline(scope, False)
            self._watch_at = watch_at
            self._lean = True
            fast = watch_at != NEVER
        send = self._send  # a local: see write()
        try:
            await send(start_event(scope, state, code, raw))
        except OSError as exc:
            raise client_gone(scope, state, exc) from exc
        return self.write if fast else self._write_other

    def write(self, data: bytes | str) -> Awaitable[None]:
        """Send one chunk: ``bytes`` as they are, ``str`` encoded; empty chunks are skipped.

        The fast path, handed out only for HTTP bodies that reach the client on servers whose
        ``send`` cannot fail (spec < 2.4): a plain method returning ``send``'s own awaitable,
        one coroutine less per chunk. Errors known up front are raised by the call itself.

        Raises:
            ClientDisconnectError: if the client disconnected.
            ResponseAlreadyEndedError: if the response was ended inside the block.
        """
        # Every test of the common case (non-empty bytes, response open, client not known
        # gone) in one condition; anything else, str included, takes _write_off.
        state = self._state
        if (
            type(data) is bytes
            and data
            and state.response == RESPONSE_STARTED
            and not state.disconnected
        ):
            if monotonic() >= self._watch_at:
                self._watch_at = advance_watch(self._scope, self._receive, state)
            # A local: on CPython 3.11, self._send(...) looks the slot up unspecialised, per call.
            send = self._send
            return send({"type": "http.response.body", "body": data, "more_body": True})
        return self._write_off(data)

    def _write_off(self, data: bytes | str) -> Awaitable[None]:
        """``write`` off its common case: ``str`` is encoded and written, empty chunks are
        skipped, everything else goes to ``write_chunk`` (its lifecycle and type errors)."""
        if isinstance(data, str):
            return self.write(data.encode(self._encoding)) if data else _DONE
        if type(data) is bytes and not data:
            return _DONE
        return self._general_write(data)

    def _write_other(self, data: bytes | str) -> Awaitable[None]:
        """``write`` for the streams off the fast path: a checked ``send`` while a lean stream
        is open (``send`` may fail), else ``write_chunk``. Empty chunks are skipped here too."""
        chunk = data.encode(self._encoding) if isinstance(data, str) else data
        state = self._state
        if (
            self._lean
            and type(chunk) is bytes
            and chunk
            and state.response == RESPONSE_STARTED
            and not state.disconnected
        ):
            return self._checked_send(state, chunk)
        return self._general_write(chunk)

    async def _general_write(self, chunk: bytes) -> None:
        """Everything but the common case, through ``write_chunk``; the watch deadline carries
        over from chunk to chunk (HEAD/204/304 streams rely on it)."""
        if type(chunk) is bytes and not chunk:  # skipped, whatever the state of the response
            return
        self._watch_at = await write_chunk(
            self._scope, self._receive, self._send, self._state, chunk, True, self._watch_at
        )

    async def _checked_send(self, state: ConnectionState, chunk: bytes) -> None:
        """``send`` may report the disconnect itself (spec >= 2.4, or no watch possible)."""
        send = self._send  # a local: see write()
        try:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except OSError as exc:
            raise client_gone(self._scope, state, exc) from exc

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            # The block failed: send nothing more. The response stays unfinished, so the
            # server aborts the connection and the client sees the truncation.
            stop_listener(self._scope)
            return
        state = self._state
        if state.response != RESPONSE_STARTED:
            return
        event = last_event(self._scope, state)
        if event is None:
            return
        send = self._send  # a local: see write()
        try:
            await send(event)
        except OSError as exc:
            raise client_gone(self._scope, state, exc) from exc


async def respond_stream(
    scope: HTTPScope | WebSocketScope,
    receive: Receive,
    send: Send,
    stream: AsyncIterable[bytes | str],
    *,
    status: HTTPStatus | int,
    media_type: str | None,
    content_length: int | None,
    headers: HeaderInput | None,
    cookies: Cookies | None,
    encoding: str,
) -> None:
    """Send the chunks of ``stream`` through a ``StreamWriter``; the iterator is closed however
    the loop ends, and not read at all when the body is dropped (HEAD, 204, 304)."""
    writer = StreamWriter(
        scope, receive, send, status, media_type, content_length, headers, cookies, encoding
    )
    await _stream_through(writer, scope, aiter(stream), _as_is)


async def respond_sse(
    scope: HTTPScope | WebSocketScope,
    receive: Receive,
    send: Send,
    events: AsyncIterable[ServerSentEvent | str],
    *,
    status: HTTPStatus | int,
    headers: HeaderInput | None,
    cookies: Cookies | None,
) -> None:
    """``respond_stream`` of formatted server-sent events, with the SSE headers first."""
    writer = StreamWriter(
        scope, receive, send, status, None, None, headers, cookies, "utf-8", SSE_HEADERS
    )
    await _stream_through(writer, scope, aiter(events), _sse_bytes)


def _as_is(chunk: bytes | str) -> bytes | str:
    return chunk


def _sse_bytes(event: ServerSentEvent | str) -> bytes:
    return format_sse_event(event) if isinstance(event, str) else event.encode()


async def _stream_through(
    writer: StreamWriter,
    scope: HTTPScope | WebSocketScope,
    iterator: AsyncIterator[_T],
    encode: Callable[[_T], bytes | str],
) -> None:
    """Write every item of ``iterator``, encoded, inside ``writer``; close the iterator."""
    try:
        async with writer as write:
            if body_dropped(scope, connection_state(scope)):
                return
            async for item in iterator:
                await write(encode(item))
    finally:
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            await cast("Callable[[], Awaitable[object]]", aclose)()
