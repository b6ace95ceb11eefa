"""The one-shot response: a complete body answered in exactly two events. The hot path.

Every ``respond_bytes``/``respond_text``/``respond_json``/``respond_empty``/``redirect``/
``redirect_post_get``, on ``Request`` and on ``Response``, reaches ``complete_response``: it
checks the move (see ``_lifecycle``), answers the request's preconditions when the response
has validators (``etag=``/``last_modified=``), builds the header list, records the response
as ended and returns the two events to send. It is a plain function, not a coroutine, so that
``Request.respond_*`` (coroutine functions themselves) run it and send its events in their own
frame: an extra coroutine per request costs more than all the checks. ``respond_complete`` is
the same for callers that are happy to await one more frame.

The common case gets a lean path: a plain HTTP response without validators, extra headers or
cookies, on a connection where nothing was started (at most the body was read). Its status is
turned into a plain int by a table lookup instead of ``check_start``, and when no
``ConnectionState`` exists yet only the status is stored in the scope (``connection_state``
expands it on demand). Everything else takes ``_general``, with the checks of
``Response.start``.
"""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus
from typing import Final

from ._connection import (
    RESPONSE_ENDED,
    RESPONSE_NOT_STARTED,
    STATE_KEY,
    ConnectionState,
    connection_state,
    store_state,
    stored_state,
)
from ._cookies import Cookies
from ._header_encoding import HeaderInput
from ._lifecycle import WEBSOCKET_CLOSED, check_start, client_gone
from ._preconditions import (
    entity_tag,
    evaluate_preconditions,
    http_timestamp,
    request_conditions,
    validator_headers,
)
from ._response_headers import (
    CONTENT_LENGTH,
    CONTENT_TYPE,
    LENGTH_HEADERS,
    STATUS_CODES,
    add_headers,
    not_modified_headers,
)
from .asgi import HTTPScope, Send, SendEvent, WebSocketScope

__all__ = ["complete_response", "respond_complete"]

_OK: Final = HTTPStatus.OK  # looked up once: reading an enum member costs ~190 ns


def complete_response(
    scope: HTTPScope | WebSocketScope,
    status: HTTPStatus | int,
    body: bytes,
    content_type: bytes | None,
    headers: HeaderInput | None,
    cookies: Cookies | None,
    etag: str | None = None,
    weak_etag: bool = False,
    last_modified: datetime | float | None = None,
    extra: tuple[bytes, bytes] | None = None,
) -> tuple[SendEvent, SendEvent]:
    """Check and record a complete response; return its start and body events.

    ``extra`` is one more header asgikit sets (``location``). 204 and 304 carry no
    ``content-length`` and no body; ``HEAD`` gets the ``content-length`` and no body.
    ``etag`` (unquoted, ``W/`` if ``weak_etag``) and ``last_modified`` are sent as validators,
    after the request's preconditions are answered (``_conditional``).
    """
    found = stored_state(scope, STATE_KEY)
    if (
        headers is None
        and cookies is None
        and extra is None
        and etag is None
        and last_modified is None
        and scope["type"] == "http"
        and (
            found is None
            or (type(found) is ConnectionState and found.response == RESPONSE_NOT_STARTED)
        )
    ):
        # What check_start verifies, known here without it: the move is legal, and the table
        # holds exactly the valid statuses (an invalid one goes to _general, which raises).
        code = 200 if status is _OK else STATUS_CODES.get(status)
        if code is not None and code != 204 and code != 304:
            # The same list as _general's. Kept inline: a shared builder is one call more on
            # every request (~500 instructions), and folding both paths into one function
            # made this one ~800 instructions slower (measured): its tests run on every request.
            length = len(body)
            length_header = (
                LENGTH_HEADERS[length] if length < 1024 else (CONTENT_LENGTH, b"%d" % length)
            )
            if content_type is None:
                raw = [length_header]
            else:
                raw = [(CONTENT_TYPE, content_type), length_header]
            if scope["method"] == "HEAD":
                body = b""
            if found is None:
                store_state(scope, STATE_KEY, code)
            else:
                found.response = RESPONSE_ENDED
                found.response_status = code
            return (
                {"type": "http.response.start", "status": code, "headers": raw},
                {"type": "http.response.body", "body": body},
            )
    validators = None
    if etag is not None or last_modified is not None:
        status, body, content_type, headers, cookies, validators = _conditional(
            scope, status, body, content_type, headers, cookies, etag, weak_etag, last_modified
        )
    return _general(scope, status, body, content_type, headers, cookies, extra, validators)


