from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterable
from typing import cast

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asgikit._body import Body, parse_content_length
from asgikit._connection import connection_state
from asgikit._exceptions import (
    BodyTooLargeError,
    BodyValidationError,
    ClientDisconnectError,
    InvalidContentLengthError,
    MalformedBodyError,
    RequestAlreadyConsumedError,
    TooManyFieldsError,
    UnsupportedMediaTypeError,
)
from asgikit._uploads import UploadedFile
from asgikit.asgi import HTTPScope, ReceiveEvent
from tests.conftest import Script, http_scope, open_fds
from tests.test_multipart import BOUNDARY, CONTENT_TYPE, encode, part
from tests.timing import LINEAR_BOUND, agrowth


def request(*chunks: bytes) -> list[ReceiveEvent]:
    """http.request events carrying ``chunks``, the last one with more_body False."""
    if not chunks:
        return [{"type": "http.request", "body": b"", "more_body": False}]
    return [
        {"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1}
        for index, chunk in enumerate(chunks)
    ]


def make(
    events: Iterable[ReceiveEvent], headers: list[tuple[bytes, bytes]] | None = None
) -> tuple[Body, Script, HTTPScope]:
    scope = http_scope(method="POST", headers=headers or [])
    script = Script(events)
    return Body(scope, script), script, scope


# -- headers --


def test_content_type_and_charset_come_from_the_first_content_type_header() -> None:
    body, _, _ = make(
        [], [(b"content-type", b'Text/Plain; Charset="ISO-8859-1"'), (b"content-type", b"a/b")]
    )
    assert body.content_type == "text/plain"
    assert body.charset == "iso-8859-1"
    assert repr(body) == "Body(content_type='text/plain')"


def test_missing_headers_give_none() -> None:
    body, _, _ = make([])
    assert (body.content_type, body.charset, body.content_length) == (None, None, None)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([b"0"], 0),
        ([b"42"], 42),
        ([b"0042"], 42),
        ([b" 7\t"], 7),
        ([b"5, 5"], 5),
        ([b"5", b"5"], 5),
        ([str(2**63 - 1).encode()], 2**63 - 1),
    ],
)
def test_valid_content_length(values: list[bytes], expected: int) -> None:
    body, _, _ = make([], [(b"content-length", value) for value in values])
    assert body.content_length == expected
    assert parse_content_length(values) == expected


@pytest.mark.parametrize(
    "values",
    [
        [b"-1"],
        [b"+1"],
        [b"1e9"],
        [b"0x10"],
        [b"1_000"],
        [b""],
        [b"1,"],
        [b"1 2"],
        ["٣".encode()],
        [b"99999999999999999999"],
        [str(2**63).encode()],
        [b"5, 6"],
        [b"5", b"6"],
    ],
)
def test_invalid_content_length_raises(values: list[bytes]) -> None:
    body, _, _ = make([], [(b"content-length", value) for value in values])
    with pytest.raises(InvalidContentLengthError) as info:
        _ = body.content_length
    assert info.value.status_code == 400
    # The content type stays readable.
    assert body.content_type is None


# -- read_bytes --


async def test_single_chunk_body_is_returned_without_copy() -> None:
    payload = b"x" * 1000
    body, script, scope = make(request(payload))
    assert await body.read_bytes() is payload
    assert script.calls == 1
    assert body.is_consumed
    assert connection_state(scope).body is payload


async def test_chunks_are_joined() -> None:
    body, script, _ = make(request(b"ab", b"", b"cd", b"e"))
    assert not body.is_consumed
    assert await body.read_bytes() == b"abcde"
    assert script.calls == 4


async def test_missing_body_and_more_body_keys_default() -> None:
    body, _, _ = make(
        [{"type": "http.request", "more_body": True}, {"type": "http.request", "body": b"z"}]
    )
    assert await body.read_bytes() == b"z"
    empty, _, _ = make([{"type": "http.request"}])
    assert await empty.read_bytes() == b""


async def test_second_read_replays_the_cached_body_without_receiving() -> None:
    body, script, scope = make(request(b"he", b"llo"))
    assert await body.read_bytes() == b"hello"
    assert await body.read_bytes() == b"hello"
    assert await body.read_text() == "hello"
    assert await Body(scope, script).read_bytes() == b"hello"  # another view of the same scope
    assert [chunk async for chunk in body] == [b"hello"]
    assert script.calls == 2


