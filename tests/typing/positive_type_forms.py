"""Type tests: every typed JSON reader returns exactly the type form it was given.

``Body.read_json``, ``WebSocket.read_json`` and ``WebSocket.iter_json`` take a
``TypeForm[T]`` (PEP 747), so unions, ``Optional``, ``Annotated``, ``Literal``, ``NewType``,
``TypedDict``, dataclasses and generic containers come back as themselves, not ``Any``.
``tests/test_typing_runtime.py`` also runs these functions against real payloads.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Literal, NewType, Optional, TypedDict, assert_type

import msgspec

from asgikit import Body, JSONValue, WebSocket, WebSocketState

UserId = NewType("UserId", int)


class Item(msgspec.Struct):
    name: str


class Movie(TypedDict):
    title: str
    year: int


@dataclass
class Point:
    x: int
    y: int


async def body_type_forms(body: Body) -> None:
    assert_type(await body.read_json(), JSONValue)
    assert_type(await body.read_json(Item), Item)
    assert_type(await body.read_json(Item | None), Item | None)
    assert_type(await body.read_json(Optional[Item]), Item | None)  # noqa: UP045 (the form under test)
    assert_type(await body.read_json(Annotated[int, msgspec.Meta(ge=0)]), int)
    assert_type(await body.read_json(Literal["a", "b"]), Literal["a", "b"])
    assert_type(await body.read_json(UserId), UserId)
    assert_type(await body.read_json(Movie), Movie)
    assert_type(await body.read_json(Point), Point)
    assert_type(await body.read_json(list[Item]), list[Item])
    assert_type(await body.read_json(dict[str, int]), dict[str, int])
    assert_type(await body.read_json(int | str), int | str)


async def websocket_type_forms(websocket: WebSocket[Literal[WebSocketState.ACCEPTED]]) -> None:
    assert_type(await websocket.read_json(), JSONValue)
    assert_type(await websocket.read_json(Item), Item)
    assert_type(await websocket.read_json(Item | None), Item | None)
    assert_type(await websocket.read_json(Optional[Item]), Item | None)  # noqa: UP045 (the form under test)
    assert_type(await websocket.read_json(Annotated[int, msgspec.Meta(ge=0)]), int)
    assert_type(await websocket.read_json(Literal["a", "b"]), Literal["a", "b"])
    assert_type(await websocket.read_json(UserId), UserId)
    assert_type(await websocket.read_json(Movie), Movie)
    assert_type(await websocket.read_json(Point), Point)
    assert_type(await websocket.read_json(list[Item]), list[Item])
    assert_type(await websocket.read_json(dict[str, int]), dict[str, int])
    assert_type(websocket.iter_json(), AsyncIterator[JSONValue])
    assert_type(websocket.iter_json(Item | None), AsyncIterator[Item | None])
    assert_type(websocket.iter_json(Annotated[int, msgspec.Meta(ge=0)]), AsyncIterator[int])
    assert_type(websocket.iter_json(Literal["a", "b"]), AsyncIterator[Literal["a", "b"]])
    assert_type(websocket.iter_json(UserId), AsyncIterator[UserId])
    assert_type(websocket.iter_json(Movie), AsyncIterator[Movie])
    assert_type(websocket.iter_json(list[Item]), AsyncIterator[list[Item]])
