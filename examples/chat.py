"""A websocket chat room: every text message is broadcast to every connected client.

Connect to ``/ws`` (for instance with ``python -m websockets ws://127.0.0.1:8000/ws``) from
several terminals and type. Each message is sent to everyone as JSON
``{"from": "guest-N", "text": "..."}``. Messages are sent to all members concurrently, so a
slow client does not delay the others; members whose connection is gone are dropped.

Run: ``uvicorn examples.chat:app``.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Final, Literal, TypeAlias, final

from asgikit import Request, WebSocket, WebSocketDisconnect, WebSocketException, WebSocketState
from asgikit.asgi import Receive, Scope, Send

__all__ = ["MAX_MESSAGE_LENGTH", "ChatRoom", "app", "room"]

MAX_MESSAGE_LENGTH: Final = 1000
"""Longer messages are cut to this many characters."""

Member: TypeAlias = WebSocket[Literal[WebSocketState.ACCEPTED]]
"""A websocket in the room (accepted, as far as the type checkers know)."""


@final
class ChatRoom:
    """The set of connected clients and the broadcast between them."""

    __slots__ = ("_ids", "_members")

    def __init__(self) -> None:
        """Create an empty room."""
        self._members: set[Member] = set()
        self._ids = itertools.count(1)

    def __len__(self) -> int:
        """Number of connected members."""
        return len(self._members)

    async def join(self, websocket: WebSocket) -> None:
        """Accept ``websocket`` and relay its text messages until it leaves."""
        try:
            member = await websocket.accept()
        except WebSocketDisconnect:
            return  # left during the handshake
        name = f"guest-{next(self._ids)}"
        self._members.add(member)
        try:
            async for message in member.iter():
                if isinstance(message, str):
                    await self.broadcast({"from": name, "text": message[:MAX_MESSAGE_LENGTH]})
        finally:
            self._members.discard(member)

    async def broadcast(self, message: dict[str, str]) -> None:
        """Send ``message`` as JSON to every member."""
        members = list(self._members)
        await asyncio.gather(*(self._send(member, message) for member in members))

    async def _send(self, member: Member, message: dict[str, str]) -> None:
        try:
            await member.write_json(message)
        except WebSocketException:  # gone (WebSocketDisconnect) or already closed
            self._members.discard(member)


room: Final = ChatRoom()
"""The application's only room."""


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """The ASGI application."""
    if scope["type"] == "lifespan":
        return
    request = Request(scope, receive, send)
    if request.is_websocket and request.path == "/ws":
        await room.join(request.websocket)
    elif request.is_websocket:
        await request.websocket.close()
    else:
        await request.respond_text("connect a websocket to /ws", status=404)
