"""Response header assembly at its edges: the content-length cache boundary, which media types get
a charset, JSON in narrow encodings, the bounded content-type caches, user headers replacing
asgikit's own, and the header list of a 304."""

from __future__ import annotations

import codecs
from typing import cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asgikit._cookies import Cookies
from asgikit._response import Response
from asgikit._response_headers import (
    SSE_HEADERS,
    UTF8_CONTENT_TYPES,
    add_headers,
    body_bytes,
    content_type_value,
    json_payload,
    length_value,
    not_modified_headers,
    start_headers,
)

from .conftest import Recorder, Script, http_scope


@pytest.mark.parametrize("length", [0, 1, 9, 10, 1022, 1023, 1024, 1025, 10**12])
def test_content_length_values_are_the_decimal_length_on_both_sides_of_the_cache(
    length: int,
) -> None:
    assert length_value(length) == str(length).encode("ascii")


@pytest.mark.parametrize(
    ("media_type", "encoding", "expected"),
    [
        ("text/plain", "utf-8", b"text/plain; charset=utf-8"),
        ("text/html", "utf-8", b"text/html; charset=utf-8"),
        ("application/xml; x=1", "utf-8", b"application/xml; x=1; charset=utf-8"),
        ("Application/XML ;x=1", "utf-8", b"Application/XML ;x=1; charset=utf-8"),
        ("text/csv", "utf-8", b"text/csv; charset=utf-8"),
        ("Text/CSV", "latin-1", b"Text/CSV; charset=latin-1"),
        (" text/x-a ; q=1", "utf-8", b"text/x-a ; q=1; charset=utf-8"),
        ("application/javascript", "utf-8", b"application/javascript; charset=utf-8"),
        ("application/xml", "utf-16", b"application/xml; charset=utf-16"),
        ("application/xhtml+xml", "utf-8", b"application/xhtml+xml; charset=utf-8"),
        ("application/json", "utf-8", b"application/json"),
        ("application/problem+json", "utf-8", b"application/problem+json"),
        ("image/png", "utf-8", b"image/png"),
        ("application/x-text/plain", "utf-8", b"application/x-text/plain"),
        ("text/plain; CHARSET=ascii", "utf-8", b"text/plain; CHARSET=ascii"),
        ("text/plain", None, b"text/plain"),
        ("application/xml", None, b"application/xml"),
    ],
)
def test_charset_is_added_only_to_text_and_xml_like_types_without_one(
    media_type: str, encoding: str | None, expected: bytes
) -> None:
    assert content_type_value(media_type, encoding) == expected
    # a second call (possibly from a cache) gives the same answer
    assert content_type_value(media_type, encoding) == expected


@given(
    subtype=st.text("abcdefghijklmnopqrstuvwxyz-+.", min_size=1, max_size=12),
    top=st.sampled_from(["text", "TEXT", "image", "application", "audio", "multipart"]),
    encoding=st.sampled_from(["utf-8", "latin-1", "ascii", None]),
)
def test_content_type_values_follow_the_charset_rule(
    subtype: str, top: str, encoding: str | None
) -> None:
    media_type = f"{top}/{subtype}"
    needs = encoding is not None and (
        top.lower() == "text"
        or media_type.lower()
        in ("application/javascript", "application/xml", "application/xhtml+xml")
    )
    expected = f"{media_type}; charset={encoding}" if needs else media_type
    assert content_type_value(media_type, encoding) == expected.encode("latin-1")


def test_each_encoding_gets_its_own_charset_for_the_same_media_type() -> None:
    for _ in range(2):
        assert content_type_value("text/x-enc", "latin-1") == b"text/x-enc; charset=latin-1"
        assert content_type_value("text/x-enc", "ascii") == b"text/x-enc; charset=ascii"
        assert content_type_value("text/x-enc", None) == b"text/x-enc"
        assert content_type_value("text/x-enc", "utf-8") == b"text/x-enc; charset=utf-8"


def test_the_content_type_caches_stop_growing_at_256_entries() -> None:
    for n in range(300):
        content_type_value(f"application/x-cache-{n}", "utf-8")
        content_type_value(f"application/x-cache-{n}", None)
    assert len(UTF8_CONTENT_TYPES) == 256
    assert content_type_value("application/x-cache-299", "utf-8") == b"application/x-cache-299"


