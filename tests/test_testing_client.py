"""asgikit.testing.Client over HTTP: requests, scopes per server profile, lifespan, streaming,
disconnects, chunked bodies, timeouts and app exceptions. The apps are raw ASGI callables so
that the client is tested on its own, not through asgikit's Request."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Final, cast

import httpx
import pytest

from asgikit import JSONValue, Request
from asgikit.asgi import HTTPScope, Receive, ReceiveEvent, Scope, Send
from asgikit.testing import (
    PROFILES,
    REFERENCE,
    AppTransport,
    Client,
    LifespanError,
    ServerName,
    ServerProfile,
    TransportOptions,
)

SERVER_NAMES: Final[tuple[ServerName, ...]] = ("uvicorn", "hypercorn", "granian", "daphne")


async def read_body(receive: Receive) -> tuple[bytes, list[ReceiveEvent]]:
    """Read the whole request body; return it and every event ``receive`` returned."""
    body, events = b"", list[ReceiveEvent]()
    while True:
        event = await receive()
        events.append(event)
        if event["type"] != "http.request":
            return body, events
        body += event.get("body", b"")
        if not event.get("more_body", False):
            return body, events


async def respond(
    send: Send, status: int, body: bytes, content_type: bytes = b"application/json"
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def scope_summary(scope: HTTPScope) -> dict[str, JSONValue]:
    server, client = scope.get("server"), scope.get("client")
    extensions = scope.get("extensions")
    return {
        "asgi": {key: str(value) for key, value in scope["asgi"].items()},
        "extensions": None if extensions is None else list(sorted(extensions)),
        "has_extensions_key": "extensions" in scope,
        "http_version": scope["http_version"],
        "server": None if server is None else [type(server).__name__, server[0], server[1]],
        "client": None if client is None else [type(client).__name__, client[0], client[1]],
        "has_state": "state" in scope,
        "method": scope["method"],
        "path": scope["path"],
        "raw_path": (scope.get("raw_path") or b"").decode(),
        "query_string": scope.get("query_string", b"").decode(),
        "headers": [[name.decode(), value.decode()] for name, value in scope["headers"]],
    }


async def echo_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers the scope summary and the request body as JSON; no lifespan support."""
    if scope["type"] != "http":
        raise RuntimeError("http only")
    body, events = await read_body(receive)
    summary = scope_summary(scope)
    summary["body"] = body.decode("latin-1")
    summary["body_events"] = len(events)
    await respond(send, 200, json.dumps(summary).encode())


async def test_get_passes_params_headers_and_cookies_into_the_scope() -> None:
    async with Client(echo_app, cookies={"sid": "1"}) as client:
        response = await client.get("/a%20b/c", params={"q": "x y"}, headers={"X-Token": "t"})
    data = response.json()
    assert response.status_code == 200
    assert (data["method"], data["path"], data["raw_path"], data["query_string"]) == (
        "GET",
        "/a b/c",
        "/a%20b/c",
        "q=x+y",
    )
    headers = dict(data["headers"])
    assert headers["host"] == "testserver"
    assert headers["x-token"] == "t"
    assert headers["cookie"] == "sid=1"
    assert all(name == name.lower() for name, _ in data["headers"])


async def test_request_bodies_arrive_as_httpx_encodes_them() -> None:
    async with Client(echo_app) as client:
        raw = await client.post("/", content=b"\x00\xffraw")
        as_json = await client.post("/", json={"a": [1, 2]})
        form = await client.post("/", data={"k": "v w"})
        upload = await client.post("/", files={"f": ("a.txt", b"hello", "text/plain")})
    assert raw.json()["body"] == "\x00\xffraw"
    assert as_json.json()["body"] == '{"a":[1,2]}'
    assert form.json()["body"] == "k=v+w"
    multipart = upload.json()
    content_type = dict(multipart["headers"])["content-type"]
    boundary = content_type.partition("boundary=")[2]
    assert multipart["body"].startswith(f"--{boundary}\r\n")
    assert 'name="f"; filename="a.txt"' in multipart["body"]


@pytest.mark.parametrize("size", [0, 1, 7])
async def test_chunk_size_one_delivers_the_body_byte_by_byte(size: int) -> None:
    async with Client(echo_app, chunk_size=1) as client:
        response = await client.post("/", content=b"x" * size)
    assert response.json()["body"] == "x" * size
    assert response.json()["body_events"] == max(size, 1)


async def test_chunk_size_splits_into_pieces_of_that_size() -> None:
    seen: list[tuple[int, bool]] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        while True:
            event = await receive()
            assert event["type"] == "http.request"
            seen.append((len(event.get("body", b"")), event.get("more_body", False)))
            if not event.get("more_body", False):
                break
        await respond(send, 204, b"")

    async with Client(app, chunk_size=4) as client:
        await client.post("/", content=b"0123456789")
    assert seen == [(4, True), (4, True), (2, False)]


