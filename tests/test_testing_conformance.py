"""asgikit.testing conformance checks: every protocol violation an app can commit raises
ASGIProtocolError naming the event and the problem, for any ASGI app (raw callables here,
Starlette and asgikit apps pass)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Final, cast

import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket as StarletteWebSocket

from asgikit import Request
from asgikit.asgi import ASGIApp, Receive, Scope, Send
from asgikit.testing import ASGIProtocolError, Client, ServerName

START: Final = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(b"content-type", b"text/plain")],
}
BODY: Final = {"type": "http.response.body", "body": b"ok"}


def http_app(*events: object) -> ASGIApp:
    """An app that sends ``events`` as given (unchecked: they may be malformed on purpose)."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        send_anything = cast("Callable[[object], Awaitable[None]]", send)
        for event in events:
            await send_anything(event)

    return app


HTTP_VIOLATIONS: Final[list[tuple[Sequence[object], str]]] = [
    ([BODY], "event 1 (http.response.body): body sent before http.response.start"),
    ([START, START], "event 2 (http.response.start): the response was already started"),
    ([START, BODY, BODY], "event 3 (http.response.body): the response was already complete"),
    (
        [START, {"type": "http.response.body", "body": "text"}],
        "event 2 (http.response.body): 'body' must be bytes, got str",
    ),
    (
        [START, {"type": "http.response.body", "body": b"", "more_body": 1}],
        "event 2 (http.response.body): 'more_body' must be a bool, got int",
    ),
    (
        [{**START, "headers": [("content-type", "text/plain")]}],
        "event 1 (http.response.start): header 0 must be a pair of bytes, got (str, str)",
    ),
    (
        [{**START, "headers": [(b"Content-Type", b"x")]}],
        "event 1 (http.response.start): header name b'Content-Type' must be a non-empty lower-case token",
    ),
    (
        [{**START, "headers": [(b"x-a", b"1\r\nset-cookie: a=b")]}],
        "event 1 (http.response.start): header 'x-a' has CR, LF or NUL in its value",
    ),
    (
        [{**START, "headers": {b"x": b"y"}}],
        "event 1 (http.response.start): 'headers' must be an iterable of [name, value] pairs, got dict",
    ),
    (
        [{**START, "status": "200"}],
        "event 1 (http.response.start): 'status' must be an int from 200 to 599, got '200'",
    ),
    (
        [{**START, "status": 101}],
        "event 1 (http.response.start): 'status' must be an int from 200 to 599, got 101",
    ),
    (
        [{**START, "headers": [(b"content-length", b"5")]}, BODY],
        "event 2 (http.response.body): the body is shorter than its content-length (2 < 5)",
    ),
    (
        [{**START, "headers": [(b"content-length", b"1")]}, BODY],
        "event 2 (http.response.body): the body is longer than its content-length (2 > 1)",
    ),
    (
        [{**START, "headers": [(b"content-length", b"1"), (b"content-length", b"2")]}],
        "event 1 (http.response.start): conflicting content-length headers",
    ),
    (
        [START, {"type": "http.response.pathsend", "path": "/etc/hostname"}],
        "event 2 (http.response.pathsend): the server did not offer the 'http.response.pathsend' extension",
    ),
    (
        [{**START, "trailers": True}],
        "event 1 (http.response.start): trailers=True needs the 'http.response.trailers' extension, which the server did not offer",
    ),
    (
        [{"type": "http.response.early_hint", "links": [b"</a>"]}],
        "event 1 (http.response.early_hint): the server did not offer the 'http.response.early_hint' extension",
    ),
    (
        [{"type": "websocket.accept"}],
        "event 1 (websocket.accept): not an event a HTTP app can send",
    ),
    (["http.response.start"], "event 1 (no type): an event must be a dict, got str"),
    ([{"status": 200}], "event 1 (no type): the event has no 'type' string"),
    ([], "after event 0: the app returned without sending http.response.start"),
    (
        [START, {**BODY, "more_body": True}],
        "after event 2: the app returned before finishing the response body (the last body event had more_body=True)",
    ),
]


