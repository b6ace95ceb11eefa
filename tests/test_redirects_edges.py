"""Redirect targets: which user-supplied URLs keep the user on an allowed host (bracketed IPv6
hosts, ports, case, schemes), and how ``Location`` values are encoded."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asgikit._exceptions import InvalidHeaderError
from asgikit._redirects import encode_location, is_safe_redirect_url


@pytest.mark.parametrize(
    ("url", "allowed", "safe"),
    [
        ("https://[::1]/x", ["[::1]"], True),
        ("https://[::1]:8443/x", ["[::1]"], True),
        ("https://[::1]:8443/x", ["[::1]:8443"], True),
        ("//[::1]/x", ["[::1]"], True),
        ("https://[::1]/x", ["[::2]"], False),
        ("https://[::1", ["[::1]"], False),
        ("https://[::1]@evil.com/", ["[::1]"], False),
        ("https://Example.ORG/x", ["example.org"], True),
        ("https://example.org/x", ["EXAMPLE.org"], True),
        ("https://example.org:8443/", ["example.org"], True),
        ("https://example.org:8443/", ["example.org:8443"], True),
        ("https://example.org:8443/", ["example.org:80"], False),
        ("https://example.org?next=1", ["example.org"], True),
        ("https://example.org#top", ["example.org"], True),
        ("https://example.org", ["example.org"], True),
        ("HTTPS://example.org/", ["example.org"], True),
        ("http://example.org/", ["example.org"], True),
        ("https://evil.com/", ["example.org"], False),
        ("https://example.org.evil.com/", ["example.org"], False),
        ("https://user@example.org/", ["example.org"], False),
        ("https://", ["example.org"], False),
        ("//", ["example.org"], False),
        ("https://:443/", ["example.org"], False),
        ("https:example.org", ["example.org"], False),
        ("https:/example.org", ["example.org"], False),
        ("https:xxexample.org", ["example.org"], False),
        ("https:xx[::1]", ["[::1]"], False),
        ("ftp://example.org/", ["example.org"], False),
        ("javascript:alert(1)", ["example.org"], False),
        ("data:text/html,x", ["example.org"], False),
        ("/path?x=1", [], True),
        ("page?x=1", [], True),
        ("#top", [], True),
        ("?q=1", [], True),
        ("", [], False),
        (" /x", [], False),
        ("/x\ty", [], False),
        ("/x\x7f", [], False),
        ("/\\evil.com", ["example.org"], False),
        ("\\\\evil.com", ["example.org"], False),
        ("//evil.com", ["example.org"], False),
    ],
)
def test_safe_redirect_targets(url: str, allowed: list[str], safe: bool) -> None:
    assert is_safe_redirect_url(url, allowed_hosts=allowed) is safe


def test_require_https_refuses_http_urls_but_not_relative_ones() -> None:
    hosts = ["example.org"]
    assert is_safe_redirect_url("http://example.org/", allowed_hosts=hosts)
    assert not is_safe_redirect_url("http://example.org/", allowed_hosts=hosts, require_https=True)
    assert is_safe_redirect_url("https://example.org/", allowed_hosts=hosts, require_https=True)
    assert is_safe_redirect_url("/local", require_https=True)


def test_an_empty_allowed_host_never_approves_a_url_without_a_host() -> None:
    assert not is_safe_redirect_url("https://:443/", allowed_hosts=["", ":443"])
    assert not is_safe_redirect_url("//:80", allowed_hosts=[""])


def test_allowed_hosts_may_be_any_iterable() -> None:
    assert is_safe_redirect_url(
        "https://b.example/", allowed_hosts=iter(["a.example", "b.example"])
    )
    assert not is_safe_redirect_url("https://b.example/")


@given(path=st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), max_size=20))
def test_locations_are_ascii_and_decode_back_to_the_target(path: str) -> None:
    from urllib.parse import unquote

    encoded = encode_location("/" + path)
    assert encoded.isascii()
    assert b" " not in encoded and b"\\" not in encoded
    if "%" not in path:
        assert unquote(encoded.decode("ascii")) == "/" + path


@pytest.mark.parametrize(
    ("location", "encoded"),
    [
        ("/a b", b"/a%20b"),
        ("/caf\u00e9", b"/caf%C3%A9"),
        ("/x%2Fy", b"/x%2Fy"),
        ("/a\\b", b"/a%5Cb"),
        ("https://h/p?q=1&r=[2]#f@~!$'()*+,;:", b"https://h/p?q=1&r=[2]#f@~!$'()*+,;:"),
        ('/"<>^`{|}', b"/%22%3C%3E%5E%60%7B%7C%7D"),
    ],
)
def test_location_encoding(location: str, encoded: bytes) -> None:
    assert encode_location(location) == encoded


@pytest.mark.parametrize("bad", ["/a\r\nSet-Cookie: x=1", "/\x00", "/\x1f", "/\x7f", "/\t"])
def test_control_characters_in_a_location_are_refused(bad: str) -> None:
    with pytest.raises(InvalidHeaderError, match="control characters"):
        encode_location(bad)


def test_a_lone_surrogate_in_a_location_is_refused() -> None:
    with pytest.raises(InvalidHeaderError, match="lone surrogate"):
        encode_location("/\ud800")
