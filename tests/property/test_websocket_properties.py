"""Property: any sequence of WebSocket calls, against any sequence of server events, either
succeeds or raises a documented exception, and the ASGI traffic it produces is valid per the
ASGI websocket spec."""

from __future__ import annotations

import warnings
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Literal, TypeAlias, TypeVar, cast

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import websocket_scope

from asgikit._exceptions import (
    InvalidHeaderError,
    WebSocketClosedError,
    WebSocketDisconnect,
    WebSocketException,
)
from asgikit._websocket import AcceptedWebSocket, WebSocket, WebSocketState
from asgikit.asgi import ReceiveEvent, SendEvent, WebSocketScope

_T = TypeVar("_T")
OFFERED = ["chat.v1", "chat.v2"]
VALID_CODES = {*range(1000, 1004), *range(1007, 1015), *range(3000, 5000)}


def run(coro: Coroutine[object, object, _T]) -> _T:
    """Drive a coroutine that never suspends (scripted receive/send never do)."""
    try:
        coro.send(None)
    except StopIteration as done:
        return cast("_T", done.value)
    coro.close()
    raise AssertionError("coroutine suspended")


@dataclass
class Peer:
    """Scripted server side: replays events, then reports a disconnect; records traffic in
    order; optionally fails every send from attempt ``fail_at`` on (spec 2.4 behaviour),
    logging the failed attempt as ``"fail"``."""

    events: list[ReceiveEvent]
    fail_at: int | None
    log: list[tuple[str, ReceiveEvent | SendEvent]] = field(default_factory=lambda: [])
    attempts: int = 0

    async def receive(self) -> ReceiveEvent:
        event: ReceiveEvent = (
            self.events.pop(0) if self.events else {"type": "websocket.disconnect", "code": 1006}
        )
        self.log.append(("recv", event))
        return event

    async def send(self, event: SendEvent, /) -> None:
        self.attempts += 1
        if self.fail_at is not None and self.attempts >= self.fail_at:
            self.log.append(("fail", event))
            raise OSError("peer gone")
        self.log.append(("send", event))


def spec_at_least(spec: str | None, minor: int) -> bool:
    return spec is not None and int(spec.split(".")[1]) >= minor


def check_traffic(peer: Peer, spec: str | None) -> None:
    """Validate the interleaved receive/send log against the ASGI websocket spec."""
    connected = False
    phase: Literal["handshake", "open", "closed"] = "handshake"
    disconnected = False
    failed = False
    for direction, event in peer.log:
        if direction == "recv":
            assert not disconnected, "receive() called after websocket.disconnect"
            if event["type"] == "websocket.connect":
                connected = True
            elif event["type"] == "websocket.disconnect":
                disconnected = True
            continue
        assert not disconnected, f"sent {event['type']} after websocket.disconnect"
        assert not failed, f"sent {event['type']} after send() reported the peer gone"
        assert phase != "closed", f"sent {event['type']} after websocket.close"
        if event["type"] == "websocket.accept":
            assert phase == "handshake" and connected
            assert set(event) <= {"type", "subprotocol", "headers"}
            assert event.get("subprotocol", None) in (None, *OFFERED)
            if "headers" in event:
                assert spec_at_least(spec, 1)
                assert all(type(n) is bytes and type(v) is bytes for n, v in event["headers"])
            phase = "open"
        elif event["type"] == "websocket.send":
            assert phase == "open"
            assert set(event) in ({"type", "text"}, {"type", "bytes"})
            assert type(event.get("text", "")) is str and type(event.get("bytes", b"")) is bytes
        elif event["type"] == "websocket.close":
            assert set(event) <= {"type", "code", "reason"}
            assert event.get("code", 1000) in VALID_CODES
            if "reason" in event:
                reason = event["reason"]
                assert spec_at_least(spec, 3) and reason is not None
                assert len(reason.encode()) <= 123
            phase = "closed"
        else:
            raise AssertionError(f"unexpected event sent: {event['type']}")
        failed = direction == "fail"


# Strategies

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


def text_event(value: str) -> ReceiveEvent:
    return {"type": "websocket.receive", "text": value}


def bytes_event(value: bytes) -> ReceiveEvent:
    return {"type": "websocket.receive", "bytes": value}


def disconnect_event(code: int) -> ReceiveEvent:
    return {"type": "websocket.disconnect", "code": code}


inbound = st.one_of(
    st.just(cast("ReceiveEvent", {"type": "websocket.connect"})),
    st.builds(text_event, st.sampled_from(["", "x", "1", '{"a":1}', "{", "[" * 50])),
    st.builds(bytes_event, st.sampled_from([b"", b"\xff", b"2", b'"s"'])),
    st.just(cast("ReceiveEvent", {"type": "websocket.receive", "text": None, "bytes": None})),
    st.builds(disconnect_event, st.sampled_from([1000, 1001, 1005, 1006, 4000])),
)


