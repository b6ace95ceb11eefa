"""ASGI conformance checks: every event an app sends is validated against the protocol.

One checker per connection (``HTTPChecker``, ``WebSocketChecker``) holds that connection's
state machine; ``check(event)`` validates one event's shape and whether it is legal now, and
``check_return()`` whether the app may return at this point. Both raise ``ASGIProtocolError``
with the event number (1-based, counting every event the app sent on the connection) and a
fixed sentence saying what was wrong. The checkers know nothing of httpx or of the transport.

The HTTP machine::

    before-start --start--> streaming --body(more_body=False)--> complete
                                     \\--(trailers=True)--> trailers --trailers(more=False)--> complete

The websocket machine::

    connecting --accept--> open --close--> closed
    connecting --close--> closed
    connecting --http.response.start--> denying --http.response.body(more_body=False)--> closed
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Set
from typing import Final, Literal, TypeAlias, cast, final

from asgikit.asgi import SupportsFileno

from ._profiles import spec_at_least

__all__ = ["ASGIProtocolError", "HTTPChecker", "WebSocketChecker", "check_headers"]

_TOKEN: Final = re.compile(rb"[!#$%&'*+\-.^_`|~0-9a-z]+")
"""A lower-case header name (RFC 9110 token characters, upper case excluded)."""

_FORBIDDEN_IN_VALUE: Final = re.compile(rb"[\r\n\x00]")
"""Bytes that would split or truncate a header line on the wire."""

_HTTP_EXTENSION_EVENTS: Final[Mapping[str, str]] = {
    "http.response.trailers": "http.response.trailers",
    "http.response.push": "http.response.push",
    "http.response.zerocopysend": "http.response.zerocopysend",
    "http.response.pathsend": "http.response.pathsend",
    "http.response.early_hint": "http.response.early_hint",
}
"""HTTP events that belong to an extension: event type to the extension's name."""

_HTTP_EVENTS: Final = frozenset(
    {"http.response.start", "http.response.body", *_HTTP_EXTENSION_EVENTS}
)
"""Every event type an HTTP app may send."""

_WEBSOCKET_EVENTS: Final = frozenset(
    {
        "websocket.accept",
        "websocket.send",
        "websocket.close",
        "websocket.http.response.start",
        "websocket.http.response.body",
    }
)
"""Every event type a websocket app may send."""

_DENIAL: Final = "websocket.http.response"
"""The extension that allows ``websocket.http.response.*`` events."""

_MAX_CLOSE_REASON: Final = 123
"""Longest close reason in UTF-8 bytes that fits a close frame."""


class ASGIProtocolError(Exception):
    """The app broke the ASGI protocol: the message says what was wrong and at which event.

    ``event_number`` is the 1-based number of the offending event among all the events the app
    sent on the connection, or ``None`` when the problem is how the app returned.
    ``event_type`` is that event's ``type`` (``None`` if it had none).
    """

    def __init__(
        self, message: str, *, event_number: int | None = None, event_type: str | None = None
    ) -> None:
        super().__init__(message)
        self.event_number: int | None = event_number
        self.event_type: str | None = event_type


def _fail(number: int, event_type: str | None, problem: str) -> ASGIProtocolError:
    """The error for event ``number``: ``"event 3 (http.response.body): <problem>"``."""
    label = event_type if event_type is not None else "no type"
    return ASGIProtocolError(
        f"event {number} ({label}): {problem}", event_number=number, event_type=event_type
    )


def _event_type(
    number: int, event: object, allowed: Set[str], kind: str
) -> tuple[Mapping[str, object], str]:
    """The event as a mapping and its type, or the error for a non-dict or unknown event."""
    if not isinstance(event, dict):
        raise _fail(number, None, f"an event must be a dict, got {type(event).__name__}")
    mapping = cast("dict[str, object]", event)
    event_type = mapping.get("type")
    if not isinstance(event_type, str):
        raise _fail(number, None, "the event has no 'type' string")
    if event_type not in allowed:
        raise _fail(number, event_type, f"not an event a {kind} app can send")
    return mapping, event_type


def _optional_bool(number: int, event_type: str, event: Mapping[str, object], key: str) -> bool:
    """``event[key]`` as a bool (missing means ``False``)."""
    value = event.get(key, False)
    if not isinstance(value, bool):
        raise _fail(number, event_type, f"{key!r} must be a bool, got {type(value).__name__}")
    return value


def _optional_bytes(number: int, event_type: str, event: Mapping[str, object], key: str) -> bytes:
    """``event[key]`` as bytes (missing means ``b""``)."""
    value = event.get(key, b"")
    if not isinstance(value, bytes):
        raise _fail(number, event_type, f"{key!r} must be bytes, got {type(value).__name__}")
    return value


