"""``Body.iter_parts``: form parts one at a time, at the bytes level, with scripted ``receive``."""

from __future__ import annotations

import asyncio
import json
import re
import tracemalloc
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Final, cast

import pytest

from asgikit import FormPart, Request
from asgikit._body import Body
from asgikit._connection import connection_state
from asgikit._exceptions import (
    BodyTooLargeError,
    ClientDisconnectError,
    FileTooLargeError,
    LimitExceededError,
    MalformedBodyError,
    MultipartBoundaryError,
    PartHeadersTooLargeError,
    PartTooLargeError,
    RequestAlreadyConsumedError,
    RequestBodyError,
    TooManyFieldsError,
    TooManyFilesError,
    UnsupportedMediaTypeError,
)
from asgikit.asgi import HTTPScope, ReceiveEvent
from tests.conftest import Recorder, Script, http_scope, open_fds
from tests.test_body import request
from tests.test_multipart import BOUNDARY, CONTENT_TYPE, Part, encode, part
from tests.typing import positive_api

MULTIPART: Final = [(b"content-type", CONTENT_TYPE.encode())]
URLENCODED: Final = [(b"content-type", b"application/x-www-form-urlencoded")]


def make(
    data: bytes, *, chunk: int = 1 << 30, headers: list[tuple[bytes, bytes]] = MULTIPART
) -> tuple[Body, Script, HTTPScope]:
    """A body delivering ``data`` in ``chunk``-sized events."""
    pieces = [data[i : i + chunk] for i in range(0, len(data), chunk)] or [b""]
    scope = http_scope(method="POST", headers=headers)
    script = Script(request(*pieces))
    return Body(scope, script), script, scope


Seen = tuple[str, str | None, str, list[bytes]]


async def every_part(body: Body, **limits: int) -> list[Seen]:
    """(name, filename, media type, chunks) of every part, reading each one fully."""
    seen: list[Seen] = []
    async for item in body.iter_parts(**limits):
        seen.append((item.name, item.filename, item.media_type, [chunk async for chunk in item]))
    return seen


# -- what the parts say --


async def test_parts_arrive_in_order_with_their_headers_and_content() -> None:
    data = encode(
        [
            part("title", "caf\u00e9"),
            part("doc", b"%PDF-1.7\r\n...", filename="a.pdf", content_type="application/pdf"),
            part("title", "two"),
            part("empty", b"", filename=""),
            part(
                "latin",
                "\u00e9t\u00e9".encode("latin-1"),
                content_type="text/plain; charset=ISO-8859-1",
            ),
        ]
    )
    body, _, _ = make(data)
    parts = body.iter_parts()
    first = await anext(parts)
    assert (first.name, first.filename, first.media_type, first.charset) == (
        "title",
        None,
        "text/plain",
        None,
    )
    assert first.headers.get_first("Content-Disposition") == 'form-data; name="title"'
    assert await first.read_text() == "caf\u00e9"
    doc = await anext(parts)
    assert (doc.name, doc.filename, doc.media_type) == ("doc", "a.pdf", "application/pdf")
    assert doc.headers.raw == [
        (b"content-disposition", b'form-data; name="doc"; filename="a.pdf"'),
        (b"content-type", b"application/pdf"),
    ]
    assert await doc.read() == b"%PDF-1.7\r\n..."
    assert await (await anext(parts)).read() == b"two"
    empty = await anext(parts)
    assert (empty.filename, empty.media_type) == ("", "application/octet-stream")
    assert [chunk async for chunk in empty] == []
    assert await empty.read() == b""
    latin = await anext(parts)
    assert latin.charset == "iso-8859-1"
    assert await latin.read_text() == "\u00e9t\u00e9"
    with pytest.raises(StopAsyncIteration):
        await anext(parts)
    with pytest.raises(StopAsyncIteration):  # and it stays finished
        await anext(parts)
    assert repr(doc) == "FormPart(name='doc', filename='a.pdf', media_type='application/pdf')"


