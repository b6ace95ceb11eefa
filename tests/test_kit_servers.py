"""The kit example (examples/kit.py) under real servers over HTTP/1.1: lifespan state reaches
requests, negotiation picks the format, the error boundary answers body errors, and a client
leaving an endless SSE stream leaves nothing in the server's log.

daphne is not in the matrix: it does not run the lifespan protocol, so there is no state.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Final, cast

import httpx
import pytest

from tests.servers import ServerKind, ServerProcess, serve_logged

APP: Final = "examples.kit:app"
TIMEOUT: Final = 15.0
KIT_SERVERS: Final[tuple[ServerKind, ...]] = ("uvicorn-h11", "uvicorn-httptools", "hypercorn", "granian")

@pytest.fixture(scope="module", params=KIT_SERVERS)
def server(request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    with serve_logged(cast("ServerKind", request.param), APP, startup_timeout=TIMEOUT) as running:
        yield running


async def test_lifespan_state_reaches_requests_and_persists(client: httpx.AsyncClient) -> None:
    first = await client.get("/notes", headers={"accept": "application/json"})
    assert first.status_code == 200
    assert first.json()[0] == {"text": "asgikit kit example"}
    created = await client.post("/notes", json={"text": "from a test"})
    assert (created.status_code, created.content) == (201, b'{"text":"from a test"}')
    again = await client.get("/notes", headers={"accept": "application/json"})
    assert {"text": "from a test"} in again.json()


@pytest.mark.parametrize(
    ("accept", "media_type", "start"),
    [
        ("text/html", "text/html; charset=utf-8", b"<ul><li>asgikit kit example</li>"),
        ("text/plain, text/html;q=0.5", "text/plain; charset=utf-8", b"- asgikit kit example\n"),
        ("*/*", "application/json", b'[{"text":"asgikit kit example"}'),
    ],
)
async def test_notes_are_negotiated(
    client: httpx.AsyncClient, accept: str, media_type: str, start: bytes
) -> None:
    response = await client.get("/notes", headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.content.startswith(start)


async def test_nothing_acceptable_is_406(client: httpx.AsyncClient) -> None:
    response = await client.get("/notes", headers={"accept": "image/png"})
    assert (response.status_code, response.content) == (406, b"Not Acceptable: try application/json")


async def test_body_errors_are_answered_by_the_boundary(
    server: ServerProcess, client: httpx.AsyncClient
) -> None:
    malformed = await client.post("/notes", content=b"{", headers={"content-type": "application/json"})
    wrong_shape = await client.post("/notes", json={"title": 1})
    too_big = await client.post("/notes", json={"text": "x" * 5000})
    problem = await client.post(
        "/notes", content=b"", headers={"content-type": "application/json", "accept": "application/json"}
    )
    assert [r.status_code for r in (malformed, wrong_shape, too_big, problem)] == [400, 422, 413, 400]
    assert malformed.headers["content-type"] == "text/plain; charset=utf-8"
    assert malformed.text.startswith("400 Bad Request: the request body is not valid JSON")
    assert problem.headers["content-type"] == "application/problem+json"
    assert problem.json() == {
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "detail": "request body is empty; expected JSON",
    }
    assert server.errors_logged() == []


async def test_upload_reports_files_and_fields(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/upload", data={"note": "hi"}, files={"doc": ("../../etc/passwd", b"0123456789", "text/plain")}
    )
    assert response.status_code == 200
    assert response.json() == {"fields": {"note": "hi"}, "files": {"passwd": 10}}


async def test_a_client_leaving_an_sse_stream_logs_nothing(
    server: ServerProcess, client: httpx.AsyncClient
) -> None:
    async with client.stream("GET", "/events", params={"interval_ms": "50"}) as response:
        assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
        lines = response.aiter_lines()
        first = [await anext(lines) for _ in range(3)]
    assert first[0] == "event: count"
    assert first[1] == "id: 0"
    assert first[2].startswith("data: ")
    # The handler notices within an event or two (50 ms each) and must end quietly.
    await asyncio.sleep(1.5)
    assert (await client.get("/notes")).status_code == 200
    assert server.errors_logged() == []


@pytest.mark.parametrize("interval", ["0", "9", "60001", "-5", "1e3", "9" * 40])
async def test_bad_event_intervals_are_400(client: httpx.AsyncClient, interval: str) -> None:
    response = await client.get("/events", params={"interval_ms": interval})
    assert (response.status_code, response.content) == (400, b"interval_ms: 10-60000")


async def test_websocket_handshakes_are_rejected(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/notes",
        headers={
            "connection": "upgrade",
            "upgrade": "websocket",
            "sec-websocket-version": "13",
            "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        },
    )
    assert response.status_code == 403