def server_events() -> st.SearchStrategy[list[ReceiveEvent]]:
    first = st.sampled_from(
        [
            cast("ReceiveEvent", {"type": "websocket.connect"}),
            cast("ReceiveEvent", {"type": "websocket.connect"}),
            cast("ReceiveEvent", {"type": "websocket.connect"}),
            cast("ReceiveEvent", {"type": "websocket.disconnect", "code": 1001}),
        ]
    )
    return st.tuples(first, st.lists(inbound, max_size=8)).map(lambda p: [p[0], *p[1]])


Action: TypeAlias = tuple[str, object, object]

actions = st.one_of(
    st.tuples(
        st.just("accept"),
        st.sampled_from([None, "chat.v1", "chat.v2", "other"]),
        st.sampled_from([None, {"x-a": "1"}, [("set-cookie", "a=1")], {"x-a": "\r\n"}]),
    ),
    st.tuples(st.just("read"), st.none(), st.none()),
    st.tuples(
        st.just("read_json"), st.sampled_from([None, int, str]), st.sampled_from([4, 1 << 20])
    ),
    st.tuples(st.just("iter"), st.integers(0, 3), st.none()),
    st.tuples(st.just("iter_json"), st.integers(0, 3), st.none()),
    st.tuples(st.just("write"), st.text(max_size=5) | st.binary(max_size=5), st.none()),
    st.tuples(st.just("write_json"), json_values, st.none()),
    st.tuples(
        st.just("close"),
        st.sampled_from([1000, 1001, 1011, 3000, 4999, 999, 1005, 1006, 1015, 2000, 5000]),
        st.sampled_from([None, "", "bye", "é" * 61, "é" * 62, "a" * 124]),
    ),
)


async def perform(ws: WebSocket, action: Action) -> None:
    name, a, b = action
    acc = cast("AcceptedWebSocket", ws)
    if name == "accept":
        await ws.accept(cast("str | None", a), headers=cast("dict[str, str] | None", b))
    elif name == "read":
        await acc.read()
    elif name == "read_json":
        if a is None:
            await acc.read_json(max_size=cast("int", b))
        else:
            await acc.read_json(cast("type[object]", a), max_size=cast("int", b))
    elif name in ("iter", "iter_json"):
        iterator = acc.iter() if name == "iter" else acc.iter_json()
        for _ in range(cast("int", a)):
            try:
                await anext(iterator)
            except StopAsyncIteration:
                break
    elif name == "write":
        await acc.write(cast("str | bytes", a))
    elif name == "write_json":
        await acc.write_json(a)
    else:
        await ws.close(cast("int", a), cast("str | None", b))


def expected_error(action: Action, exc: Exception) -> bool:
    """Documented failures: asgikit's websocket errors, header validation, and ValueError for
    arguments the caller controls (unoffered subprotocol, bad close code or reason)."""
    if isinstance(exc, (WebSocketException, InvalidHeaderError)):
        return True
    name, a, b = action
    if type(exc) is ValueError and name == "accept":
        return a not in (None, *OFFERED)
    if type(exc) is ValueError and name == "close":
        reason = cast("str | None", b)
        return a not in VALID_CODES or (reason is not None and len(reason.encode()) > 123)
    return False


@settings(max_examples=300, deadline=None)
@given(
    spec=st.sampled_from([None, "2.0", "2.1", "2.2", "2.3", "2.4"]),
    events=server_events(),
    calls=st.lists(actions, max_size=10),
    fail_at=st.none() | st.integers(1, 6),
)
def test_any_call_sequence_gives_valid_asgi_traffic_or_documented_errors(
    spec: str | None, events: list[ReceiveEvent], calls: list[Action], fail_at: int | None
) -> None:
    scope = websocket_scope(spec_version=spec or "2.0", subprotocols=OFFERED)
    if spec is None:
        scope = cast("WebSocketScope", {**scope, "asgi": {"version": "3.0"}})  # like daphne
    peer = Peer(list(events), fail_at if spec == "2.4" else None)
    ws = WebSocket(scope, peer.receive, peer.send)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for action in calls:
            before = ws.state
            try:
                run(perform(ws, action))
            except Exception as exc:
                assert expected_error(action, exc), f"{action[0]} raised {exc!r}"
                if isinstance(exc, WebSocketDisconnect):
                    assert ws.state is WebSocketState.CLOSED
                if isinstance(exc, WebSocketClosedError):
                    assert before is WebSocketState.CLOSED
            else:
                if action[0] == "accept":
                    assert ws.state is WebSocketState.ACCEPTED
                if action[0] == "close":
                    assert ws.state is WebSocketState.CLOSED
            if before is WebSocketState.CLOSED:
                assert ws.state is WebSocketState.CLOSED
    check_traffic(peer, spec)
