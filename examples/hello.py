"""Hello world: plain text at ``/`` (``?name=`` to greet someone) and JSON at ``/json``.

Run: ``uvicorn examples.hello:app``.
"""

from __future__ import annotations

from asgikit import Request
from asgikit.asgi import Receive, Scope, Send

__all__ = ["app"]


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """The ASGI application."""
    if scope["type"] != "http":
        return  # no lifespan work to do; websockets are refused (uvicorn answers 403)
    request = Request(scope, receive, send)
    if request.path == "/":
        name = request.query.get_first("name", "world")
        await request.respond_text(f"Hello, {name}!")
    elif request.path == "/json":
        await request.respond_json({"message": "Hello, world!", "path": request.path})
    else:
        await request.respond_text("Not Found", status=404)