def test_chunk_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="chunk_size must be at least 1"):
        Client(echo_app, chunk_size=0)


def test_an_unknown_option_is_a_type_error_naming_it() -> None:
    misspelt = cast("TransportOptions", {"servr": "uvicorn"})
    with pytest.raises(TypeError, match="unexpected keyword argument 'servr'"):
        Client(echo_app, **misspelt)
    with pytest.raises(TypeError, match="unexpected keyword argument 'servr'"):
        AppTransport(echo_app, **misspelt)


def test_one_options_dict_serves_a_client_and_a_bare_transport_alike() -> None:
    options: TransportOptions = {
        "server": "granian", "chunk_size": 3, "check_conformance": False,
        "raise_app_exceptions": False, "root_path": "/api", "client": ("10.0.0.1", 4242),
        "http_version": "1.0", "shutdown_timeout": 0.5,
    }  # fmt: skip
    transport = Client(echo_app, **options).app_transport
    bare = AppTransport(echo_app, **options)
    for transport_ in (transport, bare):
        assert transport_.profile == PROFILES["granian"]
        assert (transport_.chunk_size, transport_.check_conformance) == (3, False)
        assert (transport_.raise_app_exceptions, transport_.root_path) == (False, "/api")
        assert (transport_.client, transport_.http_version) == (("10.0.0.1", 4242), "1.0")
        assert transport_.shutdown_timeout == 0.5


def test_options_left_out_take_the_documented_defaults() -> None:
    transport = Client(echo_app).app_transport
    assert transport.profile == REFERENCE
    assert (transport.chunk_size, transport.faults) == (None, ())
    assert (transport.check_conformance, transport.raise_app_exceptions) == (True, True)
    assert (transport.root_path, transport.client, transport.http_version) == (
        "", ("127.0.0.1", 50000), "1.1"
    )
    assert transport.shutdown_timeout == 5.0


EXPECTED_SCOPES: Final[dict[str, dict[str, JSONValue]]] = {
    "uvicorn": {
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "extensions": None,
        "has_extensions_key": False,
        "server": ["tuple", "testserver", 80],
        "client": ["tuple", "127.0.0.1", 50000],
    },
    "hypercorn": {
        "asgi": {"version": "3.0", "spec_version": "2.1"},
        "extensions": [],
        "has_extensions_key": True,
        "server": ["tuple", "testserver", 80],
        "client": ["tuple", "127.0.0.1", 50000],
    },
    "granian": {
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "extensions": ["http.response.pathsend", "websocket.http.response"],
        "has_extensions_key": True,
        "server": ["tuple", "testserver", "80"],
        "client": ["tuple", "127.0.0.1", "50000"],
    },
    "daphne": {
        "asgi": {"version": "3.0"},
        "extensions": None,
        "has_extensions_key": False,
        "server": ["list", "testserver", 80],
        "client": ["list", "127.0.0.1", 50000],
    },
}


@pytest.mark.parametrize("server", SERVER_NAMES)
async def test_server_profiles_shape_the_scope_like_the_server(server: ServerName) -> None:
    async with Client(echo_app, server=server) as client:
        data = (await client.get("/")).json()
    expected = EXPECTED_SCOPES[server]
    assert {key: data[key] for key in expected} == expected
    assert data["http_version"] == "1.1"


async def test_granian_spells_http_1_0_as_1() -> None:
    async with Client(echo_app, server="granian", http_version="1.0") as client:
        assert (await client.get("/")).json()["http_version"] == "1"
    async with Client(echo_app, server="uvicorn", http_version="1.0") as client:
        assert (await client.get("/")).json()["http_version"] == "1.0"


async def test_spec_version_and_extensions_override_the_profile() -> None:
    extensions: dict[str, dict[object, object]] = {"http.response.trailers": {}}
    async with Client(
        echo_app, server="hypercorn", spec_version="2.4", extensions=extensions
    ) as client:
        data = (await client.get("/")).json()
    assert data["asgi"] == {"version": "3.0", "spec_version": "2.4"}
    assert data["extensions"] == ["http.response.trailers"]


async def test_default_profile_is_the_newest_spec_with_every_extension() -> None:
    async with Client(echo_app) as client:
        data = (await client.get("/")).json()
    assert data["asgi"] == {"version": "3.0", "spec_version": "2.5"}
    assert data["extensions"] == [
        "http.response.early_hint",
        "http.response.pathsend",
        "http.response.trailers",
        "http.response.zerocopysend",
    ]


def test_unknown_server_and_bad_spec_version_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown server 'nginx'"):
        Client(echo_app, server=cast("ServerName", "nginx"))
    with pytest.raises(ValueError, match=r"spec_version must look like '2\.3'"):
        Client(echo_app, spec_version="two")


