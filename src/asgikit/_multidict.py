"""Dictionaries that hold several values per key, in insertion order.

``MultiDict`` is a read-only view (covariant: a ``MultiDict[bool]`` is a ``MultiDict[int]``);
``MutableMultiDict`` adds ``add``/``set``/``pop`` and is invariant.

Every list the read view hands out is a new copy, so handing a ``MultiDict[bool]`` seen as a
``MultiDict[int]`` out as a ``list[int]`` is sound: nobody else holds that list. The checkers
cannot see "new copy" in a covariant class, so those methods spell their result through a
method-scoped ``T`` bound by ``self: MultiDict[T]`` (the caller's view of the element type)
instead of the class's covariant ``T_co``.

Internally both keep ``dict[str, list[T]]``: key order is the order keys were first seen and
each list keeps its values in insertion order. A key never maps to an empty list.
"""

# The overloads of ``get_first``/``get`` put an exact ``default: T`` (``T`` bound through
# ``self``) before the general ``default: D``; mypy and pyright judge the general one
# unreachable because they treat ``T`` as free, yet both resolve ``get_first("k", 1)`` on a
# ``MultiDict[str]`` to it (tests/typing/positive_api.py). mypy.ini turns off the same check.
# pyright: reportOverlappingOverload=false

from __future__ import annotations

from collections.abc import Iterable, Iterator, KeysView
from typing import Generic, TypeVar, cast, final, overload

__all__ = ["MultiDict", "MutableMultiDict", "multidict_from_lists", "mutable_multidict_from_lists"]

T_co = TypeVar("T_co", covariant=True)
T = TypeVar("T")
D = TypeVar("D")
V = TypeVar("V")

_MISSING = object()


