"""Negative type tests: each marked line must stay an error in mypy and pyright.

Both checkers fail CI on an unused ignore (``warn_unused_ignores`` and
``reportUnnecessaryTypeIgnoreComment``), so a misuse that stops being an error breaks CI.
"""

from __future__ import annotations

from asgikit.asgi import HTTPResponseStartEvent, HTTPScope, SendEvent


def mutate_read_only_scope(scope: HTTPScope) -> None:
    scope["path"] = "/admin"  # type: ignore[typeddict-readonly-mutated]  # pyright: ignore[reportTypedDictNotRequiredAccess]


def event_without_type() -> SendEvent:
    return {"status": 200}  # type: ignore[return-value]  # pyright: ignore[reportReturnType]


def event_with_wrong_type() -> HTTPResponseStartEvent:
    return {"type": "http.response.begin", "status": 200}  # type: ignore[typeddict-item]  # pyright: ignore[reportReturnType]  # diagnostics: ty 2


def str_headers() -> HTTPResponseStartEvent:
    return {"type": "http.response.start", "status": 200, "headers": [("content-type", "text/plain")]}  # type: ignore[list-item]  # pyright: ignore[reportReturnType]  # diagnostics: ty 2


def status_as_str() -> HTTPResponseStartEvent:
    return {"type": "http.response.start", "status": "200"}  # type: ignore[typeddict-item]  # pyright: ignore[reportReturnType]  # diagnostics: ty 2
