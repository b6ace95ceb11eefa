"""An independent reading of URLs as browsers read them (WHATWG URL Standard), for tests.

``whatwg_destination`` follows the basic URL parser for the parts that decide where a
browser goes: leading/trailing C0-and-space stripping, tab/CR/LF removal, scheme detection,
backslash as slash for special schemes, the "ignore slashes" authority states, user info up
to the last ``@``, ports, percent-decoding of hosts, IPv6 brackets and IPv4 numbers. It
shares no code with ``asgikit._redirects``; ``tests/test_redirect_safety.py`` and
``tests/fuzz/fuzz_redirects.py`` judge ``is_safe_redirect_url`` with it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final, Literal
from urllib.parse import unquote_to_bytes, urlsplit

__all__ = ["ELSEWHERE", "RELATIVE", "Destination", "stays_on_allowed_site", "urllib_agrees", "whatwg_destination"]

SPECIAL_PORTS: Final = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}
C0_AND_SPACE: Final = "".join(chr(code) for code in range(0x21))
FORBIDDEN_HOST: Final = frozenset("\x00\t\n\r #/:<>?@[\\]^|")
FORBIDDEN_DOMAIN: Final = FORBIDDEN_HOST | frozenset(chr(c) for c in range(0x20)) | {"%", "\x7f"}
SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+\-.]*:")



@dataclass(frozen=True)
class Destination:
    """Where a URL read in a page sends the browser."""

    kind: Literal["relative", "host", "elsewhere"]
    host: str = ""
    port: int | None = None


RELATIVE: Final = Destination("relative")
ELSEWHERE: Final = Destination("elsewhere")  # another scheme, or a URL the browser rejects


def _ipv4_number(part: str) -> int | None:
    if re.fullmatch(r"0[xX][0-9a-fA-F]*", part):
        return int(part[2:] or "0", 16)
    if re.fullmatch(r"0[0-7]+", part):
        return int(part, 8)
    if re.fullmatch(r"[0-9]+", part):
        return int(part)
    return None


def _ipv4(host: str) -> str | None:
    """The dotted form of a host that ends in a number (WHATWG IPv4 parser); None if invalid."""
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    numbers = [_ipv4_number(part) for part in parts]
    if len(numbers) > 4 or any(n is None for n in numbers):
        return None
    values = [n for n in numbers if n is not None]
    if any(n > 255 for n in values[:-1]) or values[-1] >= 256 ** (5 - len(values)):
        return None
    address = values[-1] + sum(n << (8 * (3 - i)) for i, n in enumerate(values[:-1]))
    return str(ipaddress.IPv4Address(address))


def _host(text: str) -> str | None:
    """WHATWG host parser for special schemes; None for failure."""
    if text.startswith("["):
        if not text.endswith("]"):
            return None
        try:
            return f"[{ipaddress.IPv6Address(text[1:-1]).compressed}]"
        except ValueError:
            return None
    try:
        domain = unquote_to_bytes(text).decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    domain = domain.lower()
    if not domain or any(c in FORBIDDEN_DOMAIN for c in domain):
        return None
    last = domain.rstrip(".").rsplit(".", 1)[-1] if domain.rstrip(".") else ""
    if last and (last.isdigit() or re.fullmatch(r"0[xX][0-9a-fA-F]*", last)):
        return _ipv4(domain)
    return domain


def _authority(rest: str, scheme: str) -> Destination:
    """Parse ``rest`` (after the slashes) as authority: user info, host, port."""
    authority = re.split(r"[/\\?#]", rest, maxsplit=1)[0]
    host_port = authority.rpartition("@")[2]
    inside, split_at = False, -1
    for index, char in enumerate(host_port):
        if char == "[":
            inside = True
        elif char == "]":
            inside = False
        elif char == ":" and not inside:
            split_at = index
            break
    host_text = host_port if split_at < 0 else host_port[:split_at]
    port_text = "" if split_at < 0 else host_port[split_at + 1 :]
    if not host_text or not re.fullmatch(r"[0-9]*", port_text):
        return ELSEWHERE
    port = int(port_text) if port_text else None
    if port is not None and port > 65535:
        return ELSEWHERE
    if port == SPECIAL_PORTS[scheme]:
        port = None
    host = _host(host_text)
    return ELSEWHERE if host is None else Destination("host", host, port)


def whatwg_destination(url: str, base_scheme: str) -> Destination:
    """Where ``url`` leads from a page whose URL has the special scheme ``base_scheme``."""
    text = url.strip(C0_AND_SPACE).replace("\t", "").replace("\n", "").replace("\r", "")
    match = SCHEME.match(text)
    if match is not None:
        scheme = match.group()[:-1].lower()
        rest = text[match.end() :]
        if scheme not in SPECIAL_PORTS or scheme == "ftp":
            return ELSEWHERE
        if scheme == base_scheme and rest[:2] not in ("//", "/\\", "\\/", "\\\\"):
            return RELATIVE  # "special relative or authority state" falls into "relative state"
        return _authority(rest.lstrip("/\\"), scheme)
    if len(text) >= 2 and text[0] in "/\\" and text[1] in "/\\":
        return _authority(text.lstrip("/\\"), base_scheme)
    return RELATIVE


def _allowed(host: str, port: int | None, scheme: str, allowed: Collection[str]) -> bool:
    """Whether ``host`` and ``port`` match an entry (``host`` or ``host:port``, lower-case,
    IPv6 in brackets) of ``allowed``."""
    for entry in allowed:
        split = entry.rfind(":") if not entry.endswith("]") else -1
        name, wanted = (entry, None) if split < 0 else (entry[:split], int(entry[split + 1 :]))
        name = name.lower()
        if host == name and (wanted is None or wanted == (port or SPECIAL_PORTS[scheme])):
            return True
    return False


def stays_on_allowed_site(url: str, allowed: Collection[str]) -> bool:
    """Whether ``url`` is relative or leads to an allowed host from http and https pages."""
    for base in ("http", "https"):
        where = whatwg_destination(url, base)
        if where.kind == "elsewhere":
            return False
        if where.kind == "host" and not _allowed(where.host, where.port, base, allowed):
            return False
    return True


def urllib_agrees(location: str, allowed: Collection[str]) -> bool:
    """``urllib.parse`` reads the same: relative, or an allowed host without user info."""
    parts = urlsplit(location)
    if parts.scheme not in ("", "http", "https"):
        return False
    if not parts.netloc:
        return not parts.scheme and not location.startswith("//")
    if parts.username is not None or parts.hostname is None:
        return False
    try:
        port = parts.port
    except ValueError:
        return False
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return all(_allowed(host, port, parts.scheme or base, allowed) for base in ("http", "https"))
