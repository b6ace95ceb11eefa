"""A notes service built from the framework-author kit: typed lifespan state, content
negotiation and the error boundary.

- ``GET /notes``: the notes as JSON, HTML or plain text, whichever the client's ``Accept``
  prefers (406 if it accepts none of them).
- ``POST /notes``: add a note from a JSON body ``{"text": "..."}`` (201). A malformed body is
  a 400, a body of the wrong shape a 422 and one over 4 KiB a 413: the handler only calls
  ``read_json``; the error boundary answers, in text or problem+json as ``Accept`` asks.
- ``POST /upload``: a form with files, read part by part (nothing is buffered or spooled);
  answers the name and size of every file and the fields.
- ``GET /events?interval_ms=1000``: server-sent events with the note count, one per interval
  (10 ms to 60 s), until the client leaves; the boundary ends the handler quietly then, so
  the server logs nothing.

The state (the notes, the start time) lives in an ``AppState`` that the lifespan context
creates at startup; every request sees it as ``request.state``, typed.

Run: ``uvicorn examples.kit:app`` (uvicorn, hypercorn and granian run the lifespan; daphne
does not, so it cannot serve this application).
"""

from __future__ import annotations

import asyncio
import html
import time
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from typing import Final, Literal, TypedDict

import msgspec

from asgikit import Request, ServerSentEvent, error_boundary, safe_basename

__all__ = ["AppState", "Note", "app", "handle", "lifespan"]

MAX_NOTE_BODY: Final = 4 * 1024
"""Largest JSON body ``POST /notes`` reads."""

EVENT_INTERVAL_MS: Final = 1000
"""Default milliseconds between two events of ``GET /events``."""

NoteFormat = Literal["application/json", "text/html", "text/plain"]
NOTE_FORMATS: Final[tuple[NoteFormat, ...]] = ("application/json", "text/html", "text/plain")
"""What ``GET /notes`` can answer, the server's preference first."""


class Note(msgspec.Struct, frozen=True):
    """A note as clients send and receive it."""

    text: str


class AppState(TypedDict):
    """What the application shares between requests (created by ``lifespan``)."""

    notes: list[Note]
    started: float


@asynccontextmanager
async def lifespan() -> AsyncGenerator[AppState, None]:
    """Startup creates the state; shutdown (after the ``yield``) would release resources."""
    yield {"notes": [Note("asgikit kit example")], "started": time.time()}


async def list_notes(request: Request[AppState]) -> None:
    """The notes in the format the client prefers."""
    notes = request.state["notes"]
    match request.best_match(NOTE_FORMATS):
        case "application/json":
            await request.respond_json(notes)
        case "text/html":
            items = "".join(f"<li>{html.escape(note.text)}</li>" for note in notes)
            await request.respond_text(f"<ul>{items}</ul>", media_type="text/html")
        case "text/plain":
            await request.respond_text("".join(f"- {note.text}\n" for note in notes))
        case None:
            await request.respond_text("Not Acceptable: try application/json", status=406)


async def add_note(request: Request[AppState]) -> None:
    """Append the posted note; body errors are the boundary's job."""
    note = await request.body.read_json(Note, max_body_size=MAX_NOTE_BODY)
    request.state["notes"].append(note)
    await request.respond_json(note, status=201)


async def upload(request: Request[AppState]) -> None:
    """Report every field and file of a form, read part by part: a file's bytes are counted
    as they arrive and never held (stream them to their destination the same way)."""
    fields: dict[str, str] = {}
    files: dict[str, int] = {}
    async for part in request.body.iter_parts(max_files=4, max_file_size=1024 * 1024):
        if part.filename is None:
            fields[part.name] = await part.read_text()
            continue
        size = 0
        async for chunk in part:
            size += len(chunk)
        files[safe_basename(part.filename)] = size
    await request.respond_json({"fields": fields, "files": files})


async def note_counts(state: AppState, interval: float) -> AsyncIterator[ServerSentEvent]:
    """One ``count`` event per ``interval`` seconds, forever (until the client leaves)."""
    number = 0
    while True:
        yield ServerSentEvent(str(len(state["notes"])), event="count", id=str(number))
        number += 1
        await asyncio.sleep(interval)


async def events(request: Request[AppState]) -> None:
    """Stream note counts; a bad ``interval_ms`` is a 400."""
    raw = request.query.get_first("interval_ms") or str(EVENT_INTERVAL_MS)
    interval_ms = int(raw) if raw.isdecimal() and len(raw) <= 5 else 0
    if not 10 <= interval_ms <= 60_000:
        await request.respond_text("interval_ms: 10-60000", status=400)
        return
    await request.respond_sse(note_counts(request.state, interval_ms / 1000))


async def handle(request: Request[AppState]) -> None:
    """Route a request (websocket handshakes are rejected: servers answer 403)."""
    if request.is_websocket:
        await request.websocket.close()
        return
    match (request.method, request.path):
        case ("GET", "/notes"):
            await list_notes(request)
        case ("POST", "/notes"):
            await add_note(request)
        case ("POST", "/upload"):
            await upload(request)
        case ("GET", "/events"):
            await events(request)
        case _:
            await request.respond_text("Not Found", status=404)


app = error_boundary(handle, lifespan=lifespan)
"""The ASGI application."""
