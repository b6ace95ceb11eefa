"""``WebSocket``: a typed view of an ASGI websocket connection.

The static state ``S`` of ``WebSocket[S]`` follows the connection: a fresh ``WebSocket`` is
``WebSocket[Literal[WebSocketState.NEW]]``; ``accept()`` returns the same object typed as
accepted and ``close()`` the same object typed as closed, so the type checkers reject
``read``/``write`` before ``accept``, a second ``accept`` and writes through the handle
``close()`` returned, each with one error that names the broken rule (the wrong-state
overloads of ``_typestate``). Every check also happens at run time, against a state shared by all
``WebSocket`` objects built on the same scope.
"""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Mapping
from enum import Enum
from typing import (
    Final,
    Generic,
    Literal,
    Never,
    NoReturn,
    TypeAlias,
    TypeVar,
    cast,
    final,
    overload,
)

from typing_extensions import TypeForm
from typing_extensions import TypeVar as DefaultTypeVar

from ._connection import ConnectionState, connection_state
from ._exceptions import (
    WebSocketClosedError,
    WebSocketDisconnect,
    WebSocketMessageError,
    WebSocketMessageTooLargeError,
    WebSocketStateError,
)
from ._header_encoding import HeaderInput, encode_headers
from ._json import EncHook, JSONDecodeFailure, JSONValue, decode_json, encode_json
from ._scope import spec_version
from ._typestate import typestate_implementation
from .asgi import (
    Receive,
    Send,
    WebSocketAcceptEvent,
    WebSocketCloseEvent,
    WebSocketScope,
    WebSocketSendMessageEvent,
)

__all__ = [
    "DEFAULT_MAX_JSON_MESSAGE_SIZE",
    "AcceptedWebSocket",
    "WebSocket",
    "WebSocketState",
]


class WebSocketState(Enum):
    """State of a websocket connection.

    - ``NEW``: created, the ``websocket.connect`` event not received yet.
    - ``CONNECTED``: the ``websocket.connect`` event was received, not accepted yet.
    - ``ACCEPTED``: accepted; messages can be read and written.
    - ``CLOSED``: closed by the application, or the client disconnected.
    """

    NEW = 1
    CONNECTED = 2
    ACCEPTED = 3
    CLOSED = 4


# Plain ints, as stored in ConnectionState.websocket.
_NEW: Final = 1
_CONNECTED: Final = 2
_ACCEPTED: Final = 3
_CLOSED: Final = 4
_STATES: Final = (None, *WebSocketState)

DEFAULT_MAX_JSON_MESSAGE_SIZE: Final = 1024 * 1024
"""Default ``max_size`` of ``read_json``/``iter_json``: 1 MiB of UTF-8 JSON per message."""

_T = TypeVar("_T")
S = DefaultTypeVar("S", bound=WebSocketState, covariant=True, default=Literal[WebSocketState.NEW])


def _valid_close_code(code: int) -> bool:
    # RFC 6455 7.4: 1004-1006 and 1015 are reserved and must not be sent; 1016-2999 are
    # reserved for future protocol use; 3000-4999 belong to libraries and applications.
    return 1000 <= code <= 1003 or 1007 <= code <= 1014 or 3000 <= code <= 4999


def _not_accepted(conn: ConnectionState) -> NoReturn:
    if conn.websocket == _CLOSED:
        raise WebSocketClosedError(
            "the websocket is closed; stop reading and writing once it is closed or the client left"
        )
    raise WebSocketStateError("the websocket is not accepted; call accept() before reading or writing")


def _mark_gone(conn: ConnectionState) -> None:
    conn.websocket = _CLOSED
    conn.disconnected = True


def _disconnect(conn: ConnectionState, code: object, reason: object) -> WebSocketDisconnect:
    _mark_gone(conn)
    return WebSocketDisconnect(
        code if type(code) is int else 1005,
        reason if isinstance(reason, str) and reason else None,
    )


