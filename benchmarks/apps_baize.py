"""baize without a router: bare ``Request`` and response objects called as ASGI apps, as
baize's documentation shows them (what its ``request_response`` decorator does, minus the
decorator), and ``WebSocket`` for the echo.

baize reads JSON with the standard library's ``json`` and writes it with ``json.dumps``;
``await request.json``/``body``/``form`` are cached properties that each run as an
``asyncio`` task. Multipart uploads go into baize's own ``UploadFile`` (a 1 MiB
``SpooledTemporaryFile`` whose writes run in a worker thread, one hop per chunk, once it has
rolled over to disk).
"""

from __future__ import annotations

import os
from typing import Final, cast

from baize.asgi import (
    JSONResponse,
    PlainTextResponse,
    Request,
    StreamResponse,
    WebSocket,
)
from baize.datastructures import UploadFile
from baize.typing import Receive, Scope, Send

from .cases import FORM_FIELD, HELLO_JSON, HELLO_TEXT, App, stream_chunks

__all__ = ["APPS"]


async def plaintext(scope: Scope, receive: Receive, send: Send) -> None:
    """``PlainTextResponse``."""
    await PlainTextResponse(HELLO_TEXT)(scope, receive, send)


async def small_json(scope: Scope, receive: Receive, send: Send) -> None:
    """``JSONResponse``."""
    await JSONResponse(HELLO_JSON)(scope, receive, send)


async def echo_json(scope: Scope, receive: Receive, send: Send) -> None:
    """``await request.json`` back through ``JSONResponse``."""
    document: object = await Request(scope, receive).json
    await JSONResponse(document)(scope, receive, send)


async def form_urlencoded(scope: Scope, receive: Receive, send: Send) -> None:
    """``await request.form``, one field back."""
    form = await Request(scope, receive).form
    await PlainTextResponse(cast("str", form[FORM_FIELD]))(scope, receive, send)


async def multipart(scope: Scope, receive: Receive, send: Send) -> None:
    """``await request.form`` with an upload; answer ``name:filename:size``, then
    ``request.close()`` closes the upload's temporary file."""
    request = Request(scope, receive)
    try:
        form = await request.form
        upload = form["upload"]
        assert isinstance(upload, UploadFile)
        # The parser leaves the file at its start; its end is the size (a seek, no I/O).
        size = upload.file.seek(0, os.SEEK_END)
        text = f"{form['name']}:{upload.filename}:{size}"
    finally:
        await request.close()
    await PlainTextResponse(text)(scope, receive, send)


async def stream(scope: Scope, receive: Receive, send: Send) -> None:
    """``StreamResponse`` over an async generator."""
    response = StreamResponse(stream_chunks(), content_type="text/plain; charset=utf-8")
    await response(scope, receive, send)


async def websocket_echo(scope: Scope, receive: Receive, send: Send) -> None:
    """``WebSocket.accept``, then ``iter_text``/``send_text`` until disconnect."""
    websocket = WebSocket(scope, receive, send)
    await websocket.accept()
    async for text in websocket.iter_text():
        await websocket.send_text(text)


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
"""baize app of every case."""
