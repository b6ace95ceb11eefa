"""Run an ASGI app under a real server in a subprocess, for integration tests.

``start_server(kind, "tests.apps.ws_app:app")`` picks a free port on 127.0.0.1, starts the
server with this interpreter, waits until it accepts TCP connections and yields the base URL
(``http://127.0.0.1:PORT``). On exit the server's whole process group is terminated (then
killed). If the server cannot start, the test is skipped with the server's output as reason.
Pass ``log=`` (a file opened for binary writing) to keep the server's output and read it with
``server_output(log)``; ``serve_logged`` does both and yields a ``ServerProcess``.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Generator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final, Literal, cast, get_args

import httpx
import pytest

__all__ = [
    "ERROR_MARKERS",
    "SERVER_KINDS",
    "SERVER_TIMEOUT",
    "ServerKind",
    "ServerProcess",
    "free_port",
    "serve_logged",
    "server_command",
    "server_output",
    "start_server",
    "wait_for_record",
]

ServerKind = Literal["uvicorn-h11", "uvicorn-httptools", "hypercorn", "granian", "daphne"]
"""The servers (and uvicorn HTTP implementations) the integration tests run against."""

SERVER_KINDS: tuple[ServerKind, ...] = get_args(ServerKind)

ROOT = Path(__file__).resolve().parent.parent

SERVER_TIMEOUT: Final = 15.0
"""Seconds a real-server test waits for a server to start, or for an answer."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_command(kind: ServerKind, app: str, port: int) -> list[str]:
    """The command line that serves ``app`` (``module:attr``) with ``kind`` on ``port``."""
    py = [sys.executable, "-m"]
    match kind:
        case "uvicorn-h11" | "uvicorn-httptools":
            http = kind.removeprefix("uvicorn-")
            return [
                *py, "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
                "--http", http, "--ws", "websockets", "--lifespan", "on",
                "--no-access-log", "--log-level", "warning",
            ]  # fmt: skip
        case "hypercorn":
            return [*py, "hypercorn", app, "--bind", f"127.0.0.1:{port}", "--log-level", "WARNING"]
        case "granian":
            return [
                *py, "granian", "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port),
                "--workers", "1", "--no-access-log", "--log-level", "warning", app,
            ]  # fmt: skip
        case "daphne":
            return [*py, "daphne", "-b", "127.0.0.1", "-p", str(port), "-v", "0", app]


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
    # Kill stragglers in the group (granian's workers) even if the leader exited.
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=5)


def server_output(log: IO[bytes]) -> str:
    """Everything a server started with ``log=log`` has written to it so far.

    Reads with ``pread`` so the file offset the server writes at (shared with this process)
    does not move.
    """
    fd = log.fileno()
    return os.pread(fd, os.fstat(fd).st_size, 0).decode("utf-8", "replace")


REQUIRE_SERVERS: Final = "ASGIKIT_REQUIRE_SERVERS"
"""Set (as ``scripts/check`` does) to make a server that cannot start fail its tests: CI has
every server installed, so a skip there would hide a broken application or server."""


@contextmanager
def start_server(
    kind: ServerKind, app: str, *, startup_timeout: float = 15.0, log: IO[bytes] | None = None
) -> Generator[str, None, None]:
    """Serve ``app`` with ``kind`` on a free 127.0.0.1 port; yield ``http://127.0.0.1:PORT``.

    The server's stdout and stderr go to ``log`` if given, else to a private temporary file.
    """
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    with ExitStack() as stack:
        output = log if log is not None else stack.enter_context(tempfile.TemporaryFile())
        proc = subprocess.Popen(
            server_command(kind, app, port),
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        stack.callback(_stop, proc)
        deadline = time.monotonic() + startup_timeout
        while not _port_open(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                state = f"exited with {proc.returncode}" if proc.poll() is not None else "timed out"
                message = f"{kind} could not start ({state}): {server_output(output)[-2000:]}"
                if os.environ.get(REQUIRE_SERVERS):
                    pytest.fail(message)
                pytest.skip(message)
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"


ERROR_MARKERS = ("Traceback", "ERROR", "Exception", "generator didn't stop", "Error:")
"""Output a healthy run never prints (case-sensitive: "ERROR" is a log level)."""


@dataclass
class ServerProcess:
    """A running server, its base URL and its captured output."""

    kind: ServerKind
    url: str
    log: IO[bytes]

    def output(self) -> str:
        """Everything the server printed so far."""
        return server_output(self.log)

    def tracebacks_logged(self) -> bool:
        """Whether the server printed a Python traceback (the app or the server crashed)."""
        return "Traceback" in self.output()

    def errors_logged(self) -> list[str]:
        """Output lines that look like errors."""
        return [line for line in self.output().splitlines() if any(m in line for m in ERROR_MARKERS)]


@contextmanager
def serve_logged(
    kind: ServerKind, app: str, *, startup_timeout: float = 15.0
) -> Generator[ServerProcess, None, None]:
    """``start_server`` with the output kept in a temporary file: yield a ``ServerProcess``."""
    with (
        tempfile.NamedTemporaryFile(prefix=f"asgikit-{kind}-", suffix=".log") as log,
        start_server(kind, app, startup_timeout=startup_timeout, log=log) as url,
    ):
        yield ServerProcess(kind, url, log)


async def wait_for_record(client: httpx.AsyncClient, key: str) -> dict[str, object]:
    """The record a test app stored under ``key`` (``GET /record?KEY``, ``null`` until the
    handler has ended), polled every 50 ms for at most ``SERVER_TIMEOUT`` seconds."""
    record: object = None
    async with asyncio.timeout(SERVER_TIMEOUT):
        while record is None:
            await asyncio.sleep(0.05)
            record = (await client.get(f"/record?{key}")).json()
    assert isinstance(record, dict)
    return cast("dict[str, object]", record)
