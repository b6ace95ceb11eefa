"""HTTP under real servers: tests/apps/http_app.py served by uvicorn (h11 and httptools),
hypercorn, granian and daphne in subprocesses (one per server for the whole module), driven
by httpx over TCP.

What the servers put in an HTTP scope (observed with uvicorn 0.54, hypercorn 0.18,
granian 2.8, daphne 4.2), pinned per server in ``SCOPES``:

- uvicorn (h11 and httptools): ``asgi`` {"version": "3.0", "spec_version": "2.3"} and no
  ``extensions`` key at all; ``state`` present (lifespan on).
- hypercorn: spec "2.1" and ``extensions`` {} on HTTP/1.1 (its trailers, early hints and
  push extensions are offered only on HTTP/2 and HTTP/3).
- granian: spec "2.3", ``extensions`` ``http.response.pathsend`` (which ``respond_file``
  does not use: it sends the bytes of the file it opened) and ``websocket.http.response``
  even on HTTP scopes; the ``server`` port is a ``str``.
- daphne: ``asgi`` is only {"version": "3.0"} (spec 2.0), no ``extensions`` key and no
  ``state`` (daphne does not run the lifespan protocol).

None of them is spec 2.4, so a client disconnect never makes ``send`` raise: asgikit's
disconnect watcher (``http.disconnect``) is what turns it into ``ClientDisconnectError``,
which ``test_client_disconnect_mid_stream_raises_client_disconnect_error`` checks.

The servers' output is captured (``ServerProcess.output``) so the tests can check that
nothing was logged as an error (asgikit 0.18's ``response_writer`` made real servers log
"generator didn't stop").
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import AsyncIterator, Iterator
from typing import Final, cast

import httpx
import pytest

from tests.apps import http_app
from tests.servers import SERVER_KINDS, ServerKind, ServerProcess, serve_logged, wait_for_record

APP: Final = "tests.apps.http_app:app"
TIMEOUT: Final = 15.0

_SPEC_23_NO_EXTENSIONS: Final[dict[str, object]] = {
    "asgi": {"version": "3.0", "spec_version": "2.3"},
    "extensions": None,
    "has_extensions_key": False,
    "http_version": "1.1",
    "server_port_type": "int",
    "has_state": True,
}

SCOPES: Final[dict[ServerKind, dict[str, object]]] = {
    "uvicorn-h11": _SPEC_23_NO_EXTENSIONS,
    "uvicorn-httptools": _SPEC_23_NO_EXTENSIONS,
    "hypercorn": {
        "asgi": {"version": "3.0", "spec_version": "2.1"},
        "extensions": [],
        "has_extensions_key": True,
        "http_version": "1.1",
        "server_port_type": "int",
        "has_state": True,
    },
    "granian": {
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "extensions": ["http.response.pathsend", "websocket.http.response"],
        "has_extensions_key": True,
        "http_version": "1.1",
        "server_port_type": "str",
        "has_state": True,
    },
    "daphne": {
        "asgi": {"version": "3.0"},
        "extensions": None,
        "has_extensions_key": False,
        "http_version": "1.1",
        "server_port_type": "int",
        "has_state": False,
    },
}

BIG_SIZE: Final = 50 * 1024 * 1024
_BLOCK: Final = random.Random(20240601).randbytes(1024 * 1024)
BOUNDARY: Final = "asgikit-test-7f3a9c"


@pytest.fixture(scope="module", params=SERVER_KINDS)
def server(request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    """One server process per kind for the whole module, its output kept in a file."""
    with serve_logged(cast("ServerKind", request.param), APP, startup_timeout=TIMEOUT) as running:
        yield running


async def app_errors(client: httpx.AsyncClient) -> object:
    return (await client.get("/errors")).json()


async def test_text(client: httpx.AsyncClient) -> None:
    response = await client.get("/text")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["content-length"] == "12"
    assert response.content == b"hello, world"


async def test_json(client: httpx.AsyncClient) -> None:
    response = await client.get("/json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == '{"hello":"world","numbers":[1,2,3],"unicode":"h\u00e9llo \u2713"}'.encode()
    assert response.json() == http_app.JSON_BODY


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/redirect/temporary", 307),
        ("GET", "/redirect/permanent", 308),
        ("POST", "/redirect/see-other", 303),
    ],
)
async def test_redirects(client: httpx.AsyncClient, method: str, path: str, status: int) -> None:
    response = await client.request(method, path)
    assert response.status_code == status
    assert response.headers["location"] == "/text"
    assert response.content == b""


async def test_cookies_arrive_exactly(client: httpx.AsyncClient) -> None:
    response = await client.get("/cookies")
    assert response.status_code == 200
    assert response.headers.get_list("set-cookie") == [
        "session=abc123; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax",
        "theme=dark; SameSite=Strict",
        "old=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax",
    ]


async def test_ndjson_stream_sends_every_line_without_server_errors(
    server: ServerProcess, client: httpx.AsyncClient
) -> None:
    async with client.stream("GET", "/ndjson?200") as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/x-ndjson"
        assert "content-length" not in response.headers
        lines = [line async for line in response.aiter_lines()]
    assert lines == [f'{{"n": {n}}}' for n in range(200)]
    assert await app_errors(client) == []
    assert server.errors_logged() == []


async def test_urlencoded_form(client: httpx.AsyncClient) -> None:
    response = await client.post("/form", data={"name": "Ada Lovelace", "tags": "a&b=c", "e": "\u00e9"})
    assert response.status_code == 200
    assert response.json() == {"fields": {"name": "Ada Lovelace", "tags": "a&b=c", "e": "\u00e9"}, "files": {}}


async def test_multipart_form_small_file_stays_in_memory(client: httpx.AsyncClient) -> None:
    content = b"line 1\r\nline 2\r\n--not-a-boundary\r\n"
    response = await client.post(
        "/form",
        data={"note": "small"},
        files={"upload": ("notes.txt", content, "text/plain")},
    )
    assert response.status_code == 200
    assert response.json() == {
        "fields": {"note": "small"},
        "files": {
            "upload": {
                "filename": "notes.txt",
                "media_type": "text/plain",
                "size": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
                "in_memory": True,
            }
        },
    }


def _big_chunks() -> Iterator[bytes]:
    for index in range(BIG_SIZE // len(_BLOCK)):
        yield index.to_bytes(8, "big") + _BLOCK[8:]


@pytest.fixture(scope="module")
def big_sha256() -> str:
    digest = hashlib.sha256()
    for chunk in _big_chunks():
        digest.update(chunk)
    return digest.hexdigest()


async def test_multipart_50_mib_file_streams_and_spills_to_disk(
    client: httpx.AsyncClient, big_sha256: str
) -> None:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="note"\r\n\r\nbig one\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="upload"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()

    async def body() -> AsyncIterator[bytes]:
        yield head
        for chunk in _big_chunks():
            yield chunk
        yield tail

    response = await client.post(
        "/form",
        content=body(),
        headers={
            "content-type": f"multipart/form-data; boundary={BOUNDARY}",
            "content-length": str(len(head) + BIG_SIZE + len(tail)),
        },
        timeout=60,
    )
    assert response.status_code == 200
    assert response.json() == {
        "fields": {"note": "big one"},
        "files": {
            "upload": {
                "filename": "big.bin",
                "media_type": "application/octet-stream",
                "size": BIG_SIZE,
                "sha256": big_sha256,
                "in_memory": False,
            }
        },
    }


async def test_respond_file_whole_range_and_304(client: httpx.AsyncClient) -> None:
    data = http_app.FILE.read_bytes()
    whole = await client.get("/file")
    assert whole.status_code == 200
    assert whole.content == data
    assert whole.headers["content-length"] == str(len(data))
    assert whole.headers["content-type"] == "text/x-python; charset=utf-8"
    assert whole.headers["accept-ranges"] == "bytes"
    etag = whole.headers["etag"]

    part = await client.get("/file", headers={"range": "bytes=10-99"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 10-99/{len(data)}"
    assert part.headers["content-length"] == "90"
    assert part.content == data[10:100]

    suffix = await client.get("/file", headers={"range": "bytes=-5"})
    assert suffix.status_code == 206
    assert suffix.content == data[-5:]

    unsatisfiable = await client.get("/file", headers={"range": f"bytes={len(data)}-"})
    assert unsatisfiable.status_code == 416
    assert unsatisfiable.headers["content-range"] == f"bytes */{len(data)}"

    cached = await client.get("/file", headers={"if-none-match": etag})
    assert cached.status_code == 304
    assert cached.content == b""
    assert cached.headers["etag"] == etag


async def test_client_disconnect_mid_stream_raises_client_disconnect_error(
    server: ServerProcess, client: httpx.AsyncClient
) -> None:
    key = f"disconnect-{server.kind}"
    # A client of its own: leaving the stream early closes its connection.
    async with (
        httpx.AsyncClient(base_url=server.url, timeout=TIMEOUT) as leaving,
        leaving.stream("GET", f"/forever?{key}") as response,
    ):
        assert response.status_code == 200
        received = 0
        async for chunk in response.aiter_raw():
            received += len(chunk)
            if received >= 3 * len(http_app.CHUNK):
                break
    record = await wait_for_record(client, key)
    assert record["outcome"] == "ClientDisconnectError"
    chunks = record["chunks"]
    assert isinstance(chunks, int) and 3 <= chunks < 1000
    assert await app_errors(client) == []


async def test_scope_shows_what_the_server_implements(
    server: ServerProcess, client: httpx.AsyncClient
) -> None:
    response = await client.get("/scope")
    assert response.json() == SCOPES[server.kind]


async def test_zz_no_errors_logged_by_app_or_server(server: ServerProcess, client: httpx.AsyncClient) -> None:
    """Runs last for each server: nothing escaped a handler and the server logged no error."""
    assert await app_errors(client) == []
    assert server.errors_logged() == []
