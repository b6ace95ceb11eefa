"""Content negotiation: ``Request.accepts`` / ``best_match`` over ``Accept``,
``best_language`` / ``best_encoding`` over ``Accept-Language`` / ``Accept-Encoding``, and
``Request.accepts_trailers`` over ``TE``."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asgikit import Request
from asgikit._negotiation import MAX_ELEMENTS, MAX_PARAMETERS, MediaRange, parse_accept
from tests.conftest import Recorder, Script, http_scope
from tests.timing import LINEAR_BOUND, growth

JSON_HTML = ("application/json", "text/html")


def request_with(*headers: tuple[str, str]) -> Request:
    raw = [(name.encode(), value.encode("latin-1")) for name, value in headers]
    return Request(http_scope(headers=raw), Script(), Recorder())


def best(accept: str, offers: tuple[str, ...]) -> str | None:
    return request_with(("accept", accept)).best_match(offers)


def test_without_accept_everything_is_acceptable_and_the_first_offer_wins() -> None:
    request = request_with()
    assert request.accepts("application/json")
    assert request.accepts("image/png")
    assert request.best_match(JSON_HTML) == "application/json"
    assert request.best_match(()) is None


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/html", "text/html"),
        ("application/json", "application/json"),
        ("text/html, application/json;q=0.9", "text/html"),
        ("text/html;q=0.5, application/json;q=0.9", "application/json"),
        ("*/*", "application/json"),  # equal quality: the server's order decides
        ("text/*", "text/html"),
        ("image/png", None),
        ("*/*;q=0.1, text/html", "text/html"),
        ("TEXT/HTML", "text/html"),  # types are case-insensitive
        ("application/json;q=0, */*", "text/html"),
        ("text/html;q=0.001", "text/html"),
    ],
)
def test_best_match_follows_quality_then_server_order(accept: str, expected: str | None) -> None:
    assert best(accept, JSON_HTML) == expected


def test_q_zero_excludes_even_under_a_wildcard() -> None:
    request = request_with(("accept", "*/*, application/json;q=0"))
    assert not request.accepts("application/json")
    assert request.accepts("text/html")
    assert request.best_match(("application/json",)) is None


def test_the_most_specific_range_decides_whatever_its_position() -> None:
    accept = "text/*;q=0.3, text/plain;format=flowed, text/plain;q=0.7, */*;q=0.5"
    request = request_with(("accept", accept))
    assert request.accepts("text/plain;format=flowed")
    assert request.best_match(("text/plain", "text/plain;format=flowed")) == "text/plain;format=flowed"
    assert request.best_match(("text/html", "image/png")) == "image/png"  # 0.5 beats 0.3


def test_equal_quality_prefers_the_more_specific_match() -> None:
    assert best("text/*, text/html", ("text/plain", "text/html")) == "text/html"


def test_parameters_must_all_be_present_in_the_offer() -> None:
    request = request_with(("accept", 'text/plain;charset="UTF-8"'))
    assert request.accepts("text/plain; charset=utf-8")
    assert not request.accepts("text/plain")
    assert not request.accepts("text/plain;charset=latin-1")


@pytest.mark.parametrize(
    "malformed",
    [
        "json",
        "text/",
        "/html",
        "*/html",
        "text/html;q=2",
        "text/html;q=0.1234",
        "text/html;q=",
        "text/html;q=abc",
        "text/html;noequals",
        'text/html;a="unterminated',
        "te xt/html",
        "text/html;q=1.001",
        'text/html;a="x"y"',
    ],
)
def test_malformed_entries_are_ignored(malformed: str) -> None:
    # last: an unterminated quote runs to the end of the header, swallowing what follows
    request = request_with(("accept", f"image/png;q=0.5, {malformed}"))
    assert request.best_match(("text/html", "image/png")) == "image/png"
    assert not request.accepts("text/html")


def test_a_header_with_nothing_usable_counts_as_absent() -> None:
    for accept in ("", "   ", ",,,", "garbage", "text/;q=x"):
        assert request_with(("accept", accept)).accepts("text/html"), accept


def test_quoted_commas_and_semicolons_do_not_split_entries() -> None:
    ranges = parse_accept(['text/plain;x="a,b;c\\"d", text/html;q=0.5'])
    assert ranges == (
        MediaRange("text", "plain", frozenset({("x", 'a,b;c"d')}), 1000),
        MediaRange("text", "html", frozenset(), 500),
    )


QUOTED_PIECES = {"a": "a", "b": "b", "\\\\": "\\", "\\a": "a", "\\\"": '"', ",": ","}
"""Pieces of a quoted-string's inside as sent, each with what it stands for: plain characters
and complete escapes, so that a value built from them never ends in a lone backslash."""


@given(st.lists(st.sampled_from(sorted(QUOTED_PIECES))), st.text(alphabet="ab", max_size=4))
def test_a_quoted_parameter_with_an_unescaped_quote_inside_is_refused(
    pieces: list[str], rest: str
) -> None:
    inside = "".join(pieces)
    # Two quoted strings glued together: the element is not a media range.
    assert parse_accept([f'text/html;x="{inside}"{rest}"']) == ()
    # The same quote escaped is part of the value.
    value = "".join(QUOTED_PIECES[piece] for piece in pieces) + '"' + rest
    assert parse_accept([f'text/html;x="{inside}\\"{rest}"']) == (
        MediaRange("text", "html", frozenset({("x", value)}), 1000),
    )


def test_accept_extensions_after_q_are_not_parameters() -> None:
    assert parse_accept(["text/html;level=1;q=0.5;ext=1"]) == (
        MediaRange("text", "html", frozenset({("level", "1")}), 500),
    )


def test_several_accept_lines_are_one_list() -> None:
    request = request_with(("accept", "image/png;q=0.2"), ("accept", "text/html"))
    assert request.best_match(("image/png", "text/html")) == "text/html"


def test_offers_that_are_not_media_types_are_never_chosen() -> None:
    request = request_with()
    assert request.best_match(("nonsense", "*/*", "text/*", "text/html")) == "text/html"
    assert not request.accepts("nonsense")


@pytest.mark.parametrize(
    ("te", "expected"),
    [
        ("trailers", True),
        ("Trailers", True),
        ("gzip, trailers", True),
        ("deflate;q=0.5 ,  TRAILERS ", True),
        ("trailers;q=0.5", True),
        ("trailers;q=0", False),
        ("trailers;q=bad", False),
        ("gzip", False),
        ("", False),
        ("trailersx", False),
        ('x;p="trailers, y", z', False),
    ],
)
def test_accepts_trailers_reads_the_te_list(te: str, expected: bool) -> None:
    assert request_with(("te", te)).accepts_trailers is expected


def test_accepts_trailers_without_te_is_false() -> None:
    assert request_with().accepts_trailers is False
    assert request_with(("te", "gzip"), ("te", "trailers")).accepts_trailers is True


HOSTILE: dict[str, Callable[[int], str]] = {
    "many entries": lambda n: ",".join(["text/html;q=0.5"] * (n // 16)),
    "many commas": lambda n: "," * n,
    "many parameters": lambda n: "text/html" + ";a=b" * (n // 4),
    "unterminated quote of escapes": lambda n: 'text/html;a="' + "\\\"" * (n // 2),
    "alternating quotes": lambda n: '"\\' * (n // 2),
    "many quoted entries": lambda n: ",".join(['a/b;c="d,e"'] * (n // 12)),
    "long token": lambda n: "a" * n + "/b",
}


@pytest.mark.parametrize("shape", HOSTILE)
def test_hostile_accept_headers_take_linear_time(shape: str) -> None:
    make = HOSTILE[shape]

    def prepare(n: int) -> Callable[[], object]:
        header = make(n)
        return lambda: request_with(("accept", header)).best_match(JSON_HTML)

    assert growth(prepare, 8_000) < 4 * LINEAR_BOUND


LANGUAGES = ("en-GB", "fr", "de-CH")


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("fr", "fr"),
        ("en", "en-GB"),  # a range matches its subtags
        ("EN-gb", "en-GB"),
        ("de-ch;q=0.5, en;q=0.4", "de-CH"),
        ("de;q=0.5, en;q=0.6", "en-GB"),
        ("*", "en-GB"),
        ("*;q=0.1, fr", "fr"),
        ("en-US", None),  # a more specific range does not match a less specific tag
        ("*, en;q=0", "fr"),  # q=0 excludes what the wildcard would accept
        ("en-GB-oxendict", None),
        ("zz, 123, en-, -en, en--gb, averyverylongsubtag", None),  # malformed: ignored
        ("", "en-GB"),
        ("en;q=2, fr;q=0.5", "fr"),
    ],
)
def test_best_language_follows_basic_filtering(accept_language: str, expected: str | None) -> None:
    request = request_with(("accept-language", accept_language))
    assert request.best_language(LANGUAGES) == expected


def test_without_accept_language_the_first_offer_wins() -> None:
    assert request_with().best_language(LANGUAGES) == "en-GB"
    assert request_with().best_language(()) is None


def test_the_longest_language_range_decides() -> None:
    request = request_with(("accept-language", "de;q=0.9, de-ch;q=0.1, fr;q=0.5"))
    assert request.best_language(("de-CH", "fr")) == "fr"
    assert request.best_language(("de-AT", "fr")) == "de-AT"


ENCODINGS = ("br", "gzip", "identity")


@pytest.mark.parametrize(
    ("accept_encoding", "expected"),
    [
        ("gzip", "gzip"),
        ("gzip, br", "br"),  # equal quality: the server's order
        ("gzip;q=1.0, br;q=0.5", "gzip"),
        ("x-gzip", "gzip"),
        ("GZIP", "gzip"),
        ("deflate", "identity"),  # identity stays acceptable, below listed codings
        ("", "identity"),  # an empty header asks for identity only
        ("garbage;q=x", "identity"),
        ("*", "br"),
        ("*;q=0.5, gzip", "gzip"),
        ("*;q=0", None),
        ("identity;q=0, deflate", None),
        ("*;q=0, identity", "identity"),
        ("br;q=0, *", "gzip"),
    ],
)
def test_best_encoding_follows_rfc_9110(accept_encoding: str, expected: str | None) -> None:
    request = request_with(("accept-encoding", accept_encoding))
    assert request.best_encoding(ENCODINGS) == expected


def test_without_accept_encoding_any_coding_is_acceptable() -> None:
    assert request_with().best_encoding(ENCODINGS) == "br"
    assert request_with().best_encoding(("identity",)) == "identity"


@pytest.mark.parametrize("header", ["accept-language", "accept-encoding", "te"])
def test_hostile_weighted_lists_take_linear_time(header: str) -> None:
    def prepare(n: int) -> Callable[[], object]:
        value = ",".join(['x;a="b,c";q=0.5'] * (n // 16))
        request = request_with((header, value))
        return lambda: (request.best_language(LANGUAGES), request.best_encoding(ENCODINGS), request.accepts_trailers)

    assert growth(prepare, 8_000) < 4 * LINEAR_BOUND


def test_only_the_first_64_elements_of_a_header_are_read() -> None:
    filler = ",".join(["image/png"] * (MAX_ELEMENTS - 1))
    assert request_with(("accept", f"{filler},text/html")).accepts("text/html")
    assert not request_with(("accept", f"{filler},image/gif,text/html")).accepts("text/html")
    many_languages = ",".join(["de"] * MAX_ELEMENTS)
    assert request_with(("accept-language", f"{many_languages},fr")).best_language(("fr",)) is None
    lines = [("accept", "image/png")] * MAX_ELEMENTS
    assert not request_with(*lines, ("accept", "text/html")).accepts("text/html")


def test_an_element_with_too_many_parameters_is_ignored() -> None:
    at_limit = "text/html" + ";a=b" * MAX_PARAMETERS
    over = at_limit + ";a=b"
    assert parse_accept([at_limit])[0].params == frozenset({("a", "b")})
    assert parse_accept([over]) == ()
    assert parse_accept([f'{over}, text/plain;x="a;b"']) == (
        MediaRange("text", "plain", frozenset({("x", "a;b")}), 1000),
    )
