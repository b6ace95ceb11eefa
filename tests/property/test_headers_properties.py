"""Headers built from arbitrary raw ASGI header lists."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from asgikit._headers import Headers

TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
TOKENS = st.text(alphabet=TOKEN_CHARS, min_size=1, max_size=6)
RAW_HEADERS = st.lists(st.tuples(st.binary(max_size=8), st.binary(max_size=16)), max_size=12)
TOKEN_HEADERS = st.lists(
    st.tuples(TOKENS.map(str.encode), st.binary(max_size=16)), min_size=1, max_size=12
)


@settings(max_examples=200)
@given(RAW_HEADERS)
def test_every_raw_header_round_trips_in_order(raw: list[tuple[bytes, bytes]]) -> None:
    headers = Headers(raw)
    assert headers.raw is raw
    names = list(dict.fromkeys(name.decode("latin-1").lower() for name, _ in raw))
    assert list(headers.keys()) == names
    for name in names:
        expected = [v for n, v in raw if n.decode("latin-1").lower() == name]
        values = headers.get(name)
        assert values is not None
        assert [value.encode("latin-1") for value in values] == expected
        assert headers.get_first(name) == expected[0].decode("latin-1")
    assert sorted((n.encode("latin-1"), v.encode("latin-1")) for n, v in headers.items()) == sorted(
        (n.decode("latin-1").lower().encode("latin-1"), v) for n, v in raw
    )


@settings(max_examples=200)
@given(TOKEN_HEADERS)
def test_lookup_ignores_the_case_of_token_names(raw: list[tuple[bytes, bytes]]) -> None:
    headers = Headers(raw)
    for name, _ in raw:
        text = name.decode("ascii")
        variants = {text, text.lower(), text.upper(), text.swapcase()}
        results = {repr(headers.get(variant)) for variant in variants}
        assert len(results) == 1
        assert all(variant in headers for variant in variants)
        assert len({headers.get_first(variant) for variant in variants}) == 1