def test_json_payloads_in_utf8_keep_the_media_type_as_given() -> None:
    assert json_payload({"a": "é"}, "application/json", "utf-8", None) == (
        '{"a":"é"}'.encode(),
        b"application/json",
    )
    # a media type seen for the first time (not yet in any cache)
    assert json_payload([1], "application/vnd.first-seen+json", "utf-8", None) == (
        b"[1]",
        b"application/vnd.first-seen+json",
    )
    assert json_payload([1], "application/problem+json", "utf-8", None) == (
        b"[1]",
        b"application/problem+json",
    )
    assert json_payload(None, "text/x-json", "utf-8", None) == (
        b"null",
        b"text/x-json; charset=utf-8",
    )


def test_json_payloads_in_narrow_encodings_escape_what_the_encoding_lacks() -> None:
    body, content_type = json_payload(["é€😀"], "application/json", "latin-1", None)
    assert body == b'["\xe9\\u20ac\\ud83d\\ude00"]'
    assert content_type == b"application/json; charset=latin-1"
    body, content_type = json_payload("\u0100", "application/json; Charset=ascii", "ascii", None)
    assert body == b'"\\u0100"'
    assert content_type == b"application/json; Charset=ascii"


@given(text=st.text(max_size=8))
def test_escaped_json_in_ascii_decodes_to_the_same_value(text: str) -> None:
    import json

    body, _ = json_payload({"t": text}, "application/json", "ascii", None)
    assert body.isascii()
    assert json.loads(body.decode("ascii")) == {"t": text}


def test_the_json_escape_handler_refuses_to_decode() -> None:
    with pytest.raises(UnicodeDecodeError):
        b"\xff".decode("ascii", "asgikit.json-escape")
    assert "\u20ac".encode("ascii", "asgikit.json-escape") == b"\\u20ac"
    assert codecs.lookup_error("asgikit.json-escape") is not None


def test_bodies_must_be_bytes_like() -> None:
    data = b"abc"
    assert body_bytes(data) is data
    assert body_bytes(cast(bytes, bytearray(b"xy"))) == b"xy"
    assert type(body_bytes(cast(bytes, bytearray(b"xy")))) is bytes
    assert body_bytes(cast(bytes, memoryview(b"z"))) == b"z"
    with pytest.raises(TypeError, match="must be bytes, not str"):
        body_bytes(cast(bytes, "text"))  # what untyped code can pass


def test_user_headers_replace_asgikits_own_and_cookies_come_last() -> None:
    cookies = Cookies()
    cookies.set("a", "1")
    raw = [(b"content-type", b"text/plain"), (b"x-keep", b"1")]
    assert add_headers(raw, {"Content-Type": "text/csv", "X-New": "2"}, cookies) == [
        (b"x-keep", b"1"),
        (b"content-type", b"text/csv"),
        (b"x-new", b"2"),
        (b"set-cookie", b"a=1; HttpOnly; SameSite=Lax"),
    ]
    assert add_headers([(b"x-keep", b"1")], None, None) == [(b"x-keep", b"1")]
    assert add_headers([(b"x", b"1")], {"y": "2"}, Cookies()) == [(b"x", b"1"), (b"y", b"2")]


def test_content_length_in_user_headers_is_refused() -> None:
    with pytest.raises(ValueError, match="do not pass content-length"):
        add_headers([], {"Content-Length": "3"}, None)


def test_sse_headers_disable_caching_and_proxy_buffering() -> None:
    assert SSE_HEADERS == (
        (b"content-type", b"text/event-stream; charset=utf-8"),
        (b"cache-control", b"no-cache"),
        (b"x-accel-buffering", b"no"),
    )


@pytest.mark.parametrize("status", [199, 600, 100])
async def test_statuses_outside_200_to_599_are_refused(status: int) -> None:
    recorder = Recorder()
    with pytest.raises(ValueError, match="invalid response status"):
        await Response(http_scope(), Script(), recorder).respond_bytes(b"", status=status)
    assert recorder.events == []


@pytest.mark.parametrize("status", [200, 599])
async def test_statuses_200_and_599_are_sent(status: int) -> None:
    recorder = Recorder()
    await Response(http_scope(), Script(), recorder).respond_bytes(b"x" * 1024, status=status)
    assert recorder.events[0] == {
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-length", b"1024")],
    }


def test_an_unsafe_media_type_is_refused_naming_content_type() -> None:
    from asgikit._exceptions import InvalidHeaderError

    with pytest.raises(InvalidHeaderError, match="value of 'content-type'"):
        content_type_value("text/plain\r\nx-injected: 1", None)


