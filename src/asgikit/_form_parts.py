"""``Body.iter_parts``: the parts of a form one at a time, in arrival order, without spooling.

Contract:

- ``FormParts`` is an async iterator of ``FormPart``; each ``FormPart`` is an async iterator
  of its content as ``bytes`` chunks. The body is pulled from its ``ChunkSource`` only when a
  consumer needs more, and parsed by a ``FormParser`` (``MultipartReader`` for multipart, so
  limits and errors are ``read_form``'s; ``UrlencodedReader`` for urlencoded bodies).
- Only the newest part can be read. Asking for the next part skips what is left of the
  current one: its data is still parsed and checked against the limits, then dropped, so
  memory stays bounded by the chunks the server delivers. A part used after the iteration
  moved on raises ``RequestAlreadyConsumedError``.
- ``FormPart.read()`` collects the rest of a part, at most ``max_part_size`` bytes
  (``PartTooLargeError``), for small fields; stream files with ``async for``.
- An error (a limit, a malformed body, a disconnect, a cancellation) ends the iteration: it
  propagates from the call that hit it, and later calls raise ``RequestAlreadyConsumedError``.
- Nothing is written to disk, and nothing but the current chunk is kept.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Final, Protocol, final

from ._exceptions import PartTooLargeError, RequestAlreadyConsumedError
from ._headers import Headers
from ._multipart import PartHead, PartSink, decode_field
from ._urlencoded import urlencoded_pairs

__all__ = ["ChunkSource", "FormParser", "FormPart", "FormParts", "UrlencodedReader"]

_FIELD_TYPE: Final = "text/plain"
_FILE_TYPE: Final = "application/octet-stream"


class ChunkSource(Protocol):
    """Where the body comes from: ``Body`` implements it over ASGI ``receive``."""

    def __anext__(self) -> Awaitable[bytes]:
        """The next chunk of the body (possibly empty); ``StopAsyncIteration`` after the last."""
        ...

    def stop(self) -> None:
        """Reading stopped before the end of the body (an error ended the iteration)."""


class FormParser(Protocol):
    """Turns body chunks into ``PartSink`` calls, raising ``RequestBodyError`` for bad input."""

    def write(self, chunk: bytes) -> None:
        """Parse the next chunk."""

    def finish(self) -> None:
        """The body ended; raise if it is incomplete."""


@final
class UrlencodedReader:
    """A ``FormParser`` for ``application/x-www-form-urlencoded``: each pair becomes a part
    without headers whose content is the decoded value in UTF-8.

    It expects the whole body in one ``write`` (urlencoded bodies are read into memory first);
    limits are those of ``read_form``: ``max_fields`` pairs, ``max_part_size`` per encoded pair.
    """

    __slots__ = ("_max_field_size", "_max_fields", "_sink")

    def __init__(self, sink: PartSink, *, max_fields: int, max_field_size: int) -> None:
        """Send the pairs of the body to ``sink``."""
        self._sink = sink
        self._max_fields = max_fields
        self._max_field_size = max_field_size

    def write(self, chunk: bytes) -> None:
        """Parse the whole body."""
        sink = self._sink
        pairs = urlencoded_pairs(
            chunk, max_fields=self._max_fields, max_field_size=self._max_field_size
        )
        for name, value in pairs:
            sink.start_part(PartHead(name, None, None, None, []))
            data = value.encode("utf-8")
            if data:
                sink.part_data(data, 0, len(data))
            sink.end_part()

    def finish(self) -> None:
        """Nothing to check: every urlencoded body is complete."""


def _failed() -> RequestAlreadyConsumedError:
    return RequestAlreadyConsumedError(
        "reading this form failed earlier; it cannot be read any further"
    )


class _Event(Enum):
    PART_END = 1
    BODY_END = 2


@final
class FormPart:
    """One part of a form from ``Body.iter_parts``: its headers, and its content as an async
    iterator of ``bytes`` chunks.

    ``async for chunk in part`` streams the content (read it before asking for the next part);
    ``await part.read()`` collects it, for small fields. Using a part after the iteration moved
    on to the next one raises ``RequestAlreadyConsumedError``.
    """

    __slots__ = ("_charset", "_filename", "_headers", "_media_type", "_name", "_parts", "_raw")

    def __init__(self, head: PartHead, parts: FormParts) -> None:
        """A part described by ``head`` whose content comes from ``parts`` (private: parts are
        created by ``Body.iter_parts``)."""
        self._name = head.name
        self._filename = head.filename
        default = _FIELD_TYPE if head.filename is None else _FILE_TYPE
        self._media_type = head.media_type or default
        self._charset = head.charset
        self._raw = head.headers
        self._headers: Headers | None = None
        self._parts = parts

    @property
    def name(self) -> str:
        """The field name (the ``name`` parameter of ``Content-Disposition``)."""
        return self._name

    @property
    def filename(self) -> str | None:
        """The filename exactly as the client sent it (possibly ``""``), or ``None`` for a
        plain field. Never use it as a path: see ``safe_basename``."""
        return self._filename

    @property
    def media_type(self) -> str:
        """The part's media type, lower-cased, without parameters: ``text/plain`` for a field
        and ``application/octet-stream`` for a file that did not say."""
        return self._media_type

    @property
    def charset(self) -> str | None:
        """The lower-cased ``charset`` parameter of the part's ``Content-Type``, if any."""
        return self._charset

    @property
    def headers(self) -> Headers:
        """The part's own headers (empty for urlencoded fields)."""
        headers = self._headers
        if headers is None:
            headers = self._headers = Headers(self._raw)
        return headers

    def __aiter__(self) -> FormPart:
        """``async for chunk in part``: the content, chunk by chunk (chunks are never empty)."""
        return self

    async def __anext__(self) -> bytes:
        """The next chunk of the content; ``StopAsyncIteration`` at the end of the part."""
        return await self._parts.part_chunk(self)

    async def read(self) -> bytes:
        """The rest of the content in one ``bytes``, at most ``max_part_size`` bytes (the
        ``iter_parts`` argument), else ``PartTooLargeError``: stream larger parts instead."""
        limit = self._parts.max_part_size
        chunks: list[bytes] = []
        size = 0
        async for chunk in self:
            size += len(chunk)
            if size > limit:
                raise PartTooLargeError(
                    f"a form part is larger than {limit} bytes; read it chunk by chunk with async for",
                    limit=limit,
                )
            chunks.append(chunk)
        return b"".join(chunks)

    async def read_text(self) -> str:
        """``read()`` decoded with the part's ``charset``, else UTF-8, else latin-1 (the
        rules ``read_form`` applies to fields, without the form-wide ``_charset_`` field)."""
        return decode_field(await self.read(), self._charset)

    def __repr__(self) -> str:
        return (
            f"FormPart(name={self._name!r}, filename={self._filename!r}, "
            f"media_type={self._media_type!r})"
        )