def _peer_gone(conn: ConnectionState) -> WebSocketDisconnect:
    _mark_gone(conn)
    return WebSocketDisconnect(1006)


def _check_size(data: str | bytes, max_size: int) -> None:
    size = len(data)
    # A str has at least len() and at most 4 * len() UTF-8 bytes: encode only when that
    # range straddles the limit and the text is not ASCII (isascii() is O(1)).
    if size <= max_size < size * 4 and isinstance(data, str) and not data.isascii():
        size = len(data.encode("utf-8", "surrogatepass"))
    if size > max_size:
        raise WebSocketMessageTooLargeError(
            f"websocket message is larger than max_size={max_size} bytes; "
            "raise max_size to accept it",
            limit=max_size,
        )


def _decode(data: str | bytes, type_: TypeForm[_T] | None, max_size: int) -> _T | JSONValue:
    """Decode one message for ``read_json``/``iter_json``: every failure, whatever its kind
    (malformed, too deep, not matching ``type_``), is a ``WebSocketMessageError``."""
    _check_size(data, max_size)
    try:
        return decode_json(data, type_)
    except JSONDecodeFailure as failure:
        if failure.mismatch:
            raise WebSocketMessageError(
                f"websocket message does not match the expected type: {failure}"
            ) from None
        raise WebSocketMessageError(f"websocket message is not valid JSON: {failure}") from None


def _is_event(event: object) -> bool:
    """Whether ``receive()`` returned a mapping with a ``type`` key, as ASGI requires."""
    return isinstance(event, Mapping) and "type" in event


def _unexpected(event: object) -> WebSocketMessageError:
    """The server sent something that is not a websocket event (or no event at all)."""
    kind = cast("Mapping[str, object]", event).get("type") if isinstance(event, Mapping) else None
    return WebSocketMessageError(
        f"unexpected ASGI event {str(kind)[:64]!r} on a websocket; the server broke the protocol"
    )


def _wrong_payload(key: str, value: object) -> WebSocketMessageError:
    """A ``websocket.receive`` whose ``text`` is not a ``str`` (or ``bytes`` not ``bytes``):
    a broken server, never handed to the application as a message of the other kind."""
    wanted = "str" if key == "text" else "bytes"
    return WebSocketMessageError(
        f"websocket.receive event has {key!r} of type {type(value).__name__}, not {wanted}; "
        "the server broke the protocol"
    )


