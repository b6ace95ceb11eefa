"""Type tests for the framework-author kit: typed state, lifespan, negotiation, the boundary."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Literal, TypedDict, assert_type

from asgikit import Request, error_boundary, run_lifespan
from asgikit.asgi import ASGIApp, LifespanScope, Receive, Send


class AppState(TypedDict):
    greeting: str
    hits: list[int]


class Settings:
    debug: bool = False


@asynccontextmanager
async def lifespan() -> AsyncGenerator[AppState, None]:
    yield {"greeting": "hello", "hits": []}


async def typed_state(request: Request[AppState], plain: Request, settings: Request[Settings]) -> None:
    assert_type(request.state, AppState)
    assert_type(request.state["greeting"], str)
    assert_type(plain.state, dict[str, object] | None)
    assert_type(settings.state.debug, bool)


def constructed_state(request: Request) -> None:
    typed = Request[AppState](request.scope, request.receive, request.send)
    assert_type(typed.state, AppState)
    assert_type(Request(request.scope, request.receive, request.send).state, dict[str, object] | None)


Offer = Literal["application/json", "text/html"]
OFFERS: tuple[Offer, ...] = ("application/json", "text/html")


async def negotiation(request: Request) -> None:
    assert_type(request.accepts("application/json"), bool)
    # A typed tuple of offers gives back its Literal union in every checker.
    assert_type(request.best_match(OFFERS), Literal["application/json", "text/html"] | None)
    # A bare tuple literal does too in pyright and ty; mypy and pyrefly infer it from the target.
    choice: Offer | None = request.best_match(("application/json", "text/html"))
    if choice == "application/json":
        assert_type(choice, Literal["application/json"])
    elif choice is not None:
        assert_type(choice, Literal["text/html"])
    offers: list[str] = ["a/b"]
    assert_type(request.best_match(offers), str | None)
    assert_type(request.accepts_trailers, bool)
    languages: tuple[Literal["en", "fr"], ...] = ("en", "fr")
    assert_type(request.best_language(languages), Literal["en", "fr"] | None)
    codings: tuple[Literal["br", "gzip", "identity"], ...] = ("br", "gzip", "identity")
    assert_type(request.best_encoding(codings), Literal["br", "gzip", "identity"] | None)


async def lifespan_app(scope: LifespanScope, receive: Receive, send: Send) -> None:
    await run_lifespan(scope, receive, send, lifespan)


async def handler(request: Request[AppState]) -> None:
    await request.respond_text(request.state["greeting"])


app: ASGIApp = error_boundary(handler, lifespan=lifespan)


async def plain_handler(request: Request) -> None:
    await request.respond_text("hi")


plain_app: ASGIApp = error_boundary(plain_handler)
