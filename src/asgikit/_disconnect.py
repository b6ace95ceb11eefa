"""The disconnect watch of a streamed response, for servers whose ``send`` cannot fail.

Servers implementing ASGI spec >= 2.4 raise ``OSError`` from ``send`` once the client is gone.
Older ones (uvicorn, granian, hypercorn, daphne) silently drop the chunk, so a streamed
response learns about the disconnect only by receiving ``http.disconnect``. A background
asyncio task waits for it, started by the first chunk streamed ``WATCH_AFTER`` seconds after
the stream began, so short bursts never pay for a task. The task waits while a ``Body``
reader owns ``receive()`` (full-duplex echo works), then discards whatever body is left.
``HEAD``/204/304 streams, whose chunks never reach ``send``, need the task on every spec.
Under trio (no asyncio loop) there is no such task.

The watch of one stream is a single float, its deadline: ``UNDECIDED`` before the first
chunk, ``NEVER`` once no task can be needed (or one runs), else the ``monotonic()`` time at
which the next chunk starts the task. Writers compare it with the clock and call
``advance_watch`` only when it is due. Whether an asyncio loop runs is asked only then, when a
task is about to start: every stream pays for the deadline, only long ones for that question.
"""

from __future__ import annotations

import asyncio
import math
from time import monotonic
from typing import Final, cast

from ._connection import LISTENER_KEY, ConnectionState
from ._polling import polled_receive
from ._scope import spec_version
from .asgi import HTTPScope, Receive, WebSocketScope

__all__ = [
    "NEVER",
    "UNDECIDED",
    "WATCH_AFTER",
    "advance_watch",
    "first_deadline",
    "stop_listener",
    "watch_step",
]

WATCH_AFTER = 0.05
"""Seconds a response must have been streaming (on servers older than ASGI spec 2.4) before
the disconnect watcher task starts: short bursts never pay for a task."""

NEVER: Final = math.inf
"""Deadline of a stream that needs no watcher, or whose watcher runs."""

UNDECIDED: Final = 0.0
"""Deadline of a ``Response`` view that has not streamed a chunk yet."""


def _store(scope: HTTPScope | WebSocketScope) -> dict[str, object]:
    """The scope as the mutable dict it is, for asgikit's private per-connection keys."""
    return cast("dict[str, object]", cast(object, scope))


_SEND_REPORTS_DISCONNECT: Final = (2, 4)
"""The first ASGI spec version whose servers raise ``OSError`` from ``send`` once the client
is gone."""


def first_deadline(scope: HTTPScope | WebSocketScope, dropped: bool) -> float:
    """Decide once per stream whether a watcher may be needed: ``NEVER`` on spec >= 2.4
    (unless the chunks are ``dropped``: HEAD, 204, 304), for websockets, or when one already
    runs; otherwise the deadline ``WATCH_AFTER`` seconds ahead. (Without an asyncio loop,
    ``advance_watch`` returns ``NEVER`` when the deadline comes.)"""
    if scope["type"] != "http" or LISTENER_KEY in scope:
        return NEVER
    if not dropped and spec_version(scope) >= _SEND_REPORTS_DISCONNECT:
        return NEVER
    return monotonic() + WATCH_AFTER


def watch_step(
    scope: HTTPScope | WebSocketScope,
    receive: Receive,
    state: ConnectionState,
    watch_at: float,
    *,
    dropped: bool = False,
) -> float:
    """The watch's step for one streamed chunk: decide at the first chunk (``UNDECIDED``),
    start the watcher once the deadline has passed. Returns the new deadline."""
    if watch_at == UNDECIDED:
        watch_at = first_deadline(scope, dropped)
    if watch_at != NEVER and monotonic() >= watch_at:
        watch_at = advance_watch(scope, receive, state)
    return watch_at


def advance_watch(
    scope: HTTPScope | WebSocketScope, receive: Receive, state: ConnectionState
) -> float:
    """Called by a streamed write once ``monotonic() >= watch_at``: start the watcher and
    return ``NEVER``, or, while a body reader owns ``receive()``, a new deadline. Without an
    asyncio loop (e.g. under trio) there is no watcher: ``NEVER``."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return NEVER
    if state.reading:  # full duplex: a body reader owns receive() for now; try again later
        return monotonic() + WATCH_AFTER
    if LISTENER_KEY in scope:
        return NEVER
    if not state.body_complete:
        state.body_streamed = True  # the watcher discards what is left of the body
    if state.polled is not None:  # is_disconnected() holds events: the watch takes them first
        receive = polled_receive(state, receive)
    watcher = loop.create_task(_watch_disconnect(receive, state))
    _store(scope)[LISTENER_KEY] = watcher
    return NEVER


def stop_listener(scope: HTTPScope | WebSocketScope) -> None:
    """Cancel the watcher of this connection, if one runs (the response ended or failed)."""
    if LISTENER_KEY in scope:
        cast("asyncio.Task[None]", _store(scope).pop(LISTENER_KEY)).cancel()


async def _watch_disconnect(receive: Receive, state: ConnectionState) -> None:
    """Wait for ``http.disconnect`` while a response streams, discarding the rest of the
    request body."""
    try:
        while True:
            event = await receive()
            if event["type"] == "http.disconnect":
                state.disconnected = True
                return
            if event["type"] != "http.request":
                return
            if not event.get("more_body", False):
                state.body_complete = True
    except Exception:  # a failing receive() must not surface as "exception never retrieved"
        return
