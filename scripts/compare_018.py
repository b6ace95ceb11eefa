"""Run the same scopes and events through asgikit 0.18.2 and this asgikit; print what differs.

Usage (from the repository root)::

    .venv/bin/python scripts/compare_018.py            # only the cases that differ
    .venv/bin/python scripts/compare_018.py --all      # every case

asgikit 0.18.2 is installed from PyPI into ``.bench/asgikit018`` on first use (the benchmarks
do the same). Both versions import as ``asgikit``, so each runs in its own subprocess
(``--worker``), which prints one JSON object: case name -> what happened, as text. A case is
an async function of the imported ``asgikit`` module; it drives public API only, untyped,
because 0.18.2 has no types. docs/migrating.md describes every difference this prints.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import ModuleType
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent

Case = Callable[[ModuleType], Awaitable[object]]
CASES: dict[str, Case] = {}


def case(function: Case) -> Case:
    """Register ``function`` under its name."""
    CASES[function.__name__] = function
    return function


# --- ASGI plumbing ------------------------------------------------------------------------------


def scope(
    method: str = "GET",
    headers: list[tuple[bytes, bytes]] | None = None,
    query: bytes = b"",
    kind: str = "http",
    **extra: Any,
) -> dict[str, Any]:
    """A complete scope, shaped like uvicorn's."""
    base: dict[str, Any] = {
        "type": kind,
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "scheme": "http" if kind == "http" else "ws",
        "path": "/",
        "raw_path": b"/",
        "query_string": query,
        "root_path": "",
        "headers": headers or [],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    if kind == "http":
        base["method"] = method
    else:
        base["subprotocols"] = []
        base["extensions"] = {"websocket.http.response": {}}
    base.update(extra)
    return base


class Channel:
    """``receive`` replays events (then disconnects); ``send`` records what was sent."""

    def __init__(self, events: list[dict[str, Any]] | None = None, *, websocket: bool = False):
        self.events = list(events or [])
        self.sent: list[dict[str, Any]] = []
        self.websocket = websocket

    async def receive(self) -> dict[str, Any]:
        if self.events:
            return self.events.pop(0)
        return {"type": "websocket.disconnect", "code": 1000} if self.websocket else {"type": "http.disconnect"}

    async def send(self, event: dict[str, Any]) -> None:
        self.sent.append(event)


def body(data: bytes, **extra: Any) -> list[dict[str, Any]]:
    return [{"type": "http.request", "body": data, "more_body": False, **extra}]


def request(kit: ModuleType, channel: Channel, **scope_args: Any) -> Any:
    return kit.Request(scope(**scope_args), channel.receive, channel.send)


def wire(channel: Channel) -> list[dict[str, Any]]:
    """The sent events, with headers as text pairs, for printing."""
    out: list[dict[str, Any]] = []
    for event in channel.sent:
        shown = dict(event)
        if "headers" in shown:
            shown["headers"] = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in shown["headers"]]
        out.append(shown)
    return out


async def outcome(awaitable: Awaitable[object]) -> object:
    """The value, or ``raises Name: message``."""
    try:
        return await awaitable
    except Exception as exc:
        return f"raises {type(exc).__name__}: {exc}"


async def value_of(function: Callable[[], object]) -> object:
    async def wrapped() -> object:
        return function()

    return await outcome(wrapped())


# --- Imports and data structures ----------------------------------------------------------------


@case
async def import_submodule(kit: ModuleType) -> object:
    return await value_of(lambda: __import__("asgikit.requests", fromlist=["Request"]).Request.__name__)


@case
async def multidict_equals_dict(kit: ModuleType) -> object:
    md = kit.MultiDict([("a", "1"), ("a", "2")])
    return {"== dict of lists": md == {"a": ["1", "2"]}, "== MultiDict": md == kit.MultiDict([("a", "1"), ("a", "2")])}


