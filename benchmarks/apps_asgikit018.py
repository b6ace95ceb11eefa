"""The published asgikit 0.18.2, for comparison.

Import this module only in a process whose ``sys.path`` starts with the directory 0.18.2 was
installed into (``.bench/asgikit018``, see :mod:`benchmarks.inprocess`): it imports the
top-level ``asgikit`` name, which is otherwise this repository's package. 0.18.2 is untyped,
so the few methods used here are described by protocols.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Final, Protocol, cast

from .cases import BENCH_DIR, FORM_FIELD, HELLO_JSON, HELLO_TEXT, STREAM_CHUNKS, App

if TYPE_CHECKING:  # types of this repository's asgikit; at run time "asgikit" is 0.18.2
    from asgikit.asgi import Receive, Send

    from .cases import ConnectionScope

__all__ = ["APPS", "INSTALL_DIR", "VERSION"]

INSTALL_DIR: Final = BENCH_DIR / "asgikit018"
"""Where ``pip install --target`` puts asgikit 0.18.2 and its ``multipart`` dependency."""


class _MultiDict(Protocol):
    def get_first(self, key: str) -> object: ...


class _Upload(Protocol):
    filename: str
    size: int


class _Body(Protocol):
    async def read_json(self) -> object: ...

    async def read_form(self) -> _MultiDict: ...


class _WebSocket(Protocol):
    def iter(self) -> AsyncIterator[str | bytes]: ...

    async def write(self, data: str | bytes) -> None: ...


class _Request(Protocol):
    @property
    def body(self) -> _Body: ...

    async def respond_text(self, content: str) -> None: ...

    async def respond_json(self, content: object) -> None: ...

    def response_writer(
        self, *, media_type: str
    ) -> AbstractAsyncContextManager[Callable[[bytes], Awaitable[None]]]: ...

    async def upgrade(self) -> _WebSocket: ...


def _load() -> tuple[ModuleType, str]:
    module = importlib.import_module("asgikit")
    location = Path(str(module.__file__)).resolve()
    if INSTALL_DIR not in location.parents:
        raise ImportError(
            f"'asgikit' resolved to {location}, not asgikit 0.18.2; put {INSTALL_DIR} first on sys.path"
        )
    version = importlib.import_module("asgikit.__version__")
    return module, str(version.__version__)


_MODULE, VERSION = _load()
"""The version string of the loaded release (``0.18.2``)."""

_new_request: Final = cast("Callable[[ConnectionScope, Receive, Send], _Request]", _MODULE.Request)


async def plaintext(scope: ConnectionScope, receive: Receive, send: Send) -> None:
    """``respond_text``."""
    await _new_request(scope, receive, send).respond_text(HELLO_TEXT)


async def small_json(scope: ConnectionScope, receive: Receive, send: Send) -> None:
    """``respond_json``."""
    await _new_request(scope, receive, send).respond_json(HELLO_JSON)


async def echo_json(scope: ConnectionScope, receive: Receive, send: Send) -> None:
    """``body.read_json`` then ``respond_json``."""
    request = _new_request(scope, receive, send)
    await request.respond_json(await request.body.read_json())


async def form_urlencoded(scope: ConnectionScope, receive: Receive, send: Send) -> None:
    """``body.read_form``, one field back."""
    request = _new_request(scope, receive, send)
    form = await request.body.read_form()
    await request.respond_text(str(form.get_first(FORM_FIELD)))


async def multipart(scope: ConnectionScope, receive: Receive, send: Send) -> None:
    """``body.read_form`` with an upload; answer ``name:filename:size``."""
    request = _new_request(scope, receive, send)
    form = await request.body.read_form()
    upload = cast("_Upload", form.get_first("upload"))
    await request.respond_text(f"{form.get_first('name')}:{upload.filename}:{upload.size}")


async def stream(scope: ConnectionScope, receive: Receive, send: Send) -> None:
    """``response_writer``."""
    request = _new_request(scope, receive, send)
    async with request.response_writer(media_type="text/plain") as write:
        for chunk in STREAM_CHUNKS:
            await write(chunk)


async def websocket_echo(scope: ConnectionScope, receive: Receive, send: Send) -> None:
    """``upgrade``, then ``iter``/``write`` until disconnect."""
    websocket = await _new_request(scope, receive, send).upgrade()
    async for message in websocket.iter():
        await websocket.write(message)


APPS: Final[dict[str, App]] = {
    "plaintext": plaintext,
    "json": small_json,
    "echo_json": echo_json,
    "form_20": form_urlencoded,
    "multipart_1m": multipart,
    "multipart_50m": multipart,
    "stream": stream,
    "websocket": websocket_echo,
}
"""asgikit 0.18.2 app of every case."""
