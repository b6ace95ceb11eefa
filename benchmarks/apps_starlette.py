"""Starlette without a router: bare response objects called as ASGI apps, ``Request`` for
bodies and forms, ``WebSocket`` for the echo."""

from __future__ import annotations

from typing import Final, cast

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from .cases import FORM_FIELD, HELLO_JSON, HELLO_TEXT, App, stream_chunks

__all__ = ["APPS"]


async def plaintext(scope: Scope, receive: Receive, send: Send) -> None:
    """``PlainTextResponse``."""
    await PlainTextResponse(HELLO_TEXT)(scope, receive, send)


async def small_json(scope: Scope, receive: Receive, send: Send) -> None:
    """``JSONResponse``."""
    await JSONResponse(HELLO_JSON)(scope, receive, send)


async def echo_json(scope: Scope, receive: Receive, send: Send) -> None:
    """``await request.json()`` back through ``JSONResponse``."""
    document: object = await Request(scope, receive).json()
    await JSONResponse(document)(scope, receive, send)


async def form_urlencoded(scope: Scope, receive: Receive, send: Send) -> None:
    """``await request.form()``, one field back."""
    form = await Request(scope, receive).form()
    await PlainTextResponse(cast("str", form[FORM_FIELD]))(scope, receive, send)


async def multipart(scope: Scope, receive: Receive, send: Send) -> None:
    """``await request.form()`` with an upload; answer ``name:filename:size``."""
    async with Request(scope, receive).form() as form:
        upload = form["upload"]
        assert isinstance(upload, UploadFile)
        text = f"{form['name']}:{upload.filename}:{upload.size}"
    await PlainTextResponse(text)(scope, receive, send)


async def stream(scope: Scope, receive: Receive, send: Send) -> None:
    """``StreamingResponse`` over an async generator."""
    await StreamingResponse(stream_chunks(), media_type="text/plain")(scope, receive, send)


async def websocket_echo(scope: Scope, receive: Receive, send: Send) -> None:
    """``WebSocket.accept``, then ``receive_text``/``send_text`` until disconnect."""
    websocket = WebSocket(scope, receive, send)
    await websocket.accept()
    try:
        while True:
            await websocket.send_text(await websocket.receive_text())
    except WebSocketDisconnect:
        return


APPS: Final[dict[str, App]] = {
    "plaintext": cast("App", plaintext),
    "json": cast("App", small_json),
    "echo_json": cast("App", echo_json),
    "form_20": cast("App", form_urlencoded),
    "multipart_1m": cast("App", multipart),
    "multipart_50m": cast("App", multipart),
    "stream": cast("App", stream),
    "websocket": cast("App", websocket_echo),
}
"""Starlette app of every case."""
