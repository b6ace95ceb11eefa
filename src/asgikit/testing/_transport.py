"""The HTTP side of the in-process transport: an httpx transport that drives an ASGI app.

``AppTransport.handle_async_request`` builds the scope the profile's server would build, runs
the app as a task and returns as soon as the app has sent ``http.response.start``: the body
then streams through ``Chunks`` while the app is still running. The request body is read from
httpx lazily, one ``receive()`` at a time, in ``chunk_size`` pieces if asked.

Disconnects follow the profile: once the client is gone (it closed the response early, or a
fault fired) ``receive`` returns ``http.disconnect`` and ``send`` raises ``OSError`` on spec
>= 2.4 or does nothing on older specs. After a complete response ``receive`` also returns
``http.disconnect``, as servers do.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping
from http import HTTPStatus
from typing import Final, Literal, TypedDict, cast, final

import httpx
from typing_extensions import Unpack, override

from asgikit.asgi import (
    ASGIApp,
    HTTPReceiveEvent,
    HTTPScope,
    ReceiveEvent,
    SendEvent,
    WebSocketScope,
)

from ._conformance import HTTPChecker
from ._faults import Fault, FaultPlan, active_faults
from ._profiles import Extensions, ServerName, ServerProfile, resolve_profile
from ._run import AppRun, Chunks, wait_first
from ._scopes import Settings, http_scope, websocket_scope

__all__ = [
    "DEFAULT_CLIENT",
    "DEFAULT_TIMEOUT",
    "AppTransport",
    "ClientDisconnected",
    "TransportOptions",
]

FILE_CHUNK: Final = 64 * 1024
"""Bytes read per step when the app sends a file by path or descriptor."""

_NO_BODY_STATUSES: Final = frozenset({204, 304})
"""Statuses whose responses never carry a body."""


class ClientDisconnected(httpx.TransportError):
    """The client left (an injected fault) before the app started a response.

    ``events`` are the events the app sent, including those a server would have dropped.
    """

    def __init__(self, message: str, *, request: httpx.Request, events: list[SendEvent]) -> None:
        super().__init__(message, request=request)
        self.events: list[SendEvent] = events


def _timeout(request: httpx.Request) -> float | None:
    """The read timeout httpx attached to the request (``None``: wait forever)."""
    timeouts = cast("Mapping[str, float | None]", request.extensions.get("timeout", {}))
    return timeouts.get("read")


@final
class _BodyReader:
    """The request body from httpx, in ``chunk_size`` pieces (or as httpx yields it)."""

    def __init__(self, stream: AsyncIterable[bytes], chunk_size: int | None) -> None:
        self._pieces: AsyncIterator[bytes] = aiter(stream)
        self._chunk_size = chunk_size
        self._buffer = bytearray()
        self._eof = False

    async def _fill(self, size: int) -> None:
        while not self._eof and len(self._buffer) < size:
            try:
                self._buffer += await anext(self._pieces)
            except StopAsyncIteration:
                self._eof = True

    async def next(self) -> tuple[bytes, bool]:
        """The next chunk and whether more follow."""
        await self._fill(self._chunk_size or 1)
        size = self._chunk_size or len(self._buffer)
        chunk = bytes(self._buffer[:size])
        del self._buffer[:size]
        await self._fill(1)
        return chunk, bool(self._buffer)


@final
class _HTTPExchange:
    """One request: the app's ``receive``/``send`` on one side, the response stream on the other."""

    def __init__(self, transport: AppTransport, request: httpx.Request, scope: HTTPScope) -> None:
        profile = transport.profile
        self.request = request
        self.scope = scope
        offered = set(profile.http_extensions or {})
        checker = (
            HTTPChecker(method=scope["method"], extensions=offered)
            if transport.check_conformance
            else None
        )
        self.run = AppRun(
            checker=checker,
            raise_app_exceptions=transport.raise_app_exceptions,
            shutdown_timeout=transport.shutdown_timeout,
            plan=FaultPlan((*transport.faults, *active_faults())),
            send_raises=profile.http_send_raises,
        )
        self.body = _BodyReader(cast("AsyncIterable[bytes]", request.stream), transport.chunk_size)
        # The response's status and headers; ``None`` when the client left before the start.
        self.started: asyncio.Future[tuple[int, list[tuple[bytes, bytes]]] | None] = (
            asyncio.get_running_loop().create_future()
        )
        self.chunks = Chunks()
        self.closed = asyncio.Event()
        self.trailers: list[tuple[bytes, bytes]] = []
        self.early_hints: list[list[bytes]] = []
        self.pushes: list[str] = []
        self.delivered_bytes = 0
        self.body_done = False
        self.expects_trailers = False
        self.drops_body = scope["method"] == "HEAD"
        self.complete = False

    # The app's side

    async def receive(self) -> ReceiveEvent:
        """What the server would return from ``receive`` now."""
        broken = await self.run.faulted_receive()
        if broken is not None:
            return broken
        if self.run.client_gone or self.body_done:
            await self.closed.wait()
            return {"type": "http.disconnect"}
        chunk, more = await self.body.next()
        chunk, leaves = self.run.plan.cut(self.delivered_bytes, chunk)
        self.delivered_bytes += len(chunk)
        if leaves:
            self.leave()
            return {"type": "http.request", "body": chunk, "more_body": True}
        self.body_done = not more
        event: HTTPReceiveEvent = {"type": "http.request", "body": chunk, "more_body": more}
        return event

    async def send(self, event: SendEvent, /) -> None:
        """Take one event from the app, as the server would."""
        if self.run.take(event, self.leave):
            await self._deliver(event)
            self.run.delivered(self.leave)

    async def _deliver(self, event: SendEvent) -> None:
        match event["type"]:
            case "http.response.start":
                status = event.get("status", 500)
                headers = [(bytes(k), bytes(v)) for k, v in event.get("headers", [])]
                self.expects_trailers = bool(event.get("trailers", False))
                self.drops_body = self.drops_body or status in _NO_BODY_STATUSES
                if not self.started.done():
                    self.started.set_result((status, headers))
            case "http.response.body":
                await self._body(event.get("body", b""), more=event.get("more_body", False))
            case "http.response.pathsend":
                await self._file_path(event["path"])
            case "http.response.zerocopysend":
                await self._file_descriptor(
                    event["file"].fileno(), event.get("offset"), event.get("count")
                )
                if not event.get("more_body", False):
                    self._end_body()
            case "http.response.trailers":
                self.trailers.extend((bytes(k), bytes(v)) for k, v in event.get("headers", []))
                if not event.get("more_trailers", False):
                    self._complete()
            case "http.response.early_hint":
                self.early_hints.append(list(event["links"]))
            case "http.response.push":
                self.pushes.append(event["path"])
            case _:
                pass

    async def _body(self, body: bytes, *, more: bool) -> None:
        if body and not self.drops_body:
            await self.chunks.put(bytes(body))
        if not more:
            self._end_body()

    async def _file_path(self, path: str) -> None:
        with open(path, "rb") as file:  # a test transport: blocking reads of local files are fine
            await self._file_descriptor(file.fileno(), 0, None)
        self._end_body()

    async def _file_descriptor(self, fd: int, offset: int | None, count: int | None) -> None:
        position = offset if offset is not None else os.lseek(fd, 0, os.SEEK_CUR)
        remaining = count
        while remaining is None or remaining > 0:
            size = FILE_CHUNK if remaining is None else min(FILE_CHUNK, remaining)
            data = os.pread(fd, size, position)
            if not data:
                break
            position += len(data)
            if remaining is not None:
                remaining -= len(data)
            if not self.drops_body:
                await self.chunks.put(data)

    def _end_body(self) -> None:
        if not self.expects_trailers:
            self._complete()

    def _complete(self) -> None:
        self.complete = True
        self.chunks.end()
        self.closed.set()

    def leave(self) -> None:
        """The client is gone: ``receive`` reports it and later sends reach nobody."""
        self.run.gone()
        self.chunks.abandon()
        self.closed.set()
        if not self.started.done():
            self.started.set_result(None)

    # The client's side

    def app_ended(self, _task: asyncio.Task[None]) -> None:
        """The app returned or raised: no more chunks will come."""
        self.chunks.end()
        self.closed.set()

    async def next_chunk(self) -> bytes | None:
        """The next body chunk (``None`` at the end); ``httpx.ReadTimeout`` if the app stalls."""
        try:
            async with asyncio.timeout(_timeout(self.request)):
                return await self.chunks.get()
        except TimeoutError:
            self.leave()
            await self.run.cancel()
            raise httpx.ReadTimeout(
                "the app sent no response body data in time", request=self.request
            ) from None

    async def finish(self) -> None:
        """Wait for the app to end and raise what went wrong (see ``AppRun.finish``)."""
        await self.run.finish()


