"""Attack rows of ../shared/bad-inputs.md that concern responses: B26, B38-B43, B49."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from asgikit._exceptions import InvalidHeaderError
from asgikit._files import content_disposition
from asgikit._ranges import if_none_match_matches, parse_range_header
from asgikit._response import Response, encode_location, is_safe_redirect_url
from asgikit._sse import ServerSentEvent, format_sse_event
from asgikit.asgi import SendEvent

from .conftest import Recorder, Script, http_scope
from .timing import LINEAR_BOUND, growth

MTIME = 784111777
CONTENT = b"0123456789abcdefghij"
ETAG = f'"{MTIME * 10**9:x}-{len(CONTENT):x}"'


@pytest.fixture
def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "data.txt"
    path.write_bytes(CONTENT)
    os.utime(path, (MTIME, MTIME))
    return path


async def file_events(
    path: Path, headers: list[tuple[bytes, bytes]], method: str = "GET"
) -> list[SendEvent]:
    recorder = Recorder()
    scope = http_scope(method=method, headers=headers)
    await Response(scope, Script(), recorder).respond_file(path)
    return recorder.events


def start_of(events: list[SendEvent]) -> tuple[int, dict[bytes, bytes]]:
    start = events[0]
    assert start["type"] == "http.response.start"
    return start["status"], dict(start.get("headers", []))


def body_of(events: list[SendEvent]) -> bytes:
    return b"".join(
        event.get("body", b"") for event in events if event["type"] == "http.response.body"
    )


# B26: outgoing header injection

BAD_VALUES = ["a\r\nx-injected: 1", "a\nb", "a\rb", "a\x00b", "a\x01b", "a\x7fb", "a\x1bb", "€uro"]
BAD_NAMES = ["x-a\r\nx-b", "x a", "x:a", "", "x\x00", "ü"]


@pytest.mark.parametrize("value", BAD_VALUES)
async def test_b26_header_values_with_controls_or_non_latin1_are_rejected(
    recorder: Recorder, value: str
) -> None:
    calls: list[Callable[[Response], Awaitable[object]]] = [
        lambda r: r.respond_text("x", headers={"x-a": value}),
        lambda r: r.respond_bytes(b"x", headers=[("x-a", value)]),
        lambda r: r.respond_json(1, headers={"x-a": value}),
        lambda r: r.respond_empty(headers={"x-a": value}),
        lambda r: r.redirect("/", headers={"x-a": value}),
        lambda r: r.start(headers={"x-a": value}),
        lambda r: r.respond_text("x", media_type=value),
        lambda r: r.start(media_type=value),
    ]
    for call in calls:
        response = Response(http_scope(), Script(), recorder)
        with pytest.raises(InvalidHeaderError):
            await call(response)
        assert not response.is_started
    assert recorder.events == []


@pytest.mark.parametrize("name", BAD_NAMES)
async def test_b26_invalid_header_names_are_rejected(recorder: Recorder, name: str) -> None:
    response = Response(http_scope(), Script(), recorder)
    with pytest.raises(InvalidHeaderError):
        await response.respond_text("x", headers={name: "v"})
    assert recorder.events == []


async def test_b26_tab_and_latin1_values_are_allowed(recorder: Recorder) -> None:
    await Response(http_scope(), Script(), recorder).respond_empty(headers={"x-a": "a\tb é"})
    assert start_of(recorder.events)[1][b"x-a"] == b"a\tb \xe9"


def test_b26_download_filename_cannot_inject_headers() -> None:
    value = content_disposition('evil"\r\nSet-Cookie: a=b.txt')
    assert "\r" not in value and "\n" not in value
    assert value.startswith('attachment; filename="evil__')


# B38: many / overlapping ranges


async def test_b38_ten_thousand_disjoint_ranges_fall_back_to_200(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * 30_000)
    header = "bytes=" + ",".join(f"{i * 2}-{i * 2}" for i in range(10_000))
    events = await file_events(path, [(b"range", header.encode())])
    status, headers = start_of(events)
    assert status == 200
    assert headers[b"content-length"] == b"30000"
    assert body_of(events) == b"x" * 30_000


async def test_b38_overlapping_ranges_merge_into_one_part(text_file: Path) -> None:
    header = "bytes=" + ",".join(["0-"] * 50 + [f"{i}-{i + 3}" for i in range(40)])
    events = await file_events(text_file, [(b"range", header.encode())])
    status, headers = start_of(events)
    assert status == 206
    assert headers[b"content-range"] == b"bytes 0-19/20"
    assert body_of(events) == CONTENT


def test_b38_parsing_and_merging_many_ranges_is_n_log_n() -> None:
    def make(n: int) -> Callable[[], object]:
        header = "bytes=" + ",".join(f"{i * 3}-{i * 3 + 1}" for i in reversed(range(n)))
        return lambda: parse_range_header(header, 10**9, max_ranges=10**7)

    assert len(parse_range_header("bytes=0-1,3-4,1-3", 10, max_ranges=10) or []) == 1
    assert growth(make, 10_000) < 4 * LINEAR_BOUND


def test_b38_rejecting_a_huge_range_list_is_linear() -> None:
    def make(n: int) -> Callable[[], object]:
        header = "bytes=" + "0-0," * n
        return lambda: parse_range_header(header, 100)

    assert growth(make, 100_000) < 4 * LINEAR_BOUND


# B39: huge and inverted numbers


@pytest.mark.parametrize(
    ("header", "status", "content_range", "body"),
    [
        (b"bytes=-99999999999", 206, b"bytes 0-19/20", CONTENT),
        (b"bytes=-" + b"9" * 5000, 206, b"bytes 0-19/20", CONTENT),
        (b"bytes=0-" + b"9" * 5000, 206, b"bytes 0-19/20", CONTENT),
        (b"bytes=9999999999-", 416, b"bytes */20", b""),
        (b"bytes=" + b"9" * 5000 + b"-", 416, b"bytes */20", b""),
        (b"bytes=" + b"9" * 5000, 200, None, CONTENT),
        (b"bytes=5-1", 200, None, CONTENT),
        (b"bytes=" + b"9" * 5000 + b"-1", 200, None, CONTENT),
    ],
)
async def test_b39_huge_and_inverted_ranges(
    text_file: Path, header: bytes, status: int, content_range: bytes | None, body: bytes
) -> None:
    events = await file_events(text_file, [(b"range", header)])
    got_status, headers = start_of(events)
    assert got_status == status
    assert headers.get(b"content-range") == content_range
    assert body_of(events) == body


# B40: If-Range, If-None-Match, If-Modified-Since


@pytest.mark.parametrize(
    ("if_range", "status"),
    [
        (b"W/" + ETAG.encode(), 200),
        (ETAG.encode(), 206),
        (b"Sun, 06 Nov 1994 08:49:37 GMT", 206),
        (b"Sun, 06 Nov 1994 08:49:38 GMT", 200),
    ],
)
async def test_b40_if_range_weak_etag_never_matches_and_dates_must_be_exact(
    text_file: Path, if_range: bytes, status: int
) -> None:
    events = await file_events(text_file, [(b"range", b"bytes=0-1"), (b"if-range", if_range)])
    assert start_of(events)[0] == status


async def test_b40_matching_if_range_gives_206_never_304(text_file: Path) -> None:
    events = await file_events(text_file, [(b"range", b"bytes=0-1"), (b"if-range", ETAG.encode())])
    assert start_of(events)[0] == 206
    assert body_of(events) == b"01"


@pytest.mark.parametrize(
    "if_none_match",
    ["*", ETAG, "W/" + ETAG, f'"a", {ETAG}', f'W/"a", W/{ETAG}', f'"a,b", {ETAG}'],
)
async def test_b40_if_none_match_star_lists_and_weak_prefixes(
    text_file: Path, if_none_match: str
) -> None:
    events = await file_events(text_file, [(b"if-none-match", if_none_match.encode())])
    assert start_of(events)[0] == 304


def test_b40_removeprefix_not_lstrip_for_weak_tags() -> None:
    # lstrip("W/") would also eat a leading W or / of the opaque tag; quotes keep it exact.
    assert not if_none_match_matches('W/"W/x"', '"x"')
    assert if_none_match_matches('W/"W/x"', '"W/x"')


async def test_b40_if_modified_since_is_ignored_when_if_none_match_is_present(
    text_file: Path,
) -> None:
    headers = [
        (b"if-none-match", b'"stale"'),
        (b"if-modified-since", b"Sun, 06 Nov 1994 08:49:37 GMT"),
    ]
    events = await file_events(text_file, headers)
    assert start_of(events)[0] == 200
    assert start_of(await file_events(text_file, headers[1:]))[0] == 304


# B41: multipart/byteranges framing


async def test_b41_multipart_byteranges_uses_crlf_and_content_type_per_part(
    text_file: Path,
) -> None:
    events = await file_events(text_file, [(b"range", b"bytes=0-0,5-5,10-10")])
    status, headers = start_of(events)
    assert status == 206
    content_type = headers[b"content-type"]
    assert content_type.startswith(b"multipart/byteranges; boundary=")
    boundary = content_type.partition(b"boundary=")[2]
    body = body_of(events)
    assert int(headers[b"content-length"]) == len(body)
    parts = body.split(b"--" + boundary)
    assert parts[0] == b""
    assert parts[-1] == b"--\r\n"
    for part, (first, data) in zip(parts[1:-1], [(0, b"0"), (5, b"5"), (10, b"a")], strict=True):
        head, _, rest = part.partition(b"\r\n\r\n")
        assert head.split(b"\r\n") == [
            b"",
            b"Content-Type: text/plain; charset=utf-8",
            b"Content-Range: bytes %d-%d/20" % (first, first),
        ]
        assert rest == data + b"\r\n"
    assert b"\n" not in body.replace(b"\r\n", b"")


# B42: redirect targets


@pytest.mark.parametrize(
    "location",
    ["/x\r\nSet-Cookie: a=b", "/x\nSet-Cookie: a=b", "/x\rb", "/x\x00", "/x\tb", "/\x7f"],
)
async def test_b42_redirect_with_control_characters_is_rejected(
    recorder: Recorder, location: str
) -> None:
    response = Response(http_scope(), Script(), recorder)
    with pytest.raises(InvalidHeaderError):
        await response.redirect(location)
    with pytest.raises(InvalidHeaderError):
        await response.redirect_post_get(location)
    assert recorder.events == []


def test_b42_redirect_targets_are_percent_encoded_not_passed_raw() -> None:
    assert encode_location('/a b/ü?q="<x>"') == b"/a%20b/%C3%BC?q=%22%3Cx%3E%22"
    assert encode_location("/\\evil.com") == b"/%5Cevil.com"
    with pytest.raises(InvalidHeaderError):
        encode_location("/\udc80")


@pytest.mark.parametrize(
    "url",
    [
        "//evil.com",
        "/\\evil.com",
        "\\\\evil.com",
        "\\/evil.com",
        "///evil.com",
        "https:evil.com",
        "https:/evil.com",
        "https://evil.com",
        "http://evil.com/trusted.com",
        "https://trusted.com@evil.com",
        "https://trusted.com:443@evil.com/",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://trusted.com/",
        "/\t/evil.com",
        " //evil.com",
        "\x00//evil.com",
        "/\n/evil.com",
        "https://",
        "//",
        "https://:80/",
        "https://\uff54\uff52\uff55\uff53\uff54\uff45\uff44.com/",  # fullwidth
    ],
)
def test_b42_open_redirect_tricks_are_not_safe(url: str) -> None:
    assert not is_safe_redirect_url(url, allowed_hosts=["trusted.com"])


@pytest.mark.parametrize(
    "url",
    [
        "/account",
        "/a/b?next=//evil.com",
        "?page=2",
        "#section",
        "https://trusted.com/x",
        "//TRUSTED.com",
    ],
)
def test_b42_relative_and_allowed_targets_are_safe(url: str) -> None:
    assert is_safe_redirect_url(url, allowed_hosts=["trusted.com"])


# B43: long Unicode redirect targets


def test_b43_location_encoding_is_linear_and_never_normalised() -> None:
    assert encode_location("/\ufb01") == b"/%EF%AC%81"  # NFKC would turn the ligature into "fi"

    def make(n: int) -> Callable[[], object]:
        target = "/" + "\u00e9\ufb01\u2163" * n
        return lambda: encode_location(target)

    assert growth(make, 50_000) < 4 * LINEAR_BOUND


def test_b43_safe_url_check_on_long_unicode_is_linear() -> None:
    def make(n: int) -> Callable[[], object]:
        url = "https://" + "\uff45" * n + ".com/" + "\u2163" * n
        return lambda: is_safe_redirect_url(url, allowed_hosts=["example.com"])

    assert not is_safe_redirect_url("https://" + "\uff45" * 10 + ".com/", allowed_hosts=["e.com"])
    assert growth(make, 40_000) < 4 * LINEAR_BOUND


# B49: server-sent event fields


@pytest.mark.parametrize("value", ["a\nevent: x", "a\rb", "a\r\nb", "\n"])
def test_b49_event_and_id_with_line_breaks_are_rejected(value: str) -> None:
    with pytest.raises(ValueError, match="CR or LF"):
        format_sse_event("x", event=value)
    with pytest.raises(ValueError, match="CR or LF"):
        format_sse_event("x", id=value)
    with pytest.raises(ValueError, match="CR or LF"):
        ServerSentEvent("x", event=value).encode()


def test_b49_id_with_nul_is_rejected() -> None:
    with pytest.raises(ValueError, match="NUL"):
        format_sse_event("x", id="a\x00b")


def test_b49_data_splits_only_on_cr_lf_and_crlf() -> None:
    assert format_sse_event("a\rb\r\nc\nd") == b"data: a\ndata: b\ndata: c\ndata: d\n\n"
    kept = "x\u2028y\u2029z\x85w\x0cv\x1cu\x0bt"
    assert format_sse_event(kept) == f"data: {kept}\n\n".encode()


def test_b49_data_cannot_inject_fields_or_events() -> None:
    encoded = format_sse_event("ok\n\nevent: admin\ndata: pwned")
    assert encoded == b"data: ok\ndata: \ndata: event: admin\ndata: data: pwned\n\n"
