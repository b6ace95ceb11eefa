from __future__ import annotations

import asyncio
import os
import threading
import tracemalloc
from collections.abc import AsyncIterator, Iterable, Sequence
from tempfile import SpooledTemporaryFile

import pytest

from asgikit._exceptions import (
    BodyTooLargeError,
    FileTooLargeError,
    MalformedBodyError,
    MultipartBoundaryError,
    PartHeadersTooLargeError,
    PartTooLargeError,
    TooManyFieldsError,
    TooManyFilesError,
)
from asgikit._multidict import MultiDict
from asgikit._multipart import boundary_from_content_type
from asgikit._multipart_form import WRITE_BATCH_SIZE, MultipartFormParser, parse_multipart
from asgikit._uploads import UploadedFile
from tests.conftest import open_fds

BOUNDARY = "----asgikitBoundary7MA4YWxk"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"

Part = tuple[Sequence[tuple[str, str | bytes]], bytes]


def part(
    name: str, value: bytes | str, *, filename: str | None = None, content_type: str | None = None
) -> Part:
    """A part with a Content-Disposition (and optional Content-Type) header."""
    disposition = f'form-data; name="{name}"'
    if filename is not None:
        disposition += f'; filename="{filename}"'
    headers: list[tuple[str, str | bytes]] = [("Content-Disposition", disposition)]
    if content_type is not None:
        headers.append(("Content-Type", content_type))
    return headers, value.encode() if isinstance(value, str) else value


def encode(parts: Iterable[Part], boundary: str = BOUNDARY) -> bytes:
    """Encode parts as multipart/form-data; header values given as str are sent as UTF-8."""
    out = bytearray()
    delimiter = b"--" + boundary.encode()
    for headers, body in parts:
        out += delimiter + b"\r\n"
        for name, value in headers:
            raw = value.encode() if isinstance(value, str) else value
            out += name.encode() + b": " + raw + b"\r\n"
        out += b"\r\n" + body + b"\r\n"
    out += delimiter + b"--\r\n"
    return bytes(out)


