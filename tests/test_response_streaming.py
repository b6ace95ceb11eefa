"""Streaming responses: response_writer, respond_stream, respond_sse and client disconnects.

The disconnect rules: on spec >= 2.4 a ``send`` failing with ``OSError`` means the client left;
on older specs a watcher task started at the first streamed chunk waits for ``http.disconnect``.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from pathlib import Path
from typing import cast

import httpx
import pytest

from asgikit._connection import connection_state
from asgikit._exceptions import ClientDisconnectError, ResponseAlreadyEndedError
from asgikit._response import Response, Started
from asgikit._sse import ServerSentEvent
from asgikit.asgi import HTTPScope, Receive, ReceiveEvent, SendEvent

from .conftest import Recorder, Script, http_scope
from .servers import SERVER_KINDS, ServerKind, start_server

LISTENER_KEY = "asgikit.disconnect_listener"


def listener(scope: HTTPScope) -> asyncio.Task[None] | None:
    return cast("asyncio.Task[None] | None", cast("dict[str, object]", scope).get(LISTENER_KEY))


async def chunks(*items: bytes | str) -> AsyncIterator[bytes | str]:
    for item in items:
        yield item


# response_writer


async def test_response_writer_streams_chunks_and_ends_cleanly(recorder: Recorder) -> None:
    response = Response(http_scope(), Script(), recorder)
    async with response.response_writer(media_type="application/x-ndjson") as write:
        await write('{"n":1}\n')
        await write(b"")
        await write(b'{"n":2}\n')
    assert recorder.events == [
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/x-ndjson")],
        },
        {"type": "http.response.body", "body": b'{"n":1}\n', "more_body": True},
        {"type": "http.response.body", "body": b'{"n":2}\n', "more_body": True},
        {"type": "http.response.body", "body": b""},
    ]
    assert response.is_finished


async def test_response_writer_encodes_str_with_the_given_encoding(recorder: Recorder) -> None:
    response = Response(http_scope(), Script(), recorder)
    async with response.response_writer(
        201, media_type="text/plain", content_length=1, encoding="latin-1"
    ) as write:
        await write("é")
    assert recorder.events == [
        {
            "type": "http.response.start",
            "status": 201,
            "headers": [
                (b"content-type", b"text/plain; charset=latin-1"),
                (b"content-length", b"1"),
            ],
        },
        {"type": "http.response.body", "body": b"\xe9", "more_body": True},
        {"type": "http.response.body", "body": b""},
    ]


async def test_response_writer_error_propagates_and_leaves_the_body_unfinished(
    recorder: Recorder,
) -> None:
    response = Response(http_scope(), Script(), recorder)
    with pytest.raises(LookupError, match="boom"):
        async with response.response_writer() as write:
            await write(b"partial")
            raise LookupError("boom")
    # No last chunk: the server aborts the connection and the client sees the truncation.
    assert recorder.events == [
        {"type": "http.response.start", "status": 200, "headers": []},
        {"type": "http.response.body", "body": b"partial", "more_body": True},
    ]
    assert response.is_started
    assert not response.is_finished


async def test_response_writer_on_a_started_response_raises_before_sending(
    recorder: Recorder,
) -> None:
    response = Response(http_scope(), Script(), recorder)
    await response.respond_empty()
    with pytest.raises(ResponseAlreadyEndedError):
        async with response.response_writer() as write:
            await write(b"never")
    assert len(recorder.events) == 2


# respond_stream


async def test_respond_stream_sends_every_chunk_then_ends(recorder: Recorder) -> None:
    await Response(http_scope(), Script(), recorder).respond_stream(
        chunks("a", b"", b"b"), media_type="text/plain", headers={"x-a": "1"}
    )
    assert recorder.events == [
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"x-a", b"1")],
        },
        {"type": "http.response.body", "body": b"a", "more_body": True},
        {"type": "http.response.body", "body": b"b", "more_body": True},
        {"type": "http.response.body", "body": b""},
    ]


async def test_respond_stream_closes_the_generator_when_a_write_fails() -> None:
    closed: list[bool] = []

    async def endless() -> AsyncGenerator[bytes, None]:
        try:
            while True:
                yield b"x"
        finally:
            closed.append(True)

    async def failing_send(event: SendEvent, /) -> None:
        if event["type"] == "http.response.body":
            raise OSError("connection reset")

    response = Response(http_scope(), Script(), failing_send)
    with pytest.raises(ClientDisconnectError):
        await response.respond_stream(endless())
    assert closed == [True]


async def test_respond_stream_error_in_the_stream_propagates_unfinished(recorder: Recorder) -> None:
    async def broken() -> AsyncIterator[bytes]:
        yield b"first"
        raise RuntimeError("upstream failed")

    response = Response(http_scope(), Script(), recorder)
    with pytest.raises(RuntimeError, match="upstream failed"):
        await response.respond_stream(broken())
    assert [event["type"] for event in recorder.events] == [
        "http.response.start",
        "http.response.body",
    ]
    assert not response.is_finished


# respond_sse


async def test_respond_sse_sets_stream_headers_and_formats_events(recorder: Recorder) -> None:
    async def events() -> AsyncIterator[ServerSentEvent | str]:
        yield "hello"
        yield ServerSentEvent("a\nb", event="update", id="7")

    await Response(http_scope(), Script(), recorder).respond_sse(events())
    assert recorder.events == [
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"text/event-stream; charset=utf-8"),
                (b"cache-control", b"no-cache"),
                (b"x-accel-buffering", b"no"),
            ],
        },
        {"type": "http.response.body", "body": b"data: hello\n\n", "more_body": True},
        {
            "type": "http.response.body",
            "body": b"event: update\nid: 7\ndata: a\ndata: b\n\n",
            "more_body": True,
        },
        {"type": "http.response.body", "body": b""},
    ]


async def test_respond_sse_user_headers_replace_the_defaults(recorder: Recorder) -> None:
    async def no_events() -> AsyncIterator[str]:
        for event in list[str]():
            yield event

    await Response(http_scope(), Script(), recorder).respond_sse(
        no_events(), headers={"cache-control": "no-store"}
    )
    assert recorder.events[0] == {
        "type": "http.response.start",
        "status": 200,
        "headers": [
            (b"content-type", b"text/event-stream; charset=utf-8"),
            (b"x-accel-buffering", b"no"),
            (b"cache-control", b"no-store"),
        ],
    }


async def test_respond_sse_invalid_event_aborts_the_stream(recorder: Recorder) -> None:
    async def events() -> AsyncIterator[ServerSentEvent | str]:
        yield ServerSentEvent("x", event="bad\nevent")

    response = Response(http_scope(), Script(), recorder)
    with pytest.raises(ValueError, match="CR or LF"):
        await response.respond_sse(events())
    assert [event["type"] for event in recorder.events] == ["http.response.start"]


# disconnects on spec >= 2.4: send raises OSError


async def test_oserror_from_send_becomes_client_disconnect_error_chained() -> None:
    sent: list[SendEvent] = []

    async def send(event: SendEvent, /) -> None:
        if event["type"] == "http.response.body" and len(sent) >= 2:
            raise OSError("broken pipe")
        sent.append(event)

    scope = http_scope(spec_version="2.4")
    started = await Response(scope, Script(), send).start()
    await started.write(b"one", more_body=True)
    with pytest.raises(ClientDisconnectError) as caught:
        await started.write(b"two", more_body=True)
    assert isinstance(caught.value.__cause__, OSError)
    assert connection_state(scope).disconnected
    with pytest.raises(ClientDisconnectError):
        await started.write(b"three", more_body=True)
    await started.end()  # nothing sent to a client known to be gone
    assert len(sent) == 2
    assert listener(scope) is None  # spec 2.4: no watcher task


async def test_oserror_on_one_shot_response_becomes_client_disconnect_error() -> None:
    async def send(event: SendEvent, /) -> None:
        raise OSError("gone")

    scope = http_scope()
    with pytest.raises(ClientDisconnectError):
        await Response(scope, Script(), send).respond_text("x")
    assert connection_state(scope).disconnected


# disconnects on spec < 2.4: the watcher task


@pytest.fixture
def watch_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start the watcher at the first streamed chunk instead of after WATCH_AFTER seconds."""
    monkeypatch.setattr("asgikit._disconnect.WATCH_AFTER", 0.0)


