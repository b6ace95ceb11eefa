"""Soak: uvicorn or granian serving :mod:`benchmarks.soak_app` on 127.0.0.1 under mixed
valid and malformed traffic for a bounded time (not part of CI).

``.venv/bin/python -m benchmarks.soak --seconds 60 [--server granian]`` reports the requests
served, outcomes by request kind (status codes, websocket close codes, client-side errors),
the server's own counters, and its RSS, open file descriptors and temporary files sampled
from the start to the end: growth must be flat, nothing may leak, and no request may end in
a 500. The traffic covers bodies, forms, cookies, streaming, redirects (safe and open-redirect
shapes), files (whole, ranges, conditionals, traversal, NUL, thousands of repeated ``Range``
lines) and websockets (JSON echo, malformed and deeply nested JSON, dropped connections).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal, final

import msgspec

from .cases import BENCH_DIR, ECHO_DOCUMENT
from .loadgen import build_request, check_loopback, read_response
from .server import stop_server

__all__ = ["KINDS", "Kind", "main"]

HOST: Final = "127.0.0.1"
_REPO: Final = Path(__file__).resolve().parent.parent
_BOUNDARY: Final = "soakBoundary9f8e7d"

Mode = Literal["response", "early_close", "partial_read", "websocket"]


@final
@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of request the soak sends."""

    name: str
    weight: int
    payload: bytes
    expect: frozenset[int]
    """Statuses (websocket: close codes) that count as correct (empty for early closes and
    dropped websockets)."""
    mode: Mode = "response"
    frames: tuple[bytes, ...] = ()
    """Websocket frames sent after the handshake (``payload``)."""


def _multipart(parts: Sequence[tuple[str, str | None, bytes]], *, close: bool = True) -> bytes:
    chunks: list[bytes] = []
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        chunks.append(f"--{_BOUNDARY}\r\nContent-Disposition: {disposition}\r\n".encode())
        if filename:
            chunks.append(b"Content-Type: application/octet-stream\r\n")
        chunks += [b"\r\n", content, b"\r\n"]
    if close:
        chunks.append(f"--{_BOUNDARY}--\r\n".encode())
    return b"".join(chunks)


def _post(path: str, body: bytes, content_type: str | None, extra: str = "") -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nContent-Length: {len(body)}\r\n"
    if content_type is not None:
        head += f"Content-Type: {content_type}\r\n"
    return (head + extra + "\r\n").encode("latin-1") + body


_WS_MASK: Final = b"\x5a\x17\xc3\x09"


