"""asgikit (this repository), used the way its documentation shows: ``Request`` and its
``respond_*`` shortcuts, ``request.body`` readers, ``response_writer``, ``WebSocket``."""

from __future__ import annotations

from typing import Final

from asgikit import Request, UploadedFile, WebSocketDisconnect
from asgikit.asgi import Receive, Send

from .cases import FORM_FIELD, HELLO_JSON, HELLO_TEXT, STREAM_CHUNKS, App, ConnectionScope

__all__ = ["APPS"]


async def plaintext(scope: ConnectionScope, receive: Receive, send: Send) -> None:
    """``respond_text``."""
    await Request(scope, receive, send).respond_text(HELLO_TEXT)


async def small_json(scope: ConnectionScope, receive: Receive, send: Send) -> None:
    """``respond_json``."""
    await Request(scope, receive, send).respond_json(HELLO_JSON)


async def echo_json(scope: ConnectionScope, receive: Receive, send: Send) -> None:
    """``body.read_json()`` then ``respond_json``."""
    request = Request(scope, receive, send)
    await request.respond_json(await request.body.read_json())


async def form_urlencoded(scope: ConnectionScope, receive: Receive, send: Send) -> None:
    """``body.read_form()``, one field back."""
    request = Request(scope, receive, send)
    form = await request.body.read_form()
    await request.respond_text(str(form.get_first(FORM_FIELD)))


async def multipart(scope: ConnectionScope, receive: Receive, send: Send) -> None:
    """``body.read_form()`` with an upload; answer ``name:filename:size``."""
    request = Request(scope, receive, send)
    form = await request.body.read_form()
    upload = form.get_first("upload")
    if not isinstance(upload, UploadedFile):
        raise TypeError("the 'upload' part is not a file")
    async with upload:
        text = f"{form.get_first('name')}:{upload.filename}:{upload.size}"
    await request.respond_text(text)


async def stream(scope: ConnectionScope, receive: Receive, send: Send) -> None:
    """``response_writer``."""
    async with Request(scope, receive, send).response_writer(media_type="text/plain") as write:
        for chunk in STREAM_CHUNKS:
            await write(chunk)


async def websocket_echo(scope: ConnectionScope, receive: Receive, send: Send) -> None:
    """``accept``, then ``read``/``write`` until the client disconnects."""
    websocket = await Request(scope, receive, send).websocket.accept()
    try:
        while True:
            await websocket.write(await websocket.read())
    except WebSocketDisconnect:
        return


APPS: Final[dict[str, App]] = {
    "plaintext": plaintext,
    "json": small_json,
    "echo_json": echo_json,
    "form_20": form_urlencoded,
    "multipart_1m": multipart,
    "multipart_50m": multipart,
    "stream": stream,
    "websocket": websocket_echo,
}
"""asgikit app of every case."""
