"""respond_file: exact ASGI events for whole files, conditionals, ranges and send extensions."""

from __future__ import annotations

import asyncio
import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asgikit import _files
from asgikit._exceptions import ClientDisconnectError
from asgikit._files import OpenedFile, content_disposition, guess_media_type
from asgikit._response import Response
from asgikit.asgi import HTTPScope, SendEvent

from .conftest import Recorder, Script, http_scope

MTIME = 784111777  # Sun, 06 Nov 1994 08:49:37 GMT
DATE = b"Sun, 06 Nov 1994 08:49:37 GMT"
CONTENT = b"0123456789abcdefghij"
ETAG = b'"%x-%x"' % (MTIME * 10**9, len(CONTENT))


def write_file(path: Path, content: bytes = CONTENT) -> Path:
    path.write_bytes(content)
    os.utime(path, (MTIME, MTIME))
    return path


@pytest.fixture
def text_file(tmp_path: Path) -> Path:
    return write_file(tmp_path / "data.txt")


def scope_with(
    *,
    method: str = "GET",
    headers: list[tuple[bytes, bytes]] | None = None,
    extensions: dict[str, dict[object, object]] | None = None,
) -> HTTPScope:
    scope = http_scope(method=method, headers=headers)
    if extensions is None:
        return scope
    return cast("HTTPScope", {**scope, "extensions": extensions})


async def serve(
    recorder: Recorder,
    path: Path,
    scope: HTTPScope | None = None,
    **kwargs: str | int | None,
) -> list[SendEvent]:
    response = Response(scope or scope_with(), Script(), recorder)
    status = kwargs.pop("status", 200)
    media_type = kwargs.pop("media_type", None)
    filename = kwargs.pop("filename", None)
    assert isinstance(status, int) and not kwargs
    assert media_type is None or isinstance(media_type, str)
    assert filename is None or isinstance(filename, str)
    await response.respond_file(path, status=status, media_type=media_type, filename=filename)
    return recorder.events


def full_headers(content_type: bytes = b"text/plain; charset=utf-8") -> list[tuple[bytes, bytes]]:
    return [
        (b"content-type", content_type),
        (b"etag", ETAG),
        (b"last-modified", DATE),
        (b"accept-ranges", b"bytes"),
        (b"content-length", b"%d" % len(CONTENT)),
    ]


# whole files


async def test_whole_file_is_sent_in_one_body_event(recorder: Recorder, text_file: Path) -> None:
    assert await serve(recorder, text_file) == [
        {"type": "http.response.start", "status": 200, "headers": full_headers()},
        {"type": "http.response.body", "body": CONTENT},
    ]


async def test_large_file_is_sent_in_64k_chunks(recorder: Recorder, tmp_path: Path) -> None:
    content = bytes(range(256)) * 600  # 153600 bytes
    path = write_file(tmp_path / "big.bin", content)
    events = await serve(recorder, path)
    assert events[1:] == [
        {"type": "http.response.body", "body": content[:65536], "more_body": True},
        {"type": "http.response.body", "body": content[65536:131072], "more_body": True},
        {"type": "http.response.body", "body": content[131072:]},
    ]


async def test_empty_file_sends_an_empty_body(recorder: Recorder, tmp_path: Path) -> None:
    path = write_file(tmp_path / "empty.txt", b"")
    events = await serve(recorder, path)
    assert events[1:] == [{"type": "http.response.body", "body": b""}]
    start = events[0]
    assert start["type"] == "http.response.start"
    assert (b"content-length", b"0") in list(start.get("headers", []))


async def test_head_sends_headers_only(recorder: Recorder, text_file: Path) -> None:
    assert await serve(recorder, text_file, scope_with(method="HEAD")) == [
        {"type": "http.response.start", "status": 200, "headers": full_headers()},
        {"type": "http.response.body", "body": b""},
    ]


async def test_user_headers_are_added_and_may_replace_validators(
    recorder: Recorder, text_file: Path
) -> None:
    response = Response(scope_with(), Script(), recorder)
    await response.respond_file(
        text_file, headers={"cache-control": "max-age=60", "etag": '"mine"'}
    )
    start = recorder.events[0]
    assert start["type"] == "http.response.start"
    assert list(start.get("headers", [])) == [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"last-modified", DATE),
        (b"accept-ranges", b"bytes"),
        (b"content-length", b"20"),
        (b"cache-control", b"max-age=60"),
        (b"etag", b'"mine"'),
    ]