async def chunked(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def parse(
    body: bytes, *, chunk_size: int = 65536, content_type: str = CONTENT_TYPE, **limits: int
) -> MultiDict[str | UploadedFile]:
    return await parse_multipart(content_type, chunked(body, chunk_size), **limits)


async def close_all(form: MultiDict[str | UploadedFile]) -> None:
    for _, value in form.items():
        if isinstance(value, UploadedFile):
            await value.close()


def upload(form: MultiDict[str | UploadedFile], name: str) -> UploadedFile:
    value = form.get_first(name)
    assert isinstance(value, UploadedFile)
    return value


async def test_fields_and_files_in_order() -> None:
    body = encode(
        [
            part("title", "hello"),
            part(
                "doc",
                b"%PDF-1.7\r\n...",
                filename="report.pdf",
                content_type="Application/PDF; x=1",
            ),
            part("title", "again"),
        ]
    )
    form = await parse(body)
    assert list(form.keys()) == ["title", "doc"]
    assert form.get("title") == ["hello", "again"]
    doc = upload(form, "doc")
    assert (doc.filename, doc.media_type, doc.size) == ("report.pdf", "application/pdf", 13)
    assert await doc.read() == b"%PDF-1.7\r\n..."
    await close_all(form)


async def test_file_without_content_type_is_octet_stream() -> None:
    form = await parse(encode([part("f", b"data", filename="x.bin")]))
    assert upload(form, "f").media_type == "application/octet-stream"
    await close_all(form)


async def test_empty_filename_is_an_empty_file() -> None:
    form = await parse(
        encode([part("f", b"", filename="", content_type="application/octet-stream")])
    )
    empty = upload(form, "f")
    assert (empty.filename, empty.size, await empty.read()) == ("", 0, b"")
    await close_all(form)


async def test_empty_form() -> None:
    assert (await parse(b"--" + BOUNDARY.encode() + b"--\r\n")).items() == []


async def test_empty_field_value() -> None:
    assert (await parse(encode([part("a", b"")]))).items() == [("a", "")]


async def test_one_mebibyte_file_stays_in_memory_and_is_identical() -> None:
    content = os.urandom(1024 * 1024)
    form = await parse(encode([part("f", content, filename="big.bin")]))
    big = upload(form, "f")
    assert big.size == len(content)
    assert big.in_memory
    assert await big.read() == content
    await close_all(form)


async def test_file_larger_than_spool_rolls_over_to_disk_off_the_event_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    content = os.urandom(3 * 1024 * 1024 + 17)
    loop_thread = threading.get_ident()
    writes: list[
        tuple[bool, bool]
    ] = []  # (file was on disk before the write, ran on the loop thread)
    rollovers: list[bool] = []
    real_write = SpooledTemporaryFile[bytes].write
    real_rollover = SpooledTemporaryFile[bytes].rollover

    def spy_write(self: SpooledTemporaryFile[bytes], data: bytes) -> int:
        writes.append((bool(getattr(self, "_rolled", False)), threading.get_ident() == loop_thread))
        return real_write(self, data)

    def spy_rollover(self: SpooledTemporaryFile[bytes]) -> None:
        rollovers.append(threading.get_ident() == loop_thread)
        real_rollover(self)

    monkeypatch.setattr(SpooledTemporaryFile, "write", spy_write)
    monkeypatch.setattr(SpooledTemporaryFile, "rollover", spy_rollover)
    form = await parse(encode([part("f", content, filename="big.bin")]), chunk_size=100_000)
    big = upload(form, "f")
    assert not big.in_memory
    assert rollovers == [False]
    # Held in memory until it outgrew the spool, then every write (the first one rolling the
    # file over) ran in a worker thread, in 1 MiB batches rather than one per chunk.
    assert writes and not any(on_loop for _, on_loop in writes)
    assert big.size == len(content)
    assert big.file.tell() == 0
    assert await big.read() == content
    await close_all(form)


async def test_one_byte_chunks_give_the_same_result() -> None:
    body = encode(
        [
            part("a", "x\r\ny\r\n--" + BOUNDARY[:-1]),
            part(
                "f",
                b"\r\n\r\n--" + BOUNDARY.encode() + b"X",
                filename="f.txt",
                content_type="text/plain",
            ),
        ]
    )
    whole = await parse(body)
    bytewise = await parse(body, chunk_size=1)
    assert whole.get("a") == bytewise.get("a") == ["x\r\ny\r\n--" + BOUNDARY[:-1]]
    assert await upload(whole, "f").read() == await upload(bytewise, "f").read()
    assert await upload(bytewise, "f").read() == b""
    await upload(bytewise, "f").seek(0)
    assert await upload(bytewise, "f").read() == b"\r\n\r\n--" + BOUNDARY.encode() + b"X"
    await close_all(whole)
    await close_all(bytewise)


@pytest.mark.parametrize(
    "boundary",
    [
        "simple",
        "a.b+c=d",
        "'()+_,-./:=?",
        "with inner space",
        "x" * 70,
        "1",
        "----WebKitFormBoundary7MA4YWxkTrZu0gW",
    ],
)
async def test_rfc2046_boundaries_are_accepted(boundary: str) -> None:
    body = encode([part("a", "1")], boundary=boundary)
    quoted = await parse(body, content_type=f'multipart/form-data; boundary="{boundary}"')
    assert quoted.items() == [("a", "1")]
    if " " not in boundary:
        bare = await parse(
            body, content_type=f"multipart/form-data; charset=utf-8; boundary={boundary}"
        )
        assert bare.items() == [("a", "1")]


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",
        "multipart/form-data; boundary=",
        'multipart/form-data; boundary=""',
        "multipart/form-data; boundary=" + "x" * 71,
        "multipart/form-data; boundary=" + "x" * 10_000,
        'multipart/form-data; boundary="ends with space "',
        'multipart/form-data; boundary="a\\"b"',
        "multipart/form-data; boundary=a<b",
        "multipart/form-data; boundary=caf\u00e9",
        "multipart/form-data; boundary=tab\there",
        "multipart/form-data; boundary*=utf-8''abc",
    ],
)
def test_invalid_boundaries_are_rejected(content_type: str) -> None:
    with pytest.raises(MultipartBoundaryError) as info:
        boundary_from_content_type(content_type)
    assert info.value.status_code == 400


def test_boundary_from_content_type_returns_bytes() -> None:
    assert boundary_from_content_type('multipart/form-data; BOUNDARY="a.b"') == b"a.b"


async def test_part_charset_decodes_the_field() -> None:
    body = encode(
        [part("a", "été".encode("latin-1"), content_type="text/plain; charset=ISO-8859-1")]
    )
    assert (await parse(body)).items() == [("a", "été")]


async def test_charset_field_applies_to_fields_without_their_own_charset() -> None:
    body = encode(
        [
            part("a", "日本".encode("shift_jis")),
            part("_charset_", "Shift_JIS"),
            part("b", "é".encode(), content_type="text/plain; charset=utf-8"),
        ]
    )
    form = await parse(body)
    assert form.items() == [("a", "日本"), ("_charset_", "Shift_JIS"), ("b", "é")]


async def test_invalid_utf8_falls_back_to_latin1() -> None:
    form = await parse(encode([part("a", b"caf\xe9"), part("b", b"ok \xc3\xa9")]))
    assert form.items() == [("a", "café"), ("b", "ok é")]


