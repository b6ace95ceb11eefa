"""Streaming ``multipart/form-data`` parsing on top of ``python_multipart``, with limits.

Policies (each one a decision callers can rely on):

- Boundary: taken from the ``Content-Type`` ``boundary`` parameter (quoted or not). It must be
  1-70 characters from the RFC 2046 ``bchars`` set (letters, digits, ``'()+_,-./:=?`` and
  space, not ending in a space); anything else raises ``MultipartBoundaryError``.
- Every part needs exactly one ``Content-Disposition: form-data`` header with a ``name``
  parameter; a missing, repeated or non-``form-data`` disposition, or a missing name, raises
  ``MalformedBodyError``. A repeated ``Content-Type`` is also rejected. Extended parameters
  (``name*=``, ``filename*=``) are ignored (RFC 7578 section 4.2).
- A part is a file when its disposition has a ``filename`` parameter, even ``filename=""``
  (what browsers send for an empty file input). Files count against ``max_files``, other
  parts against ``max_fields``.
- Text fields are decoded with the part's ``charset`` parameter, else the value of the first
  ``_charset_`` field (HTML), else UTF-8; when that fails (or names an unknown codec, or one
  with non-linear decoding such as ``punycode``), strict UTF-8 is tried, then latin-1, which
  never fails. Header values (names, filenames) are UTF-8,
  falling back to latin-1.
- ``Content-Transfer-Encoding`` is ignored (RFC 7578 section 4.7 deprecates it): bodies are
  taken as sent.
- Only ``CRLF--boundary`` followed by CRLF, ``--`` or whitespace ends a part, so the boundary
  text elsewhere in a body (for instance at the start of a line followed by other characters)
  is data. Only CR/LF may precede the first boundary; the epilogue after the closing
  boundary is discarded.
- A body that ends before the closing boundary raises ``MalformedBodyError``.
- Limits are checked before data is appended, so nothing larger than a limit is buffered. On
  any error every temporary file created so far is closed.
- Files are ``SpooledTemporaryFile`` objects: written synchronously while in memory; the write
  that rolls one over to disk, and every later write, runs in a worker thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, Callable
from tempfile import SpooledTemporaryFile
from typing import TYPE_CHECKING, Final, TypeVar, final

from python_multipart import MultipartParser
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartState

from ._exceptions import (
    BodyTooLargeError,
    FileTooLargeError,
    MalformedBodyError,
    MultipartBoundaryError,
    PartHeadersTooLargeError,
    PartTooLargeError,
    TooManyFieldsError,
    TooManyFilesError,
)
from ._limits import (
    DEFAULT_MAX_FIELDS,
    DEFAULT_MAX_FIELDS_SIZE,
    DEFAULT_MAX_FILE_SIZE,
    DEFAULT_MAX_FILES,
    DEFAULT_MAX_MULTIPART_SIZE,
    DEFAULT_MAX_PART_HEADER_COUNT,
    DEFAULT_MAX_PART_HEADER_SIZE,
    DEFAULT_MAX_PART_SIZE,
    SPOOL_MAX_SIZE,
)
from ._multidict import MultiDict, multidict_from_lists
from ._params import parse_header_params, text_codec
from ._uploads import UploadedFile

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

__all__ = ["MultipartFormParser", "boundary_from_content_type", "parse_multipart"]

_T = TypeVar("_T")

_MAX_BOUNDARY: Final = 70
_BCHARS: Final = frozenset(
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? "
)
_DEFAULT_FILE_TYPE: Final = "application/octet-stream"

# python-multipart's own header limit messages (mapped to PartHeadersTooLargeError).
_HEADER_COUNT_MESSAGE: Final = "Maximum header count"
_HEADER_SIZE_MESSAGE: Final = "Maximum header size"


def boundary_from_content_type(content_type: str) -> bytes:
    """The multipart boundary of a ``Content-Type`` value, validated against RFC 2046.

    Raises ``MultipartBoundaryError`` when it is missing, empty, longer than 70 characters,
    ends in a space or contains a character outside the RFC 2046 ``bchars`` set.
    """
    boundary = parse_header_params(content_type)[1].get("boundary")
    if boundary is None:
        raise MultipartBoundaryError(
            "the multipart Content-Type has no boundary parameter; add one"
        )
    if not boundary:
        raise MultipartBoundaryError("the multipart boundary is empty; send a non-empty boundary")
    if len(boundary) > _MAX_BOUNDARY:
        raise MultipartBoundaryError(
            f"the multipart boundary is longer than {_MAX_BOUNDARY} characters; send a shorter one"
        )
    if boundary[-1] == " " or not _BCHARS.issuperset(boundary):
        raise MultipartBoundaryError(
            "the multipart boundary contains characters RFC 2046 does not allow; "
            "use letters, digits and '()+_,-./:=? only"
        )
    return boundary.encode("ascii")


def _header_text(raw: bytes | bytearray) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _decode_field(raw: bytes | bytearray, charset: str | None) -> str:
    codec = None if charset is None else text_codec(charset)
    if codec is not None and codec != "utf-8":
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _write_all(writes: list[tuple[SpooledTemporaryFile[bytes], memoryview]]) -> None:
    for file, data in writes:
        file.write(data)


def _rewind_all(files: list[SpooledTemporaryFile[bytes]]) -> None:
    for file in files:
        file.seek(0)


@final
class MultipartFormParser:
    """Incremental parser: ``await feed(chunk)`` for each chunk, then ``await finish()``.

    (``feed`` is ``write`` plus ``flush``: callers on a hot path call ``write`` and ``await
    flush()`` only when it returns ``True``.)

    On any exception from ``feed``/``finish`` (or when abandoning the parse) call
    ``await aclose()``: it closes every temporary file created so far. ``parse_multipart``
    does all of this for an async iterable of chunks.
    """

    __slots__ = (
        "_charset_field",
        "_entries",
        "_field_bytes",
        "_fields",
        "_files",
        "_header_bytes",
        "_header_name",
        "_header_value",
        "_headers",
        "_in_flight",
        "_max_body_size",
        "_max_fields",
        "_max_fields_size",
        "_max_file_size",
        "_max_files",
        "_max_part_header_count",
        "_max_part_header_size",
        "_max_part_size",
        "_opened",
        "_parser",
        "_part_charset",
        "_part_file",
        "_part_filename",
        "_part_name",
        "_part_size",
        "_part_type",
        "_part_value",
        "_pending",
        "_received",
        "_spool_max_size",
        "_uploads",
    )

    def __init__(
        self,
        boundary: bytes,
        *,
        max_fields: int = DEFAULT_MAX_FIELDS,
        max_files: int = DEFAULT_MAX_FILES,
        max_part_size: int = DEFAULT_MAX_PART_SIZE,
        max_fields_size: int = DEFAULT_MAX_FIELDS_SIZE,
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
        max_part_header_count: int = DEFAULT_MAX_PART_HEADER_COUNT,
        max_part_header_size: int = DEFAULT_MAX_PART_HEADER_SIZE,
        max_body_size: int = DEFAULT_MAX_MULTIPART_SIZE,
        spool_max_size: int = SPOOL_MAX_SIZE,
    ) -> None:
        """Prepare to parse a body delimited by ``boundary`` (see ``boundary_from_content_type``)."""
        self._max_fields = max_fields
        self._max_files = max_files
        self._max_part_size = max_part_size
        self._max_fields_size = max_fields_size
        self._max_file_size = max_file_size
        self._max_part_header_count = max_part_header_count
        self._max_part_header_size = max_part_header_size
        self._max_body_size = max_body_size
        self._spool_max_size = spool_max_size
        callbacks: MultipartCallbacks = {
            "on_part_begin": self._on_part_begin,
            "on_part_data": self._on_part_data,
            "on_part_end": self._on_part_end,
            "on_header_field": self._on_header_field,
            "on_header_value": self._on_header_value,
            "on_header_end": self._on_header_end,
            "on_headers_finished": self._on_headers_finished,
        }
        self._parser = MultipartParser(
            boundary,
            callbacks,
            max_header_count=max_part_header_count,
            max_header_size=max_part_header_size,
        )
        self._received = 0
        self._fields = 0
        self._field_bytes = 0
        # (name, raw value or file, part charset) in arrival order.
        self._entries: list[tuple[str, bytearray | UploadedFile, str | None]] = []
        self._charset_field: str | None = None
        self._files = 0
        # Every temporary file created and not yet handed over by finish() (closed on error).
        self._opened: list[SpooledTemporaryFile[bytes]] = []
        self._uploads: list[UploadedFile] = []
        self._pending: list[tuple[SpooledTemporaryFile[bytes], memoryview]] = []
        self._in_flight: asyncio.Future[None] | None = None
        self._headers: list[tuple[bytes, bytearray]] = []
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._header_bytes = 0
        self._part_name = ""
        self._part_filename = ""
        self._part_type = _DEFAULT_FILE_TYPE
        self._part_charset: str | None = None
        self._part_file: SpooledTemporaryFile[bytes] | None = None
        self._part_value: bytearray | None = None
        self._part_size = 0

    # -- python_multipart callbacks (synchronous, called from inside MultipartParser.write) --

    def _on_part_begin(self) -> None:
        self._headers = []
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._header_bytes = 0
        self._part_file = None
        self._part_value = None
        self._part_size = 0

    def _grow_headers(self, amount: int) -> None:
        self._header_bytes += amount
        if self._header_bytes > self._max_part_header_size:
            raise PartHeadersTooLargeError(
                f"a multipart part has more than {self._max_part_header_size} bytes of headers",
                limit=self._max_part_header_size,
            )

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._grow_headers(end - start)
        self._header_name += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._grow_headers(end - start)
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        # The header count is enforced by python-multipart (max_header_count), which refuses
        # the header that goes over the limit before this callback could see it.
        self._headers.append((bytes(self._header_name).lower(), self._header_value))
        self._header_name = bytearray()
        self._header_value = bytearray()

    def _on_headers_finished(self) -> None:
        disposition: bytearray | None = None
        content_type: bytearray | None = None
        for header, value in self._headers:
            if header == b"content-disposition":
                if disposition is not None:
                    raise MalformedBodyError(
                        "a multipart part has more than one Content-Disposition header"
                    )
                disposition = value
            elif header == b"content-type":
                if content_type is not None:
                    raise MalformedBodyError(
                        "a multipart part has more than one Content-Type header"
                    )
                content_type = value
        if disposition is None:
            raise MalformedBodyError("a multipart part has no Content-Disposition header")
        kind, params = parse_header_params(_header_text(disposition))
        if kind != "form-data":
            raise MalformedBodyError("a multipart part's Content-Disposition is not form-data")
        name = params.get("name")
        if name is None:
            raise MalformedBodyError("a multipart part's Content-Disposition has no name")
        self._part_name = name
        if content_type is None:
            media_type, charset = None, None
        else:
            media_type, ct_params = parse_header_params(_header_text(content_type))
            charset = ct_params.get("charset") or None
        filename = params.get("filename")
        if filename is None:
            self._fields += 1
            if self._fields > self._max_fields:
                raise TooManyFieldsError(
                    f"the form has more than {self._max_fields} fields; send fewer fields",
                    limit=self._max_fields,
                )
            self._part_value = bytearray()
            self._part_charset = charset.strip().lower() if charset else None
            return
        self._files += 1
        if self._files > self._max_files:
            raise TooManyFilesError(
                f"the form has more than {self._max_files} files; send fewer files",
                limit=self._max_files,
            )
        file: SpooledTemporaryFile[bytes] = SpooledTemporaryFile(max_size=self._spool_max_size)  # noqa: SIM115
        self._opened.append(file)
        self._part_file = file
        self._part_filename = filename
        self._part_type = media_type or _DEFAULT_FILE_TYPE

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        amount = end - start
        size = self._part_size + amount
        file = self._part_file
        if file is not None:
            if size > self._max_file_size:
                raise FileTooLargeError(
                    f"an uploaded file is larger than {self._max_file_size} bytes; send a smaller file",
                    limit=self._max_file_size,
                )
            self._part_size = size
            if self._pending or size > self._spool_max_size:
                # This write rolls the file over to disk (or follows one that does): defer it
                # to a worker thread, keeping the order of writes.
                self._pending.append((file, memoryview(data)[start:end]))
            else:
                file.write(memoryview(data)[start:end])
            return
        value = self._part_value
        if value is None:
            return
        if size > self._max_part_size:
            raise PartTooLargeError(
                f"a form field is larger than {self._max_part_size} bytes; send a smaller value",
                limit=self._max_part_size,
            )
        self._field_bytes += amount
        if self._field_bytes > self._max_fields_size:
            raise BodyTooLargeError(
                f"the form fields add up to more than {self._max_fields_size} bytes",
                limit=self._max_fields_size,
            )
        self._part_size = size
        value += memoryview(data)[start:end]

    def _on_part_end(self) -> None:
        file = self._part_file
        if file is not None:
            upload = UploadedFile(file, self._part_filename, self._part_type, self._part_size)
            self._uploads.append(upload)
            self._entries.append((self._part_name, upload, None))
            self._part_file = None
            return
        value = self._part_value
        if value is None:
            return
        if self._part_name == "_charset_" and self._charset_field is None:
            self._charset_field = value.decode("latin-1").strip().lower() or None
        self._entries.append((self._part_name, value, self._part_charset))
        self._part_value = None

    # -- driving --

    def write(self, chunk: bytes) -> bool:
        """Parse the next chunk of the body synchronously; raises ``asgikit`` body errors.

        Returns ``True`` when disk writes are pending: the caller must then
        ``await flush()`` before the next ``write``/``finish``. ``feed`` does both.
        """
        self._received += len(chunk)
        if self._received > self._max_body_size:
            raise BodyTooLargeError(
                f"the request body is larger than {self._max_body_size} bytes",
                limit=self._max_body_size,
            )
        try:
            self._parser.write(chunk)
        except MultipartParseError as exc:
            message = str(exc)
            if message.startswith(_HEADER_COUNT_MESSAGE):
                raise PartHeadersTooLargeError(
                    f"a multipart part has more than {self._max_part_header_count} headers",
                    limit=self._max_part_header_count,
                ) from None
            if message.startswith(_HEADER_SIZE_MESSAGE):
                raise PartHeadersTooLargeError(
                    f"a multipart part has a header line over {self._max_part_header_size} bytes",
                    limit=self._max_part_header_size,
                ) from None
            raise MalformedBodyError(f"malformed multipart body: {exc}") from None
        return bool(self._pending)

    async def flush(self) -> None:
        """Run pending disk writes in a worker thread (nothing to do while files are in memory)."""
        if self._pending:
            pending = self._pending
            self._pending = []
            await self._offload(_write_all, pending)

    async def feed(self, chunk: bytes) -> None:
        """Parse the next chunk of the body (``write`` then ``flush``)."""
        if self.write(chunk):
            await self.flush()

    async def _offload(self, func: Callable[[_T], None], arg: _T) -> None:
        future = asyncio.get_running_loop().run_in_executor(None, func, arg)
        self._in_flight = future
        # Shielded: if this task is cancelled the thread keeps writing, and aclose() waits for
        # it before closing the files it writes to.
        await asyncio.shield(future)
        self._in_flight = None

    async def finish(self) -> MultiDict[str | UploadedFile]:
        """Check the body ended with the closing boundary and return the form.

        Raises ``MalformedBodyError`` when the body is truncated.
        """
        await self.flush()  # a caller that skipped flush() must not lose file data
        if self._parser.state != MultipartState.END:
            raise MalformedBodyError("the multipart body ended before its closing boundary")
        rolled: list[SpooledTemporaryFile[bytes]] = []
        for upload in self._uploads:
            if upload.in_memory:
                upload.file.seek(0)
            else:
                rolled.append(upload.file)
        if rolled:
            await self._offload(_rewind_all, rolled)
        form_charset = self._charset_field
        result: dict[str, list[str | UploadedFile]] = {}
        for name, value, charset in self._entries:
            item = (
                value
                if isinstance(value, UploadedFile)
                else _decode_field(value, charset or form_charset)
            )
            values = result.get(name)
            if values is None:
                result[name] = [item]
            else:
                values.append(item)
        self._opened = []
        return multidict_from_lists(result)

    async def aclose(self) -> None:
        """Abandon the parse: wait for a disk write in progress, then close every temporary
        file created so far. Files already returned by ``finish`` are left open."""
        in_flight = self._in_flight
        try:
            if in_flight is not None:
                await asyncio.wait([in_flight])
        finally:
            self._close_files()

    def _close_files(self) -> None:
        opened = self._opened
        self._opened = []
        self._pending = []
        for file in opened:
            file.close()


async def parse_multipart(
    content_type: str,
    chunks: AsyncIterable[bytes],
    *,
    max_fields: int = DEFAULT_MAX_FIELDS,
    max_files: int = DEFAULT_MAX_FILES,
    max_part_size: int = DEFAULT_MAX_PART_SIZE,
    max_fields_size: int = DEFAULT_MAX_FIELDS_SIZE,
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
    max_part_header_count: int = DEFAULT_MAX_PART_HEADER_COUNT,
    max_part_header_size: int = DEFAULT_MAX_PART_HEADER_SIZE,
    max_body_size: int = DEFAULT_MAX_MULTIPART_SIZE,
    spool_max_size: int = SPOOL_MAX_SIZE,
) -> MultiDict[str | UploadedFile]:
    """Parse a ``multipart/form-data`` body arriving as ``chunks``.

    ``content_type`` is the request's full ``Content-Type`` value (for the boundary). On any
    error, including cancellation and errors raised by ``chunks``, every temporary file is
    closed before the exception propagates.
    """
    parser = MultipartFormParser(
        boundary_from_content_type(content_type),
        max_fields=max_fields,
        max_files=max_files,
        max_part_size=max_part_size,
        max_fields_size=max_fields_size,
        max_file_size=max_file_size,
        max_part_header_count=max_part_header_count,
        max_part_header_size=max_part_header_size,
        max_body_size=max_body_size,
        spool_max_size=spool_max_size,
    )
    try:
        write = parser.write
        async for chunk in chunks:
            if write(chunk):
                await parser.flush()
        return await parser.finish()
    except BaseException:
        await parser.aclose()
        raise
