"""WebSocket: exact ASGI messages for every call, state transitions and errors."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

import msgspec
import pytest

from asgikit._connection import connection_state
from asgikit._exceptions import (
    InvalidHeaderError,
    WebSocketClosedError,
    WebSocketDisconnect,
    WebSocketMessageError,
    WebSocketMessageTooLargeError,
    WebSocketStateError,
)
from asgikit._websocket import (
    DEFAULT_MAX_JSON_MESSAGE_SIZE,
    AcceptedWebSocket,
    WebSocket,
    WebSocketState,
)
from asgikit.asgi import ReceiveEvent, WebSocketScope
from tests.conftest import FailingSend, Recorder, Script, http_scope, websocket_scope

CONNECT: ReceiveEvent = {"type": "websocket.connect"}


def text(value: str) -> ReceiveEvent:
    return {"type": "websocket.receive", "text": value}


def binary(value: bytes) -> ReceiveEvent:
    return {"type": "websocket.receive", "bytes": value}


def make(
    events: Iterable[ReceiveEvent] = (),
    *,
    spec_version: str = "2.4",
    subprotocols: list[str] | None = None,
) -> tuple[WebSocket, Script, Recorder, WebSocketScope]:
    scope = websocket_scope(spec_version=spec_version, subprotocols=subprotocols)
    receive = Script(events, websocket=True)
    send = Recorder()
    return WebSocket(scope, receive, send), receive, send, scope


async def accepted(
    events: Iterable[ReceiveEvent] = (), *, spec_version: str = "2.4"
) -> tuple[AcceptedWebSocket, Script, Recorder]:
    ws, receive, send, _ = make([CONNECT, *events], spec_version=spec_version)
    acc = await ws.accept()
    send.events.clear()
    return acc, receive, send


# construction and properties


def test_new_websocket_is_in_state_new() -> None:
    ws, receive, send, scope = make()
    assert ws.state is WebSocketState.NEW
    assert connection_state(scope).websocket == 1
    assert receive.calls == 0
    assert send.events == []


def test_subprotocols_come_from_scope_in_client_order() -> None:
    ws, *_ = make(subprotocols=["b", "a"])
    assert ws.subprotocols == ["b", "a"]


def test_missing_subprotocols_key_means_none_offered() -> None:
    scope = websocket_scope()
    del cast("dict[str, object]", scope)["subprotocols"]
    assert WebSocket(scope, Script(), Recorder()).subprotocols == []


def test_websocket_rejects_an_http_scope() -> None:
    with pytest.raises(ValueError, match="websocket scope"):
        WebSocket(cast("WebSocketScope", http_scope()), Script(), Recorder())


def test_state_enum_values_match_the_spec() -> None:
    assert [(s.name, s.value) for s in WebSocketState] == [
        ("NEW", 1),
        ("CONNECTED", 2),
        ("ACCEPTED", 3),
        ("CLOSED", 4),
    ]


def test_two_websockets_on_one_scope_share_state() -> None:
    ws, _, _, scope = make()
    other = WebSocket(scope, Script(), Recorder())
    connection_state(scope).websocket = 3
    assert ws.state is WebSocketState.ACCEPTED
    assert other.state is WebSocketState.ACCEPTED


# accept


async def test_accept_receives_connect_then_sends_minimal_accept() -> None:
    ws, receive, send, scope = make([CONNECT])
    result = await ws.accept()
    assert cast(object, result) is ws
    assert send.events == [{"type": "websocket.accept"}]
    assert receive.calls == 1
    assert ws.state is WebSocketState.ACCEPTED
    assert connection_state(scope).websocket == 3


async def test_accept_with_offered_subprotocol_sends_it() -> None:
    ws, _, send, _ = make([CONNECT], subprotocols=["chat.v1", "chat.v2"])
    await ws.accept("chat.v2")
    assert send.events == [{"type": "websocket.accept", "subprotocol": "chat.v2"}]


async def test_accept_with_unoffered_subprotocol_raises_before_any_io() -> None:
    ws, receive, send, _ = make([CONNECT], subprotocols=["chat.v1"])
    with pytest.raises(ValueError, match="not offered"):
        await ws.accept("chat.v3")
    assert receive.calls == 0
    assert send.events == []
    assert ws.state is WebSocketState.NEW


async def test_accept_sends_validated_headers_from_mapping_and_pairs() -> None:
    ws, _, send, _ = make([CONNECT], spec_version="2.1")
    await ws.accept(headers={"X-Token": " abc "})
    other, _, send2, _ = make([CONNECT], spec_version="2.4")
    await other.accept(headers=[("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
    assert send.events == [{"type": "websocket.accept", "headers": [(b"x-token", b"abc")]}]
    assert send2.events == [
        {"type": "websocket.accept", "headers": [(b"set-cookie", b"a=1"), (b"set-cookie", b"b=2")]}
    ]


async def test_accept_does_not_mutate_callers_headers() -> None:
    ws, *_ = make([CONNECT])
    headers = {"x-a": "1"}
    await ws.accept(headers=headers)
    assert headers == {"x-a": "1"}


async def test_accept_with_empty_headers_sends_no_headers_key() -> None:
    ws, _, send, _ = make([CONNECT])
    await ws.accept(headers={})
    assert send.events == [{"type": "websocket.accept"}]


async def test_accept_headers_on_spec_2_0_are_dropped_with_a_warning() -> None:
    ws, _, send, _ = make([CONNECT], spec_version="2.0")
    with pytest.warns(RuntimeWarning, match="spec < 2.1"):
        await ws.accept(headers={"x-a": "1"})
    assert send.events == [{"type": "websocket.accept"}]


async def test_accept_without_headers_on_spec_2_0_does_not_warn() -> None:
    ws, _, send, _ = make([CONNECT], spec_version="2.0")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        await ws.accept()
    assert send.events == [{"type": "websocket.accept"}]


async def test_accept_with_invalid_header_raises_before_any_io() -> None:
    ws, receive, send, _ = make([CONNECT])
    with pytest.raises(InvalidHeaderError):
        await ws.accept(headers={"x-a": "1\r\nx-b: 2"})
    assert receive.calls == 0
    assert send.events == []


async def test_accept_when_client_left_before_connect_raises_disconnect() -> None:
    ws, _, send, scope = make([{"type": "websocket.disconnect", "code": 1001, "reason": "gone"}])
    with pytest.raises(WebSocketDisconnect) as info:
        await ws.accept()
    assert (info.value.code, info.value.reason) == (1001, "gone")
    assert send.events == []
    assert ws.state is WebSocketState.CLOSED
    assert connection_state(scope).disconnected is True


async def test_accept_in_connected_state_does_not_receive_again() -> None:
    ws, receive, send, scope = make()
    connection_state(scope).websocket = 2
    await ws.accept()
    assert receive.calls == 0
    assert send.events == [{"type": "websocket.accept"}]


async def test_accept_twice_raises_state_error_and_sends_once() -> None:
    ws, _, send, _ = make([CONNECT])
    await ws.accept()
    with pytest.raises(WebSocketStateError, match="already accepted"):
        await ws.accept()
    assert send.events == [{"type": "websocket.accept"}]


async def test_accept_after_close_raises_closed_error() -> None:
    ws, _, send, _ = make([CONNECT])
    await ws.close()
    with pytest.raises(WebSocketClosedError):
        await ws.accept()
    assert send.events == [{"type": "websocket.close", "code": 1000}]


async def test_accept_on_unexpected_first_event_raises_message_error() -> None:
    ws, _, send, _ = make([text("early")])
    with pytest.raises(WebSocketMessageError, match="unexpected ASGI event"):
        await ws.accept()
    assert send.events == []


async def test_accept_whose_send_fails_raises_disconnect_1006() -> None:
    scope = websocket_scope()
    send = FailingSend(fail_at=1)
    ws = WebSocket(scope, Script([CONNECT], websocket=True), send)
    with pytest.raises(WebSocketDisconnect) as info:
        await ws.accept()
    assert info.value.code == 1006
    assert ws.state is WebSocketState.CLOSED


# read


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (text("hello"), "hello"),
        (binary(b"\x00\xff"), b"\x00\xff"),
        (text(""), ""),  # the old release returned None here
        (binary(b""), b""),
        ({"type": "websocket.receive", "text": None, "bytes": b"x"}, b"x"),
        ({"type": "websocket.receive", "text": "t", "bytes": None}, "t"),
        ({"type": "websocket.receive", "text": "t", "bytes": b"b"}, "t"),
        ({"type": "websocket.receive", "text": "", "bytes": b"b"}, ""),
    ],
)
async def test_read_returns_the_non_none_payload(event: ReceiveEvent, expected: str | bytes) -> None:
    ws, _, send = await accepted([event])
    result = await ws.read()
    assert result == expected
    assert type(result) is type(expected)
    assert send.events == []


async def test_read_of_message_with_neither_payload_raises_message_error() -> None:
    ws, *_ = await accepted([{"type": "websocket.receive", "text": None, "bytes": None}])
    with pytest.raises(WebSocketMessageError, match="neither text nor bytes"):
        await ws.read()
    assert ws.state is WebSocketState.ACCEPTED


async def test_read_disconnect_raises_with_code_and_reason_then_closed_error() -> None:
    ws, receive, _ = await accepted([{"type": "websocket.disconnect", "code": 4000, "reason": "bye"}])
    with pytest.raises(WebSocketDisconnect) as info:
        await ws.read()
    assert (info.value.code, info.value.reason) == (4000, "bye")
    assert ws.state is WebSocketState.CLOSED
    calls = receive.calls
    with pytest.raises(WebSocketClosedError):
        await ws.read()
    assert receive.calls == calls


@pytest.mark.parametrize(
    "event",
    [
        {"type": "websocket.disconnect"},
        {"type": "websocket.disconnect", "code": None, "reason": ""},
    ],
)
async def test_read_disconnect_without_code_means_1005_and_no_reason(event: ReceiveEvent) -> None:
    ws, *_ = await accepted([event])
    with pytest.raises(WebSocketDisconnect) as info:
        await ws.read()
    assert (info.value.code, info.value.reason) == (1005, None)


async def test_read_before_accept_raises_state_error_without_receiving() -> None:
    ws, receive, _, _ = make([CONNECT, text("x")])
    with pytest.raises(WebSocketStateError, match="call accept"):
        await cast("AcceptedWebSocket", ws).read()
    assert receive.calls == 0


async def test_read_of_unexpected_event_raises_message_error() -> None:
    ws, *_ = await accepted([CONNECT])
    with pytest.raises(WebSocketMessageError, match=r"websocket\.connect"):
        await ws.read()


# iter


async def test_iter_yields_messages_and_ends_quietly_on_disconnect() -> None:
    ws, _, _ = await accepted([text("a"), binary(b"b"), text(""), {"type": "websocket.disconnect"}])
    assert [m async for m in ws.iter()] == ["a", b"b", ""]
    assert ws.state is WebSocketState.CLOSED


async def test_iter_before_accept_raises_at_call_time() -> None:
    ws, *_ = make([CONNECT])
    with pytest.raises(WebSocketStateError):
        cast("AcceptedWebSocket", ws).iter()


async def test_iter_after_close_raises_closed_error() -> None:
    ws, *_ = await accepted()
    await ws.close()
    with pytest.raises(WebSocketClosedError):
        ws.iter()


async def test_iter_ends_when_the_app_closes_inside_the_loop() -> None:
    ws, receive, send = await accepted([text("a"), text("b")])
    seen: list[str | bytes] = []
    async for message in ws.iter():
        seen.append(message)
        await ws.close(4001)
    assert seen == ["a"]
    assert receive.calls == 2  # connect + "a"; "b" never read
    assert send.events == [{"type": "websocket.close", "code": 4001}]


async def test_iter_raises_on_message_with_neither_payload() -> None:
    ws, *_ = await accepted([text("a"), {"type": "websocket.receive"}])
    seen: list[str | bytes] = []
    with pytest.raises(WebSocketMessageError):
        async for message in ws.iter():
            seen.append(message)
    assert seen == ["a"]


async def test_iter_raises_on_unexpected_event() -> None:
    ws, *_ = await accepted([CONNECT])
    with pytest.raises(WebSocketMessageError, match="unexpected ASGI event"):
        async for _ in ws.iter():
            pass


# JSON


class Point(msgspec.Struct):
    x: int
    y: int


@dataclass
class Named:
    name: str


async def test_read_json_decodes_text_and_binary_frames() -> None:
    ws, *_ = await accepted([text('{"a": [1, 2.5, null, true]}'), binary(b'"caf\xc3\xa9"')])
    assert await ws.read_json() == {"a": [1, 2.5, None, True]}
    assert await ws.read_json() == "café"


async def test_read_json_validates_into_a_type() -> None:
    ws, *_ = await accepted([text('{"x": 1, "y": 2}'), text('{"name": "n"}')])
    assert await ws.read_json(Point) == Point(1, 2)
    assert await ws.read_json(type=Named) == Named("n")


async def test_read_json_type_mismatch_raises_message_error() -> None:
    ws, *_ = await accepted([text('{"x": "1", "y": 2}')])
    with pytest.raises(WebSocketMessageError, match=r"expected type: Expected `int`, got `str` - at `\$.x`"):
        await ws.read_json(Point)


@pytest.mark.parametrize("payload", ["{", "", "nul", "[1,]", "\ud800"])
async def test_read_json_malformed_raises_message_error(payload: str) -> None:
    ws, *_ = await accepted([text(payload)])
    with pytest.raises(WebSocketMessageError, match="not valid JSON"):
        await ws.read_json()


async def test_read_json_disconnect_raises_disconnect() -> None:
    ws, *_ = await accepted([{"type": "websocket.disconnect", "code": 1000}])
    with pytest.raises(WebSocketDisconnect):
        await ws.read_json()


async def test_read_json_default_limit_is_one_mebibyte() -> None:
    assert DEFAULT_MAX_JSON_MESSAGE_SIZE == 1024 * 1024
    at_limit = '"' + "a" * (DEFAULT_MAX_JSON_MESSAGE_SIZE - 2) + '"'
    ws, *_ = await accepted([text(at_limit), text(at_limit + " ")])
    assert await ws.read_json() == "a" * (DEFAULT_MAX_JSON_MESSAGE_SIZE - 2)
    with pytest.raises(WebSocketMessageTooLargeError) as info:
        await ws.read_json()
    assert info.value.limit == DEFAULT_MAX_JSON_MESSAGE_SIZE


async def test_read_json_limit_counts_utf8_bytes_of_text() -> None:
    ws, *_ = await accepted([text('"€€"'), text('"€€€"')])  # 8 and 11 bytes
    assert await ws.read_json(max_size=8) == "€€"
    with pytest.raises(WebSocketMessageTooLargeError, match="max_size=10 bytes"):
        await ws.read_json(max_size=10)


async def test_iter_json_decodes_each_message_into_type_and_ends_on_disconnect() -> None:
    ws, *_ = await accepted([text('{"x":1,"y":2}'), binary(b'{"x":3,"y":4}')])
    assert [p async for p in ws.iter_json(Point)] == [Point(1, 2), Point(3, 4)]
    assert ws.state is WebSocketState.CLOSED


async def test_iter_json_without_type_gives_plain_values() -> None:
    ws, *_ = await accepted([text("1"), text('"two"'), text("[3]")])
    assert [v async for v in ws.iter_json()] == [1, "two", [3]]


async def test_iter_json_raises_on_malformed_message() -> None:
    ws, *_ = await accepted([text("1"), text("{")])
    seen: list[object] = []
    with pytest.raises(WebSocketMessageError):
        async for value in ws.iter_json():
            seen.append(value)
    assert seen == [1]


async def test_iter_json_before_accept_raises_at_call_time() -> None:
    ws, *_ = make()
    with pytest.raises(WebSocketStateError):
        cast("AcceptedWebSocket", ws).iter_json()


# write


async def test_write_sends_text_and_binary_frames() -> None:
    ws, _, send = await accepted()
    await ws.write("héllo")
    await ws.write(b"\x00")
    await ws.write("")
    await ws.write(b"")
    assert send.events == [
        {"type": "websocket.send", "text": "héllo"},
        {"type": "websocket.send", "bytes": b"\x00"},
        {"type": "websocket.send", "text": ""},
        {"type": "websocket.send", "bytes": b""},
    ]


async def test_write_of_str_subclass_is_text() -> None:
    class Tag(str):
        pass

    ws, _, send = await accepted()
    await ws.write(Tag("t"))
    assert send.events == [{"type": "websocket.send", "text": "t"}]


@pytest.mark.parametrize("data", [bytearray(b"x"), memoryview(b"x"), 1, None])
async def test_write_of_other_types_raises_type_error(data: object) -> None:
    ws, _, send = await accepted()
    with pytest.raises(TypeError, match="str or bytes"):
        await ws.write(cast("str", data))
    assert send.events == []


async def test_write_json_sends_compact_json_as_text() -> None:
    ws, _, send = await accepted()
    await ws.write_json({"a": [1, "é", None], "p": Point(1, 2)})
    assert send.events == [{"type": "websocket.send", "text": '{"a":[1,"é",null],"p":{"x":1,"y":2}}'}]


async def test_write_json_uses_enc_hook_for_unsupported_objects() -> None:
    ws, _, send = await accepted()
    await ws.write_json({"c": complex(1, 2)}, enc_hook=str)
    assert send.events == [{"type": "websocket.send", "text": '{"c":"(1+2j)"}'}]


async def test_write_json_of_unsupported_object_raises_type_error_before_sending() -> None:
    ws, _, send = await accepted()
    with pytest.raises(TypeError):
        await ws.write_json(object())
    assert send.events == []


async def test_write_before_accept_raises_state_error() -> None:
    ws, _, send, _ = make()
    with pytest.raises(WebSocketStateError):
        await cast("AcceptedWebSocket", ws).write("x")
    with pytest.raises(WebSocketStateError):
        await cast("AcceptedWebSocket", ws).write_json(1)
    assert send.events == []


async def test_write_when_server_reports_client_gone_raises_disconnect_1006() -> None:
    scope = websocket_scope()
    send = FailingSend(fail_at=2)
    ws = await WebSocket(scope, Script([CONNECT], websocket=True), send).accept()
    with pytest.raises(WebSocketDisconnect) as info:
        await ws.write("x")
    assert (info.value.code, info.value.reason) == (1006, None)
    assert ws.state is WebSocketState.CLOSED
    assert connection_state(scope).disconnected is True
    with pytest.raises(WebSocketClosedError):
        await ws.write("x")
    await ws.close()  # no-op: nothing more is sent
    assert send.events == [{"type": "websocket.accept"}, {"type": "websocket.send", "text": "x"}]


# close


async def test_close_after_accept_sends_close_and_closes() -> None:
    ws, _, send = await accepted()
    closed = await ws.close()
    assert cast(object, closed) is ws
    assert send.events == [{"type": "websocket.close", "code": 1000}]
    assert ws.state is WebSocketState.CLOSED


async def test_close_with_reason_on_spec_2_3_sends_reason() -> None:
    ws, _, send = await accepted(spec_version="2.3")
    await ws.close(4001, "going away")
    assert send.events == [{"type": "websocket.close", "code": 4001, "reason": "going away"}]


@pytest.mark.parametrize("spec", ["2.0", "2.1", "2.2"])
async def test_close_reason_is_not_sent_below_spec_2_3(spec: str) -> None:
    ws, _, send = await accepted(spec_version=spec)
    await ws.close(1001, "going away")
    assert send.events == [{"type": "websocket.close", "code": 1001}]


async def test_close_before_accept_rejects_without_receiving() -> None:
    ws, receive, send, _ = make([CONNECT])
    closed = await ws.close(4003)
    assert cast(object, closed) is ws
    assert receive.calls == 0
    assert send.events == [{"type": "websocket.close", "code": 4003}]
    assert ws.state is WebSocketState.CLOSED


async def test_close_twice_sends_one_close() -> None:
    ws, _, send = await accepted()
    await ws.close(4000)
    await ws.close(4001)
    assert send.events == [{"type": "websocket.close", "code": 4000}]


async def test_close_after_client_disconnect_is_a_no_op() -> None:
    ws, _, send = await accepted([{"type": "websocket.disconnect", "code": 1001}])
    with pytest.raises(WebSocketDisconnect):
        await ws.read()
    await ws.close()
    assert send.events == []


async def test_close_when_send_fails_does_not_raise() -> None:
    scope = websocket_scope()
    send = FailingSend(fail_at=2)
    ws = await WebSocket(scope, Script([CONNECT], websocket=True), send).accept()
    await ws.close()
    assert ws.state is WebSocketState.CLOSED
    assert connection_state(scope).disconnected is True


async def test_read_and_write_after_close_raise_closed_error() -> None:
    ws, _, send = await accepted([text("x")])
    await ws.close()
    with pytest.raises(WebSocketClosedError, match="closed"):
        await ws.read()
    with pytest.raises(WebSocketClosedError):
        await ws.write("x")
    with pytest.raises(WebSocketClosedError):
        await ws.write_json(1)
    with pytest.raises(WebSocketClosedError):
        await ws.read_json()
    assert send.events == [{"type": "websocket.close", "code": 1000}]


async def test_close_on_a_second_view_closes_the_first() -> None:
    ws, _, send, scope = make([CONNECT])
    acc = await ws.accept()
    other = WebSocket(scope, Script(), send)
    await other.close()
    with pytest.raises(WebSocketClosedError):
        await acc.write("x")
    assert send.events == [{"type": "websocket.accept"}, {"type": "websocket.close", "code": 1000}]
