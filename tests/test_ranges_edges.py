"""Edges of Range and conditional-request parsing: one-byte suffixes, exactly ``MAX_RANGES``
ranges, entity-tag lists with odd spacing, dates around leap years and time limits, and the
formatting of HTTP dates (every weekday and month, times before 1970, the bounded cache)."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from email.utils import formatdate
from typing import cast

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from asgikit import _ranges
from asgikit._ranges import (
    MAX_RANGES,
    format_http_date,
    if_match_matches,
    if_none_match_matches,
    if_range_matches,
    parse_http_date,
    parse_range_header,
)


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        ("bytes=-1", 10, [(9, 10)]),
        ("bytes=-1", 1, [(0, 1)]),
        ("bytes=-10", 10, [(0, 10)]),
        ("bytes=-11", 10, [(0, 10)]),
        ("bytes=-0", 10, []),
        ("bytes=0-0", 10, [(0, 1)]),
        ("bytes=0-", 1, [(0, 1)]),
        ("bytes=9-", 10, [(9, 10)]),
        ("bytes=10-", 10, []),
        ("bytes=9-9", 10, [(9, 10)]),
        ("bytes=8-9", 10, [(8, 10)]),
        ("bytes=8-10", 10, [(8, 10)]),
        ("bytes=1-1", 10, [(1, 2)]),
        ("bytes=0002-0003", 10, [(2, 4)]),
        ("bytes=9-10", 100, [(9, 11)]),
        ("Bytes=1-2", 10, [(1, 3)]),
        ("\tbytes=1-2 ", 10, [(1, 3)]),
        ("bytes=1-2,3-4", 10, [(1, 5)]),
        ("bytes=3-4,0-1", 10, [(0, 2), (3, 5)]),
        ("bytes=0-5,2-3", 10, [(0, 6)]),
        ("bytes=0-2,2-5", 10, [(0, 6)]),
        ("bytes=0-1, ,-2", 10, [(0, 2), (8, 10)]),
        ("bytes=" + "9" * 70 + "-", 10, []),
        ("bytes=0-" + "9" * 70, 10, [(0, 10)]),
        ("bytes=-" + "9" * 70, 10, [(0, 10)]),
    ],
)
def test_byte_ranges_are_exact(header: str, size: int, expected: list[tuple[int, int]]) -> None:
    assert parse_range_header(header, size) == expected


@pytest.mark.parametrize(
    "header",
    [
        "bytes=",
        "bytes=,",
        "bytes= , ",
        "bytes=5-1",
        "bytes=10-9",
        "bytes=" + "2" * 70 + "-" + "1" * 70,
        "bytes=1",
        "bytes=-",
        "bytes=a-1",
        "bytes=1-a",
        "bytes=-a",
        "bytes=1 -2",
        "bytes=1-2-3",
        "bytes=+1-2",
        "bytes 1-2",
        "items=1-2",
        "bytes=0-1,5-1",
    ],
)
def test_malformed_range_headers_are_ignored(header: str) -> None:
    assert parse_range_header(header, 10) is None


def test_empty_and_one_byte_representations() -> None:
    assert parse_range_header("bytes=0-0", 0) is None
    assert parse_range_header("bytes=0-0", 1) == [(0, 1)]


def test_exactly_max_ranges_are_served_and_one_more_is_ignored() -> None:
    assert MAX_RANGES == 100
    exact = ",".join(f"{2 * i}-{2 * i}" for i in range(100))
    assert parse_range_header(f"bytes={exact}", 1000) == [(2 * i, 2 * i + 1) for i in range(100)]
    assert parse_range_header(f"bytes={exact},,, ,", 1000) is not None
    assert parse_range_header(f"bytes={exact},300-300", 1000) is None
    assert parse_range_header("bytes=0-0,2-2,4-4", 10, max_ranges=3) == [(0, 1), (2, 3), (4, 5)]
    assert parse_range_header("bytes=0-0,2-2,4-4,6-6", 10, max_ranges=3) is None


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        ('"a" ,"b"', True),
        ('"x"\t, "a"', True),
        ('"x" \t,\t"a"  ', True),
        ('W/"a"', True),
        ('W/"x", W/"a"', True),
        ("W/", False),
        ('"x", W/', False),
        ('W/ "a"', False),
        ('"a" "b"', False),
        ('"x" x, "a"', False),
        ('"a', False),
        ("a", False),
        ('a", "a"', False),
        (', "a', False),
        ('"b", "a', False),
        ("", False),
        (" , ,", False),
        (" * ", True),
        ("*,", False),
        ('"b", "c"', False),
    ],
)
def test_if_none_match_lists(header: str, matches: bool) -> None:
    assert if_none_match_matches(header, '"a"') is matches
    assert if_none_match_matches(header, 'W/"a"') is matches


@pytest.mark.parametrize(
    ("header", "etag", "matches"),
    [
        ('"a"', '"a"', True),
        (' "a"\t', '"a"', True),
        ('"a"', 'W/"a"', False),
        ('W/"a"', '"a"', False),
        ('"a", "a"', '"a"', False),
        ('"b"', '"a"', False),
        ('"a', '"a"', False),
        ("W/", '"a"', False),
        ("", '"a"', False),
    ],
)
def test_if_range_entity_tags(header: str, etag: str, matches: bool) -> None:
    assert if_range_matches(header, etag, 0) is matches


def test_if_range_dates_must_equal_the_last_modified_time() -> None:
    stamp = 784111777  # Sun, 06 Nov 1994 08:49:37 GMT
    header = "Sun, 06 Nov 1994 08:49:37 GMT"
    assert if_range_matches(header, '"a"', stamp)
    assert not if_range_matches(header, '"a"', stamp + 1)
    assert not if_range_matches(header, '"a"', stamp - 1)
    assert not if_range_matches("not a date", '"a"', stamp)


DATES = st.datetimes(min_value=datetime(1600, 1, 1), max_value=datetime(2400, 12, 31, 23, 59, 59))


@given(when=DATES)
def test_imf_rfc850_and_asctime_dates_give_the_same_timestamp(when: datetime) -> None:
    expected = calendar.timegm(when.timetuple())
    imf = when.strftime("%a, %d %b %Y %H:%M:%S GMT")
    asctime = when.strftime("%a %b %d %H:%M:%S %Y").replace(" 0", "  ", 1)
    assert parse_http_date(imf) == expected
    assert parse_http_date(asctime) == expected
    if 1970 <= when.year <= 2068:
        rfc850 = when.strftime("%A, %d-%b-%y %H:%M:%S GMT")
        assert parse_http_date(rfc850) == expected


@pytest.mark.parametrize("year", [1900, 1999, 2000, 2001, 2002, 2003, 2004, 2100])
@pytest.mark.parametrize(("month", "day"), [(1, 1), (2, 28), (3, 1), (12, 31)])
def test_dates_around_leap_years_and_centuries(year: int, month: int, day: int) -> None:
    when = datetime(year, month, day, 23, 59, 59, tzinfo=UTC)
    header = when.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert parse_http_date(header) == int(when.timestamp())


def test_february_29_in_leap_years() -> None:
    for year in (2000, 2004, 2024):
        when = datetime(year, 2, 29, 12, 0, 0, tzinfo=UTC)
        assert parse_http_date(when.strftime("%a, %d %b %Y %H:%M:%S GMT")) == int(when.timestamp())


@pytest.mark.parametrize(
    ("clock", "valid"),
    [
        ("23:59:59", True),
        ("00:00:00", True),
        ("23:59:60", True),
        ("24:00:00", False),
        ("23:60:00", False),
        ("23:59:61", False),
    ],
)
def test_time_of_day_limits(clock: str, valid: bool) -> None:
    parsed = parse_http_date(f"Sat, 01 Jan 2000 {clock} GMT")
    hours, minutes, seconds = map(int, clock.split(":"))
    expected = 946684800 + hours * 3600 + minutes * 60 + seconds
    assert parsed == (expected if valid else None)


@pytest.mark.parametrize(
    ("day", "valid"), [("01", True), ("31", True), ("00", False), ("32", False)]
)
def test_day_of_month_limits(day: str, valid: bool) -> None:
    parsed = parse_http_date(f"Mon, {day} Jan 2001 00:00:00 GMT")
    assert (parsed == 978307200 + (int(day) - 1) * 86400) if valid else parsed is None


def test_numeric_zones_are_applied() -> None:
    assert parse_http_date("Sat, 01 Jan 2000 01:00:00 +0100") == 946684800
    assert parse_http_date("Fri, 31 Dec 1999 23:00:00 -0100") == 946684800


def test_dates_up_to_64_characters_are_parsed_and_longer_ones_refused() -> None:
    date = "Sat, 01 Jan 2000 00:00:00 GMT"
    assert parse_http_date(date + " " * (64 - len(date))) == 946684800
    assert parse_http_date(date + " " * (65 - len(date))) is None


@given(digits=st.integers(min_value=1, max_value=80), lead=st.integers(min_value=1, max_value=9))
@example(digits=64, lead=1)
@example(digits=65, lead=1)
def test_range_numbers_are_exact_up_to_64_digits_and_saturate_beyond(
    digits: int, lead: int
) -> None:
    """A position of up to 64 significant digits keeps its exact value; a longer one reads as
    10**64 (larger than any file), so ``int()`` never runs on a huge digit string. Seen through
    a representation larger than both, where the start of the range shows the value read."""
    text = str(lead) + "0" * (digits - 1)
    size = 10**90
    expected_first = int(text) if digits <= 64 else 10**64
    assert parse_range_header(f"bytes={text}-", size) == [(expected_first, size)]
    assert parse_range_header(f"bytes=-{text}", size) == [(size - expected_first, size)]


@given(
    spec=st.sampled_from(["0-1", "-1", "3-", "2-4,6-7"]),
    junk=st.sampled_from("Xx0a!+\x0b\x0c"),
    before=st.booleans(),
)
def test_only_spaces_and_tabs_around_a_range_header_are_ignored(
    spec: str, junk: str, before: bool
) -> None:
    """``bytes=0-1`` with any other character glued to either end is malformed (and the whole
    file is sent), while spaces and tabs there are optional whitespace."""
    header = junk + f"bytes={spec}" if before else f"bytes={spec}" + junk
    if junk == "0" and not before and spec != "3-":
        # A trailing digit extends the last number: still a valid header, with another value.
        assert parse_range_header(header, 100) is not None
    else:
        assert parse_range_header(header, 100) is None
    assert parse_range_header(f" \t bytes={spec}\t ", 100) == parse_range_header(
        f"bytes={spec}", 100
    )


@given(junk=st.sampled_from("Xx0a!+;"), etag=st.sampled_from(['"a"', 'W/"a"']))
def test_an_entity_tag_followed_by_anything_but_a_comma_is_malformed(junk: str, etag: str) -> None:
    """``If-None-Match: "a"X`` never matches (a malformed header), while spaces, tabs and
    commas after a tag are list syntax."""
    assert not if_none_match_matches(f"{etag}{junk}", '"a"')
    assert not if_none_match_matches(f'{etag}{junk}, "b"', '"a"')
    assert if_none_match_matches(f'{etag} \t, "b"', '"a"')
    assert not if_range_matches(f'"a"{junk}', '"a"', 0)
    assert if_range_matches('"a"\t ', '"a"', 0)


@given(
    first=st.integers(min_value=1, max_value=10**70),
    below=st.integers(min_value=1, max_value=10**70),
    first_zeros=st.integers(min_value=0, max_value=5),
    last_zeros=st.integers(min_value=0, max_value=5),
)
def test_a_range_ending_before_it_starts_is_ignored_whatever_the_leading_zeros(
    first: int, below: int, first_zeros: int, last_zeros: int
) -> None:
    """``bytes=5-0003`` ends before it starts: the header is malformed and ignored, however
    many leading zeros either number carries (numbers are compared by value, not by length)."""
    last = max(first - below, 0)
    header = f"bytes={'0' * first_zeros}{first}-{'0' * last_zeros}{last}"
    assert parse_range_header(header, 10**80) is None
    assert parse_range_header(f"bytes={'0' * last_zeros}{last}-{'0' * first_zeros}{first}", 10**80)


@given(
    first=st.text(alphabet="ax+_.٣", min_size=1, max_size=4),
    last=st.sampled_from(["", "0", "5", "99", "a"]),
)
def test_a_range_whose_start_is_not_ascii_digits_is_ignored(first: str, last: str) -> None:
    """``bytes=a-`` and ``bytes=٣-5`` (an Arabic-Indic digit) are malformed, whatever follows
    the dash: the header is ignored, never an exception."""
    assert parse_range_header(f"bytes={first}-{last}", 100) is None
    assert parse_range_header(f"bytes=0-1,{first}-{last}", 100) is None


@given(junk=st.sampled_from("Xx0a!+;W"), etag=st.sampled_from(['"a"', 'W/"a"']), lead=st.booleans())
def test_anything_but_spaces_tabs_and_commas_before_an_entity_tag_is_malformed(
    junk: str, etag: str, lead: bool
) -> None:
    """``If-None-Match: X"a"`` (or ``"b", X"a"``) never matches: only spaces, tabs and commas
    may stand between the tags of a list."""
    header = f"{junk}{etag}" if lead else f'"b", {junk}{etag}'
    assert not if_none_match_matches(header, '"a"')
    assert if_none_match_matches(f' ,\t, {etag}, "b"', '"a"')


@given(
    spans=st.lists(
        st.tuples(st.integers(min_value=0, max_value=30), st.integers(min_value=0, max_value=8)),
        min_size=1,
        max_size=6,
    )
)
def test_ranges_are_the_maximal_runs_of_requested_bytes(spans: list[tuple[int, int]]) -> None:
    """Overlapping and touching ranges merge into the maximal runs of the bytes they cover,
    in order, each run once."""
    size = 32
    header = "bytes=" + ",".join(f"{first}-{first + extra}" for first, extra in spans)
    covered = sorted(
        {b for first, extra in spans for b in range(first, first + extra + 1) if b < size}
    )
    runs: list[tuple[int, int]] = []
    for byte in covered:
        if runs and runs[-1][1] == byte:
            runs[-1] = (runs[-1][0], byte + 1)
        else:
            runs.append((byte, byte + 1))
    assert parse_range_header(header, size) == runs


@given(
    timestamp=st.one_of(
        st.integers(min_value=-62135596800, max_value=253402300799),
        st.integers(min_value=-(10**12), max_value=10**13).map(lambda ms: ms / 1000),
    )
)
@example(timestamp=-0.5)
@example(timestamp=-86400.25)
@example(timestamp=784111777.9)
def test_http_dates_are_formatted_as_the_standard_library_does(timestamp: float) -> None:
    """``format_http_date`` writes the IMF-fixdate that ``email.utils.formatdate`` writes, for
    any time from year 1 to 9999: fractions of a second (here milliseconds) are dropped towards
    the past, so ``-0.5`` is the last second of 1969, not the first of 1970."""
    assert format_http_date(timestamp) == formatdate(timestamp, usegmt=True)


@pytest.mark.parametrize("day", range(14))
def test_every_weekday_and_month_has_its_english_name(day: int) -> None:
    """Two weeks from Monday 1 January 2001, and the first of every month of 2001: the names
    are the fixed English abbreviations, whatever the locale."""
    monday = 978307200  # Mon, 01 Jan 2001 00:00:00 GMT
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    assert (
        format_http_date(monday + day * 86400)
        == f"{names[day % 7]}, {day + 1:02d} Jan 2001 00:00:00 GMT"
    )
    if day < 12:
        first = datetime(2001, day + 1, 1, tzinfo=UTC)
        month = (
            "Jan",
            "Feb",
            "Mar",
            "Apr",
            "May",
            "Jun",
            "Jul",
            "Aug",
            "Sep",
            "Oct",
            "Nov",
            "Dec",
        )[day]
        assert format_http_date(first.timestamp()).endswith(f" 01 {month} 2001 00:00:00 GMT")


def _cache(name: str = "_formatted_dates") -> dict[int, str]:
    """A private cache of ``_ranges``, to check its bound."""
    return cast("dict[int, str]", getattr(_ranges, name))


def test_formatted_dates_are_cached_up_to_256_and_the_cache_then_starts_over() -> None:
    """A modification time sent again is formatted once (the same string object comes back),
    and the cache never holds more than 256 dates, so a stream of new times cannot grow it."""
    first = format_http_date(10**9)
    assert format_http_date(10**9) is first
    for offset in range(1, 1000):
        format_http_date(10**9 + offset)
        assert len(_cache()) <= 256
    _cache().clear()
    for offset in range(256):
        format_http_date(2 * 10**9 + offset)
    assert len(_cache()) == 256


@given(
    field=st.sampled_from(["hour", "minute", "second"]),
    value=st.integers(min_value=-99, max_value=-1),
)
def test_a_negative_time_field_makes_a_date_malformed(field: str, value: int) -> None:
    """``Sat, 01 Jan 2000 -1:00:00 GMT`` is not a time of day (it is not 23:00 the day before):
    a signed negative hour, minute or second makes the date malformed, so it is ignored."""
    clock = {"hour": "00", "minute": "00", "second": "00"}
    clock[field] = str(value)
    header = f"Sat, 01 Jan 2000 {clock['hour']}:{clock['minute']}:{clock['second']} GMT"
    assert parse_http_date(header) is None
    assert not if_range_matches(header, '"a"', 946684800 + value)
    assert parse_http_date("Sat, 01 Jan 2000 00:00:00 GMT") == 946684800


@pytest.mark.parametrize(
    "header", ["W/, 06 Nov 1994 08:49:37 GMT", "W/Sun, 06 Nov 1994 08:49:37 GMT", 'W/"a"']
)
def test_an_if_range_starting_with_a_weak_prefix_never_matches(header: str) -> None:
    """``If-Range: W/...`` is a weak entity-tag or malformed, never a date, even when the rest
    reads as the exact modification time (``W/,`` would pass as a day name)."""
    assert not if_range_matches(header, '"a"', 784111777)
    assert if_range_matches(header.removeprefix("W/"), '"a"', 784111777)


@pytest.mark.parametrize("etag", ['""', 'W/""'])
def test_an_empty_entity_tag_is_a_tag_like_any_other(etag: str) -> None:
    """``""`` is a valid entity-tag (an empty opaque tag): it is found in a list, and its
    closing quote is not mistaken for the opening quote of the next tag."""
    assert if_none_match_matches(f'"b", {etag}, "c"', '""')
    assert if_none_match_matches(f'{etag}, "b"', '""')
    assert not if_none_match_matches(f'{etag}, "b"', '"c"')
    assert if_match_matches('"", "b"', '""')
    assert if_range_matches('""', '""', 0)


@pytest.mark.parametrize(
    ("header", "etag", "matches"),
    [
        ("*", '"a"', True),
        (" *\t", '"a"', True),
        ("*", None, True),
        ('"a"', '"a"', True),
        ('\t"a" ', '"a"', True),
        ('"b", "a"', '"a"', True),
        (' , "b",\t"a" ,', '"a"', True),
        ('W/"a"', '"a"', False),
        ('"a"', 'W/"a"', False),
        ('W/"a"', 'W/"a"', False),
        ('"a"', None, False),
        ('"b"', '"a"', False),
        ('"a', '"a"', False),
        ('"a"x', '"a"', False),
        ("a", '"a"', False),
        ("", '"a"', False),
        ("*, *", '"a"', False),
    ],
)
def test_if_match_uses_strong_comparison(header: str, etag: str | None, matches: bool) -> None:
    """``If-Match`` matches ``*`` or a listed strong tag equal to the current strong tag; a weak
    tag on either side, an unknown tag (``None``) or a malformed list never matches."""
    assert if_match_matches(header, etag) is matches


@pytest.mark.parametrize("header", ['"a"', '"a", "b"', 'W/"a"', "  ", '"a'])
def test_if_none_match_with_an_unknown_entity_tag_matches_only_star(header: str) -> None:
    """With no entity-tag known for the representation (``None``), no listed tag can match;
    ``*`` still matches any current representation."""
    assert if_none_match_matches(header, None) is False
    assert if_none_match_matches("*", None) is True


# The range of last-modified times a response may carry (year 1 to 9999).
EARLIEST_DATE = calendar.timegm((1, 1, 2, 0, 0, 0))
LATEST_DATE = calendar.timegm((9999, 12, 31, 0, 0, 0))


@given(st.integers(min_value=EARLIEST_DATE, max_value=LATEST_DATE - 1))
def test_every_formatted_http_date_reads_back_as_the_same_second(timestamp: int) -> None:
    assert parse_http_date(format_http_date(timestamp)) == timestamp


@pytest.mark.parametrize(
    ("written", "year"),
    [("0000", 0), ("0001", 1), ("0069", 69), ("0099", 99), ("0100", 100), ("1999", 1999)],
)
def test_a_four_digit_year_means_that_year_in_every_form_that_writes_one(
    written: str, year: int
) -> None:
    expected = calendar.timegm((year, 11, 6, 8, 49, 37)) if year >= 1 else None
    for value in (f"Sun, 06 Nov {written} 08:49:37 GMT", f"Sun Nov  6 08:49:37 {written}"):
        parsed = parse_http_date(value)
        if expected is not None:
            assert parsed == expected
        assert parsed is not None and parsed < calendar.timegm((year + 1, 1, 1, 0, 0, 0))


@pytest.mark.parametrize(
    ("written", "year"), [("69", 1969), ("94", 1994), ("00", 2000), ("68", 2068)]
)
def test_a_two_digit_year_of_the_rfc_850_form_keeps_its_century_rule(
    written: str, year: int
) -> None:
    value = f"Sunday, 06-Nov-{written} 08:49:37 GMT"
    assert parse_http_date(value) == calendar.timegm((year, 11, 6, 8, 49, 37))
