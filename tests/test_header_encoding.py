from __future__ import annotations

from typing import cast

import pytest

from asgikit import InvalidHeaderError
from asgikit._header_encoding import encode_header_value, encode_headers


def test_headers_are_lowercased_and_latin1_encoded() -> None:
    assert encode_headers({"X-Name": "caf\xe9", "Cache-Control": "no-store"}) == [
        (b"x-name", b"caf\xe9"),
        (b"cache-control", b"no-store"),
    ]


def test_pairs_allow_repeated_names() -> None:
    assert encode_headers([("vary", "a"), ("vary", "b")]) == [(b"vary", b"a"), (b"vary", b"b")]


def test_callers_dict_is_not_mutated() -> None:
    headers = {"x-a": "1"}
    encode_headers(headers)
    assert headers == {"x-a": "1"}


@pytest.mark.parametrize(
    "value", ["a\r\nset-cookie: x=y", "a\nb", "a\rb", "a\x00b", "a\x7fb", "a\x1bb", "\u20ac"]
)
def test_b26_unsafe_header_values_are_rejected(value: str) -> None:
    with pytest.raises(InvalidHeaderError, match="invalid character"):
        encode_headers({"x-a": value})


@pytest.mark.parametrize("name", ["", "a b", "a:b", "a\r\nb", "é", "a\x00"])
def test_b26_unsafe_header_names_are_rejected(name: str) -> None:
    with pytest.raises(InvalidHeaderError, match="invalid header name"):
        encode_headers({name: "v"})


def test_tab_is_allowed_inside_values() -> None:
    assert encode_header_value("a\tb") == b"a\tb"


def test_non_str_value_from_untyped_code_is_rejected() -> None:
    untyped: dict[str, object] = {"x": 1}
    with pytest.raises(InvalidHeaderError, match="must be str"):
        encode_headers(cast("dict[str, str]", untyped))
