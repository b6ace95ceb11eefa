"""Fault injection: connection failures the client can simulate at a chosen moment.

Each fault is a small frozen dataclass. Pass faults to ``Client(faults=[...])`` to apply
them to every connection, or use ``with client.inject(fault, ...):`` to apply them to the
requests and websocket sessions started inside the block (the block's faults live in a
context variable, so concurrent tasks do not see each other's faults).

``FaultPlan`` answers, for one connection, the questions the transport asks at each step:
does this ``send`` fail, has the client left, what does ``receive`` return.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Final, TypeAlias, final

__all__ = [
    "BrokenReceive",
    "DisconnectAfterRequestBytes",
    "DisconnectAfterResponseEvents",
    "Fault",
    "FaultPlan",
    "ReceiveStalls",
    "SendFailsAt",
    "active_faults",
    "injected",
]


@final
@dataclass(frozen=True)
class DisconnectAfterRequestBytes:
    """The client disconnects once the app has received ``count`` request body bytes.

    The chunk that crosses ``count`` is cut there (``more_body=True``); the next ``receive``
    returns ``http.disconnect``. A body shorter than ``count`` arrives whole. On websockets
    ``count`` counts the bytes of the client's messages (text as UTF-8).
    """

    count: int

    def __post_init__(self) -> None:
        _require_non_negative("count", self.count)


@final
@dataclass(frozen=True)
class DisconnectAfterResponseEvents:
    """The client disconnects right after it has received ``count`` events from the app.

    Later ``send`` calls raise ``OSError`` on spec >= 2.4 and are dropped silently on older
    specs, and ``receive`` reports the disconnect: what the chosen server would do. With
    ``count=0`` the client is gone before the app reads anything (a websocket client that
    leaves during the handshake: the app's first ``receive`` is ``websocket.disconnect``).
    """

    count: int

    def __post_init__(self) -> None:
        _require_non_negative("count", self.count)


@final
@dataclass(frozen=True)
class SendFailsAt:
    """The app's ``send`` raises ``OSError`` at its ``event``-th call (1-based), whatever the spec.

    This is a connection that broke while the server wrote: the client is gone from then on.
    """

    event: int

    def __post_init__(self) -> None:
        if self.event < 1:
            raise ValueError(f"event counts from 1, got {self.event}")


@final
@dataclass(frozen=True)
class ReceiveStalls:
    """``receive`` never returns once it has returned ``after`` events: a silent, stuck client.

    The stall ends only when the app is cancelled (the client's timeout) or the client
    leaves. Use it to test the app's own timeouts.
    """

    after: int = 0

    def __post_init__(self) -> None:
        _require_non_negative("after", self.after)


@final
@dataclass(frozen=True)
class BrokenReceive:
    """A broken server: ``receive`` returns ``events`` as given, in order, before anything else.

    The events are not validated, so they can have the wrong type, miss keys or carry values
    of the wrong kind: ``BrokenReceive([{"type": "http.request", "body": "text"}])``.
    After them the connection continues normally.
    """

    events: Sequence[Mapping[str, object]]


Fault: TypeAlias = (
    DisconnectAfterRequestBytes
    | DisconnectAfterResponseEvents
    | SendFailsAt
    | ReceiveStalls
    | BrokenReceive
)
"""Any fault the client can inject."""

_ACTIVE: Final[ContextVar[tuple[Fault, ...]]] = ContextVar("asgikit_testing_faults", default=())
"""Faults of the enclosing ``Client.inject`` blocks."""


def _require_non_negative(name: str, value: int) -> None:
    if value < 0:
        raise ValueError(f"{name} must be 0 or more, got {value}")


@contextmanager
def injected(faults: Iterable[Fault]) -> Generator[None, None, None]:
    """Add ``faults`` to the connections started in this context until the block ends."""
    token = _ACTIVE.set((*_ACTIVE.get(), *faults))
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def active_faults() -> tuple[Fault, ...]:
    """The faults of the enclosing ``inject`` blocks."""
    return _ACTIVE.get()


@final
class FaultPlan:
    """The faults of one connection, asked by the transport at each step."""

    def __init__(self, faults: Iterable[Fault]) -> None:
        self.request_byte_limit: int | None = None
        self.response_event_limit: int | None = None
        self.failing_send: int | None = None
        self.stall_after: int | None = None
        self.broken: list[Mapping[str, object]] = []
        for fault in faults:
            match fault:
                case DisconnectAfterRequestBytes(count):
                    self.request_byte_limit = _smallest(self.request_byte_limit, count)
                case DisconnectAfterResponseEvents(count):
                    self.response_event_limit = _smallest(self.response_event_limit, count)
                case SendFailsAt(event):
                    self.failing_send = _smallest(self.failing_send, event)
                case ReceiveStalls(after):
                    self.stall_after = _smallest(self.stall_after, after)
                case BrokenReceive(events):
                    self.broken.extend(events)

    def send_fails(self, number: int) -> bool:
        """Whether the app's ``number``-th ``send`` raises."""
        return self.failing_send is not None and number >= self.failing_send

    def leaves_after_events(self, delivered: int) -> bool:
        """Whether the client leaves now that it has received ``delivered`` events."""
        return self.response_event_limit is not None and delivered >= self.response_event_limit

    def stalls(self, received: int) -> bool:
        """Whether ``receive`` hangs now that it has returned ``received`` events."""
        return self.stall_after is not None and received >= self.stall_after

    def take_broken(self) -> Mapping[str, object] | None:
        """The next broken event to return from ``receive``, if any are left."""
        return self.broken.pop(0) if self.broken else None

    def cut(self, delivered: int, chunk: bytes) -> tuple[bytes, bool]:
        """The part of ``chunk`` to deliver after ``delivered`` bytes, and whether the client then leaves."""
        if self.request_byte_limit is None:
            return chunk, False
        room = self.request_byte_limit - delivered
        if len(chunk) < room:
            return chunk, False
        return chunk[: max(room, 0)], True


def _smallest(current: int | None, new: int) -> int:
    return new if current is None else min(current, new)
