"""Every JSON reader maps every decode failure to its documented error, and every typed
reader decodes into exactly the type form it was given.

Families: nesting depth (up to past the recursion limit) x bracket kind (``[`` or ``{"a":``)
x closed or truncated x text or bytes frame x typed or untyped x ``read_json`` or
``iter_json``; for the body, the same minus frames. Encoders: deep, cyclic and unsupported
values raise ``ValueError``/``TypeError`` before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal, Optional, cast

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typing_extensions import TypeForm

from asgikit import (
    Body,
    BodyValidationError,
    MalformedBodyError,
    Request,
    WebSocketMessageError,
)
from asgikit._json import encode_json
from asgikit._websocket import AcceptedWebSocket, WebSocket
from asgikit.asgi import ReceiveEvent
from tests.conftest import Recorder, Script, http_scope, websocket_scope
from tests.typing.positive_type_forms import Item, Movie, Point, UserId

BRACKETS = {"[": ("[", "]"), '{"a":': ('{"a":', "}")}
"""Opening and closing text of each nesting kind."""

DEEP = 100_000
"""Nesting past any recursion limit, yet a message well under the 1 MiB default."""

SHALLOW = 200
"""Nesting that always decodes; between this and ``DEEP`` the outcome depends on how much
stack the caller already uses, and only the error's type and text are pinned."""

DEPTHS = st.one_of(
    st.integers(1, SHALLOW), st.integers(SHALLOW, 5_000), st.integers(DEEP, DEEP + 50_000)
)


def nested(depth: int, bracket: str, closed: bool) -> str:
    opening, closing = BRACKETS[bracket]
    return opening * depth + ("0" + closing * depth if closed else "")


def frame(text: str, as_bytes: bool) -> ReceiveEvent:
    if as_bytes:
        return {"type": "websocket.receive", "bytes": text.encode("utf-8", "surrogatepass")}
    return {"type": "websocket.receive", "text": text}


async def accepted_with(events: list[ReceiveEvent]) -> tuple[AcceptedWebSocket, Recorder]:
    receive = Script([{"type": "websocket.connect"}, *events], websocket=True)
    send = Recorder()
    websocket = await WebSocket(websocket_scope(), receive, send).accept()
    send.events.clear()
    return websocket, send


def body_of(data: bytes) -> Body:
    return Body(http_scope(method="POST"), Script([{"type": "http.request", "body": data}]))


def innermost(value: object, depth: int) -> object:
    """The value ``depth`` levels down a ``[[...]]`` or ``{"a": {"a": ...}}`` nest."""
    for _ in range(depth):
        if isinstance(value, list):
            value = cast("list[object]", value)[0]
        elif isinstance(value, dict):
            value = cast("dict[str, object]", value)["a"]
    return value


async def read_one(websocket: AcceptedWebSocket, typed: bool, via_iter: bool) -> object:
    if via_iter:
        messages = websocket.iter_json(object) if typed else websocket.iter_json()
        async for message in messages:
            return message
        raise AssertionError("iter_json ended without a message")
    return await (websocket.read_json(object) if typed else websocket.read_json())


@settings(max_examples=40, deadline=None)
@given(
    depth=DEPTHS,
    bracket=st.sampled_from(sorted(BRACKETS)),
    closed=st.booleans(),
    as_bytes=st.booleans(),
    typed=st.booleans(),
    via_iter=st.booleans(),
)
async def test_websocket_json_readers_raise_message_error_for_any_nesting(
    depth: int, bracket: str, closed: bool, as_bytes: bool, typed: bool, via_iter: bool
) -> None:
    text = nested(depth, bracket, closed)
    websocket, send = await accepted_with([frame(text, as_bytes), frame("[1]", as_bytes)])
    if closed and depth <= SHALLOW:
        assert innermost(await read_one(websocket, typed, via_iter), depth) == 0
    elif closed and depth < DEEP:
        try:
            assert innermost(await read_one(websocket, typed, via_iter), depth) == 0
        except WebSocketMessageError as too_deep:
            assert str(too_deep) == "websocket message is not valid JSON: nested too deeply"
    else:
        with pytest.raises(WebSocketMessageError, match="websocket message is not valid JSON"):
            await read_one(websocket, typed, via_iter)
    # The connection survives a bad message: the next one reads normally.
    assert await websocket.read_json() == [1]
    assert send.events == []


