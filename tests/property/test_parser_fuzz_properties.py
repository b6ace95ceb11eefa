"""Garbage-in properties of the pure parsers: only documented exceptions, results within
their documented bounds, agreement with simple reference implementations, and round trips
through the standard encoders."""

from __future__ import annotations

from urllib.parse import quote, unquote_to_bytes, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asgikit._cookies import parse_cookie_header
from asgikit._exceptions import MultipartBoundaryError, PartTooLargeError, TooManyFieldsError
from asgikit._host import parse_host
from asgikit._multipart import boundary_from_content_type
from asgikit._params import media_type_and_charset, parse_header_params
from asgikit._ranges import (
    format_http_date,
    if_none_match_matches,
    if_range_matches,
    parse_http_date,
    parse_range_header,
)
from asgikit._urlencoded import parse_query, parse_urlencoded

# Characters that matter to at least one of the parsers, plus a few ordinary ones.
SPECIAL = '\r\n"\\%;,=&+ \t*-/:[]@#?W\x00\x7f\xe9\u2028aZ09'
NASTY_TEXT = st.one_of(
    st.text(alphabet=SPECIAL, max_size=40),
    st.text(max_size=40),
    st.text(alphabet="%0123456789abcdefABCDEFxz+&=", max_size=40),
)
NASTY_BYTES = st.one_of(
    st.binary(max_size=40),
    NASTY_TEXT.map(lambda text: text.encode("utf-8", "surrogatepass")),
)
TEXT_NO_SURROGATES = st.text(st.characters(codec="utf-8"), max_size=12)
EXAMPLES = settings(max_examples=150, deadline=None)


def grouped(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for name, value in pairs:
        result.setdefault(name, []).append(value)
    return result


def reference_urlencoded(data: bytes) -> dict[str, list[str]]:
    """WHATWG urlencoded parsing, the slow and obvious way."""

    def decode(raw: bytes) -> str:
        return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8", "replace")

    pairs = [pair.partition(b"=") for pair in data.split(b"&") if pair]
    return grouped([(decode(name), decode(value)) for name, _, value in pairs])


# -- urlencoded / query ------------------------------------------------------------------------


@EXAMPLES
@given(st.one_of(NASTY_BYTES, NASTY_TEXT))
def test_parse_query_never_raises_and_matches_the_reference(raw: bytes | str) -> None:
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    assert dict(parse_query(raw).lists()) == reference_urlencoded(data)


@EXAMPLES
@given(NASTY_BYTES, st.integers(0, 4), st.integers(0, 12))
def test_parse_urlencoded_raises_only_its_limit_errors(
    data: bytes, max_fields: int, max_field_size: int
) -> None:
    pairs = [pair for pair in data.split(b"&") if pair]
    if len(pairs) > max_fields:
        with pytest.raises(TooManyFieldsError) as too_many:
            parse_urlencoded(data, max_fields=max_fields, max_field_size=max_field_size)
        assert too_many.value.limit == max_fields
    elif any(len(pair) > max_field_size for pair in pairs):
        with pytest.raises(PartTooLargeError) as too_large:
            parse_urlencoded(data, max_fields=max_fields, max_field_size=max_field_size)
        assert too_large.value.limit == max_field_size
    else:
        form = parse_urlencoded(data, max_fields=max_fields, max_field_size=max_field_size)
        assert dict(form.lists()) == reference_urlencoded(data)


@EXAMPLES
@given(st.lists(st.tuples(TEXT_NO_SURROGATES, TEXT_NO_SURROGATES), max_size=8))
def test_urlencode_round_trips_through_parse_urlencoded(pairs: list[tuple[str, str]]) -> None:
    expected = grouped(pairs)
    for encoded in (urlencode(pairs), urlencode(pairs, quote_via=quote)):
        form = parse_urlencoded(encoded.encode("ascii"), max_fields=1000, max_field_size=1 << 20)
        assert dict(form.lists()) == expected
        assert dict(parse_query(encoded).lists()) == expected


# -- cookies ----------------------------------------------------------------------------------

COOKIE_NAME = st.text(
    alphabet="!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    min_size=1,
    max_size=8,
)
COOKIE_VALUE = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters='",;\\'),
    max_size=12,
)


@EXAMPLES
@given(st.lists(NASTY_TEXT, max_size=4))
def test_parse_cookie_header_never_raises_and_keeps_names_clean(headers: list[str]) -> None:
    cookies = parse_cookie_header(headers)
    for name, value in cookies.items():
        assert name and name == name.strip(" \t")
        assert ";" not in name and "=" not in name
        assert ";" not in value
    assert parse_cookie_header([";".join(headers)]) == cookies


@EXAMPLES
@given(
    st.lists(st.tuples(COOKIE_NAME, COOKIE_VALUE, st.booleans()), max_size=6),
    st.sampled_from(["; ", ";", " ;  "]),
)
def test_cookie_header_round_trips(cookies: list[tuple[str, str, bool]], separator: str) -> None:
    header = separator.join(
        f'{name}="{value}"' if quoted else f"{name}={value}" for name, value, quoted in cookies
    )
    parsed = parse_cookie_header([header])
    assert dict(parsed.lists()) == grouped([(name, value) for name, value, _ in cookies])


# -- ranges and conditionals ------------------------------------------------------------------

RANGE_TEXT = st.one_of(
    NASTY_TEXT.map(lambda text: "bytes=" + text),
    st.lists(
        st.tuples(
            st.text("0123456789", max_size=3),
            st.sampled_from(["-", "", "--"]),
            st.text("0123456789", max_size=3),
        ).map("".join),
        max_size=6,
    ).map(lambda specs: "bytes=" + " ,".join(specs)),
    NASTY_TEXT,
)


