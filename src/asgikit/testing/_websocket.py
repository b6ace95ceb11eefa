"""The websocket side of the in-process transport: a client session driving an ASGI app.

``connect()`` sends ``websocket.connect`` and waits for the app's answer: ``websocket.accept``
yields a ``WebSocketSession``; ``websocket.close`` before accepting is an HTTP 403 and a
denial response (``websocket.http.response.*``) is that response, both raised as
``WebSocketDenied``. The session turns the app's messages and close into typed reads, and the
profile decides what the client sees: accept headers (Granian drops them), empty messages
(Daphne drops them), close codes (Daphne sends 1011 for codes outside 1000 and 3000-4999)
and the code the app reads when the client vanishes.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections import deque
from collections.abc import AsyncGenerator, Iterable
from contextlib import asynccontextmanager
from typing import Final, Literal, TypeAlias, cast, final

import httpx

from asgikit import JSONValue
from asgikit.asgi import ReceiveEvent, SendEvent, WebSocketScope

from ._conformance import WebSocketChecker
from ._faults import FaultPlan, active_faults
from ._profiles import ServerProfile, spec_at_least
from ._run import AppRun, wait_first
from ._transport import AppTransport

__all__ = ["WebSocketClosed", "WebSocketDenied", "WebSocketSession", "connect"]

_Outcome: TypeAlias = Literal["accepted", "closed", "denied", "gone"]
"""How the handshake ended."""

_NORMAL: Final = 1000
"""Close code of a normal closure."""

_ABNORMAL: Final = 1006
"""Close code the client reports when the connection dropped without a close frame."""

_INTERNAL_ERROR: Final = 1011
"""Close code servers send when the app failed (or sent a code they refuse)."""


class WebSocketDenied(Exception):
    """The app refused the websocket handshake; ``response`` is the HTTP response it caused.

    ``websocket.close`` before ``websocket.accept`` is a 403 with an empty body; a denial
    response carries the app's status, headers and body.
    """

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"the app denied the websocket handshake with HTTP {response.status_code}")
        self.response: httpx.Response = response


class WebSocketClosed(Exception):
    """The connection is closed: by the app (its ``code`` and ``reason``) or because it dropped (1006)."""

    def __init__(self, code: int, reason: str = "") -> None:
        super().__init__(
            f"the websocket is closed with code {code}" + (f": {reason}" if reason else "")
        )
        self.code: int = code
        self.reason: str = reason


@final
class _Exchange:
    """One websocket connection: the app's ``receive``/``send`` and the client's queues."""

    def __init__(
        self,
        *,
        scope: WebSocketScope,
        run: AppRun,
        profile: ServerProfile,
        timeout: float | None,
    ) -> None:
        self.scope: WebSocketScope = scope
        self.run: AppRun = run
        self.timeout: float | None = timeout
        self.profile: ServerProfile = profile
        self.to_app: asyncio.Queue[ReceiveEvent] = asyncio.Queue()
        self.messages: deque[str | bytes] = deque()
        self.readable: asyncio.Event = asyncio.Event()
        self.handshake: asyncio.Future[_Outcome] = asyncio.get_running_loop().create_future()
        self.subprotocol: str | None = None
        self.accept_headers: list[tuple[bytes, bytes]] = []
        self.denial_status: int = 403
        self.denial_headers: list[tuple[bytes, bytes]] = []
        self.denial_body: bytearray = bytearray()
        self.close_code: int | None = None
        self.close_reason: str = ""
        self.client_bytes: int = 0

    # The app's side

    async def receive(self) -> ReceiveEvent:
        """What the server would return from ``receive`` now."""
        broken = await self.run.faulted_receive()
        return broken if broken is not None else await self.to_app.get()

    async def send(self, event: SendEvent, /) -> None:
        """Take one event from the app, as the server would."""
        if self.run.take(event, self.leave):
            self._deliver(event)
            self.run.delivered(self.leave)

    def _deliver(self, event: SendEvent) -> None:
        match event["type"]:
            case "websocket.accept":
                self.subprotocol = event.get("subprotocol")
                if self.profile.delivers_accept_headers and spec_at_least(
                    self.profile.websocket_spec_version, (2, 1)
                ):
                    self.accept_headers = [
                        (bytes(k), bytes(v)) for k, v in event.get("headers", [])
                    ]
                self._settle("accepted")
            case "websocket.send":
                data = event.get("bytes")
                message: str | bytes = data if data is not None else event.get("text") or ""
                if message or self.profile.delivers_empty_messages:
                    self.messages.append(message)
                    self.readable.set()
            case "websocket.close":
                self._app_closed(event.get("code", _NORMAL), event.get("reason") or "")
            case "websocket.http.response.start":
                self.denial_status = event["status"]
                self.denial_headers = [(bytes(k), bytes(v)) for k, v in event.get("headers", [])]
            case "websocket.http.response.body":
                self.denial_body += event.get("body", b"")
                if not event.get("more_body", False):
                    self._settle("denied")
            case _:
                pass

    def _app_closed(self, code: int, reason: str) -> None:
        if not self.handshake.done():
            self._settle("closed")
            return
        if not self.profile.any_close_code and code != _NORMAL and not 3000 <= code <= 4999:
            code, reason = _INTERNAL_ERROR, ""
        if not spec_at_least(self.profile.websocket_spec_version, (2, 3)):
            reason = ""
        self.close_code, self.close_reason = code, reason
        self.run.gone()
        self.to_app.put_nowait({"type": "websocket.disconnect", "code": code})
        self.readable.set()

    def _settle(self, outcome: _Outcome) -> None:
        if not self.handshake.done():
            self.handshake.set_result(outcome)

    def leave(self) -> None:
        """The client vanished without a close frame."""
        if self.run.client_gone:
            return
        self.run.gone()
        self.close_code = _ABNORMAL
        self.to_app.put_nowait(
            {"type": "websocket.disconnect", "code": self.profile.abrupt_close_code}
        )
        self._settle("gone")
        self.readable.set()

    # The client's side

    def app_ended(self, task: asyncio.Task[None]) -> None:
        """The app returned or raised: the server closes the connection."""
        if self.close_code is None and self.handshake.done():
            failed = task.cancelled() or task.exception() is not None
            self.close_code = _INTERNAL_ERROR if failed else _NORMAL
        self.readable.set()

    def put(self, event: ReceiveEvent) -> None:
        """Queue an event from the client, applying byte-count faults to messages."""
        if self.close_code is not None:
            raise WebSocketClosed(self.close_code, self.close_reason)
        if event["type"] == "websocket.receive":
            text = event.get("text")
            data = event.get("bytes")
            self.client_bytes += len(text.encode()) if text is not None else len(data or b"")
            limit = self.run.plan.request_byte_limit
            if limit is not None and self.client_bytes > limit:
                self.leave()
                return
        self.to_app.put_nowait(event)

    async def next_message(self) -> str | bytes:
        """The app's next message; ``WebSocketClosed`` once the connection is closed."""
        task = self.run.task
        assert task is not None
        while not self.messages:
            if self.close_code is not None:
                if self.run.done:
                    await self.run.finish()
                raise WebSocketClosed(self.close_code, self.close_reason)
            self.readable.clear()
            try:
                await wait_first(self.readable.wait(), task, self.timeout)
            except TimeoutError:
                raise TimeoutError(
                    f"the app sent no websocket message within {self.timeout} s"
                ) from None
            if task.done() and not self.messages and self.close_code is None:
                await self.run.finish()
                self.app_ended(task)
        return self.messages.popleft()

    async def close(self, code: int, reason: str) -> None:
        """Close from the client side, then wait for the app to end."""
        if self.close_code is None:
            event: ReceiveEvent = {"type": "websocket.disconnect", "code": code}
            if spec_at_least(self.profile.websocket_spec_version, (2, 5)):
                event = {"type": "websocket.disconnect", "code": code, "reason": reason}
            self.to_app.put_nowait(event)
            self.close_code, self.close_reason = code, reason
            self.run.gone()
        await self.run.finish()


