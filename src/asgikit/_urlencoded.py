"""Query strings and ``application/x-www-form-urlencoded`` bodies.

Rules (WHATWG URL "application/x-www-form-urlencoded parsing"):

- ``&`` is the only separator (``;`` is data); empty pairs are skipped.
- A pair without ``=`` is a name with the value ``""``.
- ``+`` means a space; ``%2B`` is a literal ``+``.
- Percent-escapes are decoded exactly once, to bytes, and the bytes are then decoded as UTF-8
  with invalid sequences replaced by U+FFFD. Malformed escapes (``%zz``, a lone ``%``) stay
  literal. Raw non-ASCII bytes are part of that UTF-8 decoding, so ``caf\\xc3\\xa9`` is ``café``.

Parsing is linear in the input, and results are never cached (B23).
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import unquote_to_bytes

from ._exceptions import PartTooLargeError, TooManyFieldsError
from ._multidict import MultiDict, multidict_from_lists

__all__ = ["parse_query", "parse_urlencoded", "urlencoded_pairs"]

_NON_EMPTY: Final = re.compile(rb"[^&]+")


def _decode(raw: bytes) -> str:
    """Decode one name or value: ``+`` to space, percent-escapes once, then UTF-8."""
    if b"+" in raw:
        raw = raw.replace(b"+", b" ")
    if b"%" in raw:
        raw = unquote_to_bytes(raw)
    return raw.decode("utf-8", "replace")


def _decode_text(raw: str) -> str:
    """``_decode`` for ASCII text (the common case: browsers percent-encode everything else)."""
    if "+" in raw:
        raw = raw.replace("+", " ")
    if "%" in raw:
        return unquote_to_bytes(raw).decode("utf-8", "replace")
    return raw


def _pairs(data: bytes) -> list[tuple[str, str]]:
    """Every non-empty ``name=value`` pair of ``data``, decoded, in order."""
    pairs: list[tuple[str, str]] = []
    append = pairs.append
    if data.isascii():
        # One decode of the whole input; pairs without escapes are then used as they are.
        for pair in data.decode("ascii").split("&"):
            if not pair:
                continue
            name, _, value = pair.partition("=")
            if "%" in pair or "+" in pair:
                append((_decode_text(name), _decode_text(value)))
            else:
                append((name, value))
        return pairs
    for raw_pair in data.split(b"&"):
        if raw_pair:
            raw_name, _, raw_value = raw_pair.partition(b"=")
            append((_decode(raw_name), _decode(raw_value)))
    return pairs


def _parse(data: bytes) -> dict[str, list[str]]:
    """``_pairs`` grouped by name (names in first-seen order, values in order)."""
    result: dict[str, list[str]] = {}
    get = result.get
    for name, value in _pairs(data):
        values = get(name)
        if values is None:
            result[name] = [value]
        else:
            values.append(value)
    return result


def parse_query(raw: str | bytes) -> MultiDict[str]:
    """Parse a query string (``scope["query_string"]``) into a ``MultiDict``.

    No count limit: the server's request-line limit bounds the input; the work is linear.
    """
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    if not raw:
        return multidict_from_lists({})
    return multidict_from_lists(_parse(raw))


def _check_limits(data: bytes, max_fields: int, max_field_size: int) -> None:
    """Raise ``TooManyFieldsError`` for more than ``max_fields`` non-empty pairs, and
    ``PartTooLargeError`` for an encoded pair longer than ``max_field_size`` bytes, before
    anything is decoded (the count before any list of pairs is built)."""
    if data.count(b"&") >= max_fields:
        # Possibly too many pairs: count the non-empty ones first, stopping at the first one over.
        for count, _ in enumerate(_NON_EMPTY.finditer(data), 1):
            if count > max_fields:
                raise TooManyFieldsError(
                    f"the form has more than {max_fields} fields; send fewer fields",
                    limit=max_fields,
                )
    if len(data) > max_field_size:
        for match in _NON_EMPTY.finditer(data):
            if match.end() - match.start() > max_field_size:
                raise PartTooLargeError(
                    f"a form field is larger than {max_field_size} bytes; send a smaller value",
                    limit=max_field_size,
                )


def parse_urlencoded(data: bytes | str, *, max_fields: int, max_field_size: int) -> MultiDict[str]:
    """Parse a urlencoded form body.

    Raises ``TooManyFieldsError`` when there are more than ``max_fields`` non-empty pairs and
    ``PartTooLargeError`` when one encoded ``name=value`` pair is longer than
    ``max_field_size`` bytes. Both are checked before the pairs are decoded, and the count
    before any list of pairs is built.
    """
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    if not data:
        return multidict_from_lists({})
    _check_limits(data, max_fields, max_field_size)
    return multidict_from_lists(_parse(data))


def urlencoded_pairs(data: bytes, *, max_fields: int, max_field_size: int) -> list[tuple[str, str]]:
    """The decoded pairs of a urlencoded form body in order, with ``parse_urlencoded``'s limits."""
    _check_limits(data, max_fields, max_field_size)
    return _pairs(data)
