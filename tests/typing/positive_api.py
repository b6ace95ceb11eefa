"""Type tests: what the public API tells the checkers (``assert_type`` on each entry point)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from http import HTTPMethod
from typing import Literal, assert_type

import msgspec

from asgikit import (
    Body,
    Cookies,
    Finished,
    FormPart,
    Headers,
    JSONValue,
    MultiDict,
    MutableMultiDict,
    Request,
    Response,
    Started,
    Unstarted,
    UploadedFile,
    WebSocket,
    WebSocketState,
    Writer,
)


class Point(msgspec.Struct):
    x: int
    y: int


async def request_api(request: Request) -> None:
    assert_type(request.method, HTTPMethod | str | None)
    assert_type(request.path, str)
    assert_type(request.raw_path, str | None)
    assert_type(request.raw_query, str)
    assert_type(request.client, tuple[str, int | None] | None)
    assert_type(request.server, tuple[str, int | None] | None)
    assert_type(request.headers, Headers)
    assert_type(request.query, MultiDict[str])
    assert_type(request.cookies, MultiDict[str])
    assert_type(request.body, Body)
    assert_type(request.response, Response[Unstarted])
    assert_type(request.websocket, WebSocket[Literal[WebSocketState.NEW]])
    assert_type(request.state, dict[str, object] | None)
    assert_type(request.response_writer(), AbstractAsyncContextManager[Writer])


async def body_api(body: Body) -> None:
    assert_type(await body.read_bytes(), bytes)
    assert_type(await body.read_text(), str)
    assert_type(await body.read_json(), JSONValue)
    assert_type(await body.read_json(Point), Point)
    assert_type(await body.read_json(list[int]), list[int])
    assert_type(await body.read_form(), MultiDict[str | UploadedFile])
    assert_type(body.content_length, int | None)
    assert_type(body.content_type, str | None)
    async for chunk in body:
        assert_type(chunk, bytes)


def first_of(values: MultiDict[object]) -> object | None:
    return values.get_first("a")


def multidict_api(
    numbers: MultiDict[int],
    words: MutableMultiDict[str],
    headers: Headers,
    no_ints: list[int],
    no_strs: list[str],
    word: str,
) -> None:
    assert_type(numbers.get_first("a"), int | None)
    assert_type(numbers.get_first("a", 0), int)
    assert_type(numbers.get("a"), list[int] | None)
    assert_type(numbers["a"], list[int])
    assert_type(first_of(numbers), object | None)  # MultiDict is a covariant read view
    words.add("a", "x", "y")
    words.set("a", "z")
    assert_type(headers.get_first("content-type"), str | None)
    assert_type(headers.get("accept"), list[str] | None)
    assert_type(numbers.get("a", no_ints), list[int])
    assert_type(numbers.get("a", word), list[int] | str)
    assert_type(numbers.get_first("a", word), int | str)
    assert_type(headers.get_first("accept", ""), str)
    assert_type(headers.get_first("accept", word), str)
    assert_type(headers.get("accept", no_strs), list[str])
    assert_type(numbers.items(), list[tuple[str, int]])
    assert_type(numbers.values(), list[list[int]])
    assert_type(numbers.lists(), list[tuple[str, list[int]]])
    assert_type(numbers.to_dict(), dict[str, list[int]])


def token_from_query_or_header(request: Request) -> str:
    """The default's type must win over the left operand of ``or`` (mypy solves from it)."""
    assert_type(
        request.query.get_first("token") or request.headers.get_first("authorization", ""), str
    )
    assert_type(request.query.get_first("token") or request.query.get_first("t", ""), str)
    assert_type(request.headers.get_first("a") or request.headers.get_first("b", ""), str)
    return request.query.get_first("token") or request.headers.get_first("authorization", "")


def extended_values(numbers: MultiDict[int]) -> list[int]:
    """A covariant view hands out new lists, so a list typed by the wider view is sound."""
    values = numbers["a"]
    values.append(2)  # a new list: ``numbers`` is unchanged, whatever its runtime type
    return values


def bools_seen_as_ints(flags: MultiDict[bool]) -> list[int]:
    return extended_values(flags)


