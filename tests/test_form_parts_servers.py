"""``Body.iter_parts`` under real servers: a large upload streamed straight to a file, and a
client that leaves half way through a part (``tests.apps.parts_app``, driven by httpx and by
a raw socket over 127.0.0.1)."""

from __future__ import annotations

import asyncio
import hashlib
import random
import shutil
import socket
import time
from collections.abc import AsyncIterator, Iterator
from typing import Final, cast

import httpx
import pytest

from tests.apps.parts_app import UPLOADS
from tests.servers import SERVER_KINDS, ServerKind, start_server

APP: Final = "tests.apps.parts_app:app"
TIMEOUT: Final = 15.0
BOUNDARY: Final = "asgikit-parts-5b2e"
SIZE: Final = 24 * 1024 * 1024
BLOCK: Final = random.Random(7).randbytes(1024 * 1024)


@pytest.fixture(scope="module", params=SERVER_KINDS)
def served(request: pytest.FixtureRequest) -> Iterator[tuple[ServerKind, str]]:
    """One server per kind for the whole module: its kind and base URL."""
    kind = cast("ServerKind", request.param)
    try:
        with start_server(kind, APP, startup_timeout=TIMEOUT) as url:
            yield kind, url
    finally:
        shutil.rmtree(UPLOADS, ignore_errors=True)


@pytest.fixture
def server(served: tuple[ServerKind, str]) -> str:
    """The base URL of the server under test."""
    return served[1]


def head(name: str, filename: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"'
    if filename is not None:
        disposition += f'; filename="{filename}"\r\nContent-Type: application/octet-stream'
    return f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()


async def record(client: httpx.AsyncClient, key: str) -> object:
    """The app's record for ``key``, waiting (bounded) until it exists."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        found = (await client.get("/record", params={"id": key})).json()
        if found is not None:
            return cast("object", found)
        await asyncio.sleep(0.05)
    raise AssertionError(f"the app recorded nothing for {key!r}")


async def test_a_large_upload_is_streamed_straight_to_a_file(server: str) -> None:
    before = b"".join(
        [head("title"), "r\u00e9sum\u00e9".encode(), b"\r\n", head("video", "clip.bin")]
    )
    after = b"".join([b"\r\n", head("note"), b"done", f"\r\n--{BOUNDARY}--\r\n".encode()])
    digest = hashlib.sha256()
    for _ in range(SIZE // len(BLOCK)):
        digest.update(BLOCK)

    async def body() -> AsyncIterator[bytes]:
        yield before
        for _ in range(SIZE // len(BLOCK)):
            yield BLOCK
        yield after

    async with httpx.AsyncClient(base_url=server, timeout=60) as client:
        response = await client.post(
            "/parts",
            params={"id": "large"},
            content=body(),
            headers={
                "content-type": f"multipart/form-data; boundary={BOUNDARY}",
                "content-length": str(len(before) + SIZE + len(after)),
            },
        )
        assert response.status_code == 200, response.text
        answer = response.json()
        largest = answer["files"]["video"].pop("largest_chunk")
        assert answer == {
            "fields": {"title": "r\u00e9sum\u00e9", "note": "done"},
            "files": {
                "video": {
                    "filename": "clip.bin",
                    "media_type": "application/octet-stream",
                    "size": SIZE,
                    "sha256": digest.hexdigest(),
                    "on_disk": SIZE,
                }
            },
        }
        # Chunks are what the server delivers, never the whole part.
        assert 0 < largest <= 4 * 1024 * 1024
        assert await record(client, "large") == {"outcome": "ok", "left": []}


async def test_a_client_leaving_mid_part_ends_the_stream_and_leaves_no_file(
    served: tuple[ServerKind, str],
) -> None:
    kind, server = served
    if kind == "daphne":
        pytest.skip(
            "daphne reads the whole body before it calls the app: an aborted upload never reaches it"
        )
    port = int(server.rsplit(":", 1)[1])
    start = head("video", "clip.bin")
    length = len(start) + SIZE + 100
    request = (
        f"POST /parts?id=gone HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(request + start)
        for _ in range(4):
            sock.sendall(BLOCK)
        time.sleep(0.2)  # let the app start writing the part
    async with httpx.AsyncClient(base_url=server, timeout=TIMEOUT) as client:
        found = await record(client, "gone")
    assert found == {"outcome": "ClientDisconnectError", "left": []}
    assert list(UPLOADS.glob("gone-*")) == []
