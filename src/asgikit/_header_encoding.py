"""Validation and encoding of outgoing header lines.

Pure HTTP grammar (RFC 9110 5.1 / 5.5): nothing here knows about ASGI events.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import cast

from ._exceptions import InvalidHeaderError

__all__ = ["HeaderInput", "encode_header_name", "encode_header_value", "encode_headers"]

HeaderInput = Mapping[str, str] | Iterable[tuple[str, str]]
"""Headers as users pass them: a mapping, or ``(name, value)`` pairs to repeat a name."""

# token = 1*tchar
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# field-value: visible latin-1 characters, SP and HTAB; no CR, LF, NUL or other controls.
_BAD_VALUE_CHAR = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]|[^\x00-\xff]")


def encode_header_name(name: str) -> bytes:
    """Lower-case and encode a header name, rejecting anything that is not an RFC 9110 token."""
    if _TOKEN.fullmatch(name) is None:
        raise InvalidHeaderError(
            f"invalid header name {name!r}: names must be non-empty RFC 9110 tokens "
            "(letters, digits and !#$%&'*+-.^_`|~)"
        )
    return name.lower().encode("ascii")


def encode_header_value(value: str, *, name: str = "header") -> bytes:
    """Encode a header value as latin-1, rejecting CR, LF, NUL, other controls and
    characters outside latin-1. Leading/trailing whitespace is stripped."""
    if not isinstance(cast(object, value), str):  # untyped callers
        raise InvalidHeaderError(f"value of {name!r} must be str, not {type(value).__name__}")
    bad = _BAD_VALUE_CHAR.search(value)
    if bad is not None:
        raise InvalidHeaderError(
            f"invalid character {bad.group()!r} in value of {name!r}: header values must be "
            "latin-1 text without control characters (CR, LF and NUL allow header injection)"
        )
    return value.strip(" \t").encode("latin-1")


def encode_headers(headers: HeaderInput | None) -> list[tuple[bytes, bytes]]:
    """Validate and encode user headers into ASGI form. The input is never modified."""
    if not headers:
        return []
    pairs: Iterable[tuple[str, str]] = (
        cast("Mapping[str, str]", headers).items() if isinstance(headers, Mapping) else headers
    )
    return [(encode_header_name(name), encode_header_value(value, name=name)) for name, value in pairs]
