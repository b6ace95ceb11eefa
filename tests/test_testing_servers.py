"""The in-process Client against the real servers: tests/apps/http_app.py served by each real
server (uvicorn h11 and httptools, hypercorn, granian, daphne) and run through
``Client(server=<its profile>)`` answers every matrix request with the same status, headers and
body. Headers the server adds on its own (date, server, connection framing) are left out, and
so are differences that change no meaning: the relative order of different header names
(Granian moves content-length last) and JSON key order (Hypercorn's ``asgi`` dict)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Final, cast

import httpx
import pytest

from asgikit.testing import Client, ServerName
from tests.apps import http_app
from tests.servers import SERVER_KINDS, ServerKind, server_output, start_server

APP: Final = "tests.apps.http_app:app"
TIMEOUT: Final = 15.0

PROFILE: Final[dict[ServerKind, ServerName]] = {
    "uvicorn-h11": "uvicorn",
    "uvicorn-httptools": "uvicorn",
    "hypercorn": "hypercorn",
    "granian": "granian",
    "daphne": "daphne",
}
"""The profile that stands for each real server."""

SERVER_ADDED: Final = frozenset({"date", "server", "transfer-encoding", "connection", "keep-alive"})
"""Headers servers add or change on their own: not the app's, not compared."""


@dataclass(frozen=True)
class Case:
    """One request of the matrix."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    data: tuple[tuple[str, str], ...] = ()
    files: tuple[tuple[str, tuple[str, bytes, str]], ...] = ()

    def __str__(self) -> str:
        return f"{self.method} {self.path}" + (f" {dict(self.headers)}" if self.headers else "")


CASES: Final = [
    Case("GET", "/text"),
    Case("HEAD", "/text"),
    Case("GET", "/json"),
    Case("GET", "/redirect/temporary"),
    Case("GET", "/redirect/permanent"),
    Case("POST", "/redirect/see-other"),
    Case("GET", "/cookies"),
    Case("GET", "/ndjson?20"),
    Case("POST", "/form", data=(("name", "Ada Lovelace"), ("tags", "a&b=c"), ("e", "\u00e9"))),
    Case(
        "POST",
        "/form",
        data=(("note", "small"),),
        files=(("upload", ("notes.txt", b"line 1\r\n--x\r\n", "text/plain")),),
    ),
    Case("GET", "/file"),
    Case("GET", "/file", headers=(("range", "bytes=10-19"),)),
    Case("GET", "/file", headers=(("range", "bytes=99999999-"),)),
    Case("GET", "/scope"),
    Case("GET", "/nope"),
]


@dataclass(frozen=True)
class Observed:
    """What the client saw, normalised."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


def observe(response: httpx.Response) -> Observed:
    """Status, the app's headers (stably sorted by name: same-name order kept) and the body
    (re-encoded with sorted keys when it is JSON)."""
    headers = sorted(
        (
            (name.lower(), value)
            for name, value in response.headers.multi_items()
            if name.lower() not in SERVER_ADDED
        ),
        key=lambda item: item[0],
    )
    body = response.content
    if response.headers.get("content-type") == "application/json" and body:
        body = json.dumps(response.json(), sort_keys=True).encode()
    return Observed(response.status_code, headers, body)


async def send(client: httpx.AsyncClient, case: Case) -> Observed:
    files = list(case.files) or None
    response = await client.request(
        case.method,
        case.path,
        headers=dict(case.headers),
        data=dict(case.data) or None,
        files=files,
    )
    return observe(response)


@pytest.fixture(scope="module", params=SERVER_KINDS)
def server(request: pytest.FixtureRequest) -> Iterator[tuple[ServerKind, str]]:
    kind = cast("ServerKind", request.param)
    with tempfile.NamedTemporaryFile(prefix=f"asgikit-{kind}-", suffix=".log") as log:
        with start_server(kind, APP, startup_timeout=TIMEOUT, log=log) as url:
            yield kind, url
        assert "Traceback" not in server_output(log)


@pytest.fixture
async def real(server: tuple[ServerKind, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server[1], timeout=TIMEOUT) as client:
        yield client


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_in_process_client_answers_like_the_real_server(
    server: tuple[ServerKind, str], real: httpx.AsyncClient, case: Case
) -> None:
    expected = await send(real, case)
    async with Client(http_app.app, server=PROFILE[server[0]]) as client:
        actual = await send(client, case)
    assert actual == expected
