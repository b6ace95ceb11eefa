"""Incoming request headers, built from the ASGI ``scope["headers"]`` list."""

# get_first/get repeat MultiDict's overloads (see the note there).
# pyright: reportOverlappingOverload=false

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar, final, overload

from ._multidict import MultiDict

__all__ = ["Headers"]

D = TypeVar("D")
T = TypeVar("T")


@final
class Headers(MultiDict[str]):
    """Immutable, case-insensitive headers backed by a multivalue dict.

    Names are lower-cased and both names and values decoded as latin-1 (the ASGI encoding), so
    every byte round-trips. Lookups lower-case the key: ``get_first("Content-Type")`` works.
    Order and repeats are preserved: a header sent twice (even one that should appear only
    once, like ``Content-Length``) keeps both values; ``get_first`` returns the first and
    ``get`` returns all of them so callers can detect the conflict.

    ``raw`` is the original list of ``(name, value)`` byte pairs, unmodified and shared with
    the scope; do not mutate it.
    """

    __slots__ = ("raw",)

    raw: Sequence[tuple[bytes, bytes]]

    def __init__(self, data: Iterable[tuple[bytes, bytes]] | None = None) -> None:
        """Build from raw ASGI header pairs (``scope["headers"]``)."""
        raw: Sequence[tuple[bytes, bytes]]
        if data is None:
            raw = ()
        elif isinstance(data, list | tuple):
            raw = data
        else:
            raw = list(data)
        super().__init__()
        self._data = _index(raw)
        self.raw = raw

    @overload
    def get_first(self, key: str) -> str | None: ...
    @overload
    def get_first(self: MultiDict[T], key: str, default: T) -> T: ...
    @overload
    def get_first(self, key: str, default: D) -> str | D: ...
    def get_first(self, key: str, default: object = None) -> object:
        """Get the first value of header ``key`` (any case), or ``default`` when absent."""
        values = self._data.get(key.lower())
        return default if values is None else values[0]

    @overload
    def get(self: MultiDict[T], key: str) -> list[T] | None: ...
    @overload
    def get(self: MultiDict[T], key: str, default: list[T]) -> list[T]: ...
    @overload
    def get(self: MultiDict[T], key: str, default: D) -> list[T] | D: ...
    def get(self, key: str, default: object = None) -> object:
        """Get all values of header ``key`` (any case) as a new list, or ``default``."""
        values = self._data.get(key.lower())
        return default if values is None else values.copy()

    def __getitem__(self, key: str) -> list[str]:
        """All values of header ``key`` (any case); ``KeyError`` when absent."""
        return self._data[key.lower()].copy()

    def __contains__(self, key: object) -> bool:
        """Whether header ``key`` (any case) is present."""
        return isinstance(key, str) and key.lower() in self._data

    def copy(self) -> Headers:
        """Headers are immutable, so the copy shares ``raw`` but has its own lists."""
        obj = Headers.__new__(Headers)
        obj._data = self.to_dict()
        obj.raw = self.raw
        return obj


def _index(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, list[str]]:
    """Lower-cased latin-1 names mapped to their latin-1 values, in order."""
    store: dict[str, list[str]] = {}
    for name, value in raw:
        key = name.decode("latin-1").lower()
        if key in store:
            store[key].append(value.decode("latin-1"))
        else:
            store[key] = [value.decode("latin-1")]
    return store
