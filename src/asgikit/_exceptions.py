"""The asgikit exception tree.

Every exception asgikit raises on purpose is one of these::

    AsgiException
    ├── HttpException
    │   ├── ClientDisconnectError            client went away while we read or wrote
    │   ├── RequestAlreadyConsumedError      body stream read a second time
    │   ├── ResponseNotStartedError          write()/end() before start()
    │   ├── ResponseAlreadyStartedError      start() twice
    │   ├── ResponseAlreadyEndedError        start()/write() after end()
    │   └── RequestBodyError                 the request body is unacceptable (has .status_code)
    │       ├── MalformedBodyError           400: syntax error in JSON, form, multipart, Content-Length
    │       │   ├── MultipartBoundaryError   400: missing, empty, too long or invalid boundary
    │       │   └── InvalidContentLengthError 400: negative, non-numeric, huge or conflicting
    │       ├── BodyValidationError          422: JSON is valid but does not match the requested type
    │       ├── UnsupportedMediaTypeError    415: e.g. read_form() on a non-form body
    │       └── LimitExceededError           413/400: a configured limit was exceeded (has .limit)
    │           ├── BodyTooLargeError        413
    │           ├── TooManyFieldsError       413
    │           ├── TooManyFilesError        413
    │           ├── PartTooLargeError        413: a non-file multipart/urlencoded field
    │           ├── FileTooLargeError        413
    │           └── PartHeadersTooLargeError 400: too many / too long multipart part headers
    ├── WebSocketException
    │   ├── WebSocketDisconnect              the client closed the connection (has .code, .reason)
    │   ├── WebSocketStateError              wrong state for the call (e.g. read before accept)
    │   ├── WebSocketClosedError             interaction with a closed websocket
    │   ├── WebSocketResponseNotSupportedError  server lacks the websocket.http.response extension
    │   └── WebSocketMessageError            a message is not what was asked for (bad JSON, binary
    │       │                                where text was expected, too large)
    │       └── WebSocketMessageTooLargeError
    └── InvalidHeaderError (also a ValueError)  an outgoing header or cookie would be unsafe

``MultipartBoundaryError`` was a direct ``Exception`` subclass in asgikit 0.18; it is still an
``Exception``, and also a ``MalformedBodyError`` so frameworks can map it to 400.
"""

from __future__ import annotations

from typing import ClassVar, final

__all__ = [
    "AsgiException",
    "BodyTooLargeError",
    "BodyValidationError",
    "ClientDisconnectError",
    "FileTooLargeError",
    "HttpException",
    "InvalidContentLengthError",
    "InvalidHeaderError",
    "LimitExceededError",
    "MalformedBodyError",
    "MultipartBoundaryError",
    "PartHeadersTooLargeError",
    "PartTooLargeError",
    "RequestAlreadyConsumedError",
    "RequestBodyError",
    "ResponseAlreadyEndedError",
    "ResponseAlreadyStartedError",
    "ResponseNotStartedError",
    "TooManyFieldsError",
    "TooManyFilesError",
    "UnsupportedMediaTypeError",
    "WebSocketClosedError",
    "WebSocketDisconnect",
    "WebSocketException",
    "WebSocketMessageError",
    "WebSocketMessageTooLargeError",
    "WebSocketResponseNotSupportedError",
    "WebSocketStateError",
]


class AsgiException(Exception):
    """Generic ASGI exception: the root of everything asgikit raises on purpose."""


class HttpException(AsgiException):
    """Generic HTTP exception."""


@final
class ClientDisconnectError(HttpException):
    """Client disconnected while the request was being read or the response written."""


@final
class RequestAlreadyConsumedError(HttpException):
    """Tried to consume a request body that is already consumed.

    Raised when the body was streamed (``async for chunk in body``) and is then read again;
    a body read fully with ``read_*`` is cached and can be read again.
    """


@final
class ResponseNotStartedError(HttpException):
    """Interacted with a response that has not yet started. Call ``start()`` first."""


@final
class ResponseAlreadyStartedError(HttpException):
    """Tried to start a response that has already started."""


@final
class ResponseAlreadyEndedError(HttpException):
    """Interacted with a response that has already ended."""


class RequestBodyError(HttpException):
    """The request body cannot be accepted.

    ``status_code`` is the HTTP status a framework should answer with.
    """

    status_code: ClassVar[int] = 400


class MalformedBodyError(RequestBodyError):
    """The request body (or its framing headers) is syntactically invalid. Answer 400."""

    status_code: ClassVar[int] = 400


@final
class MultipartBoundaryError(MalformedBodyError):
    """Failed to find a valid multipart boundary in the ``Content-Type`` header."""


@final
class InvalidContentLengthError(MalformedBodyError):
    """The ``Content-Length`` header is negative, not a number, too large or conflicting."""


@final
class BodyValidationError(RequestBodyError):
    """The body is well-formed JSON but does not match the requested type. Answer 422."""

    status_code: ClassVar[int] = 422


@final
class UnsupportedMediaTypeError(RequestBodyError):
    """The body's content type is not one the called method can parse. Answer 415."""

    status_code: ClassVar[int] = 415


class LimitExceededError(RequestBodyError):
    """A configured size or count limit was exceeded.

    ``limit`` is the configured value that was exceeded.
    """

    status_code: ClassVar[int] = 413

    def __init__(self, message: str, *, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


@final
class BodyTooLargeError(LimitExceededError):
    """The request body is larger than ``max_body_size``."""


@final
class TooManyFieldsError(LimitExceededError):
    """The form has more than ``max_fields`` fields."""


@final
class TooManyFilesError(LimitExceededError):
    """The multipart form has more than ``max_files`` files."""


@final
class PartTooLargeError(LimitExceededError):
    """A non-file form field is larger than ``max_part_size``."""


@final
class FileTooLargeError(LimitExceededError):
    """An uploaded file is larger than ``max_file_size``."""


@final
class PartHeadersTooLargeError(LimitExceededError):
    """A multipart part has more than ``max_part_header_count`` headers or a header block
    larger than ``max_part_header_size``."""

    status_code: ClassVar[int] = 400


class WebSocketException(AsgiException):
    """Generic websocket exception."""


@final
class WebSocketDisconnect(WebSocketException):
    """The websocket client disconnected.

    ``code`` is the close code the client sent (1005 when it sent none) and ``reason`` the
    close reason, if any.
    """

    def __init__(self, code: int = 1005, reason: str | None = None) -> None:
        super().__init__(f"websocket disconnected with code {code}" + (f": {reason}" if reason else ""))
        self.code = code
        self.reason = reason


@final
class WebSocketStateError(WebSocketException):
    """The websocket is in the wrong state for the interaction (e.g. read before ``accept()``)."""


@final
class WebSocketClosedError(WebSocketException):
    """Tried to interact with a closed websocket."""


@final
class WebSocketResponseNotSupportedError(WebSocketException):
    """The ASGI server does not support the websocket denial response
    (``websocket.http.response`` is not in ``scope["extensions"]``)."""


class WebSocketMessageError(WebSocketException):
    """A received websocket message is not what was asked for: invalid JSON, a binary frame
    where text was expected, or a value that does not match the requested type."""


@final
class WebSocketMessageTooLargeError(WebSocketMessageError):
    """A received websocket message is larger than the configured limit."""

    def __init__(self, message: str, *, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


@final
class InvalidHeaderError(AsgiException, ValueError):
    """An outgoing header name/value or cookie attribute contains characters that would allow
    header injection or are not allowed by the HTTP grammar (CR, LF, NUL, other controls,
    non-latin-1 text, separators in names)."""
