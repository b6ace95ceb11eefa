"""``Body.iter_parts`` agrees with ``Body.read_form`` on every layout, chunking and garbage."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import Script, http_scope, open_fds
from tests.property.test_form_properties import (
    GARBAGE,
    PAIRS,
    Field,
    File,
    encode_multipart,
    encode_urlencoded,
    forms,
    split,
)

from asgikit._body import Body
from asgikit._exceptions import RequestBodyError
from asgikit._uploads import UploadedFile
from asgikit.asgi import ReceiveEvent

# A part as both readers report it: (name, text) for fields, (name, (filename, type, bytes)).
Item = tuple[str, str | tuple[str, str, bytes]]


def chunkings(data: bytes) -> st.SearchStrategy[list[bytes]]:
    """Arbitrary cut points, or fixed-size chunks down to one byte."""
    return st.one_of(
        st.lists(st.integers(min_value=0), max_size=12).map(lambda cuts: split(data, cuts)),
        st.integers(min_value=1, max_value=16).map(
            lambda size: [data[i : i + size] for i in range(0, len(data), size)]
        ),
    )


def events(chunks: list[bytes]) -> list[ReceiveEvent]:
    if not chunks:
        return [{"type": "http.request", "body": b"", "more_body": False}]
    last = len(chunks) - 1
    return [
        {"type": "http.request", "body": chunk, "more_body": i < last}
        for i, chunk in enumerate(chunks)
    ]


def body(content_type: str, chunks: list[bytes]) -> Body:
    scope = http_scope(method="POST", headers=[(b"content-type", content_type.encode())])
    return Body(scope, Script(events(chunks)))


async def by_read_form(content_type: str, chunks: list[bytes], **limits: int) -> list[Item]:
    form = await body(content_type, chunks).read_form(**limits)
    items: list[Item] = []
    for name, value in form.items():
        if isinstance(value, UploadedFile):
            async with value:
                items.append((name, (value.filename, value.media_type, await value.read())))
        else:
            items.append((name, value))
    return items


async def by_iter_parts(
    content_type: str, chunks: list[bytes], read: list[bool], **limits: int
) -> list[Item | str]:
    """Every part read (``read[i]``, cycled) or only named (skipped)."""
    items: list[Item | str] = []
    index = 0
    async for part in body(content_type, chunks).iter_parts(**limits):
        if read and not read[index % len(read)]:
            items.append(part.name)
        elif part.filename is None:
            items.append((part.name, await part.read_text()))
        else:
            content = b"".join([chunk async for chunk in part])
            items.append((part.name, (part.filename, part.media_type, content)))
        index += 1
    return items


def expected_items(parts: list[Field | File]) -> list[Item]:
    return [
        (item.name, item.value)
        if isinstance(item, Field)
        else (item.name, (item.filename, item.media_type, item.content))
        for item in parts
    ]


@settings.get_profile("forms")
@given(forms().flatmap(lambda form: st.tuples(st.just(form), chunkings(encode_multipart(*form)))))
def test_iter_parts_gives_what_read_form_gives_in_arrival_order(
    case: tuple[tuple[str, list[Field | File]], list[bytes]],
) -> None:
    (boundary, parts), chunks = case
    content_type = f'multipart/form-data; boundary="{boundary}"'
    expected = expected_items(parts)
    form = asyncio.run(by_read_form(content_type, chunks))
    streamed = asyncio.run(by_iter_parts(content_type, chunks, []))
    assert streamed == expected
    # read_form groups values by name; iter_parts keeps the arrival order.
    assert sorted(form, key=lambda item: item[0]) == sorted(expected, key=lambda item: item[0])


@settings.get_profile("forms")
@given(
    forms().flatmap(lambda form: st.tuples(st.just(form), chunkings(encode_multipart(*form)))),
    st.lists(st.booleans(), min_size=1, max_size=6),
)
def test_skipping_any_parts_leaves_the_others_intact(
    case: tuple[tuple[str, list[Field | File]], list[bytes]], read: list[bool]
) -> None:
    (boundary, parts), chunks = case
    content_type = f'multipart/form-data; boundary="{boundary}"'
    expected = [
        item if read[i % len(read)] else item[0] for i, item in enumerate(expected_items(parts))
    ]
    assert asyncio.run(by_iter_parts(content_type, chunks, read)) == expected


async def outcome(reader: str, content_type: str, chunks: list[bytes]) -> tuple[str, object]:
    """What a reader gives: its items, or the type and message of the error it raised."""
    limits = {"max_fields": 5, "max_files": 3, "max_part_size": 200}
    try:
        if reader == "read_form":
            return ("ok", await by_read_form(content_type, chunks, **limits))
        return ("ok", await by_iter_parts(content_type, chunks, [], **limits))
    except RequestBodyError as exc:
        return (type(exc).__name__, str(exc))


@settings.get_profile("forms")
@given(
    GARBAGE.flatmap(chunkings),
    st.sampled_from(['multipart/form-data; boundary="a"', "multipart/form-data; boundary=a"]),
)
def test_on_garbage_iter_parts_fails_exactly_like_read_form(
    chunks: list[bytes], content_type: str
) -> None:
    before = open_fds()
    by_form = asyncio.run(outcome("read_form", content_type, chunks))
    by_parts = asyncio.run(outcome("iter_parts", content_type, chunks))
    assert by_parts == by_form
    assert open_fds() == before


@settings.get_profile("forms")
@given(PAIRS)
def test_urlencoded_pairs_come_in_order(pairs: list[tuple[str, str]]) -> None:
    data = encode_urlencoded(pairs)

    async def run() -> list[tuple[str, str | None, str, str]]:
        parts = body("application/x-www-form-urlencoded", [data]).iter_parts()
        return [(p.name, p.filename, p.media_type, await p.read_text()) async for p in parts]

    assert asyncio.run(run()) == [(name, None, "text/plain", value) for name, value in pairs]
