from __future__ import annotations

from collections.abc import Callable

import pytest

from asgikit._exceptions import PartTooLargeError, TooManyFieldsError
from asgikit._urlencoded import parse_query, parse_urlencoded
from tests.timing import LINEAR_BOUND, growth


def form(
    data: bytes | str, *, max_fields: int = 1000, max_field_size: int = 1 << 20
) -> list[tuple[str, str]]:
    return parse_urlencoded(data, max_fields=max_fields, max_field_size=max_field_size).items()


def test_pairs_keep_their_order_and_repeats() -> None:
    assert form(b"a=1&b=2&a=3") == [("a", "1"), ("a", "3"), ("b", "2")]
    assert parse_urlencoded(b"a=1&b=2&a=3", max_fields=10, max_field_size=10).get("a") == ["1", "3"]


def test_ampersand_is_the_only_separator() -> None:
    assert form(b"a=1;b=2") == [("a", "1;b=2")]


def test_empty_pairs_are_skipped_and_missing_equals_gives_empty_value() -> None:
    assert form(b"&&a&b=&&=c&") == [("a", ""), ("b", ""), ("", "c")]


def test_only_the_first_equals_splits() -> None:
    assert form(b"a=b=c") == [("a", "b=c")]


def test_plus_is_space_and_encoded_plus_is_plus() -> None:
    assert form(b"q=a+b%2Bc&x+y=1") == [("q", "a b+c"), ("x y", "1")]


def test_percent_escapes_are_decoded_once_as_utf8() -> None:
    assert form(b"a=caf%C3%A9&b=%2526") == [("a", "café"), ("b", "%26")]


def test_encoded_ampersand_does_not_split() -> None:
    assert form(b"a=%26b&c=1") == [("a", "&b"), ("c", "1")]


def test_malformed_escapes_stay_literal() -> None:
    assert form(b"a=%zz&b=%&c=%4") == [("a", "%zz"), ("b", "%"), ("c", "%4")]


def test_truncated_utf8_becomes_replacement_character() -> None:
    assert form(b"a=%E2%82") == [("a", "\ufffd")]


def test_raw_utf8_bytes_are_decoded_as_utf8() -> None:
    assert form("a=café".encode()) == [("a", "café")]
    assert form(b"a=caf\xc3%A9") == [("a", "café")]
    assert form(b"a=\xff") == [("a", "\ufffd")]


def test_str_input_is_treated_as_its_utf8_encoding() -> None:
    assert form("a=café&b=%C3%A9") == [("a", "café"), ("b", "é")]


def test_empty_input() -> None:
    assert form(b"") == []
    assert parse_query(b"") == parse_query("")
    assert parse_query("").items() == []


def test_parse_query_same_rules_without_limits() -> None:
    query = parse_query(b"a=1&a=2&b=%20x+y&c")
    assert query.items() == [("a", "1"), ("a", "2"), ("b", " x y"), ("c", "")]
    many = "&".join(f"k{i}=v" for i in range(5000))
    assert len(parse_query(many)) == 5000


def test_too_many_fields_raises_with_the_limit() -> None:
    with pytest.raises(TooManyFieldsError) as info:
        form(b"a=1&b=2&c=3", max_fields=2)
    assert info.value.limit == 2
    assert info.value.status_code == 413


def test_exactly_max_fields_is_accepted_and_empty_pairs_do_not_count() -> None:
    assert form(b"a=1&b=2", max_fields=2) == [("a", "1"), ("b", "2")]
    assert form(b"a=1&&&&&&b=2&&&", max_fields=2) == [("a", "1"), ("b", "2")]


def test_oversized_pair_raises_with_the_limit() -> None:
    with pytest.raises(PartTooLargeError) as info:
        form(b"a=1&b=" + b"x" * 9, max_field_size=10)
    assert info.value.limit == 10
    assert form(b"a=1&b=" + b"x" * 8, max_field_size=10) == [("a", "1"), ("b", "x" * 8)]


@pytest.mark.parametrize("unit", [b"a=1&", b"&", b"%41%zz+&", "é=%E2%82&".encode()])
def test_parsing_is_linear(unit: bytes) -> None:
    def prepare(count: int) -> Callable[[], object]:
        data = unit * count
        return lambda: parse_query(data)

    assert growth(prepare, 2_500) < 4 * LINEAR_BOUND
