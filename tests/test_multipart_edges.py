"""Multipart limits at exactly the limit and one past it, spooling at exactly the spool size, and
the per-part header rules (repeated headers, charsets, the ``_charset_`` field)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
from asgikit._multipart import boundary_from_content_type

from .test_multipart import close_all, encode, parse, part, upload


async def test_exactly_max_fields_fields_pass_and_one_more_raises() -> None:
    fields = [part(f"f{i}", str(i)) for i in range(3)]
    form = await parse(encode(fields), max_fields=3)
    assert form.items() == [("f0", "0"), ("f1", "1"), ("f2", "2")]
    with pytest.raises(TooManyFieldsError):
        await parse(encode([*fields, part("f3", "3")]), max_fields=3)


async def test_exactly_max_files_files_pass_and_one_more_raises() -> None:
    files = [part(f"u{i}", b"x", filename=f"{i}.txt") for i in range(3)]
    form = await parse(encode(files), max_files=3)
    assert [upload(form, f"u{i}").filename for i in range(3)] == ["0.txt", "1.txt", "2.txt"]
    await close_all(form)
    with pytest.raises(TooManyFilesError):
        await parse(encode([*files, part("u3", b"x", filename="3")]), max_files=3)


@pytest.mark.parametrize("chunk_size", [1, 4, 65536])
async def test_field_sizes_at_the_limits(chunk_size: int) -> None:
    exact = encode([part("a", "x" * 10)])
    assert (await parse(exact, max_part_size=10, chunk_size=chunk_size)).get("a") == ["x" * 10]
    with pytest.raises(PartTooLargeError):
        await parse(encode([part("a", "x" * 11)]), max_part_size=10, chunk_size=chunk_size)
    both = encode([part("a", "x" * 6), part("b", "y" * 4)])
    form = await parse(both, max_fields_size=10, chunk_size=chunk_size)
    assert form.items() == [("a", "x" * 6), ("b", "y" * 4)]
    with pytest.raises(BodyTooLargeError, match="form fields add up"):
        await parse(
            encode([part("a", "x" * 6), part("b", "y" * 5)]),
            max_fields_size=10,
            chunk_size=chunk_size,
        )


async def test_file_and_body_sizes_at_the_limits() -> None:
    form = await parse(encode([part("f", b"y" * 10, filename="f")]), max_file_size=10)
    assert await upload(form, "f").read() == b"y" * 10
    await close_all(form)
    with pytest.raises(FileTooLargeError):
        await parse(encode([part("f", b"y" * 11, filename="f")]), max_file_size=10)
    body = encode([part("a", "1")])
    assert (await parse(body, max_body_size=len(body), chunk_size=5)).get("a") == ["1"]
    with pytest.raises(BodyTooLargeError, match="request body is larger"):
        await parse(body, max_body_size=len(body) - 1, chunk_size=5)


@settings(max_examples=30, deadline=None)
@given(size=st.integers(min_value=0, max_value=40), chunk=st.integers(min_value=1, max_value=17))
async def test_files_up_to_the_spool_size_stay_in_memory_and_larger_ones_roll_over(
    size: int, chunk: int
) -> None:
    data = bytes(range(256))[:size] if size <= 256 else b""
    form = await parse(
        encode([part("f", data, filename="f"), part("g", b"tail", filename="g")]),
        spool_max_size=20,
        chunk_size=chunk,
    )
    first = upload(form, "f")
    assert first.size == size
    assert first.in_memory is (size <= 20)
    assert await first.read() == data
    assert await upload(form, "g").read() == b"tail"
    await close_all(form)


async def test_header_count_at_the_limit_passes_and_one_more_raises() -> None:
    headers: list[tuple[str, str | bytes]] = [("Content-Disposition", 'form-data; name="a"')]
    headers += [(f"X-H{i}", "v") for i in range(2)]
    assert (await parse(encode([(headers, b"x")]), max_part_header_count=3)).get("a") == ["x"]
    with pytest.raises(PartHeadersTooLargeError, match="more than 2 headers"):
        await parse(encode([(headers, b"x")]), max_part_header_count=2)


@pytest.mark.parametrize("chunk_size", [3, 65536])
async def test_header_bytes_of_a_part_at_the_limit_pass_and_one_more_raises(
    chunk_size: int,
) -> None:
    headers: list[tuple[str, str | bytes]] = [("Content-Disposition", 'form-data; name="a"')]
    headers += [(f"X-{i}", "v" * 20) for i in range(3)]
    # names and values count; the ": " separators and line ends do not
    total = sum(len(name) + len(value) for name, value in headers)
    form = await parse(encode([(headers, b"x")]), max_part_header_size=total, chunk_size=chunk_size)
    assert form.get("a") == ["x"]
    with pytest.raises(
        PartHeadersTooLargeError, match=f"more than {total - 1} bytes of headers"
    ) as caught:
        await parse(
            encode([(headers, b"x")]), max_part_header_size=total - 1, chunk_size=chunk_size
        )
    assert caught.value.limit == total - 1
    # the count restarts for every part
    form = await parse(
        encode([(headers, b"x"), (headers, b"y")]),
        max_part_header_size=total,
        chunk_size=chunk_size,
    )
    assert form.get("a") == ["x", "y"]


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ([("Content-Type", "text/plain")], "no Content-Disposition"),
        ([("Content-Disposition", 'form-data; name="a"')] * 2, "more than one Content-Disposition"),
        (
            [
                ("Content-Disposition", 'form-data; name="a"'),
                ("Content-Type", "a/b"),
                ("Content-Type", "a/b"),
            ],
            "more than one Content-Type",
        ),
        ([("Content-Disposition", 'attachment; name="a"')], "is not form-data"),
        ([("Content-Disposition", 'form-data; filename="a"')], "has no name"),
    ],
)
async def test_malformed_part_headers(headers: list[tuple[str, str | bytes]], message: str) -> None:
    with pytest.raises(MalformedBodyError, match=message):
        await parse(encode([(headers, b"x")]))


async def test_file_media_types_and_field_charsets_come_from_content_type() -> None:
    form = await parse(
        encode(
            [
                part("f", b"1", filename="a.png", content_type="Image/PNG; x=1"),
                part("g", b"2", filename="b", content_type="; charset=x"),
                part("t", "é".encode("latin-1"), content_type='text/plain; charset=" ISO-8859-1 "'),
                part("e", "é".encode(), content_type="text/plain; charset="),
            ]
        )
    )
    assert upload(form, "f").media_type == "image/png"
    assert upload(form, "g").media_type == "application/octet-stream"
    assert form.get("t") == ["é"]
    assert form.get("e") == ["é"]
    await close_all(form)


async def test_the_first_charset_field_applies_and_is_normalised() -> None:
    body = encode(
        [
            part("_charset_", " ISO-8859-1 "),
            part("_charset_", "utf-8"),
            part("a", "é".encode("latin-1")),
            part("b", "é".encode(), content_type="text/plain; charset=utf-8"),
        ]
    )
    form = await parse(body)
    assert form.get("a") == ["é"]
    assert form.get("b") == ["é"]
    assert form.get("_charset_") == [" ISO-8859-1 ", "utf-8"]
    empty = await parse(encode([part("_charset_", "  "), part("a", "é".encode())]))
    assert empty.get("a") == ["é"]


async def test_a_failing_charset_falls_back_to_utf8_then_latin1() -> None:
    form = await parse(
        encode(
            [
                part("u", "é".encode(), content_type="text/plain; charset=ascii"),
                part("l", b"\xe9", content_type="text/plain; charset=ascii"),
                part("s", "é".encode("utf-16"), content_type="text/plain; charset=UTF-16"),
            ]
        )
    )
    assert form.items() == [("u", "é"), ("l", "é"), ("s", "é")]


def test_boundaries_of_exactly_70_characters_pass_and_71_are_refused() -> None:
    assert boundary_from_content_type("multipart/form-data; boundary=" + "b" * 70) == b"b" * 70
    with pytest.raises(MultipartBoundaryError, match="longer than 70"):
        boundary_from_content_type("multipart/form-data; boundary=" + "b" * 71)
    assert boundary_from_content_type('multipart/form-data; boundary=" a"') == b" a"
    with pytest.raises(MultipartBoundaryError, match="characters RFC 2046"):
        boundary_from_content_type('multipart/form-data; boundary="a "')
    with pytest.raises(MultipartBoundaryError, match="is empty"):
        boundary_from_content_type("multipart/form-data; boundary=")
    with pytest.raises(MultipartBoundaryError, match="no boundary"):
        boundary_from_content_type("multipart/form-data")
