"""Server profiles: what a particular ASGI server puts in the scope and how it behaves.

A ``ServerProfile`` is plain data. The transport and the websocket session read it to build
scopes (spec version, extensions, address shapes, ``http_version`` spelling) and to decide
what the client sees (close codes, empty messages, accept headers). The four named profiles
record what uvicorn 0.54, Hypercorn 0.18, Granian 2.8 and Daphne 4.2 were observed to do over
HTTP/1.1 (``docs/servers.md``); ``REFERENCE`` is a server that implements the newest spec and
every extension this client can carry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Final, Literal, TypeAlias, final

__all__ = [
    "DAPHNE",
    "GRANIAN",
    "HYPERCORN",
    "PROFILES",
    "REFERENCE",
    "UVICORN",
    "ServerName",
    "ServerProfile",
    "resolve_profile",
    "spec_at_least",
]

ServerName: TypeAlias = Literal["uvicorn", "hypercorn", "granian", "daphne"]
"""The servers that have a built-in profile."""

Extensions: TypeAlias = Mapping[str, Mapping[object, object]]
"""The ``extensions`` mapping a server offers: extension name to its (usually empty) options."""

_DENIAL: Final = "websocket.http.response"
"""The websocket denial-response extension."""

_PATHSEND: Final = "http.response.pathsend"
"""The path-send extension (the server sends a file by its path)."""


@final
@dataclass(frozen=True, kw_only=True)
class ServerProfile:
    """How one ASGI server shapes scopes and treats what the app sends.

    ``None`` for a spec version or an extensions mapping means the server leaves the key out
    of the scope (Daphne, and uvicorn's HTTP ``extensions``).
    """

    name: str
    """A label for error messages and test ids."""
    http_spec_version: str | None
    """``scope["asgi"]["spec_version"]`` on HTTP scopes (``None``: key absent, read as 2.0)."""
    websocket_spec_version: str | None
    """``scope["asgi"]["spec_version"]`` on websocket scopes."""
    http_extensions: Extensions | None
    """``scope["extensions"]`` on HTTP scopes (``None``: key absent)."""
    websocket_extensions: Extensions | None
    """``scope["extensions"]`` on websocket scopes (``None``: key absent)."""
    http_versions: Mapping[str, str] = field(
        default_factory=lambda: {"1.0": "1.0", "1.1": "1.1", "2": "2"}
    )
    """How the server spells each HTTP version in ``scope["http_version"]``."""
    websocket_http_version: bool = True
    """Whether websocket scopes carry ``http_version``."""
    ports_as_str: bool = False
    """Whether ``server``/``client`` ports are strings (Granian)."""
    addresses_as_lists: bool = False
    """Whether ``server``/``client`` are lists instead of tuples (Daphne)."""
    lifespan: bool = True
    """Whether the server runs the lifespan protocol (and so puts ``state`` in scopes)."""
    delivers_accept_headers: bool = True
    """Whether ``headers`` of ``websocket.accept`` reach the client (Granian ignores them)."""
    delivers_empty_messages: bool = True
    """Whether empty websocket messages from the app reach the client (Daphne drops them)."""
    any_close_code: bool = True
    """``False``: close codes other than 1000 and 3000-4999 fail and the client sees 1011 (Daphne)."""
    abrupt_close_code: int = 1005
    """The ``code`` of ``websocket.disconnect`` when the client vanishes without a close frame."""

    @property
    def http_send_raises(self) -> bool:
        """Whether HTTP ``send`` raises ``OSError`` once the client is gone (spec >= 2.4)."""
        return spec_at_least(self.http_spec_version, (2, 4))

    @property
    def websocket_send_raises(self) -> bool:
        """Whether websocket ``send`` raises ``OSError`` once the client is gone (spec >= 2.4)."""
        return spec_at_least(self.websocket_spec_version, (2, 4))


def spec_at_least(version: str | None, minimum: tuple[int, int]) -> bool:
    """Whether a scope's ``spec_version`` (``None`` or garbled means 2.0) is ``minimum`` or newer."""
    major, _, minor = (version or "2.0").partition(".")
    if not (major.isdigit() and minor.isdigit()):
        return minimum <= (2, 0)
    return (int(major), int(minor)) >= minimum


REFERENCE: Final = ServerProfile(
    name="reference",
    http_spec_version="2.5",
    websocket_spec_version="2.5",
    http_extensions={
        "http.response.trailers": {},
        "http.response.early_hint": {},
        _PATHSEND: {},
        "http.response.zerocopysend": {},
    },
    websocket_extensions={_DENIAL: {}},
)
"""A server at the newest spec (2.5) offering every extension the client implements."""

UVICORN: Final = ServerProfile(
    name="uvicorn",
    http_spec_version="2.3",
    websocket_spec_version="2.4",
    http_extensions=None,
    websocket_extensions={_DENIAL: {}},
)
"""uvicorn 0.54: HTTP spec 2.3 without ``extensions``; websocket spec 2.4."""

HYPERCORN: Final = ServerProfile(
    name="hypercorn",
    http_spec_version="2.1",
    websocket_spec_version="2.3",
    http_extensions={},
    websocket_extensions={_DENIAL: {}},
    abrupt_close_code=1006,
)
"""Hypercorn 0.18 over HTTP/1.1 (its trailers, early hints and push need HTTP/2)."""

GRANIAN: Final = ServerProfile(
    name="granian",
    http_spec_version="2.3",
    websocket_spec_version="2.3",
    http_extensions={_PATHSEND: {}, _DENIAL: {}},
    websocket_extensions={_PATHSEND: {}, _DENIAL: {}},
    http_versions={"1.0": "1", "1.1": "1.1", "2": "2"},
    ports_as_str=True,
    delivers_accept_headers=False,
)
"""Granian 2.8: string ports, ``"1"`` for HTTP/1.0, accept headers ignored."""

DAPHNE: Final = ServerProfile(
    name="daphne",
    http_spec_version=None,
    websocket_spec_version=None,
    http_extensions=None,
    websocket_extensions=None,
    websocket_http_version=False,
    addresses_as_lists=True,
    lifespan=False,
    delivers_empty_messages=False,
    any_close_code=False,
    abrupt_close_code=1006,
)
"""Daphne 4.2: spec 2.0, no extensions, no lifespan, list addresses."""

PROFILES: Final[Mapping[ServerName, ServerProfile]] = {
    "uvicorn": UVICORN,
    "hypercorn": HYPERCORN,
    "granian": GRANIAN,
    "daphne": DAPHNE,
}
"""The built-in profiles by server name."""


def resolve_profile(
    server: ServerName | ServerProfile | None,
    *,
    spec_version: str | None = None,
    extensions: Extensions | None = None,
) -> ServerProfile:
    """The profile a client uses: ``server`` (default ``REFERENCE``) with the overrides applied.

    ``spec_version`` replaces both the HTTP and the websocket spec version; ``extensions``
    replaces the extensions offered on both kinds of scope.
    """
    if server is None:
        profile = REFERENCE
    elif isinstance(server, ServerProfile):
        profile = server
    else:
        try:
            profile = PROFILES[server]
        except KeyError:
            names = ", ".join(sorted(PROFILES))
            raise ValueError(
                f"unknown server {server!r}: use one of {names} or a ServerProfile"
            ) from None
    if spec_version is not None:
        if re.fullmatch(r"[0-9]\.[0-9]{1,2}", spec_version) is None:
            raise ValueError(f"spec_version must look like '2.3', got {spec_version!r}")
        profile = replace(
            profile, http_spec_version=spec_version, websocket_spec_version=spec_version
        )
    if extensions is not None:
        profile = replace(profile, http_extensions=extensions, websocket_extensions=extensions)
    return profile
