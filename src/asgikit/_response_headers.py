"""Assembling the header list of a response: ``content-type`` with its charset rule,
``content-length``, user headers and cookies. Pure HTTP: nothing here knows about ASGI."""

from __future__ import annotations

import codecs
from typing import Final

from ._cookies import Cookies
from ._header_encoding import HeaderInput, encode_header_value, encode_headers
from ._json import EncHook, encode_json

__all__ = [
    "CONTENT_LENGTH",
    "CONTENT_TYPE",
    "LENGTHS",
    "LENGTH_HEADERS",
    "NOT_MODIFIED_KEEPS",
    "SSE_HEADERS",
    "STATUS_CODES",
    "UTF8_CONTENT_TYPES",
    "add_headers",
    "body_bytes",
    "content_type_value",
    "json_payload",
    "length_value",
    "not_modified_headers",
    "start_headers",
    "utf8_content_type",
]

CONTENT_TYPE: Final = b"content-type"
CONTENT_LENGTH: Final = b"content-length"
LENGTHS: Final = tuple(str(n).encode("ascii") for n in range(1024))
LENGTH_HEADERS: Final = tuple((CONTENT_LENGTH, value) for value in LENGTHS)
"""The ``content-length`` header of bodies under 1 KiB, built once: one tuple less per response."""
STATUS_CODES: Final[dict[int, int]] = {code: code for code in range(200, 600)}

