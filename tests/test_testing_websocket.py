"""asgikit.testing websockets: the websocket app of the real-server tests (tests/apps/ws_app.py)
driven in process under each server profile must behave as the real servers were observed to
behave (the ``EXPECTED`` table of tests/test_websocket_servers.py), plus the client's own API."""

from __future__ import annotations

import itertools
import warnings
from typing import Final

import pytest

from asgikit import JSONValue, WebSocketDisconnect
from asgikit.asgi import Receive, Scope, Send
from asgikit.testing import (
    Client,
    DisconnectAfterResponseEvents,
    ServerName,
    WebSocketClosed,
    WebSocketDenied,
)
from tests.apps import ws_app
from tests.servers import ServerKind
from tests.test_websocket_servers import EXPECTED, Expected

PROFILE_OF: Final[dict[ServerName, ServerKind]] = {
    "uvicorn": "uvicorn-h11",
    "hypercorn": "hypercorn",
    "granian": "granian",
    "daphne": "daphne",
}
"""The real server whose observed behaviour each profile must reproduce."""

_keys = itertools.count()


@pytest.fixture(params=list(PROFILE_OF))
def server(request: pytest.FixtureRequest) -> ServerName:
    name: ServerName = request.param
    return name


def expected(server: ServerName) -> Expected:
    return EXPECTED[PROFILE_OF[server]]


async def test_scope_shows_what_the_server_implements(server: ServerName) -> None:
    scope: JSONValue = None
    async with Client(ws_app.app, server=server) as client:
        with pytest.raises(WebSocketDisconnect):  # the route waits in read() and lets it escape
            async with client.websocket_connect("/scope", subprotocols=["a", "b"]) as ws:
                scope = await ws.receive_json()
    assert scope == {
        "asgi": expected(server).asgi,
        "extensions": expected(server).extensions,
        "subprotocols": ["a", "b"],
        "http_version": expected(server).http_version,
    }


async def test_accept_with_offered_subprotocol_and_echo_keeps_frame_types(
    server: ServerName,
) -> None:
    async with Client(ws_app.app, server=server) as client:
        async with client.websocket_connect("/echo", subprotocols=["chat.v1", "chat.v2"]) as ws:
            assert ws.subprotocol == "chat.v2"
            for message in ("héllo", b"\x00\xff", "x" * 70_000, b"\x01" * 70_000):
                if isinstance(message, str):
                    await ws.send_text(message)
                    assert await ws.receive_text() == message
                else:
                    await ws.send_bytes(message)
                    assert await ws.receive_bytes() == message
        async with client.websocket_connect("/echo") as ws:
            assert ws.subprotocol is None


async def test_accept_headers_reach_the_client_where_the_server_sends_them(
    server: ServerName,
) -> None:
    header: str | None = "unset"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with Client(ws_app.app, server=server) as client:
            with pytest.raises(WebSocketDisconnect):  # the route waits in read() and lets it escape
                async with client.websocket_connect("/headers") as ws:
                    assert await ws.receive_text() == "ok"
                    header = ws.accept_headers.get("x-asgikit")
    assert header == ("yes" if expected(server).sends_accept_headers else None)
    # Daphne speaks spec 2.0: asgikit drops the headers itself, with a warning.
    assert [str(w.message) for w in caught if w.category is RuntimeWarning] == (
        [
            "the ASGI server implements websocket spec < 2.1 and cannot send accept() headers; they were dropped"
        ]
        if server == "daphne"
        else []
    )


async def test_empty_messages_arrive_where_the_server_delivers_them(server: ServerName) -> None:
    async with Client(ws_app.app, server=server) as client, client.websocket_connect("/echo") as ws:
        await ws.send_text("")
        await ws.send_bytes(b"")
        await ws.send_text("end")
        received = [
            await ws.receive() for _ in range(3 if expected(server).sends_empty_messages else 1)
        ]
    assert received == (["", b"", "end"] if expected(server).sends_empty_messages else ["end"])


async def test_json_echo_and_invalid_json_close(server: ServerName) -> None:
    async with Client(ws_app.app, server=server) as client, client.websocket_connect("/json") as ws:
        await ws.send_json({"a": [1, 2.5, None]})
        assert await ws.receive_text() == '{"echo":{"a":[1,2.5,null]}}'
        await ws.send_json(["bin\u00e9"], binary=True)
        assert await ws.receive_json() == {"echo": ["bin\u00e9"]}
        await ws.send_text("{")
        with pytest.raises(WebSocketClosed) as closed:
            await ws.receive()
    code = expected(server).close_1007_arrives_as
    reason = "invalid JSON" if code == 1007 and expected(server).sends_close_reason else ""
    assert (closed.value.code, closed.value.reason) == (code, reason)
    assert (ws.close_code, ws.close_reason) == (code, reason)


async def test_app_close_with_code_and_reason(server: ServerName) -> None:
    async with (
        Client(ws_app.app, server=server) as client,
        client.websocket_connect("/close") as ws,
    ):
        await ws.send_text("x")
        with pytest.raises(WebSocketClosed, match="closed with code 4001") as closed:
            await ws.receive_text()
        with pytest.raises(WebSocketClosed):
            await ws.send_text("too late")
    assert (closed.value.code, closed.value.reason) == (
        4001,
        "bye" if expected(server).sends_close_reason else "",
    )


