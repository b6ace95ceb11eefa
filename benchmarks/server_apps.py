"""One ASGI app per implementation for real servers: ``benchmarks.server_apps:raw``,
``:asgikit`` and ``:starlette`` (built on first access).

Each dispatches on the path to the in-process case apps (``/plaintext``, ``/json``, ``/echo``,
``/form``, ``/upload``, ``/stream``, ``/ws``) through the same dict lookup, answers 404
otherwise, and completes the lifespan protocol.
"""

from __future__ import annotations

from typing import Final

from asgikit.asgi import ASGIApp, Receive, Scope, Send

from .cases import App, load_apps

__all__ = ["ROUTES", "dispatcher"]

ROUTES: Final[dict[str, str]] = {
    "/plaintext": "plaintext",
    "/json": "json",
    "/echo": "echo_json",
    "/form": "form_20",
    "/upload": "multipart_1m",
    "/stream": "stream",
    "/ws": "websocket",
}
"""Path -> case name."""

_NOT_FOUND_HEADERS: Final = [
    (b"content-type", b"text/plain; charset=utf-8"),
    (b"content-length", b"9"),
]


def dispatcher(apps: dict[str, App]) -> ASGIApp:
    """An app routing :data:`ROUTES` to ``apps`` (a ``benchmarks.apps_*.APPS`` dict)."""
    routes = {path: apps[name] for path, name in ROUTES.items()}

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                event = await receive()
                if event["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif event["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        handler = routes.get(scope["path"])
        if handler is not None:
            await handler(scope, receive, send)
        elif scope["type"] == "http":
            await send(
                {"type": "http.response.start", "status": 404, "headers": _NOT_FOUND_HEADERS}
            )
            await send({"type": "http.response.body", "body": b"not found"})
        else:
            await send({"type": "websocket.close", "code": 1000})

    return app


_built: dict[str, ASGIApp] = {}


def __getattr__(name: str) -> ASGIApp:
    if name in ("raw", "asgikit", "starlette"):
        app = _built.get(name)
        if app is None:
            app = _built[name] = dispatcher(load_apps(name))
        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
