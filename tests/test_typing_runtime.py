"""What the checkers cannot see, the runtime still enforces.

The typestate layer is static: after ``started = await response.start()`` the old name
``response`` still has the type ``Response[Unstarted]``, and after ``await started.end()``
the name ``started`` is still ``Response[Started]``. Python has no way to invalidate a stale
reference statically, so each misuse below type-checks yet raises at runtime. The positive
type-test functions are also executed here, so they are real code, not only annotations.
"""

from __future__ import annotations

from typing import Any, cast

import pytest

from asgikit import (
    Request,
    Response,
    ResponseAlreadyEndedError,
    ResponseAlreadyStartedError,
    ResponseNotStartedError,
    WebSocket,
    WebSocketClosedError,
    WebSocketStateError,
)
from tests.conftest import Recorder, Script, http_scope, websocket_scope
from tests.typing import positive_api


async def test_stale_started_reference_after_end_raises() -> None:
    response = Response(http_scope(), Script(), Recorder())
    started = await response.start(200)
    await started.end()
    with pytest.raises(ResponseAlreadyEndedError):
        await started.write(b"late", more_body=True)  # type-checks: `started` is still Started


async def test_stale_unstarted_reference_after_start_raises() -> None:
    response = Response(http_scope(), Script(), Recorder())
    await response.start(200)
    with pytest.raises(ResponseAlreadyStartedError):
        await response.start(200)  # type-checks: `response` is still Unstarted


async def test_untyped_callers_get_the_documented_exceptions() -> None:
    untyped = cast(Any, Response(http_scope(), Script(), Recorder()))
    with pytest.raises(ResponseNotStartedError):
        await untyped.write(b"x")
    with pytest.raises(ResponseNotStartedError):
        await untyped.end()


async def test_two_views_of_one_scope_agree() -> None:
    scope = http_scope()
    first = Response(scope, Script(), Recorder())
    second = Response(scope, Script(), Recorder())
    await first.start(200)
    assert second.is_started
    with pytest.raises(ResponseAlreadyStartedError):
        await second.start(200)


async def test_stale_websocket_references_raise() -> None:
    websocket = WebSocket(websocket_scope(), Script([{"type": "websocket.connect"}], websocket=True), Recorder())
    accepted = await websocket.accept()
    with pytest.raises(WebSocketStateError):
        await websocket.accept()  # type-checks: `websocket` is still NEW
    await accepted.close()
    with pytest.raises(WebSocketClosedError):
        await accepted.write("late")  # type-checks: `accepted` is still ACCEPTED


async def test_positive_response_lifecycle_runs() -> None:
    recorder = Recorder()
    await positive_api.response_lifecycle(Response(http_scope(), Script(), recorder))
    assert recorder.events == [
        {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain; charset=utf-8")]},
        {"type": "http.response.body", "body": b"chunk", "more_body": True},
        {"type": "http.response.body", "body": b""},
    ]


async def test_positive_websocket_lifecycle_runs() -> None:
    recorder = Recorder()
    receive = Script(
        [
            {"type": "websocket.connect"},
            {"type": "websocket.receive", "text": "hello"},
            {"type": "websocket.receive", "text": "[1, 2]"},
            {"type": "websocket.receive", "text": '{"x": 1, "y": 2}'},
        ],
        websocket=True,
    )
    await positive_api.websocket_lifecycle(WebSocket(websocket_scope(), receive, recorder))
    assert recorder.events == [
        {"type": "websocket.accept"},
        {"type": "websocket.send", "text": "text"},
        {"type": "websocket.send", "text": '{"a":1}'},
        {"type": "websocket.close", "code": 1000, "reason": "bye"},
    ]


async def test_one_shot_helper_returns_the_same_response_finished() -> None:
    recorder = Recorder()
    response = Response(http_scope(), Script(), recorder)
    await positive_api.response_one_shot_helpers_finish(response)
    finished = await Response(http_scope(), Script(), Recorder()).respond_json({"a": 1})
    assert finished.is_finished
    assert finished.status == 200
    assert recorder.events == [
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"5")],
        },
        {"type": "http.response.body", "body": b"hello"},
    ]


async def test_respond_twice_on_a_finished_response_raises_at_runtime_too() -> None:
    finished = await Response(http_scope(), Script(), Recorder()).respond_text("x")
    stale = cast(Any, finished)  # the checkers reject this call (negative_lifecycle.py)
    with pytest.raises(ResponseAlreadyEndedError):
        await stale.respond_text("again")


async def test_responding_twice_type_checks_but_raises_at_run_time() -> None:
    recorder = Recorder()
    with pytest.raises(ResponseAlreadyEndedError):
        await positive_api.respond_twice_is_not_a_type_error(Request(http_scope(), Script(), recorder))
    assert [event["type"] for event in recorder.events] == ["http.response.start", "http.response.body"]


async def test_a_shortcut_after_start_type_checks_but_raises_at_run_time() -> None:
    recorder = Recorder()
    with pytest.raises(ResponseAlreadyStartedError):
        await positive_api.respond_after_start_is_not_a_type_error(Request(http_scope(), Script(), recorder))
    assert [event["type"] for event in recorder.events] == ["http.response.start"]
