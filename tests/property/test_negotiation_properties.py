"""Properties of the ``Accept`` / ``TE`` parsers: total, faithful to well-formed input, and a
``best_match`` that agrees with ``accepts`` and a brute-force reference."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from asgikit._negotiation import (
    MediaRange,
    accepts,
    accepts_trailers,
    best_encoding,
    best_language,
    best_match,
    parse_accept,
    split_unquoted,
)

HEADER_CHARS = st.characters(codec="latin-1", exclude_characters="\r\n")
TOKEN = st.text("abcxyz0123+-.", min_size=1, max_size=6)
TYPES = st.sampled_from(["text", "application", "image"])
SUBTYPES = st.sampled_from(["html", "json", "plain", "png"])
QUALITY = st.integers(0, 1000)


def format_quality(quality: int) -> str:
    return "1" if quality == 1000 else f"0.{quality:03d}"


@st.composite
def media_ranges(draw: st.DrawFn) -> MediaRange:
    kind = draw(st.sampled_from(["any", "type", "full"]))
    media_type = "*" if kind == "any" else draw(TYPES)
    subtype = "*" if kind != "full" else draw(SUBTYPES)
    pairs: list[tuple[str, str]] = draw(
        st.lists(st.tuples(TOKEN, TOKEN), max_size=2, unique_by=lambda pair: pair[0])
    )
    if kind != "full" or any(name == "q" for name, _ in pairs):
        pairs = []
    params = frozenset(pairs)
    return MediaRange(media_type, subtype, params, draw(QUALITY))


def render(media_range: MediaRange, *, quote: bool) -> str:
    params = "".join(
        f';{name}="{value}"' if quote else f";{name}={value}" for name, value in sorted(media_range.params)
    )
    return f"{media_range.type}/{media_range.subtype}{params};q={format_quality(media_range.quality)}"


def join_media_type(media_type: str, subtype: str) -> str:
    return f"{media_type}/{subtype}"


OFFERS = st.lists(st.builds(join_media_type, TYPES, SUBTYPES), min_size=0, max_size=5, unique=True)


@settings(max_examples=400)
@given(st.lists(st.text(HEADER_CHARS, max_size=40), max_size=3), OFFERS)
def test_any_header_text_parses_and_matches_without_raising(values: list[str], offers: list[str]) -> None:
    ranges = parse_accept(values)
    chosen = best_match(ranges, offers)
    assert chosen is None or chosen in offers
    assert chosen is None or accepts(ranges, chosen)
    accepts_trailers(values)
    languages = ["en", "en-GB", "fr"]
    assert best_language(values, languages) in (None, *languages)
    codings = ["br", "gzip", "identity"]
    assert best_encoding(values, codings) in (None, *codings)


@settings(max_examples=300)
@given(st.lists(media_ranges(), max_size=6), st.booleans(), st.sampled_from([",", ", ", " ,\t"]))
def test_well_formed_headers_parse_back_to_their_ranges(
    ranges: list[MediaRange], quote: bool, separator: str
) -> None:
    header = separator.join(render(media_range, quote=quote) for media_range in ranges)
    assert parse_accept([header]) == tuple(ranges)


def reference_quality(ranges: tuple[MediaRange, ...], offer: str) -> tuple[int, int]:
    """Brute force: the quality of the most specific matching range (first on ties)."""
    if not ranges:
        return 1000, -1
    media_type, _, subtype = offer.partition("/")
    matching = [
        r for r in ranges
        if r.type in ("*", media_type) and r.subtype in ("*", subtype) and not r.params
    ]  # fmt: skip
    if not matching:
        return 0, -1
    top = max(r.specificity for r in matching)
    return next(r.quality for r in matching if r.specificity == top), top


@settings(max_examples=400)
@given(st.lists(media_ranges(), max_size=6), OFFERS)
def test_best_match_is_the_best_scored_offer_first_in_server_order(
    ranges: list[MediaRange], offers: list[str]
) -> None:
    header = ", ".join(render(media_range, quote=False) for media_range in ranges)
    parsed = parse_accept([header])
    scores = {offer: reference_quality(parsed, offer) for offer in offers}
    acceptable = [offer for offer in offers if scores[offer][0] > 0]
    chosen = best_match(parsed, offers)
    if not acceptable:
        assert chosen is None
        return
    top = max(scores[offer] for offer in acceptable)
    assert chosen == next(offer for offer in acceptable if scores[offer] == top)
    for offer in offers:
        assert accepts(parsed, offer) is (scores[offer][0] > 0)


@settings(max_examples=200)
@given(
    st.lists(st.sampled_from(["gzip", "deflate;q=0.5", "x;p=\"a,trailers\"", " "]), max_size=4),
    st.sampled_from(["trailers", "TRAILERS", " Trailers ", "trailers;q=0.3"]),
    st.integers(0, 4),
)
def test_trailers_anywhere_in_the_te_list_is_found(others: list[str], trailers: str, at: int) -> None:
    elements = [*others]
    elements.insert(min(at, len(elements)), trailers)
    assert accepts_trailers([",".join(elements)])
    assert not accepts_trailers([",".join(others)])


CODINGS = st.sampled_from(["gzip", "br", "deflate", "compress", "zstd"])


@settings(max_examples=300)
@given(st.lists(st.tuples(CODINGS, QUALITY), max_size=5, unique_by=lambda c: c[0]), st.permutations(["gzip", "br", "deflate", "identity"]))
def test_identity_is_the_fallback_unless_excluded(listed: list[tuple[str, int]], offers: list[str]) -> None:
    header = ", ".join(f"{name};q={format_quality(quality)}" for name, quality in listed)
    chosen = best_encoding([header], offers)
    wanted = {name: quality for name, quality in listed if quality > 0 and name in offers}
    if not wanted:
        assert chosen == "identity"  # nothing listed is offered: identity, never a coding the client refused
        return
    top = max(wanted.values())
    assert chosen == next(offer for offer in offers if wanted.get(offer) == top)


@settings(max_examples=300)
@given(st.lists(st.sampled_from(["en", "en-gb", "fr", "de-ch", "*"]), min_size=1, max_size=4, unique=True))
def test_an_offer_equal_to_a_listed_language_is_accepted(ranges: list[str]) -> None:
    header = ", ".join(ranges)
    for language in ranges:
        if language != "*":
            assert best_language([header], [language.upper()]) == language.upper()


def reference_split(text: str, separator: str) -> list[str]:
    """Character by character: the obviously right (and slower) splitter."""
    parts: list[str] = []
    start = 0
    quoted = escaped = False
    for index, char in enumerate(text):
        if quoted:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char == separator:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


@settings(max_examples=1000)
@given(st.text('a,;"\\ ', max_size=40), st.sampled_from([",", ";"]), st.integers(0, 8))
def test_split_unquoted_matches_a_character_by_character_reference(
    text: str, separator: str, limit: int
) -> None:
    expected = reference_split(text, separator)
    if len(expected) > limit + 1:
        expected = [*expected[:limit], separator.join(expected[limit:])]
    assert split_unquoted(text, separator, limit) == expected
