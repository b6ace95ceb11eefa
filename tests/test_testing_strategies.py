"""asgikit.testing.strategies: valid draws are accepted by asgikit's parsers and apps, hostile
draws never make an app crash (5xx), break the protocol or hang; an example app fuzzed end to
end through the Client."""

from __future__ import annotations

import asyncio
from typing import cast
from urllib.parse import unquote_to_bytes

from examples import demo, forms, hello
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from asgikit import AsgiException, JSONValue, Request
from asgikit.asgi import ASGIApp, HTTPScope, Receive, Scope, Send, WebSocketScope
from asgikit.testing import Client
from asgikit.testing import strategies as fuzz

FAST = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


async def parse_everything(scope: Scope, receive: Receive, send: Send) -> None:
    """Reads every part of the request asgikit parses; answers what it found or the 4xx."""
    if scope["type"] != "http":
        return
    request = Request(scope, receive, send)
    try:
        host = request.host
        summary: dict[str, JSONValue] = {
            "host": None if host is None else [host[0], host[1]],
            "query": {key: list(values) for key, values in request.query.lists()},
            "cookies": {key: list(values) for key, values in request.cookies.lists()},
        }
        if request.content_type is not None:
            form = await request.body.read_form()
            fields: dict[str, JSONValue] = {}
            for key, value in form.items():
                if not isinstance(value, str):
                    async with value:
                        value = f"file:{value.filename}"
                cast("list[JSONValue]", fields.setdefault(key, [])).append(value)
            summary["form"] = fields
    except AsgiException as exc:
        status = getattr(exc, "status", 400)
        await request.respond_text(
            f"{type(exc).__name__}: {exc}", status=status if isinstance(status, int) else 400
        )
        return
    await request.respond_json(summary)


@FAST
@given(fuzz.hosts())
def test_valid_hosts_are_read_by_asgikit(host: bytes) -> None:
    async def check() -> None:
        async with Client(parse_everything) as client:
            response = await client.get("/", headers={"host": host.decode()})
        assert response.status_code == 200
        assert response.json()["host"] is not None

    asyncio.run(check())


@FAST
@given(fuzz.query_strings(), fuzz.cookie_headers())
def test_valid_query_strings_and_cookies_parse(query: bytes, cookie: bytes) -> None:
    scope: HTTPScope = {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"}, "http_version": "1.1",
        "method": "GET", "path": "/", "query_string": query, "headers": [(b"cookie", cookie), (b"host", b"h")],
    }  # fmt: skip

    async def check() -> None:
        async with Client(parse_everything) as client:
            response = await client.send_scope(scope)
        assert response.status_code == 200
        data = response.json()
        names = {
            unquote_to_bytes(pair.partition(b"=")[0]).decode() for pair in query.split(b"&") if pair
        }
        assert set(data["query"]) == names
        assert set(data["cookies"]) == {
            pair.partition(b"=")[0].decode() for pair in cookie.split(b"; ")
        }

    asyncio.run(check())


@FAST
@given(fuzz.multipart_bodies())
@example(  # a file whose content is a header name
    (
        "multipart/form-data; boundary=0",
        b'--0\r\nContent-Disposition: form-data; name="f0"; filename="0.txt"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\nContent-Disposition\r\n--0--\r\n",
    )
)
def test_valid_multipart_bodies_parse_into_their_fields(drawn: tuple[str, bytes]) -> None:
    content_type, body = drawn

    async def check() -> None:
        async with Client(parse_everything) as client:
            response = await client.post("/", content=body, headers={"content-type": content_type})
        assert response.status_code == 200, response.text
        form = response.json()["form"]
        # One part per delimiter line; part contents may hold any text (even header names),
        # but never a delimiter line of their own body.
        boundary = content_type.split("boundary=", 1)[1].strip('"')
        delimiter = b"--" + boundary.encode("ascii") + b"\r\n"
        parts = body.startswith(delimiter) + body.count(b"\r\n" + delimiter)
        assert sorted(form) == sorted(f"f{i}" for i in range(parts))

    asyncio.run(check())


@FAST
@given(fuzz.urlencoded_bodies(), fuzz.range_headers())
def test_valid_urlencoded_bodies_and_ranges_are_accepted(body: bytes, range_header: bytes) -> None:
    async def check() -> None:
        async with Client(parse_everything) as client:
            response = await client.post(
                "/",
                content=body,
                headers={
                    "content-type": "application/x-www-form-urlencoded",
                    "range": range_header.decode(),
                },
            )
        assert response.status_code == 200, response.text

    assert range_header.startswith(b"bytes=")
    asyncio.run(check())


@FAST
@given(fuzz.http_scopes(), fuzz.websocket_scopes())
def test_valid_scopes_are_complete_and_accepted(http: HTTPScope, websocket: WebSocketScope) -> None:
    assert (http["type"], websocket["type"]) == ("http", "websocket")
    assert http["path"].startswith("/")
    assert websocket["path"].startswith("/")
    assert {"asgi", "method", "headers", "http_version"} <= set(http)
    assert http["http_version"] in ("1.0", "1.1", "2")
    assert http["method"] in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

    async def check() -> None:
        async with Client(parse_everything) as client:
            response = await client.send_scope(http)
        assert response.status_code == 200, response.text

    asyncio.run(check())


# End to end: hostile input through the Client into the example apps. Any 5xx, exception
# escaping the app or ASGI protocol error fails the test.


@FUZZ
@given(
    fuzz.multipart_bodies(hostile=True),
    fuzz.headers(hostile=True),
    fuzz.cookie_headers(hostile=True),
)
def test_forms_example_survives_hostile_uploads(
    drawn: tuple[str, bytes], extra: list[tuple[bytes, bytes]], cookie: bytes
) -> None:
    content_type, body = drawn
    lines = [
        (name, value) for name, value in extra if name not in (b"content-type", b"content-length")
    ]
    scope: HTTPScope = {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"}, "http_version": "1.1",
        "method": "POST", "path": "/submit", "query_string": b"",
        "headers": [(b"host", b"h"), (b"content-type", content_type.encode()), (b"cookie", cookie), *lines],
    }  # fmt: skip

    async def check() -> None:
        async with Client(forms.app, chunk_size=4096) as client:
            response = await client.send_scope(scope, body=body)
        assert response.status_code in (200, 400, 413, 415), response.text

    asyncio.run(check())


@FUZZ
@given(fuzz.http_scopes(hostile=True), st.sampled_from([hello.app, demo.app]))
def test_example_apps_survive_hostile_scopes(scope: HTTPScope, app: ASGIApp) -> None:
    async def check() -> None:
        async with Client(app) as client:
            response = await client.send_scope(scope)
        assert response.status_code < 500, response.text

    asyncio.run(check())


@FUZZ
@given(fuzz.range_headers(hostile=True), fuzz.hosts(hostile=True))
def test_files_example_survives_hostile_ranges(range_header: bytes, host: bytes) -> None:
    scope: HTTPScope = {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
        "method": "GET", "path": "/files/demo.py", "raw_path": b"/files/demo.py", "query_string": b"",
        "headers": [(b"range", range_header), (b"host", host)],
    }  # fmt: skip

    async def check() -> None:
        async with Client(demo.app) as client:
            response = await client.send_scope(scope)
        assert response.status_code in (200, 206, 416), response.text

    asyncio.run(check())
