"""Server-level suite: uvicorn (httptools, uvloop) and granian serving the raw, asgikit and
Starlette apps of :mod:`benchmarks.server_apps` on 127.0.0.1.

Run ``.venv/bin/python -m benchmarks.server`` (about 6 minutes; ``--quick`` about 1).
Every server is pinned to CPU 0 (``taskset -c 0``) and the load generator to CPU 1. The load
generator is ``wrk`` (installed with ``apt-get install -y wrk`` when missing and we are root),
else the Python one in :mod:`benchmarks.loadgen`. Each (case, server, app) gets a 1 s warm-up
then a 5 s timed run, in 3 interleaved rounds; medians are reported. Reported: requests/s, the server's CPU time
per request (utime+stime of the server and its children from ``/proc``), and the ratio to
the raw app on the same server.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, final

import msgspec

from .cases import ECHO_DOCUMENT
from .loadgen import build_request, check_loopback

__all__ = ["Measurement", "Scenario", "main", "process_tree_cpu_seconds", "start_server"]

HOST: Final = "127.0.0.1"
_REPO: Final = Path(__file__).resolve().parent.parent
_CLOCK_TICKS: Final = os.sysconf("SC_CLK_TCK")
SERVERS: Final = ("uvicorn", "granian")
IMPLEMENTATIONS: Final = ("raw", "asgikit", "starlette")
TARGET: Final = 0.97
"""asgikit must reach this fraction of the raw app's requests/s."""


@final
@dataclass(frozen=True, slots=True)
class Scenario:
    """One request shape sent over and over."""

    name: str
    method: str
    path: str
    body: bytes = b""
    content_type: str | None = None


SCENARIOS: Final[dict[str, Scenario]] = {
    "plaintext": Scenario("plaintext", "GET", "/plaintext"),
    "json": Scenario("json", "GET", "/json"),
    "echo": Scenario(
        "echo", "POST", "/echo", msgspec.json.encode(ECHO_DOCUMENT), "application/json"
    ),
}


