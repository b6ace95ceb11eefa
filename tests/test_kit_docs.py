"""The code examples of docs/state.md, docs/negotiation.md, the error boundary section of
docs/errors.md and the HTTP/2 section of docs/servers.md run as written and do what the
text says."""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import cast

from asgikit import Request
from asgikit.asgi import ASGIApp, HTTPScope, LifespanScope, ReceiveEvent, SendEvent
from tests.conftest import Recorder, Script, http_scope

DOCS = Path(__file__).resolve().parent.parent / "docs"

Handler = Callable[[Request], Coroutine[object, object, None]]


def blocks(page: str) -> list[dict[str, object]]:
    """Run every ``python`` block of ``page``, each in a fresh namespace; return them."""
    text = (DOCS / page).read_text(encoding="utf-8")
    namespaces: list[dict[str, object]] = []
    for number, code in enumerate(re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)):
        namespace: dict[str, object] = {"__name__": f"docs_{page.replace('.', '_')}_{number}"}
        exec(compile(code, f"{DOCS / page}[{number}]", "exec"), namespace)
        namespaces.append(namespace)
    return namespaces


def scope_with(
    *, method: str = "GET", headers: list[tuple[bytes, bytes]] | None = None, state: dict[str, object] | None = None
) -> HTTPScope:
    scope = http_scope(method=method, headers=headers)
    return scope if state is None else {**scope, "state": state}


def body_of(events: list[SendEvent]) -> bytes:
    return b"".join(e.get("body", b"") for e in events if e["type"] == "http.response.body")


def status_of(events: list[SendEvent]) -> int:
    start = events[0]
    assert start["type"] == "http.response.start"
    return start["status"]


async def started_app(app: ASGIApp) -> dict[str, object]:
    """Run the app's lifespan startup and shutdown; return the state it left."""
    state: dict[str, object] = {}
    scope: LifespanScope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": state}
    send = Recorder()
    await app(scope, Script([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]), send)
    assert send.events == [{"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"}]
    return state


async def test_state_page_examples() -> None:
    typed, raw_app, boundary_app = blocks("state.md")
    hello = cast("Handler", typed["hello"])
    state: dict[str, object] = {"greeting": "hi", "visits": []}
    send = Recorder()
    await hello(Request(scope_with(state=state), Script(), send))
    assert body_of(send.events) == b"hi"
    assert state["visits"] == ["/"]
    for namespace in (raw_app, boundary_app):
        app = cast("ASGIApp", namespace["app"])
        state = await started_app(app)
        assert state == {"greeting": "hello"}
        send = Recorder()
        await app(scope_with(state=dict(state)), Script(), send)
        assert body_of(send.events) == b"hello"


async def test_negotiation_page_language_example() -> None:
    greet = cast("Handler", blocks("negotiation.md")[1]["greet"])
    answers: list[tuple[bytes, bytes]] = []
    for accept_language in (b"fr-CH, fr;q=0.9, en;q=0.8", b"de", b"en-GB"):
        send = Recorder()
        await greet(Request(scope_with(headers=[(b"accept-language", accept_language)]), Script(), send))
        start = send.events[0]
        assert start["type"] == "http.response.start"
        answers.append((dict(start.get("headers", []))[b"content-language"], body_of(send.events)))
    assert answers == [(b"fr", b"Bonjour"), (b"en", b"Hello"), (b"en", b"Hello")]


async def test_negotiation_page_example() -> None:
    namespace = blocks("negotiation.md")[0]
    profile = cast("Handler", namespace["profile"])
    answers: dict[bytes, tuple[int, bytes]] = {}
    for accept in (b"application/json", b"text/html,*/*;q=0.1", b"image/png"):
        send = Recorder()
        await profile(Request(scope_with(headers=[(b"accept", accept)]), Script(), send))
        answers[accept] = (status_of(send.events), body_of(send.events))
    assert answers == {
        b"application/json": (200, b'{"name":"Ada"}'),
        b"text/html,*/*;q=0.1": (200, b"<h1>Ada</h1>"),
        b"image/png": (406, b"Not Acceptable"),
    }


def json_post(body: bytes) -> tuple[HTTPScope, Script]:
    events: list[ReceiveEvent] = [{"type": "http.request", "body": body, "more_body": False}]
    return scope_with(method="POST", headers=[(b"content-type", b"application/json")]), Script(events)


async def test_errors_page_examples() -> None:
    manual, boundary, sse = blocks("errors.md")
    send = Recorder()
    scope, receive = json_post(b"")
    await cast("Handler", manual["create_item"])(Request(scope, receive, send))
    assert (status_of(send.events), body_of(send.events)) == (
        400,
        b'{"error":"request body is empty; expected JSON"}',
    )
    app = cast("ASGIApp", boundary["app"])
    created, refused = Recorder(), Recorder()
    await app(*json_post(b'{"name": "pen"}'), created)
    await app(*json_post(b""), refused)
    assert (status_of(created.events), body_of(created.events)) == (201, b'{"created":"pen"}')
    assert (status_of(refused.events), body_of(refused.events)) == (
        400,
        b"400 Bad Request: request body is empty; expected JSON\n",
    )

    sent: list[SendEvent] = []

    async def leaving_client(event: SendEvent, /) -> None:
        if len(sent) == 2:
            raise OSError("connection lost")  # a spec 2.4 server, after the first event
        sent.append(event)

    await cast("ASGIApp", sse["app"])(http_scope(), Script(), leaving_client)
    assert body_of(sent) == b"event: tick\ndata: 0\n\n"


async def test_servers_page_trailers_example() -> None:
    namespace = next(ns for ns in blocks("servers.md") if "checksummed" in ns)
    checksummed = cast("Handler", namespace["checksummed"])
    scope: HTTPScope = {
        **scope_with(headers=[(b"te", b"trailers")]),
        "extensions": {"http.response.trailers": {}},
    }
    send = Recorder()
    await checksummed(Request(scope, Script(), send))
    assert send.events[-1] == {
        "type": "http.response.trailers",
        "headers": [(b"x-checksum", b"239f59ed55e737c77147cf55ad0c1b030b6d7ee748a7426952f9b852d5a935e5")],
    }
    without = Recorder()
    await checksummed(Request(scope_with(), Script(), without))
    assert [e["type"] for e in without.events] == ["http.response.start", "http.response.body", "http.response.body"]
