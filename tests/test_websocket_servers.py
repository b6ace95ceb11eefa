"""WebSocket under real servers: tests/apps/ws_app.py served by uvicorn (h11 and httptools,
``--ws websockets``), hypercorn, granian and daphne in subprocesses, driven by the
``websockets`` client.

What the servers report and do (observed with uvicorn 0.54, hypercorn 0.18, granian 2.8,
daphne 4.2), pinned per server in ``EXPECTED``:

- uvicorn: spec 2.4, extensions ``websocket.http.response``; ``send`` after the client left
  raises ``OSError`` (asgikit: ``WebSocketDisconnect(1006)``); an aborted client reads as 1005.
- hypercorn: spec 2.3, ``websocket.http.response``; sends after the client left are dropped
  silently; an aborted client reads as 1006.
- granian: spec 2.3, ``http.response.pathsend`` and ``websocket.http.response``; ignores
  ``headers`` in ``websocket.accept`` although it claims 2.3; an aborted client reads as 1005.
- daphne: ``asgi`` is only ``{"version": "3.0"}`` (spec 2.0: no accept headers, no close
  reason), no extensions, no ``http_version``; it silently drops empty text/binary messages
  and its websocket library refuses close codes other than 1000 and 3000-4999 (the app's
  ``close(1007)`` fails inside ``send`` and daphne closes with 1011).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.http11 import Response
from websockets.typing import Subprotocol

from tests.servers import SERVER_KINDS, ServerKind, start_server

APP = "tests.apps.ws_app:app"
TIMEOUT = 10.0


@dataclass(frozen=True)
class Expected:
    """What one server is known to do."""

    asgi: dict[str, str]
    extensions: list[str]
    http_version: str | None
    sends_accept_headers: bool
    sends_close_reason: bool
    sends_empty_messages: bool
    close_1007_arrives_as: int
    abrupt_disconnect_code: int
    send_raises_when_client_gone: bool


_UVICORN = Expected(
    asgi={"version": "3.0", "spec_version": "2.4"},
    extensions=["websocket.http.response"],
    http_version="1.1",
    sends_accept_headers=True,
    sends_close_reason=True,
    sends_empty_messages=True,
    close_1007_arrives_as=1007,
    abrupt_disconnect_code=1005,
    send_raises_when_client_gone=True,
)

EXPECTED: dict[ServerKind, Expected] = {
    "uvicorn-h11": _UVICORN,
    "uvicorn-httptools": _UVICORN,
    "hypercorn": replace(
        _UVICORN,
        asgi={"version": "3.0", "spec_version": "2.3"},
        abrupt_disconnect_code=1006,
        send_raises_when_client_gone=False,
    ),
    "granian": replace(
        _UVICORN,
        asgi={"version": "3.0", "spec_version": "2.3"},
        extensions=["http.response.pathsend", "websocket.http.response"],
        sends_accept_headers=False,
        send_raises_when_client_gone=False,
    ),
    "daphne": Expected(
        asgi={"version": "3.0"},
        extensions=[],
        http_version=None,
        sends_accept_headers=False,
        sends_close_reason=False,
        sends_empty_messages=False,
        close_1007_arrives_as=1011,
        abrupt_disconnect_code=1006,
        send_raises_when_client_gone=False,
    ),
}

_keys = itertools.count()


@dataclass(frozen=True)
class Server:
    kind: ServerKind
    url: str
    expected: Expected

    def ws(self, path: str) -> str:
        return self.url.replace("http://", "ws://", 1) + path


@pytest.fixture(scope="module", params=SERVER_KINDS)
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    kind: ServerKind = request.param
    with start_server(kind, APP) as url:
        yield Server(kind, url, EXPECTED[kind])


def ws_connect(url: str, *, subprotocols: list[str] | None = None) -> connect:
    return connect(
        url,
        subprotocols=None if subprotocols is None else [Subprotocol(s) for s in subprotocols],
        open_timeout=TIMEOUT,
        close_timeout=2,
    )


async def closed_frame(ws: ClientConnection) -> tuple[int, str]:
    """Wait for the server to close; return its close code and reason."""
    with pytest.raises(ConnectionClosed) as info:
        await ws.recv()
    rcvd = info.value.rcvd
    assert rcvd is not None
    return rcvd.code, rcvd.reason


async def report(server: Server, key: str) -> object:
    """Poll the app's record for ``key`` (bounded)."""
    for _ in range(100):
        async with ws_connect(server.ws(f"/report?{key}")) as ws:
            record = json.loads(await ws.recv())
        if record is not None:
            return record
        await asyncio.sleep(0.05)
    raise AssertionError(f"no record for {key}")


async def rejection(server: Server, path: str) -> Response:
    """The HTTP response of a handshake the app refuses."""
    async with asyncio.timeout(TIMEOUT):
        with pytest.raises(InvalidStatus) as info:
            async with ws_connect(server.ws(path)):
                pass
    return info.value.response


