"""The floor: hand-written ASGI apps, msgspec for JSON, ``urllib.parse.parse_qsl`` for forms,
and python-multipart's ``MultipartParser`` driven by hand into a ``SpooledTemporaryFile``
(written on the loop while it stays in memory; once it would roll over to disk, every write
goes to a worker thread, batched to about 1 MiB per ``run_in_executor`` call, so the event
loop never blocks on disk I/O, as any server-side app must guarantee).

They do per request what a careful hand-written app would: encode the body, compute the
``Content-Length``, build the header list. Nothing is validated beyond what the case needs.
"""

from __future__ import annotations

import asyncio
from tempfile import SpooledTemporaryFile
from typing import TYPE_CHECKING, Final, cast
from urllib.parse import parse_qsl

import msgspec
from python_multipart import MultipartParser

if TYPE_CHECKING:  # the asgikit 0.18.2 worker imports this module too
    from asgikit.asgi import HTTPRequestEvent, Receive, Send

from .cases import (
    FORM_FIELD,
    HELLO_JSON,
    HELLO_TEXT,
    MULTIPART_BOUNDARY,
    SPOOL_MAX_SIZE,
    STREAM_CHUNKS,
    App,
    ConnectionScope,
)

__all__ = ["APPS", "read_body"]

_TEXT: Final = b"text/plain; charset=utf-8"
_JSON: Final = b"application/json"
_ENCODER: Final = msgspec.json.Encoder()
_DECODER: Final[msgspec.json.Decoder[object]] = msgspec.json.Decoder()


