"""The in-process apps with the CPU caches emptied before every request, as under a server.

Run ``.venv/bin/python -m benchmarks.cold`` (about 2 minutes). The in-process suite calls an app
thousands of times back to back, so its code and data stay in the CPU's L1 and L2 caches and
every instruction is cheap. Under a real server, the server's own work between two requests
(parsing, socket calls, its own objects) pushes the app's bytecode, function objects and
per-request data out of L2, and the app pays for fetching them again from L3. Those misses cost
the same whether the app is fast or not; they grow with how many distinct cache lines an
implementation touches per request. That is why the toolkit's overhead over raw ASGI is several
times larger under uvicorn and granian than in the in-process suite.

Here every request is preceded (outside the timed part) by copying one half of a buffer onto
the other (``--evict-kib``: 1 MiB, so 2 MiB of lines pass through the caches, more than L2;
4 MiB; and 16 MiB, enough to push much of the app out of L3 too); each request is timed alone, and
raw, asgikit and Starlette are interleaved batch by batch. The report gives, per case, the hot
figure (no eviction) and each cold one, with the overhead over raw.
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
    cases: Sequence[str], reps: int, count: int, evict_kib: Sequence[int]
) -> dict[str, dict[str, dict[str, list[float]]]]:
    """Per case, per setting (``hot``, ``<n> KiB``), per implementation: the batch medians."""
    apps = {impl: load_apps(impl) for impl in IMPLEMENTATIONS}
    settings: list[tuple[str, bytearray | None]] = [("hot", None)]
    settings += [(f"{kib:,} KiB", bytearray(2 * kib * 1024)) for kib in evict_kib]
    results: dict[str, dict[str, dict[str, list[float]]]] = {}
    loop = asyncio.new_event_loop()
    gc.collect()
    gc.disable()
    try:
        for name in cases:
            case = case_by_name(name)
            by_mode: dict[str, dict[str, list[float]]] = {mode: {} for mode, _ in settings}
            for rep in range(reps):
                order = IMPLEMENTATIONS[rep % 3 :] + IMPLEMENTATIONS[: rep % 3]
                for impl in order:
                    for mode, buffer in settings:
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
        "| case | evicted before each request | raw | asgikit | asgikit - raw | asgikit / raw | Starlette | "
        "Starlette - raw |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, by_mode in results.items():
        for mode, by_impl in by_mode.items():
            medians = {impl: statistics.median(v) for impl, v in by_impl.items()}
            raw, ours, theirs = medians["raw"], medians["asgikit"], medians["starlette"]
            evicted = "nothing" if mode == "hot" else mode
            lines.append(
                f"| {case_by_name(name).title} | {evicted} | {raw:,.0f} ns | {ours:,.0f} ns | "
                f"{ours - raw:+,.0f} ns | {ours / raw:.2f}x | {theirs:,.0f} ns | "
                f"{theirs - raw:+,.0f} ns |"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the hot and cold figures of every case."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cold")
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated cases")
    parser.add_argument("--reps", type=int, default=15, help="batches per implementation")
    parser.add_argument("--requests", type=int, default=300, help="requests per batch")
    parser.add_argument(
        "--evict-kib",
        default="1024,4096,16384",
        help="comma-separated KiB copied before each cold request (one setting each)",
    )
    args = parser.parse_args(argv)
    cases = [name.strip() for name in str(args.cases).split(",") if name.strip()]
    load = os.getloadavg()[0]
    sizes = [int(kib) for kib in str(args.evict_kib).split(",") if kib.strip()]
    results = run_cold(cases, int(args.reps), int(args.requests), sizes)
    print(
        f"Python {sys.version.split()[0]}, load average {load:.2f} before, "
        f"{os.getloadavg()[0]:.2f} after; {args.reps} interleaved batches of {args.requests} "
        "requests, each timed alone; figures are medians"
    )
    print()
    print(report(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