@final
class _ResponseStream(httpx.AsyncByteStream):
    """The response body as the app sends it; closing it early is a client disconnect."""

    def __init__(self, exchange: _HTTPExchange) -> None:
        self._exchange = exchange

    @override
    async def __aiter__(self) -> AsyncIterator[bytes]:
        while (chunk := await self._exchange.next_chunk()) is not None:
            yield chunk
        await self._exchange.finish()

    @override
    async def aclose(self) -> None:
        if not self._exchange.run.finished:
            if not self._exchange.complete:
                self._exchange.leave()
            await self._exchange.finish()


DEFAULT_TIMEOUT: Final = 5.0
"""Seconds the client waits for the app to start a response, send a chunk or a message, and
for the app to return after the connection ended."""

DEFAULT_CLIENT: Final = ("127.0.0.1", 50000)
"""The client address the scopes report unless told otherwise."""


class TransportOptions(TypedDict, total=False):
    """How ``AppTransport`` (and so ``Client``) serves the app, as keyword arguments: every
    key is optional, and leaving one out gives the default named here."""

    server: ServerName | ServerProfile | None
    """The server to behave like: ``"uvicorn"``, ``"hypercorn"``, ``"granian"``, ``"daphne"``
    or a ``ServerProfile``; ``None`` (default) is the newest spec with every extension."""
    spec_version: str | None
    """Overrides the profile's ASGI spec version."""
    extensions: Extensions | None
    """Overrides the profile's scope extensions."""
    chunk_size: int | None
    """Request bodies reach the app in pieces of this many bytes (default: one piece)."""
    faults: Iterable[Fault]
    """Faults applied to every connection (default: none)."""
    check_conformance: bool
    """Validate every event the app sends, raising ``ASGIProtocolError`` (default ``True``)."""
    raise_app_exceptions: bool
    """Re-raise the app's exceptions in the test (default ``True``); else the client sees a
    500, as from a server."""
    root_path: str
    """The scope's ``root_path`` (default ``""``)."""
    client: tuple[str, int]
    """The client address in the scope (default ``DEFAULT_CLIENT``)."""
    http_version: Literal["1.0", "1.1", "2"]
    """The HTTP version the scope reports (default ``"1.1"``)."""
    shutdown_timeout: float
    """Seconds to wait for the app to return after the connection ended before cancelling it
    (default ``DEFAULT_TIMEOUT``)."""


