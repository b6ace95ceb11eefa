"""The lifecycle of one response: the one place that says which move is legal in which state.

A connection's response (``ConnectionState.response``, shared by every view of the scope) is
``NOT_STARTED``, ``STARTED`` (status and headers sent, body open) or ``ENDED``. The moves:

=========== ================================ ================================== ==============
move        NOT_STARTED                      STARTED                            ENDED
=========== ================================ ================================== ==============
start       -> STARTED (one-shot: -> ENDED)  ResponseAlreadyStartedError        ResponseAlreadyEndedError
write       ResponseNotStartedError          stays, or -> ENDED (last chunk)    ResponseAlreadyEndedError
end         ResponseNotStartedError          -> ENDED                           nothing happens
trailers    ResponseNotStartedError          ResponseAlreadyStartedError        sent once
=========== ================================ ================================== ==============

``ILLEGAL_MOVES`` holds the error cells, ``check_move`` raises them; hot paths test the one
legal state inline and call ``check_move`` only when it does not hold. A write to a client
known to be gone raises ``ClientDisconnectError`` as well. This module also builds the start
event (``start_event``), so every way of starting a response records the same transition.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Final, Literal, TypeAlias, cast

from ._connection import RESPONSE_ENDED, RESPONSE_NOT_STARTED, RESPONSE_STARTED, ConnectionState
from ._disconnect import stop_listener
from ._exceptions import (
    ClientDisconnectError,
    HttpException,
    ResponseAlreadyEndedError,
    ResponseAlreadyStartedError,
    ResponseNotStartedError,
    WebSocketResponseNotSupportedError,
    WebSocketStateError,
)
from ._scope import extensions
from .asgi import HTTPScope, Send, SendEvent, WebSocketScope

__all__ = [
    "ILLEGAL_MOVES",
    "WEBSOCKET_ACCEPTED",
    "WEBSOCKET_CLOSED",
    "Move",
    "check_move",
    "check_start",
    "check_writable",
    "client_gone",
    "send_start",
    "start_event",
]

Move: TypeAlias = Literal["start", "write", "end", "trailers"]
"""What a response method is about to do."""

ILLEGAL_MOVES: Final[dict[tuple[Move, int], tuple[type[HttpException], str]]] = {
    ("start", RESPONSE_STARTED): (
        ResponseAlreadyStartedError,
        "the response is already started; call start() or a respond_*() method only once",
    ),
    ("start", RESPONSE_ENDED): (
        ResponseAlreadyEndedError,
        "the response has already ended; nothing more can be sent",
    ),
    ("write", RESPONSE_NOT_STARTED): (
        ResponseNotStartedError,
        "the response is not started; call start() before write()",
    ),
    ("write", RESPONSE_ENDED): (
        ResponseAlreadyEndedError,
        "the response has already ended; nothing more can be written",
    ),
    ("end", RESPONSE_NOT_STARTED): (
        ResponseNotStartedError,
        "the response is not started; call start() before end()",
    ),
    ("trailers", RESPONSE_NOT_STARTED): (
        ResponseNotStartedError,
        "the response is not started; trailers come after the body",
    ),
    ("trailers", RESPONSE_STARTED): (
        ResponseAlreadyStartedError,
        "the body is still open; call end() before send_trailers()",
    ),
}
"""``(move, state) -> (error, message)`` for every move the lifecycle forbids."""

WEBSOCKET_ACCEPTED: Final = 3
"""``ConnectionState.websocket`` of an accepted websocket (``WebSocketState.ACCEPTED``)."""
WEBSOCKET_CLOSED: Final = 4
"""``ConnectionState.websocket`` of a closed websocket (``WebSocketState.CLOSED``); a denial
response closes it too."""

_WEBSOCKET_DENIAL: Final = "websocket.http.response"


def check_move(move: Move, state: ConnectionState) -> None:
    """Raise the documented error if ``move`` is illegal in the response's current state."""
    illegal = ILLEGAL_MOVES.get((move, state.response))
    if illegal is not None:
        error, message = illegal
        raise error(message)


def check_writable(state: ConnectionState) -> None:
    """Raise unless a body chunk may be sent now: the response is started and the client is
    not known to be gone."""
    check_move("write", state)
    if state.disconnected:
        raise ClientDisconnectError("the client disconnected; stop writing the response")


def check_start(
    scope: HTTPScope | WebSocketScope, state: ConnectionState, status: HTTPStatus | int
) -> int:
    """Everything starting a response must verify before sending; returns the status as a
    plain int. Websocket scopes may only send a denial response, before ``accept()``, on
    servers that offer it."""
    check_move("start", state)
    if not isinstance(cast(object, status), int) or isinstance(status, bool):
        raise TypeError(f"status must be an int or HTTPStatus, not {type(status).__name__}")
    code = int(status)
    if not 200 <= code <= 599:
        raise ValueError(
            f"invalid response status {code}: use 200-599 (an informational 1xx status cannot "
            "be a final response; use send_early_hints() for 103)"
        )
    if scope["type"] != "http":
        if _WEBSOCKET_DENIAL not in extensions(scope):
            raise WebSocketResponseNotSupportedError(
                "the ASGI server does not support websocket denial responses "
                "(no 'websocket.http.response' extension); close() the websocket instead"
            )
        if state.websocket == WEBSOCKET_ACCEPTED:
            raise WebSocketStateError(
                "the websocket is already accepted; a denial response must be sent before accept()"
            )
        if state.websocket == WEBSOCKET_CLOSED:
            raise WebSocketStateError(
                "the websocket is closed; a denial response can no longer be sent"
            )
    return code


def start_event(
    scope: HTTPScope | WebSocketScope,
    state: ConnectionState,
    status: int,
    raw: list[tuple[bytes, bytes]],
    trailers: bool = False,
) -> SendEvent:
    """Record the move to ``STARTED`` and return the start event to send (``status`` already
    checked). A plain function, so a coroutine that sends the event adds no frame for it.
    (``trailers`` is not keyword-only: CPython resolves the default of a keyword-only
    parameter with a dict lookup per call, a positional one from a tuple.)"""
    state.response = RESPONSE_STARTED
    state.response_status = status
    if scope["type"] != "http":
        state.websocket = WEBSOCKET_CLOSED
        return {"type": "websocket.http.response.start", "status": status, "headers": raw}
    if trailers:
        return {"type": "http.response.start", "status": status, "headers": raw, "trailers": True}
    return {"type": "http.response.start", "status": status, "headers": raw}


async def send_start(
    scope: HTTPScope | WebSocketScope,
    send: Send,
    state: ConnectionState,
    status: int,
    raw: list[tuple[bytes, bytes]],
    *,
    trailers: bool = False,
) -> None:
    """``start_event``, sent; ``ClientDisconnectError`` if ``send`` fails with ``OSError``."""
    event = start_event(scope, state, status, raw, trailers=trailers)
    try:
        await send(event)
    except OSError as exc:
        raise client_gone(scope, state, exc) from exc


def client_gone(
    scope: HTTPScope | WebSocketScope, state: ConnectionState, exc: OSError
) -> ClientDisconnectError:
    """``send`` failed with ``OSError`` (spec >= 2.4): the client is gone. Records it, stops
    the watcher, and returns the error to raise."""
    state.disconnected = True
    stop_listener(scope)
    return ClientDisconnectError(f"the client disconnected while the response was sent: {exc}")
