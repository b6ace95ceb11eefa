"""The overloads of the lifecycle methods agree with their implementations.

Every method of ``Response`` and ``WebSocket`` typed on a state (``self: Response[Started]``)
has overloads for the states where it is legal and one overload per other state that can
never be called (a required keyword-only ``Never``; see ``asgikit._typestate``). The
implementation is marked ``@typestate_implementation``, so the checkers no longer compare it
with its overloads; these tests do: the legal overloads take the implementation's
parameters, the wrong-state overloads cover exactly the other states, and at run time the
methods are the plain functions, with no extra parameter.
"""

from __future__ import annotations

import inspect
import sys
import typing
from collections.abc import Callable
from typing import get_args, get_overloads

import pytest

from asgikit import Response, WebSocket, WebSocketState
from asgikit._response import S as ResponseState

STATES: dict[type, frozenset[object]] = {
    Response: frozenset(ResponseState.__constraints__),
    WebSocket: frozenset(WebSocketState),
}
"""Every static state of each class."""

NOT_COROUTINES = frozenset({"iter", "iter_json", "response_writer"})
"""The lifecycle methods that are plain functions (they return an iterator or a context
manager); every other one is an ``async def``."""

WRONG_STATE_PREFIX: dict[type, str] = {Response: "_response_", WebSocket: "_websocket_"}
"""How the ``Never`` keyword of a wrong-state overload is named, per class."""


def _typestate_methods() -> list[tuple[type, str]]:
    """Every public method whose implementation is typed on a state through ``self``."""
    found: list[tuple[type, str]] = []
    for cls in STATES:
        for name, value in vars(cls).items():
            if name.startswith("_") or not inspect.isfunction(value):
                continue
            if (
                inspect.signature(value).parameters["self"].annotation
                is not inspect.Parameter.empty
            ):
                found.append((cls, name))
    return found


TYPESTATE_METHODS = _typestate_methods()

each_typestate_method = pytest.mark.parametrize(
    ("cls", "name"), TYPESTATE_METHODS, ids=[f"{c.__name__}.{n}" for c, n in TYPESTATE_METHODS]
)


def _states(cls: type, function: Callable[..., object]) -> frozenset[object]:
    """The states the ``self`` annotation of ``function`` (a string) admits."""
    annotation = inspect.signature(function).parameters["self"].annotation
    hint = eval(annotation, vars(sys.modules[function.__module__]))  # our own annotations
    (argument,) = get_args(hint)
    if cls is Response:
        return frozenset({argument})
    return frozenset(get_args(argument))  # Literal[WebSocketState.X, ...]


def _never_keywords(function: Callable[..., object]) -> list[inspect.Parameter]:
    return [
        parameter
        for parameter in inspect.signature(function).parameters.values()
        if parameter.annotation == "Never"
    ]


def test_every_lifecycle_method_is_typed_on_its_states() -> None:
    names = {(cls.__name__, name) for cls, name in TYPESTATE_METHODS}
    assert {("Response", "start"), ("Response", "write"), ("Response", "end")} <= names
    assert {("WebSocket", "accept"), ("WebSocket", "read"), ("WebSocket", "close")} <= names
    assert len(names) == 23


@each_typestate_method
def test_overloads_cover_every_state_once(cls: type, name: str) -> None:
    implementation = vars(cls)[name]
    overloads = get_overloads(implementation)
    legal = [item for item in overloads if not _never_keywords(item)]
    wrong = [item for item in overloads if _never_keywords(item)]
    assert legal and wrong
    legal_states = _states(cls, implementation)
    assert all(_states(cls, item) == legal_states for item in legal)
    wrong_states = [_states(cls, item) for item in wrong]
    covered = [state for states in wrong_states for state in states]
    assert len(covered) == len(set(covered)), "two wrong-state overloads for one state"
    assert legal_states.isdisjoint(covered)
    assert legal_states | set(covered) == STATES[cls]


@each_typestate_method
def test_wrong_state_overloads_take_anything_but_need_a_never_keyword(cls: type, name: str) -> None:
    implementation = vars(cls)[name]
    for item in get_overloads(implementation):
        keywords = _never_keywords(item)
        if not keywords:
            continue
        (keyword,) = keywords
        assert keyword.kind is inspect.Parameter.KEYWORD_ONLY
        assert keyword.default is inspect.Parameter.empty
        assert keyword.name.startswith(WRONG_STATE_PREFIX[cls])
        kinds = [parameter.kind for parameter in inspect.signature(item).parameters.values()]
        assert kinds == [
            inspect.Parameter.POSITIONAL_OR_KEYWORD,  # self
            inspect.Parameter.VAR_POSITIONAL,
            inspect.Parameter.KEYWORD_ONLY,
            inspect.Parameter.VAR_KEYWORD,
        ]


@each_typestate_method
def test_legal_overloads_take_the_implementation_parameters(cls: type, name: str) -> None:
    implementation = vars(cls)[name]
    expected = list(inspect.signature(implementation).parameters.values())
    legal = [item for item in get_overloads(implementation) if not _never_keywords(item)]
    for item in legal:
        parameters = list(inspect.signature(item).parameters.values())
        if len(legal) == 1:  # the one legal signature is the implementation's, exactly
            assert inspect.signature(item) == inspect.signature(implementation)
            continue
        # several legal overloads narrow the implementation's types: same names, kinds, order
        names = {parameter.name for parameter in parameters}
        assert [(p.name, p.kind) for p in parameters] == [
            (p.name, p.kind) for p in expected if p.name in names
        ]
        assert parameters[0].annotation == expected[0].annotation  # the same state on self


@each_typestate_method
def test_methods_are_the_plain_functions_at_run_time(cls: type, name: str) -> None:
    method = getattr(cls, name)
    assert method is vars(cls)[name]
    assert method.__code__.co_name == name  # not a wrapper
    assert not any(parameter.startswith("_") for parameter in inspect.signature(method).parameters)
    assert inspect.iscoroutinefunction(method) is (name not in NOT_COROUTINES)


def test_typestate_implementation_returns_the_function_itself() -> None:
    from asgikit._typestate import typestate_implementation

    async def method() -> None:
        return None

    assert typestate_implementation(method) is method
    assert inspect.iscoroutinefunction(typestate_implementation(method))
    assert typing.get_overloads(method) == []
