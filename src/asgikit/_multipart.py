"""Streaming ``multipart/form-data`` parsing on top of ``python_multipart``, with every limit.

``MultipartReader`` is the one place that drives python-multipart: it enforces the limits and
hands each part's head, data and end to a ``PartSink``. ``Body.read_form`` spools files
(``_multipart_form``) and ``Body.iter_parts`` hands parts out as they arrive (``_form_parts``);
both are sinks of this reader, so they parse, limit and reject bodies identically.

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
- Text fields are decoded (``decode_field``) with the part's ``charset`` parameter, else the
  value of the first ``_charset_`` field (HTML), else UTF-8; when that fails (or names an
  unknown codec, or one with non-linear decoding such as ``punycode``), strict UTF-8 is tried,
  then latin-1, which never fails. Header values (names, filenames) are UTF-8, falling back to
  latin-1.
- ``Content-Transfer-Encoding`` is ignored (RFC 7578 section 4.7 deprecates it): bodies are
  taken as sent.
- Only ``CRLF--boundary`` followed by CRLF, ``--`` or whitespace ends a part, so the boundary
  text elsewhere in a body (for instance at the start of a line followed by other characters)
  is data. Only CR/LF may precede the first boundary; the epilogue after the closing
  boundary is discarded.
- A body that ends before the closing boundary raises ``MalformedBodyError``.
- Limits are checked before a sink sees the data, so a sink that keeps what it is given never
  holds more than a limit.
- ``max_part_header_size`` counts the names and values of a part's headers, not the colons,
  the spaces after them or the line ends. Those uncounted bytes are bounded too: one header
  line may exceed the limit by at most ``_HEADER_LINE_SLACK`` (64) bytes, colon and spaces
  included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Protocol, TypedDict, final

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
)
from ._params import media_type_and_charset, parse_header_params, text_codec

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

__all__ = [
    "FormLimitArgs",
    "MultipartReader",
    "PartHead",
    "PartSink",
    "boundary_from_content_type",
    "decode_field",
]

_MAX_BOUNDARY: Final = 70
_BCHARS: Final = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? "
"""The RFC 2046 ``bchars``. A boundary is checked with ``bytes.translate`` deleting them (what
is left is not allowed): one C call, where testing each character against a set cost about
3,000 instructions on a 40-character boundary."""

# python-multipart's own header limit messages (mapped to PartHeadersTooLargeError).
_HEADER_COUNT_MESSAGE: Final = "Maximum header count"
_HEADER_SIZE_MESSAGE: Final = "Maximum header size"

_HEADER_LINE_SLACK: Final = 64
"""Bytes one header line may have beyond ``max_part_header_size`` for its colon and the spaces
after it. ``max_part_header_size`` counts names and values only (``MultipartReader`` enforces
it); python-multipart also counts the colon and the spaces it skips, line by line, so its
limit is raised by this slack. It then never refuses a part within the documented limit and
still bounds a run of padding spaces, which nothing else counts."""


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
    if boundary[-1] == " " or not boundary.isascii():
        raise _bad_boundary_characters()
    encoded = boundary.encode("ascii")
    if encoded.translate(None, _BCHARS):
        raise _bad_boundary_characters()
    return encoded


def _bad_boundary_characters() -> MultipartBoundaryError:
    return MultipartBoundaryError(
        "the multipart boundary contains characters RFC 2046 does not allow; "
        "use letters, digits and '()+_,-./:=? only"
    )


def _header_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def decode_field(raw: bytes | bytearray, charset: str | None) -> str:
    """A text field's value: decoded with ``charset`` when it names a usable text codec, else
    (or when that fails) strict UTF-8, else latin-1, which never fails."""
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


class FormLimitArgs(TypedDict, total=False):
    """``MultipartReader``'s limits as keyword arguments, for callers that pass them on (the
    defaults are in ``MultipartReader``'s signature; the meanings in ``Body.read_form``)."""

    max_fields: int
    max_files: int
    max_part_size: int
    max_fields_size: int
    max_file_size: int
    max_part_header_count: int
    max_part_header_size: int
    max_body_size: int


@final
class PartHead:
    """What a part's headers say, checked: the reader hands one to ``PartSink.start_part``."""

    __slots__ = ("charset", "filename", "headers", "media_type", "name")

    def __init__(
        self,
        name: str,
        filename: str | None,
        media_type: str | None,
        charset: str | None,
        headers: list[tuple[bytes, bytes]],
    ) -> None:
        """Record the parsed facts of one part (see the attributes)."""
        self.name: str = name
        """The ``name`` parameter of ``Content-Disposition``."""
        self.filename: str | None = filename
        """The ``filename`` parameter (``None`` for a plain field; ``""`` is a file)."""
        self.media_type: str | None = media_type
        """The part's lower-cased ``Content-Type`` without parameters, ``None`` when absent."""
        self.charset: str | None = charset
        """The lower-cased ``charset`` parameter of the part's ``Content-Type``, if any."""
        self.headers: list[tuple[bytes, bytes]] = headers
        """Every header line as ``(lower-cased name, value)`` bytes, in order."""


class PartSink(Protocol):
    """Receives the parts ``MultipartReader`` finds, already checked against every limit.

    ``part_data`` gets a slice ``data[start:end]`` described by the buffer and its bounds
    (python-multipart's calling convention), so a sink that copies can do so without an
    intermediate slice. Errors a sink raises propagate out of ``MultipartReader.write``.
    """

    def start_part(self, head: PartHead) -> None:
        """A part's headers are complete and valid; its data follows."""

    def part_data(self, data: bytes, start: int, end: int) -> None:
        """The next piece of the current part's content: ``data[start:end]`` (never empty)."""

    def end_part(self) -> None:
        """The current part ended with its boundary."""


