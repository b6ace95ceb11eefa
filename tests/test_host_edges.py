"""Edges of ``Host`` parsing: the port range ends at 65535, the longest valid host passes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from asgikit._host import parse_host


@given(port=st.integers(min_value=0, max_value=99999))
def test_ports_up_to_65535_are_kept_and_larger_ones_reject_the_host(port: int) -> None:
    expected = ("example.org", port) if port <= 65535 else None
    assert parse_host(f"Example.org:{port}") == expected
    assert parse_host(f"[::1]:{port}") == (("[::1]", port) if port <= 65535 else None)


def test_the_port_limit_is_exactly_65535() -> None:
    assert parse_host("a:65534") == ("a", 65534)
    assert parse_host("a:65535") == ("a", 65535)
    assert parse_host("a:65536") is None


def test_the_longest_valid_host_with_the_longest_port_is_accepted() -> None:
    name = "a" * 253
    assert len(f"{name}:65535") == 259
    assert parse_host(f"{name}:65535") == (name, 65535)
    assert parse_host("a" * 254) is None
