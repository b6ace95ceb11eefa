"""A small keep-alive HTTP/1.1 load generator on raw asyncio sockets (the fallback for ``wrk``).

``python -m benchmarks.loadgen --port 8000 --path /plaintext --seconds 10`` prints one JSON
object: requests, seconds, requests_per_second, errors. Only for servers on this machine:
the host must be a loopback address. It is much slower than ``wrk`` (Python parses every
response), so under it the load generator, not the server, may be the bottleneck.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, final

__all__ = ["LoadResult", "build_request", "check_loopback", "main", "read_response", "run_load"]

_MAX_HEADER_BYTES: Final = 64 * 1024


def check_loopback(host: str) -> None:
    """Refuse any target that is not a loopback address."""
    if host == "localhost":
        return
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"load is only ever sent to loopback addresses, not {host!r}")


def build_request(
    method: str, path: str, host: str, body: bytes = b"", content_type: str | None = None
) -> bytes:
    """A keep-alive HTTP/1.1 request."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "User-Agent: asgikit-loadgen"]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """Read one response: ``(status, body, keep_alive)``. Handles Content-Length and chunked."""
    head = await reader.readuntil(b"\r\n\r\n")
    if len(head) > _MAX_HEADER_BYTES:
        raise ValueError("response head too large")
    status_line, *header_lines = head[:-4].split(b"\r\n")
    status = int(status_line.split(b" ", 2)[1])
    length: int | None = None
    chunked = False
    keep_alive = status_line.startswith(b"HTTP/1.1")
    for line in header_lines:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        value = value.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value:
            chunked = True
        elif name == b"connection":
            keep_alive = value == b"keep-alive" or (keep_alive and value != b"close")
    if chunked:
        parts: list[bytes] = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                return status, b"".join(parts), keep_alive
            parts.append(await reader.readexactly(size + 2))
            parts[-1] = parts[-1][:-2]
    if length is not None:
        return status, await reader.readexactly(length), keep_alive
    if status in (204, 304) or 100 <= status < 200:
        return status, b"", keep_alive
    return status, await reader.read(), False


@final
@dataclass(slots=True)
class LoadResult:
    """What one load run achieved."""

    requests: int = 0
    """Completed requests (any status)."""
    seconds: float = 0.0
    """Wall-clock duration."""
    statuses: dict[int, int] = field(default_factory=dict[int, int])
    """Completed requests per status code."""
    errors: dict[str, int] = field(default_factory=dict[str, int])
    """Failures per exception type (connection resets, timeouts...)."""

    @property
    def requests_per_second(self) -> float:
        """Throughput."""
        return self.requests / self.seconds if self.seconds else 0.0


async def _connection(
    host: str, port: int, request: bytes, deadline: float, result: LoadResult
) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    while time.monotonic() < deadline:
        try:
            if writer is None or reader is None:
                reader, writer = await asyncio.open_connection(host, port)
            writer.write(request)
            status, _, keep_alive = await asyncio.wait_for(read_response(reader), 10)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as error:
            name = type(error).__name__
            result.errors[name] = result.errors.get(name, 0) + 1
            if writer is not None:
                writer.close()
            reader = writer = None
            await asyncio.sleep(0.01)
            continue
        result.requests += 1
        result.statuses[status] = result.statuses.get(status, 0) + 1
        if not keep_alive:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def run_load(
    host: str, port: int, request: bytes, seconds: float, connections: int
) -> LoadResult:
    """Keep ``connections`` keep-alive connections busy with ``request`` for ``seconds``."""
    check_loopback(host)
    result = LoadResult()
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(
        *(_connection(host, port, request, deadline, result) for _ in range(connections))
    )
    result.seconds = time.monotonic() - started
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: run the load and print the result as JSON."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.loadgen", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--method", default="GET")
    parser.add_argument("--path", default="/")
    parser.add_argument("--body", default="", help="request body (text)")
    parser.add_argument("--content-type", default=None)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args(argv)
    request = build_request(
        args.method, args.path, f"{args.host}:{args.port}", args.body.encode(), args.content_type
    )
    load = run_load(args.host, args.port, request, args.seconds, args.connections)
    try:
        import uvloop
    except ImportError:
        result = asyncio.run(load)
    else:
        result = uvloop.run(load)
    json.dump(
        {
            "requests": result.requests,
            "seconds": result.seconds,
            "requests_per_second": result.requests_per_second,
            "statuses": result.statuses,
            "errors": result.errors,
        },
        sys.stdout,
    )
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
