"""``Request.is_disconnected()``: answers without waiting, never loses an event (scripted receive)."""

from __future__ import annotations

import asyncio
import gc
import warnings
from typing import cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asgikit import ClientDisconnectError, Request, WebSocketStateError
from asgikit._connection import connection_state
from asgikit._disconnect import WATCH_AFTER
from asgikit._polling import HOLD_LIMIT, POLLS_PER_CALL, polled_receive
from asgikit.asgi import HTTPScope, ReceiveEvent, SendEvent

from .conftest import Recorder, http_scope, websocket_scope

SPEC_VERSIONS = ["2.0", "2.1", "2.3", "2.4"]
"""daphne (2.0), hypercorn (2.1), uvicorn and granian (2.3), servers whose send fails (2.4)."""


class Channel:
    """A ``receive`` fed by the test: waits like a server until an event is put."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[ReceiveEvent] = asyncio.Queue()
        self.calls = 0
        self.returned = 0

    def put(self, *events: ReceiveEvent) -> None:
        for event in events:
            self.queue.put_nowait(event)

    async def __call__(self) -> ReceiveEvent:
        self.calls += 1
        event = await self.queue.get()
        self.returned += 1
        return event


def chunk(body: bytes, more: bool = True) -> ReceiveEvent:
    return {"type": "http.request", "body": body, "more_body": more}


DISCONNECT: ReceiveEvent = {"type": "http.disconnect"}


def make(
    spec_version: str = "2.4", method: str = "GET"
) -> tuple[Request, Channel, Recorder, HTTPScope]:
    channel = Channel()
    recorder = Recorder()
    scope = http_scope(spec_version=spec_version, method=method)
    return Request(scope, channel, recorder), channel, recorder, scope


@pytest.mark.parametrize("spec_version", SPEC_VERSIONS)
async def test_connected_client_answers_false_without_waiting(spec_version: str) -> None:
    request, channel, _, _ = make(spec_version)
    async with asyncio.timeout(1):
        assert await request.is_disconnected() is False
        assert await request.is_disconnected() is False
    assert channel.calls == 1  # the pending receive() is kept and reused, not repeated


@pytest.mark.parametrize("spec_version", SPEC_VERSIONS)
async def test_empty_get_body_is_kept_and_a_later_disconnect_is_seen(spec_version: str) -> None:
    request, channel, _, _ = make(spec_version)
    channel.put(chunk(b"", more=False))
    assert await request.is_disconnected() is False
    assert await request.body.read_bytes() == b""
    channel.put(DISCONNECT)
    assert await request.is_disconnected() is True
    assert channel.calls == channel.returned == 2


@pytest.mark.parametrize("spec_version", SPEC_VERSIONS)
async def test_one_byte_chunks_arriving_during_polls_are_all_read(spec_version: str) -> None:
    request, channel, _, _ = make(spec_version, "POST")
    for byte in b"abcd":
        channel.put(chunk(bytes([byte])))
        assert await request.is_disconnected() is False
    channel.put(chunk(b"e", more=False))
    assert await request.is_disconnected() is False
    assert await request.body.read_bytes() == b"abcde"
    assert channel.calls == 6  # five chunks and the receive() still pending
    assert channel.returned == 5


@pytest.mark.parametrize("spec_version", SPEC_VERSIONS)
async def test_polled_chunks_come_first_then_the_stream_continues(spec_version: str) -> None:
    request, channel, _, _ = make(spec_version, "POST")
    channel.put(chunk(b"a"), chunk(b"b"))
    assert await request.is_disconnected() is False
    channel.put(chunk(b"c"), chunk(b"d", more=False))
    received = [piece async for piece in request.body]
    assert b"".join(received) == b"abcd"
    assert received[0] == b"ab"  # held chunks are merged into one


@pytest.mark.parametrize("spec_version", SPEC_VERSIONS)
async def test_disconnect_after_body_is_recorded_for_reads_and_writes(spec_version: str) -> None:
    request, channel, recorder, _ = make(spec_version, "POST")
    channel.put(chunk(b"x", more=False), DISCONNECT)
    assert await request.is_disconnected() is True
    assert await request.is_disconnected() is True
    with pytest.raises(ClientDisconnectError):
        await request.body.read_bytes()
    with pytest.raises(ClientDisconnectError):
        async with request.response_writer() as write:
            await write(b"data")
    assert channel.calls == 2
    assert [event["type"] for event in recorder.events] == ["http.response.start"]


@pytest.mark.parametrize("spec_version", SPEC_VERSIONS)
async def test_pending_receive_is_handed_to_the_reader_not_cancelled(spec_version: str) -> None:
    request, channel, _, _ = make(spec_version, "POST")
    assert await request.is_disconnected() is False
    reader = asyncio.create_task(request.body.read_bytes())
    await asyncio.sleep(0)
    channel.put(chunk(b"late", more=False))
    async with asyncio.timeout(1):
        assert await reader == b"late"
    assert channel.calls == 1


async def test_a_body_reader_owns_receive_so_polls_do_not_receive() -> None:
    request, channel, _, _ = make("2.4", "POST")
    reader = asyncio.create_task(request.body.read_bytes())
    await asyncio.sleep(0)
    assert await request.is_disconnected() is False
    assert channel.calls == 1
    channel.put(chunk(b"ok", more=False))
    assert await reader == b"ok"


async def test_ready_events_are_received_at_most_polls_per_call() -> None:
    request, channel, _, _ = make("2.4", "POST")
    channel.put(*(chunk(b"z") for _ in range(POLLS_PER_CALL + 3)))
    assert await request.is_disconnected() is False
    assert channel.returned == POLLS_PER_CALL
    channel.put(chunk(b"", more=False))
    assert await request.body.read_bytes() == b"z" * (POLLS_PER_CALL + 3)


async def test_polls_hold_at_most_hold_limit_bytes() -> None:
    request, channel, _, _ = make("2.4", "POST")
    big = b"x" * (HOLD_LIMIT // 2)
    channel.put(chunk(big), chunk(big), chunk(big), DISCONNECT)
    assert await request.is_disconnected() is False
    assert channel.returned == 2  # stopped once HOLD_LIMIT bytes were held
    assert await request.is_disconnected() is False
    assert channel.returned == 2
    with pytest.raises(ClientDisconnectError):
        await request.body.read_bytes(max_body_size=10 * HOLD_LIMIT)


async def test_send_failure_is_reported_without_receiving() -> None:
    channel = Channel()

    async def failing(event: SendEvent) -> None:
        raise OSError("connection reset")

    request = Request(http_scope(spec_version="2.4"), channel, failing)
    with pytest.raises(ClientDisconnectError):
        await request.respond_text("hi")
    assert await request.is_disconnected() is True
    assert channel.calls == 0


async def test_disconnect_watch_takes_polled_events_and_reports_the_disconnect() -> None:
    request, channel, _, _ = make("2.3")
    channel.put(chunk(b"", more=False))
    assert await request.is_disconnected() is False
    async with asyncio.timeout(5):
        with pytest.raises(ClientDisconnectError):
            async with request.response_writer() as write:
                await write(b"first")
                await asyncio.sleep(WATCH_AFTER * 1.5)
                await write(b"starts the watch")
                assert await request.is_disconnected() is False  # the watch owns receive()
                channel.put(DISCONNECT)
                while not await request.is_disconnected():
                    await asyncio.sleep(0.001)
                await write(b"too late")
    assert channel.returned == 2


async def test_receive_failure_propagates_once_and_is_never_unretrieved() -> None:
    request, _, _, _ = make()

    async def broken() -> ReceiveEvent:
        raise RuntimeError("server bug")

    request.receive = broken
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RuntimeError, match="server bug"):
            await request.is_disconnected()
        gc.collect()


async def test_unexpected_event_is_kept_for_the_reader() -> None:
    request, channel, _, _ = make("2.4", "POST")
    channel.put({"type": "websocket.connect"})
    assert await request.is_disconnected() is False
    assert await request.is_disconnected() is False
    assert channel.calls == 1
    with pytest.raises(ClientDisconnectError, match=r"unexpected 'websocket\.connect'"):
        await request.body.read_bytes()


async def test_a_non_event_from_a_broken_server_is_kept_for_the_reader() -> None:
    request, channel, _, _ = make("2.4", "POST")
    channel.put(cast("ReceiveEvent", None))
    assert await request.is_disconnected() is False
    assert await request.is_disconnected() is False
    assert channel.calls == 1
    with pytest.raises(ClientDisconnectError, match="unexpected None event"):
        await request.body.read_bytes()


async def test_websocket_scope_raises_a_clear_error() -> None:
    request = Request(websocket_scope(), Channel(), Recorder())
    with pytest.raises(WebSocketStateError, match="is_disconnected\\(\\) is for HTTP requests"):
        await request.is_disconnected()


def test_without_asyncio_only_known_facts_are_reported() -> None:
    request, channel, _, _ = make()
    coroutine = request.is_disconnected()
    with pytest.raises(StopIteration) as stopped:
        coroutine.send(None)
    assert stopped.value.value is False
    assert channel.calls == 0


async def test_no_poll_task_outlives_a_handled_disconnect() -> None:
    request, channel, _, _ = make("2.3")
    for _ in range(3):
        assert await request.is_disconnected() is False
    channel.put(chunk(b"", more=False), DISCONNECT)
    assert await request.is_disconnected() is True
    current = asyncio.current_task()
    assert [task for task in asyncio.all_tasks() if task is not current] == []


async def test_a_cancelled_reader_leaves_the_pending_receive_for_the_next() -> None:
    request, channel, _, scope = make("2.4", "POST")
    assert await request.is_disconnected() is False
    state = connection_state(scope)
    receive = polled_receive(state, channel)

    async def read_one() -> ReceiveEvent:
        return await receive()

    reader = asyncio.create_task(read_one())
    await asyncio.sleep(0)
    reader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reader
    channel.put(chunk(b"kept", more=False))
    assert await request.body.read_bytes() == b"kept"
    assert channel.calls == 1


@settings(max_examples=60, deadline=None)
@given(
    chunks=st.lists(st.binary(max_size=4), min_size=1, max_size=8),
    polls=st.lists(st.integers(0, 3), min_size=8, max_size=8),
    stream=st.booleans(),
    spec_version=st.sampled_from(SPEC_VERSIONS),
)
def test_polls_between_chunks_never_lose_or_reorder_bytes(
    chunks: list[bytes], polls: list[int], stream: bool, spec_version: str
) -> None:
    async def scenario() -> None:
        request, channel, _, _ = make(spec_version, "POST")
        for index, piece in enumerate(chunks):
            channel.put(chunk(piece, more=index < len(chunks) - 1))
            for _ in range(polls[index]):
                assert await request.is_disconnected() is False
        if stream:
            body = b"".join([piece async for piece in request.body])
        else:
            body = await request.body.read_bytes()
        assert body == b"".join(chunks)
        assert channel.returned == len(chunks)
        channel.put(DISCONNECT)
        assert await request.is_disconnected() is True

    asyncio.run(scenario())
