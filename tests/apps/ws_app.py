"""A websocket app for the real-server tests (``tests.apps.ws_app:app``).

Routes (websocket path):

- ``/echo``: accepts (with subprotocol ``chat.v2`` if offered) and echoes text as text and
  bytes as bytes until the client leaves.
- ``/json``: echoes each JSON message as ``{"echo": value}``; closes 1007 on invalid JSON.
- ``/headers``: accepts with header ``x-asgikit: yes`` and sends ``"ok"``.
- ``/close``: reads one message, then closes with code 4001 and reason ``"bye"``.
- ``/reject``: closes with 4003 before accepting (servers answer HTTP 403).
- ``/deny``: a denial response (HTTP 401, body ``denied``) through ``Request.respond_text``;
  servers without the ``websocket.http.response`` extension get ``close(4003)`` (HTTP 403).
- ``/scope``: sends what the server put in the scope (spec version, extensions...).
- ``/abrupt?ID``: sends ``"ready"`` and reads; records what the client's abrupt
  disconnect looked like under ``ID``.
- ``/writer?ID``: sends ``"ready"``, then writes every 5 ms (at most 100 times) and records
  how writing ended under ``ID``.
- ``/report?ID``: sends the record stored under ``ID`` as JSON (``null`` if none yet).

Records live in this process, so every server must run one worker (they do by default).
"""

from __future__ import annotations

import asyncio
from typing import cast

from asgikit._exceptions import (
    WebSocketDisconnect,
    WebSocketException,
    WebSocketMessageError,
    WebSocketResponseNotSupportedError,
)
from asgikit._json import JSONValue
from asgikit._request import Request
from asgikit._websocket import AcceptedWebSocket, WebSocket
from asgikit.asgi import Receive, Scope, Send, WebSocketScope
from tests.apps import lifespan

RECORDS: dict[str, dict[str, JSONValue]] = {}


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """Entry point: websocket routes, a 404 for HTTP, and a no-op lifespan."""
    if scope["type"] == "lifespan":
        await lifespan(receive, send)
    elif scope["type"] == "http":
        await send({"type": "http.response.start", "status": 404, "headers": [(b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})
    else:
        await websocket_app(scope, receive, send)


async def websocket_app(scope: WebSocketScope, receive: Receive, send: Send) -> None:
    """Dispatch on the path."""
    ws = WebSocket(scope, receive, send)
    key = scope.get("query_string", b"").decode()
    path = scope["path"]
    if path == "/reject":
        await ws.close(4003)
        return
    if path == "/deny":
        try:
            await Request(scope, receive, send).respond_text(
                "denied", status=401, headers={"x-denied": "yes"}
            )
        except WebSocketResponseNotSupportedError:
            await ws.close(4003)
        return
    if path == "/headers":
        acc = await ws.accept(headers={"x-asgikit": "yes"})
        await acc.write("ok")
        await acc.read()
        return
    acc = await ws.accept("chat.v2" if "chat.v2" in ws.subprotocols else None)
    if path == "/echo":
        async for message in acc.iter():
            await acc.write(message)
    elif path == "/json":
        await json_echo(acc)
    elif path == "/close":
        await acc.read()
        await acc.close(4001, "bye")
    elif path == "/scope":
        asgi = cast("dict[str, JSONValue]", dict(scope["asgi"]))
        extensions = scope.get("extensions") or {}
        await acc.write_json(
            {
                "asgi": asgi,
                "extensions": sorted(extensions),
                "subprotocols": acc.subprotocols,
                "http_version": scope.get("http_version"),
            }
        )
        await acc.read()
    elif path == "/abrupt":
        await abrupt(acc, key)
    elif path == "/writer":
        await writer(acc, key)
    elif path == "/report":
        await acc.write_json(RECORDS.get(key))
        await acc.close()
    else:
        await acc.close(4004, "no such route")


async def json_echo(ws: AcceptedWebSocket) -> None:
    """Echo JSON values wrapped in ``{"echo": ...}``; invalid JSON closes with 1007."""
    try:
        async for value in ws.iter_json():
            await ws.write_json({"echo": value})
    except WebSocketMessageError:
        await ws.close(1007, "invalid JSON")


async def abrupt(ws: AcceptedWebSocket, key: str) -> None:
    """Wait for the client to vanish, then check that writing is refused."""
    await ws.write("ready")
    record: dict[str, JSONValue] = {}
    try:
        await ws.read()
        record["read"] = "returned"
    except WebSocketDisconnect as exc:
        record.update(read="WebSocketDisconnect", code=exc.code, reason=exc.reason)
    try:
        await ws.write("late")
        record["write_after"] = "returned"
    except WebSocketException as exc:
        record["write_after"] = type(exc).__name__
    record["state"] = ws.state.name
    RECORDS[key] = record


async def writer(ws: AcceptedWebSocket, key: str) -> None:
    """Write until the server reports the client gone (spec 2.4) or 100 writes were made."""
    await ws.write("ready")
    record: dict[str, JSONValue] = {"ended": "no error"}
    for _ in range(100):
        try:
            await ws.write("tick")
        except WebSocketDisconnect as exc:
            record = {"ended": "WebSocketDisconnect", "code": exc.code, "state": ws.state.name}
            break
        await asyncio.sleep(0.005)
    RECORDS[key] = record