def reference_range(value: str, size: int, max_ranges: int) -> set[int] | None:
    """The bytes a Range header selects (RFC 9110 14.1.2), or None when it must be ignored."""

    def digits(text: str) -> bool:
        return text.isascii() and text.isdigit()

    unit, sep, range_set = value.strip(" \t").partition("=")
    if not sep or unit.lower() != "bytes" or size <= 0:
        return None
    specs = [spec.strip(" \t") for spec in range_set.split(",")]
    specs = [spec for spec in specs if spec]
    if not specs or len(specs) > max_ranges:
        return None
    selected: set[int] = set()
    for spec in specs:
        first, dash, last = spec.partition("-")
        if not dash:
            return None
        if not first:
            if not digits(last):
                return None
            selected.update(range(max(size - int(last), 0), size))
        elif not digits(first) or (last and not digits(last)) or (last and int(last) < int(first)):
            return None
        else:
            selected.update(range(int(first), size if not last else min(int(last) + 1, size)))
    return selected


@EXAMPLES
@given(RANGE_TEXT, st.integers(0, 40), st.integers(1, 5))
def test_range_header_results_are_bounded_merged_and_match_the_reference(
    value: str, size: int, max_ranges: int
) -> None:
    result = parse_range_header(value, size, max_ranges=max_ranges)
    expected = reference_range(value, size, max_ranges)
    if expected is None:
        assert result is None
        return
    assert result is not None
    assert len(result) <= max_ranges
    previous_stop = -1
    for start, stop in result:
        assert 0 <= start < stop <= size
        assert start > previous_stop  # sorted, and overlapping or touching ranges merged
        previous_stop = stop
    assert {i for start, stop in result for i in range(start, stop)} == expected


@EXAMPLES
@given(
    NASTY_TEXT,
    st.text(alphabet=st.characters(exclude_characters='"'), max_size=10),
    st.integers(0, 253402300799),
)
def test_conditional_headers_never_raise(value: str, tag: str, last_modified: int) -> None:
    etag = f'"{tag}"'
    assert isinstance(if_none_match_matches(value, etag), bool)
    assert isinstance(if_range_matches(value, etag, last_modified), bool)
    parsed = parse_http_date(value)
    assert parsed is None or isinstance(parsed, int)
    assert if_none_match_matches(f"W/{etag}", etag)
    assert if_range_matches(etag, etag, last_modified)
    assert not if_range_matches(f"W/{etag}", etag, last_modified)
    assert parse_http_date(format_http_date(last_modified)) == last_modified


# -- header parameters, boundaries, Host ------------------------------------------------------

PARAM_NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=1, max_size=8)
BCHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? "
BOUNDARY = st.text(alphabet=BCHARS, min_size=1, max_size=70).filter(lambda b: not b.endswith(" "))


def quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@EXAMPLES
@given(NASTY_TEXT)
def test_parse_header_params_never_raises_and_normalises_names(value: str) -> None:
    main, params = parse_header_params(value)
    assert ";" not in main
    for name in params:
        assert name and "*" not in name and name == name.lower()
    media, charset = media_type_and_charset(value)
    assert media is None or media == main
    assert charset is None or charset == charset.lower()


@EXAMPLES
@given(PARAM_NAME, NASTY_TEXT, NASTY_TEXT)
def test_quoted_parameter_round_trips_before_any_garbage(
    name: str, value: str, garbage: str
) -> None:
    params = parse_header_params(f"text/plain; {name}={quoted(value)}; {garbage}")[1]
    assert params[name] == value


@EXAMPLES
@given(NASTY_TEXT)
def test_boundary_parsing_raises_only_multipart_boundary_error(value: str) -> None:
    try:
        boundary = boundary_from_content_type(value)
    except MultipartBoundaryError:
        return
    assert 1 <= len(boundary) <= 70
    assert set(boundary.decode("ascii")) <= set(BCHARS) and not boundary.endswith(b" ")


@EXAMPLES
@given(BOUNDARY)
def test_valid_boundaries_round_trip_quoted_and_unquoted(boundary: str) -> None:
    assert (
        boundary_from_content_type(f"multipart/form-data; boundary={quoted(boundary)}")
        == boundary.encode()
    )
    if not boundary.startswith(" "):
        assert (
            boundary_from_content_type(f"multipart/form-data; boundary={boundary}")
            == boundary.encode()
        )


@EXAMPLES
@given(NASTY_TEXT)
def test_parse_host_never_raises_and_returns_a_clean_host(value: str) -> None:
    result = parse_host(value)
    if result is not None:
        host, port = result
        assert host == host.lower()
        assert not set(host) & set("/?#@ \t\r\n\\\x00")
        assert port is None or 0 <= port <= 65535


HOST_LABEL = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-",
    min_size=1,
    max_size=10,
)


@EXAMPLES
@given(
    st.lists(HOST_LABEL, min_size=1, max_size=4).map(".".join),
    st.one_of(st.none(), st.integers(0, 65535)),
)
def test_host_and_port_round_trip(host: str, port: int | None) -> None:
    value = host if port is None else f"{host}:{port}"
    assert parse_host(value) == (host.lower(), port)
    bracketed = "[2001:db8::1]" if port is None else f"[2001:db8::1]:{port}"
    assert parse_host(bracketed) == ("[2001:db8::1]", port)


@EXAMPLES
@given(st.integers(65536, 99999))
def test_host_ports_above_65535_are_rejected(port: int) -> None:
    assert parse_host(f"example.com:{port}") is None
