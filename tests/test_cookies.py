from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import cast

import pytest

from asgikit._cookies import MAX_COOKIE_SIZE, Cookies, SameSite, parse_cookie_header
from asgikit._exceptions import InvalidHeaderError


def _lines(cookies: Cookies) -> list[bytes]:
    headers = cookies.raw_headers()
    assert all(name == b"set-cookie" for name, _ in headers)
    return [value for _, value in headers]


def test_default_cookie_is_httponly_and_samesite_lax() -> None:
    cookies = Cookies()
    cookies.set("sid", "abc")
    assert cookies.raw_headers() == [(b"set-cookie", b"sid=abc; HttpOnly; SameSite=Lax")]


def test_all_attributes_serialize_in_fixed_order() -> None:
    cookies = Cookies()
    cookies.set(
        "a",
        "1",
        expires=datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))),
        domain="example.com",
        path="/app",
        max_age=60,
        secure=True,
        httponly=True,
        samesite="strict",
        partitioned=True,
    )
    assert _lines(cookies) == [
        b"a=1; Domain=example.com; Path=/app; Max-Age=60; "
        b"Expires=Wed, 02 Jan 2030 01:04:05 GMT; Secure; HttpOnly; SameSite=Strict; Partitioned"
    ]


def test_httponly_false_omits_the_attribute() -> None:
    cookies = Cookies()
    cookies.set("a", "1", httponly=False, secure=True)
    assert _lines(cookies) == [b"a=1; Secure; SameSite=Lax"]


def test_quoted_and_empty_values_are_allowed() -> None:
    cookies = Cookies()
    cookies.set("a", '"quoted"')
    cookies.set("b", "")
    assert _lines(cookies) == [
        b'a="quoted"; HttpOnly; SameSite=Lax',
        b"b=; HttpOnly; SameSite=Lax",
    ]


def test_expires_int_is_seconds_from_now() -> None:
    cookies = Cookies()
    before = datetime.now(UTC).replace(microsecond=0)
    cookies.set("a", "1", expires=3600)
    after = datetime.now(UTC)
    line = _lines(cookies)[0].decode()
    prefix = "a=1; Expires="
    assert line.startswith(prefix)
    date = line[len(prefix) :].split(";")[0]
    assert date.endswith(" GMT")
    when = parsedate_to_datetime(date)
    assert before + timedelta(seconds=3600) <= when <= after + timedelta(seconds=3600)


def test_negative_expires_int_gives_a_past_date() -> None:
    cookies = Cookies()
    cookies.set("a", "1", expires=-86400)
    date = _lines(cookies)[0].decode().split("Expires=")[1].split(";")[0]
    assert parsedate_to_datetime(date) < datetime.now(UTC)


def test_delete_sends_empty_value_max_age_zero_and_past_expires() -> None:
    cookies = Cookies()
    cookies.delete("sid", domain="example.com", path="/")
    assert _lines(cookies) == [
        b"sid=; Domain=example.com; Path=/; Max-Age=0; "
        b"Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax"
    ]


def test_delete_of_partitioned_cookie_keeps_partitioned() -> None:
    cookies = Cookies()
    cookies.delete("a", partitioned=True, httponly=False)
    assert _lines(cookies) == [
        b"a=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; SameSite=Lax; Partitioned"
    ]


def test_setting_same_name_domain_and_path_replaces_in_place() -> None:
    cookies = Cookies()
    cookies.set("a", "1")
    cookies.set("b", "2")
    cookies.set("a", "3")
    assert _lines(cookies) == [b"a=3; HttpOnly; SameSite=Lax", b"b=2; HttpOnly; SameSite=Lax"]


def test_delete_replaces_an_earlier_set_of_the_same_cookie() -> None:
    cookies = Cookies()
    cookies.set("a", "1", path="/")
    cookies.delete("a", path="/")
    assert len(cookies) == 1
    assert _lines(cookies)[0].startswith(b"a=; Path=/; Max-Age=0")


