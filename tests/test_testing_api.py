"""The public surface of asgikit.testing: exactly the documented names, all documented, built on
asgikit's public API only."""

from __future__ import annotations

import ast
from pathlib import Path

import httpx

import asgikit.testing
from asgikit.testing import strategies
from tests.docstrings import undocumented

TESTING_NAMES = {
    "Client", "AppTransport", "ClientDisconnected", "ServerProfile", "ServerName", "PROFILES",
    "REFERENCE", "UVICORN", "HYPERCORN", "GRANIAN", "DAPHNE", "WebSocketSession", "WebSocketDenied",
    "WebSocketClosed", "ASGIProtocolError", "LifespanError", "Fault", "DisconnectAfterRequestBytes",
    "DisconnectAfterResponseEvents", "SendFailsAt", "ReceiveStalls", "BrokenReceive", "TransportOptions",
}  # fmt: skip

STRATEGY_NAMES = {
    "http_scopes", "websocket_scopes", "headers", "query_strings", "cookie_headers",
    "urlencoded_bodies", "multipart_bodies", "range_headers", "hosts",
}  # fmt: skip

PACKAGE = Path(asgikit.testing.__file__).resolve().parent


def test_all_is_exactly_the_documented_names() -> None:
    assert set(asgikit.testing.__all__) == TESTING_NAMES
    assert set(strategies.__all__) == STRATEGY_NAMES


def test_every_public_class_function_and_method_has_a_docstring() -> None:
    assert undocumented(asgikit.testing) == []
    assert undocumented(strategies) == []


def test_client_is_an_httpx_async_client() -> None:
    assert issubclass(asgikit.testing.Client, httpx.AsyncClient)
    assert issubclass(asgikit.testing.AppTransport, httpx.AsyncBaseTransport)
    assert issubclass(asgikit.testing.ClientDisconnected, httpx.TransportError)


def test_the_testing_package_uses_only_public_asgikit_modules() -> None:
    private: list[str] = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                parts = node.module.split(".")
                if parts[0] == "asgikit" and any(part.startswith("_") for part in parts[1:]):
                    private.append(f"{path.name}: from {node.module}")
            if isinstance(node, ast.Import):
                private += [f"{path.name}: import {a.name}" for a in node.names if a.name.startswith("asgikit._")]
    assert private == []
