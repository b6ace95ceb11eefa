from __future__ import annotations

import pytest

from asgikit._host import parse_host


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("example.com", ("example.com", None)),
        ("Example.COM:8080", ("example.com", 8080)),
        ("127.0.0.1:80", ("127.0.0.1", 80)),
        ("[::1]:8000", ("[::1]", 8000)),
        ("[::1]", ("[::1]", None)),
        ("example.com:", ("example.com", None)),
    ],
)
def test_valid_hosts_are_split(value: str, expected: tuple[str, int | None]) -> None:
    assert parse_host(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "evil.com/admin?",
        "a@b",
        "x#",
        "[::1",
        " ",
        "",
        "host:99999",
        "host:8o",
        "a b",
        "h\r\nx: y",
        "x" * 300,
    ],
)
def test_b25_malformed_hosts_are_rejected(value: str) -> None:
    assert parse_host(value) is None