class MultiDict(Generic[T_co]):
    """Immutable dict that can hold multiple values in a single key.

    Lookups: ``get_first(key)`` gives the first value, ``get(key)`` and ``md[key]`` give all
    values as a fresh list (mutating it does not change the ``MultiDict``). ``len()``,
    ``iter()``, ``keys()`` and ``in`` work on distinct keys; ``items()`` yields one
    ``(key, value)`` pair per value. Two multidicts are equal when they map the same keys to the
    same value lists (key order ignored, value order significant). Instances are unhashable
    (defining ``__eq__`` makes Python set ``__hash__`` to ``None``), since values need not be
    hashable.
    """

    __slots__ = ("_data",)

    _data: dict[str, list[T_co]]

    def __init__(self, data: Iterable[tuple[str, T_co]] | None = None) -> None:
        """Build from ``(key, value)`` pairs; repeated keys collect their values in order."""
        store: dict[str, list[T_co]] = {}
        if data is not None:
            for key, value in data:
                values = store.get(key)
                if values is None:
                    store[key] = [value]
                else:
                    values.append(value)
        self._data = store

    @classmethod
    def _from_lists(cls, data: dict[str, list[V]]) -> MultiDict[V]:
        """Private fast path: adopt ``data`` without copying or validating.

        The caller gives up ownership of ``data`` and guarantees no list in it is empty.
        """
        obj = cast("MultiDict[V]", object.__new__(cls))
        obj._data = data
        return obj

    @overload
    def get_first(self, key: str) -> T_co | None: ...
    @overload
    def get_first(self: MultiDict[T], key: str, default: T) -> T: ...
    @overload
    def get_first(self, key: str, default: D) -> T_co | D: ...
    def get_first(self, key: str, default: object = None) -> object:
        """Get the first value of ``key``, or ``default`` when the key is absent."""
        values = self._data.get(key)
        return default if values is None else values[0]

    @overload
    def get(self: MultiDict[T], key: str) -> list[T] | None: ...
    @overload
    def get(self: MultiDict[T], key: str, default: list[T]) -> list[T]: ...
    @overload
    def get(self: MultiDict[T], key: str, default: D) -> list[T] | D: ...
    def get(self, key: str, default: object = None) -> object:
        """Get all values of ``key`` as a new list, or ``default`` when the key is absent."""
        values = self._data.get(key)
        return default if values is None else values.copy()

    def __getitem__(self: MultiDict[T], key: str) -> list[T]:
        """All values of ``key`` as a new list; ``KeyError`` when the key is absent."""
        return self._data[key].copy()

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` has at least one value."""
        return key in self._data

    def __len__(self) -> int:
        """Number of distinct keys."""
        return len(self._data)

    def __iter__(self) -> Iterator[str]:
        """Iterate over distinct keys in insertion order."""
        return iter(self._data)

    def keys(self) -> KeysView[str]:
        """Iterate over all keys (distinct, in insertion order)."""
        return self._data.keys()

    def values(self: MultiDict[T]) -> list[list[T]]:
        """All value lists, one per key, each a new list."""
        return [values.copy() for values in self._data.values()]

    def items(self: MultiDict[T]) -> list[tuple[str, T]]:
        """All ``(key, value)`` pairs, one per value, in insertion order of keys then values."""
        return [(key, value) for key, values in self._data.items() for value in values]

    def lists(self: MultiDict[T]) -> list[tuple[str, list[T]]]:
        """All ``(key, values)`` pairs, one per key, each values list a new list."""
        return [(key, values.copy()) for key, values in self._data.items()]

    def to_dict(self: MultiDict[T]) -> dict[str, list[T]]:
        """A new ``dict`` mapping each key to a new list of its values."""
        return {key: values.copy() for key, values in self._data.items()}

    def copy(self) -> MultiDict[T_co]:
        """An independent ``MultiDict`` with the same contents."""
        return MultiDict._from_lists(self.to_dict())

    def __eq__(self, other: object) -> bool:
        """Equal to another ``MultiDict`` with the same keys and value lists."""
        if isinstance(other, MultiDict):
            return self._data == cast("MultiDict[object]", other)._data
        return NotImplemented

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.items()!r})"


@final
class MutableMultiDict(MultiDict[T]):
    """Mutable version of ``MultiDict``.

    ``add`` appends values, ``set`` replaces them (keeping the key's position), ``set(key)``
    with no values and ``del md[key]`` remove the key.
    """

    __slots__ = ()

    _data: dict[str, list[T]]

    @classmethod
    def _from_lists(cls, data: dict[str, list[V]]) -> MutableMultiDict[V]:
        """Private fast path: adopt ``data`` without copying or validating."""
        obj = cast("MutableMultiDict[V]", object.__new__(cls))
        obj._data = data
        return obj

    def add(self, key: str, *args: T) -> None:
        """Add values to ``key``. If the key already exists, the values are appended."""
        if not args:
            return
        values = self._data.get(key)
        if values is None:
            self._data[key] = list(args)
        else:
            values.extend(args)

    def set(self, key: str, *args: T) -> None:
        """Set the values of ``key``, overwriting existing ones. With no values, remove ``key``."""
        if args:
            self._data[key] = list(args)
        else:
            self._data.pop(key, None)

    @overload
    def pop(self, key: str) -> list[T]: ...
    @overload
    def pop(self, key: str, default: D) -> list[T] | D: ...
    def pop(self, key: str, default: object = _MISSING) -> object:
        """Remove ``key`` and return its values; return ``default`` (or raise ``KeyError``)
        when absent."""
        if default is _MISSING:
            return self._data.pop(key)
        return self._data.pop(key, default)

    def __delitem__(self, key: str) -> None:
        """Remove ``key`` and all its values; ``KeyError`` when absent."""
        del self._data[key]

    def clear(self) -> None:
        """Remove all keys."""
        self._data.clear()

    def copy(self) -> MutableMultiDict[T]:
        """An independent ``MutableMultiDict`` with the same contents."""
        return MutableMultiDict._from_lists(self.to_dict())


def multidict_from_lists(data: dict[str, list[V]]) -> MultiDict[V]:
    """Internal fast constructor for other asgikit modules: a ``MultiDict`` adopting ``data``
    without copying. The caller gives up ``data`` and guarantees no list in it is empty."""
    obj = cast("MultiDict[V]", object.__new__(MultiDict))
    object.__setattr__(obj, "_data", data)  # a module function may not touch ``_data`` directly
    return obj


def mutable_multidict_from_lists(data: dict[str, list[V]]) -> MutableMultiDict[V]:
    """Internal fast constructor: a ``MutableMultiDict`` adopting ``data`` without copying."""
    obj = cast("MutableMultiDict[V]", object.__new__(MutableMultiDict))
    object.__setattr__(obj, "_data", data)
    return obj
