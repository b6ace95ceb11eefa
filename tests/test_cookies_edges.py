"""Cookie limits at exactly the limit and one past it, and the parser's edges (quotes, tabs)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asgikit._cookies import MAX_COOKIE_SIZE, Cookies, parse_cookie_header
from asgikit._exceptions import InvalidHeaderError


def line(jar: Cookies) -> bytes:
    (header,) = jar.raw_headers()
    assert header[0] == b"set-cookie"
    return header[1]


# a host name of exactly 1024 characters: 63-letter labels, then a shorter last label
DOMAIN_1024 = (".".join(["a" * 63] * 16) + ".b")[:1022] + ".c"
PATH_1024 = "/" + "p" * 1023


@pytest.mark.parametrize(
    ("attribute", "exact", "wire"),
    [("domain", DOMAIN_1024, "Domain"), ("path", PATH_1024, "Path")],
)
def test_domain_and_path_of_exactly_1024_characters_pass_and_1025_are_refused(
    attribute: str, exact: str, wire: str
) -> None:
    assert len(exact) == 1024
    jar = Cookies()
    if attribute == "domain":
        jar.set("n", "v", domain=exact)
    else:
        jar.set("n", "v", path=exact)
    assert line(jar) == f"n=v; {wire}={exact}; HttpOnly; SameSite=Lax".encode()
    with pytest.raises(InvalidHeaderError, match=f"invalid cookie {attribute}"):
        if attribute == "domain":
            Cookies().set("n", "v", domain=exact + "d")
        else:
            Cookies().set("n", "v", path=exact + "p")


def test_name_and_value_of_exactly_4096_bytes_pass_and_4097_are_refused() -> None:
    assert MAX_COOKIE_SIZE == 4096
    jar = Cookies()
    jar.set("n", "v" * 4095)
    assert line(jar).startswith(b"n=" + b"v" * 4095 + b"; ")
    with pytest.raises(InvalidHeaderError, match="4097 bytes"):
        Cookies().set("n", "v" * 4096)


@pytest.mark.parametrize("prefix", ["__Host-", "__host-", "__HOST-"])
def test_host_prefix_in_any_case_forces_secure_and_root_path(prefix: str) -> None:
    jar = Cookies()
    jar.set(f"{prefix}id", "1")
    assert line(jar) == f"{prefix}id=1; Path=/; Secure; HttpOnly; SameSite=Lax".encode()
    explicit = Cookies()
    explicit.set(f"{prefix}id", "1", path="/")
    assert line(explicit) == line(jar)


@pytest.mark.parametrize("prefix", ["__Secure-", "__secure-", "__SECURE-"])
def test_secure_prefix_in_any_case_forces_secure_without_a_path(prefix: str) -> None:
    jar = Cookies()
    jar.set(f"{prefix}id", "1", httponly=False, samesite="strict")
    assert line(jar) == f"{prefix}id=1; Secure; SameSite=Strict".encode()


def test_domain_case_and_leading_dot_name_the_same_cookie() -> None:
    jar = Cookies()
    jar.set("n", "1", domain="Example.org")
    jar.set("n", "2", domain=".example.ORG")
    jar.set("n", "3", domain="example.org", path="/")
    assert [value for _, value in jar.raw_headers()] == [
        b"n=2; Domain=.example.ORG; HttpOnly; SameSite=Lax",
        b"n=3; Domain=example.org; Path=/; HttpOnly; SameSite=Lax",
    ]


def test_max_age_zero_is_sent_and_negative_refused() -> None:
    jar = Cookies()
    jar.set("n", "v", max_age=0, secure=True, samesite="none", partitioned=True)
    assert line(jar) == b"n=v; Max-Age=0; Secure; HttpOnly; SameSite=None; Partitioned"
    with pytest.raises(InvalidHeaderError, match="max_age"):
        Cookies().set("n", "v", max_age=-1)


def test_delete_is_exact_on_the_wire() -> None:
    jar = Cookies()
    jar.delete("n", domain="example.org", path="/a", secure=True)
    assert line(jar) == (
        b"n=; Domain=example.org; Path=/a; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; "
        b"Secure; HttpOnly; SameSite=Lax"
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('a="', '"'),
        ('a=""', ""),
        ('a="x"', "x"),
        ('a="x', '"x'),
        ('a=x"', 'x"'),
        ("a=\t x \t", "x"),
        ('a= "x" ', "x"),
        ("\t a \t=1", "1"),
    ],
)
def test_one_pair_of_quotes_and_surrounding_whitespace_are_removed(
    header: str, expected: str
) -> None:
    assert parse_cookie_header([header]).get("a") == [expected]


@given(
    pairs=st.lists(
        st.tuples(
            st.text("abcXYZ019_-", min_size=1, max_size=5),
            st.text("abcXYZ019_-!#$%&'()*+./:<>?@[]^`{|}~", max_size=5),
        ),
        max_size=6,
    ),
    separator=st.sampled_from([";", "; ", ";\t", " ; "]),
)
def test_cookie_headers_parse_to_every_pair_in_order(
    pairs: list[tuple[str, str]], separator: str
) -> None:
    header = separator.join(f"{name}={value}" for name, value in pairs)
    parsed = parse_cookie_header([header, ""])
    expected: dict[str, list[str]] = {}
    for name, value in pairs:
        expected.setdefault(name, []).append(value)
    assert {name: parsed.get(name) for name in expected} == expected
    assert len(parsed.items()) == len(pairs)


def test_a_cookie_with_a_domain_is_distinct_from_the_same_name_without_one() -> None:
    jar = Cookies()
    jar.set("n", "1")
    jar.set("n", "2", domain="example.org")
    assert [value for _, value in jar.raw_headers()] == [
        b"n=1; HttpOnly; SameSite=Lax",
        b"n=2; Domain=example.org; HttpOnly; SameSite=Lax",
    ]


class _NoOffset(tzinfo):
    """A time zone that does not know its offset: datetimes using it count as naive."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None


@given(when=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
def test_expires_with_a_time_zone_that_has_no_offset_is_refused_as_naive(when: datetime) -> None:
    """A ``tzinfo`` whose ``utcoffset()`` is ``None`` makes the datetime naive, so no local time
    is guessed: the cookie is refused like one without ``tzinfo``."""
    jar = Cookies()
    with pytest.raises(InvalidHeaderError):
        jar.set("a", "b", expires=when.replace(tzinfo=_NoOffset()))
    assert len(jar) == 0


@given(hours=st.integers(min_value=1, max_value=23), late=st.booleans())
def test_expires_that_leaves_the_datetime_range_in_utc_is_refused(hours: int, late: bool) -> None:
    """An aware ``expires`` at the edge of the ``datetime`` range whose UTC time falls outside
    it (year 10000 or year 0) is refused; no cookie without ``Expires`` is stored instead."""
    if late:
        when = datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-hours)))
    else:
        when = datetime(1, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=hours)))
    jar = Cookies()
    with pytest.raises(InvalidHeaderError):
        jar.set("a", "b", expires=when)
    assert len(jar) == 0
