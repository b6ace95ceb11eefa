"""What real servers add to a websocket denial response (docs/servers.md pins these).

tests/apps/ws_app.py answers ``/deny`` with ``respond_text("denied", status=401,
headers={"x-denied": "yes"})`` before ``accept()``. Observed with uvicorn 0.54, hypercorn 0.18
and granian 2.8:

- granian sends the handshake's ``connection: upgrade``, ``upgrade: websocket`` and
  ``sec-websocket-accept`` headers on the 401 as well; uvicorn and hypercorn send only the
  response's own headers (plus ``date``/``server``/``connection: close``).
- uvicorn's ``websockets-sansio`` implementation, which its default ``--ws auto`` picks, logs
  ``ASGI callable returned without completing handshake.`` after every denial response, although
  the client received the whole response; the legacy ``--ws websockets`` and ``--ws wsproto``
  do not.
"""

from __future__ import annotations

import asyncio
import tempfile
from typing import Literal

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.http11 import Response

from tests import servers
from tests.servers import ServerKind, server_output, start_server

APP = "tests.apps.ws_app:app"
TIMEOUT = 10.0
UPGRADE_HEADERS = ("connection", "upgrade", "sec-websocket-accept")
UVICORN_HANDSHAKE_LOG = "ASGI callable returned without completing handshake."


async def denial(url: str) -> Response:
    """The HTTP response the app's ``/deny`` handshake gets."""
    async with asyncio.timeout(TIMEOUT):
        with pytest.raises(InvalidStatus) as info:
            async with connect(url.replace("http://", "ws://", 1) + "/deny", open_timeout=TIMEOUT):
                pass
    return info.value.response


@pytest.mark.parametrize("kind", ["uvicorn-h11", "hypercorn", "granian"])
async def test_granian_alone_adds_the_upgrade_headers_to_a_denial_response(kind: ServerKind) -> None:
    with start_server(kind, APP) as url:
        response = await denial(url)
    status = (response.status_code, response.body, response.headers.get("x-denied"))
    assert status == (401, b"denied", "yes")
    present = {name: response.headers.get(name) for name in UPGRADE_HEADERS}
    if kind == "granian":
        assert present["connection"] == "upgrade"
        assert present["upgrade"] == "websocket"
        assert present["sec-websocket-accept"]
    else:
        connection = "close" if kind == "uvicorn-h11" else None
        assert present == {"connection": connection, "upgrade": None, "sec-websocket-accept": None}


@pytest.mark.parametrize("implementation", ["websockets-sansio", "auto", "websockets", "wsproto"])
async def test_uvicorn_logs_a_handshake_error_after_a_denial_response(
    implementation: Literal["websockets-sansio", "auto", "websockets", "wsproto"],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    command = servers.server_command
    def with_implementation(kind: ServerKind, app: str, port: int) -> list[str]:
        return [*command(kind, app, port), "--ws", implementation]  # the last --ws wins

    monkeypatch.setattr(servers, "server_command", with_implementation)
    with tempfile.TemporaryFile() as log, start_server("uvicorn-h11", APP, log=log) as url:
        response = await denial(url)
        await asyncio.sleep(0.3)  # the log line follows the app's return
        logged = UVICORN_HANDSHAKE_LOG in server_output(log)
    assert (response.status_code, response.body) == (401, b"denied")
    assert logged == (implementation in ("websockets-sansio", "auto"))