def _ws_frame(opcode: int, payload: bytes) -> bytes:
    """A masked client frame (RFC 6455)."""
    length = len(payload)
    if length < 126:
        head = bytes([0x80 | opcode, 0x80 | length])
    elif length < 1 << 16:
        head = bytes([0x80 | opcode, 0x80 | 126]) + length.to_bytes(2, "big")
    else:
        head = bytes([0x80 | opcode, 0x80 | 127]) + length.to_bytes(8, "big")
    key = (_WS_MASK * (length // 4 + 1))[:length]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(length, "big")
    return head + _WS_MASK + masked


def _ws_close(code: int) -> bytes:
    return _ws_frame(0x8, code.to_bytes(2, "big"))


async def _ws_read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One unmasked server frame: ``(opcode, payload)``."""
    first, second = await reader.readexactly(2)
    length = second & 0x7F
    if length == 126:
        length = int.from_bytes(await reader.readexactly(2), "big")
    elif length == 127:
        length = int.from_bytes(await reader.readexactly(8), "big")
    return first & 0x0F, await reader.readexactly(length)


def _get(path: str, *headers: str) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {HOST}", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _redirect_kinds() -> list[Kind]:
    moved, refused = frozenset({307}), frozenset({400})
    return [
        Kind("redirect_relative", 3, _get("/redirect?to=%2Faccount%3Fx%3D1"), moved),
        Kind("redirect_allowed", 2, _get("/redirect?to=https%3A%2F%2Fexample.org%2Fx"), moved),
        Kind("redirect_backslash", 2, _get("/redirect?to=%2F%2Fexample.org%5C%40evil.com"), refused),
        Kind("redirect_tab", 1, _get("/redirect?to=%2F%09%2Fevil.com"), refused),
        Kind("redirect_crlf", 1, _get("/redirect?to=%2Fa%0D%0ASet-Cookie%3A%20x%3D1"), refused),
        Kind("redirect_percent_host", 1, _get("/redirect?to=%2F%2F%2565vil.com"), refused),
        Kind("redirect_no_slashes", 1, _get("/redirect?to=https%3Aevil.com"), refused),
    ]


def _file_kinds() -> list[Kind]:
    ok, partial, missing = frozenset({200}), frozenset({206}), frozenset({404})
    repeated = tuple("Range: bytes=0-0" for _ in range(2000))
    return [
        Kind("file_small", 3, _get("/file?name=small.txt"), ok),
        Kind("file_large", 2, _get("/file?name=large.bin"), ok),
        Kind("file_range", 2, _get("/file?name=large.bin", "Range: bytes=100-99999"), partial),
        Kind("file_ranges", 1, _get("/file?name=small.txt", "Range: bytes=0-9,100-199"), partial),
        Kind("file_not_modified", 1, _get("/file?name=small.txt", "If-None-Match: *"), frozenset({304})),
        Kind("file_traversal", 1, _get("/file?name=..%2F..%2F..%2Fetc%2Fpasswd"), missing),
        Kind("file_nul", 1, _get("/file?name=small.txt%00.png"), missing),
        Kind("file_missing", 1, _get("/file?name=nope.txt"), missing),
        # Servers differ: uvicorn (httptools) lets 2000 lines through, others may refuse them.
        Kind("file_repeated_range", 1, _get("/file?name=small.txt", *repeated), frozenset({200, 206, 400, 431})),
    ]


def _websocket_kinds() -> list[Kind]:
    handshake = _get(
        "/ws",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
    )
    text, binary = 0x1, 0x2
    return [
        Kind(
            "ws_json",
            3,
            handshake,
            frozenset({1000}),
            "websocket",
            (_ws_frame(text, b'{"n": 1}'), _ws_frame(binary, b"[1, 2, 3]"), _ws_close(1000)),
        ),
        Kind("ws_bad_json", 1, handshake, frozenset({1007}), "websocket", (_ws_frame(text, b'{"a": '),)),
        Kind(
            "ws_bad_utf8",
            1,
            handshake,
            frozenset({1007}),
            "websocket",
            (_ws_frame(binary, b'"\xff\xfe"'),),
        ),
        Kind(
            "ws_deep_json",
            1,
            handshake,
            frozenset({1007}),
            "websocket",
            (_ws_frame(text, b"[" * 50_000),),
        ),
        Kind("ws_dropped", 1, handshake, frozenset(), "websocket", (_ws_frame(text, b"{}"),)),
    ]


def _kinds() -> list[Kind]:
    ok = frozenset({200})
    multipart_type = f"multipart/form-data; boundary={_BOUNDARY}"
    rng = random.Random(7)
    small_file = rng.randbytes(10 * 1024)
    spilled_file = rng.randbytes(2 * 1024 * 1024)  # beyond the 1 MiB spool: a temp file on disk
    echo = msgspec.json.encode(ECHO_DOCUMENT)
    form = "&".join(f"f{i}=v%20{i}" for i in range(20)).encode()
    many_fields = "&".join(f"f{i}=" for i in range(5000)).encode()
    many_headers = (
        f"--{_BOUNDARY}\r\n"
        + "".join(f"X-H{i}: v\r\n" for i in range(20))
        + 'Content-Disposition: form-data; name="a"\r\n\r\nb\r\n'
        + f"--{_BOUNDARY}--\r\n"
    ).encode()
    bad_cookie = b'GET /cookies HTTP/1.1\r\nHost: x\r\nCookie: a=b; ;;; =c; d="unterminated; e=\xff\xfe; f\r\n\r\n'
    return [
        # valid
        Kind("text", 10, build_request("GET", "/text?name=soak", HOST), ok),
        Kind("json", 10, build_request("GET", "/json?a=1&a=2&b=%26", HOST), ok),
        Kind("echo", 10, _post("/echo", echo, "application/json"), ok),
        Kind("form", 6, _post("/form", form, "application/x-www-form-urlencoded"), ok),
        Kind(
            "multipart",
            5,
            _post(
                "/form",
                _multipart([("name", None, b"soak"), ("file", "a.bin", small_file)]),
                multipart_type,
            ),
            ok,
        ),
        Kind(
            "multipart_spill",
            1,
            _post("/form", _multipart([("file", "big.bin", spilled_file)]), multipart_type),
            ok,
        ),
        Kind(
            "cookies", 5, b"GET /cookies HTTP/1.1\r\nHost: x\r\nCookie: a=1; b=2; a=3\r\n\r\n", ok
        ),
        Kind("stream", 4, build_request("GET", "/stream", HOST), ok),
        # malformed
        Kind("bad_json", 4, _post("/echo", b'{"a": [1, 2,', "application/json"), frozenset({400})),
        Kind("empty_json", 2, _post("/echo", b"", "application/json"), frozenset({400})),
        Kind("form_wrong_type", 2, _post("/form", b"a=b", "text/plain"), frozenset({415})),
        Kind(
            "multipart_no_boundary",
            2,
            _post("/form", b"--x--\r\n", "multipart/form-data"),
            frozenset({400}),
        ),
        Kind(
            "multipart_truncated",
            2,
            _post("/form", _multipart([("a", None, b"b" * 1000)], close=False), multipart_type),
            frozenset({400}),
        ),
        Kind(
            "multipart_many_headers",
            2,
            _post("/form", many_headers, multipart_type),
            frozenset({400}),
        ),
        Kind(
            "huge_field",
            1,
            _post("/form", _multipart([("big", None, b"x" * (2 * 1024 * 1024))]), multipart_type),
            frozenset({413}),
        ),
        Kind(
            "too_many_fields",
            2,
            _post("/form", many_fields, "application/x-www-form-urlencoded"),
            frozenset({413}),
        ),
        Kind(
            "bad_content_length",
            2,
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\nContent-Type: application/json\r\n\r\n{}",
            frozenset({400}),
        ),
        Kind(
            "conflicting_content_length",
            1,
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
            frozenset({400}),
        ),
        Kind("bad_cookies", 3, bad_cookie, ok),
        Kind("not_found", 1, build_request("GET", "/nope", HOST), frozenset({404})),
        # early disconnects
        Kind(
            "disconnect_mid_body",
            3,
            _post("/echo", echo, "application/json"),
            frozenset(),
            "early_close",
        ),
        Kind(
            "disconnect_mid_upload",
            1,
            _post("/form", _multipart([("file", "a.bin", spilled_file)]), multipart_type),
            frozenset(),
            "early_close",
        ),
        Kind(
            "disconnect_mid_stream",
            2,
            build_request("GET", "/stream", HOST),
            frozenset(),
            "partial_read",
        ),
        *_redirect_kinds(),
        *_file_kinds(),
        *_websocket_kinds(),
    ]


KINDS: Final = _kinds()
"""Every request kind with its weight."""


@final
class Tally:
    """Outcomes by kind."""

    def __init__(self) -> None:
        self.outcomes: dict[str, Counter[str]] = {kind.name: Counter() for kind in KINDS}
        self.unexpected = 0

    def add(self, kind: Kind, outcome: str, expected: bool) -> None:
        self.outcomes[kind.name][outcome] += 1
        self.unexpected += not expected


def _closed(kind: Kind, echoes: int, data: bytes) -> tuple[str, bool]:
    code = int.from_bytes(data[:2], "big") if len(data) >= 2 else 1005
    return f"{echoes} echoes, close {code}", code in kind.expect


async def _websocket(port: int, kind: Kind) -> tuple[str, bool]:
    """Run one websocket session on a new connection: ``(outcome, expected)``."""
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(kind.payload)
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        status = int(head.split(b" ", 2)[1])
        if status != 101:
            return f"http {status}", False
        echoes = 0
        for frame in kind.frames:
            writer.write(frame)
            await writer.drain()
            if frame[0] & 0x0F == 0x8:
                break
            # A data frame: the server answers with its echo or a close frame.
            opcode, data = await asyncio.wait_for(_ws_read_frame(reader), 10)
            if opcode == 0x8:
                return _closed(kind, echoes, data)
            echoes += 1
        if not kind.expect:  # dropped: vanish without a close frame
            return f"dropped after {echoes} echoes", True
        while True:
            opcode, data = await asyncio.wait_for(_ws_read_frame(reader), 10)
            if opcode == 0x8:
                return _closed(kind, echoes, data)
            echoes += 1
    except (asyncio.IncompleteReadError, ConnectionError):
        return "closed without close frame", False
    finally:
        writer.close()


async def _worker(port: int, deadline: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    weights = [kind.weight for kind in KINDS]
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    while time.monotonic() < deadline:
        kind = rng.choices(KINDS, weights)[0]
        try:
            if kind.mode == "websocket":
                outcome, expected = await _websocket(port, kind)
                tally.add(kind, outcome, expected)
                continue
            if writer is None or reader is None:
                reader, writer = await asyncio.open_connection(HOST, port)
            if kind.mode == "early_close":
                writer.write(kind.payload[: len(kind.payload) // 2])
                await writer.drain()
                writer.close()
                reader = writer = None
                tally.add(kind, "closed early", True)
                continue
            writer.write(kind.payload)
            await writer.drain()
            if kind.mode == "partial_read":
                head = await asyncio.wait_for(reader.readuntil(b"\r\n"), 10)
                writer.close()
                reader = writer = None
                tally.add(kind, "closed after " + head[9:12].decode("latin-1"), True)
                continue
            status, _, keep_alive = await asyncio.wait_for(read_response(reader), 30)
            tally.add(kind, str(status), status in kind.expect)
            if not keep_alive or status == 431:  # servers close after refusing a header block
                writer.close()
                reader = writer = None
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as error:
            tally.add(kind, type(error).__name__, False)
            if writer is not None:
                writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


@final
@dataclass(frozen=True, slots=True)
class Sample:
    """The server process at one moment."""

    seconds: float
    rss_kib: int
    fds: int
    temp_files: int


def _sample(pid: int, started: float, temp_dir: Path) -> Sample:
    rss = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return Sample(time.monotonic() - started, rss, fds, sum(1 for _ in temp_dir.iterdir()))


@final
class ServerStats(msgspec.Struct, frozen=True):
    """What ``GET /__stats`` returns (after a GC and ``malloc_trim``)."""

    outcomes: dict[str, int]
    gc_objects: int


async def _server_stats(port: int) -> ServerStats:
    reader, writer = await asyncio.open_connection(HOST, port)
    writer.write(build_request("GET", "/__stats", HOST))
    _, body, _ = await asyncio.wait_for(read_response(reader), 30)
    writer.close()
    return msgspec.json.decode(body, type=ServerStats)


@final
@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The server right after a GC and ``malloc_trim``."""

    sample: Sample
    gc_objects: int


async def _checkpoint(port: int, pid: int, started: float, temp_dir: Path) -> Checkpoint:
    stats = await _server_stats(port)
    return Checkpoint(_sample(pid, started, temp_dir), stats.gc_objects)


@final
@dataclass(frozen=True, slots=True)
class SoakResult:
    """Everything one soak run observed."""

    tally: Tally
    samples: list[Sample]
    warm: Checkpoint
    end: Checkpoint
    server: ServerStats


async def _drive(port: int, pid: int, seconds: float, workers: int, temp_dir: Path) -> SoakResult:
    check_loopback(HOST)
    tally = Tally()
    started = time.monotonic()
    samples = [_sample(pid, started, temp_dir)]
    deadline = started + seconds
    tasks = [asyncio.create_task(_worker(port, deadline, tally, seed)) for seed in range(workers)]
    interval = max(1.0, seconds / 12)
    warm: Checkpoint | None = None
    while time.monotonic() < deadline:
        await asyncio.sleep(min(interval, max(0.0, deadline - time.monotonic())))
        if warm is None and time.monotonic() - started >= seconds / 4:
            warm = await _checkpoint(port, pid, started, temp_dir)
        samples.append(_sample(pid, started, temp_dir))
    await asyncio.gather(*tasks)
    await asyncio.sleep(1.0)  # let the server finish what the last closes started
    samples.append(_sample(pid, started, temp_dir))
    end = await _checkpoint(port, pid, started, temp_dir)
    server = await _server_stats(port)
    return SoakResult(tally, samples, warm or end, end, server)


def _report(result: SoakResult, seconds: float) -> str:
    tally, samples, server = result.tally, result.samples, result.server.outcomes
    total = sum(sum(c.values()) for c in tally.outcomes.values())
    lines = [
        f"requests: {total:,} in {seconds:g} s ({total / seconds:,.0f}/s); "
        f"unexpected outcomes: {tally.unexpected}",
        "",
        "| kind | sent | outcomes |",
        "|---|---:|---|",
    ]
    for kind in KINDS:
        outcomes = tally.outcomes[kind.name]
        shown = ", ".join(f"{name}: {n:,}" for name, n in sorted(outcomes.items()))
        lines.append(f"| {kind.name} | {sum(outcomes.values()):,} | {shown} |")
    lines += [
        "",
        "server-side outcomes: " + ", ".join(f"{k}: {v:,}" for k, v in sorted(server.items())),
        "",
    ]
    lines += ["| t (s) | RSS (MiB) | open fds | temp files |", "|---:|---:|---:|---:|"]
    lines += [
        f"| {s.seconds:.0f} | {s.rss_kib / 1024:.1f} | {s.fds} | {s.temp_files} |" for s in samples
    ]
    warm, end = result.warm, result.end
    lines += [
        "",
        f"RSS: {samples[0].rss_kib / 1024:.1f} MiB idle before, {max(s.rss_kib for s in samples) / 1024:.1f} "
        f"MiB at most, {samples[-1].rss_kib / 1024:.1f} MiB idle after.",
        f"After gc.collect() + malloc_trim(0): {warm.sample.rss_kib / 1024:.1f} MiB and "
        f"{warm.gc_objects:,} GC-tracked objects at t={warm.sample.seconds:.0f} s (under load); "
        f"{end.sample.rss_kib / 1024:.1f} MiB and {end.gc_objects:,} objects at the end "
        f"({(end.sample.rss_kib - warm.sample.rss_kib) / 1024:+.1f} MiB, "
        f"{end.gc_objects - warm.gc_objects:+,} objects).",
        f"Open fds: {samples[0].fds} idle before, {max(s.fds for s in samples)} at most, "
        f"{samples[-1].fds} after; temporary files left: {samples[-1].temp_files}.",
    ]
    bugs = sum(n for name, n in server.items() if name.startswith("bug:"))
    lines.append(f"Server bugs (500s): {bugs}.")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the soak; exit 1 if a request was answered unexpectedly, a 500 occurred, or
    descriptors/temporary files leaked."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.soak", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=16, help="concurrent client connections")
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--server", choices=("uvicorn", "granian"), default="uvicorn")
    args = parser.parse_args(argv)
    temp_dir = BENCH_DIR / "soak-tmp"
    shutil.rmtree(temp_dir, ignore_errors=True)
    temp_dir.mkdir(parents=True)
    files = _make_files(BENCH_DIR / "soak-files")
    env = dict(os.environ, TMPDIR=str(temp_dir), ASGIKIT_SOAK_FILES=str(files))
    process = subprocess.Popen(
        _command(args.server, args.port), cwd=_REPO, env=env, start_new_session=True
    )
    try:
        _wait_ready(args.port)
        pid = _serving_pid(process.pid)
        result = asyncio.run(_drive(args.port, pid, args.seconds, args.workers, temp_dir))
    finally:
        stop_server(process)
    label = "uvicorn (httptools, uvloop)" if args.server == "uvicorn" else "granian (1 worker)"
    print(f"{label} + benchmarks.soak_app, {args.workers} client connections, Python load generator")
    print()
    print(_report(result, args.seconds))
    first, last = result.samples[0], result.samples[-1]
    leaked = last.temp_files > 0 or last.fds > first.fds + 2
    bugs = any(name.startswith("bug:") for name in result.server.outcomes)
    return 1 if result.tally.unexpected or leaked or bugs else 0


def _command(server: str, port: int) -> list[str]:
    if server == "uvicorn":
        return [
            sys.executable, "-m", "uvicorn", "benchmarks.soak_app:app", "--host", HOST,
            "--port", str(port), "--http", "httptools", "--loop", "uvloop", "--lifespan", "off",
            "--no-access-log", "--log-level", "error",
        ]  # fmt: skip
    return [
        str(Path(sys.executable).with_name("granian")), "--interface", "asgi", "--host", HOST,
        "--port", str(port), "--workers", "1", "--runtime-threads", "1", "--no-access-log",
        "--log-level", "error", "benchmarks.soak_app:app",
    ]  # fmt: skip


def _make_files(folder: Path) -> Path:
    """The files ``/file`` serves: ``small.txt`` (10 KiB) and ``large.bin`` (300 KiB)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(11)
    (folder / "small.txt").write_bytes(b"line of text\n" * 800)
    (folder / "large.bin").write_bytes(rng.randbytes(300 * 1024))
    return folder.resolve()


def _serving_pid(pid: int) -> int:
    """The process that runs the app: granian serves from a worker child of ``pid``."""
    for _ in range(50):
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        if not children:
            return pid
        pid = int(children[0])
    return pid


def _wait_ready(port: int) -> None:
    import socket

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not start on port {port}")


if __name__ == "__main__":
    sys.exit(main())