@final
class WebSocketSession:
    """An open websocket connection to the app, from the client's side.

    Reads wait at most the client's read timeout and raise ``TimeoutError`` after it; once the
    app has closed the connection (or it dropped) reads and writes raise ``WebSocketClosed``.
    """

    def __init__(self, exchange: _Exchange) -> None:
        self._exchange = exchange

    @property
    def scope(self) -> WebSocketScope:
        """The scope the app was called with."""
        return self._exchange.scope

    @property
    def subprotocol(self) -> str | None:
        """The subprotocol the app accepted, if any."""
        return self._exchange.subprotocol

    @property
    def accept_headers(self) -> httpx.Headers:
        """The headers the app sent with ``websocket.accept`` (as far as the server delivers them)."""
        return httpx.Headers(self._exchange.accept_headers)

    @property
    def close_code(self) -> int | None:
        """The close code once the connection is closed (1006 if it dropped), else ``None``."""
        return self._exchange.close_code

    @property
    def close_reason(self) -> str:
        """The close reason once the connection is closed by the app, else ``""``."""
        return self._exchange.close_reason

    @property
    def events(self) -> list[SendEvent]:
        """Every event the app sent on this connection, in order."""
        return self._exchange.run.events

    async def send_text(self, data: str) -> None:
        """Send a text message to the app."""
        self._exchange.put({"type": "websocket.receive", "text": data})

    async def send_bytes(self, data: bytes) -> None:
        """Send a binary message to the app."""
        self._exchange.put({"type": "websocket.receive", "bytes": data})

    async def send_json(self, data: JSONValue, *, binary: bool = False) -> None:
        """Send ``data`` as compact JSON, in a text message (or a binary one if ``binary``)."""
        encoded = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        if binary:
            await self.send_bytes(encoded.encode())
        else:
            await self.send_text(encoded)

    async def receive(self) -> str | bytes:
        """The app's next message: ``str`` for text, ``bytes`` for binary."""
        return await self._exchange.next_message()

    async def receive_text(self) -> str:
        """The app's next message, which must be text."""
        message = await self.receive()
        if not isinstance(message, str):
            raise TypeError("expected a text message, the app sent a binary one")
        return message

    async def receive_bytes(self) -> bytes:
        """The app's next message, which must be binary."""
        message = await self.receive()
        if not isinstance(message, bytes):
            raise TypeError("expected a binary message, the app sent a text one")
        return message

    async def receive_json(self) -> JSONValue:
        """The app's next message (text or binary) decoded as JSON."""
        return cast("JSONValue", json.loads(await self.receive()))

    async def close(self, code: int = _NORMAL, reason: str = "") -> None:
        """Close the connection (``websocket.disconnect`` for the app) and wait for the app to end."""
        await self._exchange.close(code, reason)


