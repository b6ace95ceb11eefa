"""Conditional requests (RFC 9110 13.2.2): do a request's preconditions let a 2xx answer go out?

Pure HTTP: nothing here knows about ASGI. ``evaluate_preconditions`` is the one place that
decides between the response, ``304 Not Modified`` and ``412 Precondition Failed``; file
responses (``_files.plan_file_response``) and one-shot responses with ``etag=`` or
``last_modified=`` (``_oneshot._conditional``) both call it. Dates that do not parse
are ignored, as RFC 9110 requires; a malformed entity-tag list never matches (so a malformed
``If-None-Match`` changes nothing and a malformed ``If-Match`` fails). Every header is read in
linear time.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Final, cast

from ._ranges import format_http_date, if_match_matches, if_none_match_matches, parse_http_date

__all__ = [
    "entity_tag",
    "evaluate_preconditions",
    "http_timestamp",
    "request_conditions",
    "validator_headers",
]

_REQUEST_CONDITIONS: Final = frozenset(
    {
        b"if-match",
        b"if-none-match",
        b"if-modified-since",
        b"if-unmodified-since",
        b"range",
        b"if-range",
    }
)
"""Request headers conditional responses read (``range``/``if-range`` for files only)."""

_DATE_CONDITIONS: Final = frozenset({b"if-modified-since", b"if-unmodified-since", b"if-range"})
"""Single-valued date headers: a repeated one has "more than one member" and is ignored."""

_ETAGC: Final = re.compile(r"[\x21\x23-\x7e\x80-\xff]*")
"""``*etagc`` (RFC 9110 8.8.3): visible characters except ``"``, plus obs-text."""

_MIN_TIMESTAMP: Final = math.floor(datetime(1, 1, 2, tzinfo=UTC).timestamp())
_MAX_TIMESTAMP: Final = math.floor(datetime(9999, 12, 31, tzinfo=UTC).timestamp())
"""Bounds of the timestamps an HTTP-date (four-digit year) can express, a day inside."""


def request_conditions(raw: Iterable[tuple[bytes, bytes]]) -> dict[bytes, str]:
    """The conditional and range request headers, in one pass over ``raw``.

    Repeated list headers (``If-None-Match``, ``If-Match``, ``Range``) are joined with
    ``", "`` in linear time; a repeated date header becomes ``""``, which never parses, so it
    is ignored.
    """
    found: dict[bytes, str] = {}
    repeated: dict[bytes, list[str]] | None = None
    for name, value in raw:
        if name in _REQUEST_CONDITIONS:
            text = value.decode("latin-1")
            if name not in found:
                found[name] = text
                continue
            if repeated is None:
                repeated = {}
            repeated.setdefault(name, [found[name]]).append(text)
    if repeated is not None:
        for name, values in repeated.items():
            found[name] = "" if name in _DATE_CONDITIONS else ", ".join(values)
    return found


def evaluate_preconditions(
    method: str, conditions: dict[bytes, str], etag: str | None, last_modified: int | None
) -> int | None:
    """The status the preconditions impose, or ``None`` to send the response as planned.

    RFC 9110 13.2.2, for a representation with entity-tag ``etag`` (quoted, maybe ``W/``) and
    modification time ``last_modified`` (whole seconds since the epoch), either may be unknown:

    1. ``If-Match`` present: unless a listed tag matches by strong comparison (or it is
       ``*``), 412.
    2. Else ``If-Unmodified-Since`` (a valid date, ``last_modified`` known): modified later,
       412.
    3. ``If-None-Match`` present: a tag matches by weak comparison (or ``*``): 304 for ``GET``
       and ``HEAD``, 412 for other methods.
    4. Else, for ``GET``/``HEAD``, ``If-Modified-Since`` (a valid date, ``last_modified``
       known): not modified since, 304.

    Callers evaluate only requests whose response would otherwise be 2xx.
    """
    if_match = conditions.get(b"if-match")
    if if_match is not None:
        if not if_match_matches(if_match, etag):
            return 412
    elif last_modified is not None:
        unmodified_since = conditions.get(b"if-unmodified-since")
        if unmodified_since is not None:
            date = parse_http_date(unmodified_since)
            if date is not None and last_modified > date:
                return 412
    safe = method == "GET" or method == "HEAD"
    if_none_match = conditions.get(b"if-none-match")
    if if_none_match is not None:
        if if_none_match_matches(if_none_match, etag):
            return 304 if safe else 412
    elif safe and last_modified is not None:
        modified_since = conditions.get(b"if-modified-since")
        if modified_since is not None:
            date = parse_http_date(modified_since)
            if date is not None and last_modified <= date:
                return 304
    return None


def entity_tag(validator: str, weak: bool) -> str:
    """The entity-tag (``"v1"`` or ``W/"v1"``) for an opaque ``validator`` given unquoted.

    Raises ``ValueError`` if ``validator`` holds a ``"``, whitespace, a control character or
    a character outside latin-1 (RFC 9110 8.8.3 ``etagc``).
    """
    if not isinstance(cast(object, validator), str) or _ETAGC.fullmatch(validator) is None:
        raise ValueError(
            f"invalid etag {validator!r}: pass the validator without quotes, made of visible "
            'characters other than \'"\' (e.g. etag="v1", weak_etag=True for W/"v1")'
        )
    return f'W/"{validator}"' if weak else f'"{validator}"'


def http_timestamp(last_modified: datetime | float) -> int:
    """Whole seconds since the epoch for a ``Last-Modified`` given as a timezone-aware
    ``datetime`` or a POSIX timestamp (fractions are dropped: HTTP dates have 1 s resolution).

    Raises ``ValueError`` for a naive ``datetime`` and for timestamps that are not finite or
    that an HTTP-date cannot express (before year 1 or after year 9999); ``TypeError`` for
    anything else.
    """
    if isinstance(last_modified, datetime):
        if last_modified.utcoffset() is None:
            raise ValueError(
                "last_modified must be a timezone-aware datetime: a naive one has no defined "
                "instant (use datetime.now(timezone.utc) or .replace(tzinfo=timezone.utc))"
            )
        last_modified = last_modified.timestamp()
    elif isinstance(last_modified, bool) or not isinstance(
        cast(object, last_modified), int | float
    ):
        raise TypeError(
            "last_modified must be a timezone-aware datetime or a POSIX timestamp, "
            f"not {type(last_modified).__name__}"
        )
    if not math.isfinite(last_modified) or not _MIN_TIMESTAMP <= last_modified < _MAX_TIMESTAMP:
        raise ValueError(f"last_modified {last_modified!r} is not a representable POSIX timestamp")
    return math.floor(last_modified)


def validator_headers(etag: str | None, last_modified: int | None) -> list[tuple[bytes, bytes]]:
    """The ``etag`` and ``last-modified`` response headers for known validators."""
    headers: list[tuple[bytes, bytes]] = []
    if etag is not None:
        headers.append((b"etag", etag.encode("latin-1")))
    if last_modified is not None:
        headers.append((b"last-modified", format_http_date(last_modified).encode("ascii")))
    return headers
