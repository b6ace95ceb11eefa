"""``Body``: reading an HTTP request body from ASGI ``http.request`` events.

Read policies:

- ``Content-Length`` is validated before anything is read: negative, non-numeric, larger than
  ``2**63 - 1`` or conflicting values raise ``InvalidContentLengthError``; identical repeats
  (``5, 5`` or two equal headers) are accepted. A declared length over the limit raises
  ``BodyTooLargeError`` without reading; the limit is also enforced while reading.
- A body read in full by ``read_*`` is cached for the connection: later ``read_*`` calls and
  ``async for chunk in body`` replay it. A body consumed by ``async for`` (or by a multipart
  ``read_form``, or by a read that failed half way) is gone: reading it again raises
  ``RequestAlreadyConsumedError`` instead of waiting for events that will never come.
- ``http.disconnect`` raises ``ClientDisconnectError``. Any other event type on an HTTP
  ``receive`` (or an event without one) is a broken channel and raises
  ``ClientDisconnectError`` as well, and so is a ``body`` that is not ``bytes``; missing
  ``body``/``more_body`` keys (or a ``None`` body) mean ``b""``/``False``.
- While one read is in progress the body counts as consumed, so a concurrent second reader
  gets ``RequestAlreadyConsumedError`` instead of stealing chunks.
- Events that ``Request.is_disconnected()`` received while polling are read first (see
  ``_polling``), so polling never loses body bytes.
- ``Content-Type`` (first header wins) and ``Content-Length`` are looked up in the raw scope
  headers, whose names ASGI servers send lower-cased.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from typing import Final, TypeVar, cast, final, overload

from typing_extensions import TypeForm

from ._connection import ConnectionState, connection_state
from ._exceptions import (
    BodyTooLargeError,
    BodyValidationError,
    ClientDisconnectError,
    InvalidContentLengthError,
    MalformedBodyError,
    RequestAlreadyConsumedError,
    UnsupportedMediaTypeError,
)
from ._form_parts import FormParser, FormPart, FormParts, UrlencodedReader
from ._json import JSONDecodeFailure, JSONValue, decode_json
from ._limits import (
    DEFAULT_MAX_BODY_SIZE,
    DEFAULT_MAX_FIELDS,
    DEFAULT_MAX_FIELDS_SIZE,
    DEFAULT_MAX_FILE_SIZE,
    DEFAULT_MAX_FILES,
    DEFAULT_MAX_MULTIPART_SIZE,
    DEFAULT_MAX_PART_HEADER_COUNT,
    DEFAULT_MAX_PART_HEADER_SIZE,
    DEFAULT_MAX_PART_SIZE,
    MAX_CONTENT_LENGTH,
)
from ._multidict import MultiDict
from ._multipart import FormLimitArgs, MultipartReader, PartSink, boundary_from_content_type
from ._multipart_form import parse_multipart
from ._params import media_type_and_charset, text_codec
from ._polling import polled_receive
from ._uploads import UploadedFile
from ._urlencoded import parse_urlencoded
from .asgi import HTTPRequestEvent, HTTPScope, Receive

__all__ = ["Body", "parse_content_length"]

_T = TypeVar("_T")

_FORM_URLENCODED: Final = "application/x-www-form-urlencoded"
_FORM_MULTIPART: Final = "multipart/form-data"
_MAX_DIGITS: Final = len(str(MAX_CONTENT_LENGTH))
_UNSET: Final = -2
_CACHED_PIECE: Final = 64 * 1024
"""A cached body is parsed as a form in pieces of this size, so that ``iter_parts`` chunks
stay as small as the ones a server delivers."""


def parse_content_length(values: list[bytes]) -> int | None:
    """The body length declared by the raw ``Content-Length`` header values, or ``None``.

    Each value may be a comma-separated list (RFC 9110 section 8.6); every element must be the
    same run of ASCII digits. Raises ``InvalidContentLengthError`` otherwise.
    """
    result: int | None = None
    for raw in values:
        for piece in raw.split(b","):
            piece = piece.strip(b" \t")
            if not piece.isdigit() or len(piece) > _MAX_DIGITS:
                raise InvalidContentLengthError("the Content-Length header is not a valid length")
            length = int(piece)
            if length > MAX_CONTENT_LENGTH:
                raise InvalidContentLengthError("the Content-Length header is too large")
            if result is not None and length != result:
                raise InvalidContentLengthError("the request has conflicting Content-Length values")
            result = length
    return result


def _too_large(limit: int) -> BodyTooLargeError:
    return BodyTooLargeError(
        f"the request body is larger than {limit} bytes; send a smaller body", limit=limit
    )


def _disconnected(state: ConnectionState) -> ClientDisconnectError:
    state.disconnected = True
    return ClientDisconnectError("the client disconnected while the request body was being read")


def _event_type(event: object) -> object:
    """The ``type`` of an event from ``receive()``, or ``None`` if it is not an event at all
    (a broken server must not make asgikit raise ``AttributeError``)."""
    return cast("Mapping[str, object]", event).get("type") if isinstance(event, Mapping) else None


def _not_a_request(state: ConnectionState, event_type: object) -> ClientDisconnectError:
    if event_type == "http.disconnect":
        return _disconnected(state)
    return ClientDisconnectError(
        f"the server sent an unexpected {event_type!r} event while the request body was being read"
    )


def _not_bytes(body: object) -> bytes:
    """The ``body`` of an ``http.request`` event that is not ``bytes``: ``None`` reads as empty;
    anything else (a ``str``, a number) comes from a broken server, like an event of the wrong
    type, and is never handed to the application as if it were the body."""
    if body is None:
        return b""
    raise ClientDisconnectError(
        f"the server sent an http.request event whose body is {type(body).__name__}, not bytes"
    )


def _consumed() -> RequestAlreadyConsumedError:
    return RequestAlreadyConsumedError(
        "the request body was already consumed as a stream; read it with a read_* method "
        "first to be able to read it again"
    )


@final
class Body:
    """The body of an HTTP request.

    Cheap to build: headers are looked at on first use and the body is read on demand. Several
    ``Body`` objects on one scope share the read state (see the module docstring).
    """

    __slots__ = ("_content_length", "_receive", "_scope", "_state", "_type_info")

    def __init__(self, scope: HTTPScope, receive: Receive) -> None:
        """A view of the body of the request described by ``scope``, read through ``receive``."""
        self._scope = scope
        self._receive = receive
        self._state = connection_state(scope)
        self._content_length = _UNSET
        # (full Content-Type value, media type, charset), parsed on first use.
        self._type_info: tuple[str | None, str | None, str | None] | None = None

    def _parse_type(self) -> tuple[str | None, str | None, str | None]:
        info: tuple[str | None, str | None, str | None] = (None, None, None)
        for name, value in self._scope["headers"]:
            if name == b"content-type":
                text = value.decode("latin-1")
                info = (text, *media_type_and_charset(text))
                break
        self._type_info = info
        return info

    @property
    def content_type(self) -> str | None:
        """The media type of the body, lower-cased, without parameters (``None`` if absent)."""
        info = self._type_info
        if info is None:
            info = self._parse_type()
        return info[1]

    @property
    def charset(self) -> str | None:
        """The lower-cased ``charset`` parameter of ``Content-Type``.

        ``None`` when the request has no ``Content-Type`` or names no charset (``read_text()``
        then decodes UTF-8); use ``body.charset or "utf-8"`` where you need a name.
        """
        info = self._type_info
        if info is None:
            info = self._parse_type()
        return info[2]

    @property
    def content_length(self) -> int | None:
        """The declared body length, or ``None`` without a ``Content-Length`` header.

        Raises ``InvalidContentLengthError`` for a negative, non-numeric, huge or conflicting
        value.
        """
        length = self._content_length
        if length == _UNSET:
            length = self._parse_length()
        return None if length < 0 else length

    def _parse_length(self) -> int:
        # One header of plain digits is the common case: it is parsed without building a list.
        first: bytes | None = None
        values: list[bytes] | None = None
        for name, value in self._scope["headers"]:
            if name == b"content-length":
                if first is None:
                    first = value
                elif values is None:
                    values = [first, value]
                else:
                    values.append(value)
        if first is None:
            length = -1
        elif values is None and first.isdigit() and len(first) < _MAX_DIGITS:
            length = int(first)
        else:
            parsed = parse_content_length([first] if values is None else values)
            length = -1 if parsed is None else parsed
        self._content_length = length
        return length

    @property
    def is_consumed(self) -> bool:
        """Whether the whole body has been received from the server."""
        return self._state.body_complete

    # -- reading --

    async def read_bytes(self, *, max_body_size: int = DEFAULT_MAX_BODY_SIZE) -> bytes:
        """Read the whole body (at most ``max_body_size`` bytes, else ``BodyTooLargeError``).

        Raises ``ClientDisconnectError`` if the client leaves, ``RequestAlreadyConsumedError``
        if the body was already streamed, ``InvalidContentLengthError`` for a bad header.
        """
        body = self._state.body
        if body is None:
            return await self._read_all(max_body_size)
        if len(body) > max_body_size:
            raise _too_large(max_body_size)
        return body

    async def _read_all(self, max_body_size: int) -> bytes:
        state = self._state
        if state.body_streamed or state.body_complete or state.disconnected:
            self._check_readable(state)
        length = self._content_length
        if length == _UNSET:
            length = self._parse_length()
        if length > max_body_size:
            raise _too_large(max_body_size)
        # Marked as consumed while reading: a concurrent reader fails instead of stealing chunks,
        # and if this read fails half way, later reads fail instead of waiting for lost events.
        state.body_streamed = True
        state.reading = True  # see ConnectionState.reading
        receive = self._receive if state.polled is None else polled_receive(state, self._receive)
        try:
            event = await receive()
            try:  # narrows the event's type with no call per request (typing.cast is one)
                if event["type"] != "http.request":
                    raise _not_a_request(state, event["type"])
            except (KeyError, TypeError):  # not an ASGI event: a broken server
                raise _not_a_request(state, _event_type(event)) from None
            body = event.get("body", b"")
            if type(body) is not bytes:
                body = _not_bytes(body)
            if event.get("more_body", False):
                chunks = [body]
                size = len(body)
                while True:
                    if size > max_body_size:
                        raise _too_large(max_body_size)
                    received = await receive()
                    try:
                        is_request = received["type"] == "http.request"
                    except (KeyError, TypeError):  # not an ASGI event: a broken server
                        is_request = False
                    if not is_request:
                        raise _not_a_request(state, _event_type(received))
                    event = cast("HTTPRequestEvent", received)
                    chunk = event.get("body", b"")
                    if type(chunk) is not bytes:
                        chunk = _not_bytes(chunk)
                    if chunk:
                        chunks.append(chunk)
                        size += len(chunk)
                    if not event.get("more_body", False):
                        break
                body = b"".join(chunks)
        finally:
            state.reading = False
        state.body_complete = True
        if len(body) > max_body_size:
            raise _too_large(max_body_size)
        state.body = body
        state.body_streamed = False
        return body

    def _check_readable(self, state: ConnectionState) -> None:
        if state.disconnected:
            raise ClientDisconnectError("the client disconnected; the request body cannot be read")
        if state.body_streamed or state.body_complete:
            raise _consumed()

    async def read_text(
        self, encoding: str | None = None, *, max_body_size: int = DEFAULT_MAX_BODY_SIZE
    ) -> str:
        """Read the whole body as text.

        The encoding is ``encoding`` if given, else the ``charset`` of ``Content-Type``, else
        UTF-8. Undecodable bytes raise ``MalformedBodyError``; a ``charset`` that is not a
        known text encoding with linear-time decoding (``asgikit._params.text_codec``) raises
        ``UnsupportedMediaTypeError``.
        """
        body = await self.read_bytes(max_body_size=max_body_size)
        if encoding is None:
            charset = self.charset
            if charset is None:
                encoding = "utf-8"
            else:
                encoding = text_codec(charset)
                if encoding is None:
                    raise UnsupportedMediaTypeError(
                        f"the request charset {charset!r} is not supported; send UTF-8"
                    )
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            raise MalformedBodyError(f"the request body is not valid {encoding} text") from None

    @overload
    async def read_json(self, *, max_body_size: int = DEFAULT_MAX_BODY_SIZE) -> JSONValue: ...
    @overload
    async def read_json(
        self, type: TypeForm[_T], *, max_body_size: int = DEFAULT_MAX_BODY_SIZE
    ) -> _T: ...
    async def read_json(
        self, type: TypeForm[_T] | None = None, *, max_body_size: int = DEFAULT_MAX_BODY_SIZE
    ) -> _T | JSONValue:
        """Read the whole body as JSON (UTF-8).

        Without ``type`` the result is plain JSON values; with ``type`` (any type form msgspec
        decodes: a ``msgspec.Struct``, dataclass, ``TypedDict``, ``list[int]``, ``Item | None``,
        ``Annotated[int, Meta(ge=0)]``, ``Literal["a", "b"]``, a ``NewType``...) it is
        validated and converted, and typed exactly as ``type``. An empty or malformed body
        (including nesting too deep to decode) raises ``MalformedBodyError`` (400); a
        well-formed body that does not match ``type`` raises ``BodyValidationError`` (422).
        A ``type`` msgspec cannot decode into raises ``TypeError``.
        """
        body = self._state.body
        if body is None:
            body = await self._read_all(max_body_size)
        elif len(body) > max_body_size:
            raise _too_large(max_body_size)
        if not body:
            raise MalformedBodyError("request body is empty; expected JSON")
        try:
            return decode_json(body, type)
        except JSONDecodeFailure as failure:
            if failure.mismatch:
                raise BodyValidationError(
                    f"the JSON body does not match the expected type: {failure}"
                ) from None
            raise MalformedBodyError(f"the request body is not valid JSON: {failure}") from None

    async def read_form(
        self,
        *,
        max_fields: int = DEFAULT_MAX_FIELDS,
        max_files: int = DEFAULT_MAX_FILES,
        max_part_size: int = DEFAULT_MAX_PART_SIZE,
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
        max_part_header_count: int = DEFAULT_MAX_PART_HEADER_COUNT,
        max_part_header_size: int = DEFAULT_MAX_PART_HEADER_SIZE,
        max_fields_size: int = DEFAULT_MAX_FIELDS_SIZE,
        max_body_size: int | None = None,
    ) -> MultiDict[str | UploadedFile]:
        """Read the body as a form.

        ``application/x-www-form-urlencoded`` bodies are read into memory (``max_body_size``
        defaults to ``DEFAULT_MAX_BODY_SIZE``) and parsed as UTF-8 whatever their ``charset``
        parameter (WHATWG); ``max_part_size`` bounds each encoded pair. ``multipart/form-data`` bodies are parsed as they arrive, files spooled to
        temporary files (``max_body_size`` defaults to ``DEFAULT_MAX_MULTIPART_SIZE``); see
        ``asgikit._multipart`` for the policies. Any other content type raises
        ``UnsupportedMediaTypeError`` (415). Exceeded limits raise ``LimitExceededError``
        subclasses; on any error every temporary file is closed.

        Close the returned ``UploadedFile`` objects when done with them.
        """
        full_type, multipart, limit = self._form_type("read_form()", max_body_size)
        if not multipart:
            body = await self.read_bytes(max_body_size=limit)
            return parse_urlencoded(body, max_fields=max_fields, max_field_size=max_part_size)
        limits = FormLimitArgs(
            max_fields=max_fields,
            max_files=max_files,
            max_part_size=max_part_size,
            max_fields_size=max_fields_size,
            max_file_size=max_file_size,
            max_part_header_count=max_part_header_count,
            max_part_header_size=max_part_header_size,
            max_body_size=limit,
        )
        chunks = self._form_chunks(limit)
        try:
            return await parse_multipart(full_type, chunks, **limits)
        finally:
            chunks.stop()

    def iter_parts(
        self,
        *,
        max_fields: int = DEFAULT_MAX_FIELDS,
        max_files: int = DEFAULT_MAX_FILES,
        max_part_size: int = DEFAULT_MAX_PART_SIZE,
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
        max_part_header_count: int = DEFAULT_MAX_PART_HEADER_COUNT,
        max_part_header_size: int = DEFAULT_MAX_PART_HEADER_SIZE,
        max_fields_size: int = DEFAULT_MAX_FIELDS_SIZE,
        max_body_size: int | None = None,
    ) -> AsyncIterator[FormPart]:
        """The parts of a form body, one at a time, in arrival order, as they arrive.

        ``async for part in body.iter_parts():`` gives a ``FormPart`` per field or file; each is
        an async iterator of its content's ``bytes`` chunks (``await part.read()`` collects a
        small one). A part not read is skipped without being kept when the next one is asked
        for; using it afterwards raises ``RequestAlreadyConsumedError``. Nothing is spooled to
        disk: stream a file part wherever it must go.

        Content types, limits and errors are those of ``read_form`` (same arguments and
        defaults); urlencoded bodies are read into memory first and give one part per pair.
        Unsupported content types and bad boundaries raise here; everything else is raised
        while iterating. A body already streamed raises ``RequestAlreadyConsumedError`` here.
        """
        full_type, multipart, limit = self._form_type("iter_parts()", max_body_size)
        if not multipart:

            def urlencoded(sink: PartSink) -> FormParser:
                return UrlencodedReader(sink, max_fields=max_fields, max_field_size=max_part_size)

            return FormParts(_WholeBody(self, limit), urlencoded, max_part_size=max_part_size)
        boundary = boundary_from_content_type(full_type)
        limits = FormLimitArgs(
            max_fields=max_fields,
            max_files=max_files,
            max_part_size=max_part_size,
            max_fields_size=max_fields_size,
            max_file_size=max_file_size,
            max_part_header_count=max_part_header_count,
            max_part_header_size=max_part_header_size,
            max_body_size=limit,
        )

        def multipart_reader(sink: PartSink) -> FormParser:
            return MultipartReader(boundary, sink, **limits)

        return FormParts(self._form_chunks(limit), multipart_reader, max_part_size=max_part_size)

    def _form_type(self, caller: str, max_body_size: int | None) -> tuple[str, bool, int]:
        """What a form read by ``caller`` (``"read_form()"``) starts from: the full
        ``Content-Type`` value, whether the body is multipart, and its size limit
        (``max_body_size``, else ``DEFAULT_MAX_BODY_SIZE`` for an urlencoded body, read into
        memory, and ``DEFAULT_MAX_MULTIPART_SIZE`` for a multipart one). Any other content type
        raises ``UnsupportedMediaTypeError``."""
        full_type, media_type, _ = self._type_info or self._parse_type()
        if media_type == _FORM_URLENCODED:
            limit = DEFAULT_MAX_BODY_SIZE if max_body_size is None else max_body_size
            return full_type or "", False, limit
        if media_type != _FORM_MULTIPART:
            raise UnsupportedMediaTypeError(
                f"{caller} needs an application/x-www-form-urlencoded or multipart/form-data body"
            )
        limit = DEFAULT_MAX_MULTIPART_SIZE if max_body_size is None else max_body_size
        return full_type or "", True, limit

    def _form_chunks(self, limit: int) -> _BodyChunks:
        """The body for a form parser: the cached body, or ``receive`` from now on (the body
        then counts as consumed). A declared length over ``limit`` raises first."""
        state = self._state
        cached = state.body
        if cached is not None:
            return _BodyChunks(self._receive, state, cached)
        self._check_readable(state)
        length = self.content_length
        if length is not None and length > limit:
            raise _too_large(limit)
        state.body_streamed = True
        state.reading = True
        receive = self._receive if state.polled is None else polled_receive(state, self._receive)
        return _BodyChunks(receive, state, None)

    def __aiter__(self) -> AsyncIterator[bytes]:
        """``async for chunk in body``: the body chunk by chunk, as the server delivers it.

        Replays the cached body if a ``read_*`` method already read it; otherwise the body is
        consumed without being kept, and reading it again raises ``RequestAlreadyConsumedError``.
        Empty chunks are skipped. No size limit applies: the caller decides.
        """
        return self._stream()

    async def _stream(self) -> AsyncGenerator[bytes, None]:
        state = self._state
        cached = state.body
        if cached is not None:
            if cached:
                yield cached
            return
        self._check_readable(state)
        # Validate the framing header even though no limit applies to streams.
        _ = self.content_length
        state.body_streamed = True
        state.reading = True
        receive = self._receive if state.polled is None else polled_receive(state, self._receive)
        try:
            while True:
                received = await receive()
                try:
                    is_request = received["type"] == "http.request"
                except (KeyError, TypeError):  # not an ASGI event: a broken server
                    is_request = False
                if not is_request:
                    raise _not_a_request(state, _event_type(received))
                event = cast("HTTPRequestEvent", received)
                more = event.get("more_body", False)
                if not more:
                    state.body_complete = True
                    state.reading = False
                chunk = event.get("body", b"")
                if type(chunk) is not bytes:
                    chunk = _not_bytes(chunk)
                if chunk:
                    yield chunk
                if not more:
                    return
        finally:
            state.reading = False

    def __repr__(self) -> str:
        return f"Body(content_type={self.content_type!r})"


@final
class _BodyChunks:
    """The body as a ``ChunkSource`` for form parsers: ASGI ``http.request`` events from
    ``receive`` (or pieces of the cached body), with the shared read state kept up to date."""

    __slots__ = ("_cached", "_done", "_offset", "_receive", "_state")

    def __init__(self, receive: Receive, state: ConnectionState, cached: bytes | None) -> None:
        """Read through ``receive``, or replay ``cached`` when the body was read already."""
        self._receive = receive
        self._state = state
        self._cached = cached
        self._offset = 0
        self._done = False

    def __aiter__(self) -> _BodyChunks:
        """``async for chunk in chunks``."""
        return self

    async def __anext__(self) -> bytes:
        """The next chunk (possibly empty); ``StopAsyncIteration`` after the last one."""
        cached = self._cached
        if cached is not None:
            offset = self._offset
            if offset >= len(cached):
                raise StopAsyncIteration
            self._offset = offset + _CACHED_PIECE
            return cached[offset : offset + _CACHED_PIECE]
        if self._done:
            raise StopAsyncIteration
        state = self._state
        try:
            received = await self._receive()
        except BaseException:
            state.reading = False
            raise
        try:  # narrows the event's type with no call per chunk (typing.cast is one)
            if received["type"] != "http.request":
                state.reading = False
                raise _not_a_request(state, received["type"])
        except (KeyError, TypeError):  # not an ASGI event: a broken server
            state.reading = False
            raise _not_a_request(state, _event_type(received)) from None
        if not received.get("more_body", False):
            state.body_complete = True
            state.reading = False
            self._done = True
        chunk = received.get("body", b"")
        return chunk if type(chunk) is bytes else _not_bytes(chunk)

    def stop(self) -> None:
        """Reading stopped (done, failed or abandoned): a streaming response may watch
        ``receive`` for disconnects from now on."""
        self._state.reading = False


@final
class _WholeBody:
    """An urlencoded body as a ``ChunkSource``: one chunk, read (and cached) by ``read_bytes``."""

    __slots__ = ("_body", "_limit", "_read")

    def __init__(self, body: Body, limit: int) -> None:
        """Read ``body`` in full, at most ``limit`` bytes."""
        self._body = body
        self._limit = limit
        self._read = False

    def __aiter__(self) -> _WholeBody:
        """``async for chunk in chunks``."""
        return self

    async def __anext__(self) -> bytes:
        """The whole body, then ``StopAsyncIteration``."""
        if self._read:
            raise StopAsyncIteration
        self._read = True
        return await self._body.read_bytes(max_body_size=self._limit)

    def stop(self) -> None:
        """Nothing to release: ``read_bytes`` keeps the read state itself."""
