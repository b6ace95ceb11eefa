"""Fuzz the ``Range`` and conditional header parsers (``asgikit._ranges``).

Input layout: the header text from the front, control integers from the end.

- ``parse_range_header``: never raises; the result is ``None``, ``[]`` or sorted, merged,
  non-empty half-open ranges inside ``[0, size)``, at most ``max_ranges`` of them; for small
  sizes the covered bytes equal those of a brute-force reference of RFC 9110 section 14.1.
- ``if_none_match_matches`` / ``if_range_matches`` / ``parse_http_date``: never raise and
  return the documented types; an ETag matches itself; ``format_http_date`` round-trips.

Run: ``.venv/bin/python tests/fuzz/fuzz_ranges.py -max_total_time=60 tests/fuzz/corpus/ranges``
"""

from __future__ import annotations

import re
import sys

import atheris

with atheris.instrument_imports(include=["asgikit"]):
    from asgikit._ranges import (
        format_http_date,
        if_none_match_matches,
        if_range_matches,
        parse_http_date,
        parse_range_header,
    )

from _harness import STRICT, run

SIZES = (100, 0, 1, 2, 7, 64, 10**12)
MAX_RANGES = (100, 1, 2, 5)
# 9999-12-31T23:59:59Z: the last second an IMF-fixdate can express with four year digits.
LAST_DATE = 253402300799
# Known finding (tests/test_fuzz_regressions.py): numbers written with more than 18 digits,
# even "000...05", are all read as 10**18. Tolerated unless FUZZ_STRICT=1.
LONG_NUMBER = re.compile(r"[0-9]{19,}")


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _reference(value: str, size: int, max_ranges: int) -> set[int] | None:
    """Bytes selected by a Range header, straight from the RFC grammar (small ``size`` only)."""
    unit, sep, range_set = value.strip(" \t").partition("=")
    if not sep or unit.lower() != "bytes" or size <= 0:
        return None
    specs = [spec.strip(" \t") for spec in range_set.split(",")]
    specs = [spec for spec in specs if spec]
    if not specs or len(specs) > max_ranges:
        return None
    selected: set[int] = set()
    for spec in specs:
        first, dash, last = spec.partition("-")
        if not dash:
            return None
        if not first:
            if not _digits(last):
                return None
            selected.update(range(max(size - int(last), 0), size))
            continue
        if not _digits(first) or (last and not _digits(last)):
            return None
        if last and int(last) < int(first):
            return None
        stop = size if not last else min(int(last) + 1, size)
        selected.update(range(int(first), stop))
    return selected


def _check_ranges(fdp: atheris.FuzzedDataProvider) -> None:
    size = SIZES[fdp.ConsumeIntInRange(0, len(SIZES) - 1)]
    max_ranges = MAX_RANGES[fdp.ConsumeIntInRange(0, len(MAX_RANGES) - 1)]
    value = fdp.ConsumeUnicode(fdp.remaining_bytes())
    result = parse_range_header(value, size, max_ranges=max_ranges)
    if result is not None:
        assert len(result) <= max_ranges, (value, result)
        previous_stop = -1
        for start, stop in result:
            assert type(start) is int and type(stop) is int, (start, stop)
            assert 0 <= start < stop <= size, (value, size, result)
            assert start > previous_stop, ("not merged", value, result)
            previous_stop = stop
    if size <= 100 and len(value) < 4000 and (STRICT or LONG_NUMBER.search(value) is None):
        expected = _reference(value, size, max_ranges)
        if expected is None:
            assert result is None, (value, size, result)
        else:
            assert result is not None, (value, size, expected)
            covered = {i for start, stop in result for i in range(start, stop)}
            assert covered == expected, (value, size, result)


def _check_conditionals(fdp: atheris.FuzzedDataProvider) -> None:
    last_modified = fdp.ConsumeIntInRange(0, LAST_DATE)
    tag = fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 20)).replace('"', "")
    etag = f'"{tag}"'
    value = fdp.ConsumeUnicode(fdp.remaining_bytes())
    assert type(if_none_match_matches(value, etag)) is bool
    assert type(if_range_matches(value, etag, last_modified)) is bool
    assert type(if_none_match_matches(value, value)) is bool
    date = parse_http_date(value)
    assert date is None or type(date) is int, date
    assert if_none_match_matches(etag, etag)
    assert if_none_match_matches(f"W/{etag}", etag)
    assert if_none_match_matches(f"{etag}, W/{etag}", "W/" + etag)
    assert if_range_matches(etag, etag, last_modified)
    assert not if_range_matches(f"W/{etag}", etag, last_modified)
    stamp = format_http_date(last_modified)
    assert parse_http_date(stamp) == last_modified, (stamp, last_modified)
    assert if_range_matches(stamp, etag, last_modified)


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    if fdp.ConsumeIntInRange(0, 1) == 0:
        _check_ranges(fdp)
    else:
        _check_conditionals(fdp)


if __name__ == "__main__":
    run(test_one_input)
    sys.exit(0)