async def test_declared_length_over_the_limit_fails_before_receiving() -> None:
    body, script, _ = make(request(b"x" * 11), [(b"content-length", b"11")])
    with pytest.raises(BodyTooLargeError) as info:
        await body.read_bytes(max_body_size=10)
    assert info.value.limit == 10
    assert info.value.status_code == 413
    assert script.calls == 0
    # Nothing was consumed: a larger limit still works.
    assert await body.read_bytes(max_body_size=11) == b"x" * 11


async def test_undeclared_body_over_the_limit_fails_while_reading() -> None:
    body, script, _ = make(request(b"x" * 6, b"x" * 6, b"x" * 6))
    with pytest.raises(BodyTooLargeError):
        await body.read_bytes(max_body_size=10)
    assert script.calls == 2
    with pytest.raises(RequestAlreadyConsumedError):
        await body.read_bytes()


async def test_single_chunk_over_the_limit() -> None:
    body, _, _ = make(request(b"x" * 11))
    with pytest.raises(BodyTooLargeError):
        await body.read_bytes(max_body_size=10)


async def test_cached_body_over_a_smaller_limit() -> None:
    body, _, _ = make(request(b"x" * 11))
    await body.read_bytes()
    with pytest.raises(BodyTooLargeError):
        await body.read_bytes(max_body_size=10)
    with pytest.raises(BodyTooLargeError):
        await body.read_json(max_body_size=10)


async def test_invalid_content_length_fails_before_receiving() -> None:
    body, script, _ = make(request(b"x"), [(b"content-length", b"-1")])
    with pytest.raises(InvalidContentLengthError):
        await body.read_bytes()
    assert script.calls == 0


async def test_disconnect_raises_and_marks_the_connection() -> None:
    body, _, scope = make([{"type": "http.request", "body": b"x", "more_body": True}])
    with pytest.raises(ClientDisconnectError):
        await body.read_bytes()
    assert connection_state(scope).disconnected
    with pytest.raises(ClientDisconnectError):
        await body.read_bytes()
    with pytest.raises(ClientDisconnectError):
        async for _ in body:
            pass


async def test_unexpected_event_is_a_broken_connection() -> None:
    body, _, scope = make([{"type": "websocket.connect"}])
    with pytest.raises(ClientDisconnectError, match=r"unexpected 'websocket\.connect' event"):
        await body.read_bytes()
    assert not connection_state(scope).disconnected


# -- streaming --


async def test_stream_yields_non_empty_chunks_then_refuses_a_second_read() -> None:
    body, _, scope = make(request(b"a", b"", b"b"))
    assert [chunk async for chunk in body] == [b"a", b"b"]
    assert body.is_consumed
    assert connection_state(scope).body is None
    with pytest.raises(RequestAlreadyConsumedError):
        await body.read_bytes()
    with pytest.raises(RequestAlreadyConsumedError):
        async for _ in body:
            pass


async def test_partially_streamed_body_cannot_be_read() -> None:
    body, script, _ = make(request(b"a", b"b", b"c"))
    async for _ in body:
        break
    with pytest.raises(RequestAlreadyConsumedError):
        await body.read_bytes()
    assert script.calls == 1


async def test_stream_of_cached_empty_body_yields_nothing() -> None:
    body, _, _ = make(request())
    assert await body.read_bytes() == b""
    assert [chunk async for chunk in body] == []


async def test_stream_validates_content_length() -> None:
    body, _, _ = make(request(b"x"), [(b"content-length", b"abc")])
    with pytest.raises(InvalidContentLengthError):
        async for _ in body:
            pass


async def test_one_million_one_byte_chunks_read_in_linear_time() -> None:
    def prepare(count: int) -> Callable[[], Awaitable[object]]:
        events: list[ReceiveEvent] = [{"type": "http.request", "body": b"x", "more_body": True}] * (
            count - 1
        )
        events.append({"type": "http.request", "body": b"x", "more_body": False})
        iterator = iter(events)

        async def receive() -> ReceiveEvent:
            return next(iterator)

        body = Body(http_scope(method="POST"), receive)
        expected = b"x" * count

        async def read() -> None:
            assert await body.read_bytes(max_body_size=count) == expected

        return read

    assert await agrowth(prepare, 250_000, rounds=3) < 4 * LINEAR_BOUND


# -- text and JSON --


async def test_read_text_uses_the_declared_charset_then_utf8() -> None:
    latin, _, _ = make(
        request("été".encode("latin-1")), [(b"content-type", b"text/plain; charset=latin-1")]
    )
    assert await latin.read_text() == "été"
    plain, _, _ = make(request("été".encode()))
    assert await plain.read_text() == "été"
    explicit, _, _ = make(
        request("été".encode("utf-16")), [(b"content-type", b"text/plain; charset=latin-1")]
    )
    assert await explicit.read_text("utf-16") == "été"


