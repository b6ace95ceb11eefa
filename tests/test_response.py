"""Response: one-shot helpers, headers policy, typestate at runtime, websocket denial, redirects."""

from __future__ import annotations

from http import HTTPStatus
from typing import cast

import pytest

from asgikit._connection import connection_state
from asgikit._cookies import Cookies
from asgikit._exceptions import (
    InvalidHeaderError,
    ResponseAlreadyEndedError,
    ResponseAlreadyStartedError,
    ResponseNotStartedError,
    WebSocketResponseNotSupportedError,
    WebSocketStateError,
)
from asgikit._response import Response, Started, encode_location, is_safe_redirect_url
from asgikit.asgi import HTTPScope

from .conftest import Recorder, Script, http_scope, websocket_scope


def make(recorder: Recorder, scope: HTTPScope | None = None) -> Response:
    return Response(scope or http_scope(), Script(), recorder)


# one-shot helpers: exact events


async def test_respond_text_sends_two_events_with_charset_and_length(recorder: Recorder) -> None:
    await make(recorder).respond_text("héllo")
    assert recorder.events == [
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"6")],
        },
        {"type": "http.response.body", "body": b"h\xc3\xa9llo"},
    ]


async def test_respond_text_uses_the_given_encoding_in_body_and_charset(recorder: Recorder) -> None:
    await make(recorder).respond_text("é", media_type="text/html", encoding="latin-1")
    assert recorder.events == [
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"text/html; charset=latin-1"),
                (b"content-length", b"1"),
            ],
        },
        {"type": "http.response.body", "body": b"\xe9"},
    ]


@pytest.mark.parametrize(
    ("media_type", "expected"),
    [
        ("text/csv", b"text/csv; charset=utf-8"),
        ("application/javascript", b"application/javascript; charset=utf-8"),
        ("application/xml", b"application/xml; charset=utf-8"),
        ("text/plain; charset=ascii", b"text/plain; charset=ascii"),
        ("TEXT/Plain; Charset=ASCII", b"TEXT/Plain; Charset=ASCII"),
        ("application/json", b"application/json"),
        ("application/octet-stream", b"application/octet-stream"),
        ("image/svg+xml", b"image/svg+xml"),
    ],
)
async def test_charset_is_added_only_to_text_like_types_without_one(
    recorder: Recorder, media_type: str, expected: bytes
) -> None:
    await make(recorder).respond_text("x", media_type=media_type)
    start = recorder.events[0]
    assert start["type"] == "http.response.start"
    assert next(iter(start.get("headers", []))) == (b"content-type", expected)


async def test_respond_json_is_compact_utf8_without_charset(recorder: Recorder) -> None:
    await make(recorder).respond_json({"a": [1, "é"]}, status=HTTPStatus.CREATED)
    body = '{"a":[1,"é"]}'.encode()
    assert recorder.events == [
        {
            "type": "http.response.start",
            "status": 201,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        },
        {"type": "http.response.body", "body": body},
    ]


async def test_http_status_members_are_sent_as_plain_ints(recorder: Recorder) -> None:
    await make(recorder).respond_json(None, status=HTTPStatus.ACCEPTED)
    start = recorder.events[0]
    assert start["type"] == "http.response.start"
    assert type(start["status"]) is int


async def test_respond_json_enc_hook_converts_unknown_objects(recorder: Recorder) -> None:
    class Point:
        pass

    await make(recorder).respond_json({"p": Point()}, enc_hook=lambda obj: "point")
    assert recorder.events[1] == {"type": "http.response.body", "body": b'{"p":"point"}'}


async def test_respond_json_unencodable_raises_type_error_before_sending(
    recorder: Recorder,
) -> None:
    response = make(recorder)
    with pytest.raises(TypeError):
        await response.respond_json(object())
    assert recorder.events == []
    assert not response.is_started


async def test_respond_bytes_without_media_type_sends_no_content_type(recorder: Recorder) -> None:
    await make(recorder).respond_bytes(b"\x00\x01")
    assert recorder.events == [
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]},
        {"type": "http.response.body", "body": b"\x00\x01"},
    ]


async def test_respond_bytes_keeps_media_type_as_given_without_charset(recorder: Recorder) -> None:
    await make(recorder).respond_bytes(b"x", media_type="text/plain")
    assert recorder.events[0] == {
        "type": "http.response.start",
        "status": 200,
        "headers": [(b"content-type", b"text/plain"), (b"content-length", b"1")],
    }