async def test_content_comes_in_the_chunks_the_server_delivers_never_empty() -> None:
    content = bytes(range(256)) * 64
    data = encode([part("f", content, filename="f.bin")])
    body, _, _ = make(data, chunk=1000)
    [(_, _, _, chunks)] = await every_part(body)
    assert b"".join(chunks) == content
    assert all(chunks) and max(map(len, chunks)) <= 1000
    assert len(chunks) >= len(content) // 1000


async def test_one_byte_events_give_the_same_parts() -> None:
    data = encode(
        [
            part("a", "x\r\n--y"),
            part("f", b"\r\n" * 50 + b"--" + BOUNDARY.encode() + b"x", filename="f"),
        ]
    )
    one, _, _ = make(data, chunk=1)
    whole, _, _ = make(data)
    assert [(n, f, t, b"".join(c)) for n, f, t, c in await every_part(one)] == [
        (n, f, t, b"".join(c)) for n, f, t, c in await every_part(whole)
    ]


async def test_read_after_some_chunks_returns_the_rest() -> None:
    data = encode([part("f", b"abcdefghij" * 10, filename="f")])
    body, _, _ = make(data, chunk=len(data) - 40)
    item = await anext(body.iter_parts())
    first = await anext(item)
    assert first + await item.read() == b"abcdefghij" * 10
    assert await item.read() == b""  # nothing left


async def test_read_is_bounded_by_max_part_size_even_for_files() -> None:
    data = encode([part("f", b"x" * 3000, filename="f"), part("a", "1")])
    body, _, _ = make(data, chunk=512)
    parts = body.iter_parts(max_part_size=1000)
    big = await anext(parts)
    with pytest.raises(PartTooLargeError, match="chunk by chunk") as caught:
        await big.read()
    assert caught.value.limit == 1000
    small = await anext(parts)  # the rest of the file is skipped
    assert await small.read() == b"1"


async def test_urlencoded_pairs_are_parts_in_arrival_order() -> None:
    body, _, _ = make(b"a=1&b=caf%C3%A9&a=3&&flag&sp=x+y", headers=URLENCODED)
    seen = [
        (item.name, item.filename, item.media_type, item.charset, await item.read_text())
        async for item in body.iter_parts()
    ]
    assert seen == [
        ("a", None, "text/plain", None, "1"),
        ("b", None, "text/plain", None, "caf\u00e9"),
        ("a", None, "text/plain", None, "3"),
        ("flag", None, "text/plain", None, ""),
        ("sp", None, "text/plain", None, "x y"),
    ]


async def test_urlencoded_parts_have_no_headers_and_replay_from_the_cache() -> None:
    body, script, _ = make(b"a=1", headers=URLENCODED)
    item = await anext(body.iter_parts())
    assert list(item.headers.items()) == []
    assert await item.read() == b"1"
    again = [(item.name, await item.read()) async for item in body.iter_parts()]
    assert again == [("a", b"1")]
    assert script.calls == 1  # read once, then cached like any read_* result
    assert (await body.read_form()).items() == [("a", "1")]


async def test_a_body_read_before_is_parsed_from_the_cache_in_small_chunks() -> None:
    content = b"y" * 300_000
    data = encode([part("f", content, filename="f"), part("a", "1")])
    body, script, _ = make(data)
    assert await body.read_bytes(max_body_size=1 << 20) == data
    seen = await every_part(body)
    assert [(n, b"".join(c)) for n, _, _, c in seen] == [("f", content), ("a", b"1")]
    assert max(len(c) for c in seen[0][3]) <= 64 * 1024
    assert script.calls == 1


# -- skipping, and misuse --