class AppTransport(httpx.AsyncBaseTransport):
    """An httpx transport that serves requests from an ASGI app in this process.

    ``Client`` creates one; use it directly to give another httpx client the same powers::

        httpx.AsyncClient(transport=AppTransport(app, server="uvicorn"), base_url="http://testserver")

    ``options`` are those of ``TransportOptions``.
    """

    def __init__(self, app: ASGIApp, **options: Unpack[TransportOptions]) -> None:
        unknown = options.keys() - TransportOptions.__optional_keys__
        if unknown:
            raise TypeError(f"AppTransport() got an unexpected keyword argument {min(unknown)!r}")
        chunk_size = options.get("chunk_size")
        if chunk_size is not None and chunk_size < 1:
            raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
        self.app: ASGIApp = app
        self.profile: ServerProfile = resolve_profile(
            options.get("server"),
            spec_version=options.get("spec_version"),
            extensions=options.get("extensions"),
        )
        self.chunk_size: int | None = chunk_size
        self.faults: tuple[Fault, ...] = tuple(options.get("faults", ()))
        self.check_conformance: bool = options.get("check_conformance", True)
        self.raise_app_exceptions: bool = options.get("raise_app_exceptions", True)
        self.shutdown_timeout: float = options.get("shutdown_timeout", DEFAULT_TIMEOUT)
        self.root_path: str = options.get("root_path", "")
        self.client: tuple[str, int] = options.get("client", DEFAULT_CLIENT)
        self.http_version: str = options.get("http_version", "1.1")
        self.state: dict[str, object] | None = None
        """The lifespan state; each scope gets a shallow copy (set by ``Client`` at startup)."""

    def _settings(self) -> Settings:
        """What the scopes of this transport share right now."""
        return Settings(
            profile=self.profile,
            root_path=self.root_path,
            client=self.client,
            http_version=self.http_version,
            state=self.state,
        )

    def http_scope(self, request: httpx.Request) -> HTTPScope:
        """The HTTP scope this transport gives the app for ``request``."""
        return http_scope(request, self._settings())

    def websocket_scope(
        self, request: httpx.Request, subprotocols: Iterable[str] = ()
    ) -> WebSocketScope:
        """The websocket scope this transport gives the app for the handshake ``request``."""
        return websocket_scope(request, self._settings(), subprotocols)

    @override
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Run the app for ``request``; return once the app has started its response."""
        return await self.handle_scope(self.http_scope(request), request)

    async def handle_scope(self, scope: HTTPScope, request: httpx.Request) -> httpx.Response:
        """Run the app with ``scope`` as given; ``request`` supplies the body and the timeouts.

        For scopes no httpx request can produce (hostile hosts, server quirks): see
        ``Client.send_scope``.
        """
        exchange = _HTTPExchange(self, request, scope)
        if exchange.run.plan.leaves_after_events(0):
            exchange.leave()  # gone before the app saw anything
        task = exchange.run.start(lambda: self.app(scope, exchange.receive, exchange.send))
        task.add_done_callback(exchange.app_ended)
        try:
            started = await wait_first(exchange.started, task, _timeout(request))
        except TimeoutError:
            exchange.leave()
            await exchange.run.cancel()
            raise httpx.ReadTimeout(
                "the app did not start a response in time", request=request
            ) from None
        except BaseException:
            exchange.leave()
            await exchange.run.cancel()
            raise
        start = exchange.started.result() if started else None
        if start is None:
            await exchange.finish()
            if exchange.run.client_gone:
                raise ClientDisconnected(
                    "the client disconnected before the app started a response",
                    request=request,
                    events=exchange.run.events,
                )
            # The app returned (or raised, unreported) without a response: servers answer 500.
            return httpx.Response(
                500,
                headers={"content-type": "text/plain; charset=utf-8"},
                content=b"Internal Server Error",
            )
        if exchange.run.problem is not None:
            exchange.leave()
            await exchange.finish()
        status, headers = start
        return httpx.Response(
            status,
            headers=headers,
            stream=_ResponseStream(exchange),
            extensions={
                "http_version": b"HTTP/1.1",
                "reason_phrase": _reason(status),
                "asgi_events": exchange.run.events,
                "trailers": exchange.trailers,
                "early_hints": exchange.early_hints,
                "pushes": exchange.pushes,
            },
        )


def _reason(status: int) -> bytes:
    try:
        return HTTPStatus(status).phrase.encode("ascii")
    except ValueError:
        return b""