async def test_large_bodies_get_their_exact_content_length(recorder: Recorder) -> None:
    await make(recorder).respond_bytes(b"x" * 5000)
    assert recorder.events[0] == {
        "type": "http.response.start",
        "status": 200,
        "headers": [(b"content-length", b"5000")],
    }


async def test_respond_empty_defaults_to_204_without_content_length(recorder: Recorder) -> None:
    await make(recorder).respond_empty()
    assert recorder.events == [
        {"type": "http.response.start", "status": 204, "headers": []},
        {"type": "http.response.body", "body": b""},
    ]


async def test_respond_empty_with_200_sends_zero_content_length(recorder: Recorder) -> None:
    await make(recorder).respond_empty(200)
    assert recorder.events == [
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]},
        {"type": "http.response.body", "body": b""},
    ]


@pytest.mark.parametrize("status", [204, 304])
async def test_bodyless_statuses_drop_body_and_content_length(
    recorder: Recorder, status: int
) -> None:
    await make(recorder).respond_text("ignored", status=status)
    assert recorder.events == [
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
        },
        {"type": "http.response.body", "body": b""},
    ]


async def test_head_request_gets_get_content_length_and_no_body(recorder: Recorder) -> None:
    await make(recorder, http_scope(method="HEAD")).respond_text("hello")
    assert recorder.events == [
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"5")],
        },
        {"type": "http.response.body", "body": b""},
    ]


@pytest.mark.parametrize("status", [100, 103, 199, 600, 0, -1])
async def test_status_outside_200_599_raises_value_error_before_sending(
    recorder: Recorder, status: int
) -> None:
    with pytest.raises(ValueError, match="200-599"):
        await make(recorder).respond_text("x", status=status)
    assert recorder.events == []


async def test_non_int_status_raises_type_error(recorder: Recorder) -> None:
    with pytest.raises(TypeError):
        await make(recorder).respond_empty(cast("int", "200"))
    with pytest.raises(TypeError):
        await make(recorder).respond_empty(True)
    assert recorder.events == []


# headers and cookies


async def test_user_headers_follow_asgikit_headers_and_caller_dict_is_untouched(
    recorder: Recorder,
) -> None:
    headers = {"X-Custom": "1", "cache-control": "no-store"}
    await make(recorder).respond_text("x", headers=headers)
    assert headers == {"X-Custom": "1", "cache-control": "no-store"}
    assert recorder.events[0] == {
        "type": "http.response.start",
        "status": 200,
        "headers": [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", b"1"),
            (b"x-custom", b"1"),
            (b"cache-control", b"no-store"),
        ],
    }


async def test_header_pairs_may_repeat_a_name(recorder: Recorder) -> None:
    await make(recorder).respond_bytes(b"", headers=[("vary", "a"), ("vary", "b")])
    assert recorder.events[0] == {
        "type": "http.response.start",
        "status": 200,
        "headers": [(b"content-length", b"0"), (b"vary", b"a"), (b"vary", b"b")],
    }


async def test_user_content_type_replaces_the_media_type(recorder: Recorder) -> None:
    await make(recorder).respond_text("x", headers={"Content-Type": "text/x-custom"})
    assert recorder.events[0] == {
        "type": "http.response.start",
        "status": 200,
        "headers": [(b"content-length", b"1"), (b"content-type", b"text/x-custom")],
    }


async def test_user_content_length_header_is_refused(recorder: Recorder) -> None:
    with pytest.raises(ValueError, match="content-length"):
        await make(recorder).respond_text("x", headers={"content-length": "1"})
    assert recorder.events == []


async def test_cookies_are_sent_as_set_cookie_headers_last(recorder: Recorder) -> None:
    cookies = Cookies()
    cookies.set("session", "abc", path="/")
    await make(recorder).respond_text("x", headers={"x-a": "1"}, cookies=cookies)
    start = recorder.events[0]
    assert start["type"] == "http.response.start"
    headers = list(start.get("headers", []))
    assert headers[:3] == [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", b"1"),
        (b"x-a", b"1"),
    ]
    assert headers[3:] == cookies.raw_headers()
    assert headers[3][0] == b"set-cookie"


async def test_invalid_media_type_raises_invalid_header_error(recorder: Recorder) -> None:
    with pytest.raises(InvalidHeaderError):
        await make(recorder).respond_text("x", media_type="text/plain\r\nx-evil: 1")
    assert recorder.events == []


# start / write / end


