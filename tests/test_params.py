from __future__ import annotations

import codecs
from collections.abc import Callable

import pytest

from asgikit._params import media_type_and_charset, parse_header_params, text_codec
from tests.timing import LINEAR_BOUND, growth


def test_value_without_parameters_is_lowercased_and_stripped() -> None:
    assert parse_header_params("  Application/JSON \t") == ("application/json", {})


def test_token_and_quoted_parameters() -> None:
    assert parse_header_params('multipart/form-data; Boundary="a b"; charset=UTF-8') == (
        "multipart/form-data",
        {"boundary": "a b", "charset": "UTF-8"},
    )


def test_spaces_around_equals_and_semicolons_are_ignored() -> None:
    assert parse_header_params("text/plain ;  charset = utf-8 ; q=1") == (
        "text/plain",
        {"charset": "utf-8", "q": "1"},
    )


def test_first_occurrence_of_a_parameter_wins() -> None:
    assert parse_header_params("a; name=first; NAME=second") == ("a", {"name": "first"})


def test_semicolon_inside_quoted_string_is_data() -> None:
    assert parse_header_params('form-data; name="a;b=c"; filename="x"') == (
        "form-data",
        {"name": "a;b=c", "filename": "x"},
    )


def test_backslash_escapes_only_quote_and_backslash() -> None:
    value = r'form-data; name="say \"hi\" \\ now"; filename="C:\dir\a.txt"'
    assert parse_header_params(value) == (
        "form-data",
        {"name": 'say "hi" \\ now', "filename": "C:\\dir\\a.txt"},
    )


def test_unterminated_quoted_string_runs_to_the_end() -> None:
    assert parse_header_params('a; x="open; y=1') == ("a", {"x": "open; y=1"})


def test_text_after_closing_quote_is_ignored() -> None:
    assert parse_header_params('a; x="q"junk; y=2') == ("a", {"x": "q", "y": "2"})


def test_bare_names_empty_names_and_empty_segments_are_ignored() -> None:
    assert parse_header_params("a;;; b ; =v; c=; d") == ("a", {"c": ""})


def test_extended_parameters_are_ignored() -> None:
    value = "form-data; name*=utf-8''evil; name=\"good\"; filename*0=a; filename*1=b; x*=1"
    assert parse_header_params(value) == ("form-data", {"name": "good"})


def test_empty_value() -> None:
    assert parse_header_params("") == ("", {})
    assert parse_header_params(";a=1") == ("", {"a": "1"})


def test_media_type_and_charset() -> None:
    assert media_type_and_charset('Text/HTML; Charset="UTF-8"') == ("text/html", "utf-8")
    assert media_type_and_charset("application/json") == ("application/json", None)
    assert media_type_and_charset("text/plain; charset=") == ("text/plain", None)
    assert media_type_and_charset("") == (None, None)
    assert media_type_and_charset(None) == (None, None)


def test_media_type_results_are_stable_across_calls() -> None:
    first = media_type_and_charset("text/plain; charset=latin-1")
    assert (
        media_type_and_charset("text/plain; charset=latin-1") == first == ("text/plain", "latin-1")
    )


MAKERS: list[Callable[[int], str]] = [
    lambda n: 'a; x="' + "\\" * n,
    lambda n: 'a; x="' + '\\"' * n,
    lambda n: "a" + "; b" * n,
    lambda n: "a; b=" + '"\\x' * n,
    lambda n: "a; " + "=" * n,
    lambda n: "a" + ";" * n,
]


@pytest.mark.parametrize("make", MAKERS)
def test_parsing_is_linear_in_the_input(make: Callable[[int], str]) -> None:
    def prepare(size: int) -> Callable[[], object]:
        value = make(size)
        return lambda: parse_header_params(value)

    assert growth(prepare, 50_000) < 4 * LINEAR_BOUND


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("UTF-8", "utf-8"),
        (" utf8 ", "utf-8"),
        ("latin1", "iso8859-1"),
        ("ISO-8859-7", "iso8859-7"),
        ("Shift_JIS", "shift_jis"),
        ("windows-1252", "cp1252"),
        ("us-ascii", "ascii"),
        ("utf-8-sig", "utf-8-sig"),
    ],
)
def test_text_codec_accepts_known_text_encodings(label: str, codec: str) -> None:
    assert text_codec(label) == codec


@pytest.mark.parametrize(
    "label",
    ["", "klingon", "base64", "rot13", "zlib", "punycode", "idna", "mbcs", "utf-8" + " " * 100],
)
def test_text_codec_rejects_unknown_binary_and_slow_codecs(label: str) -> None:
    assert text_codec(label) is None


def test_text_codec_never_looks_up_unknown_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    looked_up: list[str] = []
    real = codecs.lookup

    def spy(name: str) -> codecs.CodecInfo:
        looked_up.append(name)
        return real(name)

    monkeypatch.setattr(codecs, "lookup", spy)
    for i in range(100):
        assert text_codec(f"x-custom-{i}") is None
    assert looked_up == []