async def test_parts_not_read_are_skipped() -> None:
    data = encode([part("a", "1"), part("f", b"z" * 10_000, filename="f"), part("b", "2")])
    body, _, _ = make(data, chunk=700)
    names: list[str] = []
    async for item in body.iter_parts():
        names.append(item.name)
        if item.name == "b":
            assert await item.read() == b"2"
    assert names == ["a", "f", "b"]


async def test_a_part_partly_read_is_skipped_from_where_it_stopped() -> None:
    data = encode([part("f", b"q" * 10_000, filename="f"), part("b", "2")])
    body, _, _ = make(data, chunk=1000)
    parts = body.iter_parts()
    first = await anext(parts)
    read = await anext(first) + await anext(first)
    assert read == b"q" * len(read) and 1000 < len(read) < 10_000
    second = await anext(parts)
    assert (second.name, await second.read()) == ("b", b"2")


def big_upload(size: int, chunk: int = 64 * 1024) -> Iterator[ReceiveEvent]:
    """A multipart body with a ``size``-byte file then a field, generated one event at a time."""
    head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="f"; filename="big.bin"\r\n\r\n'
    tail = f'\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name="after"\r\n\r\ndone\r\n--{BOUNDARY}--\r\n'
    yield {"type": "http.request", "body": head.encode(), "more_body": True}
    block = b"\xab" * chunk
    for _ in range(size // chunk):
        yield {"type": "http.request", "body": block, "more_body": True}
    yield {"type": "http.request", "body": tail.encode(), "more_body": False}


class Lazy:
    """A ``receive`` pulling events from an iterator (nothing is built in advance)."""

    def __init__(self, events: Iterator[ReceiveEvent]) -> None:
        self.events = events

    async def __call__(self) -> ReceiveEvent:
        disconnect: ReceiveEvent = {"type": "http.disconnect"}
        return next(self.events, disconnect)


async def test_skipping_a_large_part_keeps_memory_bounded() -> None:
    size = 32 * 1024 * 1024
    body = Body(http_scope(method="POST", headers=MULTIPART), Lazy(big_upload(size)))
    tracemalloc.start()
    try:
        names: list[str] = []
        async for item in body.iter_parts(max_file_size=size):
            names.append(item.name)
            if item.name == "after":
                assert await item.read() == b"done"
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert names == ["f", "after"]
    assert peak < 1024 * 1024  # a few chunks, never the 32 MiB part


async def test_streaming_a_large_part_keeps_memory_bounded() -> None:
    size = 32 * 1024 * 1024
    body = Body(http_scope(method="POST", headers=MULTIPART), Lazy(big_upload(size)))
    tracemalloc.start()
    try:
        total = 0
        parts = body.iter_parts(max_file_size=size)
        async for chunk in await anext(parts):
            total += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == size
    assert peak < 1024 * 1024


async def test_a_part_used_after_moving_on_raises() -> None:
    data = encode([part("a", "1"), part("b", "2")])
    body, _, _ = make(data)
    parts = body.iter_parts()
    first = await anext(parts)
    await anext(parts)
    with pytest.raises(RequestAlreadyConsumedError, match="left behind"):
        await first.read()
    with pytest.raises(RequestAlreadyConsumedError, match="left behind"):
        await anext(first)
    # Even a part read to its end is off limits once the iteration moved on.
    body, _, _ = make(data)
    parts = body.iter_parts()
    first = await anext(parts)
    assert await first.read() == b"1"
    await anext(parts)
    with pytest.raises(RequestAlreadyConsumedError):
        await first.read()


async def test_iter_parts_twice_raises_at_the_second_call() -> None:
    body, _, _ = make(encode([part("a", "1")]))
    body.iter_parts()
    with pytest.raises(RequestAlreadyConsumedError):
        body.iter_parts()


async def _read_form(body: Body) -> None:
    form = await body.read_form()
    assert form.items() == [("a", "1")]


async def _iter_parts(body: Body) -> None:
    assert [name for name, _, _, _ in await every_part(body)] == ["a"]


async def _stream(body: Body) -> None:
    assert b"".join([chunk async for chunk in body]) == encode([part("a", "1")])


@pytest.mark.parametrize("consume", [_read_form, _iter_parts, _stream])
async def test_iter_parts_after_the_body_was_streamed_raises(
    consume: Callable[[Body], Awaitable[None]],
) -> None:
    body, _, _ = make(encode([part("a", "1")]))
    await consume(body)
    with pytest.raises(RequestAlreadyConsumedError):
        body.iter_parts()


async def test_two_tasks_reading_one_form_at_once_raises() -> None:
    gate = asyncio.Event()
    data = encode([part("a", "1" * 10)])

    async def slow() -> ReceiveEvent:
        await gate.wait()
        return {"type": "http.request", "body": data, "more_body": False}

    body = Body(http_scope(method="POST", headers=MULTIPART), slow)
    parts = body.iter_parts()
    first = asyncio.ensure_future(anext(parts))
    await asyncio.sleep(0)
    with pytest.raises(RequestAlreadyConsumedError, match="another task"):
        await anext(parts)
    gate.set()
    assert (await first).name == "a"


# -- limits and errors: those of read_form --

LIMIT_CASES: Final[list[tuple[list[Part], dict[str, int], type[LimitExceededError], int]]] = [
    ([part(f"a{i}", "x") for i in range(4)], {"max_fields": 3}, TooManyFieldsError, 3),
    ([part(f"f{i}", b"x", filename="f") for i in range(3)], {"max_files": 2}, TooManyFilesError, 2),
    ([part("a", "x" * 101)], {"max_part_size": 100}, PartTooLargeError, 100),
    ([part("a", "x" * 60), part("b", "x" * 60)], {"max_fields_size": 100}, BodyTooLargeError, 100),
    ([part("f", b"x" * 101, filename="f")], {"max_file_size": 100}, FileTooLargeError, 100),
    (
        [
            (
                [
                    ("Content-Disposition", 'form-data; name="a"'),
                    *[(f"X-{i}", "v") for i in range(5)],
                ],
                b"x",
            )
        ],
        {"max_part_header_count": 3},
        PartHeadersTooLargeError,
        3,
    ),
    (
        [([("Content-Disposition", 'form-data; name="a"'), ("X-Big", "v" * 300)], b"x")],
        {"max_part_header_size": 200},
        PartHeadersTooLargeError,
        200,
    ),
    ([part("f", b"x" * 5000, filename="f")], {"max_body_size": 1000}, BodyTooLargeError, 1000),
]


@pytest.mark.parametrize(("parts", "limits", "error", "limit"), LIMIT_CASES)
@pytest.mark.parametrize("chunk", [1 << 30, 7])
async def test_limits_and_errors_are_those_of_read_form(
    parts: list[Part],
    limits: dict[str, int],
    error: type[LimitExceededError],
    limit: int,
    chunk: int,
) -> None:
    data = encode(parts)
    body, _, _ = make(data, chunk=chunk)
    with pytest.raises(error) as by_form:
        await body.read_form(**limits)
    body, _, scope = make(data, chunk=chunk)
    with pytest.raises(error) as by_parts:
        await every_part(body, **limits)
    assert by_parts.value.limit == by_form.value.limit == limit
    assert str(by_parts.value) == str(by_form.value)
    assert not connection_state(scope).reading


async def test_a_declared_length_over_the_limit_raises_before_reading() -> None:
    body, script, _ = make(b"x" * 10, headers=[*MULTIPART, (b"content-length", b"5000")])
    with pytest.raises(BodyTooLargeError):
        body.iter_parts(max_body_size=1000)
    assert script.calls == 0
    body, script, _ = make(b"a=1", headers=[*URLENCODED, (b"content-length", b"5000")])
    with pytest.raises(BodyTooLargeError):
        await anext(body.iter_parts(max_body_size=1000))


async def test_urlencoded_limits_are_those_of_read_form() -> None:
    body, _, _ = make(b"a=1&b=2&c=3", headers=URLENCODED)
    with pytest.raises(TooManyFieldsError):
        await anext(body.iter_parts(max_fields=2))
    body, _, _ = make(b"a=" + b"x" * 50, headers=URLENCODED)
    with pytest.raises(PartTooLargeError):
        await anext(body.iter_parts(max_part_size=10))


@pytest.mark.parametrize(
    ("content_type", "error"),
    [
        (b"application/json", UnsupportedMediaTypeError),
        (b"text/plain", UnsupportedMediaTypeError),
        (b"multipart/form-data", MultipartBoundaryError),
        (b"multipart/form-data; boundary=" + b"b" * 71, MultipartBoundaryError),
        (b'multipart/form-data; boundary="a\\"b"', MultipartBoundaryError),
    ],
)
def test_content_type_and_boundary_are_checked_at_the_call(
    content_type: bytes, error: type[RequestBodyError]
) -> None:
    body, script, _ = make(b"", headers=[(b"content-type", content_type)])
    with pytest.raises(error):
        body.iter_parts()
    assert script.calls == 0


def test_a_body_without_content_type_is_unsupported() -> None:
    body, _, _ = make(b"", headers=[])
    with pytest.raises(UnsupportedMediaTypeError, match="iter_parts"):
        body.iter_parts()


@pytest.mark.parametrize(
    "data",
    [
        encode([part("a", "1")])[:-10],  # truncated before the closing boundary
        encode([part("a", "1")]).replace(b"Content-Disposition", b"Content-Dispo"),
        encode([part("a", "1")]).replace(b"form-data", b"attachment"),
        b"garbage before the boundary" + encode([part("a", "1")]),
        b"",
    ],
    ids=["truncated", "no-disposition", "not-form-data", "preamble", "empty"],
)
async def test_malformed_bodies_raise_malformed_body_error(data: bytes) -> None:
    body, _, scope = make(data, chunk=5)
    with pytest.raises(MalformedBodyError):
        await every_part(body)
    assert not connection_state(scope).reading


async def test_after_an_error_the_iteration_refuses_to_go_on() -> None:
    data = encode([part("a", "1"), part("b", "x" * 500), part("c", "3")])
    body, _, _ = make(data, chunk=100)
    parts = body.iter_parts(max_part_size=100)
    await anext(parts)
    second = await anext(parts)  # its headers are fine; its content is too large
    with pytest.raises(PartTooLargeError):
        await second.read()
    with pytest.raises(RequestAlreadyConsumedError, match="failed earlier"):
        await anext(parts)
    with pytest.raises(RequestAlreadyConsumedError, match="failed earlier"):
        await second.read()


# -- the connection: disconnects, read state --


async def test_client_disconnect_mid_part_raises_and_leaks_nothing() -> None:
    data = encode([part("a", "1"), part("f", b"x" * 100_000, filename="f")])
    events: list[ReceiveEvent] = [
        {"type": "http.request", "body": data[:50_000], "more_body": True},
        {"type": "http.disconnect"},
    ]
    scope = http_scope(method="POST", headers=MULTIPART)
    body = Body(scope, Script(events))
    fds = open_fds()
    parts = body.iter_parts()
    assert await (await anext(parts)).read() == b"1"
    upload = await anext(parts)
    received = 0
    with pytest.raises(ClientDisconnectError):
        async for chunk in upload:
            received += len(chunk)
    assert 0 < received < 100_000
    state = connection_state(scope)
    assert state.disconnected and not state.reading
    with pytest.raises(RequestAlreadyConsumedError):
        await anext(parts)
    assert open_fds() == fds


async def test_a_broken_server_event_ends_the_iteration_with_client_disconnect() -> None:
    scope = http_scope(method="POST", headers=MULTIPART)
    events: list[ReceiveEvent] = [{"type": "websocket.receive", "text": "?"}]
    body = Body(scope, Script(events))
    with pytest.raises(ClientDisconnectError, match=r"unexpected 'websocket\.receive'"):
        await anext(body.iter_parts())


async def test_cancellation_mid_body_ends_the_iteration() -> None:
    release = asyncio.Event()

    async def stalled() -> ReceiveEvent:
        await release.wait()
        return {"type": "http.disconnect"}

    scope = http_scope(method="POST", headers=MULTIPART)
    parts = Body(scope, stalled).iter_parts()
    task = asyncio.ensure_future(anext(parts))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not connection_state(scope).reading
    with pytest.raises(RequestAlreadyConsumedError):
        await anext(parts)


async def test_the_body_counts_as_being_read_until_its_end() -> None:
    data = encode([part("a", "1"), part("b", "2")])
    body, _, scope = make(data, chunk=10)
    state = connection_state(scope)

    def flags() -> tuple[bool, bool, bool]:
        return state.reading, state.body_streamed, body.is_consumed

    parts = body.iter_parts()
    assert flags() == (True, True, False)
    await anext(parts)
    assert flags() == (True, True, False)
    async for _ in parts:
        pass
    assert flags() == (False, True, True)


async def test_form_part_is_exported_and_is_what_iteration_gives() -> None:
    body, _, _ = make(encode([part("a", "1")]))
    item = await anext(body.iter_parts())
    assert isinstance(item, FormPart)


async def test_the_positive_type_test_runs() -> None:
    body, _, _ = make(encode([part("a", "1"), part("f", b"xyz", filename="f.txt")]))
    await positive_api.form_parts_api(body)


def docs_example() -> str:
    """The ``iter_parts`` example of docs/forms.md, as written there."""
    text = (Path(__file__).resolve().parent.parent / "docs" / "forms.md").read_text(
        encoding="utf-8"
    )
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    [example] = [block for block in blocks if "iter_parts(" in block]
    return str(example)


async def test_the_docs_example_streams_files_to_disk(tmp_path: Path) -> None:
    namespace: dict[str, object] = {}
    exec(compile(docs_example(), "docs/forms.md", "exec"), namespace)
    namespace["UPLOADS"] = tmp_path
    handler = cast("Callable[[Request], Awaitable[None]]", namespace["upload"])
    content = bytes(range(256)) * 1000
    data = encode(
        [
            part("title", "holiday"),
            part("ignored", "x" * 1000),
            part("photo", content, filename="../../etc/pic.jpg", content_type="image/jpeg"),
        ]
    )
    sent = Recorder()
    scope = http_scope(method="POST", headers=MULTIPART)
    await handler(
        Request(
            scope, Script(request(*[data[i : i + 4096] for i in range(0, len(data), 4096)])), sent
        )
    )
    assert (tmp_path / "pic.jpg").read_bytes() == content
    body = b"".join(
        bytes(event.get("body", b""))
        for event in sent.events
        if event["type"] == "http.response.body"
    )
    assert json.loads(body) == {"title": "holiday", "saved": {"pic.jpg": len(content)}}


async def test_the_docs_example_leaves_no_file_when_the_client_leaves(tmp_path: Path) -> None:
    namespace: dict[str, object] = {}
    exec(compile(docs_example(), "docs/forms.md", "exec"), namespace)
    namespace["UPLOADS"] = tmp_path
    handler = cast("Callable[[Request], Awaitable[None]]", namespace["upload"])
    data = encode([part("photo", b"y" * 100_000, filename="pic.jpg")])
    events: list[ReceiveEvent] = [
        {"type": "http.request", "body": data[:60_000], "more_body": True}
    ]
    scope = http_scope(method="POST", headers=MULTIPART)
    with pytest.raises(ClientDisconnectError):
        await handler(Request(scope, Script(events), Recorder()))
    assert list(tmp_path.iterdir()) == []
