"""B28: attacker-controlled text never reaches a log line raw.

Policy: asgikit itself does not log at all; frameworks log our exception messages, so every
message that quotes a client value quotes it with ``repr()`` (CR, LF and ESC escaped).
"""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pytest

import asgikit
from asgikit import InvalidHeaderError, MultipartBoundaryError, Request
from asgikit._multipart import boundary_from_content_type
from tests.conftest import Recorder, Script, http_scope

SOURCE = Path(asgikit.__file__).parent
ATTACK = "x\r\nSet-Cookie: a=b\x1b[31m"


def test_b28_asgikit_never_logs() -> None:
    for module in SOURCE.glob("*.py"):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [alias.name for alias in node.names]
                module_name = getattr(node, "module", None) or ""
                assert "logging" not in names and module_name != "logging", module.name
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id != "print", module.name


def _assert_escaped(message: str) -> None:
    assert "\r" not in message and "\n" not in message and "\x1b" not in message


def test_b28_header_error_messages_escape_control_characters() -> None:
    with pytest.raises(InvalidHeaderError) as caught:
        asgikit.Cookies().set("a", ATTACK)
    _assert_escaped(str(caught.value))


def test_b28_boundary_error_messages_escape_control_characters() -> None:
    with pytest.raises(MultipartBoundaryError) as caught:
        boundary_from_content_type("multipart/form-data; boundary=" + ATTACK)
    _assert_escaped(str(caught.value))


async def test_b28_unsupported_charset_message_escapes_control_characters(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    scope = http_scope(method="POST", headers=[(b"content-type", ("text/plain; charset=" + ATTACK).encode("latin-1"))])
    request = Request(scope, Script([{"type": "http.request", "body": b"hi"}]), Recorder())
    with pytest.raises(asgikit.RequestBodyError) as caught:
        await request.body.read_text()
    _assert_escaped(str(caught.value))
    assert caplog.records == []
