"""Validation of the ``Host`` header (RFC 9112 3.2, RFC 3986 3.2.2). Pure parsing."""

from __future__ import annotations

import re

__all__ = ["parse_host"]

# reg-name (letters, digits, unreserved and sub-delims, percent-encoding is not used in
# practice for hosts), IPv4, or a bracketed IPv6 literal; then an optional numeric port.
_HOST = re.compile(
    r"(?:\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9\-._~!$&'()*+,;=]{1,253})(?::[0-9]{0,5})?"
)


def parse_host(value: str) -> tuple[str, int | None] | None:
    """Split a ``Host`` header into ``(host, port)``, or ``None`` if it is malformed.

    Malformed means anything outside the RFC grammar: ``/``, ``?``, ``#``, ``@``, spaces,
    an unclosed ``[``, or a port that is not a number up to 65535. The host is lower-cased.
    """
    if len(value) > 260 or _HOST.fullmatch(value) is None:
        return None
    if value.startswith("["):
        end = value.index("]")
        host, rest = value[: end + 1], value[end + 1 :]
    else:
        host, sep, port_text = value.partition(":")
        rest = sep + port_text
    port: int | None = None
    if rest:
        digits = rest[1:]
        if not digits:
            return (host.lower(), None)
        port = int(digits)
        if port > 65535:
            return None
    return (host.lower(), port)
