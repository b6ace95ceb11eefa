"""The examples, driven in process through ``asgikit.testing.Client``: HTTP, websockets and
lifespan, with every event the apps send checked against the ASGI protocol."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from examples import chat, demo, files, forms, hello, ndjson_stream, router, sse
from examples.chat import ChatRoom
from examples.router import PathParams, Router

from asgikit import Request
from asgikit.asgi import ASGIApp
from asgikit.testing import (
    Client,
    DisconnectAfterResponseEvents,
    SendFailsAt,
    WebSocketClosed,
    WebSocketDenied,
)

EXAMPLES = Path(files.__file__).resolve().parent

# Every example is an ASGI application (checked statically by mypy and pyright).
APPS: list[ASGIApp] = [
    hello.app,
    forms.app,
    ndjson_stream.app,
    sse.app,
    files.app,
    chat.app,
    router.app,
    demo.app,
]


# hello


async def test_hello_greets_in_plain_text() -> None:
    async with Client(hello.app) as client:
        default = await client.get("/")
        named = await client.get("/", params={"name": "Ada"})
    assert default.status_code == 200
    assert default.headers["content-type"] == "text/plain; charset=utf-8"
    assert default.content == b"Hello, world!"
    assert named.content == b"Hello, Ada!"


async def test_hello_answers_json() -> None:
    async with Client(hello.app) as client:
        response = await client.get("/json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == b'{"message":"Hello, world!","path":"/json"}'


async def test_hello_unknown_path_is_404() -> None:
    async with Client(hello.app) as client:
        response = await client.get("/nope")
    assert (response.status_code, response.content) == (404, b"Not Found")


# forms


async def test_forms_page_has_both_forms() -> None:
    async with Client(forms.app) as client:
        response = await client.get("/")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == forms.PAGE


async def test_forms_urlencoded_fields_keep_every_value() -> None:
    async with Client(forms.app) as client:
        response = await client.post(
            "/submit",
            content=b"name=Ada+Lovelace&tag=a&tag=b&amp=%26",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code == 200
    assert response.content == (
        b'{"fields":{"name":["Ada Lovelace"],"tag":["a","b"],"amp":["&"]},"files":[]}'
    )


async def test_forms_multipart_upload_reports_files_with_safe_names() -> None:
    async with Client(forms.app) as client:
        response = await client.post(
            "/submit",
            data={"note": "hello"},
            files=[
                ("upload", ("report.txt", b"12345", "text/plain")),
                ("upload", ("../../etc/passwd", b"root", "application/octet-stream")),
            ],
        )
    assert response.status_code == 200
    assert response.json() == {
        "fields": {"note": ["hello"]},
        "files": [
            {
                "field": "upload",
                "filename": "report.txt",
                "safe_filename": "report.txt",
                "media_type": "text/plain",
                "size": 5,
            },
            {
                "field": "upload",
                "filename": "../../etc/passwd",
                "safe_filename": "passwd",
                "media_type": "application/octet-stream",
                "size": 4,
            },
        ],
    }


async def test_forms_too_many_fields_is_413() -> None:
    body = "&".join(f"f{i}=x" for i in range(forms.MAX_FIELDS + 1)).encode()
    async with Client(forms.app) as client:
        response = await client.post(
            "/submit", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
        )
    assert response.status_code == 413
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert str(forms.MAX_FIELDS) in response.text


async def test_forms_field_over_max_field_size_is_413() -> None:
    async with Client(forms.app) as client:
        response = await client.post(
            "/submit", data={"note": "x" * (forms.MAX_FIELD_SIZE + 1)}, files={"f": ("a.txt", b"a")}
        )
    assert response.status_code == 413
    assert str(forms.MAX_FIELD_SIZE) in response.text


async def test_forms_too_many_files_is_413() -> None:
    uploads = [("upload", (f"{i}.txt", b"x", "text/plain")) for i in range(forms.MAX_FILES + 1)]
    async with Client(forms.app) as client:
        response = await client.post("/submit", files=uploads)
    assert response.status_code == 413
    assert str(forms.MAX_FILES) in response.text


async def test_forms_other_content_type_is_415() -> None:
    async with Client(forms.app) as client:
        response = await client.post("/submit", json={"a": 1})
    assert response.status_code == 415


# ndjson


async def test_ndjson_streams_each_line() -> None:
    async with Client(ndjson_stream.app) as client:
        response = await client.get("/", params={"count": "3", "delay_ms": "0"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson"
    assert "content-length" not in response.headers
    assert response.content == b'{"n":0,"square":0}\n{"n":1,"square":1}\n{"n":2,"square":4}\n'


@pytest.mark.parametrize("query", ["count=-1", "count=x", "count=10001", "delay_ms=99999999999"])
async def test_ndjson_rejects_bad_parameters(query: str) -> None:
    async with Client(ndjson_stream.app) as client:
        response = await client.get(f"/?{query}")
    assert (response.status_code, response.content) == (400, b"count: 0-10000, delay_ms: 0-10000")


async def test_ndjson_zero_lines_is_an_empty_body() -> None:
    async with Client(ndjson_stream.app) as client:
        response = await client.get("/?count=0")
    assert (response.status_code, response.content) == (200, b"")


# server-sent events


async def test_sse_clock_sends_tick_events(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sse, "now", lambda: "12:34:56")
    async with Client(sse.app) as client:
        response = await client.get("/", params={"count": "3", "interval_ms": "0"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert response.text == (
        "event: tick\nid: 0\nretry: 1000\ndata: 12:34:56\n\n"
        "event: tick\nid: 1\ndata: 12:34:56\n\n"
        "event: tick\nid: 2\ndata: 12:34:56\n\n"
    )


async def test_sse_clock_waits_between_ticks() -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    events = [event async for event in sse.clock_events(3, 50)]
    assert loop.time() - started >= 0.1
    assert [event.id for event in events] == ["0", "1", "2"]


async def test_sse_rejects_zero_count() -> None:
    async with Client(sse.app) as client:
        response = await client.get("/?count=0")
    assert response.status_code == 400


# files


async def test_files_serves_a_whole_file_with_validators() -> None:
    data = (EXAMPLES / "hello.py").read_bytes()
    async with Client(files.app) as client:
        response = await client.get("/files/hello.py")
    assert response.status_code == 200
    assert response.content == data
    assert response.headers["content-type"] == "text/x-python; charset=utf-8"
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["etag"].startswith('"')
    assert "content-disposition" not in response.headers


async def test_files_range_download_and_304() -> None:
    data = (EXAMPLES / "hello.py").read_bytes()
    async with Client(files.app) as client:
        etag = (await client.get("/files/hello.py")).headers["etag"]
        part = await client.get("/files/hello.py?download=1", headers={"range": "bytes=0-9"})
        cached = await client.get("/files/hello.py", headers={"if-none-match": etag})
    assert part.status_code == 206
    assert part.content == data[:10]
    assert part.headers["content-range"] == f"bytes 0-9/{len(data)}"
    assert part.headers["content-disposition"] == 'attachment; filename="hello.py"'
    assert (cached.status_code, cached.content, cached.headers["etag"]) == (304, b"", etag)


@pytest.mark.parametrize(
    "path", ["/files/nope.py", "/files/..%2Fpyproject.toml", "/files/", "/other"]
)
async def test_files_refuses_unknown_and_traversing_names(path: str) -> None:
    async with Client(files.app) as client:
        response = await client.get(path)
    assert (response.status_code, response.content) == (404, b"Not Found")


# chat


@pytest.fixture
def fresh_room(monkeypatch: pytest.MonkeyPatch) -> ChatRoom:
    room = ChatRoom()
    monkeypatch.setattr(chat, "room", room)
    return room


async def test_chat_broadcasts_to_every_member(fresh_room: ChatRoom) -> None:
    async with Client(chat.app) as client:
        async with client.websocket_connect("/ws") as alice, client.websocket_connect("/ws") as bob:
            await alice.send_text("hi bob")
            expected = '{"from":"guest-1","text":"hi bob"}'
            assert await alice.receive_text() == expected
            assert await bob.receive_text() == expected
            await alice.close()
            assert len(fresh_room) == 1
            await bob.send_text("alone")
            assert await bob.receive_text() == '{"from":"guest-2","text":"alone"}'
        assert len(fresh_room) == 0


async def test_chat_cuts_long_messages_and_ignores_binary(fresh_room: ChatRoom) -> None:
    async with Client(chat.app) as client, client.websocket_connect("/ws") as ws:
        await ws.send_bytes(b"ignored")
        await ws.send_text("x" * (chat.MAX_MESSAGE_LENGTH + 5))
        assert (
            await ws.receive_text()
            == '{"from":"guest-1","text":"' + "x" * chat.MAX_MESSAGE_LENGTH + '"}'
        )


async def test_chat_drops_members_whose_connection_is_gone(fresh_room: ChatRoom) -> None:
    async with Client(chat.app) as client, client.websocket_connect("/ws") as alice:
        with client.inject(SendFailsAt(2)):  # accept works, the first broadcast to it fails
            async with client.websocket_connect("/ws") as gone:
                await alice.send_text("anyone?")
                assert await alice.receive_text() == '{"from":"guest-1","text":"anyone?"}'
                assert len(fresh_room) == 1
                assert gone.close_code == 1006
    assert len(fresh_room) == 0


async def test_chat_refuses_other_paths_and_plain_http(fresh_room: ChatRoom) -> None:
    async with Client(chat.app) as client:
        with pytest.raises(WebSocketDenied) as denied:
            async with client.websocket_connect("/elsewhere"):
                pytest.fail("the handshake must be refused")
        response = await client.get("/ws")
    assert denied.value.response.status_code == 403
    assert (response.status_code, response.content) == (404, b"connect a websocket to /ws")


async def test_chat_member_leaving_during_handshake_is_not_an_error(fresh_room: ChatRoom) -> None:
    async with Client(chat.app) as client:
        with client.inject(DisconnectAfterResponseEvents(0)), pytest.raises(WebSocketClosed):
            async with client.websocket_connect("/ws"):
                pytest.fail("the client left during the handshake")
    assert len(fresh_room) == 0


# router


async def test_router_path_parameters_and_methods() -> None:
    async with Client(router.app) as client:
        get = await client.get("/users/42")
        delete = await client.delete("/users/42")
        nested = await client.get("/files/a/b/c.txt")
    assert (get.status_code, get.content) == (200, b'{"id":"42"}')
    assert (delete.status_code, delete.content) == (204, b"")
    assert nested.content == b'{"name":"a/b/c.txt"}'


async def test_router_head_uses_the_get_handler_without_body() -> None:
    async with Client(router.app) as client:
        response = await client.head("/users/7")
    assert response.status_code == 200
    assert response.headers["content-length"] == str(len(b'{"id":"7"}'))
    assert response.content == b""


async def test_router_405_lists_allowed_methods() -> None:
    async with Client(router.app) as client:
        response = await client.post("/users/42")
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET"
    assert response.content == b"Method Not Allowed"


@pytest.mark.parametrize("path", ["/nope", "/users/", "/users/1/extra", "/files/"])
async def test_router_404_for_unknown_paths(path: str) -> None:
    async with Client(router.app) as client:
        response = await client.get(path)
    assert (response.status_code, response.content) == (404, b"Not Found")


def test_router_compiles_patterns() -> None:
    assert router.compile_pattern("/a.b/{x}").pattern == r"/a\.b/(?P<x>[^/]+)"
    assert router.compile_pattern("/f/{rest:path}").fullmatch("/f/x/y") is not None
    with pytest.raises(ValueError, match="must start with '/'"):
        router.compile_pattern("users/{id}")


async def test_router_turns_body_errors_into_their_status() -> None:
    app = Router()

    @app.route("/echo", "POST")
    async def echo(request: Request, params: PathParams) -> None:
        await request.respond_json(await request.body.read_json())

    async with Client(app) as client:
        good = await client.post("/echo", content=b"[1,2]")
        bad = await client.post("/echo", content=b"[1,")
    assert (good.status_code, good.content) == (200, b"[1,2]")
    assert bad.status_code == 400
    assert bad.text.startswith("the request body is not valid JSON")


async def test_router_refuses_unrouted_websockets() -> None:
    async with Client(router.app) as client:
        with pytest.raises(WebSocketDenied, match="HTTP 403"):
            async with client.websocket_connect("/users/1"):
                pytest.fail("the handshake must be refused")


async def test_router_answers_the_lifespan_protocol() -> None:
    async with Client(router.app) as client:
        assert client.state == {}  # startup completed: the lifespan state reaches requests


# demo


async def test_demo_index_is_self_contained_html() -> None:
    async with Client(demo.app) as client:
        response = await client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    assert page == demo.INDEX
    for needle in (
        '<form id="upload-form" method="post" action="/upload" enctype="multipart/form-data">',
        '"/ws/chat"',
        'new EventSource("/clock")',
        'href="/hello.json"',
        'href="/files/demo.py?download=1"',
    ):
        assert needle in page
    for external in ("<script src", "<link", "<img", "@import", "http://", "https://"):
        assert external not in page


async def test_demo_upload_shows_file_name_size_and_fields() -> None:
    async with Client(demo.app) as client:
        response = await client.post(
            "/upload",
            data={"name": "Ada", "comment": "<hi> & bye"},
            files={"file": ("report <1>.txt", b"x" * 1234, "text/plain")},
        )
    assert response.status_code == 200
    assert response.text == (
        "<!doctype html>\n"
        '<html lang="en">\n'
        '<head><meta charset="utf-8"><title>Upload received</title></head>\n'
        "<body>\n"
        "<h1>Upload received</h1>\n"
        "<h2>Fields</h2>\n"
        '<dl id="fields">\n'
        "<dt>name</dt>\n<dd>Ada</dd>\n"
        "<dt>comment</dt>\n<dd>&lt;hi&gt; &amp; bye</dd>\n"
        "</dl>\n"
        "<h2>Files</h2>\n"
        '<ul id="files">\n'
        '<li><span class="filename">report &lt;1&gt;.txt</span>: '
        '<span class="size">1234</span> bytes (text/plain)</li>\n'
        "</ul>\n"
        '<p><a href="/">Back</a></p>\n'
        "</body>\n"
        "</html>\n"
    )


async def test_demo_upload_refusal_is_an_html_page_with_the_status() -> None:
    uploads = [("file", (f"{i}.txt", b"x", "text/plain")) for i in range(forms.MAX_FILES + 1)]
    async with Client(demo.app) as client:
        response = await client.post("/upload", files=uploads)
    assert response.status_code == 413
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Upload refused</h1>" in response.text


async def test_demo_routes_the_other_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sse, "now", lambda: "00:00:00")
    async with Client(demo.app) as client:
        text = await client.get("/hello")
        json = await client.get("/hello.json")
        clock = await client.get("/clock?count=1&interval_ms=0")
        ndjson = await client.get("/ndjson?count=2&delay_ms=0")
        source = await client.get("/files/demo.py", headers={"range": "bytes=0-2"})
        missing = await client.get("/files/missing.py")
        wrong_method = await client.get("/upload")
    assert text.content == b"Hello, world!"
    assert json.content == b'{"message":"Hello, world!"}'
    assert clock.text == "event: tick\nid: 0\nretry: 1000\ndata: 00:00:00\n\n"
    assert ndjson.content == b'{"n":0,"square":0}\n{"n":1,"square":1}\n'
    assert (source.status_code, source.content) == (206, b'"""')
    assert missing.status_code == 404
    assert (wrong_method.status_code, wrong_method.headers["allow"]) == (405, "POST")


async def test_demo_chat_broadcasts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "chat_room", ChatRoom())
    async with (
        Client(demo.app) as client,
        client.websocket_connect("/ws/chat") as first,
        client.websocket_connect("/ws/chat") as second,
    ):
        await second.send_text("hello everyone")
        expected = '{"from":"guest-2","text":"hello everyone"}'
        assert await first.receive_text() == expected
        assert await second.receive_text() == expected


async def test_demo_answers_the_lifespan_protocol() -> None:
    async with Client(demo.app) as client:
        assert client.state == {}
