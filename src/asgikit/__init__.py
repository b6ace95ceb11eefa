"""asgikit: a strictly typed toolkit for building ASGI applications and frameworks.

Everything public is importable from here; the typed ASGI shapes live in ``asgikit.asgi``.
"""

from ._body import Body
from ._boundary import error_boundary
from ._cookies import Cookies
from ._exceptions import (
    AsgiException,
    BodyTooLargeError,
    BodyValidationError,
    ClientDisconnectError,
    FileTooLargeError,
    HttpException,
    InvalidContentLengthError,
    InvalidHeaderError,
    LimitExceededError,
    MalformedBodyError,
    MultipartBoundaryError,
    PartHeadersTooLargeError,
    PartTooLargeError,
    RequestAlreadyConsumedError,
    RequestBodyError,
    ResponseAlreadyEndedError,
    ResponseAlreadyStartedError,
    ResponseNotStartedError,
    TooManyFieldsError,
    TooManyFilesError,
    UnsupportedMediaTypeError,
    WebSocketClosedError,
    WebSocketDisconnect,
    WebSocketException,
    WebSocketMessageError,
    WebSocketMessageTooLargeError,
    WebSocketResponseNotSupportedError,
    WebSocketStateError,
)
from ._form_parts import FormPart
from ._headers import Headers
from ._json import JSONValue
from ._lifespan import run_lifespan
from ._multidict import MultiDict, MutableMultiDict
from ._redirects import is_safe_redirect_url
from ._request import Request
from ._response import Finished, Response, Started, Unstarted, Writer
from ._sse import ServerSentEvent, format_sse_event
from ._uploads import UploadedFile, safe_basename
from ._websocket import WebSocket, WebSocketState

__all__ = [
    "AsgiException",
    "Body",
    "BodyTooLargeError",
    "BodyValidationError",
    "ClientDisconnectError",
    "Cookies",
    "FileTooLargeError",
    "Finished",
    "FormPart",
    "Headers",
    "HttpException",
    "InvalidContentLengthError",
    "InvalidHeaderError",
    "JSONValue",
    "LimitExceededError",
    "MalformedBodyError",
    "MultiDict",
    "MultipartBoundaryError",
    "MutableMultiDict",
    "PartHeadersTooLargeError",
    "PartTooLargeError",
    "Request",
    "RequestAlreadyConsumedError",
    "RequestBodyError",
    "Response",
    "ResponseAlreadyEndedError",
    "ResponseAlreadyStartedError",
    "ResponseNotStartedError",
    "ServerSentEvent",
    "Started",
    "TooManyFieldsError",
    "TooManyFilesError",
    "Unstarted",
    "UnsupportedMediaTypeError",
    "UploadedFile",
    "WebSocket",
    "WebSocketClosedError",
    "WebSocketDisconnect",
    "WebSocketException",
    "WebSocketMessageError",
    "WebSocketMessageTooLargeError",
    "WebSocketResponseNotSupportedError",
    "WebSocketState",
    "WebSocketStateError",
    "Writer",
    "error_boundary",
    "format_sse_event",
    "is_safe_redirect_url",
    "run_lifespan",
    "safe_basename",
]
