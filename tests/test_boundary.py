"""``error_boundary`` in process, at the level of ASGI events: body errors become their
status, disconnects end quietly, the rest propagates. Real servers: tests/test_kit_servers.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import TypedDict

import msgspec
import pytest

from asgikit import (
    BodyTooLargeError,
    ClientDisconnectError,
    Request,
    RequestBodyError,
    error_boundary,
)
from asgikit.asgi import ASGIApp, LifespanScope, ReceiveEvent, SendEvent
from tests.conftest import Recorder, Script, http_scope, websocket_scope


class Point(msgspec.Struct):
    x: int


async def read_point(request: Request) -> None:
    point = await request.body.read_json(Point)
    await request.respond_json({"x": point.x})


def body_events(body: bytes) -> list[ReceiveEvent]:
    return [{"type": "http.request", "body": body, "more_body": False}]


async def served(
    *, method: str = "POST", body: bytes = b"", accept: bytes | None = None
) -> list[SendEvent]:
    headers = [(b"content-type", b"application/json")]
    if accept is not None:
        headers.append((b"accept", accept))
    send = Recorder()
    app = error_boundary(read_point)
    await app(http_scope(method=method, headers=headers), Script(body_events(body)), send)
    return send.events


async def test_a_valid_request_passes_through() -> None:
    assert await served(body=b'{"x": 1}') == [
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"7")],
        },
        {"type": "http.response.body", "body": b'{"x":1}'},
    ]


def start_and_body(events: list[SendEvent]) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    start, body = events
    assert start["type"] == "http.response.start"
    assert body["type"] == "http.response.body"
    return start["status"], list(start.get("headers", [])), body.get("body", b"")


async def test_an_unreadable_body_is_a_400_in_plain_text() -> None:
    status, headers, body = start_and_body(await served(body=b""))
    assert body == b"400 Bad Request: request body is empty; expected JSON\n"
    assert status == 400
    assert headers == [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
    ]


async def test_a_body_that_does_not_match_the_type_is_a_422() -> None:
    events = await served(body=b'{"x": "one"}')
    assert events[0]["type"] == "http.response.start"
    assert events[0]["status"] == 422


@pytest.mark.parametrize(
    "accept", [b"application/problem+json", b"application/json", b"text/html;q=0.5, application/json"]
)
async def test_json_clients_get_problem_details(accept: bytes) -> None:
    status, headers, body = start_and_body(await served(body=b"", accept=accept))
    assert body == (
        b'{"type":"about:blank","title":"Bad Request","status":400,'
        b'"detail":"request body is empty; expected JSON"}'
    )
    assert status == 400
    assert headers == [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
    ]


async def test_clients_accepting_neither_format_still_get_text() -> None:
    status, headers, body = start_and_body(await served(body=b"", accept=b"image/png"))
    assert (status, headers[0]) == (400, (b"content-type", b"text/plain; charset=utf-8"))
    assert body == b"400 Bad Request: request body is empty; expected JSON\n"


async def test_head_errors_have_no_body() -> None:
    events = await served(method="HEAD", body=b"")
    assert events[0]["type"] == "http.response.start"
    assert events[0]["status"] == 400
    assert events[1] == {"type": "http.response.body", "body": b""}


async def test_a_limit_error_keeps_its_status() -> None:
    async def too_big(request: Request) -> None:
        raise BodyTooLargeError("the request body is larger than 10 bytes", limit=10)

    send = Recorder()
    await error_boundary(too_big)(http_scope(), Script(), send)
    assert send.events[0]["type"] == "http.response.start"
    assert send.events[0]["status"] == 413
    assert send.events[1] == {
        "type": "http.response.body",
        "body": f"413 {HTTPStatus(413).phrase}: the request body is larger than 10 bytes\n".encode(),
    }


async def test_a_custom_status_without_a_phrase_is_still_answered() -> None:
    class Teapot(RequestBodyError):
        status_code = 599

    async def handler(request: Request) -> None:
        raise Teapot("no tea")

    send = Recorder()
    await error_boundary(handler)(http_scope(), Script(), send)
    assert send.events[1] == {"type": "http.response.body", "body": b"599 Error: no tea\n"}


async def test_a_body_error_after_the_response_started_propagates() -> None:
    async def late(request: Request) -> None:
        started = await request.response.start(200)
        await started.write(b"partial")
        await request.body.read_json()

    send = Recorder()
    with pytest.raises(RequestBodyError, match="expected JSON"):
        await error_boundary(late)(http_scope(method="POST"), Script(body_events(b"")), send)
    assert [event["type"] for event in send.events] == ["http.response.start", "http.response.body"]


async def test_a_client_leaving_a_stream_ends_the_handler_quietly() -> None:
    reached: list[str] = []

    async def ticks() -> AsyncIterator[str]:
        for number in range(1000):
            yield f"data: {number}\n\n"
            await asyncio.sleep(0)
        reached.append("end")

    async def stream(request: Request) -> None:
        await request.respond_stream(ticks(), media_type="text/event-stream")
        reached.append("after")

    sent: list[SendEvent] = []

    async def send(event: SendEvent, /) -> None:
        if len(sent) >= 3:
            raise OSError("connection lost")  # what a spec 2.4 server raises for a gone client
        sent.append(event)

    async with asyncio.timeout(5):
        await error_boundary(stream)(http_scope(), Script(), send)
    assert reached == []
    assert len(sent) == 3


async def test_a_disconnect_raised_by_the_handler_is_swallowed() -> None:
    async def handler(request: Request) -> None:
        raise ClientDisconnectError("gone")

    send = Recorder()
    await error_boundary(handler)(http_scope(), Script(), send)
    assert send.events == []


async def test_other_exceptions_propagate() -> None:
    async def handler(request: Request) -> None:
        raise LookupError("bug")

    with pytest.raises(LookupError, match="bug"):
        await error_boundary(handler)(http_scope(), Script(), Recorder())


async def test_a_websocket_client_leaving_ends_the_handler_quietly() -> None:
    received: list[str | bytes] = []

    async def echo(request: Request) -> None:
        websocket = await request.websocket.accept()
        while True:
            received.append(await websocket.read())

    send = Recorder()
    script = Script(
        [{"type": "websocket.connect"}, {"type": "websocket.receive", "text": "hi"}], websocket=True
    )
    await error_boundary(echo)(websocket_scope(), script, send)
    assert received == ["hi"]
    assert send.events == [{"type": "websocket.accept"}]


async def test_websocket_bugs_propagate() -> None:
    async def handler(request: Request) -> None:
        raise LookupError("bug")

    with pytest.raises(LookupError):
        await error_boundary(handler)(websocket_scope(), Script(websocket=True), Recorder())


class AppState(TypedDict):
    name: str


async def lifespan_events(scope: LifespanScope, app: ASGIApp) -> list[SendEvent]:
    send = Recorder()
    script = Script([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    await app(scope, script, send)
    return send.events


async def test_the_lifespan_context_fills_the_state_requests_see() -> None:
    @asynccontextmanager
    async def lifespan() -> AsyncGenerator[AppState, None]:
        yield {"name": "kit"}

    async def hello(request: Request[AppState]) -> None:
        await request.respond_text(f"hello from {request.state['name']}")

    app = error_boundary(hello, lifespan=lifespan)
    server_state: dict[str, object] = {}
    scope: LifespanScope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": server_state}
    events = await lifespan_events(scope, app)
    assert events == [{"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"}]
    request_scope = http_scope()
    send = Recorder()
    await app({**request_scope, "state": dict(server_state)}, Script(), send)
    assert send.events[1] == {"type": "http.response.body", "body": b"hello from kit"}


async def test_without_a_lifespan_context_startup_completes_with_no_state() -> None:
    scope: LifespanScope = {"type": "lifespan", "asgi": {"version": "3.0"}}
    events = await lifespan_events(scope, error_boundary(read_point))
    assert events == [{"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"}]
