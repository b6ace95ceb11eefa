"""Server-sent events: a clock that ticks every ``interval_ms`` milliseconds.

``GET /?count=60&interval_ms=1000`` sends ``count`` ``tick`` events, then ends the stream; the
browser's ``EventSource`` reconnects by itself after ``retry`` milliseconds, so a page shows a
clock that never stops while the server never holds a stream forever (a server restart does
not have to wait for endless responses).

Run: ``uvicorn examples.sse:app`` then ``curl -N http://127.0.0.1:8000/``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from asgikit import ClientDisconnectError, Request, ServerSentEvent
from asgikit.asgi import Receive, Scope, Send

from .ndjson_stream import int_param

__all__ = ["app", "clock_events", "now", "stream_clock"]

RETRY_MS = 1000
"""How long browsers wait before reconnecting when a stream ends."""


def now() -> str:
    """The current local time as ``HH:MM:SS``."""
    return time.strftime("%H:%M:%S")


async def clock_events(count: int, interval_ms: int) -> AsyncIterator[ServerSentEvent]:
    """``count`` ``tick`` events carrying ``now()``, ``interval_ms`` apart."""
    for n in range(count):
        if n and interval_ms:
            await asyncio.sleep(interval_ms / 1000)
        yield ServerSentEvent(now(), event="tick", id=str(n), retry=RETRY_MS if n == 0 else None)


async def stream_clock(request: Request) -> None:
    """Answer with the clock's event stream."""
    count = int_param(request, "count", 60, 1, 3600)
    interval_ms = int_param(request, "interval_ms", 1000, 0, 60_000)
    if count is None or interval_ms is None:
        await request.respond_text("count: 1-3600, interval_ms: 0-60000", status=400)
        return
    try:
        await request.respond_sse(clock_events(count, interval_ms))
    except ClientDisconnectError:
        return  # the page was closed


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """The ASGI application."""
    if scope["type"] != "http":
        return
    request = Request(scope, receive, send)
    if request.path == "/":
        await stream_clock(request)
    else:
        await request.respond_text("Not Found", status=404)
