"""``error_boundary``: turn a request handler into an ASGI application that answers
asgikit's typed errors instead of letting them reach the server as tracebacks.

What crosses the boundary, per scope type:

- HTTP: a ``RequestBodyError`` (it carries ``status_code``) becomes that status with a short
  body, ``text/plain`` or ``application/problem+json`` (RFC 9457) as the request's ``Accept``
  prefers, if the response has not started. If it has started, the error propagates: the
  server aborts the connection, so the client sees a truncated response, never a complete-
  looking one. A ``ClientDisconnectError`` ends the handler quietly: a client leaving is
  normal (a browser closing an SSE page), there is nobody to answer.
- websocket: ``WebSocketDisconnect`` and ``ClientDisconnectError`` end the handler quietly.
- lifespan: served by ``run_lifespan`` with the given context (none: an empty state).

Everything else propagates unchanged, so the server logs real bugs.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from http import HTTPStatus
from typing import Final, Never, TypeAlias, cast, overload

from ._connection import RESPONSE_NOT_STARTED, connection_state
from ._exceptions import ClientDisconnectError, RequestBodyError, WebSocketDisconnect
from ._json import JSON_ENCODER
from ._lifespan import LifespanStateT, run_lifespan
from ._request import Request
from .asgi import ASGIApp, HTTPScope, Receive, Scope, Send, WebSocketScope

__all__ = ["PROBLEM_JSON", "error_boundary", "error_response_body"]

PROBLEM_JSON: Final = "application/problem+json"
"""The media type of RFC 9457 problem details."""

_ERROR_BODY_TYPES: Final = ("text/plain", PROBLEM_JSON, "application/json")
"""What an error body can be, plain text first: ``application/json`` clients get problem
details too (RFC 9457 is JSON), and a client accepting none of them still gets text."""

_PHRASES: Final = {status.value: status.phrase for status in HTTPStatus}
"""Reason phrases by status code (a subclass may carry a code ``HTTPStatus`` lacks)."""


@asynccontextmanager
async def _no_state() -> AsyncGenerator[dict[str, object], None]:
    """The lifespan of an application with nothing to set up: an empty state."""
    yield {}


def error_response_body(request: Request[object], status: int, detail: str) -> tuple[bytes, str]:
    """``(body, media_type)`` describing an error with ``status``, in the format the request
    accepts: RFC 9457 problem details as JSON, or one line of text."""
    phrase = _PHRASES.get(status, "Error")
    if request.best_match(_ERROR_BODY_TYPES) in (PROBLEM_JSON, "application/json"):
        problem = {"type": "about:blank", "title": phrase, "status": status, "detail": detail}
        return JSON_ENCODER.encode(problem), PROBLEM_JSON
    return f"{status} {phrase}: {detail}\n".encode(), "text/plain; charset=utf-8"


Handler: TypeAlias = Callable[[Request], Awaitable[None]]
"""A request handler as the boundary calls it (the state type only matters to the caller)."""


async def _serve_http(handler: Handler, scope: HTTPScope, receive: Receive, send: Send) -> None:
    """Run ``handler`` on an HTTP request, answering body errors and ending quietly on a
    client disconnect."""
    request = Request(scope, receive, send)
    try:
        await handler(request)
    except ClientDisconnectError:
        return
    except RequestBodyError as exc:
        if connection_state(scope).response != RESPONSE_NOT_STARTED:
            raise
        body, media_type = error_response_body(request, exc.status_code, str(exc))
        await request.respond_bytes(body, status=exc.status_code, media_type=media_type)


async def _serve_websocket(
    handler: Handler, scope: WebSocketScope, receive: Receive, send: Send
) -> None:
    """Run ``handler`` on a websocket connection, ending quietly when the client leaves."""
    try:
        await handler(Request(scope, receive, send))
    except (WebSocketDisconnect, ClientDisconnectError):
        return


@overload
def error_boundary(handler: Callable[[Request], Awaitable[None]]) -> ASGIApp: ...
@overload
def error_boundary(
    handler: Callable[[Request[LifespanStateT]], Awaitable[None]],
    *,
    lifespan: Callable[[], AbstractAsyncContextManager[LifespanStateT]],
) -> ASGIApp: ...
def error_boundary(
    handler: Callable[[Request[Never]], Awaitable[None]],
    *,
    lifespan: Callable[[], AbstractAsyncContextManager[Mapping[str, object]]] | None = None,
) -> ASGIApp:
    """An ASGI application that runs ``handler`` for every HTTP request and websocket.

    ``RequestBodyError``\\ s become their status (text or problem+json, by ``Accept``) when
    nothing was sent yet; client disconnects end the handler quietly; other exceptions
    propagate. ``lifespan`` (a callable returning an async context manager that yields the
    state) serves the lifespan protocol through ``run_lifespan``, and its state type is the
    handler's ``Request[AppState]``. Without it the application starts with an empty state
    and the handler takes a plain ``Request`` (a ``Request[AppState]`` handler without the
    lifespan that provides ``AppState`` is a type error).
    """
    # The overloads tied the handler's state type to the lifespan's; at runtime every
    # Request is the same class, so the boundary calls it as a plain Request handler.
    serve = cast("Handler", handler)
    context = _no_state if lifespan is None else lifespan

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await _serve_http(serve, scope, receive, send)
        elif scope["type"] == "websocket":
            await _serve_websocket(serve, scope, receive, send)
        else:
            await run_lifespan(scope, receive, send, context)

    return app
