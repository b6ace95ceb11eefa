from __future__ import annotations

import pytest

from asgikit._connection import connection_state
from asgikit._scope import address, extensions, http_version, spec_version
from asgikit.asgi import HTTPScope
from tests.conftest import http_scope


def test_missing_spec_version_means_2_0() -> None:
    scope: HTTPScope = {
        "type": "http",
        "asgi": {"version": "3.0"},  # daphne sends only this
        "http_version": "1.1",
        "method": "GET",
        "path": "/",
        "headers": [],
    }
    assert spec_version(scope) == (2, 0)


@pytest.mark.parametrize(
    ("raw", "parsed"), [("2.3", (2, 3)), ("2.4", (2, 4)), ("2", (2, 0)), ("x.y", (2, 0))]
)
def test_spec_version_is_parsed_or_defaults(raw: str, parsed: tuple[int, int]) -> None:
    assert spec_version(http_scope(spec_version=raw)) == parsed


def test_missing_or_null_extensions_mean_none() -> None:
    scope = http_scope()
    assert extensions(scope) == {}
    scope_with_none: HTTPScope = {**scope, "extensions": None}
    assert extensions(scope_with_none) == {}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (("127.0.0.1", 8000), ("127.0.0.1", 8000)),
        (["127.0.0.1", 8000], ("127.0.0.1", 8000)),
        (("127.0.0.1", "8000"), ("127.0.0.1", 8000)),  # granian
        (("/tmp/sock", None), ("/tmp/sock", None)),  # unix socket
        (("h", "http"), ("h", None)),
        (("h", True), ("h", None)),
        (None, None),
        ("127.0.0.1:80", None),
        (("h",), None),
        ((1, 2), None),
    ],
)
def test_b29_addresses_are_normalised(value: object, expected: object) -> None:
    assert address(value) == expected


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [("1", "1.0"), ("1.0", "1.0"), ("1.1", "1.1"), ("2", "2"), ("2.0", "2"), ("3", "3")],
)
def test_b30_http_version_is_normalised(raw: str, normalised: str) -> None:
    scope: HTTPScope = {**http_scope(), "http_version": raw}
    assert http_version(scope) == normalised


def test_connection_state_is_shared_per_scope() -> None:
    scope = http_scope()
    assert connection_state(scope) is connection_state(scope)
    assert connection_state(http_scope()) is not connection_state(scope)
