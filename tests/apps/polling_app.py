"""An HTTP app for the real-server tests of conditional responses and ``is_disconnected``
(``tests.apps.polling_app:app``).

Routes:

- ``/doc``: ``respond_text("hello")`` with ``etag="v1"``, ``last_modified`` 1994-11-06 08:49:37
  UTC and ``Cache-Control``/``X-Other`` headers (the request's conditionals decide the status).
- ``/wait?ID``: polls ``is_disconnected()`` every 10 ms (at most 10 s) before answering;
  records how the loop ended under ``ID``.
- ``/sse?ID``: an SSE-like loop that writes an event, then checks ``is_disconnected()``, every
  10 ms (at most 1000 events); records how it ended under ``ID``.
- ``/answer?ID``: polls once (leaving a ``receive()`` pending), answers, then records after
  0.3 s, with the client still connected, whether that ``receive()`` has finished.
- ``/record?ID``: the record stored under ``ID`` as JSON (``null`` if none yet).

A record holds ``outcome`` (``"is_disconnected"``, ``"ClientDisconnectError"`` or
``"completed"``), ``loops`` and ``pending``: the poll tasks (``receive()`` calls started by
``is_disconnected``) not yet finished when the handler ended, counted after one more loop
iteration. Records live in this process: every server must run one worker (they do by default).
"""

from __future__ import annotations

import asyncio

from asgikit import ClientDisconnectError, Request
from asgikit._json import JSONValue
from asgikit.asgi import HTTPScope, Receive, Scope, Send
from tests.apps import lifespan

RECORDS: dict[str, JSONValue] = {}
MODIFIED = 784111777  # Sun, 06 Nov 1994 08:49:37 GMT
MAX_LOOPS = 1000


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """Entry point: the HTTP routes above and a no-op lifespan."""
    if scope["type"] == "lifespan":
        await lifespan(receive, send)
        return
    if scope["type"] == "http":
        await _http(scope, receive, send)


async def _http(scope: HTTPScope, receive: Receive, send: Send) -> None:
    request = Request(scope, receive, send)
    key = request.raw_query
    if request.path == "/doc":
        await request.respond_text(
            "hello",
            headers={"Cache-Control": "max-age=60", "X-Other": "kept on 200 only"},
            etag="v1",
            last_modified=MODIFIED,
        )
    elif request.path == "/wait":
        loops = 0
        while loops < MAX_LOOPS and not await request.is_disconnected():
            loops += 1
            await asyncio.sleep(0.01)
        outcome = "is_disconnected" if loops < MAX_LOOPS else "completed"
        if outcome == "completed":
            await request.respond_text("waited")
        RECORDS[key] = {"outcome": outcome, "loops": loops, "pending": await _pending_polls()}
    elif request.path == "/sse":
        loops = 0
        outcome = "completed"
        try:
            async with request.response_writer(media_type="text/event-stream") as write:
                while loops < MAX_LOOPS:
                    await write(f"data: {loops}\n\n")
                    loops += 1
                    if await request.is_disconnected():
                        outcome = "is_disconnected"
                        break
                    await asyncio.sleep(0.01)
        except ClientDisconnectError:
            outcome = "ClientDisconnectError"
        RECORDS[key] = {"outcome": outcome, "loops": loops, "pending": await _pending_polls()}
    elif request.path == "/answer":
        polled = await request.is_disconnected()
        await request.respond_text("answered")
        await asyncio.sleep(0.3)
        RECORDS[key] = {"outcome": "completed", "polled": polled, "pending": await _pending_polls()}
    elif request.path == "/record":
        await request.respond_json(RECORDS.get(key))
    else:
        await request.respond_text("not found", status=404)


async def _pending_polls() -> int:
    """Poll tasks still waiting on ``receive()`` after one more loop iteration."""
    await asyncio.sleep(0)
    return sum(
        1
        for task in asyncio.all_tasks()
        if not task.done() and getattr(task.get_coro(), "__qualname__", "") == "_receive"
    )