async def test_read_text_errors() -> None:
    bad, _, _ = make(request(b"\xff"))
    with pytest.raises(MalformedBodyError, match="not valid utf-8"):
        await bad.read_text()
    bad_declared, _, _ = make(request(b"\xff"), [(b"content-type", b"text/plain; charset=ascii")])
    with pytest.raises(MalformedBodyError, match="not valid ascii"):
        await bad_declared.read_text()
    unknown, _, _ = make(request(b"x"), [(b"content-type", b"text/plain; charset=klingon")])
    with pytest.raises(UnsupportedMediaTypeError) as info:
        await unknown.read_text()
    assert info.value.status_code == 415
    not_text, _, _ = make(request(b"eA=="), [(b"content-type", b"text/plain; charset=base64")])
    with pytest.raises(UnsupportedMediaTypeError):
        await not_text.read_text()


class Item(msgspec.Struct):
    name: str
    price: float


async def test_read_json_plain_and_typed() -> None:
    body, _, _ = make(request(b'{"name": "pen", ', b'"price": 1.5}'))
    assert await body.read_json() == {"name": "pen", "price": 1.5}
    assert await body.read_json(Item) == Item(name="pen", price=1.5)
    listed, _, _ = make(request(b"[1, 2]"))
    assert await listed.read_json(list[int]) == [1, 2]


async def test_read_json_errors() -> None:
    empty, _, _ = make(request())
    with pytest.raises(MalformedBodyError, match="request body is empty; expected JSON"):
        await empty.read_json()
    broken, _, _ = make(request(b'{"a": '))
    with pytest.raises(MalformedBodyError) as malformed:
        await broken.read_json()
    assert malformed.value.status_code == 400
    assert type(malformed.value) is MalformedBodyError
    wrong, _, _ = make(request(b'{"name": 1, "price": 2}'))
    with pytest.raises(BodyValidationError) as invalid:
        await wrong.read_json(Item)
    assert invalid.value.status_code == 422
    latin, _, _ = make(request(b'"caf\xe9"'))
    with pytest.raises(MalformedBodyError, match="not valid JSON"):
        await latin.read_json()
    deep, _, _ = make(request(b"[" * 100_000 + b"]" * 100_000))
    with pytest.raises(MalformedBodyError, match="nested too deeply"):
        await deep.read_json()


# -- forms --


async def test_read_form_urlencoded() -> None:
    body, _, _ = make(
        request(b"a=1&b=caf%C3%A9", b"&a=2"),
        [(b"content-type", b"application/x-www-form-urlencoded")],
    )
    form = await body.read_form()
    assert form.items() == [("a", "1"), ("a", "2"), ("b", "café")]


async def test_read_form_urlencoded_limits() -> None:
    headers = [(b"content-type", b"application/x-www-form-urlencoded; charset=utf-8")]
    body, _, _ = make(request(b"a=1&b=2&c=3"), headers)
    with pytest.raises(TooManyFieldsError):
        await body.read_form(max_fields=2)
    assert (await body.read_form(max_fields=3)).get_first("c") == "3"  # the body was cached
    big, _, _ = make(request(b"a=" + b"x" * 100), [*headers, (b"content-length", b"102")])
    with pytest.raises(BodyTooLargeError):
        await big.read_form(max_body_size=101)


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        b"text/plain",
        b"application/json",
        b"multipart/mixed; boundary=x",
        b"application/x-www-form-urlencodedx",
    ],
)
async def test_read_form_rejects_other_media_types(content_type: bytes | None) -> None:
    headers = [] if content_type is None else [(b"content-type", content_type)]
    body, script, _ = make(request(b"a=1"), headers)
    with pytest.raises(UnsupportedMediaTypeError) as info:
        await body.read_form()
    assert info.value.status_code == 415
    assert script.calls == 0


async def test_read_form_multipart_streams_chunks_into_the_parser() -> None:
    data = encode(
        [part("a", "1"), part("f", b"content", filename="f.txt", content_type="text/plain")]
    )
    chunks = [data[i : i + 7] for i in range(0, len(data), 7)]
    body, script, scope = make(request(*chunks), [(b"content-type", CONTENT_TYPE.encode())])
    form = await body.read_form()
    assert form.get_first("a") == "1"
    upload = form.get_first("f")
    assert isinstance(upload, UploadedFile)
    assert await upload.read() == b"content"
    await upload.close()
    assert script.calls == len(chunks)
    assert body.is_consumed
    assert connection_state(scope).body is None
    with pytest.raises(RequestAlreadyConsumedError):
        await body.read_form()


