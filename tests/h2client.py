"""A minimal HTTP/2 cleartext (prior knowledge) client on the ``h2`` library, for tests.

httpx speaks HTTP/2 too, but hides what these tests must see: ``103`` informational
responses, trailers, and the exact moment each DATA frame arrives. ``h2_request`` sends one
request on a fresh connection and records everything the server sent on its stream.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

import h2.config
import h2.connection
import h2.events

__all__ = ["H2Response", "h2_request"]

Header = tuple[bytes, bytes]


@dataclass
class H2Response:
    """What arrived on one HTTP/2 stream, in order."""

    informational: list[list[Header]] = field(default_factory=list[list[Header]])
    """Header blocks of 1xx responses (``103 Early Hints``), before the final response."""
    headers: list[Header] = field(default_factory=list[Header])
    """The final response's header block (``:status`` first)."""
    chunks: list[bytes] = field(default_factory=list[bytes])
    """The body, one entry per DATA frame received."""
    trailers: list[Header] | None = None
    """The trailer block, if the server sent one."""
    ended: bool = False
    """Whether the stream ended normally (END_STREAM), not by reset or by us leaving."""

    @property
    def status(self) -> int:
        """The final status code."""
        return int(dict(self.headers)[b":status"])

    @property
    def body(self) -> bytes:
        """The whole body received."""
        return b"".join(self.chunks)

    def header(self, name: bytes) -> bytes | None:
        """The first value of ``name`` in the final header block."""
        return dict(self.headers).get(name)


def _record(event: h2.events.Event, response: H2Response) -> None:
    """Add one stream event to ``response``."""
    match event:
        case h2.events.InformationalResponseReceived():
            response.informational.append(list(event.headers or []))
        case h2.events.ResponseReceived():
            response.headers = list(event.headers or [])
        case h2.events.DataReceived():
            response.chunks.append(event.data or b"")
        case h2.events.TrailersReceived():
            response.trailers = list(event.headers or [])
        case h2.events.StreamEnded():
            response.ended = True
        case h2.events.StreamReset():
            raise ConnectionError(f"the server reset the stream (error code {event.error_code})")
        case _:
            pass


async def h2_request(
    url: str,
    path: str,
    *,
    headers: Sequence[Header] = (),
    method: bytes = b"GET",
    stop_after: int | None = None,
    timeout: float = 15.0,
) -> H2Response:
    """Send ``method path`` over HTTP/2 to ``url`` (``http://host:port``) and read the reply.

    With ``stop_after``, the connection is closed once that many body bytes arrived (a client
    that leaves mid-stream); otherwise the whole stream is read.
    """
    host, _, port = url.removeprefix("http://").partition(":")
    connection = h2.connection.H2Connection(
        config=h2.config.H2Configuration(client_side=True, header_encoding=None)
    )
    response = H2Response()
    async with asyncio.timeout(timeout):
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            connection.initiate_connection()
            stream_id = connection.get_next_available_stream_id()
            request_headers = [
                (b":method", method),
                (b":path", path.encode()),
                (b":scheme", b"http"),
                (b":authority", f"{host}:{port}".encode()),
                *headers,
            ]
            connection.send_headers(stream_id, request_headers, end_stream=True)
            writer.write(connection.data_to_send())
            await writer.drain()
            while not response.ended:
                if stop_after is not None and len(response.body) >= stop_after:
                    break
                data = await reader.read(65536)
                if not data:
                    raise ConnectionError("the server closed the connection mid-stream")
                for event in connection.receive_data(data):
                    if getattr(event, "stream_id", stream_id) != stream_id:
                        continue
                    if isinstance(event, h2.events.DataReceived):
                        connection.acknowledge_received_data(
                            event.flow_controlled_length or 0, stream_id
                        )
                    _record(event, response)
                writer.write(connection.data_to_send())
                await writer.drain()
        finally:
            writer.close()
            await writer.wait_closed()
    return response