_HANDSHAKE_HEADERS: Final = (
    ("connection", "upgrade"),
    ("upgrade", "websocket"),
    ("sec-websocket-version", "13"),
)
"""Headers of every websocket handshake request (the key is added per connection)."""


def handshake_request(request: httpx.Request, subprotocols: Iterable[str]) -> httpx.Request:
    """``request`` with the websocket upgrade headers a browser would add."""
    for name, value in _HANDSHAKE_HEADERS:
        request.headers[name] = value
    request.headers["sec-websocket-key"] = secrets.token_urlsafe(16)
    offered = list(subprotocols)
    if offered:
        request.headers["sec-websocket-protocol"] = ", ".join(offered)
    return request


@asynccontextmanager
async def connect(
    transport: AppTransport,
    request: httpx.Request,
    subprotocols: Iterable[str],
    timeout: float | None,
) -> AsyncGenerator[WebSocketSession, None]:
    """Open a websocket to the transport's app; close it (and wait for the app) on exit."""
    offered = list(subprotocols)
    scope = transport.websocket_scope(handshake_request(request, offered), offered)
    profile = transport.profile
    checker = (
        WebSocketChecker(
            spec_version=profile.websocket_spec_version,
            extensions=set(profile.websocket_extensions or {}),
            subprotocols=offered,
        )
        if transport.check_conformance
        else None
    )
    plan = FaultPlan((*transport.faults, *active_faults()))
    run = AppRun(
        checker=checker,
        raise_app_exceptions=transport.raise_app_exceptions,
        shutdown_timeout=transport.shutdown_timeout,
        plan=plan,
        send_raises=profile.websocket_send_raises,
    )
    exchange = _Exchange(
        scope=scope,
        run=run,
        profile=profile,
        timeout=timeout,
    )
    if plan.leaves_after_events(0):
        exchange.leave()  # gone during the handshake: the app reads websocket.disconnect first
    else:
        exchange.put({"type": "websocket.connect"})
    task = run.start(lambda: transport.app(scope, exchange.receive, exchange.send))
    task.add_done_callback(exchange.app_ended)
    try:
        answered = await wait_first(exchange.handshake, task, timeout)
    except TimeoutError:
        await run.cancel()
        raise TimeoutError(
            f"the app did not answer the websocket handshake within {timeout} s"
        ) from None
    outcome = exchange.handshake.result() if answered else None
    if outcome != "accepted":
        await run.finish()
        if outcome == "gone":
            raise WebSocketClosed(_ABNORMAL, "the client disconnected during the handshake")
        status = 500 if outcome is None else exchange.denial_status
        headers = exchange.denial_headers if outcome == "denied" else []
        response = httpx.Response(
            status, headers=headers, content=bytes(exchange.denial_body), request=request
        )
        raise WebSocketDenied(response)
    session = WebSocketSession(exchange)
    try:
        yield session
    finally:
        await exchange.close(_NORMAL, "")
