"""A minimal typed router built on asgikit: what a framework adds on top of the toolkit.

``Router`` is an ASGI application. Routes are path patterns with ``{name}`` (one path
segment) and ``{name:path}`` (the rest of the path) parameters; handlers receive the
``Request`` and the decoded parameters. It answers 404 for unknown paths, 405 with an
``Allow`` header for known paths with another method, serves ``HEAD`` with the ``GET``
handler, turns body errors (limits, malformed forms) into their status code and replies to
the lifespan protocol.

Run: ``uvicorn examples.router:app`` then ``curl http://127.0.0.1:8000/users/42``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Final, TypeAlias, final

from asgikit import ClientDisconnectError, Request, RequestBodyError, WebSocketDisconnect
from asgikit.asgi import Receive, Scope, Send

__all__ = ["Handler", "PathParams", "Router", "app", "compile_pattern", "lifespan"]

PathParams: TypeAlias = Mapping[str, str]
"""Path parameters by name, as matched (already percent-decoded by the server)."""

Handler: TypeAlias = Callable[[Request, PathParams], Awaitable[None]]
"""A route handler: answers the request (HTTP) or runs the websocket session."""

_PARAM: Final = re.compile(r"{([A-Za-z_][A-Za-z0-9_]*)(:path)?}")
_WEBSOCKET: Final = "WEBSOCKET"


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Turn ``/users/{id}`` or ``/files/{name:path}`` into an anchored regular expression."""
    if not pattern.startswith("/"):
        raise ValueError(f"route pattern must start with '/': {pattern!r}")
    regex, end = "", 0
    for match in _PARAM.finditer(pattern):
        regex += re.escape(pattern[end : match.start()])
        regex += f"(?P<{match[1]}>{'.+' if match[2] else '[^/]+'})"
        end = match.end()
    return re.compile(regex + re.escape(pattern[end:]))


@final
class Router:
    """Dispatches ASGI scopes to handlers by path pattern and method."""

    __slots__ = ("_routes",)

    def __init__(self) -> None:
        """Create a router without routes."""
        self._routes: list[tuple[re.Pattern[str], frozenset[str], Handler]] = []

    def add(self, pattern: str, handler: Handler, *, methods: tuple[str, ...] = ("GET",)) -> None:
        """Route ``methods`` on paths matching ``pattern`` to ``handler``."""
        self._routes.append((compile_pattern(pattern), frozenset(methods), handler))

    def route(self, pattern: str, *methods: str) -> Callable[[Handler], Handler]:
        """Decorator form of ``add``; without methods the route answers ``GET``."""

        def register(handler: Handler) -> Handler:
            self.add(pattern, handler, methods=methods or ("GET",))
            return handler

        return register

    def websocket(self, pattern: str) -> Callable[[Handler], Handler]:
        """Decorator routing websocket connections on ``pattern`` to the handler."""
        return self.route(pattern, _WEBSOCKET)

    def match(self, path: str, method: str) -> tuple[Handler | None, PathParams, list[str]]:
        """Find the handler for ``path`` and ``method``.

        Returns ``(handler, params, [])`` on a match, else ``(None, {}, allowed)`` where
        ``allowed`` lists the methods the path accepts (empty: the path is unknown).
        """
        allowed: list[str] = []
        for regex, methods, handler in self._routes:
            found = regex.fullmatch(path)
            if found is None:
                continue
            if method in methods or (method == "HEAD" and "GET" in methods):
                return handler, found.groupdict(), []
            allowed.extend(m for m in methods if m != _WEBSOCKET and m not in allowed)
        return None, {}, allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI entry point."""
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        request = Request(scope, receive, send)
        method = _WEBSOCKET if scope["type"] == "websocket" else str(request.method)
        handler, params, allowed = self.match(request.path, method)
        if handler is None:
            if request.is_websocket:
                await request.websocket.close()  # before accept: the server answers 403
            elif allowed:
                headers = {"allow": ", ".join(sorted(allowed))}
                await request.respond_text("Method Not Allowed", status=405, headers=headers)
            else:
                await request.respond_text("Not Found", status=404)
            return
        try:
            await handler(request, params)
        except RequestBodyError as exc:
            if request.response.is_started:
                raise
            await request.respond_text(str(exc), status=exc.status_code)
        except (ClientDisconnectError, WebSocketDisconnect):
            pass  # the client left: nobody is listening for an answer


async def lifespan(receive: Receive, send: Send) -> None:
    """Acknowledge startup and shutdown (this router has no resources to set up)."""
    while True:
        event = await receive()
        if event["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif event["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


app = Router()
"""An example application: ``/users/{user_id}`` (GET, DELETE) and ``/files/{name:path}``."""


@app.route("/users/{user_id}", "GET", "DELETE")
async def user(request: Request, params: PathParams) -> None:
    """Show (GET) or delete (DELETE) a user."""
    if request.method == "DELETE":
        await request.respond_empty()
    else:
        await request.respond_json({"id": params["user_id"]})


@app.route("/files/{name:path}")
async def file_name(request: Request, params: PathParams) -> None:
    """Echo a multi-segment parameter."""
    await request.respond_json({"name": params["name"]})
