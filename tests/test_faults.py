"""Faults at the ASGI boundary: clients that leave, servers whose ``send`` fails, and
``receive`` callables that return events a well-behaved server would never send.

The rule under test: asgikit reports all of these with its documented exceptions (never
``KeyError``/``AttributeError``/``TypeError``) and leaks no file descriptor or temporary file.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator, Iterable, Mapping
from pathlib import Path
from typing import cast

import pytest

from asgikit import (
    Body,
    ClientDisconnectError,
    Response,
    UploadedFile,
    WebSocket,
    WebSocketClosedError,
    WebSocketDisconnect,
    WebSocketMessageError,
    WebSocketState,
)
from asgikit._disconnect import WATCH_AFTER
from asgikit.asgi import Receive, ReceiveEvent

from .conftest import FailingSend, Recorder, http_scope, open_fds, websocket_scope

BOUNDARY = b"B0undary"
MULTIPART = b"multipart/form-data; boundary=" + BOUNDARY
SPOOL = 1024 * 1024  # asgikit._limits.SPOOL_MAX_SIZE: larger files are on disk


class Events:
    """A ``receive`` replaying arbitrary mappings (including ones outside the ASGI types)."""

    def __init__(self, events: Iterable[Mapping[str, object]]) -> None:
        self.events = list(events)
        self.calls = 0

    async def __call__(self) -> ReceiveEvent:
        self.calls += 1
        if not self.events:
            raise AssertionError("receive() called after the scripted events")
        return cast("ReceiveEvent", self.events.pop(0))


def multipart_head(name: str, filename: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"'
    if filename is not None:
        disposition += f'; filename="{filename}"'
    return b"--" + BOUNDARY + b"\r\nContent-Disposition: " + disposition.encode() + b"\r\n\r\n"


def body_for(receive: Receive, content_type: bytes = MULTIPART) -> Body:
    scope = http_scope(method="POST", headers=[(b"content-type", content_type)])
    return Body(scope, receive)


# -- client disconnect in the middle of a multipart upload --------------------------------


async def test_disconnect_after_a_file_spilled_to_disk_raises_and_leaks_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    chunk = b"x" * (256 * 1024)
    fds_at_start = open_fds()
    fds_mid_upload: list[int] = []
    events: list[Mapping[str, object]] = [
        {"type": "http.request", "body": multipart_head("a") + b"1\r\n", "more_body": True},
        {"type": "http.request", "body": multipart_head("f", "big.bin"), "more_body": True},
        # 2.5 MiB: the file outgrows the 1 MiB spool at 1.25 MiB, and the second 1 MiB batch
        # of disk writes waits for the first one, which rolled it over to disk.
        *({"type": "http.request", "body": chunk, "more_body": True} for _ in range(10)),
    ]
    receive = Events(events)

    async def spying_receive() -> ReceiveEvent:
        if not receive.events:
            # 2.5 MiB of the file were fed: it has rolled over to a real temporary file.
            fds_mid_upload.append(open_fds())
            return {"type": "http.disconnect"}
        return await receive()

    body = Body(http_scope(method="POST", headers=[(b"content-type", MULTIPART)]), spying_receive)
    with pytest.raises(ClientDisconnectError):
        await body.read_form()

    assert fds_mid_upload == [fds_at_start + 1]
    assert open_fds() == fds_at_start
    assert list(tmp_path.iterdir()) == []


async def test_disconnect_before_the_closing_boundary_of_a_small_form_raises() -> None:
    receive = Events(
        [
            {"type": "http.request", "body": multipart_head("f", "a.txt") + b"abc", "more_body": True},
            {"type": "http.disconnect"},
        ]
    )
    fds = open_fds()
    with pytest.raises(ClientDisconnectError):
        await body_for(receive).read_form()
    assert open_fds() == fds


async def test_disconnect_while_streaming_the_body_raises() -> None:
    receive = Events(
        [{"type": "http.request", "body": b"abc", "more_body": True}, {"type": "http.disconnect"}]
    )
    body = body_for(receive, b"application/octet-stream")
    received: list[bytes] = []
    with pytest.raises(ClientDisconnectError):
        async for chunk in body:
            received.append(chunk)
    assert received == [b"abc"]


async def test_body_read_after_a_disconnect_raises_instead_of_waiting() -> None:
    receive = Events([{"type": "http.disconnect"}])
    body = body_for(receive, b"text/plain")
    with pytest.raises(ClientDisconnectError):
        await body.read_bytes()
    with pytest.raises(ClientDisconnectError):
        await body.read_bytes()
    assert receive.calls == 1


# -- client disconnect while a response streams -------------------------------------------


async def closing(items: Iterable[str], closed: list[bool]) -> AsyncIterator[str]:
    """Yield ``items``; append ``True`` to ``closed`` once the generator is closed."""
    try:
        for item in items:
            yield item
    finally:
        closed.append(True)


def response_seeing_disconnect() -> tuple[Response, Recorder, asyncio.Event]:
    """A spec 2.3 response, its recorded ``send`` and an event set once ``receive`` is called
    (it answers ``http.disconnect``)."""
    gone = asyncio.Event()

    async def receive() -> ReceiveEvent:
        gone.set()
        return {"type": "http.disconnect"}

    recorder = Recorder()
    return Response(http_scope(spec_version="2.3"), receive, recorder), recorder, gone


async def test_spec_2_4_send_oserror_mid_stream_raises_client_disconnect() -> None:
    send = FailingSend(fail_at=3)
    response = Response(http_scope(spec_version="2.4"), Events([]), send)
    started = await response.start(media_type="text/plain")
    await started.write(b"one", more_body=True)
    with pytest.raises(ClientDisconnectError):
        await started.write(b"two", more_body=True)
    with pytest.raises(ClientDisconnectError):
        await started.write(b"three", more_body=True)
    await started.end()  # sends nothing: the client is known to be gone
    assert send.events == [
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
        },
        {"type": "http.response.body", "body": b"one", "more_body": True},
        {"type": "http.response.body", "body": b"two", "more_body": True},
    ]


async def test_spec_2_4_send_oserror_on_the_last_chunk_of_end_raises_client_disconnect() -> None:
    send = FailingSend(fail_at=3)
    response = Response(http_scope(spec_version="2.4"), Events([]), send)
    started = await response.start()
    await started.write(b"one", more_body=True)
    with pytest.raises(ClientDisconnectError):
        await started.end()
    assert send.events[1:] == [
        {"type": "http.response.body", "body": b"one", "more_body": True},
        {"type": "http.response.body", "body": b""},
    ]
    await started.end()  # ended already: nothing more is sent
    assert len(send.events) == 3


@pytest.mark.parametrize("fail_at", [1, 3])
async def test_spec_2_4_send_oserror_entering_or_leaving_response_writer_raises(
    fail_at: int,
) -> None:
    """The start (on entering the block) and the empty last chunk (on leaving it) are sent
    outside ``write``; a failing ``send`` there is a ``ClientDisconnectError`` too."""
    send = FailingSend(fail_at=fail_at)
    written: list[str] = []
    response = Response(http_scope(spec_version="2.4"), Events([]), send)
    with pytest.raises(ClientDisconnectError):
        async with response.response_writer() as write:
            await write("x")
            written.append("x")
    assert written == ([] if fail_at == 1 else ["x"])
    assert [event["type"] for event in send.events] == [
        "http.response.start", "http.response.body", "http.response.body",
    ][:fail_at]  # fmt: skip


async def test_spec_2_4_send_oserror_in_respond_stream_raises_and_closes_the_iterator() -> None:
    send = FailingSend(fail_at=2)
    closed: list[bool] = []
    response = Response(http_scope(spec_version="2.4"), Events([]), send)
    with pytest.raises(ClientDisconnectError):
        await response.respond_stream(closing(["a", "b"], closed))
    assert closed == [True]
    assert send.events == [
        {"type": "http.response.start", "status": 200, "headers": []},
        {"type": "http.response.body", "body": b"a", "more_body": True},
    ]


async def test_spec_2_3_http_disconnect_raises_on_the_next_write() -> None:
    response, recorder, gone = response_seeing_disconnect()
    started = await response.start()
    await started.write(b"one", more_body=True)
    # The watcher starts with the first chunk written once WATCH_AFTER seconds have passed.
    await asyncio.sleep(WATCH_AFTER * 1.5)
    await started.write(b"two", more_body=True)
    await asyncio.wait_for(gone.wait(), 1)
    await asyncio.sleep(0)
    with pytest.raises(ClientDisconnectError):
        await started.write(b"three", more_body=True)
    assert recorder.events == [
        {"type": "http.response.start", "status": 200, "headers": []},
        {"type": "http.response.body", "body": b"one", "more_body": True},
        {"type": "http.response.body", "body": b"two", "more_body": True},
    ]


async def test_spec_2_3_http_disconnect_stops_response_writer() -> None:
    response, recorder, _ = response_seeing_disconnect()
    written: list[int] = []
    with pytest.raises(ClientDisconnectError):
        async with response.response_writer() as write:
            for number in range(5):
                await write(str(number))
                written.append(number)
                await asyncio.sleep(WATCH_AFTER * 1.5)
    assert written == [0, 1]
    assert recorder.events == [
        {"type": "http.response.start", "status": 200, "headers": []},
        {"type": "http.response.body", "body": b"0", "more_body": True},
        {"type": "http.response.body", "body": b"1", "more_body": True},
    ]


async def test_spec_2_4_send_oserror_in_respond_sse_raises_and_closes_the_iterator() -> None:
    send = FailingSend(fail_at=3)
    closed: list[bool] = []
    response = Response(http_scope(spec_version="2.4"), Events([]), send)
    with pytest.raises(ClientDisconnectError):
        await response.respond_sse(closing(map(str, range(5)), closed))
    assert closed == [True]
    assert send.events[1:] == [
        {"type": "http.response.body", "body": b"data: 0\n\n", "more_body": True},
        {"type": "http.response.body", "body": b"data: 1\n\n", "more_body": True},
    ]


@pytest.mark.parametrize("fail_at", [1, 2])
async def test_send_oserror_during_respond_text_raises_client_disconnect(fail_at: int) -> None:
    send = FailingSend(fail_at=fail_at)
    response = Response(http_scope(), Events([]), send)
    with pytest.raises(ClientDisconnectError):
        await response.respond_text("hello")
    assert send.events[0] == {
        "type": "http.response.start",
        "status": 200,
        "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"5")],
    }
    assert len(send.events) == fail_at
    assert response.is_started


async def test_send_oserror_during_respond_file_raises_and_closes_the_file(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"z" * (200 * 1024))
    send = FailingSend(fail_at=3)
    fds = open_fds()
    response = Response(http_scope(), Events([]), send)
    with pytest.raises(ClientDisconnectError):
        await response.respond_file(path)
    assert open_fds() == fds
    assert [event["type"] for event in send.events] == [
        "http.response.start",
        "http.response.body",
        "http.response.body",
    ]


# -- websockets ------------------------------------------------------------------------------


async def test_websocket_disconnect_mid_read_then_closed_error() -> None:
    receive = Events(
        [
            {"type": "websocket.connect"},
            {"type": "websocket.receive", "text": "hi"},
            {"type": "websocket.disconnect", "code": 1001, "reason": "bye"},
        ]
    )
    recorder = Recorder()
    ws = await WebSocket(websocket_scope(), receive, recorder).accept()
    assert await ws.read() == "hi"
    with pytest.raises(WebSocketDisconnect) as info:
        await ws.read()
    assert (info.value.code, info.value.reason) == (1001, "bye")
    assert ws.state is WebSocketState.CLOSED
    with pytest.raises(WebSocketClosedError):
        await ws.read()
    with pytest.raises(WebSocketClosedError):
        await ws.write("late")
    assert receive.calls == 3
    assert recorder.events == [{"type": "websocket.accept"}]


async def test_websocket_send_oserror_on_write_raises_disconnect_1006_then_closed() -> None:
    receive = Events([{"type": "websocket.connect"}])
    send = FailingSend(fail_at=2)
    ws = await WebSocket(websocket_scope(), receive, send).accept()
    with pytest.raises(WebSocketDisconnect) as info:
        await ws.write("hello")
    assert info.value.code == 1006
    assert ws.state is WebSocketState.CLOSED
    with pytest.raises(WebSocketClosedError):
        await ws.write(b"again")
    assert send.events == [
        {"type": "websocket.accept"},
        {"type": "websocket.send", "text": "hello"},
    ]


async def test_websocket_send_oserror_on_accept_raises_disconnect_1006() -> None:
    send = FailingSend(fail_at=1)
    ws = WebSocket(websocket_scope(), Events([{"type": "websocket.connect"}]), send)
    with pytest.raises(WebSocketDisconnect) as info:
        await ws.accept()
    assert info.value.code == 1006
    assert ws.state is WebSocketState.CLOSED


async def test_websocket_send_oserror_on_close_is_swallowed() -> None:
    send = FailingSend(fail_at=2)
    ws = await WebSocket(websocket_scope(), Events([{"type": "websocket.connect"}]), send).accept()
    closed = await ws.close()
    assert closed.state is WebSocketState.CLOSED
    assert send.events[1] == {"type": "websocket.close", "code": 1000}


# -- receive() returning events that do not belong ------------------------------------------

FOREIGN_TO_HTTP: list[Mapping[str, object]] = [
    {"type": "websocket.connect"},
    {"type": "websocket.receive", "text": "x"},
    {"type": "websocket.disconnect", "code": 1000},
    {"type": "lifespan.startup"},
    {"type": "lifespan.shutdown"},
    {"type": "x"},
    {"type": ""},
]
GARBAGE: list[Mapping[str, object]] = [{}, {"body": b"abc"}, {"type": None}, {"type": 5}]
FOREIGN_TO_WEBSOCKET: list[Mapping[str, object]] = [
    {"type": "http.request", "body": b"x", "more_body": False},
    {"type": "http.disconnect"},
    {"type": "lifespan.startup"},
    {"type": "x"},
    {"type": "websocket.accept"},
]


def _ids(events: list[Mapping[str, object]]) -> list[str]:
    return [repr(dict(event)) for event in events]


@pytest.mark.parametrize("event", FOREIGN_TO_HTTP + GARBAGE, ids=_ids(FOREIGN_TO_HTTP + GARBAGE))
async def test_read_bytes_with_a_foreign_or_garbage_event_raises_client_disconnect(
    event: Mapping[str, object],
) -> None:
    with pytest.raises(ClientDisconnectError):
        await body_for(Events([event]), b"text/plain").read_bytes()


@pytest.mark.parametrize("event", FOREIGN_TO_HTTP, ids=_ids(FOREIGN_TO_HTTP))
async def test_read_bytes_with_a_foreign_event_after_a_chunk_raises_client_disconnect(
    event: Mapping[str, object],
) -> None:
    receive = Events([{"type": "http.request", "body": b"ab", "more_body": True}, event])
    with pytest.raises(ClientDisconnectError):
        await body_for(receive, b"text/plain").read_bytes()


@pytest.mark.parametrize("event", FOREIGN_TO_HTTP, ids=_ids(FOREIGN_TO_HTTP))
async def test_read_form_with_a_foreign_event_raises_client_disconnect(
    event: Mapping[str, object],
) -> None:
    receive = Events([{"type": "http.request", "body": multipart_head("a"), "more_body": True}, event])
    with pytest.raises(ClientDisconnectError):
        await body_for(receive).read_form()
    with pytest.raises(ClientDisconnectError):
        await body_for(Events([event]), b"application/x-www-form-urlencoded").read_form()


@pytest.mark.parametrize("event", FOREIGN_TO_HTTP + GARBAGE, ids=_ids(FOREIGN_TO_HTTP + GARBAGE))
async def test_body_stream_with_a_foreign_or_garbage_event_raises_client_disconnect(
    event: Mapping[str, object],
) -> None:
    with pytest.raises(ClientDisconnectError):
        async for _ in body_for(Events([event]), b"text/plain"):
            pass


@pytest.mark.parametrize("event", GARBAGE, ids=_ids(GARBAGE))
async def test_read_form_with_a_garbage_event_raises_client_disconnect(
    event: Mapping[str, object],
) -> None:
    with pytest.raises(ClientDisconnectError):
        await body_for(Events([event])).read_form()


@pytest.mark.parametrize("event", FOREIGN_TO_WEBSOCKET + GARBAGE, ids=_ids(FOREIGN_TO_WEBSOCKET + GARBAGE))
async def test_websocket_read_with_a_foreign_event_raises_message_error(
    event: Mapping[str, object],
) -> None:
    ws = await WebSocket(websocket_scope(), Events([{"type": "websocket.connect"}, event]), Recorder()).accept()
    with pytest.raises(WebSocketMessageError):
        await ws.read()


@pytest.mark.parametrize("event", FOREIGN_TO_WEBSOCKET + GARBAGE, ids=_ids(FOREIGN_TO_WEBSOCKET + GARBAGE))
async def test_websocket_accept_with_a_foreign_event_raises_message_error(
    event: Mapping[str, object],
) -> None:
    recorder = Recorder()
    ws = WebSocket(websocket_scope(), Events([event]), recorder)
    with pytest.raises(WebSocketMessageError):
        await ws.accept()
    assert recorder.events == []


@pytest.mark.parametrize("event", FOREIGN_TO_WEBSOCKET + GARBAGE, ids=_ids(FOREIGN_TO_WEBSOCKET + GARBAGE))
async def test_websocket_iter_with_a_foreign_event_raises_message_error(
    event: Mapping[str, object],
) -> None:
    receive = Events([{"type": "websocket.connect"}, {"type": "websocket.receive", "bytes": b"1"}, event])
    ws = await WebSocket(websocket_scope(), receive, Recorder()).accept()
    received: list[str | bytes] = []
    with pytest.raises(WebSocketMessageError):
        async for message in ws.iter():
            received.append(message)
    assert received == [b"1"]


@pytest.mark.parametrize(
    "event",
    [
        {"type": "websocket.receive"},
        {"type": "websocket.receive", "text": None, "bytes": None},
    ],
    ids=["no-payload", "both-none"],
)
async def test_websocket_receive_without_payload_raises_message_error(
    event: Mapping[str, object],
) -> None:
    ws = await WebSocket(websocket_scope(), Events([{"type": "websocket.connect"}, event]), Recorder()).accept()
    with pytest.raises(WebSocketMessageError):
        await ws.read()


# -- http.request events with missing or null fields -----------------------------------------


async def test_request_event_with_body_none_reads_as_empty() -> None:
    receive = Events([{"type": "http.request", "body": None, "more_body": False}])
    assert await body_for(receive, b"text/plain").read_bytes() == b""


async def test_request_event_without_more_body_is_the_last_one() -> None:
    receive = Events([{"type": "http.request", "body": b"abc"}])
    assert await body_for(receive, b"text/plain").read_bytes() == b"abc"
    assert receive.calls == 1


async def test_request_event_without_body_or_more_body_reads_as_empty() -> None:
    receive = Events([{"type": "http.request"}])
    assert await body_for(receive, b"text/plain").read_bytes() == b""


async def test_chunks_with_body_none_are_skipped_by_read_bytes_and_streams() -> None:
    events: list[Mapping[str, object]] = [
        {"type": "http.request", "body": b"a", "more_body": True},
        {"type": "http.request", "body": None, "more_body": True},
        {"type": "http.request", "more_body": True},
        {"type": "http.request", "body": b"b"},
    ]
    assert await body_for(Events(events), b"text/plain").read_bytes() == b"ab"
    streamed = [chunk async for chunk in body_for(Events(events), b"text/plain")]
    assert streamed == [b"a", b"b"]


async def test_multipart_with_body_none_chunks_and_missing_more_body_parses() -> None:
    events: list[Mapping[str, object]] = [
        {"type": "http.request", "body": multipart_head("a"), "more_body": True},
        {"type": "http.request", "body": None, "more_body": True},
        {"type": "http.request", "body": b"value\r\n--" + BOUNDARY + b"--\r\n"},
    ]
    form = await body_for(Events(events)).read_form()
    assert form.items() == [("a", "value")]


async def test_urlencoded_with_body_none_and_missing_more_body_parses() -> None:
    events: list[Mapping[str, object]] = [
        {"type": "http.request", "body": None, "more_body": True},
        {"type": "http.request", "body": b"a=1&b=2"},
    ]
    form = await body_for(Events(events), b"application/x-www-form-urlencoded").read_form()
    assert form.items() == [("a", "1"), ("b", "2")]


async def test_uploaded_file_survives_chunks_with_body_none() -> None:
    events: list[Mapping[str, object]] = [
        {"type": "http.request", "body": multipart_head("f", "a.txt") + b"12", "more_body": True},
        {"type": "http.request", "body": None, "more_body": True},
        {"type": "http.request", "body": b"34\r\n--" + BOUNDARY + b"--\r\n", "more_body": False},
    ]
    form = await body_for(Events(events)).read_form()
    upload = form.get_first("f")
    assert isinstance(upload, UploadedFile)
    async with upload:
        assert await upload.read() == b"1234"


# -- receive() returning something that is not a mapping at all --------------------------------

NOT_MAPPINGS: list[object] = [None, "http.request", [("type", "http.request")]]


class Returns:
    """A ``receive`` returning one arbitrary object."""

    def __init__(self, value: object) -> None:
        self.value = value

    async def __call__(self) -> ReceiveEvent:
        return cast("ReceiveEvent", self.value)



@pytest.mark.parametrize("value", NOT_MAPPINGS, ids=repr)
async def test_read_bytes_with_a_non_mapping_event_raises_client_disconnect(value: object) -> None:
    with pytest.raises(ClientDisconnectError):
        await body_for(Returns(value), b"text/plain").read_bytes()



async def test_websocket_accept_with_a_none_event_raises_message_error() -> None:
    ws = WebSocket(websocket_scope(), Returns(None), Recorder())
    with pytest.raises(WebSocketMessageError):
        await ws.accept()
