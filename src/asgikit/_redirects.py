"""Redirect targets: encoding for the ``Location`` header and an open-redirect check.

Pure URL handling: nothing here knows about ASGI.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final
from urllib.parse import quote

from ._exceptions import InvalidHeaderError

__all__ = ["encode_location", "is_safe_redirect_url"]


# Reserved and unreserved URI characters plus "%": kept as they are; everything else
# (spaces, non-ASCII, '"', '<', '>', '\\', '^', '`', '{', '|', '}') is percent-encoded.
_LOCATION_SAFE: Final = "!#$%&'()*+,/:;=?@[]~"
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")


def encode_location(location: str) -> bytes:
    """Encode a redirect target for the ``Location`` header.

    Control characters (CR and LF would inject headers) raise ``InvalidHeaderError``; spaces,
    backslashes, non-ASCII text (as UTF-8) and other characters not allowed in a URI are
    percent-encoded; existing ``%XX`` escapes are kept. The text is never Unicode-normalised,
    so the cost is linear in its length.
    """
    if _CONTROL.search(location) is not None:
        raise InvalidHeaderError(
            f"redirect location {location[:100]!r} contains control characters (CR/LF would "
            "inject headers); validate or encode the target first"
        )
    try:
        return quote(location, safe=_LOCATION_SAFE).encode("ascii")
    except UnicodeEncodeError:
        raise InvalidHeaderError(
            "redirect location is not valid Unicode text (lone surrogate)"
        ) from None


_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
# Where the authority of an encoded ``Location`` ends (it holds no backslash: it is encoded).
_AUTHORITY_END: Final = re.compile(r"[/?#]")
# Browsers drop tabs and newlines inside URLs and strip leading controls and spaces, which
# can turn "/\t/evil.com" into "//evil.com"; such targets are never considered safe.
_UNSAFE_URL_CHAR: Final = re.compile(r"[\x00-\x20\x7f]")
_PORT: Final = re.compile(r"[0-9]{0,5}")
"""A port as browsers accept it: digits only (empty means the default port)."""
_MAX_PORT: Final = 65535
"""Browsers refuse a URL whose port is larger (WHATWG URL); such targets are not safe."""


def is_safe_redirect_url(
    url: str, *, allowed_hosts: Iterable[str] = (), require_https: bool = False
) -> bool:
    """Whether redirecting to a user-supplied ``url`` keeps the user on a trusted site.

    The check judges the ``Location`` that ``redirect(url)`` sends (after percent-encoding),
    read as browsers read URLs (WHATWG URL), and also ``url`` with each ``\\`` read as ``/``,
    as browsers would if the target reached them unencoded; both readings must be safe.

    True for relative references (``/path``, ``page?x=1``, ``#top``) and for ``http``/``https``
    URLs (and protocol-relative ``//host``) written with exactly two slashes, whose host, or
    ``host:port``, is in ``allowed_hosts`` (compared case-insensitively, no other
    normalisation; IPv6 hosts in brackets, as in ``[::1]`` or ``[::1]:8000``). False for other
    schemes (``javascript:``, ``data:``), for ``https:evil.com`` and ``https:///evil.com``, for
    backslash tricks (``/\\evil.com``, ``//trusted\\@evil.com``), for user info
    (``https://trusted@evil.com``), for any ``%`` in the host part (browsers decode
    ``%65vil.com`` to ``evil.com``), for a port that is not a number up to 65535, and for any
    control character or space. With ``require_https``, absolute ``http:`` URLs are rejected.
    """
    if not url or _UNSAFE_URL_CHAR.search(url) is not None:
        return False
    try:
        location = encode_location(url).decode("ascii")
        slashed = encode_location(url.replace("\\", "/")).decode("ascii")
    except InvalidHeaderError:
        return False  # redirect() would refuse it (lone surrogate)
    allowed = {entry.lower() for entry in allowed_hosts}
    return _lands_on_allowed(location, allowed, require_https) and _lands_on_allowed(
        slashed, allowed, require_https
    )


def _lands_on_allowed(location: str, allowed: set[str], require_https: bool) -> bool:
    """Whether an encoded ``location`` (printable ASCII, no ``\\``) is relative or names an
    allowed host unambiguously: anything a WHATWG parser and ``urllib`` could read differently
    (one or three slashes, user info, ``%`` in the authority, a bad port) is refused."""
    scheme = _SCHEME.match(location)
    if scheme is not None:
        name = scheme.group()[:-1].lower()
        if name != "https" and (name != "http" or require_https):
            return False
        rest = location[scheme.end() :]
    elif not location.startswith("//"):
        return True  # a path, query or fragment: resolved against the current URL
    else:
        rest = location
    if not rest.startswith("//") or rest.startswith("///"):
        return False
    rest = rest[2:]
    end = _AUTHORITY_END.search(rest)
    authority = rest if end is None else rest[: end.start()]
    if "@" in authority or "%" in authority:
        return False
    if authority.startswith("["):
        host, bracket, port = authority.partition("]")
        host += bracket
        if port and not port.startswith(":"):
            return False
        port = port[1:]
    else:
        host, _, port = authority.partition(":")
    if not host or _PORT.fullmatch(port) is None or (port and int(port) > _MAX_PORT):
        return False
    host = host.lower()
    return host in allowed or authority.lower() in allowed