@final
class WebSocket(Generic[S]):
    """A websocket connection.

    ``S`` is the static state (``Literal[WebSocketState.X]``); a fresh ``WebSocket`` is new.
    Bind the result of ``accept()`` to a new name (``accepted = await ws.accept()``) so the
    checker knows the connection is accepted. Errors: ``WebSocketStateError`` for reading or writing before
    ``accept()`` and for a second ``accept()``; ``WebSocketClosedError`` for anything but
    ``close()`` after the connection closed; ``WebSocketDisconnect`` when the client leaves.
    """

    __slots__ = ("_conn", "_receive", "_scope", "_send")

    def __init__(self, scope: WebSocketScope, receive: Receive, send: Send) -> None:
        """Wrap the ASGI ``scope``/``receive``/``send`` of a websocket connection."""
        if cast(object, scope["type"]) != "websocket":  # untyped callers
            raise ValueError("WebSocket needs a websocket scope; use Request for HTTP scopes")
        self._scope = scope
        self._receive = receive
        self._send = send
        self._conn = connection_state(scope)

    @property
    def state(self) -> WebSocketState:
        """The run-time state, shared by every ``WebSocket`` on this scope."""
        return cast("WebSocketState", _STATES[self._conn.websocket])

    @property
    def subprotocols(self) -> list[str]:
        """The subprotocols the client offered, in its order of preference."""
        return list(self._scope.get("subprotocols", ()))

    @overload
    async def accept(
        self: WebSocket[Literal[WebSocketState.NEW, WebSocketState.CONNECTED]],
        subprotocol: str | None = None,
        headers: HeaderInput | None = None,
    ) -> WebSocket[Literal[WebSocketState.ACCEPTED]]: ...
    @overload
    async def accept(
        self: AcceptedWebSocket, *args: object, _websocket_already_accepted: Never, **kwargs: object
    ) -> WebSocket[Literal[WebSocketState.ACCEPTED]]: ...
    @overload
    async def accept(
        self: _ClosedWebSocket, *args: object, _websocket_closed: Never, **kwargs: object
    ) -> WebSocket[Literal[WebSocketState.ACCEPTED]]: ...
    @typestate_implementation
    async def accept(
        self: WebSocket[Literal[WebSocketState.NEW, WebSocketState.CONNECTED]],
        subprotocol: str | None = None,
        headers: HeaderInput | None = None,
    ) -> WebSocket[Literal[WebSocketState.ACCEPTED]]:
        """Accept the connection and return this object typed as accepted.

        Receives the ``websocket.connect`` event first if nobody did. ``subprotocol`` must be
        one the client offered (``ValueError`` otherwise). ``headers`` are validated and sent
        on ASGI spec >= 2.1; older servers cannot send them, so they are dropped with a
        ``RuntimeWarning``.

        Raises ``WebSocketStateError`` if already accepted, ``WebSocketClosedError`` if closed
        and ``WebSocketDisconnect`` if the client left before the handshake completed.
        """
        conn = self._conn
        state = conn.websocket
        if state == _ACCEPTED:
            raise WebSocketStateError("the websocket is already accepted; call accept() only once")
        if state == _CLOSED:
            _not_accepted(conn)
        if subprotocol is not None and subprotocol not in self.subprotocols:
            raise ValueError(
                f"subprotocol {subprotocol!r} was not offered by the client; "
                "choose one from WebSocket.subprotocols"
            )
        encoded = encode_headers(headers)
        if encoded and spec_version(self._scope) < (2, 1):
            warnings.warn(
                "the ASGI server implements websocket spec < 2.1 and cannot send accept() "
                "headers; they were dropped",
                RuntimeWarning,
                stacklevel=2,
            )
            encoded = []
        if state == _NEW:
            event = await self._receive()
            if not _is_event(event):  # a broken server: never let KeyError/TypeError escape
                raise _unexpected(event)
            if event["type"] == "websocket.disconnect":
                raise _disconnect(conn, event.get("code"), event.get("reason"))
            if event["type"] != "websocket.connect":
                raise _unexpected(event)
            conn.websocket = _CONNECTED
        message: WebSocketAcceptEvent = {"type": "websocket.accept"}
        if subprotocol is not None:
            message["subprotocol"] = subprotocol
        if encoded:
            message["headers"] = encoded
        try:
            await self._send(message)
        except OSError:
            raise _peer_gone(conn) from None
        conn.websocket = _ACCEPTED
        return cast("WebSocket[Literal[WebSocketState.ACCEPTED]]", self)

    @overload
    async def read(self: WebSocket[Literal[WebSocketState.ACCEPTED]]) -> str | bytes: ...
    @overload
    async def read(
        self: _UnacceptedWebSocket, *args: object, _websocket_not_accepted: Never, **kwargs: object
    ) -> str | bytes: ...
    @overload
    async def read(
        self: _ClosedWebSocket, *args: object, _websocket_closed: Never, **kwargs: object
    ) -> str | bytes: ...
    @typestate_implementation
    async def read(self: WebSocket[Literal[WebSocketState.ACCEPTED]]) -> str | bytes:
        """Wait for the next message: ``str`` for a text frame, ``bytes`` for a binary one.

        Raises ``WebSocketDisconnect`` (with the client's code and reason) when the client
        leaves; reading again after that raises ``WebSocketClosedError``.
        """
        conn = self._conn
        if conn.websocket != _ACCEPTED:
            _not_accepted(conn)
        # Locals, not self._receive(...): on CPython 3.11 calling a callable held in a slot
        # through the instance is an unspecialised method lookup on every call.
        receive = self._receive
        event = await receive()
        try:
            kind = event["type"]
        except (KeyError, TypeError):  # a broken server: never let these escape
            raise _unexpected(event) from None
        if kind == "websocket.receive":
            text = event.get("text")
            if type(text) is str:
                return text
            if text is not None:
                raise _wrong_payload("text", text)
            data = event.get("bytes")
            if type(data) is bytes:
                return data
            if data is not None:
                raise _wrong_payload("bytes", data)
            raise WebSocketMessageError("websocket.receive event carries neither text nor bytes")
        if kind == "websocket.disconnect":
            raise _disconnect(conn, event.get("code"), event.get("reason"))
        raise _unexpected(event)

    @overload
    def iter(self: WebSocket[Literal[WebSocketState.ACCEPTED]]) -> AsyncIterator[str | bytes]: ...
    @overload
    def iter(
        self: _UnacceptedWebSocket, *args: object, _websocket_not_accepted: Never, **kwargs: object
    ) -> AsyncIterator[str | bytes]: ...
    @overload
    def iter(
        self: _ClosedWebSocket, *args: object, _websocket_closed: Never, **kwargs: object
    ) -> AsyncIterator[str | bytes]: ...
    @typestate_implementation
    def iter(self: WebSocket[Literal[WebSocketState.ACCEPTED]]) -> AsyncIterator[str | bytes]:
        """Iterate over messages until the client leaves or the websocket is closed.

        The iteration ends quietly on disconnect; the close code is not reported (use
        ``read()`` to get it).
        """
        conn = self._conn
        if conn.websocket != _ACCEPTED:
            _not_accepted(conn)
        return self._messages()

    async def _messages(self) -> AsyncIterator[str | bytes]:
        conn = self._conn
        receive = self._receive
        while conn.websocket == _ACCEPTED:
            event = await receive()
            try:
                kind = event["type"]
            except (KeyError, TypeError):  # a broken server: never let these escape
                raise _unexpected(event) from None
            if kind == "websocket.receive":
                text = event.get("text")
                if type(text) is str:
                    yield text
                    continue
                if text is not None:
                    raise _wrong_payload("text", text)
                data = event.get("bytes")
                if type(data) is bytes:
                    yield data
                    continue
                if data is not None:
                    raise _wrong_payload("bytes", data)
                raise WebSocketMessageError("websocket.receive event carries neither text nor bytes")
            if kind == "websocket.disconnect":
                _mark_gone(conn)
                return
            raise _unexpected(event)

    @overload
    async def read_json(
        self: WebSocket[Literal[WebSocketState.ACCEPTED]],
        *,
        max_size: int = DEFAULT_MAX_JSON_MESSAGE_SIZE,
    ) -> JSONValue: ...

    @overload
    async def read_json(
        self: WebSocket[Literal[WebSocketState.ACCEPTED]],
        type: TypeForm[_T],
        *,
        max_size: int = DEFAULT_MAX_JSON_MESSAGE_SIZE,
    ) -> _T: ...

    @overload
    async def read_json(
        self: _UnacceptedWebSocket, *args: object, _websocket_not_accepted: Never, **kwargs: object
    ) -> JSONValue: ...
    @overload
    async def read_json(
        self: _ClosedWebSocket, *args: object, _websocket_closed: Never, **kwargs: object
    ) -> JSONValue: ...
    @typestate_implementation
    async def read_json(
        self: WebSocket[Literal[WebSocketState.ACCEPTED]],
        type: TypeForm[_T] | None = None,
        *,
        max_size: int = DEFAULT_MAX_JSON_MESSAGE_SIZE,
    ) -> _T | JSONValue:
        """Read the next message as JSON, validated into ``type`` if given (msgspec).

        ``type`` is any type form msgspec decodes (``Item``, ``Item | None``, ``list[Item]``,
        ``Annotated[int, Meta(ge=0)]``, ``Literal["a", "b"]``...) and the result is typed
        exactly as ``type``. Text and binary frames are both accepted (binary as UTF-8 JSON).
        Raises ``WebSocketMessageTooLargeError`` for a message over ``max_size`` bytes and
        ``WebSocketMessageError`` for every other decode failure: malformed JSON, invalid
        UTF-8, nesting too deep to decode, or a value not matching ``type``.
        """
        return _decode(await self.read(), type, max_size)

    @overload
    def iter_json(
        self: WebSocket[Literal[WebSocketState.ACCEPTED]],
        *,
        max_size: int = DEFAULT_MAX_JSON_MESSAGE_SIZE,
    ) -> AsyncIterator[JSONValue]: ...

    @overload
    def iter_json(
        self: WebSocket[Literal[WebSocketState.ACCEPTED]],
        type: TypeForm[_T],
        *,
        max_size: int = DEFAULT_MAX_JSON_MESSAGE_SIZE,
    ) -> AsyncIterator[_T]: ...

    @overload
    def iter_json(
        self: _UnacceptedWebSocket, *args: object, _websocket_not_accepted: Never, **kwargs: object
    ) -> AsyncIterator[JSONValue]: ...
    @overload
    def iter_json(
        self: _ClosedWebSocket, *args: object, _websocket_closed: Never, **kwargs: object
    ) -> AsyncIterator[JSONValue]: ...
    @typestate_implementation
    def iter_json(
        self: WebSocket[Literal[WebSocketState.ACCEPTED]],
        type: TypeForm[_T] | None = None,
        *,
        max_size: int = DEFAULT_MAX_JSON_MESSAGE_SIZE,
    ) -> AsyncIterator[_T | JSONValue]:
        """Iterate over messages decoded like ``read_json``; ends quietly on disconnect.

        A malformed or oversized message raises from the iteration (and ends it).
        """
        return self._json_messages(self.iter(), type, max_size)

    @staticmethod
    async def _json_messages(
        messages: AsyncIterator[str | bytes], type_: TypeForm[_T] | None, max_size: int
    ) -> AsyncIterator[_T | JSONValue]:
        async for data in messages:
            yield _decode(data, type_, max_size)

    @overload
    async def write(
        self: WebSocket[Literal[WebSocketState.ACCEPTED]], data: str | bytes
    ) -> None: ...
    @overload
    async def write(
        self: _UnacceptedWebSocket, *args: object, _websocket_not_accepted: Never, **kwargs: object
    ) -> None: ...
    @overload
    async def write(
        self: _ClosedWebSocket, *args: object, _websocket_closed: Never, **kwargs: object
    ) -> None: ...
    @typestate_implementation
    async def write(self: WebSocket[Literal[WebSocketState.ACCEPTED]], data: str | bytes) -> None:
        """Send ``data``: a text frame for ``str``, a binary frame for ``bytes``.

        Raises ``WebSocketDisconnect(1006)`` if the server reports the client gone (ASGI spec
        >= 2.4 servers raise ``OSError`` from ``send``); the websocket is closed afterwards.
        """
        conn = self._conn
        if conn.websocket != _ACCEPTED:
            _not_accepted(conn)
        message: WebSocketSendMessageEvent
        if type(data) is str:
            message = {"type": "websocket.send", "text": data}
        elif isinstance(data, bytes):
            message = {"type": "websocket.send", "bytes": data}
        elif isinstance(cast(object, data), str):
            message = {"type": "websocket.send", "text": data}
        else:
            raise TypeError(f"write() takes str or bytes, not {type(data).__name__}")
        send = self._send  # a local: see read()
        try:
            await send(message)
        except OSError:
            raise _peer_gone(conn) from None

    @overload
    async def write_json(
        self: WebSocket[Literal[WebSocketState.ACCEPTED]],
        data: object,
        *,
        enc_hook: EncHook | None = None,
    ) -> None: ...
    @overload
    async def write_json(
        self: _UnacceptedWebSocket, *args: object, _websocket_not_accepted: Never, **kwargs: object
    ) -> None: ...
    @overload
    async def write_json(
        self: _ClosedWebSocket, *args: object, _websocket_closed: Never, **kwargs: object
    ) -> None: ...
    @typestate_implementation
    async def write_json(
        self: WebSocket[Literal[WebSocketState.ACCEPTED]],
        data: object,
        *,
        enc_hook: EncHook | None = None,
    ) -> None:
        """Send ``data`` as compact JSON in a text frame (msgspec; ``enc_hook`` converts
        unsupported objects). Unsupported objects raise ``TypeError`` and values nested too
        deeply (or cyclic) raise ``ValueError``, both before anything is sent.
        """
        await self.write(encode_json(data, enc_hook).decode("utf-8"))

    @overload
    async def close(
        self: WebSocket[
            Literal[WebSocketState.NEW, WebSocketState.CONNECTED, WebSocketState.ACCEPTED]
        ],
        code: int = 1000,
        reason: str | None = None,
    ) -> WebSocket[Literal[WebSocketState.CLOSED]]: ...
    @overload
    async def close(
        self: _ClosedWebSocket, *args: object, _websocket_closed: Never, **kwargs: object
    ) -> WebSocket[Literal[WebSocketState.CLOSED]]: ...
    @typestate_implementation
    async def close(
        self: WebSocket[
            Literal[WebSocketState.NEW, WebSocketState.CONNECTED, WebSocketState.ACCEPTED]
        ],
        code: int = 1000,
        reason: str | None = None,
    ) -> WebSocket[Literal[WebSocketState.CLOSED]]:
        """Close the connection and return this object typed as closed.

        Before ``accept()`` this rejects the handshake (servers answer HTTP 403). Does nothing
        if already closed or if the client left. ``code`` must be a code an endpoint may send
        (1000-1003, 1007-1014, 3000-4999) and ``reason`` at most 123 UTF-8 bytes, else
        ``ValueError``; ``reason`` is only sent to servers implementing ASGI spec >= 2.3.
        Daphne's websocket library refuses codes other than 1000 and 3000-4999 (its ``send``
        raises and it closes with 1011).
        """
        if type(code) is not int:
            raise TypeError(f"close code must be an int, not {type(code).__name__}")
        if not _valid_close_code(code):
            raise ValueError(
                f"invalid close code {code}: use 1000-1003, 1007-1014 or 3000-4999 "
                "(1004-1006 and 1015 are reserved)"
            )
        if reason is not None:
            if not isinstance(cast(object, reason), str):
                raise TypeError(f"close reason must be a str, not {type(reason).__name__}")
            try:
                too_long = len(reason) > 123 or len(reason.encode("utf-8")) > 123
            except UnicodeEncodeError:
                raise ValueError("close reason is not valid Unicode text (lone surrogate)") from None
            if too_long:
                raise ValueError("close reason is longer than 123 UTF-8 bytes; shorten it")
        conn = self._conn
        closed = cast("WebSocket[Literal[WebSocketState.CLOSED]]", self)
        if conn.websocket == _CLOSED:
            return closed
        message: WebSocketCloseEvent = {"type": "websocket.close", "code": code}
        if reason and spec_version(self._scope) >= (2, 3):
            message["reason"] = reason
        conn.websocket = _CLOSED
        try:
            await self._send(message)
        except OSError:
            conn.disconnected = True
        return closed


AcceptedWebSocket: TypeAlias = WebSocket[Literal[WebSocketState.ACCEPTED]]
"""A ``WebSocket`` after ``accept()``: for annotating helpers that read and write."""

_UnacceptedWebSocket: TypeAlias = WebSocket[Literal[WebSocketState.NEW, WebSocketState.CONNECTED]]
"""A ``WebSocket`` not accepted yet: the receiver of the overloads that reject reading and
writing before ``accept()`` (see ``_typestate``)."""

_ClosedWebSocket: TypeAlias = WebSocket[Literal[WebSocketState.CLOSED]]
"""A ``WebSocket`` after ``close()``: the receiver of the overloads that reject every call
but ``close()`` on it (see ``_typestate``)."""
