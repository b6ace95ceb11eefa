"""is_safe_redirect_url judged against an independent WHATWG URL reading of what is sent.

The property: whenever the check says a target is safe, a browser reading the ``Location``
that ``redirect()`` sends (``encode_location``), and also the raw target, stays on the
current site (relative) or goes to an allowed host, whatever the current page's scheme;
``urllib.parse`` agrees. The reading is ``tests/whatwg_url.py``, which shares no code with
the implementation.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit

from hypothesis import example, given, settings
from hypothesis import strategies as st

from asgikit._redirects import encode_location, is_safe_redirect_url
from tests.whatwg_url import (
    ELSEWHERE,
    RELATIVE,
    Destination,
    stays_on_allowed_site,
    urllib_agrees,
    whatwg_destination,
)

ALLOWED: Final = ("example.org", "app.example.org:8443", "[::1]", "[2001:db8::7]:8000")
EVIL: Final = ("evil.com", "%65vil.com", "EVIL.com", "127.0.0.1", "[::2]", "0x7f.1", "exa%6dple.org")


# generated targets

_slashes = st.lists(st.sampled_from(["/", "\\"]), max_size=3).map("".join)
_schemes = st.sampled_from(["http", "https", "HTTPS", "hTtP", "javascript", "ftp", "ws", "data", "file"])
_prefixes = st.one_of(
    st.sampled_from(["", "/", "//", "/\\", "\\\\", "\\/", "///", " ", "\t", "\x00", "%2F%2F", "/%5C"]),
    st.builds("{}:{}".format, _schemes, _slashes),
)
_pieces = st.sampled_from(
    [
        *ALLOWED,
        *EVIL,
        "@", "%40", "%5C", "%5c", "%2F", "%2f", "#", "?", "/", "\\", ":", ":443", ":80", ":99999",
        ":8443", ":8000", ":x", "\t", "\n", "\r", " ", ".", "[", "]", "%", "%25", "%00", "é", "\uff0e",
        "example.org.", "EXAMPLE.ORG", "[::1", "::1", "2001:db8::7",
    ]
)


def _join(prefix: str, pieces: list[str]) -> str:
    return prefix + "".join(pieces)


targets = st.builds(_join, _prefixes, st.lists(_pieces, max_size=6))


@settings(max_examples=3000, deadline=None)
@given(targets)
@example("//example.org\\@evil.com")
@example("https://example.org\\@evil.com/")
@example("//example.org%5C@evil.com")
@example("https:example.org")
@example("https:///evil.com")
@example("//%65vil.com")
@example("/\t/evil.com")
def test_safe_targets_land_on_an_allowed_host_or_stay_relative(target: str) -> None:
    if not is_safe_redirect_url(target, allowed_hosts=ALLOWED):
        return
    location = encode_location(target).decode("ascii")
    assert stays_on_allowed_site(location, ALLOWED), location
    assert stays_on_allowed_site(target, ALLOWED), target  # a browser given the raw target agrees
    assert urllib_agrees(location, ALLOWED), location


@settings(max_examples=300, deadline=None)
@given(targets)
def test_require_https_never_approves_plain_http(target: str) -> None:
    if is_safe_redirect_url(target, allowed_hosts=ALLOWED, require_https=True):
        location = encode_location(target).decode("ascii")
        assert urlsplit(location).scheme.lower() != "http", location


_path_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zs")), max_size=20)


def _tail(path: str, query: str, fragment: str) -> str:
    return "/" + path.replace("\\", "") + query + fragment


_tails = st.builds(
    _tail,
    _path_text,
    st.sampled_from(["", "?next=//evil.com", "?a=1&b=%40"]),
    st.sampled_from(["", "#top", "#@evil.com"]),
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ALLOWED), st.sampled_from(["https://", "http://", "HTTPS://", "//"]), _tails)
def test_plain_urls_on_allowed_hosts_are_safe(host: str, prefix: str, tail: str) -> None:
    target = prefix + host + tail
    assert is_safe_redirect_url(target, allowed_hosts=ALLOWED)
    assert stays_on_allowed_site(encode_location(target).decode("ascii"), ALLOWED)


@settings(max_examples=300, deadline=None)
@given(_tails, st.sampled_from(["", "page/", "./", "../up/"]))
def test_relative_paths_are_safe(tail: str, lead: str) -> None:
    target = (lead + tail[1:]) if lead else tail
    if target.startswith("//"):
        return
    assert is_safe_redirect_url(target, allowed_hosts=ALLOWED)


def test_bracketed_ipv6_hosts_in_allowed_hosts() -> None:
    allowed = ["[::1]", "[2001:db8::7]:8000"]
    assert is_safe_redirect_url("https://[::1]/x", allowed_hosts=allowed)
    assert is_safe_redirect_url("//[::1]:8080/x", allowed_hosts=allowed)
    assert is_safe_redirect_url("http://[2001:DB8::7]:8000/", allowed_hosts=allowed)
    assert not is_safe_redirect_url("http://[2001:db8::7]:8001/", allowed_hosts=allowed)
    assert not is_safe_redirect_url("//[::1]@evil.com/", allowed_hosts=allowed)
    assert not is_safe_redirect_url("//[::1].evil.com/", allowed_hosts=allowed)
    assert not is_safe_redirect_url("//[::1]:99999/", allowed_hosts=allowed)
    assert not is_safe_redirect_url("//[::1%25eth0]/", allowed_hosts=allowed)


def test_oracle_reads_the_known_tricks_as_browsers_do() -> None:
    # Pins the oracle itself on shapes whose browser reading is well known.
    assert whatwg_destination("//example.org%5C@evil.com", "https") == Destination("host", "evil.com")
    # Unencoded, the backslash ends the authority; encoded as %5C it becomes user info.
    assert whatwg_destination("//example.org\\@evil.com", "https") == Destination("host", "example.org")
    assert whatwg_destination("/\\evil.com", "https") == Destination("host", "evil.com")
    assert whatwg_destination("https:evil.com", "http") == Destination("host", "evil.com")
    assert whatwg_destination("https:evil.com", "https") == RELATIVE
    assert whatwg_destination("https:///evil.com", "https") == Destination("host", "evil.com")
    assert whatwg_destination("//%65vil.com", "https") == Destination("host", "evil.com")
    assert whatwg_destination(" /\t/evil.com", "https") == Destination("host", "evil.com")
    assert whatwg_destination("//0x7f.1:443", "https") == Destination("host", "127.0.0.1")
    assert whatwg_destination("//[0:0::1]:8000", "https") == Destination("host", "[::1]", 8000)
    assert whatwg_destination("/a//b", "https") == RELATIVE
    assert whatwg_destination("javascript:alert(1)", "https") == ELSEWHERE
