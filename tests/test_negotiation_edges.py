"""Edges of content negotiation that the mutation run of ``_negotiation`` showed untested:
qvalues at every precision, duplicate elements (the first one counts), ties between equally
specific ranges, quoted parameter values at the edges of the quoted-string grammar, and the
boundaries of ``Accept-Encoding`` and ``TE`` qualities."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asgikit._negotiation import (
    _LANGUAGE_RANGE,  # pyright: ignore[reportPrivateUsage]
    _TOKEN,  # pyright: ignore[reportPrivateUsage]
    MediaRange,
    accepts,
    accepts_trailers,
    best_encoding,
    best_language,
    best_match,
    parse_accept,
    parse_quality,
    parse_weighted,
    split_unquoted,
)

THOUSANDTHS = st.integers(0, 1000)
ELEMENT_LIMIT = 64
"""Elements read per header, written out: the run rebinds imported constants to their mutants."""
PARAMETER_LIMIT = 16
"""Parameters allowed per element, written out for the same reason."""


def qvalue_texts(quality: int) -> list[str]:
    """Every way of writing ``quality`` (thousandths) as an RFC 9110 qvalue."""
    whole, fraction = divmod(quality, 1000)
    digits = f"{fraction:03d}"
    texts = [
        f"{whole}.{digits[:decimals]}"
        for decimals in range(1, 4)
        if digits[decimals:].strip("0") == ""
    ]
    if fraction == 0:
        texts += [str(whole), f"{whole}."]
    return texts


@given(THOUSANDTHS, st.data())
def test_every_spelling_of_a_qvalue_parses_to_its_thousandths(
    quality: int, data: st.DataObject
) -> None:
    text = data.draw(st.sampled_from(qvalue_texts(quality)))
    assert parse_quality(text) == quality
    assert parse_accept([f"text/html;q={text}"]) == (
        MediaRange("text", "html", frozenset(), quality),
    )
    assert parse_accept([f"text/html ; Q = {text} "]) == (
        MediaRange("text", "html", frozenset(), quality),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), ("0.", 0), ("0.0", 0), ("0.000", 0), ("0.001", 1), ("0.01", 10), ("0.1", 100),
     ("0.999", 999), ("1", 1000), ("1.", 1000), ("1.0", 1000), ("1.00", 1000), ("1.000", 1000)],
)  # fmt: skip
def test_qvalues_with_zero_to_three_decimals(text: str, expected: int) -> None:
    assert parse_quality(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", ".", ".5", "1.001", "1.5", "1.0000", "0.0000", "0.1234", "2", "-0", "+1", "01", "00.5",
     "1e0", "q"],
)  # fmt: skip
def test_qvalues_outside_the_grammar_are_refused(text: str) -> None:
    assert parse_quality(text) is None
    assert parse_accept([f"text/html;q={text}"]) == ()
    assert parse_weighted([f"gzip;q={text}"], _TOKEN) == ()


@given(st.integers(1001, 1999), st.integers(1, 3))
def test_qvalues_above_one_are_refused_at_any_precision(quality: int, decimals: int) -> None:
    text = f"{quality / 1000:.{decimals}f}"
    if text in ("1.0", "1.00", "1.000"):
        return
    assert parse_quality(text) is None


def test_q_zero_in_every_spelling_makes_a_type_unacceptable() -> None:
    for text in qvalue_texts(0):
        ranges = parse_accept([f"*/*, text/html;q={text}"])
        assert not accepts(ranges, "text/html"), text
        assert accepts(ranges, "image/png")


def test_the_smallest_quality_is_still_acceptable() -> None:
    ranges = parse_accept(["text/html;q=0.001"])
    assert accepts(ranges, "text/html")
    assert not accepts(ranges, "text/plain")
    assert best_match(ranges, ["text/plain", "text/html"]) == "text/html"


def test_a_duplicate_media_range_counts_once_the_first_time() -> None:
    for first, second, expected in [
        ("0.5", "0.9", "image/png"),
        ("0.9", "0.5", "text/html"),
        ("0", "1", "image/png"),
    ]:
        ranges = parse_accept([f"text/html;q={first}, text/html;q={second}, image/png;q=0.7"])
        assert best_match(ranges, ["text/html", "image/png"]) == expected, (first, second)


def test_equally_specific_wildcards_the_first_one_decides() -> None:
    ranges = parse_accept(["text/*;q=0.2, text/*;q=0.8, image/*;q=0.5"])
    assert best_match(ranges, ["text/html", "image/png"]) == "image/png"
    ranges = parse_accept(["*/*;q=0.9, */*;q=0.1, text/html;q=0.5"])
    assert best_match(ranges, ["text/html", "image/png"]) == "image/png"


@pytest.mark.parametrize(
    ("accept", "offers", "expected"),
    [
        ("*/*;q=0.5, text/*;q=0.3", ("text/html", "image/png"), "image/png"),  # type/* beats */*
        ("text/*;q=0.3, */*;q=0.5", ("text/html", "image/png"), "image/png"),
        (
            "text/*;q=0.3, text/html;q=0.7",
            ("text/plain", "text/html"),
            "text/html",
        ),  # type/subtype beats type/*
        ("text/html;q=0.7, text/*;q=0.3", ("text/plain", "text/html"), "text/html"),
        (
            "text/html;level=1;q=0.2, text/html;q=0.6",
            ("text/html;level=1", "text/html"),
            "text/html",
        ),
        (
            "text/html;q=0.6, text/html;level=1;q=0.2",
            ("text/html;level=1", "text/html"),
            "text/html",
        ),
        ("*/*", ("text/html", "image/png"), "text/html"),
        ("image/*", ("text/html", "image/png"), "image/png"),
        (
            "text/html, text/*",
            ("text/plain", "text/html"),
            "text/html",
        ),  # equal q: the more specific match
    ],
)
def test_the_most_specific_range_decides_at_every_level(
    accept: str, offers: tuple[str, ...], expected: str
) -> None:
    assert best_match(parse_accept([accept]), offers) == expected


def test_media_range_specificity_orders_the_four_levels() -> None:
    levels = [
        parse_accept([text])[0].specificity
        for text in ("*/*", "text/*", "text/html", "text/html;a=b", "text/html;a=b;c=d")
    ]
    assert levels == [0, 1, 2, 3, 4]


def test_wildcard_offers_are_never_chosen_even_against_wildcard_ranges() -> None:
    for accept in ([], ["*/*"], ["text/*"]):
        ranges = parse_accept(accept)
        assert best_match(ranges, ["*/*", "text/*", "bad", "text/html"]) == "text/html"
        assert not accepts(ranges, "text/*")
        assert not accepts(ranges, "*/*")
        assert not accepts(ranges, "nonsense")


def test_a_range_matches_only_its_own_type_and_subtype() -> None:
    ranges = parse_accept(["text/html"])
    assert accepts(ranges, "text/html")
    assert not accepts(ranges, "text/plain")
    assert not accepts(ranges, "image/html")
    ranges = parse_accept(["text/*"])
    assert accepts(ranges, "text/csv")
    assert not accepts(ranges, "image/csv")


def test_parameters_of_a_range_must_be_a_subset_of_the_offer() -> None:
    ranges = parse_accept(["text/plain;charset=utf-8"])
    assert accepts(ranges, "text/plain;charset=utf-8")  # equal sets match
    assert accepts(ranges, "text/plain;format=flowed;charset=UTF-8")
    assert not accepts(ranges, "text/plain")


@pytest.mark.parametrize(
    ("element", "params"),
    [
        ('text/plain;a=""', frozenset({("a", "")})),
        ('text/plain;a="x\\\\"', frozenset({("a", "x\\")})),
        ('text/plain;a="\\x"', frozenset({("a", "x")})),
        ('text/plain;a="A B"', frozenset({("a", "a b")})),
        ("text/plain;A=B", frozenset({("a", "b")})),
        ("TEXT/Plain ; a=b ;c=d", frozenset({("a", "b"), ("c", "d")})),
    ],
)
def test_quoted_and_token_parameter_values(
    element: str, params: frozenset[tuple[str, str]]
) -> None:
    assert parse_accept([element]) == (MediaRange("text", "plain", params, 1000),)


@pytest.mark.parametrize(
    "element",
    ['text/plain;a="', 'text/plain;a="x\\"', 'text/plain;a="x"y"', 'text/plain;a="x\\"y', "text/plain;a=b c",
     "text/plain;a", "text/plain;=b", "text/plain;a=", "*/plain", "text/pl ain", "text/plain/x"],
)  # fmt: skip
def test_malformed_parameters_drop_the_whole_element(element: str) -> None:
    assert parse_accept([element, "image/png"]) == (MediaRange("image", "png", frozenset(), 1000),)


def test_blank_elements_between_commas_are_skipped() -> None:
    assert parse_accept([" , text/html,\t,", ""]) == (
        MediaRange("text", "html", frozenset(), 1000),
    )


def test_parameters_up_to_the_limit_with_a_quality() -> None:
    at_limit = "text/html" + "".join(f";p{i}=v" for i in range(PARAMETER_LIMIT))
    assert parse_accept([at_limit])[0].specificity == 2 + PARAMETER_LIMIT
    below = "text/html" + "".join(f";p{i}=v" for i in range(PARAMETER_LIMIT - 1))
    assert parse_accept([below + ";q=0.5"])[0].quality == 500


@pytest.mark.parametrize(
    ("text", "separator", "limit", "parts"),
    [
        ("a,b,c", ",", 1, ["a", "b,c"]),
        ('a,"b,c",d', ",", 8, ["a", '"b,c"', "d"]),
        ('"a,b"', ",", 8, ['"a,b"']),
        ('"x",y', ",", 0, ['"x",y']),
        ('a,"b', ",", 8, ["a", '"b']),
        ('"a\\",b",c', ",", 8, ['"a\\",b"', "c"]),
        ('"a\\\\",b', ",", 8, ['"a\\\\"', "b"]),
        ('"",,', ",", 8, ['""', "", ""]),
        ('a;"b;c";d;e', ";", 2, ["a", '"b;c"', "d;e"]),
    ],
)
def test_split_unquoted_respects_quotes_escapes_and_the_limit(
    text: str, separator: str, limit: int, parts: list[str]
) -> None:
    assert split_unquoted(text, separator, limit) == parts


# Accept-Language


@pytest.mark.parametrize(
    ("header", "offers", "expected"),
    [
        ("*;q=0.1, en;q=0.5", ("fr", "en-GB"), "en-GB"),  # a named range beats *
        ("en;q=0.5, *;q=0.1", ("fr", "en-GB"), "en-GB"),
        (
            "en;q=0.2, en-gb;q=0.8",
            ("en-US", "en-GB"),
            "en-GB",
        ),  # the longer range beats the shorter
        ("en-gb;q=0.8, en;q=0.2", ("en-US", "en-GB"), "en-GB"),
        ("en;q=0.3, en;q=0.9, fr;q=0.5", ("en", "fr"), "fr"),  # a duplicate: the first counts
        ("en;q=0, en, fr;q=0.5", ("en", "fr"), "fr"),
        ("*", ("de", "fr"), "de"),
        ("en", ("english", "en"), "en"),  # a prefix must end at a subtag boundary
        ("fr;q=0.001", ("fr",), "fr"),
        ("zh-hant", ("ZH-Hant-TW", "zh"), "ZH-Hant-TW"),
    ],
)
def test_best_language_scores_ranges_by_length(
    header: str, offers: tuple[str, ...], expected: str
) -> None:
    assert best_language([header], offers) == expected


def test_language_ranges_follow_the_basic_grammar() -> None:
    assert parse_weighted(["EN-gb;q=0.5, *, x-a1b2c3d4, abcdefghi, en_gb"], _LANGUAGE_RANGE) == (
        ("en-gb", 500),
        ("*", 1000),
        ("x-a1b2c3d4", 1000),
    )


# Accept-Encoding and TE


@pytest.mark.parametrize(
    ("header", "offers", "expected"),
    [
        ("gzip;q=0.001", ("identity", "gzip"), "gzip"),  # any listed coding beats identity
        ("*;q=0.5, gzip;q=0.5", ("br", "gzip"), "gzip"),  # listed beats * at equal quality
        ("gzip;q=0.5, *;q=0.5", ("br", "gzip"), "gzip"),
        ("*;q=0.001", ("identity", "br"), "identity"),
        ("gzip;q=0, gzip", ("gzip", "identity"), "identity"),  # a duplicate: the first counts
        ("gzip, gzip;q=0", ("identity", "gzip"), "gzip"),
        ("x-compress", ("compress", "identity"), "compress"),
        ("compress", ("x-compress", "identity"), "x-compress"),
        ("x-gzip;q=0, *", ("gzip", "br"), "br"),
        ("GZip", ("GZIP", "identity"), "GZIP"),
        ("deflate", ("br", "gzip"), None),
        ("identity;q=0.5, gzip;q=0.4", ("gzip", "identity"), "identity"),
    ],
)
def test_best_encoding_edges(header: str, offers: tuple[str, ...], expected: str | None) -> None:
    assert best_encoding([header], offers) == expected


def test_without_accept_encoding_the_first_offer_wins_and_none_without_offers() -> None:
    assert best_encoding(None, ["zstd", "gzip"]) == "zstd"
    assert best_encoding(None, []) is None
    assert best_encoding([], ["gzip", "identity"]) == "identity"


def test_the_first_q_of_an_element_counts_and_other_parameters_are_ignored() -> None:
    assert parse_weighted(["gzip;q=0.5;q=1, br;level=3;q=0.2, zstd;Q=0.3;x=1"], _TOKEN) == (
        ("gzip", 500),
        ("br", 200),
        ("zstd", 300),
    )
    assert parse_weighted(["gzip;q=bad;q=1"], _TOKEN) == ()


def test_a_weighted_element_reads_its_quality_up_to_the_parameter_limit() -> None:
    params = "".join(f";p{i}=v" for i in range(PARAMETER_LIMIT - 1))
    assert parse_weighted([f"gzip{params};q=0"], _TOKEN) == (("gzip", 0),)
    assert parse_weighted([f"gzip{params};p=v;q=0"], _TOKEN) == (("gzip", 1000),)


@pytest.mark.parametrize(
    ("te", "expected"),
    [("trailers;q=0.001", True), ("trailers;q=0.000", False), ("trailers;q=1.000", True), ("trailers;q=1.001", False),
     ("trailers;q=0, trailers", True), ("TRAILERS ;Q=0.5", True), ('trailers;x="a,b";q=0.1', True)],
)  # fmt: skip
def test_accepts_trailers_at_the_quality_edges(te: str, expected: bool) -> None:
    assert accepts_trailers([te]) is expected


TOKEN_VALUES = st.text(st.sampled_from("aZ09-.+!#$%&'*^_`|~"), min_size=1, max_size=8)


@given(TOKEN_VALUES, TOKEN_VALUES, st.booleans())
def test_parameter_values_in_either_case_match_case_insensitively(
    sent: str, case_mix: str, quote: bool
) -> None:
    """Unquoted values such as ``charset=UTF-8`` are tokens in either case: an offer or a range
    carrying one is a media type like any other, matched without regard to case."""
    value = "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(sent)) + case_mix
    offer = f"text/plain; charset={value}"
    assert accepts((), offer)
    assert best_match((), ["nonsense", offer]) == offer
    accept = (
        f'text/plain;charset="{value.swapcase()}"'
        if quote
        else f"text/plain;charset={value.swapcase()}"
    )
    ranges = parse_accept([accept])
    assert ranges == (MediaRange("text", "plain", frozenset({("charset", value.lower())}), 1000),)
    assert accepts(ranges, offer)
    assert not accepts(ranges, "text/plain")


def test_exactly_64_elements_are_read_across_all_lines() -> None:
    for lines in (1, 2, ELEMENT_LIMIT - 1):
        filler = ["image/png"] * (ELEMENT_LIMIT - 1)
        values = [",".join(filler[i::lines]) for i in range(lines)]
        assert accepts(parse_accept([*values, "text/html"]), "text/html")
        assert not accepts(parse_accept([*values, "image/gif", "text/html"]), "text/html")
        assert not accepts(parse_accept([*values, "image/gif, text/html"]), "text/html")
        assert len(parse_accept([*values, "image/gif", "text/html"])) == ELEMENT_LIMIT
    languages = ",".join(["de"] * (ELEMENT_LIMIT - 1))
    assert best_language([languages, "fr"], ["fr"]) == "fr"
    assert best_language([languages, "de, fr"], ["fr"]) is None


def test_exactly_16_parameters_are_allowed_in_an_accept_element() -> None:
    params = [f";p{i}=v" for i in range(PARAMETER_LIMIT + 1)]
    assert (
        len(parse_accept(["text/html" + "".join(params[:PARAMETER_LIMIT])])[0].params)
        == PARAMETER_LIMIT
    )
    assert parse_accept(["text/html" + "".join(params)]) == ()
    assert (
        parse_accept(["text/html" + "".join(params[: PARAMETER_LIMIT - 1]) + ";q=0.5"])[0].quality
        == 500
    )


def test_accept_extensions_count_towards_the_segment_limit() -> None:
    extensions = "".join(f";e{i}=1" for i in range(PARAMETER_LIMIT))
    assert parse_accept([f"text/html;q=0.5{extensions[: -len(';e15=1')]}"])[0].quality == 500
    assert parse_accept([f"text/html;q=0.5{extensions}, image/png"]) == (
        MediaRange("image", "png", frozenset(), 1000),
    )


def test_a_weighted_quality_at_the_last_read_segment_ends_at_its_semicolon() -> None:
    params = "".join(f";p{i}=v" for i in range(PARAMETER_LIMIT - 1))
    assert parse_weighted([f"gzip{params};q=0.5;x=1"], _TOKEN) == (("gzip", 500),)
    assert parse_weighted([f"gzip{params};q=0.5;x=1;y=2"], _TOKEN) == (("gzip", 500),)


def test_a_coding_or_language_named_q_is_a_name_not_a_quality() -> None:
    assert parse_weighted(["q, q;q=0.5, Q;level=1"], _TOKEN) == (
        ("q", 1000),
        ("q", 500),
        ("q", 1000),
    )
    assert best_language(["q;q=0.2, fr;q=0.1"], ["fr", "q"]) == "q"
    assert best_encoding(["q"], ["identity", "q"]) == "q"
