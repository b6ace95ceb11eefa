"""The application tests/test_http2_servers.py serves over HTTP/2 cleartext.

- ``/hints``: ``103 Early Hints`` (a preload ``Link``), then ``hinted``.
- ``/trailers``: a two-chunk body, then an ``x-checksum`` trailer (SHA-256 of the body),
  announced only when the client accepts trailers (``TE: trailers``).
- ``/sse``: five server-sent events; ``/sse?forever`` streams until the client leaves.
- ``/download?<bytes>``: a streamed download of that many deterministic bytes in 16 KiB
  chunks, without ``content-length``.
- ``/info``: what the request looked like (HTTP version, ``accepts_trailers``, extensions).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from typing import Final

from asgikit import Request, ServerSentEvent, error_boundary

__all__ = ["BODY_PARTS", "HINT", "app", "download_bytes"]

HINT: Final = "</style.css>; rel=preload; as=style"
"""The ``Link`` the early hints carry."""
BODY_PARTS: Final = (b"first part, ", b"second part")
"""The chunks of ``/trailers``."""
CHUNK: Final = 16 * 1024
"""Chunk size of ``/download``."""


def download_bytes(size: int) -> bytes:
    """The ``size`` bytes ``/download?size`` sends."""
    pattern = bytes(range(256))
    return (pattern * (size // 256 + 1))[:size]


async def download_chunks(size: int) -> AsyncIterator[bytes]:
    """``download_bytes(size)`` in ``CHUNK``-sized pieces."""
    data = download_bytes(size)
    for start in range(0, size, CHUNK):
        yield data[start : start + CHUNK]


async def events(forever: bool) -> AsyncIterator[ServerSentEvent]:
    """Five numbered events, or one every 20 ms until the client leaves."""
    number = 0
    while forever or number < 5:
        yield ServerSentEvent(f"event {number}", id=str(number))
        number += 1
        if forever:
            await asyncio.sleep(0.02)


async def trailers(request: Request) -> None:
    """A body followed by a checksum trailer when the client accepts trailers."""
    started = await request.response.start(200, media_type="text/plain", trailers=request.accepts_trailers)
    for part in BODY_PARTS:
        await started.write(part, more_body=True)
    finished = await started.end()
    await finished.send_trailers({"x-checksum": hashlib.sha256(b"".join(BODY_PARTS)).hexdigest()})


async def handle(request: Request) -> None:
    """Route one request."""
    match request.path:
        case "/hints":
            await request.response.send_early_hints([HINT])
            await request.respond_text("hinted")
        case "/trailers":
            await trailers(request)
        case "/sse":
            await request.respond_sse(events(forever=request.raw_query == "forever"))
        case "/download":
            size = int(request.raw_query) if request.raw_query.isdecimal() else 0
            await request.respond_stream(download_chunks(size), media_type="application/octet-stream")
        case "/info":
            extensions = sorted((request.scope.get("extensions") or {}).keys())
            await request.respond_json(
                {
                    "http_version": request.http_version,
                    "accepts_trailers": request.accepts_trailers,
                    "extensions": extensions,
                }
            )
        case _:
            await request.respond_text("Not Found", status=404)


app = error_boundary(handle)
"""The ASGI application (client disconnects end handlers quietly)."""
