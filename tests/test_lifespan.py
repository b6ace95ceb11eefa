"""``run_lifespan`` in process: the events sent for each outcome, the state copied into the
server's dict, and bad event orders. Real servers: tests/test_kit_servers.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TypedDict, cast

import pytest

from asgikit import run_lifespan
from asgikit._lifespan import NO_STATE_SUPPORT
from asgikit.asgi import LifespanScope, ReceiveEvent, SendEvent

TIMEOUT = 5.0


class AppState(TypedDict):
    answer: int


class Recorder:
    """What happened inside the context: entered, exited, with which exception."""

    def __init__(self) -> None:
        self.steps: list[str] = []


async def drive(
    context: Callable[[], AbstractAsyncContextManager[Mapping[str, object]]],
    events: list[ReceiveEvent],
    scope: LifespanScope,
) -> list[SendEvent]:
    incoming: asyncio.Queue[ReceiveEvent] = asyncio.Queue()
    for event in events:
        incoming.put_nowait(event)
    sent: list[SendEvent] = []

    async def send(event: SendEvent, /) -> None:
        sent.append(event)

    async with asyncio.timeout(TIMEOUT):
        await run_lifespan(scope, incoming.get, send, context)
    return sent


def lifespan_scope(state: dict[str, object] | None) -> LifespanScope:
    if state is None:
        return {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}}
    return {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": state}


STARTUP: ReceiveEvent = {"type": "lifespan.startup"}
SHUTDOWN: ReceiveEvent = {"type": "lifespan.shutdown"}


def recording(
    recorder: Recorder, *, fail_enter: bool = False, fail_exit: bool = False
) -> Callable[[], AbstractAsyncContextManager[AppState]]:
    @asynccontextmanager
    async def context() -> AsyncGenerator[AppState, None]:
        recorder.steps.append("enter")
        if fail_enter:
            raise RuntimeError("database unreachable")
        try:
            yield {"answer": 42}
        finally:
            recorder.steps.append("exit")
        if fail_exit:
            raise OSError("flush failed")

    return context


async def test_startup_updates_the_server_state_in_place_and_shutdown_exits() -> None:
    recorder = Recorder()
    server_state: dict[str, object] = {"server": "kept"}
    sent = await drive(recording(recorder), [STARTUP, SHUTDOWN], lifespan_scope(server_state))
    assert sent == [{"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"}]
    assert server_state == {"server": "kept", "answer": 42}
    assert recorder.steps == ["enter", "exit"]


async def test_an_exception_on_entry_fails_the_startup_with_its_message() -> None:
    recorder = Recorder()
    sent = await drive(recording(recorder, fail_enter=True), [STARTUP], lifespan_scope({}))
    assert sent == [{"type": "lifespan.startup.failed", "message": "database unreachable"}]
    assert recorder.steps == ["enter"]


async def test_an_exception_without_text_reports_its_class_name() -> None:
    def connect() -> int:
        raise TimeoutError

    @asynccontextmanager
    async def context() -> AsyncGenerator[AppState, None]:
        yield {"answer": connect()}

    sent = await drive(context, [STARTUP], lifespan_scope({}))
    assert sent == [{"type": "lifespan.startup.failed", "message": "TimeoutError"}]


async def test_a_context_factory_that_raises_fails_the_startup() -> None:
    def broken() -> AbstractAsyncContextManager[AppState]:
        raise LookupError("no configuration file")

    sent = await drive(broken, [STARTUP], lifespan_scope({}))
    assert sent == [{"type": "lifespan.startup.failed", "message": "no configuration file"}]


async def test_an_exception_on_exit_fails_the_shutdown_with_its_message() -> None:
    recorder = Recorder()
    sent = await drive(recording(recorder, fail_exit=True), [STARTUP, SHUTDOWN], lifespan_scope({}))
    assert sent == [
        {"type": "lifespan.startup.complete"},
        {"type": "lifespan.shutdown.failed", "message": "flush failed"},
    ]
    assert recorder.steps == ["enter", "exit"]


async def test_state_on_a_server_without_state_support_fails_the_startup() -> None:
    recorder = Recorder()
    sent = await drive(recording(recorder), [STARTUP], lifespan_scope(None))
    assert sent == [{"type": "lifespan.startup.failed", "message": NO_STATE_SUPPORT}]
    assert recorder.steps == ["enter", "exit"]  # what startup acquired is released


async def test_an_empty_state_runs_on_a_server_without_state_support() -> None:
    @asynccontextmanager
    async def context() -> AsyncGenerator[dict[str, object], None]:
        yield {}

    sent = await drive(context, [STARTUP, SHUTDOWN], lifespan_scope(None))
    assert sent == [{"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"}]


async def test_shutdown_before_startup_is_a_protocol_error() -> None:
    recorder = Recorder()
    with pytest.raises(ValueError, match=r"expected lifespan\.startup first, got 'lifespan\.shutdown'"):
        await drive(recording(recorder), [SHUTDOWN], lifespan_scope({}))
    assert recorder.steps == []


async def test_a_second_startup_is_a_protocol_error_and_still_exits_the_context() -> None:
    recorder = Recorder()
    with pytest.raises(ValueError, match=r"expected lifespan\.shutdown after startup"):
        await drive(recording(recorder), [STARTUP, STARTUP], lifespan_scope({}))
    assert recorder.steps == ["enter", "exit"]


async def test_cancellation_while_running_exits_the_context() -> None:
    recorder = Recorder()
    incoming: asyncio.Queue[ReceiveEvent] = asyncio.Queue()
    incoming.put_nowait(STARTUP)
    sent: list[SendEvent] = []

    async def send(event: SendEvent, /) -> None:
        sent.append(event)

    task = asyncio.ensure_future(run_lifespan(lifespan_scope({}), incoming.get, send, recording(recorder)))
    while not sent:
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert sent == [{"type": "lifespan.startup.complete"}]
    assert recorder.steps == ["enter", "exit"]


async def test_a_non_lifespan_scope_is_refused() -> None:
    scope = cast("LifespanScope", {"type": "http", "asgi": {"version": "3.0"}})
    with pytest.raises(ValueError, match="run_lifespan needs a 'lifespan' scope, got 'http'"):
        await drive(recording(Recorder()), [STARTUP], scope)
