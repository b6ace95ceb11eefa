"""Griffe extension for the API reference: show each lifecycle method as users call it.

The lifecycle methods of ``Response`` and ``WebSocket`` carry, for the type checkers only, one
overload per state in which the call is wrong: it requires a keyword-only parameter typed
``Never`` (``_response_not_started``...), which nothing can be passed for (see
``asgikit._typestate``). Those overloads are not something to call, so the reference leaves
them out; a method left with one overload equal to its implementation is shown once. Loaded
by ``mkdocs.yml`` (mkdocstrings ``extensions``).
"""

from __future__ import annotations

from typing import Final

import griffe

__all__ = ["HideWrongStateOverloads"]

NEVER: Final = "Never"
"""The annotation that marks a wrong-state overload's keyword-only parameter."""


def is_wrong_state(overload: griffe.Function) -> bool:
    """Whether ``overload`` is one of the uncallable wrong-state overloads."""
    return any(
        parameter.kind is griffe.ParameterKind.keyword_only and str(parameter.annotation) == NEVER
        for parameter in overload.parameters
    )


def same_signature(first: griffe.Function, second: griffe.Function) -> bool:
    """Whether two functions render the same: parameters (names, kinds, annotations,
    defaults) and return annotation."""

    def rendered(function: griffe.Function) -> list[tuple[str, str, str, str]]:
        return [
            (p.name, str(p.kind), str(p.annotation), str(p.default)) for p in function.parameters
        ]

    return rendered(first) == rendered(second) and str(first.returns) == str(second.returns)


class HideWrongStateOverloads(griffe.Extension):
    """Drop the wrong-state overloads, and a lone remaining overload that repeats the
    implementation's signature."""

    def on_function_instance(self, *, func: griffe.Function, **kwargs: object) -> None:
        """Filter the overloads of ``func`` once it is built (its overloads are attached)."""
        if not func.overloads:
            return
        shown = [overload for overload in func.overloads if not is_wrong_state(overload)]
        if len(shown) == 1 and same_signature(shown[0], func):
            shown = []
        func.overloads = shown or None
