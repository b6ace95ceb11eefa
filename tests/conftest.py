"""Shared test doubles: scripted ASGI receive/send pairs, scopes, the open-descriptor count,
and an httpx client for the real server of a test module (its ``server`` fixture)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterable

import httpx
import pytest

from asgikit.asgi import HTTPScope, ReceiveEvent, SendEvent, WebSocketScope
from tests.servers import SERVER_TIMEOUT, ServerProcess


class Recorder:
    """A ``send`` that records every event."""

    def __init__(self) -> None:
        self.events: list[SendEvent] = []

    async def __call__(self, event: SendEvent, /) -> None:
        self.events.append(event)


class FailingSend:
    """A ``send`` whose client is gone from call number ``fail_at`` (1-based) on: that call and
    every later one raise ``OSError``, as ASGI spec 2.4 servers do. ``events`` records every
    event the app tried to send, the failing ones included."""

    def __init__(self, fail_at: int) -> None:
        self.fail_at = fail_at
        self.events: list[SendEvent] = []

    async def __call__(self, event: SendEvent, /) -> None:
        self.events.append(event)
        if len(self.events) >= self.fail_at:
            raise OSError("connection reset by peer")


class Script:
    """A ``receive`` that replays events, then reports a disconnect forever."""

    def __init__(self, events: Iterable[ReceiveEvent] = (), *, websocket: bool = False) -> None:
        self.events = list(events)
        self.calls = 0
        self.websocket = websocket

    async def __call__(self) -> ReceiveEvent:
        self.calls += 1
        if self.events:
            return self.events.pop(0)
        if self.websocket:
            return {"type": "websocket.disconnect", "code": 1006}
        return {"type": "http.disconnect"}


def http_scope(
    *,
    method: str = "GET",
    path: str = "/",
    query_string: bytes = b"",
    headers: list[tuple[bytes, bytes]] | None = None,
    spec_version: str = "2.4",
) -> HTTPScope:
    """A complete HTTP scope as uvicorn would send it."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": spec_version},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query_string,
        "root_path": "",
        "headers": headers or [],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


def websocket_scope(
    *,
    subprotocols: list[str] | None = None,
    spec_version: str = "2.4",
    extensions: dict[str, dict[object, object]] | None = None,
) -> WebSocketScope:
    """A complete websocket scope."""
    return {
        "type": "websocket",
        "asgi": {"version": "3.0", "spec_version": spec_version},
        "http_version": "1.1",
        "scheme": "ws",
        "path": "/ws",
        "raw_path": b"/ws",
        "query_string": b"",
        "root_path": "",
        "headers": [],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "subprotocols": subprotocols or [],
        "extensions": extensions or {},
    }


def open_fds() -> int:
    """How many file descriptors this process has open (Linux): compare before and after to
    show that nothing leaked."""
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
def recorder() -> Recorder:
    """A fresh recording ``send``."""
    return Recorder()


@pytest.fixture
async def client(server: ServerProcess) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client for the module's real server: the test module defines a ``server``
    fixture that yields a ``ServerProcess`` (``tests.servers.serve_logged``)."""
    async with httpx.AsyncClient(base_url=server.url, timeout=SERVER_TIMEOUT) as http:
        yield http
