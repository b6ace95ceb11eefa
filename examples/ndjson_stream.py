"""Streaming NDJSON (one JSON document per line) with ``response_writer``.

``GET /?count=5&delay_ms=200`` streams ``count`` lines, one every ``delay_ms``. Each chunk is
sent as soon as it is written; the client sees lines arrive one by one. If the client goes
away, the next ``write`` raises ``ClientDisconnectError`` and the handler stops working.

Run: ``uvicorn examples.ndjson_stream:app`` then ``curl -N 'http://127.0.0.1:8000/?count=5'``.
"""

from __future__ import annotations

import asyncio

import msgspec

from asgikit import ClientDisconnectError, Request
from asgikit.asgi import Receive, Scope, Send

__all__ = ["app", "int_param", "stream_ndjson"]

_encode = msgspec.json.Encoder().encode


def int_param(request: Request, name: str, default: int, low: int, high: int) -> int | None:
    """The query parameter ``name`` as an int in ``[low, high]``; ``default`` if absent,
    ``None`` if present but invalid."""
    raw = request.query.get_first(name)
    if raw is None:
        return default
    if not raw.isdecimal() or len(raw) > 9 or not low <= int(raw) <= high:
        return None
    return int(raw)


async def stream_ndjson(request: Request) -> None:
    """Answer with ``count`` NDJSON lines ``{"n": i, "square": i * i}``."""
    count = int_param(request, "count", 10, 0, 10_000)
    delay_ms = int_param(request, "delay_ms", 100, 0, 10_000)
    if count is None or delay_ms is None:
        await request.respond_text("count: 0-10000, delay_ms: 0-10000", status=400)
        return
    try:
        async with request.response_writer(media_type="application/x-ndjson") as write:
            for n in range(count):
                if n and delay_ms:
                    await asyncio.sleep(delay_ms / 1000)
                await write(_encode({"n": n, "square": n * n}) + b"\n")
    except ClientDisconnectError:
        return  # nobody is reading any more


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """The ASGI application."""
    if scope["type"] != "http":
        return
    request = Request(scope, receive, send)
    if request.path == "/":
        await stream_ndjson(request)
    else:
        await request.respond_text("Not Found", status=404)