async def test_start_then_write_and_end_on_the_same_object_works_at_run_time(recorder: Recorder) -> None:
    response = make(recorder)
    await response.start(media_type="text/plain", content_length=2)
    same = cast("Response[Started]", response)  # what untyped 0.18-style code does
    await same.write(b"a", more_body=True)
    await same.write(b"b", more_body=True)
    await same.end()
    assert recorder.events == [
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"2")],
        },
        {"type": "http.response.body", "body": b"a", "more_body": True},
        {"type": "http.response.body", "body": b"b", "more_body": True},
        {"type": "http.response.body", "body": b""},
    ]
    assert response.is_finished


async def test_write_defaults_to_ending_the_response(recorder: Recorder) -> None:
    started = await make(recorder).start()
    finished = await started.write(b"all")
    assert finished.is_finished
    assert recorder.events[1:] == [{"type": "http.response.body", "body": b"all"}]
    await cast("Response[Started]", finished).end()  # end after end: no-op
    assert len(recorder.events) == 2


async def test_state_properties_follow_the_response(recorder: Recorder) -> None:
    response = make(recorder)
    assert (response.is_started, response.is_finished, response.status) == (False, False, None)
    started = await response.start(HTTPStatus.ACCEPTED)
    assert (response.is_started, response.is_finished, response.status) == (True, False, 202)
    await started.end()
    assert (response.is_started, response.is_finished, response.status) == (True, True, 202)


async def test_start_omits_content_length_for_204(recorder: Recorder) -> None:
    await make(recorder).start(204, content_length=10)
    assert recorder.events == [{"type": "http.response.start", "status": 204, "headers": []}]


@pytest.mark.parametrize("length", [-1, 1.5, "3"])
async def test_start_rejects_invalid_content_length(recorder: Recorder, length: object) -> None:
    with pytest.raises(ValueError, match="content_length"):
        await make(recorder).start(content_length=cast("int", length))
    assert recorder.events == []


async def test_write_before_start_raises_not_started(recorder: Recorder) -> None:
    response = cast("Response[Started]", make(recorder))
    with pytest.raises(ResponseNotStartedError):
        await response.write(b"x")
    with pytest.raises(ResponseNotStartedError):
        await response.end()
    assert recorder.events == []


async def test_start_twice_raises_already_started(recorder: Recorder) -> None:
    response = make(recorder)
    await response.start()
    with pytest.raises(ResponseAlreadyStartedError):
        await response.start()
    with pytest.raises(ResponseAlreadyStartedError):
        await response.respond_text("x")
    assert len(recorder.events) == 1


async def test_start_and_write_after_end_raise_already_ended(recorder: Recorder) -> None:
    response = make(recorder)
    await response.respond_text("x")
    with pytest.raises(ResponseAlreadyEndedError):
        await response.start()
    with pytest.raises(ResponseAlreadyEndedError):
        await cast("Response[Started]", response).write(b"y")
    assert len(recorder.events) == 2


async def test_write_rejects_str(recorder: Recorder) -> None:
    started = await make(recorder).start()
    with pytest.raises(TypeError, match="bytes"):
        await started.write(cast("bytes", "text"))


async def test_two_response_views_of_one_scope_share_state(recorder: Recorder) -> None:
    scope = http_scope()
    first = Response(scope, Script(), recorder)
    second = Response(scope, Script(), recorder)
    await first.start()
    assert second.is_started
    with pytest.raises(ResponseAlreadyStartedError):
        await second.respond_text("x")
    await cast("Response[Started]", second).end()
    assert first.is_finished


async def test_head_streaming_sends_headers_and_only_the_final_empty_chunk(
    recorder: Recorder,
) -> None:
    started = await make(recorder, http_scope(method="HEAD")).start(content_length=3)
    await started.write(b"abc", more_body=True)
    await started.write(b"def")
    assert recorder.events == [
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"3")]},
        {"type": "http.response.body", "body": b""},
    ]


# early hints


async def test_early_hints_are_sent_when_the_server_supports_them(recorder: Recorder) -> None:
    scope = cast("HTTPScope", {**http_scope(), "extensions": {"http.response.early_hint": {}}})
    response = Response(scope, Script(), recorder)
    await response.send_early_hints(["</style.css>; rel=preload; as=style"])
    await response.respond_empty()
    assert recorder.events[0] == {
        "type": "http.response.early_hint",
        "links": [b"</style.css>; rel=preload; as=style"],
    }
    assert recorder.events[1]["type"] == "http.response.start"


