"""The mixed asgikit app of the soak run (``uvicorn benchmarks.soak_app:app``).

Every route uses a different part of asgikit. Errors asgikit raises on purpose for bad input
(``RequestBodyError`` and subclasses) become their ``status_code``; a disconnect ends the
request quietly; anything else is a bug: counted, then answered 500. ``GET /__stats`` runs the GC and
``malloc_trim`` and returns the counters and the number of live objects as JSON, so the soak
driver can tell retained allocator memory from a leak.

``GET /redirect?to=TARGET`` redirects (303) only to targets ``is_safe_redirect_url`` accepts
for ``example.org``, else 400. ``GET /file?name=NAME`` serves ``NAME`` from the folder named by the
``ASGIKIT_SOAK_FILES`` environment variable, confined with ``Path.resolve()`` (404 for NUL,
traversal or a missing file). The websocket route ``/ws`` echoes each JSON message back with
``write_json`` and closes with 1007 on a malformed one.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
from collections import Counter
from pathlib import Path
from typing import Final

from asgikit import (
    ClientDisconnectError,
    Request,
    RequestBodyError,
    UploadedFile,
    WebSocket,
    WebSocketDisconnect,
    WebSocketMessageError,
    is_safe_redirect_url,
)
from asgikit.asgi import Receive, Scope, Send, WebSocketScope

__all__ = ["app"]

STATS: Final[Counter[str]] = Counter()
"""Outcomes by kind: ``ok``, ``<ExceptionName>`` for handled errors, ``bug:<Name>`` for 500s."""


async def _text(request: Request) -> None:
    await request.respond_text(f"hello {request.query.get_first('name', 'world')}")


async def _json(request: Request) -> None:
    await request.respond_json({"path": request.path, "query": request.query.to_dict()})


async def _echo(request: Request) -> None:
    await request.respond_json(await request.body.read_json())


async def _form(request: Request) -> None:
    form = await request.body.read_form()
    summary: dict[str, object] = {}
    for name, value in form.items():
        if isinstance(value, UploadedFile):
            summary[name] = {"filename": value.filename, "size": value.size}
            await value.close()
        else:
            summary[name] = len(value)
    await request.respond_json(summary)


async def _cookies(request: Request) -> None:
    await request.respond_json(request.cookies.to_dict())


async def _stream(request: Request) -> None:
    async with request.response_writer(media_type="text/plain") as write:
        for i in range(20):
            await write(f"line {i}\n" * 50)


async def _redirect(request: Request) -> None:
    target = request.query.get_first("to", "")
    if not is_safe_redirect_url(target, allowed_hosts=["example.org"]):
        await request.respond_text("unsafe redirect target", status=400)
        return
    await request.redirect(target)


FILES: Final = Path(os.environ.get("ASGIKIT_SOAK_FILES", ".")).resolve()
"""The folder ``/file`` serves from."""


async def _file(request: Request) -> None:
    name = request.query.get_first("name", "")
    try:
        if "\x00" in name:
            raise FileNotFoundError(name)
        target = (FILES / name).resolve()
        if not target.is_relative_to(FILES):
            raise FileNotFoundError(name)
        await request.respond_file(target)
    except (FileNotFoundError, IsADirectoryError):
        STATS["file not found"] += 1
        if not request.response.is_started:
            await request.respond_text("not found", status=404)


async def _websocket(scope: WebSocketScope, receive: Receive, send: Send) -> None:
    ws = await WebSocket(scope, receive, send).accept()
    try:
        async for message in ws.iter_json():
            await ws.write_json(message)
        STATS["ws ok"] += 1
    except WebSocketMessageError:
        STATS["WebSocketMessageError"] += 1
        await ws.close(1007)
    except WebSocketDisconnect:
        STATS["WebSocketDisconnect"] += 1
    except Exception as error:
        STATS[f"bug:{type(error).__name__}"] += 1
        raise


def _collect() -> int:
    """Run the GC and hand freed heap memory back to the OS (glibc), so RSS shows what is
    live rather than what the allocator kept; the number of objects the GC tracks."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: skip the trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    return len(gc.get_objects())


async def _stats(request: Request) -> None:
    objects = _collect()
    await request.respond_json({"outcomes": dict(STATS), "gc_objects": objects})


_ROUTES: Final = {
    "/text": _text,
    "/json": _json,
    "/echo": _echo,
    "/form": _form,
    "/cookies": _cookies,
    "/stream": _stream,
    "/redirect": _redirect,
    "/file": _file,
    "/__stats": _stats,
}


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """Route, run, and classify the outcome."""
    if scope["type"] == "lifespan":
        return  # nothing to set up; servers then run without the lifespan protocol
    if scope["type"] == "websocket":
        await _websocket(scope, receive, send)
        return
    request = Request(scope, receive, send)
    handler = _ROUTES.get(scope["path"])
    try:
        if handler is None:
            await request.respond_text("not found", status=404)
        else:
            await handler(request)
        STATS["ok"] += 1
    except RequestBodyError as error:
        STATS[type(error).__name__] += 1
        if not request.response.is_started:
            await request.respond_text(str(error), status=error.status_code)
    except ClientDisconnectError:
        STATS["ClientDisconnectError"] += 1
    except Exception as error:
        STATS[f"bug:{type(error).__name__}"] += 1
        if not request.response.is_started:
            await request.respond_text("internal server error", status=500)
        raise
