"""Properties of the Range / conditional header parsers: total, bounded, merged, capped."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from asgikit._ranges import (
    MAX_RANGES,
    etag_for,
    format_http_date,
    if_none_match_matches,
    if_range_matches,
    parse_http_date,
    parse_range_header,
)

HEADER_CHARS = st.characters(codec="utf-8", exclude_categories=["Cs"])
SPEC = st.one_of(
    st.tuples(st.integers(0, 1200), st.none()).map(lambda t: f"{t[0]}-"),
    st.tuples(st.integers(0, 1200), st.integers(0, 1200)).map(lambda t: f"{min(t)}-{max(t)}"),
    st.integers(0, 1200).map(lambda n: f"-{n}"),
)


def check_shape(ranges: list[tuple[int, int]], size: int, max_ranges: int) -> None:
    assert len(ranges) <= max_ranges
    for start, stop in ranges:
        assert 0 <= start < stop <= size
    for (_, stop), (start, _) in pairwise(ranges):
        assert stop < start  # sorted, no overlap, no adjacency


@settings(max_examples=300)
@given(st.text(HEADER_CHARS, max_size=60), st.integers(0, 10**12))
def test_any_text_gives_none_or_well_formed_ranges(header: str, size: int) -> None:
    result = parse_range_header(header, size)
    if result is not None:
        check_shape(result, size, MAX_RANGES)


@settings(max_examples=300)
@given(
    st.lists(st.one_of(SPEC, st.sampled_from(["", " ", "9" * 40, "x-1", "5-1"])), max_size=12),
    st.integers(0, 1000),
    st.integers(1, 12),
)
def test_byte_range_sets_match_a_reference_model(
    specs: list[str], size: int, max_ranges: int
) -> None:
    header = "bytes=" + ",".join(specs)
    result = parse_range_header(header, size, max_ranges=max_ranges)
    present = [spec.strip() for spec in specs if spec.strip()]
    invalid = any(spec in ("x-1", "5-1", "9" * 40) for spec in present)
    if size == 0 or not present or invalid or len(present) > max_ranges:
        assert result is None
        return
    assert result is not None
    check_shape(result, size, max_ranges)
    expected: set[int] = set()
    for spec in present:
        first, _, last = spec.partition("-")
        if not first:
            expected.update(range(max(size - int(last), 0), size))
        elif int(first) < size:
            stop = size if not last else min(int(last) + 1, size)
            expected.update(range(int(first), stop))
    covered = {index for start, stop in result for index in range(start, stop)}
    assert covered == expected


@settings(max_examples=300)
@given(st.text(HEADER_CHARS, max_size=80), st.text(HEADER_CHARS, max_size=10))
def test_if_none_match_is_total(header: str, opaque: str) -> None:
    assert isinstance(if_none_match_matches(header, f'"{opaque}"'), bool)
    assert isinstance(if_range_matches(header, f'"{opaque}"', 0), bool)


@settings(max_examples=200)
@given(
    st.lists(
        st.text(
            st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters='"'),
            max_size=8,
        ),
        max_size=5,
    ),
    st.text(
        st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters='"'), max_size=8
    ),
    st.booleans(),
)
def test_if_none_match_finds_the_etag_in_any_list(
    others: list[str], opaque: str, weak: bool
) -> None:
    tags = [f'"{other}"' for other in others] + [("W/" if weak else "") + f'"{opaque}"']
    assert if_none_match_matches(", ".join(tags), f'"{opaque}"')
    assert if_none_match_matches(", ".join(tags[:-1]), f'"{opaque}"') is (opaque in others)


@settings(max_examples=200)
@given(st.text(HEADER_CHARS, max_size=80))
def test_parse_http_date_is_total(value: str) -> None:
    result = parse_http_date(value)
    assert result is None or isinstance(result, int)


@settings(max_examples=200)
@given(st.integers(0, 253402300799))
def test_http_dates_round_trip(timestamp: int) -> None:
    assert parse_http_date(format_http_date(timestamp)) == timestamp
    assert if_range_matches(format_http_date(timestamp), etag_for(1, 1), timestamp)
