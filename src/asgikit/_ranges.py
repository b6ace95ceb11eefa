"""``Range`` and conditional request headers (RFC 9110 sections 13 and 14), parsed in linear time.

Pure HTTP: nothing here knows about ASGI. Every parser takes the raw header text and never
raises for bad input; malformed headers give the documented "ignore" result instead.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_tz
from typing import Final

__all__ = [
    "MAX_RANGES",
    "etag_for",
    "format_http_date",
    "if_match_matches",
    "if_none_match_matches",
    "if_range_matches",
    "parse_http_date",
    "parse_range_header",
]

MAX_RANGES: Final = 100
"""Requests asking for more byte ranges than this are answered with the whole file (200)."""

# Digit strings longer than this are larger than any file; int() is never called on them
# (Python refuses to convert more than 4300 digits, and big conversions cost time).
_MAX_DIGITS: Final = 64
_HUGE: Final = 10**_MAX_DIGITS

_OWS = " \t"
_ASCII_DIGITS = re.compile(r"[0-9]+")


def _number(digits: str) -> int | None:
    """An ASCII digit string as an int, else ``None``.

    Leading zeros are allowed (``1*DIGIT``). A number of more than ``_MAX_DIGITS`` significant
    digits reads as ``_HUGE``: larger than any representation, and ``int()`` (quadratic in the
    digit count) is never run on it. Order such numbers with ``_digits_less``.
    """
    if not digits or _ASCII_DIGITS.fullmatch(digits) is None:
        return None
    significant = digits.lstrip("0")
    if len(significant) > _MAX_DIGITS:
        return _HUGE
    return int(significant or "0")


def _digits_less(a: str, b: str) -> bool:
    """Exact ``int(a) < int(b)`` for digit strings of any length, without converting them."""
    a = a.lstrip("0")
    b = b.lstrip("0")
    return (len(a), a) < (len(b), b)


def parse_range_header(
    value: str, size: int, *, max_ranges: int = MAX_RANGES
) -> list[tuple[int, int]] | None:
    """Parse a ``Range`` header against a representation of ``size`` bytes.

    Returns:
        ``None`` when the header must be ignored and the whole representation sent (not the
        ``bytes`` unit, a syntax error such as ``bytes=5-1``, more than ``max_ranges`` ranges,
        or an empty representation); ``[]`` when no range is satisfiable (answer 416 with
        ``Content-Range: bytes */size``); otherwise the satisfiable ranges as half-open
        ``(start, stop)`` pairs, clamped to ``size``, sorted, with overlapping and adjacent
        ranges merged.
    """
    unit, sep, range_set = value.strip(_OWS).partition("=")
    if not sep or unit.lower() != "bytes" or size <= 0:
        return None
    specs = range_set.split(",")
    if len(specs) > max_ranges and sum(1 for spec in specs if spec.strip(_OWS)) > max_ranges:
        return None
    ranges: list[tuple[int, int]] = []
    seen = 0
    for raw_spec in specs:
        spec = raw_spec.strip(_OWS)
        if not spec:
            continue  # RFC 9110 5.6.1: empty list elements are allowed
        seen += 1
        first_text, dash, last_text = spec.partition("-")
        if not dash:
            return None
        if not first_text:
            suffix = _number(last_text)
            if suffix is None:
                return None
            if suffix > 0:
                ranges.append((max(size - suffix, 0), size))
            continue
        first = _number(first_text)
        if first is None:
            return None
        if last_text:
            last = _number(last_text)
            if last is None or _digits_less(last_text, first_text):
                return None
        else:
            last = size - 1
        if first < size:
            ranges.append((first, min(last, size - 1) + 1))
    if seen == 0:
        return None
    return _merge(ranges)


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort half-open ranges and merge the ones that overlap or touch: O(n log n)."""
    if len(ranges) < 2:
        return ranges
    ranges.sort()
    merged = [ranges[0]]
    for start, stop in ranges[1:]:
        last_start, last_stop = merged[-1]
        if start <= last_stop:
            if stop > last_stop:
                merged[-1] = (last_start, stop)
        else:
            merged.append((start, stop))
    return merged


def _entity_tags(value: str) -> list[tuple[bool, str]] | None:
    """Split a list of entity-tags (``W/"a", "b,c"``) into ``(weak, opaque_tag)`` pairs.

    Commas may appear inside quoted tags, so this scans rather than splits. ``None`` means
    the header is malformed.
    """
    tags: list[tuple[bool, str]] = []
    index, length = 0, len(value)
    while True:
        while index < length and value[index] in " \t,":
            index += 1
        if index >= length:
            return tags
        weak = value.startswith("W/", index)
        if weak:
            index += 2
        if index >= length or value[index] != '"':
            return None
        close = value.find('"', index + 1)
        if close < 0:
            return None
        tags.append((weak, value[index : close + 1]))
        index = close + 1
        while index < length and value[index] in _OWS:
            index += 1
        if index < length and value[index] != ",":
            return None


