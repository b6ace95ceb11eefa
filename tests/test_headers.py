from __future__ import annotations

from collections.abc import Callable

import pytest

from asgikit._headers import Headers
from asgikit._multidict import MultiDict
from tests.timing import LINEAR_BOUND, growth

RAW = [
    (b"host", b"example.com"),
    (b"Content-Type", b"text/plain; charset=utf-8"),
    (b"accept", b"a"),
    (b"ACCEPT", b"b"),
]


def test_names_are_lowercased_and_values_kept_in_order() -> None:
    headers = Headers(RAW)
    assert headers.items() == [
        ("host", "example.com"),
        ("content-type", "text/plain; charset=utf-8"),
        ("accept", "a"),
        ("accept", "b"),
    ]


def test_lookups_are_case_insensitive() -> None:
    headers = Headers(RAW)
    assert headers.get_first("Content-Type") == "text/plain; charset=utf-8"
    assert headers.get("ACCEPT") == ["a", "b"]
    assert headers["Host"] == ["example.com"]
    assert "CONTENT-TYPE" in headers
    assert "missing" not in headers
    assert b"host" not in headers


def test_missing_header_returns_default() -> None:
    headers = Headers(RAW)
    assert headers.get_first("x-missing") is None
    assert headers.get_first("x-missing", "d") == "d"
    assert headers.get("x-missing") is None
    assert headers.get("x-missing", []) == []
    with pytest.raises(KeyError):
        headers["x-missing"]


def test_duplicate_singleton_headers_are_all_kept() -> None:
    headers = Headers([(b"content-length", b"1"), (b"content-length", b"2")])
    assert headers.get_first("content-length") == "1"
    assert headers.get("content-length") == ["1", "2"]


def test_values_are_decoded_as_latin1_so_every_byte_round_trips() -> None:
    headers = Headers([(b"x-bin", bytes(range(256)))])
    value = headers.get_first("x-bin")
    assert value is not None
    assert value.encode("latin-1") == bytes(range(256))


def test_raw_is_the_original_list() -> None:
    headers = Headers(RAW)
    assert headers.raw is RAW


def test_raw_materialises_an_iterator() -> None:
    headers = Headers(iter(RAW))
    assert headers.raw == RAW
    assert headers.get("accept") == ["a", "b"]


def test_empty_headers() -> None:
    headers = Headers()
    assert len(headers) == 0
    assert headers.raw == ()
    assert headers.items() == []


def test_headers_equal_multidict_with_lowercased_names() -> None:
    assert Headers(RAW) == Headers(list(RAW))
    assert Headers([(b"A", b"1")]) == MultiDict([("a", "1")])


def test_repr_and_copy() -> None:
    headers = Headers([(b"a", b"1")])
    assert repr(headers) == "Headers([('a', '1')])"
    copied = headers.copy()
    assert copied == headers
    assert copied.raw is headers.raw
    assert type(copied) is Headers


def _repeated_name(n: int) -> list[tuple[bytes, bytes]]:
    return [(b"x-repeat", b"v")] * n


def _distinct_names(n: int) -> list[tuple[bytes, bytes]]:
    return [(f"x-{i}".encode(), b"v") for i in range(n)]


@pytest.mark.parametrize("make", [_repeated_name, _distinct_names])
def test_building_is_linear_in_the_number_of_header_lines(
    make: Callable[[int], list[tuple[bytes, bytes]]],
) -> None:
    def prepare(count: int) -> Callable[[], object]:
        raw = make(count)
        return lambda: Headers(raw)

    assert growth(prepare, 5_000) < 4 * LINEAR_BOUND
