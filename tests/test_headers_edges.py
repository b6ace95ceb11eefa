"""Request headers: tuples and generators as input, lookups of absent and non-string keys, and
the first of several values."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asgikit._headers import Headers

PAIRS = ((b"X-A", b"1"), (b"x-a", b"2"), (b"B", b"\xff"))


def test_a_tuple_of_pairs_is_kept_as_raw() -> None:
    headers = Headers(PAIRS)
    assert headers.raw is PAIRS
    assert list(headers.get("x-a") or []) == ["1", "2"]
    assert headers.get_first("X-A") == "1"
    assert headers.get_first("b") == "\xff"


def test_a_generator_is_read_once_into_raw() -> None:
    headers = Headers(pair for pair in PAIRS)
    assert list(headers.raw) == list(PAIRS)
    assert list(headers["X-a"]) == ["1", "2"]


def test_absent_and_non_string_keys() -> None:
    headers = Headers(PAIRS)
    assert headers.get_first("missing") is None
    assert headers.get_first("missing", "d") == "d"
    assert headers.get("missing") is None
    assert headers.get("missing", ()) == ()
    assert "X-A" in headers
    assert "missing" not in headers
    assert 1 not in headers
    with pytest.raises(KeyError):
        headers["missing"]


def test_a_copy_has_the_same_values_and_raw() -> None:
    headers = Headers(PAIRS)
    copied = headers.copy()
    assert copied.raw is headers.raw
    assert list(copied.get("x-a") or []) == ["1", "2"]
    assert copied.get_first("b") == "\xff"


@given(
    raw=st.lists(
        st.tuples(st.sampled_from([b"a", b"A", b"b", b"\xe9"]), st.binary(max_size=3)), max_size=8
    )
)
def test_every_value_is_kept_under_its_lower_cased_name_in_order(
    raw: list[tuple[bytes, bytes]],
) -> None:
    headers = Headers(raw)
    expected: dict[str, list[str]] = {}
    for name, value in raw:
        expected.setdefault(name.decode("latin-1").lower(), []).append(value.decode("latin-1"))
    assert {name: list(headers[name]) for name in expected} == expected
    assert len(headers) == len(expected)
    for key, values in expected.items():
        assert headers.get_first(key.upper()) == values[0]
