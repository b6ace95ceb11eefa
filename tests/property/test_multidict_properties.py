"""MultiDict / MutableMultiDict against a list-of-pairs model."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from asgikit._multidict import MultiDict, MutableMultiDict

KEYS = st.sampled_from(["a", "b", "c", "A", ""])
VALUES = st.integers(min_value=0, max_value=5)
PAIRS = st.lists(st.tuples(KEYS, VALUES), max_size=12)


@dataclass(frozen=True)
class Add:
    key: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class Set:
    key: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class Pop:
    key: str


@dataclass(frozen=True)
class Clear:
    pass


VALUE_TUPLES = st.lists(VALUES, max_size=3).map(tuple)
OPS = st.lists(
    st.one_of(
        st.builds(Add, KEYS, VALUE_TUPLES),
        st.builds(Set, KEYS, VALUE_TUPLES),
        st.builds(Pop, KEYS),
        st.just(Clear()),
    ),
    max_size=20,
)


def grouped(model: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The model's pairs in MultiDict order: keys by first appearance, then their values."""
    keys = list(dict.fromkeys(key for key, _ in model))
    return [(key, value) for key in keys for k, value in model if k == key]


def apply(model: list[tuple[str, int]], op: Add | Set | Pop | Clear) -> list[tuple[str, int]]:
    match op:
        case Add(key, values):
            return model + [(key, value) for value in values]
        case Set(key, values):
            if not any(k == key for k, _ in model):
                return model + [(key, value) for value in values]
            result: list[tuple[str, int]] = []
            inserted = False
            for k, value in model:
                if k != key:
                    result.append((k, value))
                elif not inserted:
                    result += [(key, v) for v in values]
                    inserted = True
            return result
        case Pop(key):
            return [(k, value) for k, value in model if k != key]
        case Clear():
            return []


def check_matches(md: MultiDict[int], model: list[tuple[str, int]]) -> None:
    expected = grouped(model)
    assert md.items() == expected
    keys = list(dict.fromkeys(key for key, _ in expected))
    assert list(md.keys()) == keys
    assert list(md) == keys
    assert len(md) == len(keys)
    for key in ["a", "b", "c", "A", "", "missing"]:
        values = [value for k, value in expected if k == key]
        assert (key in md) == bool(values)
        assert md.get(key) == (values or None)
        assert md.get_first(key) == (values[0] if values else None)
        assert md.get_first(key, -1) == (values[0] if values else -1)
    assert md.values() == [[v for k, v in expected if k == key] for key in keys]


@settings(max_examples=150)
@given(PAIRS)
def test_construction_matches_model(pairs: list[tuple[str, int]]) -> None:
    check_matches(MultiDict(pairs), pairs)
    check_matches(MutableMultiDict(pairs), pairs)


@settings(max_examples=150)
@given(PAIRS, OPS)
def test_mutations_match_model(
    pairs: list[tuple[str, int]], ops: list[Add | Set | Pop | Clear]
) -> None:
    md = MutableMultiDict(pairs)
    model = list(pairs)
    for op in ops:
        match op:
            case Add(key, values):
                md.add(key, *values)
            case Set(key, values):
                md.set(key, *values)
            case Pop(key):
                md.pop(key, None)
            case Clear():
                md.clear()
        model = apply(model, op)
        check_matches(md, model)


@settings(max_examples=100)
@given(PAIRS)
def test_rebuilding_from_items_gives_an_equal_multidict(pairs: list[tuple[str, int]]) -> None:
    md = MultiDict(pairs)
    assert MultiDict(md.items()) == md
    assert md.copy() == md
    assert md == MutableMultiDict(pairs)


@settings(max_examples=100)
@given(PAIRS, PAIRS)
def test_equality_is_symmetric_and_means_same_lists_per_key(
    left: list[tuple[str, int]], right: list[tuple[str, int]]
) -> None:
    a, b = MultiDict(left), MultiDict(right)
    assert (a == b) == (b == a) == (a.to_dict() == b.to_dict())


@settings(max_examples=100)
@given(PAIRS, KEYS, VALUES)
def test_copy_is_independent_of_the_original(
    pairs: list[tuple[str, int]], key: str, value: int
) -> None:
    original = MutableMultiDict(pairs)
    before = original.items()
    copied = original.copy()
    copied.add(key, value)
    assert original.items() == before
    original.set(key)
    assert copied.get(key) is not None