async def test_unknown_or_failing_charset_falls_back_to_utf8_then_latin1() -> None:
    body = encode(
        [
            part("a", "é".encode(), content_type="text/plain; charset=no-such-codec"),
            part("b", "é".encode(), content_type="text/plain; charset=base64"),
            part("c", b"\xff\xfe\xfd", content_type="text/plain; charset=ascii"),
        ]
    )
    assert (await parse(body)).items() == [("a", "é"), ("b", "é"), ("c", "ÿþý")]


async def test_utf8_names_and_filenames_in_headers() -> None:
    headers: list[tuple[str, str | bytes]] = [
        ("Content-Disposition", 'form-data; name="naïve"; filename="ファイル.txt"')
    ]
    form = await parse(encode([(headers, b"x")]))
    assert upload(form, "naïve").filename == "ファイル.txt"
    await close_all(form)


async def test_latin1_header_bytes_are_decoded_as_latin1() -> None:
    headers: list[tuple[str, str | bytes]] = [("Content-Disposition", b'form-data; name="caf\xe9"')]
    assert (await parse(encode([(headers, b"x")]))).items() == [("café", "x")]


async def test_header_names_are_case_insensitive_and_unknown_headers_ignored() -> None:
    headers: list[tuple[str, str | bytes]] = [
        ("X-Custom", "1"),
        ("CONTENT-DISPOSITION", 'form-data; name="a"'),
        ("content-type", "text/plain"),
    ]
    assert (await parse(encode([(headers, b"v")]))).items() == [("a", "v")]


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ([("Content-Type", "text/plain")], "no Content-Disposition"),
        ([("Content-Disposition", "form-data")], "has no name"),
        ([("Content-Disposition", 'attachment; name="a"')], "not form-data"),
        (
            [
                ("Content-Disposition", 'form-data; name="a"'),
                ("Content-Disposition", 'form-data; name="b"'),
            ],
            "more than one Content-Disposition",
        ),
        (
            [
                ("Content-Disposition", 'form-data; name="a"'),
                ("Content-Type", "a/b"),
                ("Content-Type", "c/d"),
            ],
            "more than one Content-Type",
        ),
    ],
)
async def test_invalid_part_headers_are_rejected(
    headers: list[tuple[str, str | bytes]], message: str
) -> None:
    with pytest.raises(MalformedBodyError, match=message):
        await parse(encode([(headers, b"x")]))


async def test_truncated_body_is_malformed() -> None:
    body = encode([part("a", "1")])
    with pytest.raises(MalformedBodyError, match="closing boundary"):
        await parse(body[:-10])


async def test_garbage_body_is_malformed() -> None:
    with pytest.raises(MalformedBodyError):
        await parse(b"this is not multipart at all")


async def test_crlf_preamble_is_skipped_and_epilogue_discarded() -> None:
    body = (
        b"\r\n\r\n\n"
        + encode([part("a", "1")])
        + b"epilogue junk\r\n--"
        + BOUNDARY.encode()
        + b"\r\n"
    )
    assert (await parse(body)).items() == [("a", "1")]


async def test_limit_errors_carry_their_limit() -> None:
    with pytest.raises(TooManyFieldsError) as fields:
        await parse(encode([part("a", "1"), part("b", "2")]), max_fields=1)
    assert fields.value.limit == 1
    with pytest.raises(TooManyFilesError) as files:
        await parse(
            encode([part("a", b"", filename="1"), part("b", b"", filename="2")]), max_files=1
        )
    assert files.value.limit == 1
    with pytest.raises(PartTooLargeError) as value:
        await parse(encode([part("a", "x" * 11)]), max_part_size=10)
    assert value.value.limit == 10
    with pytest.raises(FileTooLargeError) as file:
        await parse(encode([part("a", b"x" * 11, filename="f")]), max_file_size=10)
    assert file.value.limit == 10
    with pytest.raises(BodyTooLargeError) as fields_size:
        await parse(encode([part("a", "x" * 6), part("b", "y" * 6)]), max_fields_size=10)
    assert fields_size.value.limit == 10
    with pytest.raises(BodyTooLargeError) as body:
        await parse(encode([part("a", "x")]), max_body_size=20)
    assert body.value.limit == 20


async def test_values_exactly_at_the_limits_are_accepted() -> None:
    body = encode([part("a", "x" * 10), part("f", b"y" * 10, filename="f")])
    form = await parse(
        body, max_fields=1, max_files=1, max_part_size=10, max_file_size=10, max_body_size=len(body)
    )
    assert form.get_first("a") == "x" * 10
    assert upload(form, "f").size == 10
    await close_all(form)


