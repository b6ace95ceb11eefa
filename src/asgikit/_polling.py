"""``is_disconnected``: whether the client of an HTTP request has left, answered without waiting.

A poll first answers from what the connection already knows: a body read, a stream, the
disconnect watch or a failed ``send`` that saw the client leave set
``ConnectionState.disconnected``. While a ``Body`` reader or the disconnect watch owns
``receive()``, they will notice a disconnect, so the poll answers from that alone. Otherwise it
asks ``receive()`` itself with a zero-time budget: it starts a task awaiting ``receive()`` (or
reuses the one a previous poll left) and yields one loop iteration, in which a ``receive()``
with an event ready finishes. A task that has not finished is never cancelled (a cancelled
``receive()`` may lose an event on some servers); it is kept in ``Polled`` for the next poll or
read. Events a poll receives are held there too: request body bytes (merged into one event, at
most ``HOLD_LIMIT`` bytes, beyond which polls stop receiving) or an unexpected event.
``Body`` readers and the disconnect watch take them first, through ``polled_receive``, so none
is lost. A polled ``http.disconnect`` sets ``ConnectionState.disconnected``: later reads and
writes raise ``ClientDisconnectError`` as they do for any disconnect.

Without an asyncio loop (e.g. trio) a poll answers from what is known.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Final, cast

from ._connection import LISTENER_KEY, ConnectionState, Polled, connection_state
from .asgi import HTTPScope, Receive, ReceiveEvent

__all__ = ["HOLD_LIMIT", "POLLS_PER_CALL", "Polled", "is_disconnected", "polled_receive"]

HOLD_LIMIT: Final = 64 * 1024
"""Request body bytes polls may hold for a reader; past it polls answer from what is known."""

POLLS_PER_CALL: Final = 8
"""Events one ``is_disconnected`` call receives at most (each had to be ready at once)."""


async def is_disconnected(scope: HTTPScope, receive: Receive) -> bool:
    """Whether the client has gone, without waiting (see the module docstring).

    Exceptions raised by ``receive()`` propagate.
    """
    state = connection_state(scope)
    if state.disconnected:
        return True
    if state.reading or LISTENER_KEY in scope:
        return False
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # not asyncio (e.g. trio): no task to poll with
        return False
    polled = state.polled
    if polled is None:
        polled = state.polled = Polled()
    for _ in range(POLLS_PER_CALL):
        if polled.other is not None or len(polled.body) >= HOLD_LIMIT:
            return False
        task = polled.task
        if task is None:
            task = polled.task = loop.create_task(_receive(receive))
            task.add_done_callback(_retrieve)
        if not task.done():
            await asyncio.sleep(0)  # one loop iteration: a receive() with an event ready ends
            if state.polled is not polled or polled.task is not task:  # a reader took it
                return state.disconnected
            if not task.done():
                return False
        polled.task = None
        event = task.result()
        received = cast(object, event)  # a broken server may hand out anything
        kind = (
            cast("Mapping[str, object]", received).get("type")
            if isinstance(received, Mapping)
            else None
        )
        if kind == "http.disconnect":
            state.disconnected = True
            state.polled = None
            return True
        if kind == "http.request":
            request = cast("Mapping[str, object]", event)
            chunk = request.get("body")
            if chunk is None or isinstance(chunk, bytes):
                if chunk:
                    polled.body += chunk
                polled.more_body = bool(request.get("more_body", False))
            else:  # a broken server's body: kept for the reader, which raises for it
                polled.other = (event,)
        else:
            polled.other = (event,)
    return False


def polled_receive(state: ConnectionState, receive: Receive) -> Receive:
    """``receive`` for a reader of a connection that was polled: held events come first."""

    async def receive_held() -> ReceiveEvent:
        return await _next_event(state, receive)

    return receive_held


async def _next_event(state: ConnectionState, receive: Receive) -> ReceiveEvent:
    """The next event in arrival order: what polls hold, then ``receive()``."""
    polled = state.polled
    if polled is None:
        return await receive()
    more_body = polled.more_body
    if more_body is not None:
        body = bytes(polled.body)
        polled.body = bytearray()
        polled.more_body = None
        return {"type": "http.request", "body": body, "more_body": more_body}
    other = polled.other
    task = polled.task
    polled.other = polled.task = None
    state.polled = None
    if other is not None:
        return other[0]
    if task is None:
        return await receive()
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        if not task.cancelled():  # the reader was cancelled, not the receive: keep its event
            polled.task = task
            state.polled = polled
        raise


async def _receive(receive: Receive) -> ReceiveEvent:
    """``receive()`` as a coroutine, for ``create_task``."""
    return await receive()


def _retrieve(task: asyncio.Task[ReceiveEvent]) -> None:
    """Mark a failed poll as seen: a task nobody awaits again must not log "exception was
    never retrieved" (the failure reaches whoever takes the task next)."""
    if not task.cancelled():
        task.exception()