def test_same_name_with_other_path_or_domain_is_a_distinct_cookie() -> None:
    cookies = Cookies()
    cookies.set("a", "1", path="/x")
    cookies.set("a", "2", path="/y")
    cookies.set("a", "3", domain="example.com")
    cookies.set("a", "4", domain=".EXAMPLE.com")
    assert _lines(cookies) == [
        b"a=1; Path=/x; HttpOnly; SameSite=Lax",
        b"a=2; Path=/y; HttpOnly; SameSite=Lax",
        b"a=4; Domain=.EXAMPLE.com; HttpOnly; SameSite=Lax",
    ]


def test_len_iter_and_repr() -> None:
    cookies = Cookies()
    assert not cookies
    cookies.set("a", "1")
    cookies.set("b", "2", path="/")
    assert len(cookies) == 2
    assert list(cookies) == ["a", "b"]
    assert repr(cookies) == (
        "Cookies(['a=1; HttpOnly; SameSite=Lax', 'b=2; Path=/; HttpOnly; SameSite=Lax'])"
    )


def test_samesite_none_forces_secure() -> None:
    cookies = Cookies()
    cookies.set("a", "1", samesite="none")
    assert _lines(cookies) == [b"a=1; Secure; HttpOnly; SameSite=None"]


def test_partitioned_forces_secure() -> None:
    cookies = Cookies()
    cookies.set("a", "1", partitioned=True)
    assert _lines(cookies) == [b"a=1; Secure; HttpOnly; SameSite=Lax; Partitioned"]


def test_secure_prefix_forces_secure() -> None:
    cookies = Cookies()
    cookies.set("__Secure-id", "1")
    assert _lines(cookies) == [b"__Secure-id=1; Secure; HttpOnly; SameSite=Lax"]


def test_host_prefix_forces_secure_and_root_path() -> None:
    cookies = Cookies()
    cookies.set("__Host-id", "1")
    cookies.set("__host-other", "2", path="/")
    assert _lines(cookies) == [
        b"__Host-id=1; Path=/; Secure; HttpOnly; SameSite=Lax",
        b"__host-other=2; Path=/; Secure; HttpOnly; SameSite=Lax",
    ]


@pytest.mark.parametrize(("domain", "path"), [("example.com", None), (None, "/app")])
def test_host_prefix_rejects_domain_or_other_path(domain: str | None, path: str | None) -> None:
    with pytest.raises(InvalidHeaderError, match="__Host-"):
        Cookies().set("__Host-id", "1", domain=domain, path=path)


@pytest.mark.parametrize("name", ["", "a b", "a=b", "a;b", "a,b", "a\r\nb", "é", "a\x00", '"a"'])
def test_invalid_names_are_rejected(name: str) -> None:
    with pytest.raises(InvalidHeaderError, match="invalid cookie name"):
        Cookies().set(name, "1")


@pytest.mark.parametrize(
    "value", ["a b", "a;b", "a,b", 'a"b', "a\\b", "a\tb", "a\x7f", "é", '"a', '""a""', "a\r\nb"]
)
def test_invalid_values_are_rejected(value: str) -> None:
    with pytest.raises(InvalidHeaderError, match="invalid cookie value"):
        Cookies().set("a", value)


@pytest.mark.parametrize(
    "domain", ["", "exa mple.com", "a..b", "-a.com", "a-.com", "a.com.", "ex_ample.com", "é.com"]
)
def test_invalid_domains_are_rejected(domain: str) -> None:
    with pytest.raises(InvalidHeaderError, match="invalid cookie domain"):
        Cookies().set("a", "1", domain=domain)


@pytest.mark.parametrize("path", ["", "app", "/a\x00", "/é", "/a\x7f"])
def test_invalid_paths_are_rejected(path: str) -> None:
    with pytest.raises(InvalidHeaderError, match="invalid cookie path"):
        Cookies().set("a", "1", path=path)


def test_path_with_space_and_other_printable_ascii_is_allowed() -> None:
    cookies = Cookies()
    cookies.set("a", "1", path="/a b/%2C/~")
    assert _lines(cookies) == [b"a=1; Path=/a b/%2C/~; HttpOnly; SameSite=Lax"]


