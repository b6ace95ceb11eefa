"""ASGI applications the integration tests run under real servers (``module:attr`` targets)."""

from __future__ import annotations

from asgikit.asgi import Receive, Send

__all__ = ["lifespan"]


async def lifespan(receive: Receive, send: Send) -> None:
    """Complete the lifespan protocol with nothing to set up or tear down."""
    while True:
        event = await receive()
        if event["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif event["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
