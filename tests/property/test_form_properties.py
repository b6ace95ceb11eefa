"""Forms round-trip through reference encoders written here; garbage only raises documented errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from tests.conftest import open_fds

from asgikit._exceptions import RequestBodyError
from asgikit._multidict import MultiDict
from asgikit._multipart_form import parse_multipart
from asgikit._params import parse_header_params
from asgikit._uploads import UploadedFile
from asgikit._urlencoded import parse_query, parse_urlencoded

BCHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? "
BOUNDARIES = st.text(alphabet=BCHARS, min_size=1, max_size=70).filter(lambda b: not b.endswith(" "))
# Header-safe text: anything but CR and LF (those would end the header line).
HEADER_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=30)
MEDIA_TYPES = st.sampled_from(
    ["text/plain", "application/octet-stream", "image/png", "application/x-thing"]
)

settings.register_profile(
    "forms", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@dataclass(frozen=True)
class Field:
    name: str
    value: str


@dataclass(frozen=True)
class File:
    name: str
    filename: str
    media_type: str
    content: bytes


def tricky_bytes(boundary: str) -> st.SearchStrategy[bytes]:
    """Bytes dense in CR/LF, dashes and pieces of the boundary (including prefixes of it)."""
    encoded = boundary.encode()
    pieces = st.sampled_from(
        [
            b"\r",
            b"\n",
            b"\r\n",
            b"-",
            b"--",
            b"\r\n--",
            encoded,
            encoded[:-1],
            b"--" + encoded,
            b" ",
            b"\t",
            b"x",
        ]
    )
    return st.one_of(st.binary(max_size=300), st.lists(pieces, max_size=60).map(b"".join))


@st.composite
def forms(draw: st.DrawFn) -> tuple[str, list[Field | File]]:
    boundary = draw(BOUNDARIES)
    content = tricky_bytes(boundary)
    parts: list[Field | File] = []
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        name = draw(
            st.one_of(HEADER_TEXT, st.sampled_from(["a", "b", "_charset"])).filter(
                lambda n: n != "_charset_"
            )
        )
        if draw(st.booleans()):
            parts.append(File(name, draw(HEADER_TEXT), draw(MEDIA_TYPES), draw(content)))
        else:
            text = draw(
                st.one_of(st.text(max_size=50), content.map(lambda b: b.decode("utf-8", "replace")))
            )
            parts.append(Field(name, text))
    return boundary, parts


def quoted(text: str) -> bytes:
    return b'"' + text.replace("\\", "\\\\").replace('"', '\\"').encode() + b'"'


def encode_multipart(boundary: str, parts: Sequence[Field | File]) -> bytes:
    """Reference encoder (RFC 7578): quoted-string parameters, UTF-8 header text."""
    delimiter = b"--" + boundary.encode()
    out = bytearray()
    for item in parts:
        body = item.value.encode() if isinstance(item, Field) else item.content
        # Like every real encoder: a boundary that occurs in the content must be replaced.
        assume(b"\r\n" + delimiter not in body)
        out += delimiter + b"\r\nContent-Disposition: form-data; name=" + quoted(item.name)
        if isinstance(item, File):
            out += (
                b"; filename="
                + quoted(item.filename)
                + b"\r\nContent-Type: "
                + item.media_type.encode()
            )
        out += b"\r\n\r\n" + body + b"\r\n"
    return bytes(out + delimiter + b"--\r\n")


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({cut % (len(data) + 1) for cut in cuts})
    chunks: list[bytes] = []
    start = 0
    for point in [*points, len(data)]:
        chunks.append(data[start:point])
        start = point
    return chunks


async def feed(chunks: list[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


async def collect(
    form: MultiDict[str | UploadedFile],
) -> list[tuple[str, str | tuple[str, str, bytes]]]:
    result: list[tuple[str, str | tuple[str, str, bytes]]] = []
    for name, value in form.items():
        if isinstance(value, UploadedFile):
            result.append((name, (value.filename, value.media_type, await value.read())))
            await value.close()
        else:
            result.append((name, value))
    return result


@settings.get_profile("forms")
@given(
    forms(),
    st.lists(st.integers(min_value=0), max_size=12),
    st.integers(min_value=1, max_value=400),
)
def test_multipart_round_trips_through_any_chunking(
    form: tuple[str, list[Field | File]], cuts: list[int], spool: int
) -> None:
    boundary, parts = form
    data = encode_multipart(boundary, parts)
    expected: MultiDict[str | tuple[str, str, bytes]] = MultiDict(
        (item.name, item.value)
        if isinstance(item, Field)
        else (item.name, (item.filename, item.media_type, item.content))
        for item in parts
    )
    content_type = f'multipart/form-data; boundary="{boundary}"'

    async def run() -> list[tuple[str, str | tuple[str, str, bytes]]]:
        return await collect(
            await parse_multipart(content_type, feed(split(data, cuts)), spool_max_size=spool)
        )

    assert asyncio.run(run()) == expected.items()


GARBAGE = st.one_of(
    st.binary(max_size=400),
    forms()
    .map(lambda f: encode_multipart(*f))
    .flatmap(
        lambda data: st.tuples(
            st.integers(0, len(data)), st.integers(0, len(data)), st.binary(max_size=8)
        ).map(lambda edit: data[: edit[0]] + edit[2] + data[edit[1] :])
    ),
)
"""Random bytes, and valid forms with a random span replaced by a few random bytes."""


@settings.get_profile("forms")
@given(
    GARBAGE,
    st.lists(st.integers(min_value=0), max_size=6),
    st.sampled_from(
        [
            'multipart/form-data; boundary="a"',
            "multipart/form-data; boundary=a",
            "multipart/form-data; x",
        ]
    ),
)
def test_multipart_garbage_only_raises_documented_errors_and_leaks_nothing(
    data: bytes, cuts: list[int], content_type: str
) -> None:
    async def run() -> None:
        try:
            form = await parse_multipart(
                content_type, feed(split(data, cuts)), spool_max_size=16, max_fields=5, max_files=3
            )
        except RequestBodyError:
            return
        await collect(form)

    before = open_fds()
    asyncio.run(run())
    assert open_fds() == before


def encode_urlencoded(pairs: Sequence[tuple[str, str]]) -> bytes:
    """Reference encoder (WHATWG application/x-www-form-urlencoded serializer)."""
    return "&".join(
        quote(name, safe="*-._ ").replace(" ", "+")
        + "="
        + quote(value, safe="*-._ ").replace(" ", "+")
        for name, value in pairs
    ).encode()


PAIRS = st.lists(st.tuples(st.text(max_size=12), st.text(max_size=20)), max_size=12)


@settings.get_profile("forms")
@given(PAIRS)
def test_urlencoded_round_trips(pairs: list[tuple[str, str]]) -> None:
    data = encode_urlencoded(pairs)
    expected = MultiDict(pairs).items()
    assert parse_urlencoded(data, max_fields=1000, max_field_size=1 << 20).items() == expected
    assert parse_query(data).items() == expected
    assert parse_query(data.decode()).items() == expected


@settings.get_profile("forms")
@given(
    st.one_of(st.binary(max_size=300), st.text(max_size=300)),
    st.integers(1, 20),
    st.integers(1, 50),
)
def test_urlencoded_garbage_only_raises_documented_errors(
    data: bytes | str, max_fields: int, max_size: int
) -> None:
    query = parse_query(data)
    try:
        form = parse_urlencoded(data, max_fields=max_fields, max_field_size=max_size)
    except RequestBodyError as exc:
        assert exc.status_code == 413
        return
    assert form == query


TOKENS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=1, max_size=10)


@settings.get_profile("forms")
@given(TOKENS, st.dictionaries(TOKENS, HEADER_TEXT, max_size=6))
def test_header_params_round_trip(main: str, params: dict[str, str]) -> None:
    value = main.upper() + "".join(
        f"; {name.upper()}={quoted(text).decode()}" for name, text in params.items()
    )
    assert parse_header_params(value) == (main, params)


@settings.get_profile("forms")
@given(st.text(max_size=300))
def test_header_params_never_raise_on_garbage(value: str) -> None:
    main, params = parse_header_params(value)
    assert main == main.lower()
    assert all(name == name.lower() and "*" not in name and name for name in params)