async def test_explicit_media_type_and_download_filename(
    recorder: Recorder, text_file: Path
) -> None:
    events = await serve(recorder, text_file, media_type="application/pdf", filename="report.pdf")
    start = events[0]
    assert start["type"] == "http.response.start"
    headers = list(start.get("headers", []))
    assert headers[0] == (b"content-type", b"application/pdf")
    assert (b"content-disposition", b'attachment; filename="report.pdf"') in headers


# media types and content disposition


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.txt", "text/plain"),
        ("a.html", "text/html"),
        ("a.json", "application/json"),
        ("a.png", "image/png"),
        ("a.unknownextension", "application/octet-stream"),
        ("no_extension", "application/octet-stream"),
        ("archive.tar.gz", "application/gzip"),
        ("notes.txt.bz2", "application/x-bzip2"),
    ],
)
def test_guess_media_type(name: str, expected: str) -> None:
    assert guess_media_type(name) == expected


async def test_unknown_extension_is_served_as_octet_stream(
    recorder: Recorder, tmp_path: Path
) -> None:
    path = write_file(tmp_path / "blob.qqqzzz")
    events = await serve(recorder, path)
    assert events[0] == {
        "type": "http.response.start",
        "status": 200,
        "headers": full_headers(b"application/octet-stream"),
    }


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("report.pdf", 'attachment; filename="report.pdf"'),
        ("my file.txt", 'attachment; filename="my file.txt"'),
        (
            "résumé.pdf",
            "attachment; filename=\"r_sum_.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf",
        ),
        ('a"b\\c.txt', "attachment; filename=\"a_b_c.txt\"; filename*=UTF-8''a%22b%5Cc.txt"),
        ("x\r\ny.txt", "attachment; filename=\"x__y.txt\"; filename*=UTF-8''x%0D%0Ay.txt"),
        ("€.txt", "attachment; filename=\"_.txt\"; filename*=UTF-8''%E2%82%AC.txt"),
    ],
)
def test_content_disposition_quotes_safely(filename: str, expected: str) -> None:
    assert content_disposition(filename) == expected


# missing and odd files


async def test_missing_file_raises_before_anything_is_sent(
    recorder: Recorder, tmp_path: Path
) -> None:
    response = Response(scope_with(), Script(), recorder)
    with pytest.raises(FileNotFoundError):
        await response.respond_file(tmp_path / "missing.txt")
    assert recorder.events == []
    assert not response.is_started
    await response.respond_text("not found", status=404)  # the caller can still answer
    assert recorder.events[0]["type"] == "http.response.start"


