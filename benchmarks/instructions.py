"""Instruction counts per request: the load-independent companion of ``benchmarks.inprocess``.

Run ``.venv/bin/python -m benchmarks.instructions`` (about 1-2 minutes; needs ``valgrind``).
For every case and implementation, a worker process runs the same apps with the same scopes,
scripted ``receive`` and no-op ``send`` as the in-process suite, ``n`` and then ``2n`` times,
each under ``valgrind --tool=callgrind``; the difference of the two totals divided by ``n`` is
the number of instructions one request (or one websocket message) executes, without the
interpreter's start-up and imports. Instruction counts do not move when other processes load
the machine, so two runs minutes apart agree to a fraction of a percent; they do not see
cache misses or branch mispredictions, so they complement timings, they do not replace them.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from .cases import HTTPReceiver, WebSocketReceiver, case_by_name, discard, load_apps

__all__ = ["CASES", "count_instructions", "main", "run_requests"]

CASES: Final[tuple[str, ...]] = ("plaintext", "json", "echo_json", "stream", "websocket")
"""The hot-path cases measured by default."""

_REQUESTS: Final = 1000
"""``n``: requests (websocket: messages on one connection) of the shorter run."""

_WARM_UP: Final = 50
"""Requests run before the counted ones in both runs (caches, lazy imports), so they cancel."""

_REPO: Final = Path(__file__).resolve().parent.parent


async def _http(impl: str, case_name: str, count: int) -> None:
    app = load_apps(impl)[case_name]
    case = case_by_name(case_name)
    for _ in range(count):
        await app(case.scope.copy(), HTTPReceiver(case.events), discard)


async def _websocket(impl: str, count: int) -> None:
    app = load_apps(impl)["websocket"]
    case = case_by_name("websocket")
    await app(case.scope.copy(), WebSocketReceiver(count), discard)


def run_requests(impl: str, case_name: str, count: int) -> None:
    """Run ``count`` requests (websocket: messages on one connection) after the warm-up."""
    loop = asyncio.new_event_loop()
    try:
        if case_name == "websocket":
            loop.run_until_complete(_websocket(impl, _WARM_UP))
        else:
            loop.run_until_complete(_http(impl, case_name, _WARM_UP))
        gc.collect()
        gc.disable()
        if case_name == "websocket":
            loop.run_until_complete(_websocket(impl, count))
        else:
            loop.run_until_complete(_http(impl, case_name, count))
    finally:
        loop.close()


def _total(path: Path) -> int:
    for line in path.read_text().splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise RuntimeError(f"no instruction total in {path}")


def _run_counted(impl: str, case_name: str, count: int, pythonpath: str | None) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "callgrind.out"
        env = dict(os.environ, PYTHONHASHSEED="0")
        if pythonpath is not None:
            env["PYTHONPATH"] = pythonpath
        command = [
            "valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
            sys.executable, "-m", "benchmarks.instructions",
            "--worker", impl, case_name, str(count),
        ]  # fmt: skip
        subprocess.run(command, cwd=_REPO, env=env, capture_output=True, check=True)
        return _total(out)


def count_instructions(
    impl: str, case_name: str, requests: int = _REQUESTS, pythonpath: str | None = None
) -> float:
    """Instructions of one request of ``case_name`` by ``impl`` (``raw``, ``asgikit``...)."""
    single = _run_counted(impl, case_name, requests, pythonpath)
    double = _run_counted(impl, case_name, 2 * requests, pythonpath)
    return (double - single) / requests


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.instructions")
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated cases")
    parser.add_argument("--requests", type=int, default=_REQUESTS, help="n (the runs do n, 2n)")
    parser.add_argument(
        "--before",
        type=Path,
        help="also count asgikit from DIR/asgikit (e.g. `git archive main src` unpacked: DIR/src)",
    )
    parser.add_argument("--worker", nargs=3, metavar=("IMPL", "CASE", "N"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Print instructions per request and the ratio to raw for every case."""
    args = _parse_args(argv)
    if args.worker is not None:
        impl, case_name, count = args.worker
        run_requests(impl, case_name, int(count))
        return 0
    cases = [name.strip() for name in str(args.cases).split(",") if name.strip()]
    before: Path | None = args.before
    columns = ["raw", "asgikit"] + (["before"] if before is not None else [])
    print(f"instructions per request (websocket: per message), n={args.requests}")
    header = f"{'case':<11}" + "".join(f"{name:>12}" for name in columns)
    print(header + f"{'asgikit/raw':>13}" + (f"{'before/raw':>12}" if before else ""))
    for name in cases:
        counts = {
            "raw": count_instructions("raw", name, args.requests),
            "asgikit": count_instructions("asgikit", name, args.requests),
        }
        if before is not None:
            counts["before"] = count_instructions("asgikit", name, args.requests, str(before))
        line = f"{name:<11}" + "".join(f"{counts[column]:>12,.0f}" for column in columns)
        line += f"{counts['asgikit'] / counts['raw']:>12.3f}x"
        if before is not None:
            line += f"{counts['before'] / counts['raw']:>11.3f}x"
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
