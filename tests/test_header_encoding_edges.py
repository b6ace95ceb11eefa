"""Outgoing header grammar, character by character: exactly the RFC 9110 token characters make a
name, and exactly HTAB, SP and the visible latin-1 characters make a value."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asgikit._exceptions import InvalidHeaderError
from asgikit._header_encoding import encode_header_name, encode_header_value, encode_headers

TCHARS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
VALUE_CHARS = frozenset("\t" + "".join(chr(c) for c in range(0x20, 0x100) if c != 0x7F))


def test_each_character_is_a_token_character_or_refused_in_a_name() -> None:
    for char in map(chr, range(0x180)):
        if char in TCHARS:
            assert encode_header_name(f"X{char}y") == f"x{char}y".lower().encode("ascii")
        else:
            with pytest.raises(InvalidHeaderError, match="invalid header name"):
                encode_header_name(f"X{char}y")


def test_each_character_is_a_value_character_or_refused_in_a_value() -> None:
    for char in map(chr, range(0x180)):
        if char in VALUE_CHARS:
            assert encode_header_value(f"a{char}b") == f"a{char}b".encode("latin-1")
        else:
            with pytest.raises(InvalidHeaderError, match="invalid character"):
                encode_header_value(f"a{char}b", name="x-test")


def test_empty_names_are_refused_and_empty_values_are_allowed() -> None:
    with pytest.raises(InvalidHeaderError):
        encode_header_name("")
    assert encode_header_value("") == b""


@given(
    core=st.text(st.sampled_from(sorted(VALUE_CHARS)), max_size=10).map(lambda s: f"<{s}>"),
    before=st.text(" \t", max_size=3),
    after=st.text(" \t", max_size=3),
)
def test_spaces_and_tabs_around_a_value_are_stripped_and_inside_kept(
    core: str, before: str, after: str
) -> None:
    assert encode_header_value(before + core + after) == core.encode("latin-1")


def test_mappings_and_pair_lists_encode_in_order_and_empty_input_gives_no_headers() -> None:
    assert encode_headers({"X-A": "1", "x-b": " 2 "}) == [(b"x-a", b"1"), (b"x-b", b"2")]
    assert encode_headers([("X-A", "1"), ("x-a", "2")]) == [(b"x-a", b"1"), (b"x-a", b"2")]
    assert encode_headers({}) == []
    assert encode_headers([]) == []
    assert encode_headers(None) == []


def test_the_error_names_the_header_whose_value_is_bad() -> None:
    with pytest.raises(InvalidHeaderError, match="'x-custom'"):
        encode_headers({"x-custom": "a\nb"})


def test_only_spaces_and_tabs_are_stripped() -> None:
    assert encode_header_value(" \tXvalueX\t ") == b"XvalueX"
    assert encode_header_value("\xa0x\xa0") == b"\xa0x\xa0"


def test_a_bad_value_without_a_name_is_reported_as_header() -> None:
    with pytest.raises(InvalidHeaderError, match="in value of 'header'"):
        encode_header_value("a\rb")
