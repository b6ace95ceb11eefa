"""Linear-time checks as ratios, never as wall-clock limits.

``growth(prepare, n)`` calls ``prepare(n)`` and ``prepare(factor * n)`` to build the inputs
(untimed), then times the work thunks they return and gives the ratio: about ``factor`` for
linear work, ``factor**2`` for quadratic. Runs are interleaved, the best of ``rounds`` is kept
and the GC is paused; a measurement that looks superlinear is retried, because load on the
machine can only inflate a ratio, never hide quadratic growth. Time is the process's CPU time
(``time.process_time``), so time spent descheduled on a busy machine does not count. Work too
quick to time on its own (under ``MIN_SAMPLE`` seconds) is timed over a batch of calls, the
same count at both sizes.

Keep ``n`` small enough that the larger input's working set (its string and the objects the
work builds) stays within a few hundred KB, about a core's cache: beyond that, memory stalls
alone take linear code to ratios of 6 to 9 at ``factor=4``.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Awaitable, Callable

__all__ = ["LINEAR_BOUND", "MIN_SAMPLE", "agrowth", "growth"]

LINEAR_BOUND = 2.5
"""Tolerance: checks assert ``growth(...) < factor * LINEAR_BOUND`` (quadratic is ``factor**2``)."""

MIN_SAMPLE = 1e-3
"""Shortest timed sample in ``growth``: quicker work is repeated within one sample."""


def _batch(work: Callable[[], object]) -> int:
    """How many calls of ``work`` (the smaller input's) make one sample of ``MIN_SAMPLE``."""
    start = time.process_time()
    work()
    once = time.process_time() - start
    if once >= MIN_SAMPLE:
        return 1
    return min(1000, int(MIN_SAMPLE / max(once, 1e-7)) + 1)


def growth(
    prepare: Callable[[int], Callable[[], object]], n: int, *, factor: int = 4, rounds: int = 5
) -> float:
    """Best time of the work at size ``factor * n`` over the best time at size ``n``."""
    works = {1: prepare(n), factor: prepare(factor * n)}
    calls = range(_batch(works[1]))
    ratio = float("inf")
    for _ in range(3):
        best = dict.fromkeys(works, float("inf"))
        gc.disable()
        try:
            for _ in range(rounds):
                for scale, work in works.items():
                    start = time.process_time()
                    for _ in calls:
                        work()
                    best[scale] = min(best[scale], time.process_time() - start)
        finally:
            gc.enable()
        ratio = min(ratio, best[factor] / max(best[1], 1e-7))
        if ratio < factor * LINEAR_BOUND:
            break
    return ratio


async def agrowth(
    prepare: Callable[[int], Callable[[], Awaitable[object]]],
    n: int,
    *,
    factor: int = 4,
    rounds: int = 5,
) -> float:
    """``growth`` for coroutine work; ``prepare`` is called before each timed run, because
    coroutine work (a body with its scripted ``receive``) can usually run only once."""
    ratio = float("inf")
    for _ in range(3):
        best = {1: float("inf"), factor: float("inf")}
        gc.disable()
        try:
            for _ in range(rounds):
                for scale in best:
                    work = prepare(n * scale)
                    start = time.process_time()
                    await work()
                    best[scale] = min(best[scale], time.process_time() - start)
        finally:
            gc.enable()
        ratio = min(ratio, best[factor] / max(best[1], 1e-7))
        if ratio < factor * LINEAR_BOUND:
            break
    return ratio