async def test_early_hints_are_a_no_op_without_the_extension(recorder: Recorder) -> None:
    response = make(recorder)
    await response.send_early_hints(["</a.js>; rel=preload"])
    assert recorder.events == []
    with pytest.raises(InvalidHeaderError):
        await response.send_early_hints(["</a.js>\r\nx: y"])


async def test_early_hints_after_start_raise(recorder: Recorder) -> None:
    response = make(recorder)
    await response.start()
    with pytest.raises(ResponseAlreadyStartedError):
        await response.send_early_hints(["</a.js>; rel=preload"])


# websocket denial responses


async def test_websocket_denial_response_uses_websocket_events(recorder: Recorder) -> None:
    scope = websocket_scope(extensions={"websocket.http.response": {}})
    response = Response(scope, Script(websocket=True), recorder)
    await response.respond_text("go away", status=403)
    assert recorder.events == [
        {
            "type": "websocket.http.response.start",
            "status": 403,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"7")],
        },
        {"type": "websocket.http.response.body", "body": b"go away"},
    ]
    assert connection_state(scope).websocket == 4  # closed: accept() now refuses


async def test_websocket_denial_streaming_uses_websocket_body_events(recorder: Recorder) -> None:
    scope = websocket_scope(extensions={"websocket.http.response": {}})
    started = await Response(scope, Script(websocket=True), recorder).start(401)
    await started.write(b"a", more_body=True)
    await started.end()
    assert recorder.events == [
        {"type": "websocket.http.response.start", "status": 401, "headers": []},
        {"type": "websocket.http.response.body", "body": b"a", "more_body": True},
        {"type": "websocket.http.response.body", "body": b""},
    ]


async def test_websocket_denial_without_extension_raises_before_sending(recorder: Recorder) -> None:
    response = Response(websocket_scope(), Script(websocket=True), recorder)
    with pytest.raises(WebSocketResponseNotSupportedError):
        await response.respond_text("no", status=403)
    with pytest.raises(WebSocketResponseNotSupportedError):
        await response.start(403)
    assert recorder.events == []
    assert not response.is_started


@pytest.mark.parametrize("websocket_state", [3, 4])
async def test_websocket_denial_after_accept_or_close_raises_state_error(
    recorder: Recorder, websocket_state: int
) -> None:
    scope = websocket_scope(extensions={"websocket.http.response": {}})
    connection_state(scope).websocket = websocket_state
    with pytest.raises(WebSocketStateError):
        await Response(scope, Script(websocket=True), recorder).respond_empty(403)
    assert recorder.events == []


# redirects


@pytest.mark.parametrize(
    ("call", "status"),
    [("redirect", 307), ("permanent", 308), ("post_get", 303)],
)
async def test_redirects_send_location_and_empty_body(
    recorder: Recorder, call: str, status: int
) -> None:
    response = make(recorder)
    if call == "redirect":
        await response.redirect("/next?a=1#top")
    elif call == "permanent":
        await response.redirect("/next?a=1#top", permanent=True)
    else:
        await response.redirect_post_get("/next?a=1#top")
    assert recorder.events == [
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-length", b"0"), (b"location", b"/next?a=1#top")],
        },
        {"type": "http.response.body", "body": b""},
    ]


def test_encode_location_percent_encodes_non_ascii_spaces_and_backslashes() -> None:
    assert encode_location("/caf\u00e9 menu") == b"/caf%C3%A9%20menu"
    assert encode_location("/a\\b") == b"/a%5Cb"
    assert encode_location("https://x.test/p?q=%2F&r=1#f") == b"https://x.test/p?q=%2F&r=1#f"


def test_is_safe_redirect_url_accepts_relative_and_allowed_hosts() -> None:
    assert is_safe_redirect_url("/dashboard?tab=1")
    assert is_safe_redirect_url("page.html")
    assert is_safe_redirect_url("#top")
    assert is_safe_redirect_url("https://Example.com/x", allowed_hosts=["example.com"])
    assert is_safe_redirect_url("//example.com/x", allowed_hosts=["example.com"])
    assert is_safe_redirect_url("http://example.com:8080/", allowed_hosts=["example.com:8080"])
    assert not is_safe_redirect_url(
        "http://example.com/", allowed_hosts=["example.com"], require_https=True
    )
    assert not is_safe_redirect_url("https://other.com/", allowed_hosts=["example.com"])
    assert not is_safe_redirect_url("")
