"""Rows B44-B48 of the attack catalogue (shared/bad-inputs.md): websocket misuse and bad input."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterable
from typing import cast

import pytest

from asgikit._exceptions import (
    InvalidHeaderError,
    WebSocketClosedError,
    WebSocketDisconnect,
    WebSocketMessageError,
    WebSocketMessageTooLargeError,
)
from asgikit._websocket import AcceptedWebSocket, WebSocket, WebSocketState
from asgikit.asgi import ReceiveEvent
from tests.conftest import Recorder, Script, websocket_scope

CONNECT: ReceiveEvent = {"type": "websocket.connect"}


def make(
    events: Iterable[ReceiveEvent] = (), *, spec_version: str = "2.4", subprotocols: list[str] | None = None
) -> tuple[WebSocket, Script, Recorder]:
    receive = Script([CONNECT, *events], websocket=True)
    send = Recorder()
    scope = websocket_scope(spec_version=spec_version, subprotocols=subprotocols)
    return WebSocket(scope, receive, send), receive, send


async def accepted(events: Iterable[ReceiveEvent] = (), *, spec_version: str = "2.4") -> tuple[AcceptedWebSocket, Recorder]:
    ws, _, send = make(events, spec_version=spec_version)
    acc = await ws.accept()
    send.events.clear()
    return acc, send


# B44: send after close / close twice / receive after disconnect


async def test_b44_send_after_close_raises_closed_error_and_sends_nothing() -> None:
    ws, send = await accepted()
    await ws.close()
    with pytest.raises(WebSocketClosedError):
        await ws.write("late")
    with pytest.raises(WebSocketClosedError):
        await ws.write_json({"late": True})
    assert send.events == [{"type": "websocket.close", "code": 1000}]


async def test_b44_close_twice_is_a_no_op() -> None:
    ws, send = await accepted()
    await ws.close(1000)
    await ws.close(1000)
    assert send.events == [{"type": "websocket.close", "code": 1000}]


async def test_b44_receive_after_disconnect_raises_disconnect_then_closed_error() -> None:
    # Policy: the first read after the client left raises WebSocketDisconnect with its close
    # code; any later read raises WebSocketClosedError at once (never hangs, never asks the
    # server again).
    ws, _ = await accepted([{"type": "websocket.disconnect", "code": 1001}])
    with pytest.raises(WebSocketDisconnect) as info:
        await ws.read()
    assert info.value.code == 1001
    for _ in range(3):
        with pytest.raises(WebSocketClosedError):
            await ws.read()
    assert ws.state is WebSocketState.CLOSED


async def test_b44_send_after_client_disconnect_raises_closed_error() -> None:
    ws, send = await accepted([{"type": "websocket.disconnect", "code": 1001}])
    with pytest.raises(WebSocketDisconnect):
        await ws.read()
    with pytest.raises(WebSocketClosedError):
        await ws.write("late")
    assert send.events == []


# B45: JSON on a frame that is not JSON


@pytest.mark.parametrize("payload", ["not json", "{'a': 1}", "[1, 2", "\x00", "1 2"])
async def test_b45_read_json_on_invalid_text_raises_message_error(payload: str) -> None:
    ws, _ = await accepted([{"type": "websocket.receive", "text": payload}])
    with pytest.raises(WebSocketMessageError, match="not valid JSON"):
        await ws.read_json()


async def test_b45_read_json_on_binary_frame_decodes_utf8_json() -> None:
    # Policy: binary frames are accepted as UTF-8 JSON ("text" is None there, no KeyError).
    ws, _ = await accepted([{"type": "websocket.receive", "text": None, "bytes": b'{"a": 1}'}])
    assert await ws.read_json() == {"a": 1}


@pytest.mark.parametrize("payload", [b"\xff\xfe", b'"\xc3\x28"', b"\x89PNG\r\n"])
async def test_b45_read_json_on_binary_non_json_raises_message_error(payload: bytes) -> None:
    ws, _ = await accepted([{"type": "websocket.receive", "bytes": payload}])
    with pytest.raises(WebSocketMessageError, match="not valid JSON"):
        await ws.read_json()


@pytest.mark.parametrize(
    "event",
    [
        {"type": "websocket.receive"},
        {"type": "websocket.receive", "text": None},
        {"type": "websocket.receive", "text": None, "bytes": None},
    ],
)
async def test_b45_message_without_payload_raises_message_error_not_key_error(event: ReceiveEvent) -> None:
    ws, _ = await accepted([event, event])
    with pytest.raises(WebSocketMessageError):
        await ws.read()
    with pytest.raises(WebSocketMessageError):
        await ws.read_json()


# B46: close codes and reasons


@pytest.mark.parametrize("code", [1004, 1005, 1006, 1015, 999, 0, -1, 1016, 2999, 5000, 65535])
async def test_b46_invalid_close_code_is_rejected_locally(code: int) -> None:
    ws, send = await accepted()
    with pytest.raises(ValueError, match="invalid close code"):
        await ws.close(code)
    assert send.events == []
    assert ws.state is WebSocketState.ACCEPTED


@pytest.mark.parametrize("code", [1000, 1001, 1002, 1003, 1007, 1008, 1011, 1014, 3000, 4000, 4999])
async def test_b46_valid_close_code_is_sent(code: int) -> None:
    ws, send = await accepted()
    await ws.close(code)
    assert send.events == [{"type": "websocket.close", "code": code}]


@pytest.mark.parametrize("code", [True, 1000.0, "1000"])
async def test_b46_non_int_close_code_raises_type_error(code: object) -> None:
    ws, send = await accepted()
    with pytest.raises(TypeError, match="close code"):
        await ws.close(cast("int", code))
    assert send.events == []


@pytest.mark.parametrize("reason", [b"going away", 5, ["going away"]])
async def test_b46_non_str_close_reason_raises_type_error(reason: object) -> None:
    ws, send = await accepted()
    with pytest.raises(TypeError, match="close reason must be a str"):
        await ws.close(1000, cast("str", reason))
    assert send.events == []
    assert ws.state is WebSocketState.ACCEPTED


async def test_b46_invalid_close_code_is_rejected_even_before_accept() -> None:
    ws, receive, send = make()
    with pytest.raises(ValueError, match="invalid close code"):
        await ws.close(1006)
    assert receive.calls == 0
    assert send.events == []


@pytest.mark.parametrize(
    ("reason", "ok"),
    [
        ("a" * 123, True),
        ("a" * 124, False),
        ("€" * 41, True),  # 123 bytes
        ("€" * 41 + "a", False),  # 124 bytes, 42 characters
        ("😀" * 30 + "abc", True),  # 123 bytes
        ("😀" * 31, False),  # 124 bytes, 31 characters
        ("a" * 100_000, False),
    ],
)
async def test_b46_close_reason_is_limited_to_123_utf8_bytes(reason: str, ok: bool) -> None:
    ws, send = await accepted(spec_version="2.3")
    if ok:
        await ws.close(1000, reason)
        assert send.events == [{"type": "websocket.close", "code": 1000, "reason": reason}]
    else:
        with pytest.raises(ValueError, match="123 UTF-8 bytes"):
            await ws.close(1000, reason)
        assert send.events == []


async def test_b46_close_reason_with_lone_surrogate_is_rejected() -> None:
    ws, send = await accepted(spec_version="2.3")
    with pytest.raises(ValueError, match="surrogate"):
        await ws.close(1000, "\ud800")
    assert send.events == []


async def test_b46_close_reason_only_sent_on_spec_2_3_and_later() -> None:
    old, old_send = await accepted(spec_version="2.2")
    new, new_send = await accepted(spec_version="2.3")
    await old.close(4000, "why")
    await new.close(4000, "why")
    assert old_send.events == [{"type": "websocket.close", "code": 4000}]
    assert new_send.events == [{"type": "websocket.close", "code": 4000, "reason": "why"}]


# B47: accept headers, subprotocols (the denial response belongs to Request)


async def test_b47_accept_headers_sent_only_on_spec_2_1_and_later() -> None:
    old, _, old_send = make(spec_version="2.0")
    new, _, new_send = make(spec_version="2.1")
    with pytest.warns(RuntimeWarning):
        await old.accept(headers={"x-a": "1"})
    await new.accept(headers={"x-a": "1"})
    assert old_send.events == [{"type": "websocket.accept"}]
    assert new_send.events == [{"type": "websocket.accept", "headers": [(b"x-a", b"1")]}]


@pytest.mark.parametrize(
    "headers",
    [
        {"x-a": "v\r\nSet-Cookie: evil=1"},
        {"x-a": "v\x00"},
        {"bad name": "v"},
        {"x-a\r\n": "v"},
        {"x-a": "snowman \u2603"},
    ],
)
async def test_b47_accept_header_injection_is_rejected(headers: dict[str, str]) -> None:
    ws, receive, send = make()
    with pytest.raises(InvalidHeaderError):
        await ws.accept(headers=headers)
    assert receive.calls == 0
    assert send.events == []


@pytest.mark.parametrize("subprotocol", ["chat.v3", "", "CHAT.V1", "chat.v1 "])
async def test_b47_subprotocol_must_be_one_the_client_offered(subprotocol: str) -> None:
    ws, _, send = make(subprotocols=["chat.v1"])
    with pytest.raises(ValueError, match="not offered"):
        await ws.accept(subprotocol)
    assert send.events == []


async def test_b47_any_subprotocol_is_rejected_when_none_offered() -> None:
    ws, _, send = make()
    with pytest.raises(ValueError, match="not offered"):
        await ws.accept("chat")
    assert send.events == []


# B48: per-message JSON size limit


async def test_b48_read_json_over_max_size_raises_too_large() -> None:
    payload = "[" + "1," * 5000 + "1]"
    ws, _ = await accepted([{"type": "websocket.receive", "text": payload}])
    with pytest.raises(WebSocketMessageTooLargeError) as info:
        await ws.read_json(max_size=1000)
    assert info.value.limit == 1000
    assert isinstance(info.value, WebSocketMessageError)


async def test_b48_binary_json_over_max_size_raises_too_large() -> None:
    ws, _ = await accepted([{"type": "websocket.receive", "bytes": b"1" * 11}])
    with pytest.raises(WebSocketMessageTooLargeError, match="max_size=10 bytes"):
        await ws.read_json(max_size=10)


async def test_b48_iter_json_over_max_size_raises_too_large() -> None:
    ws, _ = await accepted(
        [{"type": "websocket.receive", "text": "1"}, {"type": "websocket.receive", "text": "12345"}]
    )
    seen: list[object] = []
    with pytest.raises(WebSocketMessageTooLargeError):
        async for value in ws.iter_json(max_size=4):
            seen.append(value)
    assert seen == [1]


async def test_b48_size_is_checked_before_decoding() -> None:
    # 16 MiB of nested arrays: decoding them (or encoding the text to count its bytes) would
    # allocate in proportion to the content; the size check rejects them first, allocating
    # next to nothing.
    size = 16 << 20
    ws, _ = await accepted([{"type": "websocket.receive", "text": "[" * size}])
    tracemalloc.start()
    try:
        with pytest.raises(WebSocketMessageTooLargeError) as info:
            await ws.read_json(max_size=1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.limit == 1024
    assert peak < 64 * 1024, peak


async def test_b48_read_without_json_has_no_toolkit_limit() -> None:
    # The server enforces the frame size (uvicorn ws_max_size, hypercorn
    # websocket_max_message_size, both 16 MiB); read() returns whatever it delivered.
    big = "x" * (2 * 1024 * 1024)
    ws, _ = await accepted([{"type": "websocket.receive", "text": big}])
    assert await ws.read() == big