@final
@dataclass(frozen=True, slots=True)
class Measurement:
    """One timed run against one server."""

    requests: int
    seconds: float
    cpu_seconds: float
    errors: int

    @property
    def requests_per_second(self) -> float:
        """Throughput."""
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_us_per_request(self) -> float:
        """Server CPU time per request, in microseconds."""
        return self.cpu_seconds * 1e6 / self.requests if self.requests else float("nan")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def process_tree_cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` and all its descendants (granian runs workers as children)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            stat = Path(f"/proc/{current}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])
        pending.extend(_children(current))
    return total / _CLOCK_TICKS


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _server_command(server: str, implementation: str, port: int) -> list[str]:
    target = f"benchmarks.server_apps:{implementation}"
    if server == "uvicorn":
        return [
            sys.executable, "-m", "uvicorn", target, "--host", HOST, "--port", str(port),
            "--http", "httptools", "--loop", "uvloop", "--lifespan", "off",
            "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip
    granian = str(Path(sys.executable).with_name("granian"))
    return [
        granian, "--interface", "asgi", "--host", HOST, "--port", str(port), "--workers", "1",
        "--runtime-threads", "1", "--no-ws", "--log-level", "warning", target,
    ]  # fmt: skip


def _ready(port: int, timeout: float) -> bool:
    request = build_request("GET", "/plaintext", f"{HOST}:{port}")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1) as sock:
                sock.sendall(request)
                if sock.recv(64).startswith(b"HTTP/1.1 200"):
                    return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def start_server(
    server: str, implementation: str, cpu: int = 0
) -> tuple[subprocess.Popen[bytes], int]:
    """Start ``server`` serving ``implementation`` pinned to ``cpu``; ``(process, port)``."""
    port = _free_port()
    command = ["taskset", "-c", str(cpu), *_server_command(server, implementation, port)]
    process = subprocess.Popen(command, cwd=_REPO, start_new_session=True)
    if not _ready(port, 20):
        stop_server(process)
        raise RuntimeError(f"{server} serving {implementation} did not answer on port {port}")
    return process, port


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Stop a server started by :func:`start_server` (its own process group)."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def find_wrk(install: bool) -> str | None:
    """``wrk`` on PATH, installing it with apt-get first if allowed and we are root."""
    found = shutil.which("wrk")
    if found is None and install and os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk not found; trying apt-get install -y wrk", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], capture_output=True, check=False)
        found = shutil.which("wrk")
    return found


_WRK_REQUESTS = re.compile(r"(\d+) requests in ([\d.]+)(us|ms|s|m)")
_WRK_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_WRK_NON2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
_UNITS: Final = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


@contextlib.contextmanager
def _wrk_script(scenario: Scenario) -> Generator[list[str], None, None]:
    if scenario.method == "GET":
        yield []
        return
    body = scenario.body.decode("utf-8")
    lines = [f'wrk.method = "{scenario.method}"', f"wrk.body = [==[{body}]==]"]
    if scenario.content_type:
        lines.append(f'wrk.headers["Content-Type"] = "{scenario.content_type}"')
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lines) + "\n")
    try:
        yield ["-s", script.name]
    finally:
        os.unlink(script.name)


def _load(
    wrk: str | None, port: int, scenario: Scenario, seconds: float, connections: int, cpu: int
) -> tuple[int, float, int]:
    """Run the load generator once: ``(requests, seconds, errors)``."""
    check_loopback(HOST)
    url = f"http://{HOST}:{port}{scenario.path}"
    if wrk is not None:
        with _wrk_script(scenario) as script:
            command = [
                "taskset",
                "-c",
                str(cpu),
                wrk,
                "-t1",
                f"-c{connections}",
                f"-d{seconds:g}s",
                *script,
                url,
            ]
            output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        matched = _WRK_REQUESTS.search(output)
        if matched is None:
            raise RuntimeError(f"cannot parse wrk output:\n{output}")
        errors = sum(int(n) for n in m.groups()) if (m := _WRK_ERRORS.search(output)) else 0
        errors += int(m.group(1)) if (m := _WRK_NON2XX.search(output)) else 0
        return int(matched.group(1)), float(matched.group(2)) * _UNITS[matched.group(3)], errors
    command = [
        "taskset", "-c", str(cpu), sys.executable, "-m", "benchmarks.loadgen", "--host", HOST,
        "--port", str(port), "--method", scenario.method, "--path", scenario.path,
        "--body", scenario.body.decode(), "--seconds", str(seconds), "--connections", str(connections),
    ]  # fmt: skip
    if scenario.content_type:
        command += ["--content-type", scenario.content_type]
    output = subprocess.run(command, capture_output=True, text=True, check=True, cwd=_REPO).stdout
    result = json.loads(output)
    statuses: dict[str, int] = result["statuses"]
    errors = sum(result["errors"].values()) + sum(
        n for status, n in statuses.items() if status != "200"
    )
    return int(result["requests"]), float(result["seconds"]), errors


def measure(
    wrk: str | None, process: subprocess.Popen[bytes], port: int, scenario: Scenario,
    seconds: float, warmup: float, connections: int,
) -> Measurement:  # fmt: skip
    """Warm up, then one timed run with the server's CPU time measured around it."""
    if warmup > 0:
        _load(wrk, port, scenario, warmup, connections, 1)
    cpu_before = process_tree_cpu_seconds(process.pid)
    requests, elapsed, errors = _load(wrk, port, scenario, seconds, connections, 1)
    cpu = process_tree_cpu_seconds(process.pid) - cpu_before
    return Measurement(requests, elapsed, cpu, errors)


def _table(
    results: dict[tuple[str, str, str], list[Measurement]], implementations: Sequence[str]
) -> tuple[str, int]:
    """One row per (server, case, app): measured and CPU-derived comparisons with raw."""
    lines = [
        "| server | case | app | req/s | req/s vs raw | server CPU busy | CPU µs/req "
        "| CPU/req vs raw (capacity) | target | result |",
        "|---|---|---|---:|---:|---:|---:|---:|---|---|",
    ]
    missed = 0
    keys = sorted(
        {(server, case) for server, case, _ in results},
        key=lambda k: (SERVERS.index(k[0]), list(SCENARIOS).index(k[1])),
    )
    for server, case in keys:
        raw_runs = results.get((server, case, "raw"), [])
        if not raw_runs:
            continue
        raw_rps = statistics.median(m.requests_per_second for m in raw_runs)
        raw_cpu = statistics.median(m.cpu_us_per_request for m in raw_runs)
        for implementation in implementations:
            runs = results.get((server, case, implementation), [])
            if not runs:
                continue
            rps = statistics.median(m.requests_per_second for m in runs)
            cpu = statistics.median(m.cpu_us_per_request for m in runs)
            busy = statistics.median(m.cpu_seconds / m.seconds for m in runs)
            capacity = raw_cpu / cpu
            cells = [server, case, implementation, f"{rps:,.0f}", f"{rps / raw_rps:.1%}"]
            cells += [f"{busy:.0%}", f"{cpu:.1f}", f"{capacity:.1%}"]
            if implementation == "asgikit":
                met = capacity >= TARGET
                missed += not met
                cells += [f">= {TARGET:.0%}", "PASS" if met else "**MISS**"]
            else:
                cells += ["", ""]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines), missed


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; exits 0 whether or not the target is met."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.server", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="one round of 3 s runs")
    parser.add_argument("--seconds", type=float, default=None, help="timed run (default 5)")
    parser.add_argument("--warmup", type=float, default=None, help="warm-up per run (default 1)")
    parser.add_argument(
        "--rounds", type=int, default=None, help="repeat every run, report medians (default 3)"
    )
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--servers", default=",".join(SERVERS))
    parser.add_argument("--cases", default=",".join(SCENARIOS))
    parser.add_argument("--implementations", default=",".join(IMPLEMENTATIONS))
    parser.add_argument("--no-wrk", action="store_true", help="use the Python load generator")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    seconds: float = args.seconds or (3.0 if args.quick else 5.0)
    warmup: float = args.warmup if args.warmup is not None else 1.0
    rounds: int = args.rounds or (1 if args.quick else 3)
    servers = [s for s in args.servers.split(",") if s]
    scenarios = [SCENARIOS[name] for name in args.cases.split(",") if name]
    implementations = [i for i in args.implementations.split(",") if i]
    if implementations[0] != "raw":
        implementations = ["raw", *[i for i in implementations if i != "raw"]]
    if shutil.which("taskset") is None:
        print("taskset is required (util-linux)", file=sys.stderr)
        return 2
    wrk = None if args.no_wrk else find_wrk(install=True)
    generator = (
        f"wrk ({wrk})"
        if wrk
        else "the Python load generator (benchmarks.loadgen; wrk not available)"
    )
    print(
        f"load generator: {generator}, {args.connections} connections, {seconds:g} s runs",
        file=sys.stderr,
    )

    running: dict[tuple[str, str], tuple[subprocess.Popen[bytes], int]] = {}
    results: dict[tuple[str, str, str], list[Measurement]] = {}
    try:
        for server in servers:
            for implementation in list(implementations):
                try:
                    running[(server, implementation)] = start_server(server, implementation)
                except RuntimeError as error:
                    print(f"skipping: {error}", file=sys.stderr)
        for round_ in range(rounds):
            for scenario in scenarios:
                for (server, implementation), (process, port) in running.items():
                    m = measure(wrk, process, port, scenario, seconds, warmup, args.connections)
                    results.setdefault((server, scenario.name, implementation), []).append(m)
                    print(
                        f"  round {round_ + 1} {server:8} {scenario.name:10} {implementation:10} "
                        f"{m.requests_per_second:10,.0f} req/s  {m.cpu_us_per_request:6.1f} µs CPU/req  "
                        f"server CPU {m.cpu_seconds / m.seconds:.0%}  errors {m.errors}",
                        file=sys.stderr,
                        flush=True,
                    )
    finally:
        for process, _ in running.values():
            stop_server(process)
    present = [i for i in implementations if any(key[2] == i for key in results)]
    table, missed = _table(results, present)
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
        f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after; server on CPU 0, {generator} "
        f"on CPU 1; {seconds:g} s runs after {warmup:g} s warm-up, {rounds} round(s), medians"
    )
    print(
        "'CPU/req vs raw (capacity)' = raw's server CPU µs per request / this app's: the "
        "req/s ratio of a saturated server, unaffected by other processes; the target is "
        "judged on it."
    )
    print()
    print(table)
    print()
    print(f"{missed} target(s) missed" if missed else "all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
