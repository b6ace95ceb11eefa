"""Per-connection state shared by every wrapper built on the same scope.

``Request``, ``Body``, ``Response`` and ``WebSocket`` objects are cheap views; the facts they
must agree on (was the body read, did the client leave, has the response started) live in
one object stored in the scope, so two views of one connection never disagree.
"""

# basedpyright asks that every instance variable be set in __init__ or the class body;
# ConnectionState has neither by design (see its docstring), and connection_state sets every
# slot where the object is made.
# pyright: reportUninitializedInstanceVariable=false

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Final, cast, final

from ._scope import AnyConnectionScope

if TYPE_CHECKING:
    import asyncio

    from .asgi import ReceiveEvent

__all__ = [
    "LISTENER_KEY",
    "RESPONSE_ENDED",
    "RESPONSE_NOT_STARTED",
    "RESPONSE_STARTED",
    "STATE_KEY",
    "ConnectionState",
    "Polled",
    "connection_state",
    "store_state",
    "stored_state",
]

RESPONSE_NOT_STARTED: Final = 0
RESPONSE_STARTED: Final = 1
RESPONSE_ENDED: Final = 2

STATE_KEY: Final = "asgikit.connection"
"""Scope key of the ``ConnectionState`` (or the status of a complete response)."""

_WEBSOCKET_NEW: Final = 1
"""``ConnectionState.websocket`` of a websocket nothing happened to yet (``WebSocketState.NEW``)."""

LISTENER_KEY: Final = "asgikit.disconnect_listener"
"""Scope key of the disconnect watch's task while it runs (see ``_disconnect``)."""


@final
class Polled:
    """What polls received that no reader has taken yet, in arrival order: body bytes (if
    ``more_body`` is not ``None``), then ``other`` (an unexpected event, in a 1-tuple: even a
    ``None`` from a broken server is kept), then ``task`` (a ``receive()`` still pending, or
    finished and not yet looked at)."""

    __slots__ = ("body", "more_body", "other", "task")

    def __init__(self) -> None:
        self.body = bytearray()
        self.more_body: bool | None = None
        self.other: tuple[ReceiveEvent] | None = None
        self.task: asyncio.Task[ReceiveEvent] | None = None


@final
class ConnectionState:
    """Mutable facts about one connection. Private: views read and update it directly.

    Only ``connection_state`` creates one, and it sets every field. There is no ``__init__``
    because a Python ``__init__`` re-enters the interpreter (~900 instructions on CPython 3.11,
    on every request that reads its body), and there are no class-level defaults because
    reading a default through an instance is an unspecialised lookup (~200 instructions each,
    several per request); slots set at creation are read in a few instructions.
    """

    __slots__ = (
        "body",
        "body_complete",
        "body_streamed",
        "disconnected",
        "polled",
        "reading",
        "response",
        "response_status",
        "trailers",
        "websocket",
    )

    # The whole body, once read in full by a read_* method (replayed on later reads).
    body: bytes | None
    # Every http.request event up to more_body=False has been received.
    body_complete: bool
    # The body was consumed chunk by chunk without caching; it cannot be read again.
    body_streamed: bool
    # A Body reader is receiving (or between chunks of a stream): the disconnect watcher of a
    # streaming response must not start now, or it would steal the reader's events.
    reading: bool
    # An http.disconnect / websocket.disconnect was received, or send() failed with OSError.
    disconnected: bool
    # RESPONSE_NOT_STARTED, RESPONSE_STARTED or RESPONSE_ENDED.
    response: int
    response_status: int | None
    # start(trailers=True) announced trailers that send_trailers() has not sent yet.
    trailers: bool
    # WebSocketState value (int) for websocket scopes; 1 (NEW) until something happens.
    websocket: int
    # Events is_disconnected() received that no reader took yet (see _polling).
    polled: Polled | None


# C functions called directly: these run on every request, and a C call without a Python frame
# in between is several times cheaper than a generic helper. ``operator.setitem`` rather than
# ``dict.__setitem__``: calling a slot wrapper costs about five times a subscript store.
stored_state: Final = cast(
    "Callable[[AnyConnectionScope, str], ConnectionState | int | None]", dict[str, object].get
)
"""``stored_state(scope, STATE_KEY)``: what is stored, without creating anything."""
store_state: Final = cast(
    "Callable[[AnyConnectionScope, str, ConnectionState | int], None]",
    operator.setitem,
)
"""``store_state(scope, STATE_KEY, value)``: a ``ConnectionState``, or the status of a complete
response sent on an untouched connection (``connection_state`` expands it on demand)."""


def connection_state(scope: AnyConnectionScope) -> ConnectionState:
    """The shared state of the connection ``scope`` describes, created on first use."""
    state = stored_state(scope, STATE_KEY)
    if type(state) is ConnectionState:
        return state
    fresh = ConnectionState()
    fresh.body = None
    fresh.body_complete = False
    fresh.body_streamed = False
    fresh.reading = False
    fresh.disconnected = False
    # An int stored is the status of a complete response already sent (see store_state).
    fresh.response = RESPONSE_NOT_STARTED if state is None else RESPONSE_ENDED
    fresh.response_status = state
    fresh.trailers = False
    fresh.websocket = _WEBSOCKET_NEW
    fresh.polled = None
    store_state(scope, STATE_KEY, fresh)
    return fresh
