"""Conditional one-shot responses: exact ASGI events for etag=/last_modified= and the request's
preconditions (RFC 9110 13.2.2), on Request and on Response."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asgikit import Cookies, Request
from asgikit._header_encoding import HeaderInput
from asgikit._preconditions import evaluate_preconditions, request_conditions
from asgikit.asgi import HTTPScope, SendEvent

from .conftest import Recorder, Script, http_scope, websocket_scope
from .timing import LINEAR_BOUND, growth

MODIFIED = 784111777  # Sun, 06 Nov 1994 08:49:37 GMT
DATE = b"Sun, 06 Nov 1994 08:49:37 GMT"
EARLIER = b"Sun, 06 Nov 1994 08:49:36 GMT"
VALIDATORS = [(b"etag", b'"v1"'), (b"last-modified", DATE)]
BODY = b"hello"
TEXT_200 = [
    (b"content-type", b"text/plain; charset=utf-8"),
    (b"content-length", b"5"),
    *VALIDATORS,
]


Kind = Literal["text", "bytes", "json"]
Via = Literal["request", "response"]


class Responder:
    """``respond_<kind>`` through ``Request`` or ``Response``, with the validators of the tests
    (``etag="v1"``, ``last_modified=MODIFIED``) unless told otherwise."""

    def __init__(self, kind: Kind, via: Via) -> None:
        self.kind = kind
        self.via = via

    async def __call__(
        self,
        scope: HTTPScope,
        send: Recorder,
        *,
        status: int = 200,
        headers: HeaderInput | None = None,
        cookies: Cookies | None = None,
        etag: str | None = "v1",
        weak_etag: bool = False,
        last_modified: datetime | float | None = MODIFIED,
    ) -> None:
        request = Request(scope, Script(), send)
        target = request if self.via == "request" else request.response
        if self.kind == "text":
            await target.respond_text(
                "hello",
                status=status,
                headers=headers,
                cookies=cookies,
                etag=etag,
                weak_etag=weak_etag,
                last_modified=last_modified,
            )
        elif self.kind == "bytes":
            await target.respond_bytes(
                BODY,
                status=status,
                media_type="text/plain",
                headers=headers,
                cookies=cookies,
                etag=etag,
                weak_etag=weak_etag,
                last_modified=last_modified,
            )
        else:
            await target.respond_json(
                "hell",
                status=status,
                headers=headers,
                cookies=cookies,
                etag=etag,
                weak_etag=weak_etag,
                last_modified=last_modified,
            )


CONTENT_TYPES: dict[Kind, bytes] = {
    "text": b"text/plain; charset=utf-8",
    "bytes": b"text/plain",
    "json": b"application/json",
}
BODIES: dict[Kind, bytes] = {"text": BODY, "bytes": BODY, "json": b'"hell"'}
ALL = [(kind, via) for kind in ("text", "bytes", "json") for via in ("request", "response")]


def ok(kind: Kind, *, head: bool = False) -> list[SendEvent]:
    return [
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", CONTENT_TYPES[kind]),
                (b"content-length", b"%d" % len(BODIES[kind])),
                *VALIDATORS,
            ],
        },
        {"type": "http.response.body", "body": b"" if head else BODIES[kind]},
    ]


NOT_MODIFIED: list[SendEvent] = [
    {"type": "http.response.start", "status": 304, "headers": VALIDATORS},
    {"type": "http.response.body", "body": b""},
]
FAILED: list[SendEvent] = [
    {"type": "http.response.start", "status": 412, "headers": [(b"content-length", b"0")]},
    {"type": "http.response.body", "body": b""},
]


def start_of(events: list[SendEvent]) -> tuple[int, list[tuple[bytes, bytes]]]:
    """Status and headers of the ``http.response.start`` event."""
    start = events[0]
    assert start["type"] == "http.response.start"
    return start["status"], list(start.get("headers", []))


async def answer(
    kind: Kind,
    via: Via,
    headers: list[tuple[bytes, bytes]],
    *,
    method: str = "GET",
    **kwargs: int | str | bool | None,
) -> list[SendEvent]:
    recorder = Recorder()
    status = kwargs.pop("status", 200)
    assert isinstance(status, int) and not kwargs
    await Responder(kind, via)(http_scope(method=method, headers=headers), recorder, status=status)
    return recorder.events


# what the response carries


@pytest.mark.parametrize(("kind", "via"), ALL)
async def test_validators_are_sent_with_an_unconditional_request(kind: Kind, via: Via) -> None:
    assert await answer(kind, via, []) == ok(kind)


@pytest.mark.parametrize(("kind", "via"), ALL)
async def test_matching_if_none_match_gives_304_with_validators_and_no_body(
    kind: Kind, via: Via
) -> None:
    assert await answer(kind, via, [(b"if-none-match", b'"v1"')]) == NOT_MODIFIED
    assert await answer(kind, via, [(b"if-none-match", b'"v1"')], method="HEAD") == NOT_MODIFIED


@pytest.mark.parametrize(("kind", "via"), ALL)
async def test_head_without_match_gets_the_get_headers_and_no_body(kind: Kind, via: Via) -> None:
    events = await answer(kind, via, [(b"if-none-match", b'"v2"')], method="HEAD")
    assert events == ok(kind, head=True)


@pytest.mark.parametrize("via", ["request", "response"])
async def test_weak_etag_is_sent_with_w_prefix_and_matches_weakly(via: Via) -> None:
    recorder = Recorder()
    scope = http_scope(headers=[(b"if-none-match", b'"v1"')])
    await Responder("text", via)(scope, recorder, weak_etag=True, last_modified=None)
    assert recorder.events == [
        {"type": "http.response.start", "status": 304, "headers": [(b"etag", b'W/"v1"')]},
        {"type": "http.response.body", "body": b""},
    ]


async def test_304_keeps_cache_headers_and_cookies_but_not_other_headers() -> None:
    recorder = Recorder()
    cookies = Cookies()
    cookies.set("session", "abc")
    headers = [
        ("Cache-Control", "max-age=60"),
        ("Vary", "Accept"),
        ("Content-Location", "/doc"),
        ("Expires", "Sun, 06 Nov 1994 08:49:37 GMT"),
        ("Date", "Sun, 06 Nov 1994 08:49:37 GMT"),
        ("X-Custom", "dropped"),
        ("Content-Language", "en"),
    ]
    scope = http_scope(headers=[(b"if-none-match", b'"v1"')])
    await Responder("text", "request")(scope, recorder, headers=headers, cookies=cookies)
    assert recorder.events == [
        {
            "type": "http.response.start",
            "status": 304,
            "headers": [
                *VALIDATORS,
                (b"cache-control", b"max-age=60"),
                (b"vary", b"Accept"),
                (b"content-location", b"/doc"),
                (b"expires", DATE),
                (b"date", DATE),
                (b"set-cookie", b"session=abc; HttpOnly; SameSite=Lax"),
            ],
        },
        {"type": "http.response.body", "body": b""},
    ]


@pytest.mark.parametrize("conditions", [[], [(b"if-none-match", b'"v1"')]])
async def test_content_length_in_headers_raises_whatever_the_outcome(
    conditions: list[tuple[bytes, bytes]],
) -> None:
    recorder = Recorder()
    with pytest.raises(ValueError, match="do not pass content-length"):
        await Responder("text", "request")(
            http_scope(headers=conditions), recorder, headers={"Content-Length": "5"}
        )
    assert recorder.events == []


async def test_user_etag_header_replaces_the_validator_on_the_wire() -> None:
    recorder = Recorder()
    await Responder("text", "response")(
        http_scope(), recorder, headers={"ETag": '"mine"'}, last_modified=None
    )
    assert recorder.events[0] == {
        "type": "http.response.start",
        "status": 200,
        "headers": [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", b"5"),
            (b"etag", b'"mine"'),
        ],
    }


@pytest.mark.parametrize("status", [404, 500, 302])
async def test_non_2xx_statuses_are_sent_as_they_are_with_validators(status: int) -> None:
    events = await answer("text", "request", [(b"if-none-match", b"*")], status=status)
    assert events == [
        {"type": "http.response.start", "status": status, "headers": TEXT_200},
        {"type": "http.response.body", "body": BODY},
    ]


async def test_201_is_evaluated_like_200() -> None:
    events = await answer("text", "request", [(b"if-none-match", b'"v1"')], status=201)
    assert events == NOT_MODIFIED


# RFC 9110 13.2.2, step by step


@pytest.mark.parametrize(
    ("if_match", "status"),
    [
        (b'"v1"', 200),
        (b"*", 200),
        (b'"x", "v1"', 200),
        (b'"x"', 412),
        (b'W/"v1"', 412),  # strong comparison
        (b'"v1', 412),  # malformed: the condition is false
    ],
)
async def test_if_match_uses_strong_comparison(if_match: bytes, status: int) -> None:
    events = await answer("text", "request", [(b"if-match", if_match)], method="PUT")
    assert start_of(events)[0] == status
    assert events == (FAILED if status == 412 else ok("text"))


async def test_if_match_fails_against_a_weak_etag() -> None:
    recorder = Recorder()
    scope = http_scope(method="PUT", headers=[(b"if-match", b'"v1"')])
    await Responder("text", "request")(scope, recorder, weak_etag=True)
    assert recorder.events == FAILED


async def test_if_match_list_fails_without_etag_but_star_passes() -> None:
    for value, expected in ((b'"v1"', 412), (b"*", 200)):
        recorder = Recorder()
        scope = http_scope(method="DELETE", headers=[(b"if-match", value)])
        await Responder("text", "request")(scope, recorder, etag=None)
        assert start_of(recorder.events)[0] == expected


@pytest.mark.parametrize(
    ("since", "status"),
    [(DATE, 200), (EARLIER, 412), (b"garbage", 200), (b"Sun, 06 Nov 1994 08:49:38 GMT", 200)],
)
async def test_if_unmodified_since_fails_when_modified_later(since: bytes, status: int) -> None:
    events = await answer("text", "request", [(b"if-unmodified-since", since)], method="POST")
    assert events == (FAILED if status == 412 else ok("text"))


async def test_if_match_takes_precedence_over_if_unmodified_since() -> None:
    headers = [(b"if-match", b'"v1"'), (b"if-unmodified-since", EARLIER)]
    assert await answer("text", "request", headers, method="PUT") == ok("text")


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
async def test_matching_if_none_match_on_other_methods_gives_412(method: str) -> None:
    events = await answer("text", "request", [(b"if-none-match", b'W/"v1"')], method=method)
    assert events == FAILED


@pytest.mark.parametrize(
    ("since", "status"),
    [
        (DATE, 304),
        (b"Sun, 06 Nov 1994 08:49:38 GMT", 304),
        (EARLIER, 200),
        (b"Sunday, 06-Nov-94 08:49:37 GMT", 304),
        (b"Sun Nov  6 08:49:37 1994", 304),
        (b"not a date", 200),
    ],
)
async def test_if_modified_since_gives_304_when_not_modified(since: bytes, status: int) -> None:
    events = await answer("text", "request", [(b"if-modified-since", since)])
    assert events == (NOT_MODIFIED if status == 304 else ok("text"))


async def test_if_modified_since_is_ignored_with_if_none_match_and_for_post() -> None:
    headers = [(b"if-none-match", b'"other"'), (b"if-modified-since", DATE)]
    assert await answer("text", "request", headers) == ok("text")
    post = await answer("text", "request", [(b"if-modified-since", DATE)], method="POST")
    assert post == ok("text")


async def test_repeated_if_modified_since_has_more_than_one_member_and_is_ignored() -> None:
    headers = [(b"if-modified-since", DATE), (b"if-modified-since", DATE)]
    assert await answer("text", "request", headers) == ok("text")


async def test_repeated_if_none_match_lines_are_one_list() -> None:
    headers = [(b"if-none-match", b'"a"'), (b"if-none-match", b'"b", "v1"')]
    assert await answer("text", "request", headers) == NOT_MODIFIED


async def test_last_modified_only_answers_if_modified_since() -> None:
    recorder = Recorder()
    scope = http_scope(headers=[(b"if-modified-since", DATE), (b"if-none-match", b'"v1"')])
    await Responder("text", "request")(scope, recorder, etag=None)
    # If-None-Match is present, so If-Modified-Since is not consulted: no etag, no match.
    assert start_of(recorder.events)[0] == 200
    recorder = Recorder()
    scope = http_scope(headers=[(b"if-modified-since", DATE)])
    await Responder("text", "request")(scope, recorder, etag=None)
    assert recorder.events == [
        {"type": "http.response.start", "status": 304, "headers": [(b"last-modified", DATE)]},
        {"type": "http.response.body", "body": b""},
    ]


# the forms last_modified takes


@pytest.mark.parametrize(
    "value",
    [
        MODIFIED,
        MODIFIED + 0.999,
        datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC),
        datetime(1994, 11, 6, 9, 49, 37, 500, tzinfo=timezone(timedelta(hours=1))),
    ],
)
async def test_last_modified_accepts_aware_datetimes_and_timestamps(
    value: datetime | float,
) -> None:
    recorder = Recorder()
    await Responder("text", "request")(http_scope(), recorder, etag=None, last_modified=value)
    assert recorder.events[0] == {
        "type": "http.response.start",
        "status": 200,
        "headers": [*TEXT_200[:2], (b"last-modified", DATE)],
    }


@pytest.mark.parametrize(("kind", "via"), ALL)
async def test_naive_datetime_raises_before_anything_is_sent(kind: Kind, via: Via) -> None:
    recorder = Recorder()
    with pytest.raises(ValueError, match="timezone-aware"):
        await Responder(kind, via)(http_scope(), recorder, last_modified=datetime(2024, 1, 1))
    assert recorder.events == []


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -1e20, 1e20])
async def test_unrepresentable_timestamps_raise_value_error(value: float) -> None:
    recorder = Recorder()
    with pytest.raises(ValueError, match="not a representable POSIX timestamp"):
        await Responder("bytes", "request")(http_scope(), recorder, last_modified=value)
    assert recorder.events == []


async def test_bool_or_str_last_modified_raises_type_error() -> None:
    for value in (True, "yesterday"):
        recorder = Recorder()
        with pytest.raises(TypeError, match="timezone-aware datetime or a POSIX timestamp"):
            await Responder("text", "request")(
                http_scope(),
                recorder,
                last_modified=value,  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
            )
        assert recorder.events == []


@pytest.mark.parametrize("etag", ['"v1"', "a b", "a\tb", "a\x00b", "a\nb", "\u0100", 'W/"x"'])
@pytest.mark.parametrize(("kind", "via"), ALL)
async def test_etag_with_quotes_space_controls_or_non_latin1_raises(
    etag: str, kind: Kind, via: Via
) -> None:
    recorder = Recorder()
    with pytest.raises(ValueError, match="pass the validator without quotes"):
        await Responder(kind, via)(http_scope(), recorder, etag=etag)
    assert recorder.events == []


async def test_empty_and_obs_text_etags_are_valid() -> None:
    for etag, wire in (("", b'""'), ("caf\u00e9", b'"caf\xe9"')):
        recorder = Recorder()
        await Responder("text", "request")(http_scope(), recorder, etag=etag, last_modified=None)
        assert start_of(recorder.events)[1][-1] == (b"etag", wire)


async def test_websocket_denial_response_carries_validators_unconditionally() -> None:
    recorder = Recorder()
    scope = websocket_scope(extensions={"websocket.http.response": {}})
    await Request(scope, Script(websocket=True), recorder).respond_text(
        "no", status=403, etag="v1", last_modified=MODIFIED
    )
    assert recorder.events == [
        {
            "type": "websocket.http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", b"2"),
                *VALIDATORS,
            ],
        },
        {"type": "websocket.http.response.body", "body": b"no"},
    ]


# If-None-Match lists, as a family


_opaque = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters='"'),
    max_size=6,
)
_ows = st.sampled_from(["", " ", "\t", "  "])
_tag = st.tuples(st.booleans(), _opaque)


def _render(tags: list[tuple[bool, str]], spaces: list[str]) -> str:
    return ",".join(
        f'{spaces[i % len(spaces)]}{"W/" if weak else ""}"{opaque}"{spaces[(i + 1) % len(spaces)]}'
        for i, (weak, opaque) in enumerate(tags)
    )


@given(
    tags=st.lists(_tag, min_size=1, max_size=6),
    spaces=st.lists(_ows, min_size=1, max_size=3),
    ours=_tag,
    method=st.sampled_from(["GET", "HEAD", "POST"]),
)
def test_if_none_match_lists_match_by_weak_comparison(
    tags: list[tuple[bool, str]], spaces: list[str], ours: tuple[bool, str], method: str
) -> None:
    weak, opaque = ours
    etag = f'{"W/" if weak else ""}"{opaque}"'
    header = _render(tags, spaces)
    conditions = request_conditions([(b"if-none-match", header.encode("latin-1"))])
    outcome = evaluate_preconditions(method, conditions, etag, None)
    matches = any(tag == opaque for _, tag in tags)
    assert outcome == ((304 if method != "POST" else 412) if matches else None)


@given(
    tags=st.lists(_tag, max_size=4),
    garbage=st.sampled_from(['"open', "bare", "W/x", '"a" "b"', "W/", '"a";', "**"]),
    position=st.integers(0, 4),
)
def test_malformed_if_none_match_never_matches(
    tags: list[tuple[bool, str]], garbage: str, position: int
) -> None:
    pieces = [f'{"W/" if weak else ""}"{opaque}"' for weak, opaque in tags]
    pieces.insert(min(position, len(pieces)), garbage)
    header = ", ".join(pieces)
    conditions = request_conditions([(b"if-none-match", header.encode("latin-1"))])
    for weak, opaque in tags:
        etag = f'{"W/" if weak else ""}"{opaque}"'
        assert evaluate_preconditions("GET", conditions, etag, None) is None


@given(spaces=_ows, method=st.sampled_from(["GET", "HEAD", "PUT"]))
def test_star_matches_any_representation(spaces: str, method: str) -> None:
    conditions = request_conditions([(b"if-none-match", f"{spaces}*{spaces}".encode())])
    for etag in ('"x"', 'W/"x"', None):
        outcome = evaluate_preconditions(method, conditions, etag, MODIFIED)
        assert outcome == (412 if method == "PUT" else 304)


@given(
    st.binary(max_size=64),
    st.sampled_from([b"if-none-match", b"if-match", b"if-modified-since", b"if-unmodified-since"]),
)
def test_any_conditional_header_bytes_never_raise(value: bytes, name: bytes) -> None:
    conditions = request_conditions([(name, value)])
    for method in ("GET", "POST"):
        assert evaluate_preconditions(method, conditions, '"v1"', MODIFIED) in (None, 304, 412)


# hostile repeated headers


def test_repeated_if_none_match_lines_are_joined_in_linear_time() -> None:
    def prepare(n: int) -> Callable[[], object]:
        headers = [(b"if-none-match", b'"x"')] * n + [(b"if-modified-since", DATE)] * n
        return lambda: evaluate_preconditions("GET", request_conditions(headers), '"v1"', MODIFIED)

    assert growth(prepare, 2_000) < 4 * LINEAR_BOUND


async def test_hostile_repeated_headers_are_answered_not_a_hang() -> None:
    tags = [(b"if-none-match", b'"x", W/"y"')] * 5_000
    matches = [(b"if-match", b'"x"')] * 5_000 + [(b"if-match", b'"v1"')]
    assert await answer("json", "request", tags + matches) == ok("json")
    # "*" inside a list is malformed: a malformed If-Match never matches (fail closed).
    stars = [(b"if-match", b"*")] * 5_000
    assert await answer("json", "request", stars) == FAILED
