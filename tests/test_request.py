from __future__ import annotations

import inspect
from http import HTTPMethod
from typing import cast

import pytest

from asgikit import (
    ClientDisconnectError,
    Request,
    ResponseAlreadyEndedError,
    ResponseAlreadyStartedError,
    WebSocket,
    WebSocketResponseNotSupportedError,
    WebSocketState,
    WebSocketStateError,
)
from asgikit.asgi import HTTPScope, WebSocketScope
from tests.conftest import Recorder, Script, http_scope, websocket_scope


def make(scope: HTTPScope | WebSocketScope) -> Request:
    return Request(scope, Script(), Recorder())


def minimal_scope() -> HTTPScope:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "path": "/p", "headers": []}


def test_properties_read_the_scope() -> None:
    request = make(http_scope(method="POST", path="/a b", query_string=b"x=1"))
    assert request.method is HTTPMethod.POST
    assert request.path == "/a b"
    assert request.raw_path == "/a b"
    assert request.raw_query == "x=1"
    assert request.http_version == "1.1"
    assert request.scheme == "http"
    assert request.server == ("127.0.0.1", 8000)
    assert request.client == ("127.0.0.1", 50000)
    assert request.root_path == ""
    assert request.is_http and not request.is_websocket


def test_missing_optional_scope_keys_never_raise() -> None:
    request = make(minimal_scope())
    assert request.client is None
    assert request.server is None
    assert request.root_path == ""
    assert request.raw_path is None
    assert request.raw_query == ""
    assert request.scheme == "http"
    assert request.state is None
    assert request.query.get_first("a") is None
    assert len(request.cookies) == 0
    assert request.session is None
    assert request.user is None
    assert request.auth is None
    assert dict(request.path_params) == {}


def test_extension_methods_are_plain_strings() -> None:
    request = make(http_scope(method="PROPFIND"))
    assert request.method == "PROPFIND"
    assert not isinstance(request.method, HTTPMethod)


def test_standard_methods_are_http_method_members() -> None:
    for method in HTTPMethod:
        assert make(http_scope(method=method.value)).method is method


def test_websocket_scope_has_no_method_and_ws_scheme_default() -> None:
    scope = websocket_scope()
    request = make(scope)
    assert request.method is None
    assert request.is_websocket
    assert request.websocket is request.websocket


def test_websocket_property_on_http_request_raises_typed_error() -> None:
    with pytest.raises(WebSocketStateError):
        _ = make(http_scope()).websocket


def test_lifespan_scope_is_refused() -> None:
    with pytest.raises(ValueError, match="lifespan"):
        Request(cast(HTTPScope, {"type": "lifespan", "asgi": {"version": "3.0"}}), Script(), Recorder())


def test_raw_query_is_not_percent_decoded_and_query_decodes_once() -> None:
    request = make(http_scope(query_string=b"a=%26b&c=%2526&d=1+2&e=caf%C3%A9"))
    assert request.raw_query == "a=%26b&c=%2526&d=1+2&e=caf%C3%A9"
    assert request.query.get_first("a") == "&b"
    assert request.query.get_first("c") == "%26"
    assert request.query.get_first("d") == "1 2"
    assert request.query.get_first("e") == "café"


def test_semicolon_is_not_a_query_separator() -> None:
    request = make(http_scope(query_string=b"a=1;b=2"))
    assert request.query.get("a") == ["1;b=2"]


def test_headers_are_case_insensitive_and_cached() -> None:
    request = make(http_scope(headers=[(b"x-token", b"abc"), (b"x-token", b"def")]))
    assert request.headers.get("X-Token") == ["abc", "def"]
    assert request.headers is request.headers


def test_cookies_merge_several_headers() -> None:
    request = make(http_scope(headers=[(b"cookie", b"a=1; b=2"), (b"cookie", b"a=3")]))
    assert request.cookies.get("a") == ["1", "3"]
    assert request.cookies.get_first("b") == "2"


@pytest.mark.parametrize("host", [b"evil.com/admin?", b"a@b", b"x#", b"[::1", b" "])
def test_b25_malformed_host_falls_back_to_server_address(host: bytes) -> None:
    request = make(http_scope(headers=[(b"host", host)]))
    assert request.host == ("127.0.0.1", 8000)


def test_well_formed_host_is_used() -> None:
    request = make(http_scope(headers=[(b"host", b"Example.com:8443")]))
    assert request.host == ("example.com", 8443)


def test_b27_raw_path_keeps_encoded_slashes() -> None:
    scope: HTTPScope = {**http_scope(path="/a/b/../c"), "raw_path": b"/a%2Fb/..%2Fc%00"}
    request = make(scope)
    assert request.path == "/a/b/../c"
    assert request.raw_path == "/a%2Fb/..%2Fc%00"


def test_b29_granian_string_ports_and_unix_sockets() -> None:
    scope: HTTPScope = {**http_scope(), "server": ("127.0.0.1", "8000"), "client": ("/run/sock", None)}
    request = make(scope)
    assert request.server == ("127.0.0.1", 8000)
    assert request.client == ("/run/sock", None)


def test_b30_granian_http_1_is_http_1_0() -> None:
    scope: HTTPScope = {**http_scope(), "http_version": "1"}
    assert make(scope).http_version == "1.0"


def test_starlette_scope_keys_are_exposed() -> None:
    scope = http_scope()
    extra = dict(scope)
    extra.update(session={"user": "ann"}, user="ann", auth=["authenticated"], path_params={"id": 3})
    request = Request(cast(HTTPScope, extra), Script(), Recorder())
    assert request.session == {"user": "ann"}
    assert request.user == "ann"
    assert request.auth == ["authenticated"]
    assert dict(request.path_params) == {"id": 3}