def if_none_match_matches(value: str, etag: str | None) -> bool:
    """Whether an ``If-None-Match`` header matches ``etag`` (weak comparison, RFC 9110 13.1.2).

    ``*`` matches any current representation; ``W/`` prefixes on either side are ignored. A
    malformed header never matches, nor does a list when ``etag`` is ``None`` (unknown).
    """
    value = value.strip(_OWS)
    if value == "*" or value == etag:  # the tag a client got back, verbatim: no parsing
        return True
    if etag is None:
        return False
    tags = _entity_tags(value)
    if not tags:
        return False
    opaque = etag.removeprefix("W/")
    return any(tag == opaque for _, tag in tags)


def if_match_matches(value: str, etag: str | None) -> bool:
    """Whether an ``If-Match`` header matches ``etag`` (strong comparison, RFC 9110 13.1.1).

    ``*`` matches any current representation. Otherwise a listed tag must equal ``etag`` and
    neither may be weak. A malformed header, or an unknown ``etag`` (``None``), never matches.
    """
    value = value.strip(_OWS)
    if value == "*":
        return True
    if etag is None or etag.startswith("W/"):
        return False
    tags = _entity_tags(value)
    if not tags:
        return False
    return any(not weak and tag == etag for weak, tag in tags)


def if_range_matches(value: str, etag: str, last_modified: int) -> bool:
    """Whether an ``If-Range`` header lets a Range request be answered with 206 (RFC 9110 13.1.5).

    An entity-tag must match ``etag`` by strong comparison: weak tags (``W/"x"``) never match,
    nor does a weak ``etag``. An HTTP-date must equal ``last_modified`` (seconds since the epoch)
    exactly. Anything malformed does not match, so the whole representation is sent.
    """
    value = value.strip(_OWS)
    if value.startswith(('"', "W/")):
        tags = _entity_tags(value)
        if tags is None or len(tags) != 1:
            return False
        weak, tag = tags[0]
        return not weak and not etag.startswith("W/") and tag == etag
    date = parse_http_date(value)
    return date is not None and date == last_modified


_EARLY_FOUR_DIGIT_YEAR: Final = re.compile(r"(?<![\d:+-])(00\d\d)(?![\d:])")
"""A four-digit year 0000-0099 standing alone (not part of a time or a numeric zone)."""


def parse_http_date(value: str) -> int | None:
    """An HTTP-date (IMF-fixdate, RFC 850 or asctime form) as seconds since the epoch, or ``None``.

    Values longer than any valid date are rejected without parsing.
    """
    if len(value) > 64:
        return None
    try:
        parsed = parsedate_tz(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    year, month, day, hour, minute, second = parsed[:6]
    # parsedate_tz reads every year below 100 as a two-digit year (0001 becomes 2001); a year
    # written with four digits, as IMF-fixdate and asctime write it, means that year.
    written = _EARLY_FOUR_DIGIT_YEAR.search(value)
    if written is not None:
        year = int(written.group(1))
    # parsedate_tz reads "-1:00:00" as hour -1: signed time fields are malformed, not a time.
    if not (
        1 <= month <= 12
        and 1 <= day <= 31
        and 0 <= hour <= 23
        and 0 <= minute <= 59
        and 0 <= second <= 60
    ):
        return None
    return _epoch(year, month, day, hour, minute, second) - (parsed[9] or 0)


def _epoch(year: int, month: int, day: int, hour: int, minute: int, second: int) -> int:
    """Seconds since 1970-01-01T00:00:00Z for a proleptic Gregorian UTC date (no range errors)."""
    # Days-from-civil algorithm (H. Hinnant), valid for any year.
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    mp = (month + 9) % 12
    doy = (153 * mp + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days = era * 146097 + doe - 719468
    return ((days * 24 + hour) * 60 + minute) * 60 + second


_DAY_NAMES: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES: Final = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip
_formatted_dates: dict[int, str] = {}
_MAX_FORMATTED_DATES: Final = 256


def format_http_date(timestamp: float) -> str:
    """An IMF-fixdate (``Sun, 06 Nov 1994 08:49:37 GMT``) for a POSIX timestamp (whole seconds).

    Recent results are cached: responses keep sending the same few modification times.
    """
    seconds = int(timestamp // 1)
    found = _formatted_dates.get(seconds)
    if found is None:
        moment = datetime.fromtimestamp(seconds, UTC)
        found = (
            f"{_DAY_NAMES[moment.weekday()]}, {moment.day:02d} {_MONTH_NAMES[moment.month - 1]} "
            f"{moment.year:04d} {moment.hour:02d}:{moment.minute:02d}:{moment.second:02d} GMT"
        )
        if len(_formatted_dates) >= _MAX_FORMATTED_DATES:
            _formatted_dates.clear()
        _formatted_dates[seconds] = found
    return found


def etag_for(size: int, mtime_ns: int) -> str:
    """A strong entity-tag derived from a file's size and modification time (as nginx does).

    Strong so that ``If-Range`` can use it; it changes whenever the size or mtime changes.
    """
    return f'"{mtime_ns:x}-{size:x}"'
