"""Bad-input rows B32-B36 (cookies) of ../shared/bad-inputs.md."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from asgikit._cookies import MAX_COOKIE_SIZE, Cookies, parse_cookie_header
from asgikit._exceptions import InvalidHeaderError
from asgikit._headers import Headers
from tests.timing import LINEAR_BOUND, growth


def _parse_growth(make: Callable[[int], str], n: int) -> float:
    """time(4n) / time(n) for parsing ``make(size)``; building the header is not timed."""

    def prepare(size: int) -> Callable[[], object]:
        header = make(size)
        return lambda: parse_cookie_header([header])

    return growth(prepare, n)


def test_b32_quoted_backslashes_are_not_unescaped_and_parse_linearly() -> None:
    value = '"' + "\\" * 20000 + '"'
    cookies = parse_cookie_header(["a=" + value])
    assert cookies.get("a") == ["\\" * 20000]
    assert _parse_growth(lambda n: 'a="' + "\\" * n + '"', 50_000) < 4 * LINEAR_BOUND


def test_b32_octal_escapes_are_left_as_sent() -> None:
    assert parse_cookie_header(['a="\\012\\073"']).get_first("a") == "\\012\\073"


def _invalid_cookies(n: int) -> str:
    return "; ".join(f"a{i},b=1; c{i} d=2; e{i}" for i in range(n))


def test_b33_thousands_of_invalid_cookies_do_not_raise_or_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG):
        cookies = parse_cookie_header([_invalid_cookies(5000)])
    assert caplog.records == []
    assert len(cookies) == 10_000
    assert cookies.get_first("a0,b") == "1"
    assert cookies.get_first("c4999 d") == "2"
    assert "e0" not in cookies


def test_b33_invalid_cookies_parse_linearly() -> None:
    assert _parse_growth(lambda n: _invalid_cookies(n // 20), 12_500) < 4 * LINEAR_BOUND


def test_b34_multiple_cookie_headers_are_merged() -> None:
    headers = Headers([(b"cookie", b"a=1; b=2"), (b"x", b"y"), (b"Cookie", b"c=3")])
    cookies = parse_cookie_header(headers.get("cookie", []))
    assert cookies.items() == [("a", "1"), ("b", "2"), ("c", "3")]


def test_b34_duplicate_names_first_wins_with_get_first_and_get_exposes_all() -> None:
    cookies = parse_cookie_header(["sid=specific; theme=dark", "sid=general"])
    assert cookies.get_first("sid") == "specific"
    assert cookies.get("sid") == ["specific", "general"]


@pytest.mark.parametrize(
    "bad", ["x\r\nSet-Cookie: evil=1", "x\n", "x\r", "x;y", "x,y", "x\x00", "x\x1f", "x\x7f"]
)
def test_b35_value_with_crlf_separator_or_ctl_is_rejected(bad: str) -> None:
    cookies = Cookies()
    with pytest.raises(InvalidHeaderError, match="invalid cookie value"):
        cookies.set("a", bad)
    assert cookies.raw_headers() == []


@pytest.mark.parametrize(
    "bad", ["/x\r\nSet-Cookie: evil=1", "/x\n", "/x;y", "/x,y", "/x\x00", "/x\x1f", "/x\x7f"]
)
def test_b35_path_with_crlf_separator_or_ctl_is_rejected(bad: str) -> None:
    with pytest.raises(InvalidHeaderError, match="invalid cookie path"):
        Cookies().set("a", "1", path=bad)
    with pytest.raises(InvalidHeaderError, match="invalid cookie path"):
        Cookies().delete("a", path=bad)


@pytest.mark.parametrize(
    "bad",
    [
        "example.com\r\nSet-Cookie: evil=1",
        "example.com\n",
        "a.com;b",
        "a.com,b.com",
        "a\x00.com",
        "a\x7f.com",
    ],
)
def test_b35_domain_with_crlf_separator_or_ctl_is_rejected(bad: str) -> None:
    with pytest.raises(InvalidHeaderError, match="invalid cookie domain"):
        Cookies().set("a", "1", domain=bad)
    with pytest.raises(InvalidHeaderError, match="invalid cookie domain"):
        Cookies().delete("a", domain=bad)


@pytest.mark.parametrize("bad", ["a\r\nb", "a;b", "a,b", "a\x00", "a=b"])
def test_b35_name_with_crlf_separator_or_ctl_is_rejected(bad: str) -> None:
    with pytest.raises(InvalidHeaderError, match="invalid cookie name"):
        Cookies().delete(bad)


def test_b35_partitioned_is_serialized_on_every_python() -> None:
    cookies = Cookies()
    cookies.set("a", "1", partitioned=True, samesite="none")
    assert cookies.raw_headers() == [
        (b"set-cookie", b"a=1; Secure; HttpOnly; SameSite=None; Partitioned")
    ]


def test_b36_samesite_none_without_secure_gets_secure() -> None:
    cookies = Cookies()
    cookies.set("a", "1", samesite="none", secure=False)
    cookies.delete("b", samesite="none")
    assert cookies.raw_headers() == [
        (b"set-cookie", b"a=1; Secure; HttpOnly; SameSite=None"),
        (
            b"set-cookie",
            b"b=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=None",
        ),
    ]


def test_b36_cookie_over_4096_bytes_is_rejected() -> None:
    cookies = Cookies()
    with pytest.raises(InvalidHeaderError, match="4096"):
        cookies.set("ab", "v" * (MAX_COOKIE_SIZE - 1))
    assert cookies.raw_headers() == []
    cookies.set("a", "v" * (MAX_COOKIE_SIZE - 1))
    assert len(cookies) == 1


def test_b36_oversized_domain_or_path_attribute_is_rejected() -> None:
    with pytest.raises(InvalidHeaderError, match="invalid cookie domain"):
        Cookies().set("a", "1", domain="a" * 1025)
    with pytest.raises(InvalidHeaderError, match="invalid cookie path"):
        Cookies().set("a", "1", path="/" + "a" * 1024)
