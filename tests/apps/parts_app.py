"""An app streaming form parts to disk with ``Body.iter_parts`` (``tests.apps.parts_app:app``).

Routes:

- ``POST /parts?ID``: reads the form part by part. Fields are read as text; files are
  written chunk by chunk (each write in a worker thread) to a new file under ``UPLOADS``
  (which the tests create and remove),
  hashing as they go. Answers the fields and, per file, its filename, media type, size,
  sha256, the size of the file on disk and the largest chunk seen; records the outcome under
  ``ID`` (``"ok"`` or the name of the exception) and whether a partial file was left behind.
- ``GET /record?ID``: that record (``null`` if none yet).

Records live in this process, so every server must run one worker (they do by default).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Final

from asgikit import JSONValue, Request
from asgikit.asgi import Receive, Scope, Send
from tests.apps import lifespan

# One directory per test run, shared with the servers it starts: the first process to import
# this module (the test runner) names it after its pid in the environment, which the servers
# inherit; runs on several Pythons at once then never touch each other's files.
UPLOADS: Final = Path(
    os.environ.setdefault(
        "ASGIKIT_PARTS_DIR", str(Path(tempfile.gettempdir()) / f"asgikit-parts-test-{os.getpid()}")
    )
)

RECORDS: dict[str, JSONValue] = {}


async def save(request: Request) -> None:
    record = request.query.get_first("id", "")
    fields: dict[str, JSONValue] = {}
    files: dict[str, JSONValue] = {}
    written: list[Path] = []
    await asyncio.to_thread(UPLOADS.mkdir, exist_ok=True)
    try:
        async for part in request.body.iter_parts():
            if part.filename is None:
                fields[part.name] = await part.read_text()
                continue
            target = UPLOADS / f"{record}-{len(written)}.bin"
            written.append(target)
            digest = hashlib.sha256()
            size = largest = 0
            out = await asyncio.to_thread(target.open, "wb")
            try:
                async for chunk in part:
                    digest.update(chunk)
                    size += len(chunk)
                    largest = max(largest, len(chunk))
                    await asyncio.to_thread(out.write, chunk)
            finally:
                out.close()
            files[part.name] = {
                "filename": part.filename,
                "media_type": part.media_type,
                "size": size,
                "sha256": digest.hexdigest(),
                "on_disk": target.stat().st_size,
                "largest_chunk": largest,
            }
    except BaseException as exc:
        for path in written:
            path.unlink(missing_ok=True)
        RECORDS[record] = {
            "outcome": type(exc).__name__,
            "left": [path.name for path in written if path.exists()],
        }
        raise
    RECORDS[record] = {"outcome": "ok", "left": []}
    for path in written:
        path.unlink()
    await request.respond_json({"fields": fields, "files": files})


async def record(request: Request) -> None:
    await request.respond_json(RECORDS.get(request.query.get_first("id", "")))


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """Entry point: the two routes and a no-op lifespan."""
    if scope["type"] == "lifespan":
        await lifespan(receive, send)
        return
    request = Request(scope, receive, send)
    route = (str(request.method), request.path)
    if route == ("POST", "/parts"):
        await save(request)
    elif route == ("GET", "/record"):
        await record(request)
    else:
        await request.respond_text("Not Found", status=404)
