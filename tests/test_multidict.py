from __future__ import annotations

import pytest

from asgikit._multidict import (
    MultiDict,
    MutableMultiDict,
    multidict_from_lists,
    mutable_multidict_from_lists,
)


def test_construction_groups_repeated_keys_in_order() -> None:
    md = MultiDict([("a", "1"), ("b", "2"), ("a", "3")])
    assert md.to_dict() == {"a": ["1", "3"], "b": ["2"]}
    assert list(md.keys()) == ["a", "b"]


def test_empty_construction() -> None:
    assert len(MultiDict[str]()) == 0
    assert MultiDict[str](None).items() == []


def test_get_first_returns_first_value_or_default() -> None:
    md = MultiDict([("a", "1"), ("a", "2")])
    assert md.get_first("a") == "1"
    assert md.get_first("missing") is None
    assert md.get_first("missing", "d") == "d"


def test_get_returns_all_values_or_default() -> None:
    md = MultiDict([("a", "1"), ("a", "2")])
    assert md.get("a") == ["1", "2"]
    assert md.get("missing") is None
    assert md.get("missing", []) == []


def test_get_returns_a_copy_that_cannot_mutate_internals() -> None:
    md = MultiDict[str]([("a", "1")])
    values = md.get("a")
    assert values is not None
    values.append("x")
    md["a"].append("y")
    md.values()[0].append("z")
    md.lists()[0][1].append("w")
    md.to_dict()["a"].append("v")
    assert md.get("a") == ["1"]


def test_getitem_returns_all_values_and_raises_key_error_when_absent() -> None:
    md = MultiDict([("a", "1"), ("a", "2")])
    assert md["a"] == ["1", "2"]
    with pytest.raises(KeyError):
        md["b"]


def test_contains_len_and_iter_work_on_distinct_keys() -> None:
    md = MultiDict([("a", 1), ("b", 2), ("a", 3)])
    assert "a" in md
    assert "c" not in md
    assert 1 not in md
    assert len(md) == 2
    assert list(md) == ["a", "b"]


def test_items_are_flattened_in_key_then_value_order() -> None:
    md = MultiDict([("a", 1), ("b", 2), ("a", 3)])
    assert md.items() == [("a", 1), ("a", 3), ("b", 2)]
    assert md.values() == [[1, 3], [2]]
    assert md.lists() == [("a", [1, 3]), ("b", [2])]


def test_equality_ignores_key_order_but_not_value_order() -> None:
    assert MultiDict([("a", 1), ("b", 2)]) == MultiDict([("b", 2), ("a", 1)])
    assert MultiDict([("a", 1), ("a", 2)]) != MultiDict([("a", 2), ("a", 1)])
    assert MultiDict([("a", 1)]) == MutableMultiDict([("a", 1)])
    assert MultiDict([("a", 1)]) != {"a": [1]}


def test_multidicts_are_unhashable() -> None:
    with pytest.raises(TypeError):
        hash(MultiDict([("a", 1)]))
    with pytest.raises(TypeError):
        hash(MutableMultiDict([("a", 1)]))


def test_repr_shows_flattened_pairs() -> None:
    assert repr(MultiDict([("a", "1"), ("a", "2")])) == "MultiDict([('a', '1'), ('a', '2')])"
    assert repr(MutableMultiDict([("b", 1)])) == "MutableMultiDict([('b', 1)])"


def test_copy_is_independent() -> None:
    original = MutableMultiDict[int]([("a", 1)])
    copied = original.copy()
    copied.add("a", 2)
    assert original.get("a") == [1]
    assert copied.get("a") == [1, 2]
    assert type(copied) is MutableMultiDict
    frozen = MultiDict([("a", 1)])
    assert frozen.copy() == frozen
    assert type(frozen.copy()) is MultiDict


def test_add_appends_values_and_creates_keys() -> None:
    md = MutableMultiDict[str]()
    md.add("a", "1")
    md.add("a", "2", "3")
    md.add("b")
    assert md.items() == [("a", "1"), ("a", "2"), ("a", "3")]
    assert "b" not in md


def test_set_replaces_values_keeping_key_position() -> None:
    md = MutableMultiDict[str]([("a", "1"), ("b", "2"), ("a", "3")])
    md.set("a", "x")
    assert md.items() == [("a", "x"), ("b", "2")]
    md.set("c", "y", "z")
    assert md.items() == [("a", "x"), ("b", "2"), ("c", "y"), ("c", "z")]


def test_set_without_values_removes_the_key() -> None:
    md = MutableMultiDict([("a", "1")])
    md.set("a")
    md.set("missing")
    assert len(md) == 0


def test_pop_returns_values_or_default_and_raises_without_default() -> None:
    md = MutableMultiDict([("a", "1"), ("a", "2")])
    assert md.pop("a") == ["1", "2"]
    assert md.pop("a", None) is None
    with pytest.raises(KeyError):
        md.pop("a")


def test_delitem_and_clear() -> None:
    md = MutableMultiDict([("a", "1"), ("b", "2")])
    del md["a"]
    assert md.items() == [("b", "2")]
    with pytest.raises(KeyError):
        del md["a"]
    md.clear()
    assert md.items() == []


def test_from_lists_adopts_the_dict_without_copying() -> None:
    data = {"a": ["1", "2"]}
    md = multidict_from_lists(data)
    assert type(md) is MultiDict
    assert md.items() == [("a", "1"), ("a", "2")]
    mutable = mutable_multidict_from_lists({"b": [1]})
    mutable.add("b", 2)
    assert type(mutable) is MutableMultiDict
    assert mutable.items() == [("b", 1), ("b", 2)]


def test_covariant_read_view_accepts_subtypes() -> None:
    def total(md: MultiDict[int]) -> int:
        return sum(value for _, value in md.items())

    flags: MultiDict[bool] = MultiDict([("a", True), ("a", True)])
    assert total(flags) == 2
