"""Negative type tests: lifecycle misuse is a static error in mypy --strict AND pyright strict.

Each bad line carries both checkers' ignore with the exact code; an ignore that stops being
needed fails CI (``warn_unused_ignores`` / ``reportUnnecessaryTypeIgnoreComment``).
"""

from __future__ import annotations

from asgikit import Cookies, MultiDict, MutableMultiDict, Response, WebSocket, WebSocketState


async def write_before_start(response: Response) -> None:
    await response.write(b"x")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


async def end_before_start(response: Response) -> None:
    await response.end()  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


async def start_twice(response: Response) -> None:
    started = await response.start(200)
    await started.start(200)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


async def respond_after_start(response: Response) -> None:
    started = await response.start(200)
    await started.respond_text("x")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


async def respond_twice(response: Response) -> None:
    finished = await response.respond_text("x")
    await finished.respond_text("again")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


async def respond_json_twice(response: Response) -> None:
    finished = await response.respond_json({"a": 1})
    await finished.respond_json({"a": 2})  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


async def start_after_respond(response: Response) -> None:
    finished = await response.redirect("/elsewhere")
    await finished.start(200)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


async def write_after_respond(response: Response) -> None:
    finished = await response.respond_bytes(b"x")
    await finished.write(b"more")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


async def write_after_end(response: Response) -> None:
    started = await response.start(200)
    finished = await started.end()
    await finished.write(b"x")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


async def write_after_last_chunk(response: Response) -> None:
    started = await response.start(200)
    finished = await started.write(b"last")
    await finished.write(b"x")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


async def websocket_read_before_accept(websocket: WebSocket) -> None:
    await websocket.read()  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


async def websocket_write_before_accept(websocket: WebSocket) -> None:
    await websocket.write("x")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


async def websocket_accept_twice(websocket: WebSocket) -> None:
    accepted = await websocket.accept()
    await accepted.accept()  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


async def websocket_write_after_close(websocket: WebSocket) -> None:
    accepted = await websocket.accept()
    closed = await accepted.close()
    await closed.write("x")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


async def websocket_read_json_after_close(websocket: WebSocket) -> None:
    accepted = await websocket.accept()
    closed = await accepted.close()
    await closed.read_json()  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


def bad_samesite(cookies: Cookies) -> None:
    cookies.set("a", "b", samesite="always")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


def unknown_cookie_keyword(cookies: Cookies) -> None:
    cookies.set("a", "b", max_life=3)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


async def str_body(response: Response) -> None:
    started = await response.start(200)
    await started.write("text", more_body=True)  # type: ignore[call-overload]  # pyright: ignore[reportCallIssue, reportArgumentType]  # diagnostics: pyright 2, basedpyright 2


def mutable_multidict_is_invariant(values: MutableMultiDict[bool]) -> MutableMultiDict[int]:
    return values  # type: ignore[return-value]  # pyright: ignore[reportReturnType]


def read_only_view_cannot_add(values: MultiDict[str]) -> None:
    values.add("a", "b")  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType]  # diagnostics: pyright 2, basedpyright 2


async def trailers_before_end(response: Response) -> None:
    started = await response.start(200, trailers=True)
    await started.send_trailers({"x-a": "1"})  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


async def websocket_of_unknown_state(websocket: WebSocket[WebSocketState]) -> None:
    await websocket.read()  # type: ignore[misc]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType]  # diagnostics: pyright 2, basedpyright 2
