"""Type tests: ASGI event unions narrow on ``event["type"]`` in mypy and pyright.

Checked statically by ``mypy`` and ``pyright``; ``tests/test_typing_runtime.py`` imports it.
"""

from __future__ import annotations

from typing import assert_never, assert_type

from asgikit.asgi import (
    ASGIApp,
    HTTPDisconnectEvent,
    HTTPReceiveEvent,
    HTTPRequestEvent,
    HTTPScope,
    HTTPSendEvent,
    Receive,
    Scope,
    Send,
    SendEvent,
    WebSocketReceiveEvent,
)


def narrow_http_receive(event: HTTPReceiveEvent) -> bytes:
    if event["type"] == "http.request":
        assert_type(event, HTTPRequestEvent)
        return event.get("body", b"")
    assert_type(event, HTTPDisconnectEvent)
    return b""


def exhaustive_websocket_receive(event: WebSocketReceiveEvent) -> str:
    match event["type"]:
        case "websocket.connect":
            return "connect"
        case "websocket.receive":
            return event.get("text") or ""
        case "websocket.disconnect":
            return str(event.get("code", 1005))
        case _:
            assert_never(event["type"])


def exhaustive_http_send(event: HTTPSendEvent) -> int:
    if event["type"] == "http.response.start":
        return event["status"]
    if event["type"] == "http.response.body":
        return len(event.get("body", b""))
    if event["type"] == "http.response.trailers":
        return 0
    if event["type"] == "http.response.push":
        return len(event["path"])
    if event["type"] == "http.response.zerocopysend":
        return event["file"].fileno()
    if event["type"] == "http.response.pathsend":
        return len(event["path"])
    if event["type"] == "http.response.early_hint":
        return len(event["links"])
    assert_never(event)


def scope_kind(scope: Scope) -> str:
    if scope["type"] == "http":
        assert_type(scope, HTTPScope)
        return scope["method"]
    if scope["type"] == "websocket":
        return scope["path"]
    return "lifespan"


async def hello_app(scope: Scope, receive: Receive, send: Send) -> None:
    start: SendEvent = {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]}
    await send(start)
    await send({"type": "http.response.body", "body": b"hello"})


app: ASGIApp = hello_app
