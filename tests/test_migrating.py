"""This version's side of every difference from asgikit 0.18 that docs/migrating.md lists.

``scripts/compare_018.py`` runs the same cases through the published 0.18.2 and prints both
sides; these tests pin ours, so the migration guide cannot drift from the code.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from http import HTTPMethod
from pathlib import Path
from typing import cast

import pytest

from asgikit import (
    BodyTooLargeError,
    Cookies,
    InvalidContentLengthError,
    InvalidHeaderError,
    MalformedBodyError,
    MultiDict,
    MultipartBoundaryError,
    Request,
    RequestBodyError,
    Response,
    UnsupportedMediaTypeError,
    UploadedFile,
    WebSocket,
    WebSocketDisconnect,
    WebSocketMessageError,
    WebSocketStateError,
)
from asgikit.asgi import HTTPRequestEvent, HTTPScope, ReceiveEvent, SendEvent, WebSocketScope
from tests.conftest import Recorder, Script, http_scope, websocket_scope

BOUNDARY = b"XyZ"


def request_with(
    body: bytes = b"",
    *,
    headers: list[tuple[bytes, bytes]] | None = None,
    method: str = "GET",
    query_string: bytes = b"",
    recorder: Recorder | None = None,
) -> Request:
    event: HTTPRequestEvent = {"type": "http.request", "body": body, "more_body": False}
    scope = http_scope(headers=headers, method=method, query_string=query_string)
    return Request(scope, Script([event]), recorder or Recorder())


def multipart(*parts: bytes) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    body = b"".join(b"--" + BOUNDARY + b"\r\n" + part + b"\r\n" for part in parts) + b"--" + BOUNDARY + b"--\r\n"
    return body, [(b"content-type", b"multipart/form-data; boundary=" + BOUNDARY)]


# Imports


@pytest.mark.parametrize(
    "module", ["asgikit.requests", "asgikit.responses", "asgikit.multidict", "asgikit.exceptions"]
)
def test_018_submodules_are_gone(module: str) -> None:
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(module)


# MultiDict


def test_multidict_compares_to_multidicts_not_to_dicts() -> None:
    form = MultiDict([("tag", "a"), ("tag", "b"), ("q", "x")])
    assert form != {"tag": ["a", "b"], "q": ["x"]}
    assert form.to_dict() == {"tag": ["a", "b"], "q": ["x"]}
    assert form == MultiDict([("q", "x"), ("tag", "a"), ("tag", "b")])
    assert form != MultiDict([("tag", "b"), ("tag", "a"), ("q", "x")])
    assert dict not in type(form).__mro__


def test_multidict_items_are_pairs_and_lists_are_per_key() -> None:
    form = MultiDict([("tag", "a"), ("tag", "b"), ("q", "x")])
    assert form.items() == [("tag", "a"), ("tag", "b"), ("q", "x")]
    assert form.lists() == [("tag", ["a", "b"]), ("q", ["x"])]
    assert str(form) == "MultiDict([('tag', 'a'), ('tag', 'b'), ('q', 'x')])"


def test_multidict_lookups_return_new_lists() -> None:
    form = MultiDict[str]([("tag", "a")])
    for values in (form.get("tag", []), form["tag"], form.values()[0]):
        values.append("c")
    assert form.get("tag") == ["a"]
    assert not hasattr(MultiDict, "from_dict")


def test_request_cookies_are_an_empty_multidict_and_kept_as_sent() -> None:
    assert request_with().cookies == MultiDict()
    cookies = request_with(headers=[(b"cookie", b'a="x\\"y"; flag; b=%20')]).cookies
    assert cookies.items() == [("a", 'x\\"y'), ("b", "%20")]


# Requests


def test_extension_methods_are_str_and_standard_ones_http_method() -> None:
    assert request_with(method="PROPFIND").method == "PROPFIND"
    assert request_with(method="GET").method is HTTPMethod.GET


def test_raw_query_is_as_sent_and_query_splits_before_decoding() -> None:
    request = request_with(query_string=b"a=%26b&c=d+e")
    assert request.raw_query == "a=%26b&c=d+e"
    assert request.query.to_dict() == {"a": ["&b"], "c": ["d e"]}


def test_missing_optional_scope_keys_read_as_defaults() -> None:
    scope = cast("HTTPScope", {"type": "http", "method": "GET", "path": "/", "headers": []})
    request = Request(scope, Script(), Recorder())
    assert (request.http_version, request.scheme, request.root_path) == ("1.1", "http", "")
    assert (request.raw_path, request.client, request.state) == (None, None, None)


def test_addresses_versions_and_path_params_are_normalised() -> None:
    scope = cast(
        "HTTPScope",
        {**http_scope(), "http_version": "1", "server": ("127.0.0.1", "8000"), "client": ["10.0.0.1", 5000]},
    )
    request = Request(scope, Script(), Recorder())
    assert (request.http_version, request.server, request.client) == (
        "1.0",
        ("127.0.0.1", 8000),
        ("10.0.0.1", 5000),
    )
    assert request.path_params == {}
    ws_scope = {key: value for key, value in websocket_scope().items() if key != "subprotocols"}
    without_subprotocols = cast("WebSocketScope", ws_scope)
    assert WebSocket(without_subprotocols, Script(), Recorder()).subprotocols == []


def test_wrong_scope_types_raise_typed_errors() -> None:
    with pytest.raises(ValueError, match="lifespan"):
        lifespan = cast("HTTPScope", {"type": "lifespan", "asgi": {"version": "3.0"}})  # untyped caller
        Request(lifespan, Script(), Recorder())
    with pytest.raises(WebSocketStateError):
        _ = Request(websocket_scope(), Script(), Recorder()).body
    assert not hasattr(Request, "upgrade")


async def test_the_smallest_scope_needs_method_and_headers() -> None:
    sent: list[SendEvent] = []

    async def receive() -> ReceiveEvent:
        return {"type": "http.request", "body": b""}

    async def send(event: SendEvent) -> None:
        sent.append(event)

    scope = cast("HTTPScope", {"type": "http", "method": "GET", "path": "/", "headers": []})
    await Request(scope, receive, send).respond_text("hello")
    assert sent[-1] == {"type": "http.response.body", "body": b"hello"}
    assert set(scope) == {"type", "method", "path", "headers", "asgikit.connection"}


# Request bodies


async def test_a_body_read_in_full_can_be_read_again() -> None:
    request = request_with(b'{"a": 1}')
    assert await request.body.read_bytes() == b'{"a": 1}'
    assert await request.body.read_text() == '{"a": 1}'
    assert await request.body.read_json() == {"a": 1}
    assert await Request(request.scope, request.receive, request.send).body.read_bytes() == b'{"a": 1}'


async def test_read_json_of_an_empty_body_is_a_400() -> None:
    with pytest.raises(MalformedBodyError) as info:
        await request_with(b"").body.read_json()
    assert info.value.status_code == 400


@pytest.mark.parametrize(("data", "read"), [(b"{", "read_json"), (b"\xff", "read_text")])
async def test_body_errors_are_request_body_errors_not_value_errors(data: bytes, read: str) -> None:
    body = request_with(data).body
    with pytest.raises(MalformedBodyError) as info:
        await (body.read_json() if read == "read_json" else body.read_text())
    assert isinstance(info.value, RequestBodyError)
    assert not isinstance(info.value, ValueError)


async def test_bodies_stop_at_ten_mib_by_default() -> None:
    with pytest.raises(BodyTooLargeError) as info:
        await request_with(b"x" * (10 * 1024 * 1024 + 1)).body.read_bytes()
    assert (info.value.status_code, info.value.limit) == (413, 10 * 1024 * 1024)


@pytest.mark.parametrize("headers", [[], [(b"content-type", b"text/plain")]])
async def test_read_form_needs_a_form_content_type(headers: list[tuple[bytes, bytes]]) -> None:
    with pytest.raises(UnsupportedMediaTypeError) as info:
        await request_with(b"a=1", headers=headers).body.read_form()
    assert info.value.status_code == 415


def test_content_type_is_the_media_type_and_charset_is_optional() -> None:
    body = request_with(headers=[(b"content-type", b"Application/JSON; Charset=UTF-8")]).body
    assert (body.content_type, body.charset) == ("application/json", "utf-8")
    assert request_with().body.charset is None
    assert request_with(headers=[(b"content-type", b"text/plain")]).body.charset is None


async def test_bad_content_length_raises_on_read_and_missing_more_body_is_false() -> None:
    body = request_with(b"x", headers=[(b"content-length", b"abc")]).body
    assert body.content_type is None
    with pytest.raises(InvalidContentLengthError):
        await body.read_bytes()
    request = Request(http_scope(), Script([{"type": "http.request", "body": b"x"}]), Recorder())
    assert await request.body.read_bytes() == b"x"


async def test_empty_filename_is_an_uploaded_file_and_copy_to_leaves_it_open(tmp_path: Path) -> None:
    data, headers = multipart(
        b'Content-Disposition: form-data; name="empty"; filename=""\r\n\r\n',
        b'Content-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\nabc',
    )
    form = await request_with(data, headers=headers).body.read_form()
    empty, upload = form.get_first("empty"), form.get_first("f")
    assert isinstance(empty, UploadedFile) and isinstance(upload, UploadedFile)
    await upload.copy_to(tmp_path / "copy")
    assert (upload.closed, upload.media_type, (tmp_path / "copy").read_bytes()) == (
        False,
        "application/octet-stream",
        b"abc",
    )
    await upload.close()
    await empty.close()


async def test_boundaries_with_dots_parse() -> None:
    data = b'--a.b\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--a.b--\r\n'
    headers = [(b"content-type", b"multipart/form-data; boundary=a.b")]
    assert (await request_with(data, headers=headers).body.read_form()).to_dict() == {"x": ["1"]}


# Responses


async def test_text_announces_its_charset_and_head_sends_no_body() -> None:
    recorder = Recorder()
    await request_with(method="HEAD", recorder=recorder).respond_text("hi")
    assert recorder.events == [
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"2")],
        },
        {"type": "http.response.body", "body": b""},
    ]


@dataclass
class Point:
    x: int


async def test_respond_json_encodes_more_types_and_nan_as_null() -> None:
    recorder = Recorder()
    content = {
        "plain": [1, "é"],
        "nan": math.nan,
        "set": {1},
        "when": datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        "price": Decimal("9.90"),
        "point": Point(1),
    }
    await request_with(recorder=recorder).respond_json(content)
    expected = '{"plain":[1,"é"],"nan":null,"set":[1],"when":"2024-01-02T03:04:05Z","price":"9.90","point":{"x":1}}'
    assert recorder.events[-1] == {"type": "http.response.body", "body": expected.encode()}


async def test_headers_are_not_mutated_and_locations_are_encoded() -> None:
    headers = {"x-a": "1"}
    recorder = Recorder()
    await request_with(recorder=recorder).redirect("/a b", headers=headers)
    assert headers == {"x-a": "1"}
    start = recorder.events[0]
    assert start["type"] == "http.response.start"
    assert (b"location", b"/a%20b") in list(start.get("headers", []))
    with pytest.raises(InvalidHeaderError):
        await request_with().respond_text("x", headers={"x-a": "1\r\nx-b: 2"})
    with pytest.raises(ValueError, match="send_early_hints"):
        await request_with().respond_text("x", status=100)


async def test_start_defaults_to_200_and_a_second_end_does_nothing() -> None:
    recorder = Recorder()
    response: Response = Response(http_scope(), Script(), recorder)
    started = await response.start()
    await started.end()
    await started.end()
    assert [event["type"] for event in recorder.events] == ["http.response.start", "http.response.body"]
    assert response.status == 200


async def test_an_error_inside_response_writer_leaves_the_response_unfinished() -> None:
    recorder = Recorder()
    request = Request(http_scope(spec_version="2.4"), Script(), recorder)
    with pytest.raises(RuntimeError):
        async with request.response_writer(media_type="text/plain") as write:
            await write(b"partial")
            raise RuntimeError("boom")
    assert recorder.events[-1] == {"type": "http.response.body", "body": b"partial", "more_body": True}


async def test_an_error_from_the_stream_of_respond_stream_leaves_the_response_unfinished() -> None:
    async def failing() -> AsyncIterator[bytes]:
        yield b"partial"
        raise RuntimeError("boom")

    recorder = Recorder()
    request = Request(http_scope(spec_version="2.4"), Script(), recorder)
    with pytest.raises(RuntimeError):
        await request.respond_stream(failing())
    assert recorder.events[-1] == {"type": "http.response.body", "body": b"partial", "more_body": True}


async def test_unknown_extensions_are_octet_stream(tmp_path: Path) -> None:
    path = tmp_path / "data.unknownext"
    path.write_bytes(b"x")
    recorder = Recorder()
    await request_with(recorder=recorder).respond_file(path)
    start = recorder.events[0]
    assert start["type"] == "http.response.start"
    assert (b"content-type", b"application/octet-stream") in list(start.get("headers", []))


# Cookies


@pytest.mark.parametrize("value", ["b c", "a,b", 'say "hi"', "a;b", "a\\b", "é", "a\x01"])
def test_cookie_values_outside_cookie_octets_raise(value: str) -> None:
    with pytest.raises(InvalidHeaderError, match="base64url"):
        Cookies().set("a", value)


def test_encoded_cookie_values_are_accepted() -> None:
    from base64 import urlsafe_b64encode
    from urllib.parse import quote

    cookies = Cookies()
    cookies.set("greeting", quote("hello, world \"é\" ;\\", safe=""))
    cookies.set("cart", urlsafe_b64encode(b'{"items": [7, 9]}').decode())
    cookies.set("embed", "y", partitioned=True)
    assert cookies.raw_headers() == [
        (b"set-cookie", b"greeting=hello%2C%20world%20%22%C3%A9%22%20%3B%5C; HttpOnly; SameSite=Lax"),
        (b"set-cookie", b"cart=eyJpdGVtcyI6IFs3LCA5XX0=; HttpOnly; SameSite=Lax"),
        (b"set-cookie", b"embed=y; Secure; HttpOnly; SameSite=Lax; Partitioned"),
    ]
    assert len(cookies) == 3
    assert not hasattr(Cookies, "encode")


# WebSockets


def accepted_channel(*messages: ReceiveEvent) -> Script:
    return Script([{"type": "websocket.connect"}, *messages], websocket=True)


async def test_write_json_is_compact_utf8_and_accept_returns_the_websocket() -> None:
    recorder = Recorder()
    ws = WebSocket(websocket_scope(), accepted_channel(), recorder)
    accepted = await ws.accept()
    assert cast(object, accepted) is ws
    await accepted.write_json({"a": [1, 2], "b": "é"})
    assert recorder.events[-1] == {"type": "websocket.send", "text": '{"a":[1,2],"b":"é"}'}


async def test_websocket_reads_empty_text_invalid_json_and_codeless_disconnects() -> None:
    ws = WebSocket(
        websocket_scope(),
        accepted_channel(
            {"type": "websocket.receive", "text": ""},
            {"type": "websocket.receive", "text": "{"},
            {"type": "websocket.disconnect"},
        ),
        Recorder(),
    )
    accepted = await ws.accept()
    assert await accepted.read() == ""
    with pytest.raises(WebSocketMessageError):
        await accepted.read_json()
    with pytest.raises(WebSocketDisconnect) as info:
        await accepted.read()
    assert info.value.code == 1005


async def test_websocket_subprotocols_and_close_codes_are_checked() -> None:
    recorder = Recorder()
    ws = WebSocket(websocket_scope(), accepted_channel(), recorder)
    with pytest.raises(ValueError, match="not offered"):
        await ws.accept("chat")
    accepted = await ws.accept()
    with pytest.raises(ValueError, match="1005"):
        await accepted.close(1005)
    await accepted.close()
    assert recorder.events[-1] == {"type": "websocket.close", "code": 1000}


# Exceptions


def test_multipart_boundary_error_is_also_a_400_body_error() -> None:
    assert issubclass(MultipartBoundaryError, Exception)
    assert issubclass(MultipartBoundaryError, MalformedBodyError)
    assert MultipartBoundaryError.status_code == 400
