"""Server-sent events (``text/event-stream``) formatting, per the WHATWG HTML standard 9.2.

Pure text processing: nothing here knows about ASGI. ``Response.respond_sse`` streams events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import final

__all__ = ["ServerSentEvent", "format_sse_event"]

# The event-stream grammar ends lines only at CRLF, LF or CR; str.splitlines() would also
# split at U+2028, U+0085, form feed and others, changing the data the client receives.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _field(name: str, value: str) -> str:
    """Validate a single-line field (``event``/``id``): a line break would end the field early
    and let the rest of the value inject new fields or events."""
    if "\r" in value or "\n" in value:
        raise ValueError(f"server-sent event {name} must not contain CR or LF: {value!r}")
    return f"{name}: {value}\n"


def format_sse_event(
    data: str | None = None,
    *,
    event: str | None = None,
    id: str | None = None,
    retry: int | None = None,
    comment: str | None = None,
) -> bytes:
    """Encode one server-sent event as UTF-8 bytes, ending with the blank line that dispatches it.

    ``data`` is split into ``data:`` lines only at CR, LF and CRLF (so ``"a\\u2028b"`` stays one
    line); ``None`` sends no ``data`` field (a comment- or retry-only message; browsers dispatch
    nothing without data). ``comment`` lines are sent as ``:`` lines, which clients ignore (useful
    as keep-alives).

    Raises:
        ValueError: ``event`` or ``id`` contains CR or LF (that would inject fields), ``id``
            contains NUL (browsers silently ignore such ids), or ``retry`` is negative.
    """
    parts: list[str] = []
    if comment is not None:
        parts.extend(f": {line}\n" for line in _LINE_BREAK.split(comment))
    if event is not None:
        parts.append(_field("event", event))
    if id is not None:
        if "\0" in id:
            raise ValueError(f"server-sent event id must not contain NUL: {id!r}")
        parts.append(_field("id", id))
    if retry is not None:
        if retry < 0:
            raise ValueError(f"server-sent event retry must be a non-negative integer, not {retry}")
        parts.append(f"retry: {int(retry)}\n")
    if data is not None:
        parts.extend(f"data: {line}\n" for line in _LINE_BREAK.split(data))
    parts.append("\n")
    return "".join(parts).encode("utf-8")


@final
@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One server-sent event; see ``format_sse_event`` for the fields and their rules."""

    data: str | None = None
    event: str | None = None
    id: str | None = None
    retry: int | None = None
    comment: str | None = None

    def encode(self) -> bytes:
        """The event in wire format (UTF-8). Raises ``ValueError`` like ``format_sse_event``."""
        return format_sse_event(
            self.data, event=self.event, id=self.id, retry=self.retry, comment=self.comment
        )
