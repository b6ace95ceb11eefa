"""Testing ASGI applications in process: a typed client that behaves like real servers.

Install with ``pip install "asgikit[testing]"`` (adds httpx and hypothesis). ``Client`` is an
``httpx.AsyncClient`` served by your app; ``server=`` reproduces uvicorn, Hypercorn, Granian
or Daphne; the fault classes inject disconnects and broken servers; every event the app sends
is checked against the ASGI protocol (``ASGIProtocolError``). Hypothesis strategies for
fuzzing live in ``asgikit.testing.strategies``. See ``docs/testing.md``.
"""

from ._client import Client
from ._conformance import ASGIProtocolError
from ._faults import (
    BrokenReceive,
    DisconnectAfterRequestBytes,
    DisconnectAfterResponseEvents,
    Fault,
    ReceiveStalls,
    SendFailsAt,
)
from ._lifespan import LifespanError
from ._profiles import (
    DAPHNE,
    GRANIAN,
    HYPERCORN,
    PROFILES,
    REFERENCE,
    UVICORN,
    ServerName,
    ServerProfile,
)
from ._transport import AppTransport, ClientDisconnected, TransportOptions
from ._websocket import WebSocketClosed, WebSocketDenied, WebSocketSession

__all__ = [
    "DAPHNE",
    "GRANIAN",
    "HYPERCORN",
    "PROFILES",
    "REFERENCE",
    "UVICORN",
    "ASGIProtocolError",
    "AppTransport",
    "BrokenReceive",
    "Client",
    "ClientDisconnected",
    "DisconnectAfterRequestBytes",
    "DisconnectAfterResponseEvents",
    "Fault",
    "LifespanError",
    "ReceiveStalls",
    "SendFailsAt",
    "ServerName",
    "ServerProfile",
    "TransportOptions",
    "WebSocketClosed",
    "WebSocketDenied",
    "WebSocketSession",
]