@case
async def multidict_items(kit: ModuleType) -> object:
    md = kit.MultiDict([("a", "1"), ("a", "2"), ("b", "3")])
    return [list(cast("tuple[object, ...]", pair)) for pair in md.items()]


@case
async def multidict_get_returns_a_copy(kit: ModuleType) -> object:
    md = kit.MultiDict([("a", "1")])
    md.get("a").append("x")
    return md.get("a")


@case
async def multidict_is_a_dict(kit: ModuleType) -> object:
    return isinstance(kit.MultiDict(), dict)


@case
async def multidict_from_dict(kit: ModuleType) -> object:
    return await value_of(lambda: kit.MultiDict.from_dict({"a": "1"}).get("a"))


@case
async def multidict_str(kit: ModuleType) -> object:
    return str(kit.MultiDict([("a", "1")]))


# --- Requests -----------------------------------------------------------------------------------


@case
async def minimal_scope_without_method_and_headers(kit: ModuleType) -> object:
    channel = Channel()
    minimal = {"type": "http", "path": "/"}
    req = kit.Request(minimal, channel.receive, channel.send)
    return {
        "method": await value_of(lambda: req.method),
        "headers": await value_of(lambda: len(req.headers)),
        "http_version": await value_of(lambda: req.http_version),
        "respond_text": await outcome(req.respond_text("hi")),
    }


@case
async def scope_keys_added(kit: ModuleType) -> object:
    channel = Channel()
    s = scope()
    await kit.Request(s, channel.receive, channel.send).respond_text("hi")
    return sorted(set(s) - set(scope()))


@case
async def extension_method(kit: ModuleType) -> object:
    return await value_of(lambda: str(request(kit, Channel(), method="PROPFIND").method))


@case
async def lifespan_scope(kit: ModuleType) -> object:
    return await value_of(lambda: kit.Request({"type": "lifespan"}, None, None) and "accepted")


@case
async def query_with_escaped_ampersand(kit: ModuleType) -> object:
    req = request(kit, Channel(), query=b"a=%26b&c=d+e")
    return {"raw_query": req.raw_query, "query": req.query.get("a"), "c": req.query.get_first("c")}


@case
async def no_cookie_header(kit: ModuleType) -> object:
    return repr(request(kit, Channel()).cookies)


@case
async def cookie_values(kit: ModuleType) -> object:
    req = request(kit, Channel(), headers=[(b"cookie", b'a="x\\"y"; flag; b=%20')])
    return {"a": req.cookies.get_first("a"), "b": req.cookies.get_first("b"), "keys": list(req.cookies)}


@case
async def path_params_without_routing(kit: ModuleType) -> object:
    return repr(request(kit, Channel()).path_params)


@case
async def granian_style_scope(kit: ModuleType) -> object:
    req = request(kit, Channel(), http_version="1", server=("127.0.0.1", "8000"), client=["10.0.0.1", 5000])
    return {"http_version": req.http_version, "server": req.server, "client": req.client}


@case
async def body_on_websocket(kit: ModuleType) -> object:
    return await value_of(lambda: request(kit, Channel(), kind="websocket").body)


# --- Request bodies -----------------------------------------------------------------------------


@case
async def body_read_twice(kit: ModuleType) -> object:
    req = request(kit, Channel(body(b"abc")))
    first = await outcome(req.body.read_bytes())
    return {"first": repr(first), "second": repr(await outcome(req.body.read_bytes()))}


@case
async def read_json_empty_body(kit: ModuleType) -> object:
    return await outcome(request(kit, Channel(body(b""))).body.read_json())


@case
async def read_json_malformed(kit: ModuleType) -> object:
    return await outcome(request(kit, Channel(body(b"{"))).body.read_json())


@case
async def read_text_invalid_utf8(kit: ModuleType) -> object:
    return await outcome(request(kit, Channel(body(b"\xff"))).body.read_text())


