"""Regression tests for inputs found by the atheris harnesses in ``tests/fuzz/``.

Each test reproduces one finding with a minimal input; the raw fuzzer reproducer, when there
is one, is kept in ``tests/fuzz/crashes/`` under the name given in the test's docstring.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from asgikit import Body, MalformedBodyError, UnsupportedMediaTypeError
from asgikit._ranges import parse_range_header
from asgikit.asgi import ReceiveEvent

from .conftest import http_scope
from .timing import LINEAR_BOUND, agrowth


def multipart_field(name: bytes, value: bytes, content_type: bytes | None = None) -> bytes:
    head = b'--B\r\nContent-Disposition: form-data; name="' + name + b'"\r\n'
    if content_type is not None:
        head += b"Content-Type: " + content_type + b"\r\n"
    return head + b"\r\n" + value + b"\r\n"


async def read_form(body: bytes) -> list[tuple[str, object]]:
    sent: list[ReceiveEvent] = [{"type": "http.request", "body": body}]

    async def receive() -> ReceiveEvent:
        return sent.pop(0)

    scope = http_scope(
        method="POST", headers=[(b"content-type", b"multipart/form-data; boundary=B")]
    )
    form = await Body(scope, receive).read_form()
    return list(form.items())


@pytest.mark.parametrize(
    "charset",
    [b'"a\x00b"', b"undefined", b"punycode", b"idna", b"base64", b"rot13", b"x" * 100],
)
async def test_field_with_an_unusable_charset_falls_back_to_utf8(charset: bytes) -> None:
    """fuzz_multipart: ``multipart-charset-nul-valueerror`` (a part charset containing NUL
    raised ``ValueError: embedded null character`` from ``bytes.decode``; ``undefined`` and
    ``punycode`` raised ``UnicodeError``)."""
    body = multipart_field(b"a", b"caf\xc3\xa9 \\N{", b"text/plain; charset=" + charset) + b"--B--\r\n"
    assert await read_form(body) == [("a", "café \\N{")]


async def test_charset_field_naming_an_unusable_codec_falls_back_to_utf8() -> None:
    """fuzz_multipart: the same finding through the HTML ``_charset_`` field."""
    body = (
        multipart_field(b"_charset_", b"undefined")
        + multipart_field(b"a", b"caf\xc3\xa9")
        + b"--B--\r\n"
    )
    assert await read_form(body) == [("_charset_", "undefined"), ("a", "café")]


async def test_punycode_charset_field_is_decoded_in_linear_time() -> None:
    """Found while triaging the charset finding: CPython's punycode decoder is quadratic
    (1 MiB takes minutes), so ``charset=punycode`` on a 1 MiB field was a CPU DoS."""

    def prepare(n: int) -> Callable[[], Awaitable[object]]:
        payload = b"a" * n + b"-" + b"zz" * (n // 2)
        body = multipart_field(b"a", payload, b"text/plain; charset=punycode") + b"--B--\r\n"
        expected = [("a", payload.decode("utf-8"))]

        async def parse() -> None:
            assert await read_form(body) == expected

        return parse

    assert await agrowth(prepare, 16_000) < 4 * LINEAR_BOUND


@pytest.mark.parametrize(
    "charset", [b"undefined", b"punycode", b"idna", b"base64", b'"a\x00b"']
)
async def test_read_text_with_an_unusable_charset_is_unsupported(charset: bytes) -> None:
    """The request-level twin of the multipart charset finding (``Body.read_text``)."""
    sent: list[ReceiveEvent] = [{"type": "http.request", "body": b"\\N{"}]

    async def receive() -> ReceiveEvent:
        return sent.pop(0)

    body = Body(http_scope(headers=[(b"content-type", b"text/plain; charset=" + charset)]), receive)
    with pytest.raises(UnsupportedMediaTypeError):
        await body.read_text()


async def test_read_text_with_bytes_invalid_in_the_charset_is_malformed() -> None:
    sent: list[ReceiveEvent] = [{"type": "http.request", "body": b"\xff"}]

    async def receive() -> ReceiveEvent:
        return sent.pop(0)

    body = Body(http_scope(headers=[(b"content-type", b"text/plain; charset=ascii")]), receive)
    with pytest.raises(MalformedBodyError):
        await body.read_text()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=00000000000000000000000000000000000000000-2", [(0, 3)]),
        ("bytes=0000000000000000000003-", [(3, 10)]),
        ("bytes=-0000000000000000000000005", [(5, 10)]),
        ("bytes=0-0000000000000000000000004", [(0, 5)]),
        ("bytes=0-0,00000000000000000000000000000000000000000-2,2-,-2", [(0, 10)]),
    ],
)
def test_range_numbers_with_leading_zeros_keep_their_value(
    header: str, expected: list[tuple[int, int]]
) -> None:
    """fuzz_ranges: ``ranges-leading-zeros-over-18-digits``. RFC 9110 ``1*DIGIT`` allows
    leading zeros, but any number written with more than 18 digits was read as 10**18, so
    ``0...0-2`` was rejected as ``last < first`` and ``0...03-`` was unsatisfiable (416)."""
    assert parse_range_header(header, 10) == expected


@pytest.mark.parametrize(
    "header",
    [
        "bytes=99999999999999999999-10000000000000000000",
        "bytes=0-0, 99999999999999999999-10000000000000000000",
        "bytes=1000000000000000000-999999999999999999",
    ],
)
def test_range_with_last_below_first_is_ignored_even_for_huge_numbers(header: str) -> None:
    """Same root cause: ``bytes=5-1`` is a syntax error (the whole Range header is ignored,
    ``None``), but when both numbers had more than 18 digits both read as 10**18 and the
    spec passed as valid (unsatisfiable: 416 instead of 200)."""
    assert parse_range_header(header, 100) is None