_CHARSET_TYPES: Final = frozenset(
    {"application/javascript", "application/xml", "application/xhtml+xml"}
)
_plain_types: dict[str, bytes] = {}
UTF8_CONTENT_TYPES: Final[dict[str, bytes]] = {
    "text/plain": b"text/plain; charset=utf-8",
    "text/html": b"text/html; charset=utf-8",
    "application/json": b"application/json",
}
utf8_content_type: Final = UTF8_CONTENT_TYPES.get
"""``UTF8_CONTENT_TYPES.get``, bound once for the hot path: on CPython 3.11, calling a method
of a module-level object builds a bound method object on every call (~200 instructions)."""
SSE_HEADERS: Final = (
    (CONTENT_TYPE, b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
)


def content_type_value(media_type: str, encoding: str | None) -> bytes:
    """The ``content-type`` value for ``media_type``, with ``; charset=`` when it needs one and
    ``encoding`` is given. Validated; cached for the common encodings."""
    cache = (
        UTF8_CONTENT_TYPES if encoding == "utf-8" else _plain_types if encoding is None else None
    )
    if cache is not None:
        found = cache.get(media_type)
        if found is not None:
            return found
    value = media_type
    essence = media_type.partition(";")[0].strip().lower()
    if (
        encoding is not None
        and (essence.startswith("text/") or essence in _CHARSET_TYPES)
        and "charset=" not in media_type.lower()
    ):
        value = f"{media_type}; charset={encoding}"
    encoded = encode_header_value(value, name="content-type")
    if cache is not None and len(cache) < 256:
        cache[media_type] = encoded
    return encoded


def json_payload(
    content: object, media_type: str, encoding: str, enc_hook: EncHook | None
) -> tuple[bytes, bytes]:
    """The body and ``content-type`` value of a JSON response."""
    body = encode_json(content, enc_hook)
    if encoding == "utf-8":
        return body, utf8_content_type(media_type) or content_type_value(media_type, "utf-8")
    typed = media_type if "charset=" in media_type.lower() else f"{media_type}; charset={encoding}"
    return body.decode("utf-8").encode(encoding, _JSON_ESCAPE), content_type_value(typed, None)


def _escape_for_json(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: characters the target encoding lacks become ``\\uXXXX`` escapes
    (surrogate pairs above U+FFFF). Non-ASCII text only occurs inside JSON strings, where such
    escapes mean the same character."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    escaped: list[str] = []
    for char in error.object[error.start : error.end]:
        point = ord(char)
        if point > 0xFFFF:
            point -= 0x10000
            escaped.append(f"\\u{0xD800 + (point >> 10):04x}\\u{0xDC00 + (point & 0x3FF):04x}")
        else:
            escaped.append(f"\\u{point:04x}")
    return "".join(escaped), error.end


_JSON_ESCAPE: Final = "asgikit.json-escape"
codecs.register_error(_JSON_ESCAPE, _escape_for_json)


def body_bytes(content: bytes) -> bytes:
    """``content`` as ``bytes`` for an ASGI body event: bytes-like objects are copied, anything
    else (``str`` from untyped code) raises ``TypeError`` before anything is sent."""
    value: object = content
    if type(value) is bytes:
        return content
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    raise TypeError(
        f"the response body must be bytes, not {type(content).__name__}; use respond_text() for str"
    )


def length_value(value: int) -> bytes:
    """``content-length`` value for ``value`` (cached for small bodies)."""
    return LENGTHS[value] if value < 1024 else b"%d" % value


def add_headers(
    raw: list[tuple[bytes, bytes]], headers: HeaderInput | None, cookies: Cookies | None
) -> list[tuple[bytes, bytes]]:
    """Append validated user headers (replacing asgikit's of the same name) and cookies."""
    if headers:
        user = encode_headers(headers)
        names = {name for name, _ in user}
        if CONTENT_LENGTH in names:
            raise ValueError(
                "do not pass content-length in headers: asgikit sets it from the body; "
                "use start(content_length=...) when streaming"
            )
        if any(name in names for name, _ in raw):
            raw = [pair for pair in raw if pair[0] not in names]
        raw += user
    if cookies:
        raw += cookies.raw_headers()
    return raw


NOT_MODIFIED_KEEPS: Final = frozenset(
    {b"cache-control", b"content-location", b"date", b"expires", b"vary", b"etag", b"last-modified"}
)
"""The response headers a 304 carries (RFC 9110 15.4.5): the validators and the fields that
guide cache updates. Other headers of the 200 response (``content-type``...) are dropped."""


def not_modified_headers(
    validators: list[tuple[bytes, bytes]], headers: HeaderInput | None, cookies: Cookies | None
) -> list[tuple[bytes, bytes]]:
    """The header list of a 304: ``validators``, the user's ``headers`` that a 304 keeps
    (``NOT_MODIFIED_KEEPS``, validated as for any response; a user ``etag`` replaces
    asgikit's), then the cookies (a refreshed session cookie must not be lost)."""
    kept = [pair for pair in add_headers([], headers, None) if pair[0] in NOT_MODIFIED_KEEPS]
    if kept:
        names = {name for name, _ in kept}
        validators = [pair for pair in validators if pair[0] not in names]
    raw = validators + kept
    if cookies:
        raw += cookies.raw_headers()
    return raw


def start_headers(
    status: int,
    media_type: str | None,
    content_length: int | None,
    headers: HeaderInput | None,
    cookies: Cookies | None,
    encoding: str,
    base: tuple[tuple[bytes, bytes], ...] = (),
) -> list[tuple[bytes, bytes]]:
    """The header list of a response started before its body is known: ``base`` (replaceable
    defaults), ``content-type`` from ``media_type``, ``content-length`` (never for 204 and
    304), then the user's headers and cookies."""
    if media_type is None:
        raw = list(base)
    else:
        # The cache of content_type_value, read here first: a call less per stream.
        value = UTF8_CONTENT_TYPES.get(media_type) if encoding == "utf-8" else None
        if value is None:
            value = content_type_value(media_type, encoding)
        raw = [*base, (CONTENT_TYPE, value)]
    if content_length is not None and status != 204 and status != 304:
        if type(content_length) is not int or content_length < 0:
            raise ValueError(f"content_length must be a non-negative int, not {content_length!r}")
        raw.append((CONTENT_LENGTH, length_value(content_length)))
    if headers or cookies:
        raw = add_headers(raw, headers, cookies)
    return raw