@case
async def missing_more_body(kit: ModuleType) -> object:
    return repr(await outcome(request(kit, Channel([{"type": "http.request", "body": b"x"}])).body.read_bytes()))


@case
async def read_form_text_plain(kit: ModuleType) -> object:
    req = request(kit, Channel(body(b"a=1")), headers=[(b"content-type", b"text/plain")])
    return repr(await outcome(req.body.read_form()))


@case
async def read_form_without_content_type(kit: ModuleType) -> object:
    return repr(await outcome(request(kit, Channel(body(b"a=1"))).body.read_form()))


@case
async def read_form_urlencoded(kit: ModuleType) -> object:
    headers = [(b"content-type", b"application/x-www-form-urlencoded")]
    req = request(kit, Channel(body(b"a=1&a=2&b=%26")), headers=headers)
    form = await req.body.read_form()
    return {"a": form.get("a"), "b": form.get_first("b")}


async def read_file_part(kit: ModuleType, disposition: bytes, content: bytes) -> Any:
    """The value ``read_form`` gives for one multipart part named ``f``."""
    data = b"--XyZ\r\nContent-Disposition: " + disposition + b"\r\n\r\n" + content + b"\r\n--XyZ--\r\n"
    headers = [(b"content-type", b"multipart/form-data; boundary=XyZ")]
    form = await request(kit, Channel(body(data)), headers=headers).body.read_form()
    return form.get_first("f")


@case
async def multipart_empty_filename(kit: ModuleType) -> object:
    part = await read_file_part(kit, b'form-data; name="f"; filename=""', b"")
    return type(part).__name__


@case
async def multipart_boundary_with_dot(kit: ModuleType) -> object:
    data = b"--a.b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--a.b--\r\n"
    headers = [(b"content-type", b"multipart/form-data; boundary=a.b")]
    return repr(await outcome(request(kit, Channel(body(data)), headers=headers).body.read_form()))


@case
async def body_headers(kit: ModuleType) -> object:
    with_type = request(kit, Channel(), headers=[(b"content-type", b"Application/JSON; Charset=UTF-8")])
    without = request(kit, Channel())
    return {
        "content_type": with_type.body.content_type,
        "charset": with_type.body.charset,
        "charset without content-type": without.body.charset,
    }


@case
async def invalid_content_length(kit: ModuleType) -> object:
    req = request(kit, Channel(body(b"x")), headers=[(b"content-length", b"abc")])
    return await value_of(lambda: req.body.content_type)


# --- Responses ----------------------------------------------------------------------------------


@case
async def respond_text_content_type(kit: ModuleType) -> object:
    channel = Channel()
    await request(kit, channel).respond_text("hi")
    return wire(channel)[0]


@case
async def respond_json_body(kit: ModuleType) -> object:
    channel = Channel()
    await request(kit, channel).respond_json({"a": [1, "é"]})
    return channel.sent[1]["body"].decode()


@case
async def respond_json_nan(kit: ModuleType) -> object:
    channel = Channel()
    result = await outcome(request(kit, channel).respond_json({"x": float("nan")}))
    return result if channel.sent == [] else channel.sent[-1]["body"].decode()


@case
async def respond_json_encoding_argument(kit: ModuleType) -> object:
    channel = Channel()
    return await outcome(request(kit, channel).respond_json({}, encoding="utf-8"))


@case
async def respond_json_set(kit: ModuleType) -> object:
    channel = Channel()
    result = await outcome(request(kit, channel).respond_json({"s": {1}}))
    return result if channel.sent == [] else channel.sent[-1]["body"].decode()


@case
async def head_request_body(kit: ModuleType) -> object:
    channel = Channel()
    await request(kit, channel, method="HEAD").respond_text("hi")
    return wire(channel)


@case
async def redirect_mutates_headers(kit: ModuleType) -> object:
    headers = {"x-a": "1"}
    channel = Channel()
    await request(kit, channel).redirect("/a b", headers=headers)
    return {"caller's dict": headers, "sent": wire(channel)[0]}


