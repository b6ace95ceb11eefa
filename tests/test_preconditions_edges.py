"""Edges of conditional requests that the mutation run of ``_preconditions`` showed untested:
dates exactly at, one second before and one second after the modification time (in all three
HTTP-date forms), the order of the RFC 9110 steps, repeated condition lines, the bounds of the
timestamps ``last_modified`` accepts, and the characters an entity-tag may hold."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asgikit._preconditions import (
    entity_tag,
    evaluate_preconditions,
    http_timestamp,
    request_conditions,
    validator_headers,
)

MIN_TIMESTAMP = math.floor(datetime(1, 1, 2, tzinfo=UTC).timestamp())
MAX_TIMESTAMP = math.floor(datetime(9999, 12, 31, tzinfo=UTC).timestamp())

MODIFIED = 784111777  # Sun, 06 Nov 1994 08:49:37 GMT
SAFE = ("GET", "HEAD")
UNSAFE = ("POST", "PUT", "DELETE", "PATCH", "OPTIONS")


def imf_fixdate(moment: datetime) -> str:
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


def rfc850_date(moment: datetime) -> str:
    return moment.strftime("%A, %d-%b-%y %H:%M:%S GMT")


def asctime_date(moment: datetime) -> str:
    return f"{moment:%a %b} {moment.day:2d} {moment:%H:%M:%S %Y}"


DateForm = Callable[[datetime], str]
FORMATS: st.SearchStrategy[DateForm] = st.sampled_from([imf_fixdate, rfc850_date, asctime_date])
# RFC 850 dates carry two-digit years: keep the moments where the century is unambiguous.
MOMENTS = st.datetimes(datetime(1970, 1, 1), datetime(2037, 12, 31), timezones=st.just(UTC))
OFFSETS = st.integers(-3, 3)


@given(MOMENTS, OFFSETS, FORMATS, st.sampled_from(SAFE))
def test_if_modified_since_answers_304_exactly_when_not_modified_after_the_date(
    moment: datetime, offset: int, form: DateForm, method: str
) -> None:
    modified = math.floor(moment.timestamp())
    since = form(moment.replace(microsecond=0) + timedelta(seconds=offset))
    outcome = evaluate_preconditions(method, {b"if-modified-since": since}, None, modified)
    assert outcome == (304 if offset >= 0 else None), since


@given(MOMENTS, OFFSETS, FORMATS, st.sampled_from(SAFE + UNSAFE))
def test_if_unmodified_since_fails_exactly_when_modified_after_the_date(
    moment: datetime, offset: int, form: DateForm, method: str
) -> None:
    modified = math.floor(moment.timestamp())
    since = form(moment.replace(microsecond=0) + timedelta(seconds=offset))
    outcome = evaluate_preconditions(method, {b"if-unmodified-since": since}, None, modified)
    assert outcome == (412 if offset < 0 else None), since


@pytest.mark.parametrize("method", UNSAFE)
def test_if_modified_since_is_only_for_get_and_head(method: str) -> None:
    date = imf_fixdate(datetime.fromtimestamp(MODIFIED, UTC))
    assert evaluate_preconditions(method, {b"if-modified-since": date}, None, MODIFIED) is None


@pytest.mark.parametrize("method", SAFE + UNSAFE)
def test_dates_are_ignored_without_a_modification_time(method: str) -> None:
    earlier = imf_fixdate(datetime.fromtimestamp(MODIFIED - 1, UTC))
    later = imf_fixdate(datetime.fromtimestamp(MODIFIED + 1, UTC))
    conditions = {b"if-unmodified-since": earlier, b"if-modified-since": later}
    assert evaluate_preconditions(method, conditions, '"v1"', None) is None
    assert evaluate_preconditions(method, conditions, '"v1"', MODIFIED) == 412


@pytest.mark.parametrize(
    ("method", "expected"), [("GET", 304), ("HEAD", 304), *((method, 412) for method in UNSAFE)]
)
def test_a_matching_if_none_match_gives_304_only_to_get_and_head(
    method: str, expected: int
) -> None:
    for value in ('"v1"', 'W/"v1"', "*", '"a", W/"v1"'):
        assert (
            evaluate_preconditions(method, {b"if-none-match": value}, '"v1"', MODIFIED) == expected
        )
    assert evaluate_preconditions(method, {b"if-none-match": '"v2"'}, '"v1"', MODIFIED) is None


def test_if_none_match_replaces_if_modified_since_whatever_it_says() -> None:
    not_modified = imf_fixdate(datetime.fromtimestamp(MODIFIED, UTC))
    for if_none_match in ('"other"', "", 'W/"', "garbage"):
        conditions = {b"if-none-match": if_none_match, b"if-modified-since": not_modified}
        assert evaluate_preconditions("GET", conditions, '"v1"', MODIFIED) is None, if_none_match


def test_if_match_replaces_if_unmodified_since_and_comes_first() -> None:
    earlier = imf_fixdate(datetime.fromtimestamp(MODIFIED - 1, UTC))
    conditions = {b"if-match": '"v1"', b"if-unmodified-since": earlier}
    assert evaluate_preconditions("PUT", conditions, '"v1"', MODIFIED) is None
    failing = {b"if-match": '"v2"', b"if-none-match": '"v1"'}
    assert evaluate_preconditions("GET", failing, '"v1"', MODIFIED) == 412
    passing = {b"if-match": '"v1"', b"if-none-match": '"v1"'}
    assert evaluate_preconditions("GET", passing, '"v1"', MODIFIED) == 304


def test_if_match_compares_strongly_and_star_needs_no_etag() -> None:
    assert evaluate_preconditions("PUT", {b"if-match": 'W/"v1"'}, '"v1"', None) == 412
    assert evaluate_preconditions("PUT", {b"if-match": '"v1"'}, 'W/"v1"', None) == 412
    assert evaluate_preconditions("PUT", {b"if-match": '"v1"'}, None, None) == 412
    assert evaluate_preconditions("PUT", {b"if-match": "*"}, None, None) is None
    assert evaluate_preconditions("PUT", {}, None, None) is None


# request_conditions


DATE_HEADERS = [b"if-modified-since", b"if-unmodified-since", b"if-range"]


@pytest.mark.parametrize("name", DATE_HEADERS)
def test_a_date_split_over_two_lines_is_ignored_not_joined(name: bytes) -> None:
    # Joined with ", " the two lines would read as a valid date.
    raw = [(name, b"Sun"), (b"accept", b"*/*"), (name, b"06 Nov 1994 08:49:37 GMT")]
    assert request_conditions(raw) == {name: ""}
    assert request_conditions(raw[:2]) == {name: "Sun"}


@pytest.mark.parametrize("name", [b"if-match", b"if-none-match", b"range"])
def test_repeated_list_headers_are_joined_in_order(name: bytes) -> None:
    raw = [
        (name, b'"a"'),
        (b"if-match" if name != b"if-match" else b"if-none-match", b"*"),
        (name, b'"b"'),
        (name, b'"c"'),
    ]
    found = request_conditions(raw)
    assert found[name] == '"a", "b", "c"'
    assert len(found) == 2


def test_only_condition_headers_are_collected_and_values_are_latin_1() -> None:
    raw = [
        (b"accept", b"text/html"),
        (b"if-none-match", b'"\xe9t\xe9"'),
        (b"If-Match", b'"upper-case names are not header names in ASGI"'),
        (b"range", b"bytes=0-1"),
        (b"if-range", b'"x"'),
        (b"if-modified-since", b"x"),
        (b"if-unmodified-since", b"y"),
        (b"if-match", b"*"),
    ]
    assert request_conditions(raw) == {
        b"if-none-match": '"\u00e9t\u00e9"',
        b"range": "bytes=0-1",
        b"if-range": '"x"',
        b"if-modified-since": "x",
        b"if-unmodified-since": "y",
        b"if-match": "*",
    }
    assert request_conditions([]) == {}


def test_repeated_and_single_headers_together() -> None:
    raw = [
        (b"if-none-match", b'"a"'),
        (b"if-modified-since", b"Sun, 06 Nov 1994 08:49:37 GMT"),
        (b"if-none-match", b'"b"'),
        (b"if-match", b'"m"'),
        (b"if-modified-since", b"Sun, 06 Nov 1994 08:49:37 GMT"),
    ]
    assert request_conditions(raw) == {
        b"if-none-match": '"a", "b"',
        b"if-modified-since": "",
        b"if-match": '"m"',
    }


# http_timestamp


def test_timestamps_are_accepted_exactly_within_the_http_date_years() -> None:
    assert http_timestamp(MIN_TIMESTAMP) == MIN_TIMESTAMP
    assert http_timestamp(MAX_TIMESTAMP - 1) == MAX_TIMESTAMP - 1
    assert http_timestamp(MAX_TIMESTAMP - 0.5) == MAX_TIMESTAMP - 1
    assert http_timestamp(datetime(1, 1, 2, tzinfo=UTC)) == MIN_TIMESTAMP
    assert http_timestamp(datetime(9999, 12, 30, 23, 59, 59, tzinfo=UTC)) == MAX_TIMESTAMP - 1
    for outside in (MIN_TIMESTAMP - 1, MIN_TIMESTAMP - 0.5, MAX_TIMESTAMP, MAX_TIMESTAMP + 0.5):
        with pytest.raises(ValueError, match="not a representable POSIX timestamp"):
            http_timestamp(outside)
    for moment in (datetime(1, 1, 1, 23, 59, 59, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC)):
        with pytest.raises(ValueError, match="not a representable POSIX timestamp"):
            http_timestamp(moment)


@given(st.floats(-1e9, 1e10, allow_nan=False))
def test_timestamps_round_down_to_whole_seconds(value: float) -> None:
    assert http_timestamp(value) == math.floor(value)
    assert isinstance(http_timestamp(value), int)


@given(
    st.datetimes(
        datetime(2, 1, 1),
        datetime(9999, 12, 30),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5))]),
    )
)
def test_aware_datetimes_become_their_posix_second(moment: datetime) -> None:
    assert http_timestamp(moment) == math.floor(moment.timestamp())


@pytest.mark.parametrize("value", [True, False, "1", None, b"1", 1j])
def test_anything_but_a_number_or_datetime_raises_type_error(value: object) -> None:
    with pytest.raises(TypeError, match="timezone-aware datetime or a POSIX timestamp"):
        http_timestamp(value)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


def test_a_naive_datetime_raises_value_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        http_timestamp(datetime(2024, 1, 1))


# entity_tag and validator_headers

ETAGC = "".join(chr(c) for c in (0x21, *range(0x23, 0x7F), *range(0x80, 0x100)))


@given(st.text(ETAGC, max_size=12), st.booleans())
def test_any_etagc_text_makes_an_entity_tag(validator: str, weak: bool) -> None:
    assert entity_tag(validator, weak) == (f'W/"{validator}"' if weak else f'"{validator}"')


@given(
    st.text(ETAGC, max_size=6), st.characters(exclude_characters=ETAGC), st.text(ETAGC, max_size=6)
)
def test_a_character_outside_etagc_raises_value_error(before: str, bad: str, after: str) -> None:
    with pytest.raises(ValueError, match="pass the validator without quotes"):
        entity_tag(before + bad + after, False)


def test_entity_tag_character_edges() -> None:
    for good in ("\x21", "\x23", "\x7e", "\x80", "\xff", ""):
        assert entity_tag(good, False) == f'"{good}"'
    for bad in ("\x20", "\x22", "\x7f", "\u0100", "\t"):
        with pytest.raises(ValueError, match="pass the validator without quotes"):
            entity_tag(bad, True)
    with pytest.raises(ValueError, match="pass the validator without quotes"):
        entity_tag(b"v1", False)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


@pytest.mark.parametrize(
    ("etag", "last_modified", "headers"),
    [
        (None, None, []),
        ('"v1"', None, [(b"etag", b'"v1"')]),
        ('W/"\xe9"', None, [(b"etag", b'W/"\xe9"')]),
        (None, 0, [(b"last-modified", b"Thu, 01 Jan 1970 00:00:00 GMT")]),
        ('""', MODIFIED, [(b"etag", b'""'), (b"last-modified", b"Sun, 06 Nov 1994 08:49:37 GMT")]),
        (None, MAX_TIMESTAMP - 1, [(b"last-modified", b"Thu, 30 Dec 9999 23:59:59 GMT")]),
    ],
)
def test_validator_headers_for_known_validators(
    etag: str | None, last_modified: int | None, headers: list[tuple[bytes, bytes]]
) -> None:
    assert validator_headers(etag, last_modified) == headers
