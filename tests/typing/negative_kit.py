"""Negative type tests for the kit: a handler typed for a state nobody provides is rejected.

Each bad line carries both checkers' ignore with the exact code; an ignore that stops being
needed fails CI (``warn_unused_ignores`` / ``reportUnnecessaryTypeIgnoreComment``).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import TypedDict

from asgikit import Request, error_boundary


class AppState(TypedDict):
    greeting: str


class OtherState(TypedDict):
    other: int


async def handler(request: Request[AppState]) -> None:
    await request.respond_text(request.state["greeting"])


@asynccontextmanager
async def other_lifespan() -> AsyncGenerator[OtherState, None]:
    yield {"other": 1}


def typed_handler_without_lifespan() -> None:
    error_boundary(handler)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


def lifespan_of_another_state() -> None:
    error_boundary(handler, lifespan=other_lifespan)  # type: ignore[misc]  # pyright: ignore[reportArgumentType]


def state_is_not_a_plain_dict(request: Request[AppState]) -> None:
    request.state["missing"]  # type: ignore[typeddict-item]  # pyright: ignore[reportGeneralTypeIssues]
