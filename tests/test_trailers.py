"""``http.response.trailers``: sent only when announced and offered by the server."""

from __future__ import annotations

from typing import cast

import pytest

from asgikit import (
    Finished,
    InvalidHeaderError,
    Response,
    ResponseAlreadyStartedError,
    ResponseNotStartedError,
)
from asgikit.asgi import HTTPScope
from tests.conftest import Recorder, Script, http_scope


def scope_with_trailers() -> HTTPScope:
    return {**http_scope(), "extensions": {"http.response.trailers": {}}}


async def test_announced_trailers_follow_the_body() -> None:
    send = Recorder()
    response = Response(scope_with_trailers(), Script(), send)
    started = await response.start(200, media_type="text/plain", trailers=True)
    await started.write(b"data", more_body=True)
    finished = await started.end()
    await finished.send_trailers({"x-checksum": "abc"})
    assert send.events == [
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
            "trailers": True,
        },
        {"type": "http.response.body", "body": b"data", "more_body": True},
        {"type": "http.response.body", "body": b""},
        {"type": "http.response.trailers", "headers": [(b"x-checksum", b"abc")]},
    ]


async def test_trailers_are_dropped_when_the_server_does_not_offer_them() -> None:
    send = Recorder()
    started = await Response(http_scope(), Script(), send).start(200, trailers=True)
    finished = await started.end()
    await finished.send_trailers({"x-checksum": "abc"})
    assert send.events == [
        {"type": "http.response.start", "status": 200, "headers": []},
        {"type": "http.response.body", "body": b""},
    ]


async def test_trailers_without_announcement_are_not_sent() -> None:
    send = Recorder()
    started = await Response(scope_with_trailers(), Script(), send).start(200)
    finished = await started.end()
    await finished.send_trailers({"x-a": "1"})
    assert [event["type"] for event in send.events] == ["http.response.start", "http.response.body"]


async def test_trailers_before_the_end_raise() -> None:
    response = Response(scope_with_trailers(), Script(), Recorder())
    with pytest.raises(ResponseNotStartedError):
        # stale or untyped references: the checkers reject these calls (negative_lifecycle.py)
        await cast("Response[Finished]", response).send_trailers({"x-a": "1"})
    started = await response.start(200, trailers=True)
    with pytest.raises(ResponseAlreadyStartedError):
        await cast("Response[Finished]", started).send_trailers({"x-a": "1"})


async def test_unsafe_trailer_values_are_rejected() -> None:
    started = await Response(scope_with_trailers(), Script(), Recorder()).start(200, trailers=True)
    finished = await started.end()
    with pytest.raises(InvalidHeaderError):
        await finished.send_trailers({"x-a": "1\r\nx-b: 2"})