def test_profiles_are_exported_by_name() -> None:
    assert set(PROFILES) == set(SERVER_NAMES)
    assert all(isinstance(profile, ServerProfile) for profile in PROFILES.values())
    assert PROFILES["daphne"].lifespan is False


# Lifespan


class LifespanApp:
    """Records lifespan events; ``/state`` answers what the scope's state holds."""

    def __init__(self, *, fail_startup: str | None = None) -> None:
        self.log: list[str] = []
        self.fail_startup = fail_startup

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            state = scope.get("state")
            assert state is not None
            while True:
                event = await receive()
                self.log.append(event["type"])
                if event["type"] == "lifespan.startup":
                    if self.fail_startup is not None:
                        await send(
                            {"type": "lifespan.startup.failed", "message": self.fail_startup}
                        )
                        return
                    state["counter"] = 0
                    state["shared"] = []
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] == "http":
            self.log.append("request")
            state = scope.get("state")
            await read_body(receive)
            if state is None:
                await respond(send, 200, b"null")
                return
            counter = cast("int", state["counter"])
            state["counter"] = counter + 1  # a copy: invisible to later requests
            cast("list[int]", state["shared"]).append(counter)  # shared object: visible
            await respond(
                send, 200, json.dumps({"counter": counter, "shared": state["shared"]}).encode()
            )


async def test_lifespan_runs_around_the_block_and_state_is_copied_shallowly() -> None:
    app = LifespanApp()
    async with Client(app) as client:
        assert app.log == ["lifespan.startup"]
        first = (await client.get("/")).json()
        second = (await client.get("/")).json()
        assert client.state is not None
    assert app.log == ["lifespan.startup", "request", "request", "lifespan.shutdown"]
    assert first == {"counter": 0, "shared": [0]}
    assert second == {"counter": 0, "shared": [0, 0]}
    assert client.state is None


async def test_lifespan_startup_failure_raises_with_the_apps_message() -> None:
    with pytest.raises(LifespanError, match="lifespan startup failed: no database") as caught:
        async with Client(LifespanApp(fail_startup="no database")):
            pytest.fail("the block must not run")
    assert caught.value.message == "no database"


async def test_apps_without_lifespan_support_are_fine() -> None:
    async def returns(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await respond(send, 200, b"{}")

    for app in (echo_app, returns):  # raises on lifespan / returns at once
        async with Client(app) as client:
            assert (await client.get("/")).status_code == 200
            assert client.state is None


async def test_daphne_profile_runs_no_lifespan_and_sends_no_state() -> None:
    app = LifespanApp()
    async with Client(app, server="daphne") as client:
        assert (await client.get("/")).content == b"null"
    assert app.log == ["request"]


# Streaming and disconnects


async def test_stream_yields_the_first_chunk_while_the_app_still_runs() -> None:
    release = asyncio.Event()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"first", "more_body": True})
        await release.wait()
        await send({"type": "http.response.body", "body": b"second"})

    async with Client(app) as client, client.stream("GET", "/") as response:
        chunks = response.aiter_raw()
        assert await anext(chunks) == b"first"
        release.set()
        assert [chunk async for chunk in chunks] == [b"second"]


class Streamer:
    """Streams until told otherwise; records how the disconnect looked from the app."""

    def __init__(self) -> None:
        self.outcome: str | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        try:
            for _ in range(1000):
                await send({"type": "http.response.body", "body": b"tick", "more_body": True})
                await asyncio.sleep(0.001)
        except OSError as exc:
            self.outcome = f"OSError: {exc}"
            raise
        self.outcome = f"completed; receive -> {(await receive())['type']}"


@pytest.mark.parametrize(
    ("spec", "outcome"), [("2.4", "OSError: the client disconnected"), ("2.3", None)]
)
async def test_leaving_a_stream_early_is_a_disconnect_shown_as_the_spec_says(
    spec: str, outcome: str | None
) -> None:
    app = Streamer()
    async with (
        Client(app, spec_version=spec, shutdown_timeout=0.2) as client,
        client.stream("GET", "/") as response,
    ):
        assert await anext(response.aiter_raw()) == b"tick"
    # spec 2.4: send raises (the OSError escaping the app is not an app error);
    # spec 2.3: sends are dropped silently and the app is cancelled after shutdown_timeout.
    assert app.outcome == outcome


async def test_spec_2_3_app_sees_http_disconnect_from_receive_after_leaving() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await read_body(receive)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"x", "more_body": True})
        seen.append((await receive())["type"])
        await send({"type": "http.response.body", "body": b"dropped", "more_body": True})
        seen.append("send returned")

    async with Client(app, server="uvicorn") as client, client.stream("GET", "/") as response:
        assert await anext(response.aiter_raw()) == b"x"
    assert seen == ["http.disconnect", "send returned"]


