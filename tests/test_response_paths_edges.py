"""One-shot responses on both paths (the lean one and the one with headers): HEAD drops the body
but keeps its length, a failing ``send`` becomes ``ClientDisconnectError`` for every responder;
text in another encoding; and ``Request.content_type``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final

import pytest

from asgikit import ClientDisconnectError, Request

from .conftest import FailingSend, Recorder, Script, http_scope


@pytest.mark.parametrize("headers", [None, {"x-extra": "1"}])
@pytest.mark.parametrize("size", [0, 1023, 1024, 5000])
async def test_head_responses_carry_the_length_but_no_body(
    headers: dict[str, str] | None, size: int
) -> None:
    recorder = Recorder()
    request = Request(http_scope(method="HEAD"), Script(), recorder)
    await request.respond_bytes(b"x" * size, headers=headers)
    expected_headers = [(b"content-length", str(size).encode())]
    if headers:
        expected_headers.append((b"x-extra", b"1"))
    assert recorder.events == [
        {"type": "http.response.start", "status": 200, "headers": expected_headers},
        {"type": "http.response.body", "body": b""},
    ]


@pytest.mark.parametrize("headers", [None, {"x-extra": "1"}])
async def test_get_responses_send_the_body(headers: dict[str, str] | None) -> None:
    recorder = Recorder()
    await Request(http_scope(), Script(), recorder).respond_text("a" * 1024, headers=headers)
    start, body = recorder.events
    assert start["type"] == "http.response.start"
    assert (b"content-length", b"1024") in list(start.get("headers", []))
    assert body == {"type": "http.response.body", "body": b"a" * 1024}


@pytest.mark.parametrize("headers", [None, {"x-extra": "1"}])
@pytest.mark.parametrize("ok", [0, 1])
async def test_a_send_failing_with_oserror_is_a_client_disconnect(
    headers: dict[str, str] | None, ok: int
) -> None:
    send = FailingSend(fail_at=ok + 1)
    request = Request(http_scope(), Script(), send)
    with pytest.raises(ClientDisconnectError, match="connection reset"):
        await request.respond_bytes(b"body", headers=headers)
    assert len(send.events) == ok + 1


ONE_SHOT_RESPONDERS: Final[dict[str, Callable[[Request], Awaitable[None]]]] = {
    "respond_bytes": lambda request: request.respond_bytes(b"body"),
    "respond_text": lambda request: request.respond_text("body"),
    "respond_text latin-1": lambda request: request.respond_text("\xe9", encoding="latin-1"),
    "respond_json": lambda request: request.respond_json({"a": 1}),
    "respond_empty": lambda request: request.respond_empty(),
    "redirect": lambda request: request.redirect("/next"),
    "redirect_post_get": lambda request: request.redirect_post_get("/next"),
}


@pytest.mark.parametrize("responder", ONE_SHOT_RESPONDERS)
@pytest.mark.parametrize("fail_at", [1, 2])
async def test_every_one_shot_responder_turns_a_failing_send_into_a_client_disconnect(
    responder: str, fail_at: int
) -> None:
    send = FailingSend(fail_at=fail_at)
    request = Request(http_scope(), Script(), send)
    with pytest.raises(ClientDisconnectError, match="connection reset"):
        await ONE_SHOT_RESPONDERS[responder](request)
    sent = [event["type"] for event in send.events]
    assert sent == ["http.response.start", "http.response.body"][:fail_at]


async def test_text_in_another_encoding_is_sent_in_that_encoding() -> None:
    recorder = Recorder()
    await Request(http_scope(), Script(), recorder).respond_text("caf\xe9", encoding="latin-1")
    assert recorder.events == [
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"text/plain; charset=latin-1"),
                (b"content-length", b"4"),
            ],
        },
        {"type": "http.response.body", "body": b"caf\xe9"},
    ]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        (b"Text/HTML; charset=utf-8", "text/html"),
        (b"  application/JSON  ", "application/json"),
        (b"; charset=utf-8", None),
        (b"", None),
    ],
)
def test_request_content_type_is_the_lower_cased_media_type(
    header: bytes | None, expected: str | None
) -> None:
    headers = [] if header is None else [(b"content-type", header)]
    request = Request(http_scope(headers=headers), Script(), Recorder())
    assert request.content_type == expected
