"""In-process suite: every app is called directly, no server, no sockets.

Run ``.venv/bin/python -m benchmarks.inprocess`` (about 1-2 minutes) or with ``--quick``
(about 15 s). Each request gets a shallow copy of the case's scope, a fresh scripted
``receive`` and a no-op ``send``; requests run back to back in one coroutine on an asyncio
loop, so nothing touches the loop unless the implementation itself suspends (task groups,
threads). The garbage collector is disabled inside timed batches and run between them.
Implementations (raw, asgikit and the installed peers: Starlette, baize, BlackSheep) are
interleaved batch by batch and the median of the batches is reported; a peer that is not
installed is left out, with a line on stderr.

asgikit 0.18.2 is installed from PyPI into ``.bench/asgikit018`` on first use and measured in
a separate worker process (``--worker``) whose ``sys.path`` starts with that directory, so it
never shadows this repository's ``asgikit``; that worker measures its own raw floor too.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import importlib.util
import json
import os
import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter_ns, process_time_ns
from typing import TYPE_CHECKING, Final, cast, final
from urllib.parse import parse_qsl

from .cases import (
    BENCH_DIR,
    CASES,
    PEERS,
    App,
    Case,
    HTTPReceiver,
    Recorder,
    WebSocketReceiver,
    case_by_name,
    discard,
    load_apps,
    normalise,
    peer_installed,
)

if TYPE_CHECKING:
    from .cases import NormalisedResponse

__all__ = [
    "ASGIKIT018_DIR",
    "CLOCKS",
    "MAX_WAIT_SHARE",
    "TARGETS",
    "Clock",
    "Target",
    "compare",
    "ensure_asgikit018",
    "main",
    "measure",
    "measure_once",
    "record",
    "report",
    "run_asgikit018",
    "run_delay_ns",
    "verify",
]

ASGIKIT018_DIR: Final = BENCH_DIR / "asgikit018"
"""``pip install --target`` directory of asgikit 0.18.2."""

_REPO: Final = Path(__file__).resolve().parent.parent


@final
@dataclass(frozen=True, slots=True)
class Target:
    """A performance target for asgikit on one case."""

    limit: float
    """Maximum ratio to raw (``ratio``), minimum fraction of the floor's MB/s (``throughput``),
    or maximum extra ns per message over raw (``extra_ns``)."""
    kind: str
    """``ratio``, ``throughput`` or ``extra_ns``."""

    def describe(self) -> str:
        """The target as printed in the table."""
        if self.kind == "ratio":
            return f"<= {self.limit:g}x raw"
        if self.kind == "throughput":
            return f">= {self.limit:.0%} of floor"
        return f"<= raw + {self.limit:g} ns"

    def met(self, figure: float) -> bool:
        """Whether the comparison with the floor (see :func:`compare`) meets the target."""
        if self.kind == "throughput":
            return figure >= self.limit
        return figure <= self.limit


TARGETS: Final[dict[str, Target]] = {
    "plaintext": Target(1.25, "ratio"),
    "json": Target(1.3, "ratio"),
    "echo_json": Target(1.1, "ratio"),
    "form_20": Target(1.2, "ratio"),
    "multipart_1m": Target(0.9, "throughput"),
    "multipart_50m": Target(0.6, "throughput"),
    "stream": Target(2.2, "ratio"),
    "websocket": Target(200.0, "extra_ns"),
}
"""The issue's targets for asgikit (cases without one are reported only)."""

_FLOOR_NAMES: Final[dict[str, str]] = {
    "form_20": "raw + parse_qsl",
    "multipart_1m": "raw + MultipartParser by hand",
    "multipart_50m": "raw + MultipartParser by hand, disk writes batched to threads",
}


async def _http_batch(app: App, case: Case, count: int) -> None:
    scope, events, send = case.scope, case.events, discard
    for _ in range(count):
        await app(scope.copy(), HTTPReceiver(events), send)


async def _websocket_batch(app: App, case: Case, count: int, clock: Clock) -> int:
    elapsed = 0
    for _ in range(count):
        receive = WebSocketReceiver(case.messages, clock)
        await app(case.scope.copy(), receive, discard)
        elapsed += receive.ended_ns - receive.started_ns
    return elapsed