@case
async def start_without_status(kit: ModuleType) -> object:
    channel = Channel()
    return await outcome(kit.Response(scope(), channel.receive, channel.send).start())


@case
async def end_twice(kit: ModuleType) -> object:
    channel = Channel()
    response = kit.Response(scope(), channel.receive, channel.send)
    await response.start(200)
    await response.end()
    return await outcome(response.end())


@case
async def header_injection(kit: ModuleType) -> object:
    channel = Channel()
    result = await outcome(request(kit, channel).respond_text("x", headers={"x-a": "1\r\nx-b: 2"}))
    return result if channel.sent == [] else wire(channel)[0]


@case
async def status_out_of_range(kit: ModuleType) -> object:
    channel = Channel()
    result = await outcome(request(kit, channel).respond_text("x", status=100))
    return result if channel.sent == [] else wire(channel)[0]


@case
async def respond_file_unknown_extension(kit: ModuleType) -> object:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "data.unknownext"
        path.write_bytes(b"x")
        channel = Channel()
        result = await outcome(request(kit, channel).respond_file(path))
        return result if channel.sent == [] else wire(channel)[0]["headers"]


@case
async def response_writer_str_chunks(kit: ModuleType) -> object:
    channel = Channel(body(b""))
    req = request(kit, channel, asgi={"version": "3.0", "spec_version": "2.4"})
    async with req.response_writer(media_type="text/plain") as write:
        await write("a")
        await write(b"b")
    return [event.get("body") and event["body"].decode() for event in channel.sent[1:]]


@case
async def response_writer_error_inside_the_block(kit: ModuleType) -> object:
    channel = Channel(body(b""))
    req = request(kit, channel, asgi={"version": "3.0", "spec_version": "2.4"})
    try:
        async with req.response_writer(media_type="text/plain") as write:
            await write(b"partial")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    return [(event["type"], event.get("more_body")) for event in channel.sent]


@case
async def body_over_ten_mib(kit: ModuleType) -> object:
    result = await outcome(request(kit, Channel(body(b"x" * (10 * 1024 * 1024 + 1)))).body.read_bytes())
    return f"{len(result)} bytes" if isinstance(result, bytes) else result


@case
async def uploaded_file_after_copy_to(kit: ModuleType) -> object:
    upload = await read_file_part(kit, b'form-data; name="f"; filename="a.txt"', b"abc")
    with tempfile.TemporaryDirectory() as directory:
        await upload.copy_to(Path(directory) / "copy")
    return {"file closed": upload.file.closed, "media_type": upload.media_type}


# --- Cookies ------------------------------------------------------------------------------------


@case
async def cookie_value_with_space(kit: ModuleType) -> object:
    cookies = kit.Cookies()
    return await value_of(lambda: cookies.set("a", "b c") or "accepted")


@case
async def set_cookie_header(kit: ModuleType) -> object:
    cookies = kit.Cookies()
    cookies.set("a", "b", path="/")
    channel = Channel()
    await request(kit, channel).respond_text("x", cookies=cookies)
    return [pair for pair in wire(channel)[0]["headers"] if pair[0].lower() == "set-cookie"]


@case
async def partitioned_cookie(kit: ModuleType) -> object:
    cookies = kit.Cookies()
    return await value_of(lambda: cookies.set("a", "b", partitioned=True) or "accepted")


# --- WebSockets ---------------------------------------------------------------------------------


def ws_channel(*messages: dict[str, Any]) -> Channel:
    return Channel([{"type": "websocket.connect"}, *messages], websocket=True)


@case
async def websocket_write_json(kit: ModuleType) -> object:
    channel = ws_channel()
    ws = kit.WebSocket(scope(kind="websocket"), channel.receive, channel.send)
    await ws.accept()
    await ws.write_json({"a": [1, 2], "b": "é"})
    return channel.sent[-1]