def test_json_escapes_switch_to_surrogate_pairs_exactly_above_u_ffff() -> None:
    body, _ = json_payload("\ufffe\uffff\U00010000\U0010ffff", "application/json", "latin-1", None)
    assert body == b'"\\ufffe\\uffff\\ud800\\udc00\\udbff\\udfff"'


def test_a_user_header_replaces_the_only_asgikit_header_of_that_name() -> None:
    raw = [(b"content-type", b"text/plain")]
    assert add_headers(raw, {"Content-Type": "text/csv"}, None) == [(b"content-type", b"text/csv")]


VALIDATORS = [(b"etag", b'"v1"'), (b"last-modified", b"Sun, 06 Nov 1994 08:49:37 GMT")]
KEPT_BY_304 = [
    "Cache-Control",
    "Content-Location",
    "Date",
    "Expires",
    "Vary",
    "ETag",
    "Last-Modified",
]


@pytest.mark.parametrize("name", KEPT_BY_304)
def test_a_304_keeps_each_cache_header_after_the_validators(name: str) -> None:
    """Each header RFC 9110 15.4.5 lists for a 304 is kept, after the validators; a user
    ``etag`` or ``last-modified`` takes the place of asgikit's."""
    kept = not_modified_headers(list(VALIDATORS), {name: "kept-value", "X-Other": "1"}, None)
    lowered = name.lower().encode("ascii")
    expected = [pair for pair in VALIDATORS if pair[0] != lowered] + [(lowered, b"kept-value")]
    assert kept == expected


@given(
    name=st.from_regex(r"\Ax-[a-z]{1,8}\Z")
    | st.sampled_from(["Content-Type", "Content-Language", "Content-Encoding", "Link", "Age"])
)
def test_a_304_drops_every_other_header(name: str) -> None:
    """Headers that describe the body (``content-type``...) or anything else are dropped from a
    304: only the validators remain."""
    assert not_modified_headers(list(VALIDATORS), {name: "1"}, None) == VALIDATORS


def test_a_304_keeps_the_cookies_last_and_validates_its_headers() -> None:
    """A refreshed session cookie is not lost on a 304, and headers are checked as for any
    response (a line break in a value is refused)."""
    from asgikit._exceptions import InvalidHeaderError

    cookies = Cookies()
    cookies.set("session", "s2")
    raw = not_modified_headers(list(VALIDATORS), {"Vary": "Accept", "X-Dropped": "1"}, cookies)
    assert raw == [
        *VALIDATORS,
        (b"vary", b"Accept"),
        (b"set-cookie", b"session=s2; HttpOnly; SameSite=Lax"),
    ]
    assert not_modified_headers([], None, cookies) == [
        (b"set-cookie", b"session=s2; HttpOnly; SameSite=Lax")
    ]
    assert not_modified_headers(list(VALIDATORS), None, Cookies()) == VALIDATORS
    with pytest.raises(InvalidHeaderError):
        not_modified_headers([], {"Vary": "a\r\nx: 1"}, None)


@given(
    status=st.integers(min_value=100, max_value=599),
    content_length=st.none() | st.integers(min_value=0, max_value=2**40),
)
def test_a_started_response_announces_its_length_unless_it_is_204_or_304(
    status: int, content_length: int | None
) -> None:
    raw = start_headers(status, None, content_length, None, None, "utf-8")
    if content_length is None or status in (204, 304):
        assert raw == []
    else:
        assert raw == [(b"content-length", str(content_length).encode("ascii"))]


@pytest.mark.parametrize("status", [203, 204, 205, 303, 304, 305])
def test_only_204_and_304_drop_a_known_length_next_to_their_neighbours(status: int) -> None:
    raw = start_headers(status, "text/plain", 0, None, None, "utf-8")
    length = [] if status in (204, 304) else [(b"content-length", b"0")]
    assert raw == [(b"content-type", b"text/plain; charset=utf-8"), *length]


@pytest.mark.parametrize("media_type", ["text/plain", "text/html", "application/json", "text/csv"])
@pytest.mark.parametrize("encoding", ["utf-8", "latin-1", "utf-16", "cp1252"])
def test_a_started_response_names_its_own_encoding_for_every_media_type(
    media_type: str, encoding: str
) -> None:
    raw = start_headers(200, media_type, None, None, None, encoding)
    assert raw == [(b"content-type", content_type_value(media_type, encoding))]
    if encoding != "utf-8" and media_type.startswith("text/"):
        assert raw[0][1].endswith(b"; charset=" + encoding.encode("ascii"))