@settings(max_examples=30, deadline=None)
@given(
    depth=DEPTHS,
    bracket=st.sampled_from(sorted(BRACKETS)),
    closed=st.booleans(),
    typed=st.booleans(),
)
async def test_body_read_json_raises_malformed_body_for_any_nesting(
    depth: int, bracket: str, closed: bool, typed: bool
) -> None:
    body = body_of(nested(depth, bracket, closed).encode())
    if closed and depth <= SHALLOW:
        decoded = await (body.read_json(object) if typed else body.read_json())
        assert innermost(decoded, depth) == 0
    elif closed and depth < DEEP:
        try:
            decoded = await (body.read_json(object) if typed else body.read_json())
            assert innermost(decoded, depth) == 0
        except MalformedBodyError as too_deep:
            assert str(too_deep) == "the request body is not valid JSON: nested too deeply"
    else:
        with pytest.raises(MalformedBodyError, match="the request body is not valid JSON") as error:
            await (body.read_json(object) if typed else body.read_json())
        assert error.value.status_code == 400


@pytest.mark.parametrize("as_bytes", [False, True])
@pytest.mark.parametrize(
    ("payload", "match"),
    [
        ("\ud800", "not valid JSON"),  # a lone surrogate in a text frame
        ('"\\ud800"', "not valid JSON"),  # msgspec refuses an escaped lone surrogate
        ("1e999999", "not valid JSON: Number out of range"),
        ('{"a": 1, "a": 2}', None),
        ("[1,]", "not valid JSON"),
        ("", "not valid JSON"),
        (" ", "not valid JSON"),
        ('"unterminated', "not valid JSON"),
    ],
)
async def test_websocket_read_json_edge_documents(payload: str, match: str | None, as_bytes: bool) -> None:
    websocket, _ = await accepted_with([frame(payload, as_bytes)])
    if match is None:
        await websocket.read_json()
    else:
        with pytest.raises(WebSocketMessageError, match=match):
            await websocket.read_json()


TYPE_FORMS: list[tuple[TypeForm[object], str, object, str]] = [
    (Item, '{"name": "a"}', Item("a"), '{"name": 1}'),
    (Item | None, "null", None, "1"),
    (Optional[Item], '{"name": "b"}', Item("b"), "[]"),  # noqa: UP045 (the form under test)
    (Annotated[int, msgspec.Meta(ge=0)], "3", 3, "-1"),
    (TypeForm(Literal["a", "b"]), '"b"', "b", '"c"'),
    (UserId, "7", 7, '"7"'),
    (Movie, '{"title": "t", "year": 1}', {"title": "t", "year": 1}, '{"title": "t"}'),
    (Point, '{"x": 1, "y": 2}', Point(1, 2), '{"x": 1}'),
    (list[Item], '[{"name": "c"}]', [Item("c")], '[{"name": null}]'),
    (dict[str, int], '{"k": 1}', {"k": 1}, '{"k": "1"}'),
    (Annotated[list[int], msgspec.Meta(max_length=1)], "[1]", [1], "[1, 2]"),
]
"""(type form, matching document, decoded value, well-formed document that does not match)."""


@pytest.mark.parametrize(("form", "good", "value", "bad"), TYPE_FORMS)
async def test_every_type_form_decodes_and_validates_in_every_reader(
    form: TypeForm[object], good: str, value: object, bad: str
) -> None:
    assert await body_of(good.encode()).read_json(form) == value
    with pytest.raises(BodyValidationError, match="does not match the expected type") as error:
        await body_of(bad.encode()).read_json(form)
    assert error.value.status_code == 422
    websocket, _ = await accepted_with([frame(good, False), frame(bad, True), frame(good, True)])
    assert await websocket.read_json(form) == value
    with pytest.raises(WebSocketMessageError, match="does not match the expected type"):
        await websocket.read_json(form)
    async for message in websocket.iter_json(form):
        assert message == value
        break


