"""The in-process Client against the real servers: tests/apps/http_app.py served by each real
server (uvicorn h11 and httptools, hypercorn, granian, daphne) and run through
``Client(server=<its profile>)`` answers every matrix request with the same status, headers and
body; tests/apps/ws_app.py gives the same accept headers, messages, close codes and reasons,
and handshake refusals both ways. Headers the server adds on its own (date, server, connection framing) are left out, and
so are differences that change no meaning: the relative order of different header names
(Granian moves content-length last) and JSON key order (Hypercorn's ``asgi`` dict)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final, cast

import httpx
import pytest

from asgikit import WebSocketDisconnect
from asgikit.testing import Client, ServerName, WebSocketClosed, WebSocketDenied
from tests.apps import http_app, ws_app
from tests.servers import SERVER_KINDS, ServerKind, ServerProcess, serve_logged, start_server

APP: Final = "tests.apps.http_app:app"
TIMEOUT: Final = 15.0

PROFILE: Final[dict[ServerKind, ServerName]] = {
    "uvicorn-h11": "uvicorn",
    "uvicorn-httptools": "uvicorn",
    "hypercorn": "hypercorn",
    "granian": "granian",
    "daphne": "daphne",
}
"""The profile that stands for each real server."""

SERVER_ADDED: Final = frozenset({"date", "server", "transfer-encoding", "connection", "keep-alive"})
"""Headers servers add or change on their own: not the app's, not compared."""


@dataclass(frozen=True)
class Case:
    """One request of the matrix."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    data: tuple[tuple[str, str], ...] = ()
    files: tuple[tuple[str, tuple[str, bytes, str]], ...] = ()

    def __str__(self) -> str:
        return f"{self.method} {self.path}" + (f" {dict(self.headers)}" if self.headers else "")


CASES: Final = [
    Case("GET", "/text"),
    Case("HEAD", "/text"),
    Case("GET", "/json"),
    Case("GET", "/redirect/temporary"),
    Case("GET", "/redirect/permanent"),
    Case("POST", "/redirect/see-other"),
    Case("GET", "/cookies"),
    Case("GET", "/ndjson?20"),
    Case("POST", "/form", data=(("name", "Ada Lovelace"), ("tags", "a&b=c"), ("e", "\u00e9"))),
    Case(
        "POST",
        "/form",
        data=(("note", "small"),),
        files=(("upload", ("notes.txt", b"line 1\r\n--x\r\n", "text/plain")),),
    ),
    Case("GET", "/file"),
    Case("GET", "/file", headers=(("range", "bytes=10-19"),)),
    Case("GET", "/file", headers=(("range", "bytes=99999999-"),)),
    Case("GET", "/scope"),
    Case("GET", "/nope"),
]


@dataclass(frozen=True)
class Observed:
    """What the client saw, normalised."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


def observe(response: httpx.Response) -> Observed:
    """Status, the app's headers (stably sorted by name: same-name order kept) and the body
    (re-encoded with sorted keys when it is JSON)."""
    headers = sorted(
        (
            (name.lower(), value)
            for name, value in response.headers.multi_items()
            if name.lower() not in SERVER_ADDED
        ),
        key=lambda item: item[0],
    )
    body = response.content
    if response.headers.get("content-type") == "application/json" and body:
        body = json.dumps(response.json(), sort_keys=True).encode()
    return Observed(response.status_code, headers, body)


async def send(client: httpx.AsyncClient, case: Case) -> Observed:
    files = list(case.files) or None
    response = await client.request(
        case.method,
        case.path,
        headers=dict(case.headers),
        data=dict(case.data) or None,
        files=files,
    )
    return observe(response)


