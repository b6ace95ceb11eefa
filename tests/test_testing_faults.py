"""asgikit.testing fault injection: each fault fires at the chosen moment and the app sees what
the chosen server would show it; asgikit's own request handling is checked against them."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import pytest
from _pytest.mark import ParameterSet

from asgikit import AsgiException, ClientDisconnectError, Request
from asgikit.asgi import HTTPSendEvent, Receive, ReceiveEvent, Scope, Send
from asgikit.testing import (
    BrokenReceive,
    Client,
    ClientDisconnected,
    DisconnectAfterRequestBytes,
    DisconnectAfterResponseEvents,
    ReceiveStalls,
    SendFailsAt,
    WebSocketClosed,
)

RESPONSE: list[HTTPSendEvent] = [
    {"type": "http.response.start", "status": 200, "headers": []},
    {"type": "http.response.body", "body": b"one", "more_body": True},
    {"type": "http.response.body", "body": b"two", "more_body": True},
    {"type": "http.response.body", "body": b"three"},
]


class Recorder:
    """Reads the body event by event, then streams three chunks; records everything it saw."""

    def __init__(self) -> None:
        self.received: list[ReceiveEvent] = []
        self.send_results: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        while True:
            event = await receive()
            self.received.append(event)
            if event["type"] != "http.request" or not event.get("more_body", False):
                break
        for step, outgoing in enumerate(RESPONSE):
            try:
                await send(outgoing)
                self.send_results.append(f"{step}: ok")
            except OSError as exc:
                self.send_results.append(f"{step}: OSError {exc}")
                return


async def test_disconnect_after_request_bytes_cuts_the_body_there() -> None:
    app = Recorder()
    async with Client(app, chunk_size=2, spec_version="2.4") as client:
        with (
            client.inject(DisconnectAfterRequestBytes(3)),
            pytest.raises(ClientDisconnected) as gone,
        ):
            await client.post("/", content=b"abcdef")
    assert app.received == [
        {"type": "http.request", "body": b"ab", "more_body": True},
        {"type": "http.request", "body": b"c", "more_body": True},
        {"type": "http.disconnect"},
    ]
    assert app.send_results == ["0: OSError the client disconnected"]
    assert [event["type"] for event in gone.value.events] == ["http.response.start"]


async def test_a_body_shorter_than_the_limit_arrives_whole() -> None:
    app = Recorder()
    async with Client(app, faults=[DisconnectAfterRequestBytes(100)]) as client:
        response = await client.post("/", content=b"abc")
    assert app.received == [{"type": "http.request", "body": b"abc", "more_body": False}]
    assert response.content == b"onetwothree"


@pytest.mark.parametrize(
    ("spec", "results"),
    [
        ("2.4", ["0: ok", "1: ok", "2: OSError the client disconnected"]),
        ("2.3", ["0: ok", "1: ok", "2: ok", "3: ok"]),
    ],
)
async def test_disconnect_after_response_events_keeps_what_arrived(
    spec: str, results: list[str]
) -> None:
    app = Recorder()
    async with Client(app, spec_version=spec, faults=[DisconnectAfterResponseEvents(2)]) as client:
        response = await client.get("/")
    assert (response.status_code, response.content) == (200, b"one")
    assert app.send_results == results


async def test_send_fails_at_the_chosen_event_whatever_the_spec() -> None:
    app = Recorder()
    async with Client(app, server="daphne", faults=[SendFailsAt(3)]) as client:
        response = await client.get("/")
    assert response.content == b"one"
    assert app.send_results == [
        "0: ok",
        "1: ok",
        "2: OSError send failed at event 3 (SendFailsAt fault)",
    ]
    with pytest.raises(ValueError, match="event counts from 1"):
        SendFailsAt(0)


async def test_faults_apply_only_inside_the_inject_block() -> None:
    app = Recorder()
    async with Client(app) as client:
        with client.inject(SendFailsAt(1)), pytest.raises(ClientDisconnected):
            await client.get("/")
        assert (await client.get("/")).content == b"onetwothree"


async def test_a_stalled_receive_lets_the_app_time_out_on_its_own() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive, send)
        try:
            async with asyncio.timeout(0.05):
                await request.body.read_bytes()
        except TimeoutError:
            await request.respond_text("too slow", status=408)

    async with Client(app) as client:
        with client.inject(ReceiveStalls()):
            response = await client.post("/", content=b"never arrives")
    assert (response.status_code, response.text) == (408, "too slow")


async def test_asgikit_reports_a_disconnect_mid_body_as_client_disconnect_error() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await Request(scope, receive, send).body.read_form()

    async with Client(app, chunk_size=16) as client:
        with client.inject(DisconnectAfterRequestBytes(40)), pytest.raises(ClientDisconnectError):
            await client.post("/", files={"f": ("a.txt", b"x" * 1000)})


BROKEN_EVENTS: list[tuple[Mapping[str, object], str] | ParameterSet] = [
    (
        {},
        "ClientDisconnectError: the server sent an unexpected None event while the request body was being read",
    ),
    (
        {"type": "websocket.receive", "text": "hi"},
        "ClientDisconnectError: the server sent an unexpected 'websocket.receive' event while the request body was being read",
    ),
    (
        {"type": 7},
        "ClientDisconnectError: the server sent an unexpected 7 event while the request body was being read",
    ),
    ({"type": "http.request", "body": None}, "read b''"),  # no more_body: the body ends there
    ({"type": "http.request", "body": b"x", "more_body": 1}, "read b'xreal body'"),
    (
        {"type": "http.request", "body": "text, not bytes"},
        "ClientDisconnectError: the server sent an http.request event whose body is str, not bytes",
    ),
    (
        {"type": "http.request", "body": 7, "more_body": True},
        "ClientDisconnectError: the server sent an http.request event whose body is int, not bytes",
    ),
]


@pytest.mark.parametrize(("event", "outcome"), BROKEN_EVENTS)
async def test_asgikit_turns_events_from_a_broken_server_into_typed_errors(
    event: Mapping[str, object], outcome: str
) -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive, send)
        try:
            body = await request.body.read_bytes()
        except AsgiException as exc:  # ClientDisconnectError, MalformedBodyError, ...
            seen.append(f"{type(exc).__name__}: {exc}")
            await request.respond_text("bad", status=400)
            return
        seen.append(f"read {body!r}")
        await request.respond_text("ok")

    async with Client(app, faults=[BrokenReceive([event])]) as client:
        await client.post("/", content=b"real body")
    assert len(seen) == 1
    assert seen[0].startswith(outcome)


async def test_websocket_client_vanishes_after_n_message_bytes() -> None:
    seen: list[ReceiveEvent] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            return
        await receive()
        await send({"type": "websocket.accept"})
        while True:
            event = await receive()
            seen.append(event)
            if event["type"] == "websocket.disconnect":
                return

    async with Client(app, server="hypercorn") as client:
        with client.inject(DisconnectAfterRequestBytes(5)):
            async with client.websocket_connect("/") as ws:
                await ws.send_text("abc")
                await ws.send_bytes(b"def")  # would pass 5 bytes: the client vanishes instead
                with pytest.raises(WebSocketClosed) as closed:
                    await ws.send_text("late")
    assert closed.value.code == 1006
    assert seen == [
        {"type": "websocket.receive", "text": "abc"},
        {"type": "websocket.disconnect", "code": 1006},  # Hypercorn's code for a vanished client
    ]