@pytest.mark.parametrize(("events", "message"), HTTP_VIOLATIONS)
async def test_http_violations_raise_with_the_event_and_the_problem(
    events: Sequence[object], message: str
) -> None:
    async with Client(http_app(*events), server="uvicorn") as client:
        with pytest.raises(ASGIProtocolError) as caught:
            await client.get("/")
    assert str(caught.value) == message


async def test_the_error_names_the_event_number_and_type() -> None:
    async with Client(http_app(START, BODY, BODY)) as client:
        with pytest.raises(ASGIProtocolError) as caught:
            await client.get("/")
    assert (caught.value.event_number, caught.value.event_type) == (3, "http.response.body")


async def test_a_violation_the_app_swallows_is_still_reported() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        with contextlib.suppress(ASGIProtocolError):
            await send({"type": "http.response.body", "body": b"early"})
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"fine"})

    async with Client(app) as client:
        with pytest.raises(ASGIProtocolError, match=r"body sent before http\.response\.start"):
            await client.get("/")


async def test_head_and_304_bodies_are_not_held_to_content_length() -> None:
    app = http_app(
        {**START, "headers": [(b"content-length", b"100")]}, {"type": "http.response.body"}
    )
    async with Client(app) as client:
        assert (await client.head("/")).headers["content-length"] == "100"


async def test_checks_can_be_turned_off() -> None:
    async with Client(http_app(BODY), check_conformance=False) as client:
        response = await client.get("/")
    assert response.status_code == 500  # what a lenient server answers an app that never started