def check_headers(value: object) -> list[tuple[bytes, bytes]] | str:
    """The headers as a list of ``(name, value)`` bytes pairs, or what is wrong with them.

    Names must be lower-case tokens and values must not contain CR, LF or NUL: anything else
    either breaks the HTTP message or is rejected by real servers.
    """
    kind = type(value).__name__
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        return f"'headers' must be an iterable of [name, value] pairs, got {kind}"
    pairs: list[tuple[bytes, bytes]] = []
    for index, item in enumerate(cast("Iterable[object]", value)):
        if not isinstance(item, tuple | list) or len(cast("tuple[object, ...]", item)) != 2:
            return f"header {index} must be a [name, value] pair"
        name, header_value = cast("tuple[object, object]", tuple(cast("tuple[object, ...]", item)))
        if not isinstance(name, bytes) or not isinstance(header_value, bytes):
            return f"header {index} must be a pair of bytes, got ({type(name).__name__}, {type(header_value).__name__})"
        if _TOKEN.fullmatch(name) is None:
            return f"header name {name!r} must be a non-empty lower-case token"
        if _FORBIDDEN_IN_VALUE.search(header_value) is not None:
            return f"header {name.decode('latin-1')!r} has CR, LF or NUL in its value"
        pairs.append((name, header_value))
    return pairs


def _headers(
    number: int, event_type: str, event: Mapping[str, object]
) -> list[tuple[bytes, bytes]]:
    """The event's ``headers`` (missing means none), validated."""
    result = check_headers(event.get("headers", []))
    if isinstance(result, str):
        raise _fail(number, event_type, result)
    return result


HTTPState: TypeAlias = Literal["before-start", "streaming", "trailers", "complete"]
"""Where an HTTP response is."""


