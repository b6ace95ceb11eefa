"""Comparing a multidict with something that is not one gives a plain ``False``/``True``."""

from __future__ import annotations

from asgikit._multidict import MultiDict, MutableMultiDict


def test_comparison_with_other_types_is_false_not_none() -> None:
    md = MultiDict([("a", 1)])
    other: object = {"a": [1]}
    assert (md == other) is False
    assert (md != other) is True
    assert (MutableMultiDict([("a", 1)]) == 5) is False
    assert (md == MutableMultiDict([("a", 1)])) is True
