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
_AUTHORITY_END: Final = re.compile(r"[/?#]")
# Browsers drop tabs and newlines inside URLs and strip leading controls and spaces, which
# can turn "/\t/evil.com" into "//evil.com"; such targets are never considered safe.
_UNSAFE_URL_CHAR: Final = re.compile(r"[\x00-\x20\x7f]")


def is_safe_redirect_url(
    url: str, *, allowed_hosts: Iterable[str] = (), require_https: bool = False
) -> bool:
    """Whether redirecting to a user-supplied ``url`` keeps the user on a trusted site.

    True for relative references (``/path``, ``page?x=1``, ``#top``) and for ``http``/``https``
    URLs (and protocol-relative ``//host``) whose host, or ``host:port``, is in
    ``allowed_hosts`` (compared case-insensitively, no other normalisation). False for other
    schemes (``javascript:``, ``data:``), for ``https:evil.com``, for backslash tricks
    (``/\\evil.com`` and ``\\\\evil.com``, which browsers read as ``//evil.com``), for URLs
    with user info (``https://trusted@evil.com``), and for any control character or space.
    With ``require_https``, absolute ``http:`` URLs are rejected.
    """
    if not url or _UNSAFE_URL_CHAR.search(url) is not None:
        return False
    url = url.replace("\\", "/")
    scheme = _SCHEME.match(url)
    if scheme is not None:
        name = scheme.group()[:-1].lower()
        if name != "https" and (name != "http" or require_https):
            return False
        url = url[scheme.end() :]
        if not url.startswith("//"):
            return False
    elif not url.startswith("//"):
        return True
    rest = url[2:]
    end = _AUTHORITY_END.search(rest)
    authority = rest if end is None else rest[: end.start()]
    if not authority or "@" in authority:
        return False
    if authority.startswith("["):
        host = authority[: authority.find("]") + 1]
    else:
        host = authority.partition(":")[0]
    if not host:
        return False
    allowed = {entry.lower() for entry in allowed_hosts}
    return host.lower() in allowed or authority.lower() in allowed