async def test_part_header_limits() -> None:
    many: list[tuple[str, str | bytes]] = [("Content-Disposition", 'form-data; name="a"')]
    many += [(f"X-H{i}", "v") for i in range(3)]
    with pytest.raises(PartHeadersTooLargeError) as count:
        await parse(encode([(many, b"x")]), max_part_header_count=3)
    assert count.value.status_code == 400
    assert (await parse(encode([(many, b"x")]), max_part_header_count=4)).items() == [("a", "x")]
    big: list[tuple[str, str | bytes]] = [
        ("Content-Disposition", 'form-data; name="a"'),
        ("X-Big", "v" * 100),
    ]
    with pytest.raises(PartHeadersTooLargeError):
        await parse(encode([(big, b"x")]), max_part_header_size=100)
    # Several small headers adding up over the block limit, each well under it.
    spread: list[tuple[str, str | bytes]] = [("Content-Disposition", 'form-data; name="a"')]
    spread += [(f"X-{i}", "v" * 30) for i in range(4)]
    with pytest.raises(PartHeadersTooLargeError):
        await parse(encode([(spread, b"x")]), max_part_header_size=120, chunk_size=7)


async def test_content_transfer_encoding_is_ignored() -> None:
    headers: list[tuple[str, str | bytes]] = [
        ("Content-Disposition", 'form-data; name="a"'),
        ("Content-Transfer-Encoding", "base64"),
    ]
    assert (await parse(encode([(headers, b"aGVsbG8=")]))).items() == [("a", "aGVsbG8=")]


async def test_errors_close_every_temporary_file() -> None:
    files = [part(f"f{i}", b"x" * 5000, filename=f"{i}.bin") for i in range(20)]
    body = encode([*files, part("a", "x" * 100)])
    before = open_fds()
    with pytest.raises(PartTooLargeError):
        await parse(body, max_part_size=10, spool_max_size=1000)
    assert open_fds() == before


async def test_parser_can_be_driven_by_hand() -> None:
    parser = MultipartFormParser(BOUNDARY.encode(), spool_max_size=10)
    body = encode([part("f", b"x" * 100, filename="f"), part("a", "1")])
    for start in range(0, len(body), 16):
        await parser.feed(body[start : start + 16])
    form = await parser.finish()
    assert form.get_first("a") == "1"
    assert await upload(form, "f").read() == b"x" * 100
    await parser.aclose()  # files handed over by finish() stay open
    assert not upload(form, "f").closed
    await close_all(form)


async def test_cancellation_during_a_disk_write_closes_files_after_the_write() -> None:
    release = threading.Event()
    started = threading.Event()
    real_write = SpooledTemporaryFile[bytes].write

    def slow_write(self: SpooledTemporaryFile[bytes], data: bytes) -> int:
        if threading.current_thread() is not threading.main_thread():
            started.set()
            release.wait(5)
        return real_write(self, data)

    parser = MultipartFormParser(BOUNDARY.encode(), spool_max_size=10)
    body = encode([part("f", b"x" * 100, filename="f")])
    mp = pytest.MonkeyPatch()
    mp.setattr(SpooledTemporaryFile, "write", slow_write)
    try:
        parser.write(body)  # the deferred writes go to a thread in finish()
        task = asyncio.ensure_future(parser.finish())
        await asyncio.to_thread(started.wait, 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        closing = asyncio.ensure_future(parser.aclose())
        await asyncio.sleep(0.01)
        assert not closing.done()  # waits for the thread still writing
        release.set()
        await closing
    finally:
        mp.undo()
        release.set()


async def test_header_limit_errors_report_the_limit_that_was_hit() -> None:
    many: list[tuple[str, str | bytes]] = [("Content-Disposition", 'form-data; name="a"')]
    many += [(f"X-H{i}", "v") for i in range(10)]
    with pytest.raises(PartHeadersTooLargeError, match="more than 3 headers") as count:
        await parse(encode([(many, b"x")]), max_part_header_count=3)
    assert count.value.limit == 3
    line: list[tuple[str, str | bytes]] = [
        ("Content-Disposition", 'form-data; name="a"'),
        ("X-Big", "v" * 500),
    ]
    with pytest.raises(PartHeadersTooLargeError) as size:
        await parse(encode([(line, b"x")]), max_part_header_size=100)
    assert size.value.limit == 100


async def large_upload(size: int, chunk: int = 64 * 1024) -> AsyncIterator[bytes]:
    """A form with one ``size``-byte file, generated chunk by chunk (never held whole)."""
    yield f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="f"; filename="f"\r\n\r\n'.encode()
    block = b"\x5a" * chunk
    for _ in range(size // chunk):
        yield block
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


async def test_spooling_a_large_file_to_disk_holds_a_few_batches_in_memory_at_most() -> None:
    size = 24 * 1024 * 1024
    tracemalloc.start()
    try:
        form = await parse_multipart(CONTENT_TYPE, large_upload(size))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    big = upload(form, "f")
    assert (big.size, big.in_memory) == (size, False)
    assert await big.read(10) == b"\x5a" * 10
    assert peak < 4 * WRITE_BATCH_SIZE
    await close_all(form)
