"""Sending a file as a response, following the plan ``_files.plan_file_response`` makes.

The file is opened (off the event loop) before anything is sent, so a missing file can still
be answered with 404. The bytes always come from that descriptor, never from the path again
(see ``_files``): each planned segment is sent with ``http.response.zerocopysend`` when the
server offers it, or read in ``CHUNK_SIZE`` pieces in a worker thread and written as body
chunks; ``http.response.pathsend`` is not used. If
sending fails half way the response is left unfinished, so the server aborts the connection
and the client sees the truncation.
"""

from __future__ import annotations

from http import HTTPStatus
from os import PathLike

from ._connection import ConnectionState, connection_state
from ._cookies import Cookies
from ._disconnect import UNDECIDED, stop_listener, watch_step
from ._files import (
    CHUNK_SIZE,
    OpenedFile,
    content_disposition,
    guess_media_type,
    open_file,
    plan_file_response,
)
from ._header_encoding import HeaderInput, encode_header_value
from ._lifecycle import check_start, check_writable, client_gone, send_start
from ._response_headers import CONTENT_LENGTH, add_headers, content_type_value, length_value
from ._scope import extensions
from ._streaming import finish_body, write_chunk
from .asgi import HTTPScope, Receive, Send, WebSocketScope

__all__ = ["respond_file"]


async def respond_file(
    scope: HTTPScope | WebSocketScope,
    receive: Receive,
    send: Send,
    path: str | PathLike[str],
    *,
    status: HTTPStatus | int,
    media_type: str | None,
    headers: HeaderInput | None,
    cookies: Cookies | None,
    filename: str | None,
) -> None:
    """Respond with the file at ``path`` (see ``Response.respond_file`` for the behaviour)."""
    state = connection_state(scope)
    check_start(scope, state, status)
    if status == 204 or status == 304:
        raise ValueError(
            f"respond_file cannot answer {int(status)}: that status has no body; "
            "use respond_empty()"
        )
    opened = await open_file(path)
    try:
        code = check_start(scope, state, status)  # again: another task may have responded meanwhile
        type_header = content_type_value(
            media_type if media_type is not None else guess_media_type(path), "utf-8"
        )
        disposition = None
        if filename is not None:
            disposition = encode_header_value(
                content_disposition(filename), name="content-disposition"
            )
        method = scope["method"] if scope["type"] == "http" else ""
        plan = plan_file_response(
            opened,
            method=method,
            request_headers=scope["headers"],
            status=code,
            content_type=type_header,
            disposition=disposition,
        )
        raw = plan.headers
        if plan.status != 304:
            raw.append((CONTENT_LENGTH, length_value(plan.content_length)))
        await send_start(scope, send, state, plan.status, add_headers(raw, headers, cookies))
        if method == "HEAD" or not plan.segments:
            await finish_body(scope, send, state)
            return
        await _send_segments(scope, receive, send, state, opened, plan.segments)
    except BaseException:
        stop_listener(scope)
        raise
    finally:
        opened.close()


async def _send_segments(
    scope: HTTPScope | WebSocketScope,
    receive: Receive,
    send: Send,
    state: ConnectionState,
    opened: OpenedFile,
    segments: list[bytes | tuple[int, int]],
) -> None:
    """Send the planned segments (literal bytes, or ``(start, stop)`` ranges of the file); the
    last chunk ends the response."""
    zerocopy = scope["type"] == "http" and "http.response.zerocopysend" in extensions(scope)
    watch_at = UNDECIDED
    pending = b""  # held back so the last chunk can carry more_body=False
    for segment in segments:
        if isinstance(segment, bytes):
            if pending:
                watch_at = await write_chunk(scope, receive, send, state, pending, True, watch_at)
            pending = segment
            continue
        start, stop = segment
        if zerocopy:
            if pending:
                watch_at = await write_chunk(scope, receive, send, state, pending, True, watch_at)
                pending = b""
            check_writable(state)
            watch_at = watch_step(scope, receive, state, watch_at)
            try:
                await send(
                    {
                        "type": "http.response.zerocopysend",
                        "file": opened,
                        "offset": start,
                        "count": stop - start,
                        "more_body": True,
                    }
                )
            except OSError as exc:
                raise client_gone(scope, state, exc) from exc
            continue
        while start < stop:
            chunk = await opened.read(start, min(CHUNK_SIZE, stop - start))
            if not chunk:
                raise OSError(f"{opened.path} shrank while it was being sent")
            start += len(chunk)
            if pending:
                watch_at = await write_chunk(scope, receive, send, state, pending, True, watch_at)
            pending = chunk
    await write_chunk(scope, receive, send, state, pending, False, watch_at)