async def response_lifecycle(response: Response) -> None:
    assert_type(response, Response[Unstarted])
    started = await response.start(200, media_type="text/plain")
    assert_type(started, Response[Started])
    assert_type(await started.write(b"chunk", more_body=True), Response[Started])
    finished = await started.end()
    assert_type(finished, Response[Finished])
    assert_type(finished.is_finished, bool)


async def response_write_last_chunk(response: Response[Unstarted]) -> None:
    started = await response.start(200)
    assert_type(await started.write(b"all of it"), Response[Finished])


async def response_one_shot_helpers_finish(response: Response) -> None:
    """Each one-shot helper returns the response typed as finished."""
    finished = await response.respond_text("hello")
    assert_type(finished, Response[Finished])
    assert_type(finished.is_finished, bool)


async def response_one_shot_helper_types(
    text: Response, data: Response, json: Response, empty: Response, moved: Response, seen: Response
) -> None:
    assert_type(await text.respond_text("x"), Response[Finished])
    assert_type(await data.respond_bytes(b"x"), Response[Finished])
    assert_type(await json.respond_json({"a": 1}), Response[Finished])
    assert_type(await empty.respond_empty(), Response[Finished])
    assert_type(await moved.redirect("/elsewhere"), Response[Finished])
    assert_type(await seen.redirect_post_get("/done"), Response[Finished])


async def conditional_helper_types(
    request: Request, text: Response, data: Response, json: Response
) -> None:
    """Validators: an unquoted etag, an aware datetime or a POSIX timestamp."""
    modified = datetime(2024, 5, 1, tzinfo=UTC)
    assert_type(await text.respond_text("x", etag="v1", last_modified=modified), Response[Finished])
    assert_type(await data.respond_bytes(b"x", etag="v1", weak_etag=True), Response[Finished])
    assert_type(await json.respond_json([1], last_modified=1714521600.5), Response[Finished])
    assert_type(await request.respond_text("x", etag="v1", last_modified=1714521600), None)
    assert_type(await request.is_disconnected(), bool)


async def websocket_lifecycle(websocket: WebSocket) -> None:
    assert_type(websocket, WebSocket[Literal[WebSocketState.NEW]])
    accepted = await websocket.accept(subprotocol=None)
    assert_type(accepted, WebSocket[Literal[WebSocketState.ACCEPTED]])
    assert_type(await accepted.read(), str | bytes)
    assert_type(await accepted.read_json(), JSONValue)
    assert_type(await accepted.read_json(Point), Point)
    assert_type(accepted.iter(), AsyncIterator[str | bytes])
    assert_type(accepted.iter_json(Point), AsyncIterator[Point])
    await accepted.write("text")
    await accepted.write_json({"a": 1})
    closed = await accepted.close(1000, "bye")
    assert_type(closed, WebSocket[Literal[WebSocketState.CLOSED]])


def cookie_api(cookies: Cookies) -> None:
    cookies.set("session", "abc", samesite="strict", secure=True, partitioned=True)
    cookies.delete("session")


async def respond_twice_is_not_a_type_error(request: Request) -> None:
    """Clean in every checker, yet wrong: only the run-time check catches the second answer
    (tests/test_request.py::test_respond_twice_raises_already_ended)."""
    await request.respond_text("first")
    await request.respond_text("second")


async def respond_after_start_is_not_a_type_error(request: Request) -> None:
    """Clean in every checker; raises ``ResponseAlreadyStartedError`` at run time
    (tests/test_request.py::test_respond_after_start_raises_already_started)."""
    await request.response.start(200)
    await request.respond_text("late")


async def form_parts_api(body: Body) -> None:
    parts = body.iter_parts(max_files=3)
    assert_type(parts, AsyncIterator[FormPart])
    async for part in parts:
        assert_type(part.name, str)
        assert_type(part.filename, str | None)
        assert_type(part.media_type, str)
        assert_type(part.charset, str | None)
        assert_type(part.headers, Headers)
        assert_type(await part.read(), bytes)
        assert_type(await part.read_text(), str)
        async for chunk in part:
            assert_type(chunk, bytes)