Clock = Callable[[], int]
"""``time.perf_counter_ns`` (wall clock, the default) or ``time.process_time_ns`` (CPU time
of this process, all threads: immune to being descheduled on a busy machine)."""

CLOCKS: Final[dict[str, Clock]] = {"wall": perf_counter_ns, "cpu": process_time_ns}
"""``--clock`` choices."""

_CLOCK_NAMES: Final = {"wall": "wall (perf_counter_ns)", "cpu": "CPU time (process_time_ns)"}


def measure_once(
    loop: asyncio.AbstractEventLoop,
    app: App,
    case: Case,
    count: int,
    clock: Clock = perf_counter_ns,
) -> tuple[float, float]:
    """Run ``count`` requests (connections for websockets) with the GC off.

    Returns ns per unit (one request, or one message for the websocket case) by ``clock``, and
    the share of the wall-clock time the main thread was runnable but waiting for a CPU that
    another process held (see :func:`run_delay_ns`). HTTP batches are timed around ``run_until_complete``, so
    callbacks an implementation leaves on the loop (such as cancelled background tasks) are
    paid for inside the batch.
    """
    gc.collect()
    gc.disable()
    try:
        delay_started = run_delay_ns()
        wall_started = perf_counter_ns()
        if case.messages:
            total = loop.run_until_complete(_websocket_batch(app, case, count, clock))
            per_unit = total / (count * case.messages)
        else:
            started = clock()
            loop.run_until_complete(_http_batch(app, case, count))
            per_unit = (clock() - started) / count
        wall = perf_counter_ns() - wall_started
        return per_unit, (run_delay_ns() - delay_started) / max(wall, 1)
    finally:
        gc.enable()


MAX_WAIT_SHARE: Final = 0.05
"""A wall-clock batch whose main thread waited for a CPU longer than this share of the batch
is measured again."""