@final
class FormParts:
    """The async iterator ``Body.iter_parts`` returns; also the ``PartSink`` of its parser."""

    __slots__ = (
        "_busy",
        "_complete",
        "_current",
        "_current_ended",
        "_events",
        "_failed",
        "_parser",
        "_source",
        "max_part_size",
    )

    def __init__(
        self,
        source: ChunkSource,
        parser: Callable[[PartSink], FormParser],
        *,
        max_part_size: int,
    ) -> None:
        """Parts of the body ``source`` delivers, parsed by ``parser(self)``; ``max_part_size``
        bounds ``FormPart.read``."""
        self._source = source
        self._parser = parser(self)
        self.max_part_size: int = max_part_size
        """The most ``FormPart.read`` collects."""
        # Parsed but not yet consumed: a part head, a piece of its content, or its end.
        self._events: deque[FormPart | bytes | _Event] = deque()
        # The part handed out last (the only one that can be read) and whether it has ended.
        self._current: FormPart | None = None
        self._current_ended = False
        self._complete = False
        self._failed = False
        self._busy = False

    # -- PartSink (called from inside the parser's write) --

    def start_part(self, head: PartHead) -> None:
        """Queue a new part."""
        self._events.append(FormPart(head, self))

    def part_data(self, data: bytes, start: int, end: int) -> None:
        """Queue a piece of the current part (no copy when it is a whole chunk)."""
        self._events.append(data[start:end])

    def end_part(self) -> None:
        """Queue the end of the current part."""
        self._events.append(_Event.PART_END)

    # -- iteration --

    def __aiter__(self) -> FormParts:
        """``async for part in body.iter_parts()``."""
        return self

    async def __anext__(self) -> FormPart:
        """The next part; what is left of the previous one is skipped without being kept."""
        if self._current is not None:
            self._current = None  # from now on the old part raises when used
            while not self._current_ended:
                # Inside a part, anything but content is its end (the parser guarantees a
                # PART_END; stopping on anything else also rules out looping at BODY_END).
                if not isinstance(await self._pull(), bytes):
                    self._current_ended = True
        event = await self._pull()
        if isinstance(event, FormPart):
            self._current = event
            self._current_ended = False
            return event
        # The only other event between parts is the end of the body.
        raise StopAsyncIteration

    async def part_chunk(self, part: FormPart) -> bytes:
        """The next chunk of ``part`` (``FormPart.__anext__``)."""
        if self._failed:
            raise _failed()
        if part is not self._current:
            raise RequestAlreadyConsumedError(
                "this form part was left behind when the next part was requested; "
                "read each part before asking for the next one"
            )
        if self._current_ended:
            raise StopAsyncIteration
        event = await self._pull()
        if isinstance(event, bytes):
            return event
        # Inside a part the only other event is its end.
        self._current_ended = True
        raise StopAsyncIteration

    async def _pull(self) -> FormPart | bytes | _Event:
        """The next parsed event, reading and parsing more of the body when none is queued."""
        events = self._events
        if events:
            return events.popleft()
        if self._failed:
            raise _failed()
        if self._busy:
            raise RequestAlreadyConsumedError(
                "another task is reading this form; read a form from one task at a time"
            )
        self._busy = True
        try:
            while not events:
                if self._complete:
                    return _Event.BODY_END
                try:
                    chunk = await self._source.__anext__()
                except StopAsyncIteration:
                    self._parser.finish()
                    self._complete = True
                else:
                    self._parser.write(chunk)
        except BaseException:
            self._failed = True
            events.clear()
            self._source.stop()
            raise
        finally:
            self._busy = False
        return events.popleft()