def _general(
    scope: HTTPScope | WebSocketScope,
    status: HTTPStatus | int,
    body: bytes,
    content_type: bytes | None,
    headers: HeaderInput | None,
    cookies: Cookies | None,
    extra: tuple[bytes, bytes] | None,
    validators: list[tuple[bytes, bytes]] | None,
) -> tuple[SendEvent, SendEvent]:
    """Everything but the common case, with ``check_start``'s checks: headers, cookies,
    204/304, a started connection (which raises), websocket denial responses, ``validators``
    (``etag``/``last-modified``)."""
    state = connection_state(scope)
    code = check_start(scope, state, status)
    if code == 204 or code == 304:
        raw = [] if content_type is None else [(CONTENT_TYPE, content_type)]
        body = b""
    else:
        length = len(body)
        length_header = (
            LENGTH_HEADERS[length] if length < 1024 else (CONTENT_LENGTH, b"%d" % length)
        )
        if content_type is None:
            raw = [length_header]
        else:
            raw = [(CONTENT_TYPE, content_type), length_header]
        if scope["type"] == "http" and scope["method"] == "HEAD":
            body = b""
    if extra is not None:
        raw.append(extra)
    if validators:
        raw += validators
    if headers or cookies:
        raw = add_headers(raw, headers, cookies)
    state.response = RESPONSE_ENDED
    state.response_status = code
    if scope["type"] != "http":
        state.websocket = WEBSOCKET_CLOSED
        return (
            {"type": "websocket.http.response.start", "status": code, "headers": raw},
            {"type": "websocket.http.response.body", "body": body},
        )
    return (
        {"type": "http.response.start", "status": code, "headers": raw},
        {"type": "http.response.body", "body": body},
    )


def _conditional(
    scope: HTTPScope | WebSocketScope,
    status: HTTPStatus | int,
    body: bytes,
    content_type: bytes | None,
    headers: HeaderInput | None,
    cookies: Cookies | None,
    etag: str | None,
    weak_etag: bool,
    last_modified: datetime | float | None,
) -> tuple[
    HTTPStatus | int,
    bytes,
    bytes | None,
    HeaderInput | None,
    Cookies | None,
    list[tuple[bytes, bytes]] | None,
]:
    """The response to send instead, for a response with validators: ``(status, body,
    content_type, headers, cookies, validators)``, the preconditions of the request answered
    (``_preconditions.evaluate_preconditions``) for 2xx statuses of HTTP requests.

    The response carries ``etag`` and ``last-modified``. A 304 carries the validators, the
    user headers a 304 keeps (``NOT_MODIFIED_KEEPS``) and the cookies; a 412 carries only
    ``content-length: 0``. Other statuses are sent as they are, with the validators.
    """
    tag = None if etag is None else entity_tag(etag, weak_etag)
    modified = None if last_modified is None else http_timestamp(last_modified)
    validators = validator_headers(tag, modified)
    code = STATUS_CODES.get(status)  # an invalid status raises later, in check_start
    if code is not None and code < 300 and scope["type"] == "http":
        conditions = request_conditions(scope["headers"])
        outcome = (
            evaluate_preconditions(scope["method"], conditions, tag, modified)
            if conditions
            else None
        )
        if outcome == 304:
            kept = not_modified_headers(validators, headers, cookies)
            return 304, b"", None, None, None, kept
        if outcome == 412:
            return 412, b"", None, None, None, None
    return status, body, content_type, headers, cookies, validators


async def respond_complete(
    scope: HTTPScope | WebSocketScope,
    send: Send,
    status: HTTPStatus | int,
    body: bytes,
    content_type: bytes | None,
    headers: HeaderInput | None = None,
    cookies: Cookies | None = None,
    etag: str | None = None,
    weak_etag: bool = False,
    last_modified: datetime | float | None = None,
    extra: tuple[bytes, bytes] | None = None,
) -> None:
    """``complete_response``, then send both events.

    Raises ``ClientDisconnectError`` if ``send`` fails with ``OSError``."""
    start, last = complete_response(
        scope, status, body, content_type, headers, cookies, etag, weak_etag, last_modified, extra
    )
    try:
        await send(start)
        await send(last)
    except OSError as exc:
        raise client_gone(scope, connection_state(scope), exc) from exc