async def test_receive_after_a_complete_response_reports_disconnect() -> None:
    after: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await read_body(receive)
        await respond(send, 200, b"{}")
        after.append((await receive())["type"])

    async with Client(app) as client:
        await client.get("/")
    assert after == ["http.disconnect"]


async def test_asgikit_streaming_response_notices_the_disconnect_on_every_profile() -> None:
    outcomes: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        request = Request(scope, receive, send)
        try:
            async with request.response_writer(media_type="text/plain") as write:
                for _ in range(500):
                    await write(b"x" * 100)
                    await asyncio.sleep(0.002)
        except Exception as exc:
            outcomes.append(type(exc).__name__)
            return
        outcomes.append("completed")

    for server in (None, *SERVER_NAMES):
        async with Client(app, server=server) as client, client.stream("GET", "/") as response:
            async for _ in response.aiter_raw():
                break
            await asyncio.sleep(0.1)  # past asgikit's 50 ms watcher threshold
    assert outcomes == ["ClientDisconnectError"] * 5


async def test_head_responses_drop_the_body_the_app_sends() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await respond(send, 200, b"body!", b"text/plain")

    async with Client(app) as client:
        response = await client.head("/")
    assert (response.status_code, response.headers["content-length"], response.content) == (
        200,
        "5",
        b"",
    )


# Timeouts and app errors


async def test_an_app_that_never_responds_times_out_and_is_cancelled() -> None:
    cancelled = asyncio.Event()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async with Client(app, timeout=0.1) as client:
        with pytest.raises(httpx.ReadTimeout, match="did not start a response in time"):
            await client.get("/")
    assert cancelled.is_set()


async def test_app_exceptions_are_raised_or_become_a_500() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raise LookupError("boom")

    async with Client(app) as client:
        with pytest.raises(LookupError, match="boom"):
            await client.get("/")
    async with Client(app, raise_app_exceptions=False) as client:
        response = await client.get("/")
    assert (response.status_code, response.text) == (500, "Internal Server Error")


async def test_exception_after_the_response_started_is_raised_when_the_body_ends() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"partial", "more_body": True})
        raise LookupError("mid-stream")

    async with Client(app) as client:
        with pytest.raises(LookupError, match="mid-stream"):
            await client.get("/")


# Extensions the reference profile offers


async def test_trailers_early_hints_and_events_are_in_the_response_extensions() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.early_hint", "links": [b"</a.css>; rel=preload"]})
        await send({"type": "http.response.start", "status": 200, "headers": [], "trailers": True})
        await send({"type": "http.response.body", "body": b"data"})
        await send({"type": "http.response.trailers", "headers": [(b"x-checksum", b"abc")]})

    async with Client(app) as client:
        response = await client.get("/")
    assert response.content == b"data"
    assert response.extensions["trailers"] == [(b"x-checksum", b"abc")]
    assert response.extensions["early_hints"] == [[b"</a.css>; rel=preload"]]
    assert [event["type"] for event in response.extensions["asgi_events"]] == [
        "http.response.early_hint",
        "http.response.start",
        "http.response.body",
        "http.response.trailers",
    ]


async def test_pathsend_and_zerocopysend_serve_the_file(tmp_path: Path) -> None:
    target = tmp_path / "data.bin"
    target.write_bytes(bytes(range(256)) * 1000)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        if scope["type"] == "http" and scope["path"] == "/path":
            await send({"type": "http.response.pathsend", "path": str(target)})
            return
        with target.open("rb") as file:
            await send(
                {"type": "http.response.zerocopysend", "file": file, "offset": 10, "count": 100_000}
            )

    async with Client(app) as client:
        by_path = await client.get("/path")
        by_fd = await client.get("/fd")
    assert by_path.content == target.read_bytes()
    assert by_fd.content == target.read_bytes()[10:100_010]


async def test_asgikit_respond_file_sends_body_events_even_where_pathsend_is_offered() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        await Request(scope, receive, send).respond_file(Path(__file__))

    async with Client(app, server="granian") as client:
        response = await client.get("/")
    assert response.content == Path(__file__).read_bytes()
    kinds = [event["type"] for event in response.extensions["asgi_events"]]
    # asgikit sends from the descriptor it opened, never by path (docs/files.md).
    assert kinds[0] == "http.response.start"
    assert set(kinds[1:]) == {"http.response.body"}


def test_importing_asgikit_does_not_import_httpx_or_hypothesis() -> None:
    code = "import sys, asgikit, asgikit.asgi; print(sorted({'httpx', 'hypothesis'} & set(sys.modules)))"
    import subprocess

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
