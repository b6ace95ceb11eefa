"""An app that swaps a symlink between ``respond_file``'s open and its sends
(``tests.apps.file_swap_app:app``).

``GET /swap?size=SIZE``: makes a fresh folder with ``checked.bin`` (``SIZE`` bytes of
``pattern(SIZE)``), ``secret.bin`` (``SIZE`` bytes of ``S``) and ``link.bin`` pointing at
``checked.bin``, then calls ``respond_file(link.bin)`` with a ``send`` that repoints the link
at ``secret.bin`` (atomic rename) as soon as the response starts, as a deploy or anyone with
write access to the tree could between the open and the server reading the file. The
request's ``Range`` header applies as usual. Folders are removed at the next request.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from asgikit import Request
from asgikit.asgi import Receive, Scope, Send, SendEvent
from tests.apps import lifespan

FOLDERS: list[str] = []


def pattern(size: int) -> bytes:
    """The contents of the checked file: no ``S`` in it, so a leak is visible."""
    return bytes(index % 251 for index in range(size)).replace(b"S", b"s")


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """Entry point: ``/swap?SIZE`` and a no-op lifespan."""
    if scope["type"] == "lifespan":
        await lifespan(receive, send)
        return
    while FOLDERS:
        shutil.rmtree(FOLDERS.pop(), ignore_errors=True)
    folder = tempfile.mkdtemp(prefix="asgikit-swap-")
    FOLDERS.append(folder)
    request = Request(scope, receive, send)
    size = int(request.query.get_first("size", "1"))
    root = Path(folder)
    checked = root / "checked.bin"
    secret = root / "secret.bin"
    link = root / "link.bin"
    checked.write_bytes(pattern(size))
    secret.write_bytes(b"S" * size)
    link.symlink_to(checked)

    async def swapping_send(event: SendEvent) -> None:
        if event["type"] == "http.response.start":
            staged = root / "staged.bin"
            staged.symlink_to(secret)
            os.replace(staged, link)
        await send(event)

    await Request(scope, receive, swapping_send).respond_file(link)
