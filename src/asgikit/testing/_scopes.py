"""Building ASGI scopes from httpx requests, shaped the way the profile's server shapes them.

Pure functions of the request and the settings: no I/O, no app. ``server``/``client``
addresses, ``http_version``, ``asgi``, ``extensions`` and ``state`` follow the profile
(Granian's string ports, Daphne's lists and missing keys); headers keep their order and are
lower-cased as every server does.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final, cast, final
from urllib.parse import unquote_to_bytes

import httpx

from asgikit.asgi import ASGIVersions, HTTPScope, WebSocketScope

from ._profiles import ServerProfile

__all__ = ["Connection", "Settings", "http_scope", "websocket_scope"]

_DEFAULT_PORTS: Final[Mapping[str, int]] = {"http": 80, "https": 443, "ws": 80, "wss": 443}
"""The port a URL without one stands for."""


@final
@dataclass(frozen=True, kw_only=True)
class Settings:
    """What every scope of one client shares."""

    profile: ServerProfile
    root_path: str = ""
    client: tuple[str, int] = ("127.0.0.1", 50000)
    http_version: str = "1.1"
    state: dict[str, object] | None = field(default=None, compare=False)


@final
@dataclass(frozen=True)
class Connection:
    """The parts of a request that go into a scope, already decoded."""

    path: str
    raw_path: bytes
    query_string: bytes
    headers: list[tuple[bytes, bytes]]
    server: tuple[str, int]
    scheme: str


def _connection(request: httpx.Request) -> Connection:
    url = request.url
    raw_path = url.raw_path.partition(b"?")[0] or b"/"
    path = unquote_to_bytes(raw_path).decode("utf-8", "replace")
    headers = [(name.lower(), value) for name, value in request.headers.raw]
    port = url.port if url.port is not None else _DEFAULT_PORTS.get(url.scheme, 80)
    return Connection(path, raw_path, url.query, headers, (url.host, port), url.scheme)


def _address(profile: ServerProfile, address: tuple[str, int]) -> object:
    """``(host, port)`` as the server spells it: string ports (Granian), lists (Daphne)."""
    host, port = address
    shaped: tuple[str, int | str] = (host, str(port) if profile.ports_as_str else port)
    return list(shaped) if profile.addresses_as_lists else shaped


def _asgi(spec_version: str | None) -> ASGIVersions:
    if spec_version is None:
        return {"version": "3.0"}
    return {"version": "3.0", "spec_version": spec_version}


def _common(
    request: httpx.Request, settings: Settings, spec_version: str | None
) -> dict[str, object]:
    """The keys HTTP and websocket scopes share."""
    conn = _connection(request)
    return {
        "asgi": _asgi(spec_version),
        "path": conn.path,
        "raw_path": conn.raw_path,
        "query_string": conn.query_string,
        "root_path": settings.root_path,
        "headers": conn.headers,
        "client": _address(settings.profile, settings.client),
        "server": _address(settings.profile, conn.server),
        "scheme": conn.scheme,
    }


def _optional(
    scope: dict[str, object],
    extensions: Mapping[str, Mapping[object, object]] | None,
    settings: Settings,
) -> None:
    """Add ``extensions`` and ``state`` when the server sends them (``state`` a shallow copy)."""
    if extensions is not None:
        scope["extensions"] = {name: dict(options) for name, options in extensions.items()}
    if settings.profile.lifespan and settings.state is not None:
        scope["state"] = copy.copy(settings.state)


def http_scope(request: httpx.Request, settings: Settings) -> HTTPScope:
    """The HTTP scope the profile's server would build for ``request``."""
    profile = settings.profile
    scope = _common(request, settings, profile.http_spec_version)
    scope["type"] = "http"
    scope["method"] = request.method
    scope["http_version"] = profile.http_versions.get(settings.http_version, settings.http_version)
    _optional(scope, profile.http_extensions, settings)
    # Built as a plain dict: server quirks (Daphne's lists) do not fit the TypedDict exactly.
    return cast("HTTPScope", cast("object", scope))


def websocket_scope(
    request: httpx.Request, settings: Settings, subprotocols: Iterable[str]
) -> WebSocketScope:
    """The websocket scope the profile's server would build for the handshake ``request``."""
    profile = settings.profile
    scope = _common(request, settings, profile.websocket_spec_version)
    scope["type"] = "websocket"
    scope["scheme"] = {"http": "ws", "https": "wss"}.get(request.url.scheme, request.url.scheme)
    scope["subprotocols"] = list(subprotocols)
    if profile.websocket_http_version:
        scope["http_version"] = "1.1"
    _optional(scope, profile.websocket_extensions, settings)
    return cast("WebSocketScope", cast("object", scope))