@final
class HTTPChecker:
    """The HTTP response state machine of one request; see the module docstring."""

    def __init__(self, *, method: str, extensions: Set[str]) -> None:
        self.method: str = method
        self.extensions: Set[str] = extensions
        self.state: HTTPState = "before-start"
        self.count: int = 0
        self.status: int | None = None
        self.body_bytes: int = 0
        self.content_length: int | None = None
        self.expects_trailers: bool = False

    def check(self, event: object) -> None:
        """Validate the app's next event; raise ``ASGIProtocolError`` if it is malformed or illegal now."""
        self.count += 1
        number = self.count
        mapping, event_type = _event_type(number, event, _HTTP_EVENTS, "HTTP")
        extension = _HTTP_EXTENSION_EVENTS.get(event_type)
        if extension is not None and extension not in self.extensions:
            raise _fail(number, event_type, f"the server did not offer the {extension!r} extension")
        if self.state == "complete":
            raise _fail(number, event_type, "the response was already complete")
        match event_type:
            case "http.response.start":
                self._start(number, event_type, mapping)
            case "http.response.body":
                self._require_started(number, event_type)
                body = _optional_bytes(number, event_type, mapping, "body")
                more = _optional_bool(number, event_type, mapping, "more_body")
                self._add_body(number, event_type, len(body), more=more)
            case "http.response.zerocopysend":
                self._require_started(number, event_type)
                self._zerocopy(number, event_type, mapping)
            case "http.response.pathsend":
                self._require_started(number, event_type)
                path = mapping.get("path")
                if not isinstance(path, str) or not path.startswith("/"):
                    raise _fail(number, event_type, "'path' must be an absolute path as a str")
                try:
                    size = os.path.getsize(path)
                except OSError:
                    raise _fail(number, event_type, f"{path!r} is not a readable file") from None
                self._add_body(number, event_type, size, more=False)
            case "http.response.trailers":
                if self.state != "trailers":
                    raise _fail(
                        number,
                        event_type,
                        "trailers are allowed only after the whole body of a response started with trailers=True",
                    )
                _headers(number, event_type, mapping)
                if not _optional_bool(number, event_type, mapping, "more_trailers"):
                    self.state = "complete"
            case "http.response.early_hint":
                if self.state != "before-start":
                    raise _fail(
                        number, event_type, "early hints must come before http.response.start"
                    )
                links = mapping.get("links")
                if not isinstance(links, list) or not all(
                    isinstance(x, bytes) for x in cast("list[object]", links)
                ):
                    raise _fail(number, event_type, "'links' must be a list of bytes")
            case _:  # http.response.push
                if not isinstance(mapping.get("path"), str):
                    raise _fail(number, event_type, "'path' must be a str")
                _headers(number, event_type, mapping)

    def check_return(self, *, client_gone: bool) -> None:
        """Validate that the app may return now (anything goes once the client has left)."""
        if client_gone or self.state == "complete":
            return
        problem = {
            "before-start": "the app returned without sending http.response.start",
            "streaming": "the app returned before finishing the response body (the last body event had more_body=True)",
            "trailers": "the app returned without sending the trailers it announced with trailers=True",
        }[self.state]
        raise ASGIProtocolError(f"after event {self.count}: {problem}")

    def _start(self, number: int, event_type: str, event: Mapping[str, object]) -> None:
        if self.state != "before-start":
            raise _fail(number, event_type, "the response was already started")
        status = event.get("status")
        if not isinstance(status, int) or isinstance(status, bool) or not 200 <= status <= 599:
            raise _fail(
                number, event_type, f"'status' must be an int from 200 to 599, got {status!r}"
            )
        headers = _headers(number, event_type, event)
        lengths = {value for name, value in headers if name == b"content-length"}
        if len(lengths) > 1:
            raise _fail(number, event_type, "conflicting content-length headers")
        if lengths:
            length = lengths.pop()
            if not length.isdigit():
                raise _fail(number, event_type, f"content-length {length!r} is not a number")
            if self._body_is_sent(status):
                self.content_length = int(length)
        self.expects_trailers = _optional_bool(number, event_type, event, "trailers")
        if self.expects_trailers and "http.response.trailers" not in self.extensions:
            raise _fail(
                number,
                event_type,
                "trailers=True needs the 'http.response.trailers' extension, which the server did not offer",
            )
        self.status = status
        self.state = "streaming"

    def _body_is_sent(self, status: int) -> bool:
        """Whether the body reaches the client (not for HEAD, 204 and 304)."""
        return self.method != "HEAD" and status not in (204, 304)

    def _require_started(self, number: int, event_type: str) -> None:
        if self.state == "before-start":
            raise _fail(number, event_type, "body sent before http.response.start")
        if self.state == "trailers":
            raise _fail(
                number, event_type, "body sent after the body was complete (trailers expected)"
            )

    def _add_body(self, number: int, event_type: str, size: int, *, more: bool) -> None:
        self.body_bytes += size
        if self.content_length is not None and self.body_bytes > self.content_length:
            raise _fail(
                number,
                event_type,
                f"the body is longer than its content-length ({self.body_bytes} > {self.content_length})",
            )
        if not more:
            if self.content_length is not None and self.body_bytes != self.content_length:
                raise _fail(
                    number,
                    event_type,
                    f"the body is shorter than its content-length ({self.body_bytes} < {self.content_length})",
                )
            self._end_body()

    def _zerocopy(self, number: int, event_type: str, event: Mapping[str, object]) -> None:
        file = event.get("file")
        if not callable(getattr(file, "fileno", None)):
            raise _fail(number, event_type, "'file' must have a fileno() method")
        for key in ("offset", "count"):
            value = event.get(key, 0)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise _fail(number, event_type, f"{key!r} must be a non-negative int")
        more = _optional_bool(number, event_type, event, "more_body")
        fd = cast("SupportsFileno", file).fileno()
        offset = cast("int | None", event.get("offset"))
        count = cast("int | None", event.get("count"))
        if count is None:
            start = os.lseek(fd, 0, os.SEEK_CUR) if offset is None else offset
            count = max(os.fstat(fd).st_size - start, 0)
        self._add_body(number, event_type, count, more=more)

    def _end_body(self) -> None:
        self.state = "trailers" if self.expects_trailers else "complete"


WebSocketState: TypeAlias = Literal["connecting", "open", "denying", "closed"]
"""Where a websocket connection is, as far as the app's events go."""


