"""Apps driven through uvicorn's own HTTP protocol, in process: no sockets, no load generator.

Run ``.venv/bin/python -m benchmarks.uvicorn_driven`` (about 1 minute). Each request is
parsed by uvicorn's ``HttpToolsProtocol`` from raw bytes (the ``wrk`` requests of
``benchmarks.server``), runs as uvicorn runs it (a task per request, uvicorn's ``receive``
and ``send``, the garbage collector on), and its response is serialised into a transport that
keeps nothing. It sits between the two other suites: the in-process suite times the apps alone
with a tiny working set; the server suite adds sockets and a load generator, and its figures
move with everything else on the machine. Here, the server's own per-request work and memory
traffic surround each app as they do under a real uvicorn, with CPU time of this process
as the clock.

Implementations are interleaved batch by batch; the figure is the median batch, "vs raw" the
median of the paired ratios (``--rounds``, ``--requests`` override the defaults).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
from collections.abc import Sequence
from time import process_time_ns
from typing import Final, final

import msgspec
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from asgikit.asgi import ASGIApp

from . import server_apps
from .cases import ECHO_DOCUMENT, load_apps

__all__ = ["REQUESTS", "SinkTransport", "main", "measure"]

_ECHO_BODY: Final = msgspec.json.encode(ECHO_DOCUMENT)

REQUESTS: Final[dict[str, bytes]] = {
    "plaintext": b"GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n\r\n",
    "json": b"GET /json HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n\r\n",
    "echo": (
        b"POST /echo HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(_ECHO_BODY)
    )
    + _ECHO_BODY,
}
"""The raw requests ``wrk`` sends in ``benchmarks.server``, by case."""


@final
class SinkTransport(asyncio.Transport):
    """A transport that drops what uvicorn writes and calls ``on_response`` after every
    second write (uvicorn writes the head, then the body, of each of these responses)."""

    def __init__(self) -> None:
        super().__init__()
        self.on_response: asyncio.Future[None] | None = None
        self._writes = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Drop ``data``; complete ``on_response`` once the response's body is written."""
        self._writes += 1
        if self._writes % 2 == 0 and self.on_response is not None:
            self.on_response.set_result(None)

    def get_extra_info(self, name: str, default: object = None) -> object:
        """Peer and socket addresses of a loopback connection."""
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(
            name, default
        )

    def is_closing(self) -> bool:
        """Never closing."""
        return False

    def pause_reading(self) -> None:
        """Nothing to pause."""

    def resume_reading(self) -> None:
        """Nothing to resume."""

    def close(self) -> None:
        """Nothing to close."""

    def get_write_buffer_size(self) -> int:
        """Everything written is gone already."""
        return 0


async def _batch(app: ASGIApp, request: bytes, count: int) -> int:
    """CPU ns for ``count`` keep-alive requests on one connection."""
    loop = asyncio.get_running_loop()
    config = Config(app=app, lifespan="off", access_log=False, http="httptools")
    config.load()
    protocol = HttpToolsProtocol(config, ServerState(), {}, loop)
    transport = SinkTransport()
    protocol.connection_made(transport)
    started = process_time_ns()
    for _ in range(count):
        transport.on_response = loop.create_future()
        protocol.data_received(request)
        await transport.on_response
    return process_time_ns() - started


def measure(
    cases: Sequence[str], implementations: Sequence[str], rounds: int, requests: int
) -> dict[str, dict[str, list[float]]]:
    """CPU ns per request of each (case, implementation), ``rounds`` interleaved batches."""
    loop = asyncio.new_event_loop()
    apps = {name: server_apps.dispatcher(load_apps(name)) for name in implementations}
    samples: dict[str, dict[str, list[float]]] = {case: {} for case in cases}
    for case in cases:
        for name, app in apps.items():
            loop.run_until_complete(_batch(app, REQUESTS[case], requests // 4))  # warm up
            samples[case][name] = []
        for _ in range(rounds):
            for name, app in apps.items():
                gc.collect()
                elapsed = loop.run_until_complete(_batch(app, REQUESTS[case], requests))
                samples[case][name].append(elapsed / requests)
    loop.close()
    return samples


def main(argv: Sequence[str] | None = None) -> int:
    """Print the table; exit status 0 (it reports, it does not gate)."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.uvicorn_driven", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--cases", default="plaintext,json,echo")
    parser.add_argument("--implementations", default="raw,asgikit,starlette")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args(argv)
    cases = [case for case in args.cases.split(",") if case]
    implementations = [name for name in args.implementations.split(",") if name]
    if implementations[0] != "raw":
        implementations.insert(0, "raw")
    samples = measure(cases, implementations, args.rounds, args.requests)
    print("| case | implementation | CPU ns/request | vs raw | extra ns |")
    print("|---|---|---:|---:|---:|")
    for case, by_impl in samples.items():
        raw = by_impl["raw"]
        for name, values in by_impl.items():
            ratio = statistics.median(ours / floor for ours, floor in zip(values, raw, strict=True))
            extra = statistics.median(ours - floor for ours, floor in zip(values, raw, strict=True))
            print(
                f"| {case} | {name} | {statistics.median(values):,.0f} | {ratio:.3f}x "
                f"| {extra:+,.0f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