def run_delay_ns() -> int:
    """Time the main thread has spent runnable but waiting for a CPU (Linux schedstat).

    Unlike comparing CPU time with wall time, it does not count waiting for a worker thread
    (implementations that write files through ``to_thread``). 0 where it is not available.
    """
    try:
        return int(Path("/proc/self/schedstat").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0


_RETRIES: Final = 5


def measure(
    loop: asyncio.AbstractEventLoop,
    app: App,
    case: Case,
    count: int,
    clock: Clock = perf_counter_ns,
    typical: float | None = None,
) -> tuple[float, int, bool]:
    """:func:`measure_once`; with the wall clock, repeated (up to 5 times) while the batch
    was disturbed: the main thread waited for a CPU (see :data:`MAX_WAIT_SHARE`) and the batch
    is more than 10% slower than ``typical`` (the median so far). Implementations that hop to
    worker threads always wait a little; their batches are only retried when also slow.

    Returns ns per unit, how many batches were thrown away, and whether the one kept was
    still disturbed (the machine is too busy for trustworthy wall-clock figures).
    """
    discarded = 0
    while True:
        per_unit, waited = measure_once(loop, app, case, count, clock)
        if clock is process_time_ns:
            return per_unit, 0, False
        disturbed = waited > MAX_WAIT_SHARE and (typical is None or per_unit > 1.1 * typical)
        if not disturbed or discarded >= _RETRIES:
            return per_unit, discarded, disturbed
        discarded += 1


def _calibrate(
    loop: asyncio.AbstractEventLoop, app: App, case: Case, batch_ns: float, clock: Clock
) -> tuple[int, float]:
    count = 1
    while True:
        per_unit, _ = measure_once(loop, app, case, count, clock)
        per_batch = per_unit * count * max(case.messages, 1)
        if per_batch >= batch_ns / 4 or count >= 1 << 20:
            return max(1, round(count * batch_ns / max(per_batch, 1.0))), per_unit
        count *= 4


async def _parse_qsl_batch(text: str, count: int, clock: Clock) -> int:
    started = clock()
    for _ in range(count):
        dict(parse_qsl(text, keep_blank_values=True))
    return clock() - started


def record(app: App, case: Case) -> NormalisedResponse:
    """Run ``app`` once on ``case`` and return its normalised response."""
    sent = Recorder()

    async def once() -> None:
        await app(case.scope.copy(), case.receiver(), sent)

    asyncio.run(once())
    return normalise(sent.events)


def verify(implementations: dict[str, dict[str, App]], cases: Sequence[str]) -> list[str]:
    """Compare every implementation's response with raw's; one line per disagreement."""
    problems: list[str] = []
    raw = implementations["raw"]
    for name in cases:
        case = case_by_name(name)
        expected = record(raw[name], case)
        for implementation, apps in implementations.items():
            if implementation == "raw" or name not in apps:
                continue
            try:
                got = record(apps[name], case)
            except Exception as error:
                problems.append(f"{name}: {implementation} raised {error!r}")
                continue
            if got != expected:
                problems.append(
                    f"{name}: {implementation} answered {_short(got)}, raw {_short(expected)}"
                )
    return problems


def _short(response: NormalisedResponse) -> str:
    text = repr(response)
    return text if len(text) < 200 else text[:200] + "..."


Samples = dict[str, dict[str, list[float]]]


def _run(
    implementations: dict[str, dict[str, App]],
    cases: Sequence[str],
    reps: int,
    batch_ms: float,
    progress: Callable[[str], None],
    clock: Clock = perf_counter_ns,
) -> tuple[Samples, int]:
    samples: Samples = {}
    contended = 0
    loop = asyncio.new_event_loop()
    try:
        for name in cases:
            case = case_by_name(name)
            present = [impl for impl, apps in implementations.items() if name in apps]
            calibrated = {
                impl: _calibrate(loop, implementations[impl][name], case, batch_ms * 1e6, clock)
                for impl in present
            }
            counts = {impl: count for impl, (count, _) in calibrated.items()}
            by_impl: dict[str, list[float]] = {impl: [] for impl in present}
            discarded = 0
            for rep in range(reps):
                shift = rep % len(present)
                for impl in present[shift:] + present[:shift]:
                    app = implementations[impl][name]
                    so_far = by_impl[impl]
                    typical = statistics.median(so_far) if so_far else calibrated[impl][1]
                    per_unit, thrown, busy = measure(loop, app, case, counts[impl], clock, typical)
                    by_impl[impl].append(per_unit)
                    discarded += thrown
                    contended += busy
            if name == "form_20":
                text = b"".join(event.get("body", b"") for event in case.events).decode("latin-1")
                count = counts["raw"]
                by_impl["parse_qsl alone"] = [
                    loop.run_until_complete(_parse_qsl_batch(text, count, clock)) / count
                    for _ in range(reps)
                ]
            samples[name] = by_impl
            progress(
                f"  {name}: "
                + ", ".join(f"{impl} {statistics.median(v):,.0f} ns" for impl, v in by_impl.items())
                + (f" ({discarded} descheduled batches measured again)" if discarded else "")
            )
    finally:
        loop.close()
    return samples, contended


def ensure_asgikit018(progress: Callable[[str], None]) -> bool:
    """Install asgikit 0.18.2 (and ``multipart`` 1.3, which it needs) into ``.bench/asgikit018``.

    Returns ``False``, after saying why, when it is missing and cannot be installed.
    """
    if (ASGIKIT018_DIR / "asgikit" / "__init__.py").exists() and (
        ASGIKIT018_DIR / "multipart.py"
    ).exists():
        return True
    progress(f"installing asgikit 0.18.2 into {ASGIKIT018_DIR} ...")
    ASGIKIT018_DIR.mkdir(parents=True, exist_ok=True)
    for requirement in ("asgikit==0.18.2", "multipart~=1.3.0"):
        command = [
            sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "--no-deps", "--target", str(ASGIKIT018_DIR), requirement,
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            progress(
                f"skipping asgikit 0.18.2: pip could not install {requirement}: {done.stderr.strip()[-500:]}"
            )
            return False
    if importlib.util.find_spec("anyio") is None:  # 0.18.2 needs anyio (Starlette brings it)
        progress("skipping asgikit 0.18.2: it needs anyio, which is not installed")
        return False
    return True


def _worker_command(
    cases: Sequence[str], reps: int, batch_ms: float, mode: str, clock: str, impl: str
) -> list[str]:
    return [
        sys.executable, "-m", "benchmarks.inprocess", "--worker", mode, "--clock", clock,
        "--cases", ",".join(cases), "--reps", str(reps), "--batch-ms", str(batch_ms),
        "--worker-impl", impl,
    ]  # fmt: skip


def run_asgikit018(
    cases: Sequence[str],
    reps: int,
    batch_ms: float,
    mode: str,
    progress: Callable[[str], None],
    clock: str = "wall",
) -> dict[str, object] | None:
    """Run the 0.18.2 worker (``mode`` ``measure`` or ``verify``); its JSON result or ``None``."""
    if not ensure_asgikit018(progress):
        return None
    return _run_worker(
        "asgikit018", ASGIKIT018_DIR, cases, reps, batch_ms, mode, progress, clock
    )


def run_before(
    source: Path,
    cases: Sequence[str],
    reps: int,
    batch_ms: float,
    progress: Callable[[str], None],
    clock: str = "wall",
) -> dict[str, object] | None:
    """Measure the asgikit apps against another copy of asgikit, whose package is
    ``source/asgikit`` (e.g. ``git archive main src | tar -x -C DIR``, then ``DIR/src``), in a
    worker process that imports it first; its JSON result or ``None``."""
    if not (source / "asgikit" / "__init__.py").is_file():
        progress(f"--before {source}: no asgikit package there; skipped")
        return None
    return _run_worker("asgikit", source, cases, reps, batch_ms, "measure", progress, clock)


def _run_worker(
    impl: str,
    pythonpath: Path,
    cases: Sequence[str],
    reps: int,
    batch_ms: float,
    mode: str,
    progress: Callable[[str], None],
    clock: str,
) -> dict[str, object] | None:
    env = dict(os.environ, PYTHONPATH=str(pythonpath))
    done = subprocess.run(
        _worker_command(cases, reps, batch_ms, mode, clock, impl),
        cwd=_REPO, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    sys.stderr.write(done.stderr)
    if done.returncode != 0:
        progress(f"{impl} worker on {pythonpath} failed (exit {done.returncode})")
        return None
    result: dict[str, object] = json.loads(done.stdout)
    return result


def _worker(
    mode: str, cases: Sequence[str], reps: int, batch_ms: float, clock: str, impl: str
) -> int:
    implementations = {"raw": load_apps("raw"), impl: load_apps(impl)}
    if impl == "asgikit018":
        version = str(importlib.import_module("benchmarks.apps_asgikit018").VERSION)
    else:
        version = "before"
    problems = verify(implementations, cases)
    output: dict[str, object] = {"version": version, "problems": problems}
    if mode == "measure":
        output["samples"], output["contended"] = _run(
            implementations,
            cases,
            reps,
            batch_ms,
            lambda line: print(line, file=sys.stderr),
            CLOCKS[clock],
        )
    json.dump(output, sys.stdout)
    return 0


def _value(case: Case, ns: float) -> float:
    """ns per unit -> the figure reported (ns, or MB/s of request body)."""
    return case.body_size / ns * 1e3 if case.unit == "MB/s" else ns


def _fmt(case: Case, values: list[float]) -> str:
    ns = statistics.median(values)
    quartiles = statistics.quantiles(values, n=4) if len(values) >= 2 else [ns, ns, ns]
    spread = (quartiles[2] - quartiles[0]) / ns if ns else 0.0
    return f"{_value(case, ns):,.0f} ±{spread:.0%}"


def compare(case: Case, values: list[float], floor: list[float]) -> float:
    """The paired comparison with the floor: median over batches ``k`` of ``values[k]`` vs
    ``floor[k]`` (measured back to back, so slow drift of the machine cancels out).

    A ratio of times for ``ns`` cases, a fraction of the floor's throughput for ``MB/s``
    cases, and extra ns per message for ``ns/msg`` cases.
    """
    pairs = list(zip(values, floor, strict=False))
    if case.unit == "MB/s":
        return statistics.median(raw / ours for ours, raw in pairs)
    if case.unit == "ns/msg":
        return statistics.median(ours - raw for ours, raw in pairs)
    return statistics.median(ours / raw for ours, raw in pairs)


def _compared(case: Case, figure: float) -> str:
    if case.unit == "MB/s":
        return f"{figure:.0%}"
    if case.unit == "ns/msg":
        return f"{figure:+,.0f} ns"
    return f"{figure:.2f}x"


def report(
    samples: Samples,
    legacy: Samples | None,
    legacy_version: str,
    before: Samples | None = None,
) -> tuple[str, int]:
    """The markdown table of results and the number of missed targets.

    Each peer of :data:`~benchmarks.cases.PEERS` measured in this run (present in
    ``samples``) gets two columns, its figure and its comparison with the raw floor; with
    ``before`` (see ``--before``) two more columns: that asgikit and its ratio to its own raw
    floor."""
    peers = [peer for peer in PEERS if any(peer in by_impl for by_impl in samples.values())]
    lines = [
        "| case | unit | raw floor | asgikit | asgikit vs raw | target | result |"
        + "".join(f" {PEERS[peer]} | {PEERS[peer]} vs raw |" for peer in peers)
        + f" asgikit {legacy_version} | {legacy_version} vs its raw |"
        + (" before | before vs its raw |" if before is not None else ""),
        "|---|---|---:|---:|---:|---|---|"
        + "---:|---:|" * len(peers)
        + "---:|---:|"
        + ("---:|---:|" if before is not None else ""),
    ]
    missed = 0
    notes: list[str] = []
    for name, by_impl in samples.items():
        case = case_by_name(name)
        floor = by_impl["raw"]
        cells = [case.title, case.unit, _fmt(case, floor)]
        target = TARGETS.get(name)
        if "asgikit" in by_impl:
            figure = compare(case, by_impl["asgikit"], floor)
            cells += [_fmt(case, by_impl["asgikit"]), _compared(case, figure)]
            if target is None:
                cells += ["-", "-"]
            else:
                met = target.met(figure)
                missed += not met
                cells += [target.describe(), "PASS" if met else "**MISS**"]
        else:
            cells += ["n/a", "", target.describe() if target else "-", "not measured"]
        for peer in peers:
            if peer in by_impl:
                figure = compare(case, by_impl[peer], floor)
                cells += [_fmt(case, by_impl[peer]), _compared(case, figure)]
            else:
                cells += ["n/a", ""]
        legacy_case = legacy.get(name) if legacy else None
        if legacy_case and "asgikit018" in legacy_case:
            figure = compare(case, legacy_case["asgikit018"], legacy_case["raw"])
            cells += [_fmt(case, legacy_case["asgikit018"]), _compared(case, figure)]
        else:
            cells += ["n/a", ""]
        if before is not None:
            earlier = before.get(name)
            if earlier and "asgikit" in earlier:
                figure = compare(case, earlier["asgikit"], earlier["raw"])
                cells += [_fmt(case, earlier["asgikit"]), _compared(case, figure)]
            else:
                cells += ["n/a", ""]
        lines.append("| " + " | ".join(cells) + " |")
        if name in _FLOOR_NAMES:
            notes.append(f"- {case.title}: the raw floor is {_FLOOR_NAMES[name]}.")
        if "parse_qsl alone" in by_impl:
            notes.append(
                f"- {case.title}: `dict(parse_qsl(body))` alone (no ASGI) takes "
                f"{statistics.median(by_impl['parse_qsl alone']):,.0f} ns."
            )
    return "\n".join([*lines, "", *notes]), missed


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.inprocess", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="fewer, shorter batches (about 15 s)")
    parser.add_argument(
        "--cases", default=",".join(CASES), help=f"comma-separated subset of {','.join(CASES)}"
    )
    parser.add_argument(
        "--reps", type=int, default=None, help="batches per implementation and case"
    )
    parser.add_argument("--batch-ms", type=float, default=None, help="target duration of one batch")
    parser.add_argument("--no-018", action="store_true", help="skip asgikit 0.18.2")
    parser.add_argument("--json", type=Path, default=None, help="also write the raw samples here")
    parser.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="wall",
        help="wall: perf_counter_ns (default); cpu: process_time_ns, for a busy machine",
    )
    parser.add_argument(
        "--before",
        type=Path,
        default=None,
        help="also measure the asgikit package found in this directory (e.g. an older src/)",
    )
    parser.add_argument(
        "--worker", choices=("measure", "verify"), default=None, help=argparse.SUPPRESS
    )
    parser.add_argument(
        "--worker-impl",
        choices=("asgikit018", "asgikit"),
        default="asgikit018",
        help=argparse.SUPPRESS,
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; exit status 0 even when targets are missed (it reports, it does not gate)."""
    args = _parse_args(argv)
    load_before = os.getloadavg()
    cases = [name.strip() for name in args.cases.split(",") if name.strip()]
    for name in cases:
        case_by_name(name)  # fail fast on a typo, and build payloads before timing
    reps: int = args.reps or (7 if args.quick else 21)
    batch_ms: float = args.batch_ms or (10.0 if args.quick else 40.0)
    if args.worker:
        return _worker(args.worker, cases, reps, batch_ms, args.clock, args.worker_impl)

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    implementations = {"raw": load_apps("raw")}
    try:
        implementations["asgikit"] = load_apps("asgikit")
    except ImportError as error:
        progress(f"asgikit apps unavailable ({error}); measuring the others")
    for peer, title in PEERS.items():
        if peer_installed(peer):
            implementations[peer] = load_apps(peer)
        else:
            progress(f"{title} is not installed (pip install {peer}); its columns are left out")
    problems = verify(implementations, cases)
    for problem in problems:
        progress(f"MISMATCH {problem}")
    progress(
        f"in-process: {len(cases)} cases, {reps} batches of ~{batch_ms:g} ms per implementation"
    )
    samples, contended = _run(implementations, cases, reps, batch_ms, progress, CLOCKS[args.clock])
    legacy: Samples | None = None
    legacy_version = "0.18.2"
    if not args.no_018:
        progress("asgikit 0.18.2 (separate process):")
        result = run_asgikit018(cases, reps, batch_ms, "measure", progress, args.clock)
        if result is not None:
            legacy = _as_samples(result.get("samples"))
            legacy_version = str(result.get("version", legacy_version))
            busy = result.get("contended")
            contended += busy if isinstance(busy, int) else 0
            for problem in _as_strings(result.get("problems")):
                progress(f"MISMATCH {problem}")
    before: Samples | None = None
    if args.before is not None:
        progress(f"asgikit from {args.before} (separate process):")
        result = run_before(args.before, cases, reps, batch_ms, progress, args.clock)
        if result is not None:
            before = _as_samples(result.get("samples"))
            busy = result.get("contended")
            contended += busy if isinstance(busy, int) else 0
            for problem in _as_strings(result.get("problems")):
                progress(f"MISMATCH {problem}")
    table, missed = report(samples, legacy, legacy_version, before)
    print(_environment(load_before, args.clock))
    print()
    print(table)
    print()
    print(f"{missed} target(s) missed" if missed else "all targets met")
    if problems:
        print(f"{len(problems)} response mismatch(es): see stderr")
    if contended:
        print(
            f"WARNING: {contended} batch(es) ran while another process held the CPU, even after "
            "5 retries: the machine is busy and these figures are not trustworthy"
        )
    if args.json is not None:
        args.json.write_text(
            json.dumps({"samples": samples, "asgikit018": legacy, "before": before}, indent=1)
        )
    return 0


def _as_samples(value: object) -> Samples | None:
    if not isinstance(value, dict):
        return None
    return cast("Samples", value)  # written by our own worker


def _as_strings(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    return [str(item) for item in cast("list[object]", value)]


def _environment(load_before: tuple[float, float, float], clock: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    packages = ", ".join(
        f"{name} {installed(name)}" for name in ("asgikit", *PEERS, "msgspec", "python-multipart")
    )
    load = f"{load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after"
    return (
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs ({model}), load average {load}; "
        f"{packages}. Clock: {_CLOCK_NAMES[clock]}. Figures: median of batches ±(IQR/median); "
        "'vs raw': median of paired batch comparisons."
    )


if __name__ == "__main__":
    sys.exit(main())