@final
class WebSocketChecker:
    """The websocket state machine of one connection; see the module docstring."""

    def __init__(
        self, *, spec_version: str | None, extensions: Set[str], subprotocols: Iterable[str]
    ) -> None:
        self.spec_version: str | None = spec_version
        self.extensions: Set[str] = extensions
        self.subprotocols: frozenset[str] = frozenset(subprotocols)
        self.state: WebSocketState = "connecting"
        self.count: int = 0

    def check(self, event: object) -> None:
        """Validate the app's next event; raise ``ASGIProtocolError`` if it is malformed or illegal now."""
        self.count += 1
        number = self.count
        mapping, event_type = _event_type(number, event, _WEBSOCKET_EVENTS, "websocket")
        if event_type.startswith("websocket.http.") and _DENIAL not in self.extensions:
            raise _fail(number, event_type, f"the server did not offer the {_DENIAL!r} extension")
        if self.state == "closed":
            raise _fail(number, event_type, "the connection was already closed")
        match event_type:
            case "websocket.accept":
                self._accept(number, event_type, mapping)
            case "websocket.send":
                if self.state != "open":
                    raise _fail(
                        number, event_type, "message sent before the connection was accepted"
                    )
                self._message(number, event_type, mapping)
            case "websocket.close":
                if self.state == "denying":
                    raise _fail(number, event_type, "close sent during a denial response")
                self._close(number, event_type, mapping)
            case "websocket.http.response.start":
                if self.state != "connecting":
                    raise _fail(
                        number,
                        event_type,
                        "a denial response must come before accept and only once",
                    )
                status = mapping.get("status")
                if (
                    not isinstance(status, int)
                    or isinstance(status, bool)
                    or not 200 <= status <= 599
                ):
                    raise _fail(
                        number,
                        event_type,
                        f"'status' must be an int from 200 to 599, got {status!r}",
                    )
                _headers(number, event_type, mapping)
                self.state = "denying"
            case _:  # websocket.http.response.body
                if self.state != "denying":
                    raise _fail(
                        number, event_type, "denial body sent before websocket.http.response.start"
                    )
                _optional_bytes(number, event_type, mapping, "body")
                if not _optional_bool(number, event_type, mapping, "more_body"):
                    self.state = "closed"

    def check_return(self, *, client_gone: bool) -> None:
        """Validate that the app may return now."""
        if client_gone or self.state in ("open", "closed"):
            return
        problem = {
            "connecting": "the app returned without accepting or closing the websocket",
            "denying": "the app returned before finishing its denial response body",
        }[self.state]
        raise ASGIProtocolError(f"after event {self.count}: {problem}")

    def _accept(self, number: int, event_type: str, event: Mapping[str, object]) -> None:
        if self.state != "connecting":
            raise _fail(
                number,
                event_type,
                "the connection was already accepted"
                if self.state == "open"
                else "accept sent during a denial response",
            )
        subprotocol = event.get("subprotocol")
        if subprotocol is not None:
            if not isinstance(subprotocol, str):
                raise _fail(number, event_type, "'subprotocol' must be a str or None")
            if subprotocol not in self.subprotocols:
                raise _fail(
                    number, event_type, f"subprotocol {subprotocol!r} was not offered by the client"
                )
        headers = _headers(number, event_type, event)
        if headers:
            # An empty list is harmless (Starlette always sends one); real headers need 2.1.
            if not spec_at_least(self.spec_version, (2, 1)):
                raise _fail(
                    number,
                    event_type,
                    "'headers' need spec version 2.1; the server speaks "
                    + (self.spec_version or "2.0"),
                )
            if any(name == b"sec-websocket-protocol" for name, _ in headers):
                raise _fail(
                    number,
                    event_type,
                    "set the subprotocol with 'subprotocol', not a sec-websocket-protocol header",
                )
        self.state = "open"

    def _message(self, number: int, event_type: str, event: Mapping[str, object]) -> None:
        data, text = event.get("bytes"), event.get("text")
        if (data is None) == (text is None):
            raise _fail(number, event_type, "exactly one of 'bytes' and 'text' must be non-None")
        if data is not None and not isinstance(data, bytes):
            raise _fail(number, event_type, f"'bytes' must be bytes, got {type(data).__name__}")
        if text is not None and not isinstance(text, str):
            raise _fail(number, event_type, f"'text' must be a str, got {type(text).__name__}")

    def _close(self, number: int, event_type: str, event: Mapping[str, object]) -> None:
        code = event.get("code", 1000)
        if (
            not isinstance(code, int)
            or isinstance(code, bool)
            or not (code in range(1000, 1015) or code in range(3000, 5000))
            or code in (1004, 1005, 1006)
        ):
            raise _fail(number, event_type, f"{code!r} is not a close code an endpoint may send")
        reason = event.get("reason")
        if reason is not None:
            if not isinstance(reason, str):
                raise _fail(number, event_type, "'reason' must be a str or None")
            if reason and not spec_at_least(self.spec_version, (2, 3)):
                raise _fail(
                    number,
                    event_type,
                    "'reason' needs spec version 2.3; the server speaks "
                    + (self.spec_version or "2.0"),
                )
            if len(reason.encode()) > _MAX_CLOSE_REASON:
                raise _fail(
                    number, event_type, f"'reason' is longer than {_MAX_CLOSE_REASON} UTF-8 bytes"
                )
        self.state = "closed"