@final
class MultipartReader:
    """Incremental, limited parser: ``write(chunk)`` for each chunk, then ``finish()``.

    Both raise ``RequestBodyError`` subclasses for bad bodies and exceeded limits (the reader
    is then unusable). Limits are the keyword arguments of ``Body.read_form``.
    """

    __slots__ = (
        "_field_bytes",
        "_fields",
        "_files",
        "_header_bytes",
        "_header_name",
        "_header_value",
        "_headers",
        "_in_file",
        "_max_body_size",
        "_max_fields",
        "_max_fields_size",
        "_max_file_size",
        "_max_files",
        "_max_part_header_count",
        "_max_part_header_size",
        "_max_part_size",
        "_parser",
        "_part_size",
        "_received",
        "_sink_data",
        "_sink_end",
        "_sink_start",
    )

    def __init__(
        self,
        boundary: bytes,
        sink: PartSink,
        *,
        max_fields: int = DEFAULT_MAX_FIELDS,
        max_files: int = DEFAULT_MAX_FILES,
        max_part_size: int = DEFAULT_MAX_PART_SIZE,
        max_fields_size: int = DEFAULT_MAX_FIELDS_SIZE,
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
        max_part_header_count: int = DEFAULT_MAX_PART_HEADER_COUNT,
        max_part_header_size: int = DEFAULT_MAX_PART_HEADER_SIZE,
        max_body_size: int = DEFAULT_MAX_MULTIPART_SIZE,
    ) -> None:
        """Parse a body delimited by ``boundary`` (see ``boundary_from_content_type``) into ``sink``."""
        self._max_fields = max_fields
        self._max_files = max_files
        self._max_part_size = max_part_size
        self._max_fields_size = max_fields_size
        self._max_file_size = max_file_size
        self._max_part_header_count = max_part_header_count
        self._max_part_header_size = max_part_header_size
        self._max_body_size = max_body_size
        # Bound methods looked up once: part_data runs for every piece of every part.
        self._sink_start = sink.start_part
        self._sink_data = sink.part_data
        self._sink_end = sink.end_part
        callbacks: MultipartCallbacks = {
            "on_part_begin": self._on_part_begin,
            "on_part_data": self._on_part_data,
            "on_part_end": self._sink_end,
            "on_header_field": self._on_header_field,
            "on_header_value": self._on_header_value,
            "on_header_end": self._on_header_end,
            "on_headers_finished": self._on_headers_finished,
        }
        self._parser = MultipartParser(
            boundary,
            callbacks,
            max_header_count=max_part_header_count,
            max_header_size=max_part_header_size + _HEADER_LINE_SLACK,
        )
        self._received = 0
        self._fields = 0
        self._files = 0
        self._field_bytes = 0
        # Emptied again after every header line (_on_header_end); the other per-part state is
        # set where a part begins (_on_part_begin) and where its headers end (_in_file). It is
        # set here too so that every slot exists from the start (no read can find one unset).
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._on_part_begin()
        self._in_file = False

    # -- python_multipart callbacks (synchronous, called from inside MultipartParser.write) --

    def _on_part_begin(self) -> None:
        self._headers: list[tuple[bytes, bytes]] = []
        self._header_bytes = 0
        self._part_size = 0

    def _headers_too_large(self) -> PartHeadersTooLargeError:
        return PartHeadersTooLargeError(
            f"a multipart part has more than {self._max_part_header_size} bytes of headers",
            limit=self._max_part_header_size,
        )

    # The two header callbacks count the part's header bytes themselves rather than through a
    # shared method: python-multipart already spends two Python calls on each piece, and a
    # third per piece cost about 2,000 instructions per 1 KiB upload of two parts.

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        size = self._header_bytes + end - start
        if size > self._max_part_header_size:
            raise self._headers_too_large()
        self._header_bytes = size
        self._header_name += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        size = self._header_bytes + end - start
        if size > self._max_part_header_size:
            raise self._headers_too_large()
        self._header_bytes = size
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        # The header count is enforced by python-multipart (max_header_count), which refuses
        # the header that goes over the limit before this callback could see it.
        self._headers.append((bytes(self._header_name).lower(), bytes(self._header_value)))
        self._header_name = bytearray()
        self._header_value = bytearray()

    def _on_headers_finished(self) -> None:
        disposition: bytes | None = None
        content_type: bytes | None = None
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
        media_type, charset = media_type_and_charset(
            None if content_type is None else _header_text(content_type)
        )
        filename = params.get("filename")
        if filename is None:
            self._fields += 1
            if self._fields > self._max_fields:
                raise TooManyFieldsError(
                    f"the form has more than {self._max_fields} fields; send fewer fields",
                    limit=self._max_fields,
                )
        else:
            self._files += 1
            if self._files > self._max_files:
                raise TooManyFilesError(
                    f"the form has more than {self._max_files} files; send fewer files",
                    limit=self._max_files,
                )
        self._in_file = filename is not None
        self._sink_start(PartHead(name, filename, media_type, charset, self._headers))

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        amount = end - start
        size = self._part_size + amount
        if self._in_file:
            if size > self._max_file_size:
                raise FileTooLargeError(
                    f"an uploaded file is larger than {self._max_file_size} bytes; send a smaller file",
                    limit=self._max_file_size,
                )
        else:
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
        self._sink_data(data, start, end)

    # -- driving --

    def write(self, chunk: bytes) -> None:
        """Parse the next chunk of the body; the sink sees what it completes."""
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

    def finish(self) -> None:
        """The body ended: raise ``MalformedBodyError`` unless it ended with the closing boundary."""
        if self._parser.state != MultipartState.END:
            raise MalformedBodyError("the multipart body ended before its closing boundary")
