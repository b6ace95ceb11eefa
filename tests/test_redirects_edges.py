"""Redirect targets: which user-supplied URLs keep the user on an allowed host (bracketed IPv6
hosts, ports, case, schemes), and how ``Location`` values are encoded."""

from __future__ import annotations

import pytest
from hypothesis import example, given
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


@pytest.mark.parametrize("authority", ["user@example.org", "ex%61mple.org", "example.org%40evil.com"])
@pytest.mark.parametrize("prefix", ["//", "https://", "http://"])
def test_an_authority_with_user_info_or_escapes_is_refused_even_when_listed_verbatim(
    authority: str, prefix: str
) -> None:
    # Browsers decode escapes and drop user info before choosing the host, so the text of
    # such an authority never names the host the redirect lands on.
    assert is_safe_redirect_url(f"{prefix}{authority}/", allowed_hosts=[authority]) is False


@given(port=st.integers(0, 65535), upper=st.booleans())
@example(port=65535, upper=False)
@example(port=65535, upper=True)
def test_every_valid_port_of_an_allowed_host_is_safe_whatever_the_host_case(
    port: int, upper: bool
) -> None:
    host = "EXAMPLE.org" if upper else "example.org"
    assert is_safe_redirect_url(f"//{host}:{port}/x", allowed_hosts=["example.org"]) is True


@given(port=st.integers(65536, 99999))
@example(port=65536)
def test_a_port_above_65535_is_refused(port: int) -> None:
    assert is_safe_redirect_url(f"//example.org:{port}/", allowed_hosts=["example.org"]) is False


@pytest.mark.parametrize("after", ["x", "x:80", "@evil.com", ".evil.com"])
def test_text_between_a_bracketed_host_and_its_port_is_refused(after: str) -> None:
    assert is_safe_redirect_url(f"//[::1]{after}/", allowed_hosts=["[::1]"]) is False


@pytest.mark.parametrize("target", ["/\ud800", "//example.org/\udfff", "https://example.org/\ud83d"])
def test_a_target_redirect_would_refuse_is_never_safe(target: str) -> None:
    assert is_safe_redirect_url(target, allowed_hosts=["example.org"]) is False


def test_the_control_character_error_quotes_the_first_100_characters_of_the_target() -> None:
    target = "a" * 100 + "b" * 50 + "\r\n"
    with pytest.raises(InvalidHeaderError) as raised:
        encode_location(target)
    # The repr of exactly 100 characters, quotes included: 99 or 101 would not match.
    assert repr("a" * 100) in str(raised.value)
