"""Micro-benchmark of content negotiation: ``Request.best_match`` and friends on real and
hostile headers, in CPU nanoseconds per call (a fresh ``Request`` each time, so the
``Accept`` header is parsed every call, as it is once per request).

Run: ``.venv/bin/python -m benchmarks.negotiation``.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Final

from asgikit import Request
from asgikit.asgi import HTTPScope, ReceiveEvent, SendEvent

__all__ = ["main"]

ROUNDS: Final = 7
"""Timed rounds per case; the best is reported (other processes only make a round slower)."""
CALLS: Final = 20_000
"""Calls per round for a typical header (hostile headers run 100 times fewer)."""

FIREFOX_ACCEPT: Final = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CURL_ACCEPT: Final = "*/*"
HOSTILE_ACCEPT: Final = ",".join(['a/b;c="d,e";q=0.5'] * 480)  # ~8 KiB, quotes everywhere
"""A hostile header: only the first ``MAX_ELEMENTS`` elements are parsed."""
OFFERS: Final = ("application/json", "text/html")


async def _receive() -> ReceiveEvent:
    return {"type": "http.disconnect"}


async def _send(event: SendEvent, /) -> None:
    return None


def _request(headers: list[tuple[bytes, bytes]]) -> Request:
    scope: HTTPScope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "path": "/",
        "headers": headers,
    }
    return Request(scope, _receive, _send)


def _time(work: Callable[[], object], calls: int) -> float:
    """Best CPU nanoseconds per call of ``work`` over ``ROUNDS`` rounds."""
    best = float("inf")
    gc.disable()
    try:
        for _ in range(ROUNDS):
            start = time.process_time_ns()
            for _ in range(calls):
                work()
            best = min(best, (time.process_time_ns() - start) / calls)
    finally:
        gc.enable()
    return best


def _best_match(headers: list[tuple[bytes, bytes]]) -> Callable[[], object]:
    """One negotiation on a fresh request with ``headers``."""
    return lambda: _request(headers).best_match(OFFERS)


def main() -> None:
    """Print one line per case."""
    cases: list[tuple[str, Callable[[], object], int]] = []
    for label, accept in (("no Accept", None), ("curl */*", CURL_ACCEPT), ("Firefox", FIREFOX_ACCEPT)):
        headers = [] if accept is None else [(b"accept", accept.encode())]
        cases.append((f"best_match, {label}", _best_match(headers), CALLS))
    hostile = [(b"accept", HOSTILE_ACCEPT.encode())]
    cases.append(("best_match, hostile 8 KiB", _best_match(hostile), CALLS // 100))
    language = [(b"accept-language", b"fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5")]
    cases.append(("best_language, 5 ranges", lambda: _request(language).best_language(("en", "fr")), CALLS))
    encoding = [(b"accept-encoding", b"gzip, deflate, br, zstd")]
    cases.append(
        ("best_encoding, browser", lambda: _request(encoding).best_encoding(("br", "gzip", "identity")), CALLS)
    )
    baseline = _time(lambda: _request(hostile), CALLS)
    print(f"{'Request() alone':32} {baseline:10.0f} ns")
    for label, work, calls in cases:
        print(f"{label:32} {_time(work, calls):10.0f} ns")


if __name__ == "__main__":
    main()
