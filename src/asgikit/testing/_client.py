"""``Client``: an ``httpx.AsyncClient`` wired to an ASGI app in this process.

Everything httpx offers works unchanged (``get``/``post``/``stream``, params, headers,
cookies, ``content``/``data``/``files``/``json``); what this class adds is the app: the
transport (``AppTransport``), the lifespan around ``async with``, websocket sessions and fault
injection blocks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from types import TracebackType
from typing import Final, Self, final

import httpx
from typing_extensions import Unpack

from asgikit.asgi import ASGIApp, HTTPScope

from ._faults import Fault, injected
from ._lifespan import Lifespan
from ._profiles import ServerProfile
from ._transport import DEFAULT_TIMEOUT, AppTransport, TransportOptions
from ._websocket import WebSocketSession, connect

__all__ = ["Client"]

BASE_URL: Final = "http://testserver"
"""The base URL requests go to unless the client is given another."""


@final
class Client(httpx.AsyncClient):
    """An httpx client whose requests are served by ``app``, the way ``server`` would serve them.

    ``options`` say how the app is served (``server``, ``spec_version``, ``extensions``,
    ``chunk_size``, ``faults``, ``check_conformance``, ``raise_app_exceptions``, ``root_path``,
    ``client``, ``http_version``, ``shutdown_timeout``): see ``TransportOptions``. The other
    arguments are ``httpx.AsyncClient``'s; ``timeout`` is how long the client waits for the
    app to start a response, send a chunk or a message.

    ``async with Client(app) as client:`` runs the app's lifespan around the block.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        base_url: str = BASE_URL,
        headers: Mapping[str, str] | None = None,
        cookies: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        follow_redirects: bool = False,
        **options: Unpack[TransportOptions],
    ) -> None:
        self._app_transport = AppTransport(app, **options)
        super().__init__(
            transport=self._app_transport,
            base_url=base_url,
            headers=headers,
            cookies=dict(cookies) if cookies is not None else None,
            params=params,
            timeout=timeout,
            follow_redirects=follow_redirects,
        )
        self._lifespan: Lifespan | None = None

    @property
    def app(self) -> ASGIApp:
        """The application under test."""
        return self._app_transport.app

    @property
    def app_transport(self) -> AppTransport:
        """The transport that drives the app."""
        return self._app_transport

    @property
    def profile(self) -> ServerProfile:
        """The server profile in use, overrides applied."""
        return self._app_transport.profile

    @property
    def state(self) -> dict[str, object] | None:
        """The lifespan ``state`` (``None`` outside ``async with`` or without lifespan support)."""
        return self._app_transport.state

    async def __aenter__(self) -> Self:
        """Open the client and run the app's lifespan startup."""
        await super().__aenter__()
        if self.profile.lifespan:
            lifespan = Lifespan(
                app=self.app,
                timeout=self.timeout.read,
                shutdown_timeout=self._app_transport.shutdown_timeout,
            )
            try:
                await lifespan.startup()
            except BaseException:
                await super().__aexit__(None, None, None)
                raise
            self._lifespan = lifespan
            if lifespan.supported:
                self._app_transport.state = lifespan.state
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        """Run the app's lifespan shutdown and close the client."""
        lifespan, self._lifespan = self._lifespan, None
        try:
            if lifespan is not None:
                await lifespan.shutdown()
        finally:
            self._app_transport.state = None
            await super().__aexit__(exc_type, exc_value, traceback)

    async def send_scope(self, scope: HTTPScope, *, body: bytes = b"") -> httpx.Response:
        """Run the app on ``scope`` exactly as given, with ``body`` as the request body.

        For inputs no HTTP client would send (the scopes of ``strategies.http_scopes``):
        conformance checks, faults and timeouts apply as for ``get``/``post``. Returns the
        response with its body read.
        """
        request = httpx.Request(str(scope.get("method", "GET")), self.base_url, content=body)
        request.extensions["timeout"] = self.timeout.as_dict()
        response = await self._app_transport.handle_scope(scope, request)
        response.request = request
        await response.aread()
        return response

    def inject(self, *faults: Fault) -> AbstractContextManager[None]:
        """Apply ``faults`` to the requests and websockets started inside the ``with`` block."""
        return injected(faults)

    def websocket_connect(
        self,
        url: str,
        *,
        subprotocols: Sequence[str] = (),
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        cookies: Mapping[str, str] | None = None,
    ) -> AbstractAsyncContextManager[WebSocketSession]:
        """Open a websocket to ``url``: ``async with client.websocket_connect("/ws") as ws:``.

        Raises ``WebSocketDenied`` if the app refuses the handshake. Leaving the block closes
        the connection with code 1000 and waits for the app to return.
        """
        request = self.build_request(
            "GET",
            url,
            headers=headers,
            params=params,
            cookies=dict(cookies) if cookies is not None else None,
        )
        return connect(self._app_transport, request, subprotocols, self.timeout.read)