def empty_body() -> Script:
    """A ``receive`` with an empty request body (then ``http.disconnect``)."""
    return Script([{"type": "http.request", "body": b"", "more_body": False}])


def disconnect_once_set(event: asyncio.Event) -> Receive:
    """A ``receive`` that answers ``http.disconnect`` once ``event`` is set."""

    async def receive() -> ReceiveEvent:
        await event.wait()
        return {"type": "http.disconnect"}

    return receive


def body_read_scope() -> HTTPScope:
    """A spec 2.3 scope whose request body was already read (the watcher only waits)."""
    scope = http_scope(spec_version="2.3")
    connection_state(scope).body_complete = True
    return scope


async def finished_listener(scope: HTTPScope) -> asyncio.Task[None]:
    """The scope's watcher task, once it has finished (bounded)."""
    task = listener(scope)
    assert task is not None
    await asyncio.wait_for(asyncio.shield(task), 1)
    return task


async def test_short_bursts_never_start_a_watcher(recorder: Recorder) -> None:
    receive = empty_body()
    scope = http_scope(spec_version="2.3")
    async with Response(scope, receive, recorder).response_writer() as write:
        for _ in range(10):
            await write(b"chunk")
    assert receive.calls == 0
    assert len(recorder.events) == 12


async def test_watcher_starts_at_the_first_chunk_after_the_deadline(
    recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("asgikit._disconnect.WATCH_AFTER", 0.01)
    receive = empty_body()
    scope = http_scope(spec_version="2.3")
    started = await Response(scope, receive, recorder).start()
    await started.write(b"one", more_body=True)  # sets the deadline
    await started.write(b"two", more_body=True)
    await asyncio.sleep(0.02)
    assert receive.calls == 0
    await started.write(b"three", more_body=True)  # starts the watcher
    await asyncio.sleep(0)
    assert receive.calls == 2
    assert connection_state(scope).disconnected
    with pytest.raises(ClientDisconnectError):
        await started.write(b"four", more_body=True)
    assert [event.get("body") for event in recorder.events[1:]] == [b"one", b"two", b"three"]


@pytest.mark.usefixtures("watch_now")
async def test_watcher_detects_http_disconnect_on_old_spec(recorder: Recorder) -> None:
    receive = empty_body()
    scope = http_scope(spec_version="2.3")
    started = await Response(scope, receive, recorder).start()
    await started.write(b"one", more_body=True)
    await finished_listener(scope)
    assert connection_state(scope).disconnected
    assert connection_state(scope).body_complete
    with pytest.raises(ClientDisconnectError):
        await started.write(b"two", more_body=True)
    assert len(recorder.events) == 2


@pytest.mark.usefixtures("watch_now")
async def test_watcher_sees_a_disconnect_arriving_later(recorder: Recorder) -> None:
    gone = asyncio.Event()
    scope = body_read_scope()
    started = await Response(scope, disconnect_once_set(gone), recorder).start()
    await started.write(b"one", more_body=True)
    gone.set()
    await asyncio.sleep(0.01)
    with pytest.raises(ClientDisconnectError):
        await started.write(b"two", more_body=True)
    assert len(recorder.events) == 2


async def test_watcher_is_not_started_for_one_shot_responses(recorder: Recorder) -> None:
    receive = Script()
    scope = http_scope(spec_version="2.3")
    await Response(scope, receive, recorder).respond_text("x")
    started = await Response(http_scope(spec_version="2.3"), receive, recorder).start()
    await started.write(b"all")
    assert receive.calls == 0
    assert listener(scope) is None


@pytest.mark.usefixtures("watch_now")
async def test_watcher_is_cancelled_and_removed_when_the_response_ends(recorder: Recorder) -> None:
    scope = body_read_scope()
    started = await Response(scope, disconnect_once_set(asyncio.Event()), recorder).start()
    await started.write(b"a", more_body=True)
    task = listener(scope)
    assert task is not None
    await started.end()
    assert listener(scope) is None
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not connection_state(scope).body_streamed  # the body was complete: nothing discarded


@pytest.mark.usefixtures("watch_now")
async def test_watcher_discards_an_unread_body_and_marks_it_streamed(recorder: Recorder) -> None:
    receive = Script(
        [
            {"type": "http.request", "body": b"a", "more_body": True},
            {"type": "http.request", "body": b"b"},
        ]
    )
    scope = http_scope(spec_version="2.2")
    started = await Response(scope, receive, recorder).start()
    await started.write(b"x", more_body=True)
    state = connection_state(scope)
    assert state.body_streamed
    await finished_listener(scope)
    assert (state.body_complete, state.disconnected) == (True, True)
    assert receive.calls == 3


@pytest.mark.usefixtures("watch_now")
async def test_watcher_ends_quietly_when_receive_fails(recorder: Recorder) -> None:
    async def receive() -> ReceiveEvent:
        raise RuntimeError("server bug")

    scope = http_scope(spec_version="2.0")
    started = await Response(scope, receive, recorder).start()
    await started.write(b"a", more_body=True)
    task = await finished_listener(scope)
    assert task.exception() is None
    await started.write(b"b")  # no disconnect was seen, writing goes on
    assert not connection_state(scope).disconnected


@pytest.mark.usefixtures("watch_now")
async def test_streaming_error_cancels_the_watcher(recorder: Recorder) -> None:
    scope = body_read_scope()
    response = Response(scope, disconnect_once_set(asyncio.Event()), recorder)
    with pytest.raises(KeyError):
        async with response.response_writer() as write:
            await write(b"a")
            task = listener(scope)
            assert task is not None
            raise KeyError("x")
    assert listener(scope) is None


async def test_write_raises_after_a_body_reader_saw_the_disconnect(recorder: Recorder) -> None:
    scope = http_scope()
    started = await Response(scope, Script(), recorder).start()
    connection_state(scope).disconnected = True  # e.g. Body received http.disconnect
    with pytest.raises(ClientDisconnectError):
        await started.write(b"x", more_body=True)
    finished = await started.end()
    assert finished.is_finished
    assert len(recorder.events) == 1


async def test_stale_reference_typed_started_after_end_raises(recorder: Recorder) -> None:
    response = Response(http_scope(), Script(), recorder)
    started = await response.start()
    await started.end()
    stale = cast("Response[Started]", response)
    with pytest.raises(ResponseAlreadyEndedError):
        await stale.write(b"late", more_body=True)


# under real servers (subprocesses): uvicorn h11/httptools, hypercorn, granian, daphne

APP = "tests.apps.response_app:app"
APP_SOURCE = Path(__file__).parent.joinpath("apps", "response_app.py").read_bytes()


@pytest.fixture(scope="module", params=SERVER_KINDS)
def server(request: pytest.FixtureRequest) -> Iterator[str]:
    kind = cast("ServerKind", request.param)
    with start_server(kind, APP) as url:
        yield url


def test_response_writer_ends_cleanly_under_real_servers(server: str) -> None:
    with httpx.Client(base_url=server, timeout=10) as client:
        response = client.get("/writer")
        assert (response.status_code, response.content) == (200, b"abc")
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
        assert client.get("/report?writer").json() == "ok"


def test_client_disconnect_stops_streaming_under_real_servers(server: str) -> None:
    host, port = server.removeprefix("http://").split(":")
    key = f"disconnect-{port}"
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(f"GET /stream?{key} HTTP/1.1\r\nHost: test\r\n\r\n".encode())
        received = b""
        while b"line 1" not in received:
            data = sock.recv(4096)
            assert data, "server closed before streaming"
            received += data
    deadline = time.monotonic() + 5
    with httpx.Client(base_url=server, timeout=10) as client:
        while (record := client.get(f"/report?{key}").json()) is None:
            assert time.monotonic() < deadline, "the app never noticed the disconnect"
            time.sleep(0.05)
    assert isinstance(record, dict)
    assert record["outcome"] == "disconnect"
    assert isinstance(record["written"], int) and record["written"] < 300


def test_sse_under_real_servers(server: str) -> None:
    with httpx.Client(base_url=server, timeout=10) as client:
        response = client.get("/sse")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert response.content == b"data: one\n\nevent: update\nid: 2\ndata: two\n\n: bye\n\n"


def test_files_and_ranges_under_real_servers(server: str) -> None:
    size = len(APP_SOURCE)
    with httpx.Client(base_url=server, timeout=10) as client:
        whole = client.get("/file")
        assert whole.status_code == 200
        assert whole.content == APP_SOURCE
        assert whole.headers["content-length"] == str(size)
        etag = whole.headers["etag"]
        assert client.get("/file", headers={"if-none-match": etag}).status_code == 304
        part = client.get("/file", headers={"range": "bytes=10-19"})
        assert part.status_code == 206
        assert part.content == APP_SOURCE[10:20]
        assert part.headers["content-range"] == f"bytes 10-19/{size}"
        head = client.head("/file")
        assert (head.status_code, head.content) == (200, b"")
        assert head.headers["content-length"] == str(size)
        unsatisfiable = client.get("/file", headers={"range": f"bytes={size}-"})
        assert unsatisfiable.status_code == 416
        assert unsatisfiable.headers["content-range"] == f"bytes */{size}"
