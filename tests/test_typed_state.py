"""``Request[AppState]`` at runtime: the same class and object, state straight from the scope."""

from __future__ import annotations

from typing import TypedDict, get_args, get_origin

from asgikit import Request
from asgikit.asgi import HTTPScope
from tests.conftest import Recorder, Script, http_scope


class AppState(TypedDict):
    greeting: str


def test_subscripted_request_builds_a_plain_request_reading_the_scope_state() -> None:
    state: dict[str, object] = {"greeting": "hello"}
    scope: HTTPScope = {**http_scope(), "state": state}
    request = Request[AppState](scope, Script(), Recorder())
    assert type(request) is Request
    assert request.state is state
    assert request.state["greeting"] == "hello"
    assert get_origin(Request[AppState]) is Request
    assert get_args(Request[AppState]) == (AppState,)


def test_without_server_state_the_state_is_none() -> None:
    assert Request(http_scope(), Script(), Recorder()).state is None
    assert Request[AppState](http_scope(), Script(), Recorder()).state is None


def test_plain_request_creation_stores_only_the_three_callables() -> None:
    request = Request(http_scope(), Script(), Recorder())
    assert set(vars(request)) == {"scope", "receive", "send"}
    assert Request.__new__ is object.__new__  # Generic adds no constructor work