async def test_directory_raises_is_a_directory_error(recorder: Recorder, tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        await Response(scope_with(), Script(), recorder).respond_file(tmp_path)
    assert recorder.events == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
async def test_fifo_is_refused_without_blocking(recorder: Recorder, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OSError) as caught:
        await Response(scope_with(), Script(), recorder).respond_file(fifo)
    assert caught.value.errno == errno.EINVAL
    assert recorder.events == []


async def test_file_shrinking_while_sent_aborts_the_response(
    recorder: Recorder, text_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def empty_read(self: OpenedFile, offset: int, count: int) -> bytes:
        return b""

    monkeypatch.setattr(OpenedFile, "read", empty_read)
    response = Response(scope_with(), Script(), recorder)
    with pytest.raises(OSError, match="shrank"):
        await response.respond_file(text_file)
    assert [event["type"] for event in recorder.events] == ["http.response.start"]
    assert not response.is_finished


async def test_file_descriptor_is_closed_after_a_disconnect(
    text_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[OpenedFile] = []
    real_open = cast("Callable[[str], OpenedFile]", vars(_files)["_open"])

    def spy(path: str) -> OpenedFile:
        result = real_open(path)
        opened.append(result)
        return result

    monkeypatch.setattr(_files, "_open", spy)

    async def send(event: SendEvent, /) -> None:
        if event["type"] == "http.response.body":
            raise OSError("reset")

    with pytest.raises(ClientDisconnectError):
        await Response(scope_with(), Script(), send).respond_file(text_file)
    assert opened[0].fd == -1


# conditional requests


@pytest.mark.parametrize(
    "if_none_match",
    [ETAG, b"W/" + ETAG, b'"other", ' + ETAG, b"*", b'"a,b", W/' + ETAG],
)
async def test_matching_if_none_match_gives_304_with_validators(
    recorder: Recorder, text_file: Path, if_none_match: bytes
) -> None:
    scope = scope_with(headers=[(b"if-none-match", if_none_match)])
    assert await serve(recorder, text_file, scope) == [
        {
            "type": "http.response.start",
            "status": 304,
            "headers": [(b"etag", ETAG), (b"last-modified", DATE)],
        },
        {"type": "http.response.body", "body": b""},
    ]


@pytest.mark.parametrize("if_none_match", [b'"other"', b"garbage", b'W/"nope"', b""])
async def test_non_matching_if_none_match_gives_200(
    recorder: Recorder, text_file: Path, if_none_match: bytes
) -> None:
    events = await serve(
        recorder, text_file, scope_with(headers=[(b"if-none-match", if_none_match)])
    )
    assert events[0] == {"type": "http.response.start", "status": 200, "headers": full_headers()}


async def test_if_none_match_split_over_two_header_lines_matches(
    recorder: Recorder, text_file: Path
) -> None:
    scope = scope_with(headers=[(b"if-none-match", b'"x"'), (b"if-none-match", ETAG)])
    events = await serve(recorder, text_file, scope)
    assert events[0]["type"] == "http.response.start"
    assert events[0]["status"] == 304


@pytest.mark.parametrize(
    ("since", "status"),
    [
        (DATE, 304),
        (b"Sun, 06 Nov 1994 08:49:38 GMT", 304),
        (b"Sun, 06 Nov 1994 08:49:36 GMT", 200),
        (b"Sunday, 06-Nov-94 08:49:37 GMT", 304),
        (b"Sun Nov  6 08:49:37 1994", 304),
        (b"not a date", 200),
    ],
)
async def test_if_modified_since(
    recorder: Recorder, text_file: Path, since: bytes, status: int
) -> None:
    events = await serve(recorder, text_file, scope_with(headers=[(b"if-modified-since", since)]))
    assert events[0]["type"] == "http.response.start"
    assert events[0]["status"] == status


async def test_conditionals_do_not_apply_to_post_or_custom_status(
    recorder: Recorder, text_file: Path
) -> None:
    headers = [(b"if-none-match", b"*"), (b"range", b"bytes=0-1")]
    events = await serve(recorder, text_file, scope_with(method="POST", headers=headers))
    assert events[0] == {"type": "http.response.start", "status": 200, "headers": full_headers()}
    other = Recorder()
    events = await serve(other, text_file, scope_with(headers=headers), status=404)
    assert events[0] == {"type": "http.response.start", "status": 404, "headers": full_headers()}


# ranges


async def test_single_range_gives_206_with_content_range(
    recorder: Recorder, text_file: Path
) -> None:
    events = await serve(recorder, text_file, scope_with(headers=[(b"range", b"bytes=2-5")]))
    assert events == [
        {
            "type": "http.response.start",
            "status": 206,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"etag", ETAG),
                (b"last-modified", DATE),
                (b"accept-ranges", b"bytes"),
                (b"content-range", b"bytes 2-5/20"),
                (b"content-length", b"4"),
            ],
        },
        {"type": "http.response.body", "body": b"2345"},
    ]


async def test_suffix_and_open_ranges(recorder: Recorder, text_file: Path) -> None:
    events = await serve(recorder, text_file, scope_with(headers=[(b"range", b"bytes=-3")]))
    assert events[1] == {"type": "http.response.body", "body": b"hij"}
    other = Recorder()
    events = await serve(other, text_file, scope_with(headers=[(b"range", b"bytes=17-")]))
    assert events[1] == {"type": "http.response.body", "body": b"hij"}


async def test_several_ranges_give_multipart_byteranges(
    recorder: Recorder, text_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_files, "_new_boundary", lambda: b"BOUNDARY")
    events = await serve(recorder, text_file, scope_with(headers=[(b"range", b"bytes=0-1, 10-11")]))
    body = (
        b"--BOUNDARY\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"Content-Range: bytes 0-1/20\r\n"
        b"\r\n"
        b"01"
        b"\r\n--BOUNDARY\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"Content-Range: bytes 10-11/20\r\n"
        b"\r\n"
        b"ab"
        b"\r\n--BOUNDARY--\r\n"
    )
    assert events[0] == {
        "type": "http.response.start",
        "status": 206,
        "headers": [
            (b"content-type", b"multipart/byteranges; boundary=BOUNDARY"),
            (b"etag", ETAG),
            (b"last-modified", DATE),
            (b"accept-ranges", b"bytes"),
            (b"content-length", b"%d" % len(body)),
        ],
    }
    sent = b"".join(
        event.get("body", b"") for event in events[1:] if event["type"] == "http.response.body"
    )
    assert sent == body
    last = events[-1]
    assert last["type"] == "http.response.body"
    assert "more_body" not in last


async def test_range_is_ignored_for_head(recorder: Recorder, text_file: Path) -> None:
    events = await serve(
        recorder, text_file, scope_with(method="HEAD", headers=[(b"range", b"bytes=0-1")])
    )
    assert events == [
        {"type": "http.response.start", "status": 200, "headers": full_headers()},
        {"type": "http.response.body", "body": b""},
    ]


async def test_unsatisfiable_range_gives_416(recorder: Recorder, text_file: Path) -> None:
    events = await serve(recorder, text_file, scope_with(headers=[(b"range", b"bytes=20-")]))
    assert events == [
        {
            "type": "http.response.start",
            "status": 416,
            "headers": [(b"content-range", b"bytes */20"), (b"content-length", b"0")],
        },
        {"type": "http.response.body", "body": b""},
    ]


@pytest.mark.parametrize(
    ("if_range", "status"),
    [
        (ETAG, 206),
        (DATE, 206),
        (b"W/" + ETAG, 200),
        (b'"other"', 200),
        (b"Sun, 06 Nov 1994 08:49:38 GMT", 200),
        (b"junk", 200),
    ],
)
async def test_if_range(recorder: Recorder, text_file: Path, if_range: bytes, status: int) -> None:
    headers = [(b"range", b"bytes=0-1"), (b"if-range", if_range)]
    events = await serve(recorder, text_file, scope_with(headers=headers))
    assert events[0]["type"] == "http.response.start"
    assert events[0]["status"] == status
    assert events[-1] == {"type": "http.response.body", "body": b"01" if status == 206 else CONTENT}


# send extensions


async def test_pathsend_offered_still_sends_the_open_file_as_body(
    recorder: Recorder, text_file: Path
) -> None:
    scope = scope_with(extensions={"http.response.pathsend": {}})
    response = Response(scope, Script(), recorder)
    await response.respond_file(text_file)
    assert recorder.events == [
        {"type": "http.response.start", "status": 200, "headers": full_headers()},
        {"type": "http.response.body", "body": CONTENT},
    ]
    assert response.is_finished


class SwappingSend:
    """A ``send`` that, when the response starts, atomically points ``link`` at ``other``
    (as a deploy, or anyone with write access to the tree, could between open and send).

    It collects the body bytes: ``http.response.body`` payloads, the bytes a
    ``zerocopysend`` event names (read from its descriptor at send time), and the current
    contents of a ``pathsend`` path (what the server would serve).
    """

    def __init__(self, link: Path, other: Path) -> None:
        self.link = link
        self.other = other
        self.body = bytearray()
        self.types: list[str] = []

    async def __call__(self, event: SendEvent, /) -> None:
        self.types.append(event["type"])
        if event["type"] == "http.response.start":
            staged = self.link.with_name("staged-link")
            staged.symlink_to(self.other)
            os.replace(staged, self.link)
        elif event["type"] == "http.response.body":
            self.body += event.get("body", b"")
        elif event["type"] == "http.response.zerocopysend":
            fd = event["file"].fileno()
            offset = event.get("offset")
            count = event.get("count")
            assert offset is not None and count is not None
            self.body += os.pread(fd, count, offset)
        elif event["type"] == "http.response.pathsend":
            self.body += Path(event["path"]).read_bytes()


_EXTENSION_SETS: st.SearchStrategy[dict[str, dict[object, object]]] = st.sampled_from(
    [
        {},
        {"http.response.pathsend": {}},
        {"http.response.zerocopysend": {}},
        {"http.response.pathsend": {}, "http.response.zerocopysend": {}},
    ]
)


@settings(max_examples=40, deadline=None)
@given(
    size=st.sampled_from([1, 20, _files.CHUNK_SIZE + 7]),
    extensions=_EXTENSION_SETS,
    range_header=st.sampled_from([None, b"bytes=0-", b"bytes=2-9", b"bytes=0-0,5-"]),
)
def test_body_is_the_file_that_was_opened_even_if_the_path_changes(
    size: int, extensions: dict[str, dict[object, object]], range_header: bytes | None
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        checked = write_file(root / "checked.bin", bytes(range(256)) * (size // 256) + b"c" * (size % 256))
        secret = write_file(root / "secret.bin", b"S" * size)
        link = root / "link.bin"
        link.symlink_to(checked)
        headers = [] if range_header is None else [(b"range", range_header)]
        send = SwappingSend(link, secret)
        response = Response(scope_with(headers=headers, extensions=extensions), Script(), send)
        asyncio.run(response.respond_file(link))
        assert os.readlink(link) == str(secret)  # the swap did happen
        assert "http.response.pathsend" not in send.types
        assert b"SSS" not in bytes(send.body)
        if range_header is None or range_header == b"bytes=0-":
            assert bytes(send.body) == checked.read_bytes()


async def test_zerocopysend_sends_offsets_of_the_open_file(
    recorder: Recorder, text_file: Path
) -> None:
    scope = scope_with(
        headers=[(b"range", b"bytes=5-9")], extensions={"http.response.zerocopysend": {}}
    )
    events = await serve(recorder, text_file, scope)
    assert len(events) == 3
    zerocopy = events[1]
    assert zerocopy["type"] == "http.response.zerocopysend"
    assert (zerocopy.get("offset"), zerocopy.get("count"), zerocopy.get("more_body")) == (
        5,
        5,
        True,
    )
    assert isinstance(zerocopy["file"], OpenedFile)
    assert events[2] == {"type": "http.response.body", "body": b""}


async def test_zerocopysend_interleaves_multipart_headers(
    recorder: Recorder, text_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_files, "_new_boundary", lambda: b"B")
    scope = scope_with(
        headers=[(b"range", b"bytes=0-0,5-5")], extensions={"http.response.zerocopysend": {}}
    )
    events = await serve(recorder, text_file, scope)
    assert [event["type"] for event in events] == [
        "http.response.start",
        "http.response.body",
        "http.response.zerocopysend",
        "http.response.body",
        "http.response.zerocopysend",
        "http.response.body",
    ]
    assert events[-1] == {"type": "http.response.body", "body": b"\r\n--B--\r\n"}


async def test_matching_if_none_match_wins_over_range_as_rfc_9110_orders_them(
    recorder: Recorder, text_file: Path
) -> None:
    headers = [(b"range", b"bytes=0-1"), (b"if-none-match", ETAG)]
    events = await serve(recorder, text_file, scope_with(headers=headers))
    assert events[0] == {
        "type": "http.response.start",
        "status": 304,
        "headers": [(b"etag", ETAG), (b"last-modified", DATE)],
    }


# NUL in the path


class _FsPath:
    """A minimal ``os.PathLike[str]`` that is not a ``pathlib.Path``."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __fspath__(self) -> str:
        return self.path


_NAME_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00/"), max_size=12)


@settings(max_examples=100, deadline=None)
@given(
    before=st.one_of(_NAME_TEXT, st.just("data.txt")),
    after=_NAME_TEXT,
    nuls=st.integers(1, 3),
    kind=st.sampled_from(["str", "Path", "PathLike"]),
)
def test_nul_anywhere_in_the_path_raises_file_not_found_before_sending(
    before: str, after: str, nuls: int, kind: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        write_file(Path(folder) / "data.txt")  # "data.txt\x00..." must not serve this file
        text = f"{folder}/{before}" + "\x00" * nuls + after
        target: str | os.PathLike[str] = (
            text if kind == "str" else Path(text) if kind == "Path" else _FsPath(text)
        )
        send = Recorder()
        with pytest.raises(FileNotFoundError) as raised:
            asyncio.run(Response(scope_with(), Script(), send).respond_file(target))
        assert raised.value.errno == errno.ENOENT
        assert raised.value.strerror == _files.NUL_IN_PATH_MESSAGE
        assert send.events == []


@settings(max_examples=30, deadline=None)
@given(name=st.binary(max_size=12), nul=st.booleans())
def test_bytes_paths_raise_type_error_before_sending(name: bytes, nul: bool) -> None:
    target = cast(str, name + (b"\x00" if nul else b""))  # outside the accepted types
    send = Recorder()
    with pytest.raises(TypeError, match="not bytes"):
        asyncio.run(Response(scope_with(), Script(), send).respond_file(target))
    assert send.events == []
