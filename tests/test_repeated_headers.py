"""Every place that combines repeated request header lines costs linear time.

Servers differ in how many lines of one header they let through (uvicorn with httptools
passes tens of thousands), so a request repeating ``Range`` or ``If-None-Match`` must not
cost quadratic time on the event loop. Each check times the work at ``n`` and ``4 * n``
lines (CPU-time ratio, ``tests/timing.py``): about 4 for linear work, 16 for quadratic.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from asgikit._body import Body
from asgikit._files import OpenedFile, plan_file_response
from asgikit._headers import Headers
from asgikit._request import Request
from tests.conftest import Recorder, Script, http_scope
from tests.timing import LINEAR_BOUND, growth

MTIME = 784111777
SIZE = 1000


def _opened() -> OpenedFile:
    return OpenedFile(-1, "/srv/file.bin", SIZE, float(MTIME), MTIME * 10**9)


@pytest.mark.parametrize(
    ("name", "value", "method"),
    [
        (b"range", b"bytes=0-0", "GET"),
        (b"range", b"bytes=0-1,2-3", "GET"),
        (b"if-none-match", b'"not-it"', "GET"),
        (b"if-none-match", b'W/"x", "y"', "HEAD"),
        (b"if-range", b'"x"', "GET"),
        (b"if-modified-since", b"Sun, 06 Nov 1994 08:49:37 GMT", "GET"),
        (b"if-match", b'"x"', "GET"),
    ],
)
def test_respond_file_plan_with_repeated_conditional_lines_is_linear(
    name: bytes, value: bytes, method: str
) -> None:
    def prepare(n: int) -> Callable[[], object]:
        headers = [(b"range", b"bytes=0-9")] if name == b"if-range" else []
        headers += [(name, value)] * n
        return lambda: plan_file_response(
            _opened(),
            method=method,
            request_headers=headers,
            status=200,
            content_type=b"application/octet-stream",
            disposition=None,
        )

    assert growth(prepare, 10_000) < 4 * LINEAR_BOUND


def test_repeated_if_none_match_lines_are_joined_as_one_list() -> None:
    etag = f'"{MTIME * 10**9:x}-{SIZE:x}"'
    headers = [(b"if-none-match", b'"a"')] * 2_000 + [(b"if-none-match", etag.encode())]
    plan = plan_file_response(
        _opened(),
        method="GET",
        request_headers=headers,
        status=200,
        content_type=b"text/plain",
        disposition=None,
    )
    assert plan.status == 304


def test_request_headers_with_repeated_lines_are_linear() -> None:
    def prepare(n: int) -> Callable[[], object]:
        raw = [(b"x-repeated", b"value")] * n
        return lambda: Headers(raw).get("x-repeated")

    assert growth(prepare, 10_000) < 4 * LINEAR_BOUND


def test_repeated_cookie_lines_are_linear() -> None:
    def prepare(n: int) -> Callable[[], object]:
        scope = http_scope(headers=[(b"cookie", b"a=1; b=2")] * n)
        return lambda: Request(scope, Script(), Recorder()).cookies

    assert growth(prepare, 10_000) < 4 * LINEAR_BOUND


def test_repeated_content_length_lines_are_linear() -> None:
    def prepare(n: int) -> Callable[[], object]:
        scope = http_scope(headers=[(b"content-length", b"5")] * n)
        return lambda: Body(scope, Script()).content_length

    assert growth(prepare, 10_000) < 4 * LINEAR_BOUND