def websocket_app(*events: object) -> ASGIApp:
    """A websocket app that reads the connect event, then sends ``events`` as given."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            return
        await receive()
        send_anything = cast("Callable[[object], Awaitable[None]]", send)
        for event in events:
            await send_anything(event)
        await receive()

    return app


ACCEPT: Final = {"type": "websocket.accept"}

WEBSOCKET_VIOLATIONS: Final[list[tuple[ServerName | None, Sequence[object], str]]] = [
    (
        None,
        [{"type": "websocket.send", "text": "hi"}],
        "event 1 (websocket.send): message sent before the connection was accepted",
    ),
    (None, [ACCEPT, ACCEPT], "event 2 (websocket.accept): the connection was already accepted"),
    (
        None,
        [ACCEPT, {"type": "websocket.send", "text": "a", "bytes": b"b"}],
        "event 2 (websocket.send): exactly one of 'bytes' and 'text' must be non-None",
    ),
    (
        None,
        [ACCEPT, {"type": "websocket.send", "text": b"a"}],
        "event 2 (websocket.send): 'text' must be a str, got bytes",
    ),
    (
        None,
        [ACCEPT, {"type": "websocket.close"}, {"type": "websocket.send", "text": "a"}],
        "event 3 (websocket.send): the connection was already closed",
    ),
    (
        None,
        [ACCEPT, {"type": "websocket.close", "code": 1006}],
        "event 2 (websocket.close): 1006 is not a close code an endpoint may send",
    ),
    (
        None,
        [{"type": "websocket.accept", "subprotocol": "x"}],
        "event 1 (websocket.accept): subprotocol 'x' was not offered by the client",
    ),
    (
        None,
        [{"type": "websocket.accept", "headers": [(b"sec-websocket-protocol", b"x")]}],
        "event 1 (websocket.accept): set the subprotocol with 'subprotocol', not a sec-websocket-protocol header",
    ),
    (
        "daphne",
        [{"type": "websocket.accept", "headers": [(b"x-a", b"1")]}],
        "event 1 (websocket.accept): 'headers' need spec version 2.1; the server speaks 2.0",
    ),
    (
        "daphne",
        [ACCEPT, {"type": "websocket.close", "reason": "bye"}],
        "event 2 (websocket.close): 'reason' needs spec version 2.3; the server speaks 2.0",
    ),
    (
        "daphne",
        [{"type": "websocket.http.response.start", "status": 401}],
        "event 1 (websocket.http.response.start): the server did not offer the 'websocket.http.response' extension",
    ),
    (
        None,
        [{"type": "websocket.http.response.body", "body": b"x"}],
        "event 1 (websocket.http.response.body): denial body sent before websocket.http.response.start",
    ),
    (
        None,
        [ACCEPT, {"type": "websocket.http.response.start", "status": 401}],
        "event 2 (websocket.http.response.start): a denial response must come before accept and only once",
    ),
    (
        None,
        [{"type": "http.response.start", "status": 200}],
        "event 1 (http.response.start): not an event a websocket app can send",
    ),
]


@pytest.mark.parametrize(("server", "events", "message"), WEBSOCKET_VIOLATIONS)
async def test_websocket_violations_raise_with_the_event_and_the_problem(
    server: ServerName | None, events: Sequence[object], message: str
) -> None:
    async with Client(websocket_app(*events), server=server, timeout=1) as client:
        with pytest.raises(ASGIProtocolError) as caught:
            async with client.websocket_connect("/") as ws:
                await ws.receive()
    assert str(caught.value) == message


async def test_websocket_app_returning_without_answering_the_handshake() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await receive()

    async with Client(app) as client:
        with pytest.raises(
            ASGIProtocolError,
            match=r"^after event 0: the app returned without accepting or closing the websocket$",
        ):
            async with client.websocket_connect("/"):
                pass


async def test_lifespan_answers_are_checked() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.shutdown.complete"})

    with pytest.raises(
        ASGIProtocolError,
        match=r"^event 1 \(lifespan.shutdown.complete\): not an answer to the pending lifespan event$",
    ):
        async with Client(app):
            pass


# Well-behaved apps of other frameworks pass every check.


async def starlette_json(request: object) -> JSONResponse:
    return JSONResponse({"hello": "world"})


async def starlette_stream(request: object) -> StreamingResponse:
    async def chunks() -> AsyncIterator[str]:
        for n in range(3):
            yield f"{n}\n"

    return StreamingResponse(chunks(), media_type="text/plain")


async def starlette_ws(websocket: StarletteWebSocket) -> None:
    await websocket.accept(subprotocol="v1")
    await websocket.send_json({"echo": await websocket.receive_text()})
    await websocket.close(4000)


STARLETTE: Final = Starlette(
    routes=[
        Route("/json", starlette_json),
        Route("/stream", starlette_stream),
        WebSocketRoute("/ws", starlette_ws),
    ]
)


@pytest.mark.parametrize("server", [None, "uvicorn", "hypercorn", "granian", "daphne"])
async def test_a_starlette_app_passes_under_every_profile(server: ServerName | None) -> None:
    app = cast("ASGIApp", STARLETTE)  # Starlette types apps with plain mappings
    async with Client(app, server=server) as client:
        assert (await client.get("/json")).json() == {"hello": "world"}
        assert (await client.get("/stream")).text == "0\n1\n2\n"
        async with client.websocket_connect("/ws", subprotocols=["v1"]) as ws:
            await ws.send_text("hi")
            assert await ws.receive_json() == {"echo": "hi"}


@pytest.mark.parametrize("server", [None, "uvicorn", "hypercorn", "granian", "daphne"])
async def test_asgikit_responses_pass_under_every_profile(server: ServerName | None) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive, send)
        if request.path == "/stream":
            async with request.response_writer(media_type="text/plain") as write:
                for n in range(3):
                    await write(f"{n}\n")
        elif request.path == "/empty":
            await request.respond_empty()
        else:
            await request.respond_json({"path": request.path})

    async with Client(app, server=server) as client:
        assert (await client.get("/stream")).text == "0\n1\n2\n"
        assert (await client.get("/empty")).status_code == 204
        assert (await client.head("/x")).headers["content-length"] == "13"
        assert (await client.get("/x")).json() == {"path": "/x"}
