"""HTTP/2 cleartext (prior knowledge) under real servers, with a real HTTP/2 client (``h2``).

tests/apps/h2_app.py served by hypercorn and granian (both speak h2c with their default
options; uvicorn has no HTTP/2, daphne only over TLS). What each server offers on HTTP/2, as
pinned below: hypercorn sends ``103 Early Hints`` and trailers (the latter only to requests
with ``TE: trailers``); granian offers neither extension, so asgikit skips both silently and
the response is otherwise the same. SSE and streamed downloads work on both.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from typing import Final, cast

import msgspec
import pytest

from tests.apps.h2_app import BODY_PARTS, HINT, download_bytes
from tests.h2client import h2_request
from tests.servers import ServerKind, ServerProcess, serve_logged

APP: Final = "tests.apps.h2_app:app"
TIMEOUT: Final = 15.0
H2_SERVERS: Final[tuple[ServerKind, ...]] = ("hypercorn", "granian")
OFFERS_EARLY_HINTS_AND_TRAILERS: Final[dict[ServerKind, bool]] = {"hypercorn": True, "granian": False}
TE_TRAILERS: Final = [(b"te", b"trailers")]
CHECKSUM: Final = hashlib.sha256(b"".join(BODY_PARTS)).hexdigest().encode()


def offers_extensions(server: ServerProcess) -> bool:
    """Whether ``server`` offers early hints and trailers over HTTP/2."""
    return OFFERS_EARLY_HINTS_AND_TRAILERS[server.kind]


@pytest.fixture(scope="module", params=H2_SERVERS)
def server(request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    with serve_logged(cast("ServerKind", request.param), APP, startup_timeout=TIMEOUT) as running:
        yield running


class Info(msgspec.Struct):
    http_version: str
    accepts_trailers: bool
    extensions: list[str]


async def test_requests_arrive_as_http2_with_the_te_header_understood(server: ServerProcess) -> None:
    plain = msgspec.json.decode((await h2_request(server.url, "/info")).body, type=Info)
    with_te = msgspec.json.decode(
        (await h2_request(server.url, "/info", headers=TE_TRAILERS)).body, type=Info
    )
    assert (plain.http_version, plain.accepts_trailers) == ("2", False)
    assert (with_te.http_version, with_te.accepts_trailers) == ("2", True)
    offered = {"http.response.early_hint", "http.response.trailers"} <= set(plain.extensions)
    assert offered is offers_extensions(server)


async def test_early_hints_arrive_before_the_response(server: ServerProcess) -> None:
    response = await h2_request(server.url, "/hints")
    assert response.status == 200
    assert response.body == b"hinted"
    if offers_extensions(server):
        assert len(response.informational) == 1
        hints = response.informational[0]
        assert hints[:2] == [(b":status", b"103"), (b"link", HINT.encode())]
    else:
        assert response.informational == []


async def test_trailers_follow_the_body_when_the_client_sends_te_trailers(server: ServerProcess) -> None:
    response = await h2_request(server.url, "/trailers", headers=TE_TRAILERS)
    assert response.status == 200
    assert response.body == b"".join(BODY_PARTS)
    assert response.ended
    if offers_extensions(server):
        assert response.trailers == [(b"x-checksum", CHECKSUM)]
    else:
        assert response.trailers is None


async def test_no_trailers_without_te_trailers(server: ServerProcess) -> None:
    response = await h2_request(server.url, "/trailers")
    assert (response.status, response.body, response.trailers) == (200, b"".join(BODY_PARTS), None)
    assert response.ended


async def test_server_sent_events_over_http2(server: ServerProcess) -> None:
    response = await h2_request(server.url, "/sse")
    assert response.status == 200
    assert response.header(b"content-type") == b"text/event-stream; charset=utf-8"
    assert response.body == b"".join(f"id: {n}\ndata: event {n}\n\n".encode() for n in range(5))
    assert response.ended


async def test_streamed_download_over_http2(server: ServerProcess) -> None:
    size = 1024 * 1024 + 123
    response = await h2_request(server.url, f"/download?{size}")
    assert response.status == 200
    assert response.header(b"content-length") is None
    assert len(response.chunks) > 1
    assert response.body == download_bytes(size)


async def test_a_client_leaving_an_http2_stream_logs_nothing(server: ServerProcess) -> None:
    response = await h2_request(server.url, "/sse?forever", stop_after=200)
    assert response.body.startswith(b"id: 0\ndata: event 0\n\n")
    assert not response.ended
    await asyncio.sleep(1.0)  # events every 20 ms: the handler has noticed by now
    assert (await h2_request(server.url, "/hints")).status == 200
    assert server.errors_logged() == []
