"""Reading ASGI scopes the way real servers fill them.

Knows the ASGI protocol and its server quirks, nothing about HTTP semantics above it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from .asgi import HTTPScope, WebSocketScope

__all__ = [
    "address",
    "extensions",
    "http_version",
    "spec_version",
]

AnyConnectionScope = HTTPScope | WebSocketScope

_spec_cache: dict[object, tuple[int, int]] = {None: (2, 0)}
"""Parsed ``spec_version`` strings (at most 64: a server sends one or two); ``None`` stands
for a missing one."""


def spec_version(scope: AnyConnectionScope) -> tuple[int, int]:
    """``scope["asgi"]["spec_version"]`` as ``(major, minor)``; missing or garbled means 2.0."""
    try:  # a version seen before: one .get() call, not three
        return _spec_cache[scope["asgi"].get("spec_version")]
    except (KeyError, AttributeError, TypeError):  # first sight, no version, a garbled "asgi"
        return _parse_spec_version(scope)


def _parse_spec_version(scope: AnyConnectionScope) -> tuple[int, int]:
    """``spec_version`` the first time a version is seen (cached), or for a garbled scope."""
    raw = scope.get("asgi", {}).get("spec_version")
    if raw is None:
        return (2, 0)
    cached = _spec_cache.get(raw)
    if cached is not None:
        return cached
    major, _, minor = raw.partition(".")
    try:
        parsed = (int(major), int(minor or "0"))
    except ValueError:
        parsed = (2, 0)
    if len(_spec_cache) < 64:
        _spec_cache[raw] = parsed
    return parsed


_NO_EXTENSIONS: Mapping[str, object] = {}


def extensions(scope: AnyConnectionScope) -> Mapping[str, object]:
    """The server's advertised extensions; a missing or ``None`` key means none."""
    value = scope.get("extensions")
    if value is None:
        return _NO_EXTENSIONS
    return value


def address(value: object) -> tuple[str, int | None] | None:
    """Normalise a ``server``/``client`` address: ports may arrive as ``int``, ``str`` or ``None``.

    Anything that is not a ``(host, port)`` pair gives ``None``; a port that is not a number
    gives port ``None``.
    """
    if not isinstance(value, (tuple, list)):
        return None
    pair = cast("tuple[object, ...] | list[object]", value)
    if len(pair) != 2:
        return None
    host, port = pair[0], pair[1]
    if not isinstance(host, str):
        return None
    if isinstance(port, bool):
        return (host, None)
    if isinstance(port, int):
        return (host, port)
    if isinstance(port, str) and port.isdecimal() and len(port) <= 5:
        return (host, int(port))
    return (host, None)


_HTTP_VERSIONS = {"1": "1.0", "1.0": "1.0", "1.1": "1.1", "2": "2", "2.0": "2", "3": "3", "3.0": "3"}


def http_version(scope: AnyConnectionScope) -> str:
    """The HTTP version as ``"1.0"``, ``"1.1"``, ``"2"`` or ``"3"`` (granian's ``"1"`` is 1.0).

    Unknown values are returned unchanged; a missing key (websocket scopes) means ``"1.1"``.
    """
    raw = scope.get("http_version", "1.1")
    return _HTTP_VERSIONS.get(raw, raw)