async def test_close_before_accept_is_an_http_403(server: ServerName) -> None:
    async with Client(ws_app.app, server=server) as client:
        with pytest.raises(WebSocketDenied, match="HTTP 403") as denied:
            async with client.websocket_connect("/reject"):
                pytest.fail("the handshake must fail")
    assert (denied.value.response.status_code, denied.value.response.content) == (403, b"")


async def test_denial_response_where_supported_else_403(server: ServerName) -> None:
    async with Client(ws_app.app, server=server) as client:
        with pytest.raises(WebSocketDenied) as denied:
            async with client.websocket_connect("/deny"):
                pytest.fail("the handshake must fail")
    response = denied.value.response
    if "websocket.http.response" in expected(server).extensions:
        assert (response.status_code, response.content, response.headers.get("x-denied")) == (
            401,
            b"denied",
            "yes",
        )
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
    else:
        assert response.status_code == 403


async def record_after_abort(server: ServerName, route: str) -> object:
    """Connect to ``/ROUTE?KEY``, read ``"ready"``, vanish (fault), return the app's record."""
    key = f"in-process-{route}-{next(_keys)}"
    async with Client(ws_app.app, server=server) as client:
        with client.inject(DisconnectAfterResponseEvents(2)):  # accept, "ready"
            async with client.websocket_connect(f"/{route}?{key}") as ws:
                assert await ws.receive_text() == "ready"
                with pytest.raises(WebSocketClosed) as closed:
                    await ws.receive()
                assert closed.value.code == 1006
    return ws_app.RECORDS.pop(key)


async def test_client_abrupt_disconnect_raises_disconnect_then_closed(server: ServerName) -> None:
    assert await record_after_abort(server, "abrupt") == {
        "read": "WebSocketDisconnect",
        "code": expected(server).abrupt_disconnect_code,
        "reason": None,
        "write_after": "WebSocketClosedError",
        "state": "CLOSED",
    }


async def test_writing_to_a_vanished_client(server: ServerName) -> None:
    record = await record_after_abort(server, "writer")
    if expected(server).send_raises_when_client_gone:
        assert record == {"ended": "WebSocketDisconnect", "code": 1006, "state": "CLOSED"}
    else:
        assert record == {"ended": "no error"}


# The client's own API


async def test_client_close_reaches_the_app_with_code_and_reason_on_spec_2_5() -> None:
    seen: list[object] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            return
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        seen.append(await receive())

    async with Client(app) as client:
        async with client.websocket_connect("/") as ws:
            await ws.close(4000, "done")
        async with client.websocket_connect("/"):
            pass
    assert seen == [
        {"type": "websocket.disconnect", "code": 4000, "reason": "done"},
        {"type": "websocket.disconnect", "code": 1000, "reason": ""},
    ]


async def test_handshake_request_carries_upgrade_headers_params_and_cookies() -> None:
    async with (
        Client(ws_app.app, cookies={"sid": "7"}) as client,
        client.websocket_connect("/echo", params={"a": "1"}, headers={"x-h": "v"}) as ws,
    ):
        scope = ws.scope
    headers = dict((k.decode(), v.decode()) for k, v in scope["headers"])
    assert headers["upgrade"] == "websocket"
    assert headers["connection"] == "upgrade"
    assert headers["sec-websocket-version"] == "13"
    assert len(headers["sec-websocket-key"]) >= 16
    assert (headers["x-h"], headers["cookie"]) == ("v", "sid=7")
    assert (scope.get("scheme"), scope["path"], scope.get("query_string")) == (
        "ws",
        "/echo",
        b"a=1",
    )


async def test_receive_of_the_wrong_kind_and_timeouts_are_clear_errors() -> None:
    async with Client(ws_app.app, timeout=0.1) as client, client.websocket_connect("/echo") as ws:
        await ws.send_bytes(b"x")
        with pytest.raises(TypeError, match="expected a text message, the app sent a binary one"):
            await ws.receive_text()
        await ws.send_text("x")
        with pytest.raises(TypeError, match="expected a binary message, the app sent a text one"):
            await ws.receive_bytes()
        with pytest.raises(TimeoutError, match=r"the app sent no websocket message within 0\.1 s"):
            await ws.receive()


async def test_app_returning_after_accept_closes_with_1000_and_failing_raises() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            return
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": "bye"})
        if scope["path"] == "/fail":
            raise LookupError("handler failed")

    async with Client(app) as client:
        async with client.websocket_connect("/") as ws:
            assert await ws.receive_text() == "bye"
            with pytest.raises(WebSocketClosed) as closed:
                await ws.receive()
        assert closed.value.code == 1000
        with pytest.raises(LookupError, match="handler failed"):
            async with client.websocket_connect("/fail") as ws:
                assert await ws.receive_text() == "bye"
                await ws.receive()
