"""The public namespace is exactly the documented one."""

from __future__ import annotations

import asgikit
from tests.docstrings import undocumented

# Every name documented in the asgikit API spec (docs/api.md reproduces it).
SPEC_NAMES = {
    "Request", "Body", "Response", "WebSocket", "WebSocketState", "Headers", "MultiDict",
    "MutableMultiDict", "Cookies", "UploadedFile", "AsgiException", "ClientDisconnectError",
    "HttpException", "MultipartBoundaryError", "RequestAlreadyConsumedError",
    "ResponseAlreadyEndedError", "ResponseAlreadyStartedError", "ResponseNotStartedError",
    "WebSocketClosedError", "WebSocketDisconnect", "WebSocketException",
    "WebSocketResponseNotSupportedError", "WebSocketStateError",
}  # fmt: skip

# Names asgikit adds beyond the spec, each documented in docs/api.md and docs/decisions.md.
EXTENSION_NAMES = {
    # typestate markers
    "Unstarted", "Started", "Finished",
    # request-body errors carrying an HTTP status, and header safety
    "RequestBodyError", "MalformedBodyError", "InvalidContentLengthError", "BodyValidationError",
    "UnsupportedMediaTypeError", "LimitExceededError", "BodyTooLargeError", "TooManyFieldsError",
    "TooManyFilesError", "PartTooLargeError", "FileTooLargeError", "PartHeadersTooLargeError",
    "InvalidHeaderError", "WebSocketMessageError", "WebSocketMessageTooLargeError",
    # helpers
    "JSONValue", "Writer", "ServerSentEvent", "format_sse_event", "is_safe_redirect_url",
    "safe_basename", "FormPart",
    # framework-author kit: lifespan state and the error boundary
    "run_lifespan", "error_boundary",
}  # fmt: skip


def test_all_is_exactly_the_documented_names() -> None:
    assert set(asgikit.__all__) == SPEC_NAMES | EXTENSION_NAMES
    assert len(asgikit.__all__) == len(set(asgikit.__all__))


def test_every_spec_name_is_importable_from_the_package() -> None:
    for name in SPEC_NAMES:
        assert getattr(asgikit, name) is not None


def test_every_public_class_and_function_has_a_docstring() -> None:
    assert undocumented(asgikit) == []


def test_exception_hierarchy_matches_the_spec() -> None:
    assert issubclass(asgikit.HttpException, asgikit.AsgiException)
    assert issubclass(asgikit.WebSocketException, asgikit.AsgiException)
    for name in (
        "ClientDisconnectError", "RequestAlreadyConsumedError", "ResponseAlreadyEndedError",
        "ResponseAlreadyStartedError", "ResponseNotStartedError",
    ):  # fmt: skip
        assert issubclass(getattr(asgikit, name), asgikit.HttpException), name
    for name in (
        "WebSocketClosedError", "WebSocketDisconnect", "WebSocketResponseNotSupportedError",
        "WebSocketStateError",
    ):  # fmt: skip
        assert issubclass(getattr(asgikit, name), asgikit.WebSocketException), name
    assert issubclass(asgikit.MultipartBoundaryError, Exception)
    disconnect = asgikit.WebSocketDisconnect(1001, "going away")
    assert (disconnect.code, disconnect.reason) == (1001, "going away")


def test_websocket_state_values_match_the_spec() -> None:
    assert [(s.name, s.value) for s in asgikit.WebSocketState] == [
        ("NEW", 1), ("CONNECTED", 2), ("ACCEPTED", 3), ("CLOSED", 4),
    ]  # fmt: skip
