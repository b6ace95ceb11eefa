"""File downloads with ``respond_file``: ranges, ``ETag``/304 and safe names.

``GET /files/{name}`` serves the source files of this examples directory; ``?download=1``
adds ``Content-Disposition: attachment``. ``respond_file`` answers ``Range`` requests with
206 (or 416), conditional requests with 304, and reads the file off the event loop (or lets
the server send it by path when it can).

The client-supplied name is never used as a path as is: it must be a plain file name
(``safe_basename(name) == name``) listed in the directory, so ``../secret`` is a 404.

Run: ``uvicorn examples.files:app`` then
``curl -r 0-99 http://127.0.0.1:8000/files/hello.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from asgikit import Request, safe_basename
from asgikit.asgi import Receive, Scope, Send

__all__ = ["DIRECTORY", "app", "serve_file"]

DIRECTORY: Final = Path(__file__).resolve().parent
"""The directory whose files are served."""


async def serve_file(request: Request, name: str) -> None:
    """Answer with the file ``name`` of ``DIRECTORY``, or 404."""
    path = DIRECTORY / name
    if safe_basename(name) != name or not name.endswith(".py") or not path.is_file():
        await request.respond_text("Not Found", status=404)
        return
    download = request.query.get_first("download") == "1"
    try:
        await request.respond_file(path, filename=name if download else None)
    except FileNotFoundError:  # deleted between the check and the open
        await request.respond_text("Not Found", status=404)


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """The ASGI application."""
    if scope["type"] != "http":
        return
    request = Request(scope, receive, send)
    prefix, _, name = request.path.partition("/files/")
    if prefix == "" and name:
        await serve_file(request, name)
    else:
        await request.respond_text("Not Found", status=404)
