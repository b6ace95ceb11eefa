"""Regressions for defects found in review: full-duplex streaming, body-less streams noticing
disconnects, respond_file with body-less statuses, early hints given one str, JSON in
non-UTF-8 encodings, and non-bytes bodies."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import cast

import pytest

from asgikit import ClientDisconnectError, Request, Response
from asgikit.asgi import HTTPScope, ReceiveEvent, SendEvent
from tests.conftest import Recorder, Script, http_scope


async def test_full_duplex_echo_is_not_starved_by_the_disconnect_watcher(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("asgikit._disconnect.WATCH_AFTER", 0.0)
    queue: asyncio.Queue[ReceiveEvent] = asyncio.Queue()

    async def feed() -> None:
        for i in range(5):
            await asyncio.sleep(0.005)
            queue.put_nowait({"type": "http.request", "body": b"c%d" % i, "more_body": i < 4})

    feeder = asyncio.create_task(feed())
    send = Recorder()
    request = Request(http_scope(method="POST", spec_version="2.3"), queue.get, send)
    async with request.response_writer() as write:
        async for chunk in request.body:
            await write(chunk)
    await feeder
    bodies = [event.get("body") for event in send.events if event["type"] == "http.response.body"]
    assert bodies == [b"c0", b"c1", b"c2", b"c3", b"c4", b""]


async def forever() -> AsyncIterator[str]:
    while True:
        yield "tick"
        await asyncio.sleep(0)


async def test_head_sse_ends_without_reading_the_events() -> None:
    send = Recorder()
    await asyncio.wait_for(Request(http_scope(method="HEAD"), Script(), send).respond_sse(forever()), 2)
    assert [event["type"] for event in send.events] == ["http.response.start", "http.response.body"]
    assert send.events[1] == {"type": "http.response.body", "body": b""}


async def test_head_stream_ends_without_reading_the_stream() -> None:
    send = Recorder()
    request = Request(http_scope(method="HEAD"), Script(), send)
    await asyncio.wait_for(request.respond_stream(forever()), 2)
    assert send.events[-1] == {"type": "http.response.body", "body": b""}


@pytest.mark.parametrize("spec", ["2.3", "2.4"])
async def test_head_response_writer_notices_a_disconnect(spec: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("asgikit._disconnect.WATCH_AFTER", 0.0)
    request = Request(http_scope(method="HEAD", spec_version=spec), Script(), Recorder())

    async def run() -> None:
        async with request.response_writer() as write:
            while True:
                await write(b"dropped")
                await asyncio.sleep(0)

    with pytest.raises(ClientDisconnectError):
        await asyncio.wait_for(run(), 2)


@pytest.mark.parametrize("status", [204, 304])
async def test_respond_file_refuses_bodyless_statuses(status: int, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"hello")
    scope: HTTPScope = {**http_scope(), "extensions": {"http.response.pathsend": {}}}
    send = Recorder()
    with pytest.raises(ValueError, match="no body"):
        await Response(scope, Script(), send).respond_file(path, status=status)
    assert send.events == []


async def test_early_hints_take_a_single_str_as_one_link() -> None:
    scope: HTTPScope = {**http_scope(), "extensions": {"http.response.early_hint": {}}}
    send = Recorder()
    await Response(scope, Script(), send).send_early_hints("</a.css>; rel=preload")
    assert send.events == [{"type": "http.response.early_hint", "links": [b"</a.css>; rel=preload"]}]


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
async def test_json_in_a_narrow_encoding_escapes_what_it_cannot_encode(encoding: str) -> None:
    send = Recorder()
    document = {"a": "é€😀"}
    await Request(http_scope(), Script(), send).respond_json(document, encoding=encoding)
    body_event = cast("dict[str, object]", send.events[1])
    body = cast(bytes, body_event["body"])
    assert json.loads(body.decode(encoding)) == document


async def test_respond_bytes_rejects_str_and_copies_bytes_like() -> None:
    send = Recorder()
    untyped = cast(bytes, "not bytes")
    with pytest.raises(TypeError, match="must be bytes"):
        await Request(http_scope(), Script(), send).respond_bytes(untyped)
    assert send.events == []
    await Request(http_scope(), Script(), send).respond_bytes(cast(bytes, bytearray(b"ab")))
    sent: list[SendEvent] = send.events
    assert sent[1] == {"type": "http.response.body", "body": b"ab"}
