"""Conditional responses and ``is_disconnected()`` under real servers
(``tests/apps/polling_app.py``), with httpx as the client."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Final, cast

import httpx
import pytest

from tests.servers import SERVER_KINDS, ServerKind, ServerProcess, serve_logged, wait_for_record

APP: Final = "tests.apps.polling_app:app"
TIMEOUT: Final = 15.0
ETAG: Final = '"v1"'
DATE: Final = "Sun, 06 Nov 1994 08:49:37 GMT"


@pytest.fixture(scope="module", params=SERVER_KINDS)
def server(request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    """One server per kind for the module; fails on logged tracebacks."""
    with serve_logged(cast("ServerKind", request.param), APP, startup_timeout=TIMEOUT) as running:
        yield running
        assert not running.tracebacks_logged()


async def test_etag_and_last_modified_are_sent(client: httpx.AsyncClient) -> None:
    response = await client.get("/doc")
    assert response.status_code == 200
    assert response.headers["etag"] == ETAG
    assert response.headers["last-modified"] == DATE
    assert response.headers["x-other"] == "kept on 200 only"
    assert response.content == b"hello"


@pytest.mark.parametrize("conditions", [{"If-None-Match": 'W/"v1"'}, {"If-Modified-Since": DATE}])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
async def test_matching_conditions_give_304_without_body(
    client: httpx.AsyncClient, conditions: dict[str, str], method: str
) -> None:
    response = await client.request(method, "/doc", headers=conditions)
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == ETAG
    assert response.headers["last-modified"] == DATE
    assert response.headers["cache-control"] == "max-age=60"
    assert "x-other" not in response.headers
    assert "content-type" not in response.headers
    assert "content-length" not in response.headers or response.headers["content-length"] == "0"
    # the connection stays usable
    assert (await client.get("/doc")).content == b"hello"


async def test_failing_if_match_gives_412(client: httpx.AsyncClient) -> None:
    response = await client.post("/doc", headers={"If-Match": '"v0"'})
    assert response.status_code == 412
    assert response.content == b""


async def _outcome_of_a_prompt_stop(client: httpx.AsyncClient, key: str) -> object:
    """How the loop recorded under ``key`` ended, checking that it stopped within 500 loops
    (5 s) of the client leaving and left no poll pending."""
    record = await wait_for_record(client, key)
    loops = record["loops"]
    assert isinstance(loops, int) and 5 <= loops < 500
    assert record["pending"] == 0
    return record["outcome"]


async def test_polling_loop_stops_promptly_after_the_client_leaves(
    server: ServerProcess, client: httpx.AsyncClient
) -> None:
    key = f"wait-{server.kind}"
    async with httpx.AsyncClient(base_url=server.url, timeout=TIMEOUT) as leaving:
        request = asyncio.create_task(leaving.get(f"/wait?{key}"))
        await asyncio.sleep(0.3)
        request.cancel()  # closes the connection mid-request
        with pytest.raises(asyncio.CancelledError):
            await request
    assert await _outcome_of_a_prompt_stop(client, key) == "is_disconnected"


async def test_sse_loop_polling_is_disconnected_ends_when_the_client_leaves(
    server: ServerProcess, client: httpx.AsyncClient
) -> None:
    key = f"sse-{server.kind}"
    async with (
        httpx.AsyncClient(base_url=server.url, timeout=TIMEOUT) as leaving,
        leaving.stream("GET", f"/sse?{key}") as response,
    ):
        assert response.status_code == 200
        events = 0
        async for line in response.aiter_lines():
            events += line.startswith("data:")
            if events == 5:
                break
    # Depending on the server the loop learns it first from a poll or from the next write.
    outcome = await _outcome_of_a_prompt_stop(client, key)
    assert outcome in ("is_disconnected", "ClientDisconnectError")


async def test_a_poll_pending_when_the_response_ends_finishes_on_every_server(
    server: ServerProcess, client: httpx.AsyncClient
) -> None:
    key = f"answer-{server.kind}"
    assert (await client.get(f"/answer?{key}")).text == "answered"
    record = await wait_for_record(client, key)
    assert record == {"outcome": "completed", "polled": False, "pending": 0}