async def test_type_forms_with_unhashable_metadata_still_decode() -> None:
    form = Annotated[int, {"unhashable": []}]
    with pytest.raises(TypeError, match="unhashable"):
        hash(form)  # so no decoder can be cached for it
    assert await body_of(b"5").read_json(form) == 5
    assert await body_of(b"6").read_json(form) == 6
    with pytest.raises(BodyValidationError, match="Expected `int`, got `str`"):
        await body_of(b'"7"').read_json(form)


async def test_type_forms_with_hashable_metadata_decode_through_the_cache() -> None:
    form = Annotated[int, msgspec.Meta(ge=0, extra={"note": []})]
    assert await body_of(b"5").read_json(form) == 5
    assert await body_of(b"6").read_json(form) == 6
    with pytest.raises(BodyValidationError, match="Expected `int` >= 0"):
        await body_of(b"-1").read_json(form)


async def test_a_type_msgspec_cannot_decode_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="more than one dict-like type"):
        await body_of(b"{}").read_json(Item | dict[str, int])
    websocket, _ = await accepted_with([frame("{}", False)])
    with pytest.raises(TypeError, match="more than one dict-like type"):
        await websocket.read_json(Item | dict[str, int])


def deeply_nested_list(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth):
        value = [value]
    return value


def cyclic_list() -> list[object]:
    value: list[object] = []
    value.append(value)
    return value


@pytest.mark.parametrize("make_value", [lambda: deeply_nested_list(DEEP), cyclic_list])
@pytest.mark.parametrize("with_hook", [False, True])
async def test_encoders_raise_value_error_for_too_deep_values_before_sending(
    make_value: Callable[[], object], with_hook: bool
) -> None:
    value = make_value()
    hook = str if with_hook else None
    with pytest.raises(ValueError, match="nested too deeply to encode as JSON"):
        encode_json(value, hook)
    websocket, send = await accepted_with([])
    with pytest.raises(ValueError, match="nested too deeply to encode as JSON"):
        await websocket.write_json(value, enc_hook=hook)
    assert send.events == []


async def test_encoders_raise_type_error_for_unsupported_values_before_sending() -> None:
    websocket, send = await accepted_with([])
    with pytest.raises(TypeError):
        await websocket.write_json(object())
    assert send.events == []
    with pytest.raises(TypeError):
        encode_json({1j})


@pytest.mark.parametrize("make_value", [lambda: deeply_nested_list(DEEP), cyclic_list])
@pytest.mark.parametrize("on_response", [False, True])
@pytest.mark.parametrize("media_type", ["application/json", "application/problem+json"])
async def test_respond_json_raises_value_error_for_too_deep_values_before_sending(
    make_value: Callable[[], object], on_response: bool, media_type: str
) -> None:
    send = Recorder()
    request = Request(http_scope(), Script([]), send)
    with pytest.raises(ValueError, match="nested too deeply to encode as JSON"):
        if on_response:
            await request.response.respond_json(make_value(), media_type=media_type)
        else:
            await request.respond_json(make_value(), media_type=media_type)
    assert send.events == []
    await request.respond_json([1])  # nothing was sent: the handler can still answer
    assert send.events[-1] == {"type": "http.response.body", "body": b"[1]"}


WRONG_PAYLOADS = st.one_of(
    st.tuples(st.just("text"), st.one_of(st.binary(min_size=1), st.integers(), st.lists(st.integers(), max_size=2))),
    st.tuples(st.just("bytes"), st.one_of(st.text(min_size=1), st.integers(), st.just(bytearray(b"x")))),
)


@given(payload=WRONG_PAYLOADS, via=st.sampled_from(["read", "iter", "read_json", "iter_json"]))
@settings(max_examples=60, deadline=None)
async def test_a_message_of_the_wrong_python_type_is_a_message_error_in_every_reader(
    payload: tuple[str, object], via: str
) -> None:
    key, value = payload
    websocket, _ = await accepted_with([cast("ReceiveEvent", {"type": "websocket.receive", key: value})])
    with pytest.raises(WebSocketMessageError, match="the server broke the protocol"):
        if via == "read":
            await websocket.read()
        elif via == "iter":
            async for _ in websocket.iter():
                pass
        elif via == "read_json":
            await websocket.read_json()
        else:
            async for _ in websocket.iter_json():
                pass
