"""Pure Range / conditional header parsing (RFC 9110 13 and 14)."""

from __future__ import annotations

import pytest

from asgikit._ranges import (
    MAX_RANGES,
    etag_for,
    format_http_date,
    if_none_match_matches,
    if_range_matches,
    parse_http_date,
    parse_range_header,
)

SIZE = 100


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-9", [(0, 10)]),
        ("bytes=90-", [(90, 100)]),
        ("bytes=-10", [(90, 100)]),
        ("bytes=0-0", [(0, 1)]),
        ("bytes=99-99", [(99, 100)]),
        ("bytes=95-200", [(95, 100)]),
        ("BYTES=0-1", [(0, 2)]),
        (" bytes=0-1 ", [(0, 2)]),
        ("bytes= 0-1 ,\t5-6", [(0, 2), (5, 7)]),
        ("bytes=0-1,,5-6,", [(0, 2), (5, 7)]),
        ("bytes=50-59,0-9", [(0, 10), (50, 60)]),
        ("bytes=0-9,5-14", [(0, 15)]),
        ("bytes=0-9,10-19", [(0, 20)]),
        ("bytes=0-9,0-9", [(0, 10)]),
        ("bytes=0-50,10-20", [(0, 51)]),
        ("bytes=-0,0-1", [(0, 2)]),
        ("bytes=100-,0-1", [(0, 2)]),
    ],
)
def test_satisfiable_ranges_are_clamped_sorted_and_merged(
    header: str, expected: list[tuple[int, int]]
) -> None:
    assert parse_range_header(header, SIZE) == expected


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=100-200", "bytes=-0", "bytes=100-,-0"])
def test_nothing_satisfiable_gives_empty_list(header: str) -> None:
    assert parse_range_header(header, SIZE) == []


@pytest.mark.parametrize(
    "header",
    [
        "",
        "bytes",
        "bytes=",
        "bytes=,",
        "items=0-1",
        "bytes=5-1",
        "bytes=a-b",
        "bytes=0-1-2",
        "bytes=1",
        "bytes=-",
        "bytes=+1-2",
        "bytes=0x1-2",
        "bytes=1 -2",
        "bytes=\u0661-\u0662",  # Arabic-Indic digits: str.isdigit() says yes, HTTP says no
        "bytes=²-3",
        "bytes=0-1,5-1",
    ],
)
def test_malformed_headers_are_ignored(header: str) -> None:
    assert parse_range_header(header, SIZE) is None


def test_ranges_on_an_empty_representation_are_ignored() -> None:
    assert parse_range_header("bytes=-5", 0) is None
    assert parse_range_header("bytes=0-", 0) is None


def test_more_than_max_ranges_are_ignored_but_empty_elements_do_not_count() -> None:
    at_cap = ",".join(f"{i * 2}-{i * 2}" for i in range(MAX_RANGES))
    assert parse_range_header(f"bytes={at_cap}", 1000) is not None
    assert parse_range_header(f"bytes={at_cap},999-999", 1000) is None
    assert parse_range_header(f"bytes={at_cap}" + "," * 500, 1000) is not None
    assert parse_range_header("bytes=0-1,2-3,4-5", 1000, max_ranges=2) is None


ETAG = '"abc"'


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        ('"abc"', True),
        ('W/"abc"', True),
        ('"x", "abc"', True),
        ('"x","abc"', True),
        ('"a,b", "abc"', True),
        ("*", True),
        (" * ", True),
        ('"x"', False),
        ('"ab"', False),
        ("abc", False),
        ('"abc', False),
        ('"abc" junk', False),
        ("W/abc", False),
        ("", False),
        ('"x", *', False),
    ],
)
def test_if_none_match_uses_weak_comparison(header: str, matches: bool) -> None:
    assert if_none_match_matches(header, ETAG) is matches


def test_if_none_match_against_a_weak_etag() -> None:
    assert if_none_match_matches('"abc"', 'W/"abc"')
    assert if_none_match_matches('W/"abc"', 'W/"abc"')


MODIFIED = 784111777


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        ('"abc"', True),
        ('W/"abc"', False),
        ('"other"', False),
        ('"abc", "abc"', False),
        ("Sun, 06 Nov 1994 08:49:37 GMT", True),
        ("Sun, 06 Nov 1994 08:49:36 GMT", False),
        ("Sun, 06 Nov 1994 08:49:38 GMT", False),
        ("yesterday", False),
        ("", False),
    ],
)
def test_if_range_needs_a_strong_match_or_the_exact_date(header: str, matches: bool) -> None:
    assert if_range_matches(header, ETAG, MODIFIED) is matches


def test_if_range_never_matches_a_weak_etag() -> None:
    assert not if_range_matches('"abc"', 'W/"abc"', MODIFIED)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Sun, 06 Nov 1994 08:49:37 GMT", MODIFIED),
        ("Sunday, 06-Nov-94 08:49:37 GMT", MODIFIED),
        ("Sun Nov  6 08:49:37 1994", MODIFIED),
        ("Sun, 06 Nov 1994 09:49:37 +0100", MODIFIED),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0),
        ("Fri, 31 Dec 9999 23:59:59 GMT", 253402300799),
        ("", None),
        ("garbage", None),
        ("Sun, 32 Nov 1994 08:49:37 GMT", None),
        ("Sun, 06 Nov 1994 25:49:37 GMT", None),
        ("Sun, 06 Nov 1994 08:49:37 GMT" + " " * 100, None),
    ],
)
def test_parse_http_date(header: str, expected: int | None) -> None:
    assert parse_http_date(header) == expected


def test_format_http_date_is_imf_fixdate() -> None:
    assert format_http_date(MODIFIED) == "Sun, 06 Nov 1994 08:49:37 GMT"
    assert parse_http_date(format_http_date(MODIFIED)) == MODIFIED


def test_etag_is_strong_and_changes_with_size_and_mtime() -> None:
    assert etag_for(20, 255) == '"ff-14"'
    assert etag_for(21, 255) != etag_for(20, 255)
    assert etag_for(20, 256) != etag_for(20, 255)
