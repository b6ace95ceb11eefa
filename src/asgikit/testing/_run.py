"""One call of the app on one connection, run as an asyncio task, and how it ended.

``AppRun`` is what the HTTP exchange and the websocket session share: it starts the app,
records the first protocol violation, remembers the ``OSError``\\ s the server side raised on
purpose (an app may let those escape: servers do not report them), and ``finish()`` waits for
the app (cancelling it after ``shutdown_timeout``) and then raises, in this order, the
protocol violation, the app's own exception, or a violation in how the app returned.
``Chunks`` is the bounded byte channel from the app's ``send`` to the client's reads.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Final, Protocol, cast, final

from asgikit.asgi import ReceiveEvent, SendEvent

from ._conformance import ASGIProtocolError
from ._faults import FaultPlan

__all__ = ["AppRun", "Checker", "Chunks", "wait_first"]

BUFFER_LIMIT: Final = 1024 * 1024
"""Bytes the client buffers before the app's ``send`` waits for the reader (backpressure)."""


class Checker(Protocol):
    """A conformance checker (``HTTPChecker`` or ``WebSocketChecker``)."""

    def check(self, event: object) -> None:
        """Validate the next event."""
        ...

    def check_return(self, *, client_gone: bool) -> None:
        """Validate that the app may return now."""
        ...


@final
class AppRun:
    """The app task of one connection and the facts ``finish()`` reports."""

    def __init__(
        self,
        *,
        checker: Checker | None,
        raise_app_exceptions: bool,
        shutdown_timeout: float,
        plan: FaultPlan | None = None,
        send_raises: bool = False,
    ) -> None:
        self.checker: Checker | None = checker
        self.plan: FaultPlan = plan if plan is not None else FaultPlan(())
        self.send_raises: bool = send_raises
        self.events: list[SendEvent] = []
        self.received: int = 0
        self.unstalled: asyncio.Event = asyncio.Event()
        self.raise_app_exceptions: bool = raise_app_exceptions
        self.shutdown_timeout: float = shutdown_timeout
        self.problem: ASGIProtocolError | None = None
        self.server_errors: list[OSError] = []
        self.client_gone: bool = False
        self.task: asyncio.Task[None] | None = None
        self.finished: bool = False
        self.failed: bool = False

    def start(self, call: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        """Run the app (``call()``) as a task."""

        async def run() -> None:
            await call()

        self.task = asyncio.ensure_future(run())
        return self.task

    async def faulted_receive(self) -> ReceiveEvent | None:
        """Apply the receive faults before a real event: a broken-server event to return as
        it is, or ``None`` to go on (after waiting out a stall, which ends when the client
        leaves or the app is cancelled)."""
        broken = self.plan.take_broken()
        if broken is None and self.plan.stalls(self.received):
            await self.unstalled.wait()
        self.received += 1
        return None if broken is None else cast("ReceiveEvent", broken)

    def take(self, event: SendEvent, leave: Callable[[], None]) -> bool:
        """Validate and record the app's next event; ``True`` if the client should get it.

        Raises the ``OSError`` of an injected failing send (the client then leaves) and, on
        spec >= 2.4, the one that reports a client already gone.
        """
        number = len(self.events) + 1
        if self.plan.send_fails(number):
            leave()
            raise self.server_error(f"send failed at event {number} (SendFailsAt fault)")
        self.check(event)
        self.events.append(event)
        if self.client_gone:
            if self.send_raises:
                raise self.server_error("the client disconnected")
            return False
        return True

    def delivered(self, leave: Callable[[], None]) -> None:
        """The client got the last event: leave now if a fault says so."""
        if self.plan.leaves_after_events(len(self.events)):
            leave()

    def gone(self) -> None:
        """The client left: sends stop reaching it and a stalled ``receive`` wakes up."""
        self.client_gone = True
        self.unstalled.set()

    def check(self, event: object) -> None:
        """Validate one event the app sent; the first violation is kept for ``finish()``."""
        if self.checker is None:
            return
        try:
            self.checker.check(event)
        except ASGIProtocolError as exc:
            if self.problem is None:
                self.problem = exc
            raise

    def server_error(self, message: str) -> OSError:
        """An ``OSError`` to raise from ``send``, remembered so that its escape is not an app error."""
        error = OSError(message)
        self.server_errors.append(error)
        return error

    @property
    def done(self) -> bool:
        """Whether the app task has ended."""
        return self.task is not None and self.task.done()

    async def finish(self) -> None:
        """Wait for the app to end (cancel it after ``shutdown_timeout``), then report problems.

        Runs once; later calls return at once.
        """
        if self.finished or self.task is None:
            return
        self.finished = True
        task = self.task
        if not task.done():
            await asyncio.wait({task}, timeout=self.shutdown_timeout)
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            return
        error = None if task.cancelled() else task.exception()
        self.failed = error is not None
        if self.problem is not None:
            raise self.problem from (error if error is not self.problem else None)
        server_raised = any(error is sent for sent in self.server_errors)
        if error is not None and not server_raised and self._reports(error):
            raise error
        if error is None and self.checker is not None:
            self.checker.check_return(client_gone=self.client_gone)

    def _reports(self, error: BaseException) -> bool:
        """Whether an exception that escaped the app is raised in the test."""
        return isinstance(error, ASGIProtocolError) or self.raise_app_exceptions

    async def cancel(self) -> None:
        """Stop the app now (the client gave up waiting)."""
        self.finished = True
        if self.task is not None and not self.task.done():
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        elif self.task is not None and not self.task.cancelled():
            self.task.exception()  # retrieved: not reported as "never retrieved"


async def wait_first(
    waitable: Awaitable[object], task: asyncio.Task[None], timeout: float | None
) -> bool:
    """Wait for ``waitable`` or the end of ``task``; ``True`` if ``waitable`` finished first.

    Raises ``TimeoutError`` when neither happens within ``timeout`` seconds.
    """
    waiter = asyncio.ensure_future(waitable)
    try:
        done, _ = await asyncio.wait(
            {waiter, task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        if not waiter.done():
            waiter.cancel()
    if not done:
        raise TimeoutError
    return waiter in done


@final
class Chunks:
    """Bytes from the app to the client: ``put`` waits while more than ``limit`` bytes are unread."""

    def __init__(self, limit: int = BUFFER_LIMIT) -> None:
        self._items: deque[bytes] = deque()
        self._size = 0
        self._limit = limit
        self._readable = asyncio.Event()
        self._writable = asyncio.Event()
        self._writable.set()
        self._ended = False
        self._abandoned = False

    async def put(self, chunk: bytes) -> None:
        """Queue ``chunk``; wait while the reader is behind (unless it has left)."""
        if self._abandoned or self._ended:
            return
        self._items.append(chunk)
        self._size += len(chunk)
        self._readable.set()
        while self._size > self._limit and not self._abandoned:
            self._writable.clear()
            await self._writable.wait()

    def end(self) -> None:
        """No more chunks will come; ``get`` returns ``None`` once the queue is empty."""
        self._ended = True
        self._readable.set()

    def abandon(self) -> None:
        """The connection is gone: accept no more chunks and never block ``put`` again.

        Chunks already queued stay readable: the client received them before it left.
        """
        self._abandoned = True
        self._writable.set()
        self.end()

    async def get(self) -> bytes | None:
        """The next chunk, or ``None`` at the end."""
        while not self._items:
            if self._ended:
                return None
            self._readable.clear()
            await self._readable.wait()
        chunk = self._items.popleft()
        self._size -= len(chunk)
        if self._size <= self._limit:
            self._writable.set()
        return chunk
