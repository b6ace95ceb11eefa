"""The documentation site builds without warnings, documents the whole public API, and every
Python example in docs/*.md and README.md runs as written.

The site is built once per module (``mkdocs build --strict`` into a temporary directory, a few
seconds); the other tests read the built pages. No ``--quiet``: it hides warnings from
``--strict``, which then passes a build that has them.

Each ```python block runs as a module of its own; an ``app`` it defines is called once with
``GET /``, and every handler taking a ``Request`` or a ``WebSocket`` is driven once (HTTP and a
websocket handshake). A block that is deliberately incomplete is marked with
``<!-- fragment -->`` on the line above its fence, and is only compiled.
tests/test_docs_typing.py type-checks the same blocks.
"""

from __future__ import annotations

import ast
import asyncio
import html
import inspect
import os
import re
import subprocess
import sys
import types
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast, get_origin

import pytest

import asgikit
import asgikit.asgi
from asgikit import Request, WebSocket, _limits
from asgikit.asgi import (
    HTTPScope,
    LifespanScope,
    Receive,
    ReceiveEvent,
    Scope,
    Send,
    SendEvent,
    WebSocketScope,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built site directory; fails the dependent tests with mkdocs' output if the build fails."""
    out = tmp_path_factory.mktemp("docs") / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    return out


def _anchors(page: Path) -> set[str]:
    return set(re.findall(r'id="([^"]+)"', page.read_text(encoding="utf-8")))


def test_mkdocs_strict_build_succeeds(site: Path) -> None:
    assert (site / "index.html").is_file()
    assert (site / "api" / "index.html").is_file()


def test_every_public_name_has_an_entry_in_the_api_reference(site: Path) -> None:
    anchors = _anchors(site / "api" / "index.html")
    missing = sorted(name for name in asgikit.__all__ if f"asgikit.{name}" not in anchors)
    assert missing == []


def test_every_asgi_shape_has_an_entry_in_the_api_reference(site: Path) -> None:
    anchors = _anchors(site / "api" / "index.html")
    missing = sorted(name for name in asgikit.asgi.__all__ if f"asgikit.asgi.{name}" not in anchors)
    assert missing == []


def _signatures(page: Path, anchor: str) -> list[str]:
    """The rendered signatures (text only) of the API entry with id ``anchor``."""
    text = page.read_text(encoding="utf-8")
    entry = text[text.index(f'id="{anchor}"') :]
    entry = entry[: entry.index('class="doc doc-contents')]  # signatures come before the docstring
    blocks = re.findall(r'class="doc-signature[^"]*"><pre>(.*?)</pre>', entry, re.DOTALL)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", "", block)).split()) for block in blocks]


def test_api_reference_shows_lifecycle_methods_as_users_call_them(site: Path) -> None:
    # The wrong-state overloads (a keyword-only Never) exist for the type checkers only.
    page = site / "api" / "index.html"
    text = page.read_text(encoding="utf-8")
    assert "_response_" not in text
    assert "_websocket_" not in text
    assert _signatures(page, "asgikit.Response.end") == ["end() -> Response[Finished]"]
    assert _signatures(page, "asgikit.WebSocket.read") == ["read() -> str | bytes"]
    assert len(_signatures(page, "asgikit.Response.write")) == 4  # three overloads and the whole


def _size(value: int) -> str:
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if value >= factor and value % factor == 0:
            return f"{value // factor} {unit}"
    return str(value)


# (text that starts the row's first cell, the constant whose value the row must show)
_LIMIT_ROWS = [
    ("`max_body_size`", _limits.DEFAULT_MAX_BODY_SIZE),
    ("`max_fields`", _limits.DEFAULT_MAX_FIELDS),
    ("`max_files`", _limits.DEFAULT_MAX_FILES),
    ("`max_part_size`", _limits.DEFAULT_MAX_PART_SIZE),
    ("`max_fields_size`", _limits.DEFAULT_MAX_FIELDS_SIZE),
    ("`max_file_size`", _limits.DEFAULT_MAX_FILE_SIZE),
    ("`max_part_header_count`", _limits.DEFAULT_MAX_PART_HEADER_COUNT),
    ("`max_part_header_size`", _limits.DEFAULT_MAX_PART_HEADER_SIZE),
]


@pytest.mark.parametrize("path", ["docs/security.md", "SECURITY.md"])
def test_default_limit_tables_match_the_code(path: str) -> None:
    rows = [line for line in (ROOT / path).read_text(encoding="utf-8").splitlines() if line.startswith("| `")]
    for label, value in _LIMIT_ROWS:
        cells = [row.split("|")[2].strip() for row in rows if row.split("|")[1].strip().startswith(label)]
        assert cells, f"{path}: no default-limit row for {label}"
        assert _size(value) in cells[0], f"{path}: {label} should show {_size(value)}, shows {cells[0]!r}"
    multipart = [row for row in rows if row.startswith("| `max_body_size`") and "multipart" in row.split("|")[1]]
    assert multipart and _size(_limits.DEFAULT_MAX_MULTIPART_SIZE) in multipart[0].split("|")[2]


# --- Every Python example in the docs runs as written -------------------------------------------

FRAGMENT_MARKER = "<!-- fragment -->"
"""Put this line right above a ```python fence whose code is deliberately incomplete: it is
compiled (top-level ``await`` allowed) but not run."""

MAX_FRAGMENTS = 3
"""Fragments are the exception: a reader should be able to paste any example and run it."""

DOC_PAGES = sorted([*(ROOT / "docs").glob("*.md"), ROOT / "README.md"])


@dataclass(frozen=True)
class CodeBlock:
    """One ```python block of a docs page."""

    page: str
    line: int
    source: str
    fragment: bool

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def _code_blocks(page: Path) -> list[CodeBlock]:
    """The ```python blocks of ``page``, each with the line of its opening fence."""
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks: list[CodeBlock] = []
    index = 0
    while index < len(lines):
        if lines[index].strip() == "```python":
            start = index
            end = next(i for i in range(start + 1, len(lines)) if lines[i].strip() == "```")
            above = (lines[i].strip() for i in range(start - 1, -1, -1) if lines[i].strip())
            previous = next(above, "")
            blocks.append(
                CodeBlock(
                    page=str(page.relative_to(ROOT)),
                    line=start + 1,
                    source="\n".join(lines[start + 1 : end]) + "\n",
                    fragment=previous == FRAGMENT_MARKER,
                )
            )
            index = end
        index += 1
    return blocks


CODE_BLOCKS = [block for page in DOC_PAGES for block in _code_blocks(page)]


class _Send:
    """A ``send`` that records events."""

    def __init__(self) -> None:
        self.events: list[SendEvent] = []

    async def __call__(self, event: SendEvent, /) -> None:
        self.events.append(event)


def _receive_from(events: list[ReceiveEvent], last: ReceiveEvent) -> Receive:
    """A ``receive`` that replays ``events``, then returns ``last`` forever."""
    pending = list(events)

    async def receive() -> ReceiveEvent:
        return pending.pop(0) if pending else last

    return receive


def _get_scope() -> HTTPScope:
    """The smallest useful HTTP scope: ``GET /`` with no headers."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "path": "/",
        "query_string": b"",
        "headers": [],
    }


def _completed(events: list[SendEvent]) -> bool:
    """Whether ``events`` hold a started and finished HTTP response."""
    if not events or events[0]["type"] != "http.response.start":
        return False
    last = events[-1]
    if last["type"] == "http.response.body":
        return not last.get("more_body", False)
    return last["type"] in ("http.response.pathsend", "http.response.trailers")


async def _start_lifespan(app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> dict[str, object]:
    """Run the app's lifespan startup as a server does; return the state it filled.

    An app that does not serve the lifespan protocol (returns, or raises on the scope) starts
    with an empty state; one that completes the startup is then shut down.
    """
    state: dict[str, object] = {}
    events: asyncio.Queue[ReceiveEvent] = asyncio.Queue()
    events.put_nowait({"type": "lifespan.startup"})
    sent = _Send()
    scope: LifespanScope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": state}
    task = asyncio.ensure_future(app(scope, events.get, sent))
    async with asyncio.timeout(5):
        while not sent.events and not task.done():
            await asyncio.sleep(0)
    if sent.events == [{"type": "lifespan.startup.complete"}]:
        events.put_nowait({"type": "lifespan.shutdown"})
    else:
        task.cancel()
    await asyncio.wait([task], timeout=5)
    if not task.cancelled():
        task.exception()  # an app without lifespan support may raise on the scope
    return state


async def _drive_app(app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
    """Run the app's lifespan, then call it once with ``GET /`` (and the lifespan state): it
    must answer with a complete response, or a started one it ended because the client left
    (this client disconnects right after its request)."""
    state = await _start_lifespan(app)
    send = _Send()
    request = _receive_from([{"type": "http.request", "body": b""}], {"type": "http.disconnect"})
    disconnects_seen: list[ReceiveEvent] = []

    async def receive() -> ReceiveEvent:
        event = await request()
        if event["type"] == "http.disconnect":
            disconnects_seen.append(event)
        return event

    await asyncio.wait_for(app({**_get_scope(), "state": state}, receive, send), timeout=5)
    client_left = bool(disconnects_seen) and bool(send.events) and send.events[0]["type"] == "http.response.start"
    assert _completed(send.events) or client_left, send.events


def _websocket_scope() -> WebSocketScope:
    """A websocket handshake on a server that offers denial responses."""
    return {
        "type": "websocket",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "path": "/ws",
        "headers": [],
        "subprotocols": ["chat.v2"],
        "extensions": {"websocket.http.response": {}},
    }


def _websocket_receive() -> Receive:
    """A client that connects, sends one JSON text message and leaves."""
    return _receive_from(
        [{"type": "websocket.connect"}, {"type": "websocket.receive", "text": '{"x": 1, "y": 2}'}],
        {"type": "websocket.disconnect", "code": 1000},
    )


def _websocket_answered(events: list[SendEvent]) -> bool:
    """Whether the handshake was accepted, refused, or answered with a denial response."""
    return bool(events) and events[0]["type"] in (
        "websocket.accept",
        "websocket.close",
        "websocket.http.response.start",
    )


async def _drive(run: Awaitable[None], send: _Send, answered: Callable[[list[SendEvent]], bool]) -> None:
    """Await ``run``: it must answer (``answered``) or raise one of asgikit's documented errors.

    A handler that reads a JSON body gets ``MalformedBodyError`` for the empty one, and a
    websocket handler driven with an HTTP request gets ``WebSocketStateError``.
    """
    try:
        await asyncio.wait_for(run, timeout=5)
    except asgikit.AsgiException:
        return
    assert answered(send.events), send.events


async def _drive_request_handler(handler: Callable[[Request], Awaitable[None]]) -> None:
    """Call a ``Request`` handler with ``GET /`` and an empty body, then with a websocket."""
    send = _Send()
    receive = _receive_from([{"type": "http.request", "body": b""}], {"type": "http.disconnect"})
    await _drive(handler(Request(_get_scope(), receive, send)), send, _completed)
    send = _Send()
    await _drive(handler(Request(_websocket_scope(), _websocket_receive(), send)), send, _websocket_answered)


async def _drive_websocket_handler(handler: Callable[[object], Awaitable[None]], accepted: bool) -> None:
    """Call a ``WebSocket`` handler with a new websocket, or an accepted one if it wants that."""
    send = _Send()
    websocket = WebSocket(_websocket_scope(), _websocket_receive(), send)
    await _drive(handler(await websocket.accept() if accepted else websocket), send, _websocket_answered)


def _single_parameter(function: object) -> object:
    """The annotation of the one parameter of a coroutine function, else ``None``."""
    if not inspect.iscoroutinefunction(function):
        return None
    parameters = list(inspect.signature(function).parameters.values())
    return parameters[0].annotation if len(parameters) == 1 else None


def _drive_handlers(module: types.ModuleType) -> None:
    """Drive every coroutine function ``module`` defines that takes a ``Request`` or ``WebSocket``."""
    for value in list(module.__dict__.values()):
        if getattr(value, "__module__", None) != module.__name__:
            continue
        annotation = _single_parameter(value)
        if annotation in (Request, "Request"):  # a string under `from __future__ import annotations`
            asyncio.run(_drive_request_handler(cast("Callable[[Request], Awaitable[None]]", value)))
        elif annotation is WebSocket or get_origin(annotation) is WebSocket or annotation == "WebSocket":
            wants_accepted = "ACCEPTED" in repr(annotation)
            handler = cast("Callable[[object], Awaitable[None]]", value)
            asyncio.run(_drive_websocket_handler(handler, wants_accepted))


def _run_block(block: CodeBlock) -> None:
    """Run ``block`` as a module of its own, then drive the apps and handlers it defines."""
    code = compile(block.source, block.id, "exec", dont_inherit=True)  # not this file's __future__
    name = "docs_example_" + re.sub(r"\W", "_", block.id)
    module = types.ModuleType(name)
    sys.modules[name] = module  # msgspec and dataclasses resolve annotations through it
    try:
        exec(code, module.__dict__)
        app = module.__dict__.get("app")
        if callable(app):
            asyncio.run(_drive_app(cast("Callable[[Scope, Receive, Send], Awaitable[None]]", app)))
        _drive_handlers(module)
    finally:
        del sys.modules[name]


@pytest.mark.parametrize("block", CODE_BLOCKS, ids=[block.id for block in CODE_BLOCKS])
def test_docs_python_example_runs_as_written(block: CodeBlock, tmp_path: Path) -> None:
    if block.fragment:
        compile(block.source, block.id, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
        return
    cwd = Path.cwd()
    os.chdir(tmp_path)  # an example that writes files writes them here
    try:
        _run_block(block)
    finally:
        os.chdir(cwd)


def test_docs_have_python_examples_and_few_fragments() -> None:
    assert len(CODE_BLOCKS) >= 30
    fragments = [block.id for block in CODE_BLOCKS if block.fragment]
    assert len(fragments) <= MAX_FRAGMENTS, fragments
