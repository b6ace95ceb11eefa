"""How the lifecycle methods of ``Response[S]`` and ``WebSocket[S]`` are typed: one clear
error per call in the wrong state, in every checker.

A method that is legal in some states gets one overload for those states (typed on
``self``) and one overload for each other state. A wrong-state overload accepts any
arguments but requires a keyword-only parameter typed ``Never``, named for the rule the call
breaks (``_response_not_started``, ``_websocket_closed``...). Nothing can be passed for it, so
the call is always an error, and the checker reports exactly that, once: pyright and
basedpyright say ``Argument missing for parameter "_response_not_started"``, mypy
``Missing named argument "_response_not_started" for "write" of "Response"``. ty and pyrefly
report the first overload's ``self`` instead (``Expected `Response[Started]`, found
`Response[Unstarted]```), also once.

Typing such a method only through ``self`` gives pyright and basedpyright nothing to bind in
the wrong state: they report the failed binding and then, in strict mode, the unknown type of
the member, two errors for one mistake. The wrong-state overloads return what the legal call
returns, so mypy goes on checking the code after the error with the type the user expects.

The implementation cannot take the ``Never`` parameters (that would change the run-time
signature and cost every call), so it is marked ``@typestate_implementation``: the checkers
then check its body against its own signature and every call against the overloads only.
``tests/test_typestate.py`` checks what the checkers no longer can: the legal overloads have
the implementation's parameters, and every other overload has exactly one ``Never`` keyword.

Repeating the legal signature as an overload is the price. A decorator that types each method
as a descriptor whose ``__get__`` is overloaded on the receiver's state would avoid it, but
the checkers' messages would then name a protocol's ``__call__`` instead of the method, and
the methods that already have overloads (``write``, ``read_json``, ``iter_json``) cannot pass
through a ``ParamSpec``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

__all__ = ["typestate_implementation"]

_R = TypeVar("_R")


def typestate_implementation(method: Callable[..., _R]) -> Callable[..., _R]:
    """Mark the implementation of an overloaded lifecycle method and return it unchanged.

    Statically it accepts any arguments, so the checkers do not ask it to take the ``Never``
    keywords of the wrong-state overloads. At run time it is the identity: no wrapper, no
    cost per call, and an ``async def`` stays a coroutine function.
    """
    return method
