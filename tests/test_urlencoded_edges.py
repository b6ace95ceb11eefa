"""Edges of urlencoded parsing: the non-ASCII path keeps the same rules as the ASCII one, and the
field-count and field-size limits hold at exactly the limit and one past it."""

from __future__ import annotations

from urllib.parse import quote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asgikit._exceptions import PartTooLargeError, TooManyFieldsError
from asgikit._urlencoded import parse_query, parse_urlencoded


def form(
    data: bytes, *, max_fields: int = 1000, max_field_size: int = 1 << 20
) -> list[tuple[str, str]]:
    return parse_urlencoded(data, max_fields=max_fields, max_field_size=max_field_size).items()


def test_repeated_keys_and_empty_pairs_on_the_non_ascii_path() -> None:
    data = "&&é=1&&b&é=2&=x&é&".encode()
    assert form(data) == [("é", "1"), ("é", "2"), ("é", ""), ("b", ""), ("", "x")]
    assert parse_query(data).get("é") == ["1", "2", ""]


def test_plus_and_escapes_on_the_non_ascii_path() -> None:
    assert form("n+é=a+b%2B%C3%A9".encode()) == [("n é", "a b+é")]
    assert form("é=%zz".encode()) == [("é", "%zz")]


def test_ascii_pairs_with_only_a_plus_or_only_a_percent_are_decoded() -> None:
    assert form(b"a+b=c+d") == [("a b", "c d")]
    assert form(b"a%41=%42") == [("aA", "B")]
    assert form(b"x=1+1&y=50%25") == [("x", "1 1"), ("y", "50%")]


PAIRS = st.lists(st.tuples(st.text(max_size=6), st.text(max_size=6)), min_size=1, max_size=8)


@given(pairs=PAIRS, non_ascii=st.booleans())
def test_encoded_pairs_round_trip_in_order_on_both_paths(
    pairs: list[tuple[str, str]], non_ascii: bool
) -> None:
    body = "&".join(f"{quote_plus(n)}={quote_plus(v)}" for n, v in pairs).encode()
    if non_ascii:
        # raw UTF-8 bytes in one extra pair send the whole body down the non-ASCII path
        body += "&ü=ß".encode()
        pairs = [*pairs, ("ü", "ß")]
    parsed = parse_urlencoded(body, max_fields=100, max_field_size=1000)
    expected: dict[str, list[str]] = {}
    for name, value in pairs:
        expected.setdefault(name, []).append(value)
    assert {name: parsed.get(name) for name in expected} == expected
    assert len(parsed.items()) == len(pairs)


@pytest.mark.parametrize("limit", [1, 2, 5])
def test_exactly_max_fields_pairs_pass_and_one_more_raises(limit: int) -> None:
    exact = b"&".join(b"k%d=v" % i for i in range(limit))
    assert len(form(exact, max_fields=limit)) == limit
    # extra empty pairs push the `&` count over the limit without adding a field
    assert len(form(exact + b"&&&", max_fields=limit)) == limit
    with pytest.raises(TooManyFieldsError) as caught:
        form(exact + b"&x=1", max_fields=limit)
    assert caught.value.limit == limit
    with pytest.raises(TooManyFieldsError):
        form(exact + "&é=1".encode(), max_fields=limit)


@pytest.mark.parametrize("size", [3, 10, 64])
def test_a_pair_of_exactly_max_field_size_bytes_passes_and_one_more_byte_raises(size: int) -> None:
    exact = b"a=" + b"v" * (size - 2)
    others = b"&b=1&c=2"

    def parse(data: bytes) -> list[str]:
        return list(parse_urlencoded(data, max_fields=10, max_field_size=size)["a"])

    assert parse(exact + others) == ["v" * (size - 2)]
    assert parse(others + b"&" + exact) == ["v" * (size - 2)]
    with pytest.raises(PartTooLargeError) as caught:
        form(others + b"&" + exact + b"v", max_field_size=size)
    assert caught.value.limit == size


def test_str_bodies_and_queries_are_parsed_as_their_utf8_bytes() -> None:
    assert parse_urlencoded("é=ü&é=", max_fields=5, max_field_size=10).get("é") == ["ü", ""]
    assert parse_query("a=%C3%A9&a=b").get("a") == ["é", "b"]
    assert parse_query("").items() == []
    assert parse_urlencoded("", max_fields=0, max_field_size=0).items() == []


def test_str_input_with_a_lone_surrogate_is_parsed_not_refused() -> None:
    # str input comes from untyped callers; "surrogatepass" keeps its code points as bytes
    assert parse_query("a=\ud800").get("a") == ["\ufffd\ufffd\ufffd"]
    parsed = parse_urlencoded("b=\udfff&b=1", max_fields=5, max_field_size=100)
    assert parsed.get("b") == ["\ufffd\ufffd\ufffd", "1"]