@pytest.fixture(scope="module", params=SERVER_KINDS)
def server(request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    """One server per kind for the module; fails on logged tracebacks."""
    with serve_logged(cast("ServerKind", request.param), APP, startup_timeout=TIMEOUT) as running:
        yield running
        assert not running.tracebacks_logged()


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_in_process_client_answers_like_the_real_server(
    server: ServerProcess, client: httpx.AsyncClient, case: Case
) -> None:
    expected = await send(client, case)
    async with Client(http_app.app, server=PROFILE[server.kind]) as in_process:
        actual = await send(in_process, case)
    assert actual == expected


# Websockets: tests/apps/ws_app.py under each real server, driven by the websockets library,
# against the same app through Client(server=<profile>).

WS_APP: Final = "tests.apps.ws_app:app"


@dataclass(frozen=True)
class WebSocketOutcome:
    """What a client saw on one websocket route: accept header, messages, close or refusal."""

    accept_header: str | None = None
    messages: tuple[str | bytes, ...] = ()
    close: tuple[int, str] | None = None
    refusal: tuple[int, bytes, str | None] | None = None


@dataclass(frozen=True)
class Script:
    """Messages to send on a route, then read until ``until`` arrives or the app closes."""

    path: str
    send: tuple[str | bytes, ...] = ()
    until: str | None = None

    def __str__(self) -> str:
        return self.path


WS_SCRIPTS: Final = [
    Script("/echo", ("héllo", b"\x00\xff", "", b"", "end"), until="end"),
    Script("/json", ('{"a": [1, null]}', "{")),
    Script("/close", ("x",)),
    Script("/headers", until="ok"),
    Script("/reject"),
    Script("/deny"),
]


async def real_websocket(url: str, script: Script) -> WebSocketOutcome:
    """Run ``script`` against a real server with the websockets library."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed, InvalidStatus

    received: list[str | bytes] = []
    try:
        async with connect(
            url.replace("http://", "ws://") + script.path, open_timeout=TIMEOUT, close_timeout=2
        ) as ws:
            header = ws.response.headers.get("x-asgikit") if ws.response else None
            for message in script.send:
                await ws.send(message)
            try:
                while not received or received[-1] != script.until:
                    received.append(await asyncio.wait_for(ws.recv(), TIMEOUT))
            except ConnectionClosed as closed:
                frame = closed.rcvd
                return WebSocketOutcome(
                    header, tuple(received), None if frame is None else (frame.code, frame.reason)
                )
            return WebSocketOutcome(header, tuple(received))
    except InvalidStatus as refused:
        response = refused.response
        return WebSocketOutcome(
            refusal=(
                response.status_code,
                bytes(response.body or b""),
                response.headers.get("x-denied"),
            )
        )


async def in_process_websocket(server: ServerName, script: Script) -> WebSocketOutcome:
    """Run ``script`` through ``Client(server=...)``."""
    outcome = WebSocketOutcome()
    async with Client(ws_app.app, server=server) as client:
        try:
            async with client.websocket_connect(script.path) as ws:
                header = ws.accept_headers.get("x-asgikit")
                received: list[str | bytes] = []
                for message in script.send:
                    await (
                        ws.send_text(message)
                        if isinstance(message, str)
                        else ws.send_bytes(message)
                    )
                try:
                    while not received or received[-1] != script.until:
                        received.append(await ws.receive())
                except WebSocketClosed as closed:
                    return WebSocketOutcome(header, tuple(received), (closed.code, closed.reason))
                outcome = WebSocketOutcome(header, tuple(received))
        except WebSocketDenied as denied:
            response = denied.response
            return WebSocketOutcome(
                refusal=(response.status_code, response.content, response.headers.get("x-denied"))
            )
        except WebSocketDisconnect:
            pass  # /headers waits in read() and lets the disconnect escape when the client leaves
    return outcome


@pytest.fixture(scope="module", params=SERVER_KINDS)
def ws_server(request: pytest.FixtureRequest) -> Iterator[tuple[ServerKind, str]]:
    kind = cast("ServerKind", request.param)
    with start_server(kind, WS_APP, startup_timeout=TIMEOUT) as url:
        yield kind, url


@pytest.mark.filterwarnings("ignore:the ASGI server implements websocket spec < 2.1:RuntimeWarning")
@pytest.mark.parametrize("script", WS_SCRIPTS, ids=str)
async def test_in_process_websockets_behave_like_the_real_server(
    ws_server: tuple[ServerKind, str], script: Script
) -> None:
    expected = await real_websocket(ws_server[1], script)
    assert await in_process_websocket(PROFILE[ws_server[0]], script) == expected
