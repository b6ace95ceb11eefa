"""Header parameters agree with a plain, character-by-character reading of the documented rules,
and the label and cache limits hold at exactly their size."""

from __future__ import annotations

from typing import cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asgikit import _params
from asgikit._params import media_type_and_charset, parse_header_params, text_codec


def _quoted(value: str, i: int) -> tuple[str, int]:
    """Read a quoted string starting after its opening quote; (text, index after it)."""
    out: list[str] = []
    while i < len(value):
        char = value[i]
        if char == '"':
            return "".join(out), i + 1
        if char == "\\" and value[i + 1 : i + 2] in ('"', "\\"):
            out.append(value[i + 1])
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out), len(value)


def reference(value: str) -> tuple[str, dict[str, str]]:
    """The module docstring's rules, read one character at a time."""
    main, semi, _ = value.partition(";")
    params: dict[str, str] = {}
    if not semi:
        return main.strip(" \t").lower(), params
    i = len(main) + 1
    while i < len(value):
        end = value.find(";", i)
        end = len(value) if end < 0 else end
        eq = value.find("=", i, end)
        if eq < 0:
            i = end + 1  # a bare name
            continue
        name = value[i:eq].strip(" \t").lower()
        j = eq + 1
        while j < len(value) and value[j] in " \t":
            j += 1
        if j < len(value) and value[j] == '"':
            text, after = _quoted(value, j + 1)
            end = value.find(";", after)
            end = len(value) if end < 0 else end
        else:
            text = value[j:end].strip(" \t")
        i = end + 1
        if name and "*" not in name and name not in params:
            params[name] = text
    return main.strip(" \t").lower(), params


HEADER = st.text(st.sampled_from(list(' \t;="\\aBc*')), max_size=24)


@given(value=HEADER)
def test_parameters_match_a_character_by_character_reading(value: str) -> None:
    assert parse_header_params(value) == reference(value)


@given(value=HEADER)
def test_parameters_after_a_media_type_match_the_reading(value: str) -> None:
    header = "Text/Plain;" + value
    assert parse_header_params(header) == reference(header)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a;x=1", ("a", {"x": "1"})),
        ("a;x=\t1\t;y=2", ("a", {"x": "1", "y": "2"})),
        ('a;x="1;2";y=3', ("a", {"x": "1;2", "y": "3"})),
        ('a;x="1" junk ; y=2', ("a", {"x": "1", "y": "2"})),
        ('a;x="1;"=junk;y=2', ("a", {"x": "1;", "y": "2"})),
        ('a;x="1;"="q";y=2', ("a", {"x": "1;", "y": "2"})),
        ('a;x= "q"', ("a", {"x": "q"})),
        ('a;x="\\"\\\\\\a"', ("a", {"x": '"\\\\a'})),
        ('a;x="unterminated', ("a", {"x": "unterminated"})),
        ('a;x="ends with slash\\', ("a", {"x": "ends with slash\\"})),
        ("a;=1;x=2", ("a", {"x": "2"})),
        ("a;x;y=1", ("a", {"y": "1"})),
        ("a;x*=1;x=2", ("a", {"x": "2"})),
        ("a;X=1;x=2", ("a", {"x": "1"})),
        ("a;x=", ("a", {"x": ""})),
        ("a;x=1=2", ("a", {"x": "1=2"})),
        ("a;x", ("a", dict[str, str]())),
        ("a;", ("a", dict[str, str]())),
        (";x=1", ("", {"x": "1"})),
    ],
)
def test_documented_parameter_cases(value: str, expected: tuple[str, dict[str, str]]) -> None:
    assert parse_header_params(value) == expected


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        (None, (None, None)),
        ("", (None, None)),
        ("Text/HTML", ("text/html", None)),
        ("text/html; charset=", ("text/html", None)),
        ('text/html; Charset=" UTF-8 "', ("text/html", "utf-8")),
        ("; charset=latin-1", (None, "latin-1")),
    ],
)
def test_media_type_and_charset_edges(
    content_type: str | None, expected: tuple[str | None, str | None]
) -> None:
    assert media_type_and_charset(content_type) == expected
    assert media_type_and_charset(content_type) == expected


def test_labels_up_to_64_characters_are_looked_up_and_longer_ones_refused() -> None:
    assert text_codec("utf-8" + " " * 59) == "utf-8"
    assert text_codec("utf-8" + " " * 60) is None


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("ISO.8859.1", "iso8859-1"),
        ("ANSI_X3.4-1968", "ascii"),
        ("utf-8-sig", "utf-8-sig"),
        ("UTF_8_SIG", "utf-8-sig"),
        ("mbcs", None),
        ("rot13", None),
        ("hex", None),
    ],
)
def test_text_codec_labels(label: str, codec: str | None) -> None:
    assert text_codec(label) == codec
    assert text_codec(label) == codec


def _cache(name: str) -> dict[str, object]:
    return cast("dict[str, object]", getattr(_params, name))


def test_the_caches_stay_bounded() -> None:
    for n in range(300):
        media_type_and_charset(f"application/x-bounded-{n}")
    for n in range(600):
        text_codec(f"utf-8{' ' * (n % 50)}{'-' * (n // 50)}")
    assert len(_cache("_media_cache")) == 256
    assert len(_cache("_codec_cache")) == 512


def test_only_content_types_up_to_128_characters_are_cached() -> None:
    _cache("_media_cache").clear()
    exact = "a/" + "b" * 126
    longer = exact + "c"
    assert media_type_and_charset(exact) == (exact, None)
    assert media_type_and_charset(longer) == (longer, None)
    assert list(_cache("_media_cache")) == [exact]
