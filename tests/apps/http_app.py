"""An HTTP app for the real-server tests (``tests.apps.http_app:app``).

Routes:

- ``GET /text``, ``GET /json``: fixed bodies (``TEXT``, ``JSON_BODY``).
- ``GET /redirect/temporary`` (307), ``GET /redirect/permanent`` (308),
  ``POST /redirect/see-other`` (303): all to ``/text``.
- ``GET /cookies``: sets the cookies of ``COOKIES``.
- ``GET /ndjson?N``: ``N`` NDJSON lines ``{"n": i}`` through ``response_writer``.
- ``POST /form``: reads the form; answers its fields and, per file, name, size, sha256 and
  whether it stayed in memory.
- ``GET /file``: this source file through ``respond_file`` (ranges, ETag).
- ``GET /forever?ID``: streams 1 KiB every 10 ms (at most 1000 times) and records how it
  ended under ``ID``; ``GET /record?ID`` answers that record (``null`` if none yet).
- ``GET /scope``: what the server put in the scope.
- ``GET /errors``: every exception that escaped a handler in this process.

Records live in this process, so every server must run one worker (they do by default).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Final

from asgikit import ClientDisconnectError, Cookies, JSONValue, Request
from asgikit.asgi import Receive, Scope, Send
from tests.apps import lifespan

TEXT: Final = "hello, world"
JSON_BODY: Final[JSONValue] = {"hello": "world", "numbers": [1, 2, 3], "unicode": "h\u00e9llo \u2713"}
FILE: Final = Path(__file__).resolve()
CHUNK: Final = b"x" * 1023 + b"\n"

RECORDS: dict[str, JSONValue] = {}
ERRORS: list[str] = []

Handler = Callable[[Request], Awaitable[None]]


def cookies() -> Cookies:
    """The cookies ``/cookies`` sets."""
    jar = Cookies()
    jar.set("session", "abc123", path="/", max_age=3600)
    jar.set("theme", "dark", httponly=False, samesite="strict")
    jar.delete("old")
    return jar


async def text(request: Request) -> None:
    await request.respond_text(TEXT)


async def json(request: Request) -> None:
    await request.respond_json(JSON_BODY)


async def temporary(request: Request) -> None:
    await request.redirect("/text")


async def permanent(request: Request) -> None:
    await request.redirect("/text", permanent=True)


async def see_other(request: Request) -> None:
    await request.redirect_post_get("/text")


async def set_cookies(request: Request) -> None:
    await request.respond_text("cookies", cookies=cookies())


async def ndjson(request: Request) -> None:
    count = int(request.raw_query or "10")
    async with request.response_writer(media_type="application/x-ndjson") as write:
        for n in range(count):
            await write(f'{{"n": {n}}}\n')


async def form(request: Request) -> None:
    data = await request.body.read_form()
    fields: dict[str, JSONValue] = {}
    files: dict[str, JSONValue] = {}
    for name, value in data.items():
        if isinstance(value, str):
            fields[name] = value
            continue
        async with value:
            in_memory = value.in_memory
            digest = hashlib.sha256()
            await value.seek(0)
            while chunk := await value.read(1024 * 1024):
                digest.update(chunk)
            files[name] = {
                "filename": value.filename,
                "media_type": value.media_type,
                "size": value.size,
                "sha256": digest.hexdigest(),
                "in_memory": in_memory,
            }
    await request.respond_json({"fields": fields, "files": files})


async def file(request: Request) -> None:
    await request.respond_file(FILE)


async def forever(request: Request) -> None:
    key = request.raw_query
    sent = 0
    try:
        async with request.response_writer(media_type="text/plain") as write:
            for _ in range(1000):
                await write(CHUNK)
                sent += 1
                await asyncio.sleep(0.01)
    except ClientDisconnectError:
        RECORDS[key] = {"outcome": "ClientDisconnectError", "chunks": sent}
        return
    RECORDS[key] = {"outcome": "completed", "chunks": sent}


async def record(request: Request) -> None:
    await request.respond_json(RECORDS.get(request.raw_query))


async def scope_info(request: Request) -> None:
    scope = request.scope
    extensions = scope.get("extensions")
    server = scope.get("server")
    await request.respond_json(
        {
            "asgi": dict(scope["asgi"]),
            "extensions": None if extensions is None else sorted(extensions),
            "has_extensions_key": "extensions" in scope,
            "http_version": scope.get("http_version"),
            "server_port_type": None if server is None else type(server[1]).__name__,
            "has_state": "state" in scope,
        }
    )


async def errors(request: Request) -> None:
    await request.respond_json(list(ERRORS))


ROUTES: Final[dict[tuple[str, str], Handler]] = {
    ("GET", "/text"): text,
    ("GET", "/json"): json,
    ("GET", "/redirect/temporary"): temporary,
    ("GET", "/redirect/permanent"): permanent,
    ("POST", "/redirect/see-other"): see_other,
    ("GET", "/cookies"): set_cookies,
    ("GET", "/ndjson"): ndjson,
    ("POST", "/form"): form,
    ("GET", "/file"): file,
    ("GET", "/forever"): forever,
    ("GET", "/record"): record,
    ("GET", "/scope"): scope_info,
    ("GET", "/errors"): errors,
}


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """Entry point: the routes above, a no-op lifespan, and error recording."""
    if scope["type"] == "lifespan":
        await lifespan(receive, send)
        return
    request = Request(scope, receive, send)
    handler = ROUTES.get((str(request.method), request.path))
    try:
        if handler is None:
            await request.respond_text("Not Found", status=404)
        else:
            await handler(request)
    except BaseException as exc:
        ERRORS.append(f"{request.method} {request.path}: {type(exc).__name__}: {exc}")
        raise