def test_body_and_response_are_shared_views() -> None:
    request = make(http_scope())
    assert request.body is request.body
    assert request.response is request.response
    assert not request.response.is_started


async def test_respond_text_sends_exactly_two_events_with_charset() -> None:
    send = Recorder()
    await Request(http_scope(), Script(), send).respond_text("héllo", status=201, headers={"x-a": "1"})
    assert send.events == [
        {
            "type": "http.response.start",
            "status": 201,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"6"), (b"x-a", b"1")],
        },
        {"type": "http.response.body", "body": "héllo".encode()},
    ]


async def test_respond_bytes_without_media_type_has_no_content_type() -> None:
    send = Recorder()
    await Request(http_scope(), Script(), send).respond_bytes(b"\x00\x01")
    assert send.events == [
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]},
        {"type": "http.response.body", "body": b"\x00\x01"},
    ]


async def test_respond_json_is_compact_utf8_without_charset() -> None:
    send = Recorder()
    await Request(http_scope(), Script(), send).respond_json({"a": [1, "é"]})
    assert send.events == [
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"14")],
        },
        {"type": "http.response.body", "body": '{"a":[1,"é"]}'.encode()},
    ]


async def test_respond_json_with_another_encoding_names_the_charset() -> None:
    send = Recorder()
    await Request(http_scope(), Script(), send).respond_json({"a": "é"}, encoding="latin-1")
    assert send.events[0] == {
        "type": "http.response.start",
        "status": 200,
        "headers": [(b"content-type", b"application/json; charset=latin-1"), (b"content-length", b"9")],
    }
    assert send.events[1] == {"type": "http.response.body", "body": b'{"a":"\xe9"}'}


async def test_respond_empty_defaults_to_204_without_content_length() -> None:
    send = Recorder()
    await Request(http_scope(), Script(), send).respond_empty()
    assert send.events == [
        {"type": "http.response.start", "status": 204, "headers": []},
        {"type": "http.response.body", "body": b""},
    ]


@pytest.mark.parametrize(("permanent", "status"), [(False, 307), (True, 308)])
async def test_redirect_status_and_location(permanent: bool, status: int) -> None:
    send = Recorder()
    await Request(http_scope(), Script(), send).redirect("/caf\u00e9 x", permanent=permanent)
    assert send.events[0] == {
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-length", b"0"), (b"location", b"/caf%C3%A9%20x")],
    }


async def test_redirect_post_get_is_303() -> None:
    send = Recorder()
    await Request(http_scope(method="POST"), Script(), send).redirect_post_get("/done")
    assert send.events[0] == {
        "type": "http.response.start",
        "status": 303,
        "headers": [(b"content-length", b"0"), (b"location", b"/done")],
    }


async def test_callers_headers_dict_is_not_mutated() -> None:
    headers = {"x-a": "1"}
    await Request(http_scope(), Script(), Recorder()).respond_text("x", headers=headers)
    assert headers == {"x-a": "1"}


async def test_respond_twice_raises_already_ended() -> None:
    request = Request(http_scope(), Script(), Recorder())
    await request.respond_text("x")
    assert request.response.is_finished
    with pytest.raises(ResponseAlreadyEndedError):
        await request.respond_text("again")


async def test_respond_after_start_raises_already_started() -> None:
    request = Request(http_scope(), Script(), Recorder())
    await request.response.start(200)
    with pytest.raises(ResponseAlreadyStartedError):
        await request.respond_text("x")


async def test_head_request_gets_length_but_no_body() -> None:
    send = Recorder()
    await Request(http_scope(method="HEAD"), Script(), send).respond_text("hello")
    assert send.events[1] == {"type": "http.response.body", "body": b""}
    start = send.events[0]
    assert start["type"] == "http.response.start"
    assert (b"content-length", b"5") in list(start.get("headers", []))


async def test_respond_on_websocket_scope_without_extension_raises_before_sending() -> None:
    send = Recorder()
    request = Request(websocket_scope(), Script(websocket=True), send)
    with pytest.raises(WebSocketResponseNotSupportedError):
        await request.respond_text("denied", status=403)
    assert send.events == []


async def test_respond_on_websocket_scope_sends_denial_response() -> None:
    send = Recorder()
    scope = websocket_scope(extensions={"websocket.http.response": {}})
    await Request(scope, Script(websocket=True), send).respond_text("denied", status=403)
    assert send.events == [
        {
            "type": "websocket.http.response.start",
            "status": 403,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"6")],
        },
        {"type": "websocket.http.response.body", "body": b"denied"},
    ]
    assert request_state_is_closed(scope)


def request_state_is_closed(scope: WebSocketScope) -> bool:
    return WebSocket(scope, Script(websocket=True), Recorder()).state is WebSocketState.CLOSED


@pytest.mark.parametrize(
    "name",
    ["respond_bytes", "respond_text", "respond_json", "respond_empty", "redirect", "redirect_post_get"],
)
def test_one_shot_shortcuts_are_coroutine_functions(name: str) -> None:
    assert inspect.iscoroutinefunction(getattr(Request, name))
    assert inspect.iscoroutinefunction(getattr(make(http_scope()), name))


async def test_shortcut_on_a_client_gone_raises_client_disconnect() -> None:
    async def gone(event: object) -> None:
        raise OSError("connection reset")

    scope = http_scope(spec_version="2.4")
    request = Request(scope, Script(), gone)
    with pytest.raises(ClientDisconnectError, match="connection reset"):
        await request.respond_text("x")
    assert request.response.is_finished
    with pytest.raises(ClientDisconnectError):
        await Request(http_scope(spec_version="2.4"), Script(), gone).redirect("/elsewhere")
