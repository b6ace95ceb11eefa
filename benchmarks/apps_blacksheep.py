"""BlackSheep through a minimal ``Application``: one route per case on its own ``Router``,
no middleware, no dependency injection beyond the default, handlers shaped as its
documentation shows them (``async def handler(request: Request) -> Response``, answers from
``text()``/``json()``, ``StreamedContent`` for streaming, ``WebSocket`` for the echo).

BlackSheep documents no use of its request and response objects without the
``Application``: the application builds the ``Request`` from the scope, matches the route,
runs the handler, writes the ``Response`` to ``send`` and disposes of the request (which
closes uploaded files). So every case's app is the same ``Application``, and its figures
include BlackSheep's routing, unlike Starlette's and baize's bare objects. The application
starts itself on its first request (as it does under a server without lifespan events);
the suite's correctness check sends that request before anything is timed.

BlackSheep reads and writes JSON with the standard library's ``json`` (through
``essentials.json``), parses urlencoded forms with ``parse_qsl`` and multipart bodies with its
own parser into a 1 MiB ``SpooledTemporaryFile`` per part, written on the event loop (also
once it has rolled over to disk). Streamed responses carry a ``Transfer-Encoding: chunked``
header (the server frames the chunks).

No ``from __future__ import annotations`` here: BlackSheep calls a handler directly only when
its return annotation is the ``Response`` class itself; a string annotation would make it wrap
every handler in one more coroutine.
"""

from typing import Final, Protocol, cast

from blacksheep import Application, Request, Response, StreamedContent, WebSocket, json, text
from blacksheep.server.routing import Router
from blacksheep.server.websocket import WebSocketDisconnectError

from .cases import CASES, FORM_FIELD, HELLO_JSON, HELLO_TEXT, App, stream_chunks

__all__ = ["APPS"]


async def plaintext(request: Request) -> Response:
    """``text()``."""
    return text(HELLO_TEXT)


async def small_json(request: Request) -> Response:
    """``json()``."""
    return json(HELLO_JSON)


async def echo_json(request: Request) -> Response:
    """``await request.json()`` back through ``json()``."""
    document: object = await request.json()
    return json(document)


async def form_urlencoded(request: Request) -> Response:
    """``await request.form()``, one field back."""
    form = await request.form()
    value = form[FORM_FIELD] if form else None
    assert isinstance(value, str)
    return text(value)


async def multipart(request: Request) -> Response:
    """``await request.form()`` with an upload; answer ``name:filename:size`` (the
    application closes the upload's file after the response)."""
    form = await request.form()
    assert form is not None
    name, uploads = form["name"], form["upload"]
    assert isinstance(name, str)
    assert isinstance(uploads, list)
    upload = uploads[0]
    assert not isinstance(upload, str)
    assert upload.file_name is not None
    return text(f"{name}:{upload.file_name.decode()}:{upload.size}")


async def stream(request: Request) -> Response:
    """``StreamedContent`` over an async generator."""
    return Response(200, None, StreamedContent(b"text/plain; charset=utf-8", stream_chunks))


class _Acceptable(Protocol):
    """``WebSocket.accept`` as called here (its ``headers`` parameter is an untyped list)."""

    async def accept(self) -> None: ...


async def websocket_echo(websocket: WebSocket) -> None:
    """``websocket.accept()``, then ``receive_text``/``send_text`` until disconnect."""
    await cast("_Acceptable", websocket).accept()
    try:
        while True:
            await websocket.send_text(await websocket.receive_text())
    except WebSocketDisconnectError:
        return


def _application() -> Application:
    router = Router()
    router.add_get("/plaintext", plaintext)
    router.add_get("/json", small_json)
    router.add_post("/echo", echo_json)
    router.add_post("/form", form_urlencoded)
    router.add_post("/upload", multipart)
    router.add_get("/stream", stream)
    router.add_ws("/ws", websocket_echo)
    return Application(router=router)


_APPLICATION: Final = cast("App", _application())
"""The one application; each case's scope carries the path of its route."""

APPS: Final[dict[str, App]] = dict.fromkeys(CASES, _APPLICATION)
"""BlackSheep app of every case (the same ``Application``)."""