@pytest.mark.parametrize("samesite", ["Lax", "STRICT", "", "no", None])
def test_invalid_samesite_is_rejected(samesite: object) -> None:
    with pytest.raises(InvalidHeaderError, match="invalid samesite"):
        Cookies().set("a", "1", samesite=cast(SameSite, samesite))


@pytest.mark.parametrize("max_age", [-1, True, 1.5, "10"])
def test_invalid_max_age_is_rejected(max_age: object) -> None:
    with pytest.raises(InvalidHeaderError, match="max_age"):
        Cookies().set("a", "1", max_age=cast(int, max_age))


def test_max_age_zero_is_allowed() -> None:
    cookies = Cookies()
    cookies.set("a", "1", max_age=0)
    assert _lines(cookies) == [b"a=1; Max-Age=0; HttpOnly; SameSite=Lax"]


def test_naive_datetime_expires_is_rejected() -> None:
    with pytest.raises(InvalidHeaderError, match="naive datetime"):
        Cookies().set("a", "1", expires=datetime(2030, 1, 1))


@pytest.mark.parametrize("expires", [10**20, -(10**20), True, 1.5, "tomorrow"])
def test_out_of_range_or_wrongly_typed_expires_is_rejected(expires: object) -> None:
    with pytest.raises(InvalidHeaderError, match="expires"):
        Cookies().set("a", "1", expires=cast(int, expires))


def test_non_str_value_is_rejected() -> None:
    with pytest.raises(InvalidHeaderError, match="invalid cookie value"):
        Cookies().set("a", cast(str, b"1"))


def test_failed_set_leaves_the_jar_unchanged() -> None:
    cookies = Cookies()
    cookies.set("a", "1")
    with pytest.raises(InvalidHeaderError):
        cookies.set("a", "2", path="bad")
    assert _lines(cookies) == [b"a=1; HttpOnly; SameSite=Lax"]


def test_name_plus_value_up_to_the_limit_is_accepted() -> None:
    cookies = Cookies()
    cookies.set("a", "v" * (MAX_COOKIE_SIZE - 1))
    assert len(_lines(cookies)[0]) == len("a=") + MAX_COOKIE_SIZE - 1 + len(
        "; HttpOnly; SameSite=Lax"
    )


def test_parse_single_header() -> None:
    assert parse_cookie_header(["a=1; b=2"]).items() == [("a", "1"), ("b", "2")]


def test_parse_merges_several_headers() -> None:
    assert parse_cookie_header(["a=1", "b=2; c=3"]).items() == [("a", "1"), ("b", "2"), ("c", "3")]


def test_parse_keeps_duplicates_first_sent_first() -> None:
    cookies = parse_cookie_header(["a=1; b=2", "a=3"])
    assert cookies.get_first("a") == "1"
    assert cookies.get("a") == ["1", "3"]


def test_parse_strips_whitespace_and_one_pair_of_quotes() -> None:
    cookies = parse_cookie_header([' a = 1 ;\tb="2";c=""x""; d="; e=" '])
    assert cookies.items() == [("a", "1"), ("b", "2"), ("c", '"x"'), ("d", '"'), ("e", '"')]


def test_parse_drops_entries_without_equals_or_name() -> None:
    assert parse_cookie_header(["a; =1; =; b=2;;"]).items() == [("b", "2")]


def test_parse_splits_value_at_first_equals_only() -> None:
    assert parse_cookie_header(["a=b=c==; d="]).items() == [("a", "b=c=="), ("d", "")]


def test_parse_does_not_decode_or_unescape() -> None:
    cookies = parse_cookie_header(['a=%2541; b="\\101\\"x"; c=\xe9'])
    assert cookies.items() == [("a", "%2541"), ("b", '\\101\\"x'), ("c", "\xe9")]


def test_parse_of_no_headers_is_empty() -> None:
    assert parse_cookie_header([]).items() == []
    assert parse_cookie_header([""]).items() == []
