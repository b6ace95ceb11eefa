"""An HTTP app for the real-server response tests (``tests.apps.response_app:app``).

Routes:

- ``/writer``: ``response_writer`` sends ``a``, ``b``, ``c`` and leaves the block normally;
  records ``"ok"`` or the exception under ``writer``.
- ``/stream?ID``: ``response_writer`` writes a line every 10 ms (at most 300) and records how
  writing ended (``disconnect`` or ``completed``) and how many lines were written under ``ID``.
- ``/file``: ``respond_file`` of this module's source (``Range`` etc. come from the request).
- ``/sse``: three server-sent events.
- ``/report?ID``: the record stored under ``ID`` as JSON (``null`` if none yet).

Records live in this process, so every server must run one worker (they do by default).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from asgikit._exceptions import ClientDisconnectError
from asgikit._json import JSONValue
from asgikit._response import Response
from asgikit._sse import ServerSentEvent
from asgikit.asgi import HTTPScope, Receive, Scope, Send
from tests.apps import lifespan

RECORDS: dict[str, JSONValue] = {}


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """Entry point: the HTTP routes above and a no-op lifespan."""
    if scope["type"] == "lifespan":
        await lifespan(receive, send)
        return
    if scope["type"] != "http":
        return
    await _http(scope, receive, send)


async def _http(scope: HTTPScope, receive: Receive, send: Send) -> None:
    response = Response(scope, receive, send)
    key = scope.get("query_string", b"").decode("ascii")
    match scope["path"]:
        case "/writer":
            try:
                async with response.response_writer(media_type="text/plain") as write:
                    for chunk in ("a", "b", "c"):
                        await write(chunk)
            except Exception as exc:
                RECORDS["writer"] = repr(exc)
                raise
            RECORDS["writer"] = "ok"
        case "/stream":
            written = 0
            outcome = "completed"
            try:
                async with response.response_writer(media_type="text/plain") as write:
                    for _ in range(300):
                        await write(f"line {written}\n")
                        written += 1
                        await asyncio.sleep(0.01)
            except ClientDisconnectError:
                outcome = "disconnect"
            RECORDS[key] = {"outcome": outcome, "written": written}
        case "/file":
            await response.respond_file(__file__, media_type="text/x-python")
        case "/sse":

            async def events() -> AsyncIterator[ServerSentEvent | str]:
                yield "one"
                yield ServerSentEvent("two", event="update", id="2")
                yield ServerSentEvent(comment="bye")

            await response.respond_sse(events())
        case "/report":
            await response.respond_json(RECORDS.get(key))
        case _:
            await response.respond_text("not found", status=404)
