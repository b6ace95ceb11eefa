"""The in-process apps with the CPU caches emptied before every request, as under a server.

Run ``.venv/bin/python -m benchmarks.cold`` (about 1 minute). The in-process suite calls an app
thousands of times back to back, so its code and data stay in the CPU's L1 and L2 caches and
every instruction is cheap. Under a real server, the server's own work between two requests
(parsing, socket calls, its own objects) pushes the app's bytecode, function objects and
per-request data out of L2, and the app pays for fetching them again from L3. Those misses cost
the same whether the app is fast or not; they grow with how many distinct cache lines an
implementation touches per request. That is why the toolkit's overhead over raw ASGI is several
times larger under uvicorn and granian than in the in-process suite.

Here every request is preceded (outside the timed part) by one copy of a buffer larger than
L2 (``--evict-kib``, 1 MiB by default, so 2 MiB of lines pass through the caches); each
request is timed alone, and raw, asgikit and Starlette are interleaved batch by batch. The
report gives, per case, the hot figure (no eviction) next to the cold one and the overhead
over raw in both.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
from collections.abc import Sequence
from time import perf_counter_ns
from typing import Final

from .cases import App, Case, HTTPReceiver, case_by_name, discard, load_apps

__all__ = ["CASES", "IMPLEMENTATIONS", "main", "report", "run_cold", "time_requests"]

CASES: Final[tuple[str, ...]] = ("plaintext", "json", "echo_json")
"""The one-shot cases, whose server-level gap this suite explains."""

IMPLEMENTATIONS: Final[tuple[str, ...]] = ("raw", "asgikit", "starlette")


async def time_requests(app: App, case: Case, count: int, evict: bytearray | None) -> float:
    """Median ns of ``count`` requests, each timed alone; ``evict`` is copied onto itself
    (a half onto the other half) before each one when given."""
    scope, events = case.scope, case.events
    half = len(evict) // 2 if evict is not None else 0
    view = memoryview(evict) if evict is not None else None
    times: list[int] = []
    for _ in range(count):
        if view is not None:
            view[:half] = view[half:]
        receive = HTTPReceiver(events)
        fresh = scope.copy()
        started = perf_counter_ns()
        await app(fresh, receive, discard)
        times.append(perf_counter_ns() - started)
    return statistics.median(times)


def run_cold(
    cases: Sequence[str], reps: int, count: int, evict_kib: int
) -> dict[str, dict[str, dict[str, list[float]]]]:
    apps = {impl: load_apps(impl) for impl in IMPLEMENTATIONS}
    evict = bytearray(2 * evict_kib * 1024)
    results: dict[str, dict[str, dict[str, list[float]]]] = {}
    loop = asyncio.new_event_loop()
    gc.collect()
    gc.disable()
    try:
        for name in cases:
            case = case_by_name(name)
            by_mode: dict[str, dict[str, list[float]]] = {"hot": {}, "cold": {}}
            for rep in range(reps):
                order = IMPLEMENTATIONS[rep % 3 :] + IMPLEMENTATIONS[: rep % 3]
                for impl in order:
                    for mode, buffer in (("hot", None), ("cold", evict)):
                        figure = loop.run_until_complete(
                            time_requests(apps[impl][name], case, count, buffer)
                        )
                        by_mode[mode].setdefault(impl, []).append(figure)
            results[name] = by_mode
            print(f"  {name} done", file=sys.stderr, flush=True)
    finally:
        gc.enable()
        loop.close()
    return results


def report(results: dict[str, dict[str, dict[str, list[float]]]]) -> str:
    lines = [
        "| case | caches | raw | asgikit | asgikit - raw | asgikit / raw | Starlette | "
        "Starlette - raw |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, by_mode in results.items():
        for mode in ("hot", "cold"):
            medians = {impl: statistics.median(v) for impl, v in by_mode[mode].items()}
            raw, ours, theirs = medians["raw"], medians["asgikit"], medians["starlette"]
            lines.append(
                f"| {case_by_name(name).title} | {mode} | {raw:,.0f} ns | {ours:,.0f} ns | "
                f"{ours - raw:+,.0f} ns | {ours / raw:.2f}x | {theirs:,.0f} ns | "
                f"{theirs - raw:+,.0f} ns |"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the hot and cold figures of every case."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cold")
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated cases")
    parser.add_argument("--reps", type=int, default=9, help="batches per implementation")
    parser.add_argument("--requests", type=int, default=300, help="requests per batch")
    parser.add_argument(
        "--evict-kib", type=int, default=1024, help="buffer copied before each cold request"
    )
    args = parser.parse_args(argv)
    cases = [name.strip() for name in str(args.cases).split(",") if name.strip()]
    load = os.getloadavg()[0]
    results = run_cold(cases, int(args.reps), int(args.requests), int(args.evict_kib))
    print(
        f"Python {sys.version.split()[0]}, load average {load:.2f} before, "
        f"{os.getloadavg()[0]:.2f} after; {args.reps} interleaved batches of {args.requests} "
        f"requests, each timed alone; cold: {args.evict_kib} KiB copied before each request; "
        "figures are medians"
    )
    print()
    print(report(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