@case
async def websocket_empty_text(kit: ModuleType) -> object:
    channel = ws_channel({"type": "websocket.receive", "text": ""})
    ws = kit.WebSocket(scope(kind="websocket"), channel.receive, channel.send)
    await ws.accept()
    return repr(await ws.read())


@case
async def websocket_invalid_json(kit: ModuleType) -> object:
    channel = ws_channel({"type": "websocket.receive", "text": "{"})
    ws = kit.WebSocket(scope(kind="websocket"), channel.receive, channel.send)
    await ws.accept()
    return await outcome(ws.read_json())


@case
async def websocket_disconnect_without_code(kit: ModuleType) -> object:
    channel = ws_channel({"type": "websocket.disconnect"})
    ws = kit.WebSocket(scope(kind="websocket"), channel.receive, channel.send)
    await ws.accept()
    return await outcome(ws.read())


@case
async def websocket_close_event(kit: ModuleType) -> object:
    channel = ws_channel()
    ws = kit.WebSocket(scope(kind="websocket"), channel.receive, channel.send)
    await ws.accept()
    await ws.close()
    return channel.sent[-1]


@case
async def websocket_unoffered_subprotocol(kit: ModuleType) -> object:
    channel = ws_channel()
    ws = kit.WebSocket(scope(kind="websocket"), channel.receive, channel.send)
    result = await outcome(ws.accept("chat"))
    return result if result is not None else channel.sent[-1]


@case
async def websocket_invalid_close_code(kit: ModuleType) -> object:
    channel = ws_channel()
    ws = kit.WebSocket(scope(kind="websocket"), channel.receive, channel.send)
    await ws.accept()
    result = await outcome(ws.close(1005))
    return result if result is not None else channel.sent[-1]


@case
async def websocket_accept_returns(kit: ModuleType) -> object:
    channel = ws_channel()
    ws = kit.WebSocket(scope(kind="websocket"), channel.receive, channel.send)
    accepted = await ws.accept()
    return "the websocket" if accepted is ws else repr(accepted)


@case
async def cookies_jar_api(kit: ModuleType) -> object:
    return {name: hasattr(kit.Cookies, name) for name in ("encode", "raw_headers", "__getitem__", "__len__")}


@case
async def websocket_scope_without_subprotocols(kit: ModuleType) -> object:
    channel = ws_channel()
    ws_scope = scope(kind="websocket")
    del ws_scope["subprotocols"]
    return await value_of(lambda: kit.WebSocket(ws_scope, channel.receive, channel.send).subprotocols)


@case
async def websocket_state_values(kit: ModuleType) -> object:
    return {state.name: state.value for state in kit.WebSocketState}


@case
async def request_upgrade(kit: ModuleType) -> object:
    return hasattr(kit.Request, "upgrade")


# --- Driver -------------------------------------------------------------------------------------


def _jsonable(value: object) -> object:
    return json.loads(json.dumps(value, default=repr))


async def _run_all() -> dict[str, object]:
    import asgikit

    return {name: _jsonable(await outcome(function(asgikit))) for name, function in CASES.items()}


def _worker_output(env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--worker"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def main() -> None:
    if "--worker" in sys.argv:
        print(json.dumps(asyncio.run(_run_all())))
        return
    sys.path.insert(0, str(ROOT))
    from benchmarks.inprocess import ASGIKIT018_DIR, ensure_asgikit018

    if not ensure_asgikit018(lambda message: print(message, file=sys.stderr)):
        raise SystemExit(1)
    old = _worker_output(dict(os.environ, PYTHONPATH=str(ASGIKIT018_DIR)))
    new = _worker_output(dict(os.environ))
    show_all = "--all" in sys.argv
    for name in CASES:
        if show_all or old[name] != new[name]:
            print(f"{name}\n  0.18.2: {old[name]}\n  now:    {new[name]}")


if __name__ == "__main__":
    main()