async def test_read_form_multipart_from_a_cached_body() -> None:
    data = encode([part("a", "1")])
    body, _, _ = make(request(data), [(b"content-type", CONTENT_TYPE.encode())])
    assert await body.read_bytes() == data
    assert (await body.read_form()).items() == [("a", "1")]
    assert (await body.read_form()).items() == [("a", "1")]


async def test_read_form_multipart_declared_length_over_the_limit() -> None:
    headers = [(b"content-type", CONTENT_TYPE.encode()), (b"content-length", b"1000")]
    body, script, _ = make(request(b"x" * 1000), headers)
    with pytest.raises(BodyTooLargeError):
        await body.read_form(max_body_size=999)
    assert script.calls == 0


async def test_read_form_multipart_bad_boundary() -> None:
    body, script, _ = make(request(b"x"), [(b"content-type", b"multipart/form-data")])
    with pytest.raises(MalformedBodyError):
        await body.read_form()
    assert script.calls == 0


async def test_read_form_multipart_disconnect_closes_files() -> None:
    data = encode([part(f"f{i}", b"x" * 3000, filename=f"{i}") for i in range(10)])
    before = open_fds()
    body, _, scope = make(
        [{"type": "http.request", "body": data[:-100], "more_body": True}],
        [(b"content-type", f'multipart/form-data; boundary="{BOUNDARY}"'.encode())],
    )
    with pytest.raises(ClientDisconnectError):
        await body.read_form()
    assert connection_state(scope).disconnected
    assert open_fds() == before


async def test_read_form_multipart_truncated_body() -> None:
    data = encode([part("a", "1")])
    body, _, _ = make(request(data[:-5]), [(b"content-type", CONTENT_TYPE.encode())])
    with pytest.raises(MalformedBodyError, match="closing boundary"):
        await body.read_form()


async def test_read_form_multipart_large_upload_with_default_limits() -> None:
    content = os.urandom(5 * 1024 * 1024)
    data = encode([part("f", content, filename="big.bin")])
    chunks = [data[i : i + 65536] for i in range(0, len(data), 65536)]
    body, _, _ = make(request(*chunks), [(b"content-type", CONTENT_TYPE.encode())])
    form = await body.read_form()
    upload = form.get_first("f")
    assert isinstance(upload, UploadedFile)
    assert not upload.in_memory
    assert upload.size == len(content)
    assert await upload.read() == content
    await upload.close()


async def test_concurrent_reads_do_not_interleave_chunks() -> None:
    gate = asyncio.Event()
    events: list[ReceiveEvent] = request(b"a", b"b")

    async def receive() -> ReceiveEvent:
        await gate.wait()
        return events.pop(0)

    body = Body(http_scope(method="POST"), receive)
    first = asyncio.ensure_future(body.read_bytes())
    await asyncio.sleep(0)
    with pytest.raises(RequestAlreadyConsumedError):
        await body.read_bytes()
    gate.set()
    assert await first == b"ab"
    assert await body.read_bytes() == b"ab"


NOT_BYTES_BODIES = st.one_of(
    st.text(min_size=1), st.integers(), st.lists(st.integers(), max_size=3), st.just(bytearray(b"x"))
)


@given(
    body=NOT_BYTES_BODIES,
    position=st.integers(0, 2),
    reader=st.sampled_from(["bytes", "stream", "urlencoded parts", "multipart parts"]),
)
@settings(max_examples=60, deadline=None)
async def test_a_body_that_is_not_bytes_is_a_broken_server_for_every_reader(
    body: object, position: int, reader: str
) -> None:
    good: list[ReceiveEvent] = [
        {"type": "http.request", "body": b"", "more_body": True} for _ in range(position)
    ]
    broken = cast("ReceiveEvent", {"type": "http.request", "body": body, "more_body": False})
    content_type = CONTENT_TYPE if reader == "multipart parts" else "application/x-www-form-urlencoded"
    scope = http_scope(method="POST", headers=[(b"content-type", content_type.encode())])
    request_body = Body(scope, Script([*good, broken]))
    with pytest.raises(ClientDisconnectError, match=r"whose body is \w+, not bytes"):
        if reader == "bytes":
            await request_body.read_bytes()
        elif reader == "stream":
            async for _ in request_body:
                pass
        else:
            async for _ in request_body.iter_parts():
                pass