async def record_after_abort(server: Server, route: str) -> object:
    """Connect to ``/ROUTE?KEY``, wait for ``"ready"``, vanish, and return the app's record."""
    key = f"{route}-{next(_keys)}"
    async with asyncio.timeout(TIMEOUT):
        ws = await ws_connect(server.ws(f"/{route}?{key}"))
        assert await ws.recv() == "ready"
        ws.transport.abort()
        return await report(server, key)


async def test_scope_shows_what_the_server_implements(server: Server) -> None:
    async with asyncio.timeout(TIMEOUT), ws_connect(server.ws("/scope"), subprotocols=["a", "b"]) as ws:
        scope = json.loads(await ws.recv())
    assert scope == {
        "asgi": server.expected.asgi,
        "extensions": server.expected.extensions,
        "subprotocols": ["a", "b"],
        "http_version": server.expected.http_version,
    }


async def test_accept_with_offered_subprotocol(server: Server) -> None:
    async with asyncio.timeout(TIMEOUT), ws_connect(server.ws("/echo"), subprotocols=["chat.v1", "chat.v2"]) as ws:
        assert ws.subprotocol == "chat.v2"
        await ws.send("x")
        assert await ws.recv() == "x"


async def test_accept_without_subprotocol_when_none_matches(server: Server) -> None:
    async with asyncio.timeout(TIMEOUT), ws_connect(server.ws("/echo")) as ws:
        assert ws.subprotocol is None


async def test_accept_headers_reach_the_client_where_supported(server: Server) -> None:
    async with asyncio.timeout(TIMEOUT), ws_connect(server.ws("/headers")) as ws:
        assert await ws.recv() == "ok"
        header = ws.response.headers.get("x-asgikit") if ws.response else None
    assert header == ("yes" if server.expected.sends_accept_headers else None)


async def test_text_and_bytes_echo_keep_their_frame_type(server: Server) -> None:
    async with asyncio.timeout(TIMEOUT), ws_connect(server.ws("/echo")) as ws:
        messages: list[str | bytes] = ["héllo", b"\x00\xff", "x" * 70_000, b"\x01" * 70_000]
        for message in messages:
            await ws.send(message)
            assert await ws.recv() == message


async def test_empty_messages_echo_as_empty_not_none(server: Server) -> None:
    async with asyncio.timeout(TIMEOUT), ws_connect(server.ws("/echo")) as ws:
        await ws.send("")
        await ws.send(b"")
        await ws.send("end")
        received = [await ws.recv() for _ in range(3 if server.expected.sends_empty_messages else 1)]
    assert received == (["", b"", "end"] if server.expected.sends_empty_messages else ["end"])


async def test_json_echo_and_invalid_json_close(server: Server) -> None:
    async with asyncio.timeout(TIMEOUT), ws_connect(server.ws("/json")) as ws:
        await ws.send('{"a": [1, 2.5, null]}')
        assert await ws.recv() == '{"echo":{"a":[1,2.5,null]}}'
        await ws.send(b'["bin\xc3\xa9"]')
        assert await ws.recv() == '{"echo":["bin\u00e9"]}'
        await ws.send("{")
        code, reason = await closed_frame(ws)
    expected = server.expected
    if expected.close_1007_arrives_as == 1007:
        assert (code, reason) == (1007, "invalid JSON" if expected.sends_close_reason else "")
    else:
        assert code == expected.close_1007_arrives_as


async def test_server_close_with_code_and_reason(server: Server) -> None:
    async with asyncio.timeout(TIMEOUT), ws_connect(server.ws("/close")) as ws:
        await ws.send("x")
        code, reason = await closed_frame(ws)
    assert (code, reason) == (4001, "bye" if server.expected.sends_close_reason else "")


async def test_close_before_accept_is_an_http_403(server: Server) -> None:
    assert (await rejection(server, "/reject")).status_code == 403


async def test_denial_response_where_supported_else_403(server: Server) -> None:
    response = await rejection(server, "/deny")
    if "websocket.http.response" in server.expected.extensions:
        assert (response.status_code, response.body, response.headers.get("x-denied")) == (
            401,
            b"denied",
            "yes",
        )
    else:
        assert response.status_code == 403


async def test_client_abrupt_disconnect_raises_disconnect_then_closed(server: Server) -> None:
    record = await record_after_abort(server, "abrupt")
    assert record == {
        "read": "WebSocketDisconnect",
        "code": server.expected.abrupt_disconnect_code,
        "reason": None,
        "write_after": "WebSocketClosedError",
        "state": "CLOSED",
    }


async def test_writing_to_a_vanished_client(server: Server) -> None:
    record = await record_after_abort(server, "writer")
    if server.expected.send_raises_when_client_gone:
        assert record == {"ended": "WebSocketDisconnect", "code": 1006, "state": "CLOSED"}
    else:
        assert record == {"ended": "no error"}