async def _respond(send: Send, content_type: bytes, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def read_body(receive: Receive) -> bytes:
    """The whole request body (events without ``body``/``more_body`` mean empty/last)."""
    event = cast("HTTPRequestEvent", await receive())
    body = event.get("body", b"")
    if not event.get("more_body", False):
        return body
    parts = [body]
    while True:
        event = cast("HTTPRequestEvent", await receive())
        parts.append(event.get("body", b""))
        if not event.get("more_body", False):
            return b"".join(parts)


async def plaintext(scope: ConnectionScope, receive: Receive, send: Send) -> None:
    """``Hello, World!`` as text/plain."""
    await _respond(send, _TEXT, HELLO_TEXT.encode())


async def small_json(scope: ConnectionScope, receive: Receive, send: Send) -> None:
    """``{"message":"Hello, World!"}``."""
    await _respond(send, _JSON, _ENCODER.encode(HELLO_JSON))


async def echo_json(scope: ConnectionScope, receive: Receive, send: Send) -> None:
    """Decode the JSON body and answer it re-encoded."""
    document = _DECODER.decode(await read_body(receive))
    await _respond(send, _JSON, _ENCODER.encode(document))


async def form_urlencoded(scope: ConnectionScope, receive: Receive, send: Send) -> None:
    """Parse the urlencoded body with ``parse_qsl`` and answer one field's value."""
    text = (await read_body(receive)).decode("latin-1")
    form = dict(parse_qsl(text, keep_blank_values=True))
    await _respond(send, _TEXT, form[FORM_FIELD].encode())


_WRITE_BATCH: Final = 1024 * 1024
"""Disk writes are handed to a worker thread once they add up to this many bytes."""


def _write_all(writes: list[tuple[SpooledTemporaryFile[bytes], memoryview]]) -> None:
    for file, data in writes:
        file.write(data)


class _MultipartSink:
    """Callbacks for a hand-driven ``MultipartParser``: fields into bytes, files into a spool
    (writes that would reach the disk are queued in ``pending`` for a worker thread)."""

    __slots__ = (
        "current_file",
        "current_name",
        "current_size",
        "fields",
        "files",
        "header_value",
        "pending",
        "pending_bytes",
        "value",
    )

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.files: dict[str, tuple[str, SpooledTemporaryFile[bytes]]] = {}
        self.header_value = bytearray()
        self.value = bytearray()
        self.current_name = ""
        self.current_file: SpooledTemporaryFile[bytes] | None = None
        self.current_size = 0
        self.pending: list[tuple[SpooledTemporaryFile[bytes], memoryview]] = []
        self.pending_bytes = 0

    def on_part_begin(self) -> None:
        self.current_file = None
        self.current_size = 0
        self.value.clear()

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        header = bytes(self.header_value)
        self.header_value.clear()
        if not header.startswith(b"form-data;"):
            return
        params = dict(
            part.strip().split(b"=", 1) for part in header[10:].split(b";") if b"=" in part
        )
        self.current_name = params[b"name"].strip(b'"').decode()
        filename = params.get(b"filename")
        if filename is not None:
            self.current_file = SpooledTemporaryFile(max_size=SPOOL_MAX_SIZE)  # noqa: SIM115 - closed by the app
            self.files[self.current_name] = (filename.strip(b'"').decode(), self.current_file)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        file = self.current_file
        if file is None:
            self.value += data[start:end]
            return
        self.current_size += end - start
        if self.current_size > SPOOL_MAX_SIZE:  # this write and every later one reach the disk
            self.pending.append((file, memoryview(data)[start:end]))
            self.pending_bytes += end - start
        else:
            file.write(data[start:end])

    def on_part_end(self) -> None:
        if self.current_file is None:
            self.fields[self.current_name] = self.value.decode()

    async def flush(self) -> None:
        """Run the queued disk writes in a worker thread."""
        pending = self.pending
        self.pending = []
        self.pending_bytes = 0
        await asyncio.get_running_loop().run_in_executor(None, _write_all, pending)


_BOUNDARY: Final = MULTIPART_BOUNDARY.encode("ascii")


async def multipart(scope: ConnectionScope, receive: Receive, send: Send) -> None:
    """Drive ``MultipartParser`` chunk by chunk; answer ``name:filename:size``."""
    sink = _MultipartSink()
    parser = MultipartParser(
        _BOUNDARY,
        {
            "on_part_begin": sink.on_part_begin,
            "on_header_value": sink.on_header_value,
            "on_header_end": sink.on_header_end,
            "on_part_data": sink.on_part_data,
            "on_part_end": sink.on_part_end,
        },
    )
    while True:
        event = cast("HTTPRequestEvent", await receive())
        parser.write(event.get("body", b""))
        if sink.pending_bytes >= _WRITE_BATCH:
            await sink.flush()
        if not event.get("more_body", False):
            break
    parser.finalize()
    if sink.pending:
        await sink.flush()
    filename, file = sink.files["upload"]
    size = file.tell()
    file.close()
    await _respond(send, _TEXT, f"{sink.fields['name']}:{filename}:{size}".encode())


async def stream(scope: ConnectionScope, receive: Receive, send: Send) -> None:
    """Ten 1 KiB chunks, then an empty last body event."""
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-type", _TEXT)]}
    )
    for chunk in STREAM_CHUNKS:
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


async def websocket_echo(scope: ConnectionScope, receive: Receive, send: Send) -> None:
    """Accept, then send every message back until the client disconnects."""
    await receive()
    await send({"type": "websocket.accept"})
    while True:
        event = await receive()
        if event["type"] == "websocket.receive":
            text = event.get("text")
            if text is not None:
                await send({"type": "websocket.send", "text": text})
            else:
                await send({"type": "websocket.send", "bytes": event.get("bytes")})
        elif event["type"] == "websocket.disconnect":
            return


APPS: Final[dict[str, App]] = {
    "plaintext": plaintext,
    "json": small_json,
    "echo_json": echo_json,
    "form_20": form_urlencoded,
    "multipart_1m": multipart,
    "multipart_50m": multipart,
    "stream": stream,
    "websocket": websocket_echo,
}
"""Raw ASGI app of every case."""
