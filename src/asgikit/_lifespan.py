"""``run_lifespan``: serve the ASGI lifespan protocol with an async context manager.

The context manager's entry is the application's startup and its exit the shutdown. The
mapping it yields is copied into the server's ``scope["state"]``, which servers copy (shallowly)
into the scope of every request: that is what ``Request.state`` returns, typed as the
mapping's type when the request is a ``Request[AppState]``.

Policy for servers without lifespan state (no ``scope["state"]``): a context that yields an
empty mapping runs normally; one that yields state fails the startup with a message that
says so, because requests would never see it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager, suppress
from typing import Final, TypeVar

from typing_extensions import TypeVar as DefaultTypeVar

from .asgi import LifespanScope, Receive, Send

__all__ = ["NO_STATE_SUPPORT", "LifespanStateT", "StateT", "run_lifespan"]

StateT = DefaultTypeVar("StateT", covariant=True, default=dict[str, object] | None)
"""The type of ``Request.state``: a plain ``Request`` has ``dict[str, object] | None``.
Covariant (state is only read), so a ``Request[AppState]`` is also a ``Request[object]``."""

LifespanStateT = TypeVar("LifespanStateT", bound=Mapping[str, object])
"""The mapping a lifespan context yields (a ``TypedDict`` or any string-keyed mapping)."""

NO_STATE_SUPPORT: Final = (
    "the server does not support lifespan state (the lifespan scope has no 'state'), "
    "so requests could not see the state; use a server that does or yield an empty mapping"
)
"""The ``lifespan.startup.failed`` message for state on a server that cannot pass it on."""


def _message(exc: BaseException) -> str:
    """The failure message for ``exc``: its text, or its class name when it has none."""
    return str(exc) or type(exc).__name__


async def run_lifespan(
    scope: LifespanScope,
    receive: Receive,
    send: Send,
    context: Callable[[], AbstractAsyncContextManager[LifespanStateT]],
) -> None:
    """Serve the lifespan protocol: enter ``context()`` on startup, exit it on shutdown.

    On ``lifespan.startup`` the yielded mapping updates ``scope["state"]`` in place and
    ``lifespan.startup.complete`` is sent; an exception while entering sends
    ``lifespan.startup.failed`` with the exception's message and returns (the server then
    stops). On ``lifespan.shutdown`` the context exits and ``lifespan.shutdown.complete`` or,
    if the exit raised, ``lifespan.shutdown.failed`` is sent. Exceptions from the context are
    reported, not raised, so the server logs the message instead of a traceback.

    Raises:
        ValueError: if ``scope`` is not a lifespan scope, or the server sends events out of
            order (anything but startup first, then shutdown).
    """
    if scope["type"] != "lifespan":
        raise ValueError(f"run_lifespan needs a 'lifespan' scope, got {scope['type']!r}")
    event = await receive()
    if event["type"] != "lifespan.startup":
        raise ValueError(f"expected lifespan.startup first, got {event['type']!r}")
    try:
        manager = context()
        state = await manager.__aenter__()
    except Exception as exc:
        await send({"type": "lifespan.startup.failed", "message": _message(exc)})
        return
    server_state = scope.get("state")
    if server_state is None and state:
        await _exit_quietly(manager)
        await send({"type": "lifespan.startup.failed", "message": NO_STATE_SUPPORT})
        return
    if server_state is not None:
        server_state.update(state)
    try:
        await send({"type": "lifespan.startup.complete"})
        event = await receive()
    except BaseException:
        # Cancelled or the server went away while running: still release what startup took.
        await _exit_quietly(manager)
        raise
    if event["type"] != "lifespan.shutdown":
        await _exit_quietly(manager)
        raise ValueError(f"expected lifespan.shutdown after startup, got {event['type']!r}")
    try:
        await manager.__aexit__(None, None, None)
    except Exception as exc:
        await send({"type": "lifespan.shutdown.failed", "message": _message(exc)})
        return
    await send({"type": "lifespan.shutdown.complete"})


async def _exit_quietly(manager: AbstractAsyncContextManager[object]) -> None:
    """Exit ``manager`` on a path that already has its own outcome; its errors must not
    replace that outcome, so they are dropped (the startup or protocol error is reported)."""
    with suppress(Exception):
        await manager.__aexit__(None, None, None)
