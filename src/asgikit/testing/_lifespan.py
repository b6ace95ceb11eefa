"""The lifespan protocol as servers run it: startup before the first request, shutdown after the last.

``Lifespan`` calls the app once with a ``lifespan`` scope whose ``state`` dict the transport
then copies (shallowly) into every connection scope. An app that returns or raises before
answering ``lifespan.startup`` does not support lifespan, which is fine (uvicorn's ``auto``
mode behaves the same way); so is an app that answers with a non-lifespan event (it ignored
the scope type: the event is refused and the app's resulting error ignored). Lifespan events
out of order raise ``ASGIProtocolError``. ``lifespan.startup.failed`` and ``lifespan.shutdown.failed``
raise ``LifespanError`` with the app's message.
"""

from __future__ import annotations

import asyncio
from typing import Final, cast, final

from asgikit.asgi import ASGIApp, LifespanScope, ReceiveEvent, SendEvent

from ._conformance import ASGIProtocolError
from ._run import AppRun, wait_first

__all__ = ["Lifespan", "LifespanError"]

_ANSWERS: Final = {
    "lifespan.startup": ("lifespan.startup.complete", "lifespan.startup.failed"),
    "lifespan.shutdown": ("lifespan.shutdown.complete", "lifespan.shutdown.failed"),
}
"""The events the app may answer each lifespan event with: (success, failure)."""


class LifespanError(Exception):
    """The app reported ``lifespan.startup.failed`` or ``lifespan.shutdown.failed``.

    ``message`` is the app's message (``""`` if it gave none).
    """

    def __init__(self, phase: str, message: str) -> None:
        super().__init__(
            f"lifespan {phase} failed: {message}" if message else f"lifespan {phase} failed"
        )
        self.phase: str = phase
        self.message: str = message


@final
class Lifespan:
    """One lifespan run of the app."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        spec_version: str = "2.0",
        timeout: float | None,
        shutdown_timeout: float,
    ) -> None:
        self.app = app
        self.state: dict[str, object] = {}
        self.timeout = timeout
        self.scope: LifespanScope = {
            "type": "lifespan",
            "asgi": {"version": "3.0", "spec_version": spec_version},
            "state": self.state,
        }
        self.run = AppRun(
            checker=None, raise_app_exceptions=True, shutdown_timeout=shutdown_timeout
        )
        self.incoming: asyncio.Queue[ReceiveEvent] = asyncio.Queue()
        self.answer: asyncio.Future[SendEvent] | None = None
        self.expected: tuple[str, str] | None = None
        self.supported = False
        self.count = 0
        self.problem: ASGIProtocolError | None = None

    async def _receive(self) -> ReceiveEvent:
        return await self.incoming.get()

    async def _send(self, event: SendEvent, /) -> None:
        self.count += 1
        # Typed as an event, but the app may send anything: read it as an unknown mapping.
        raw = cast("object", event)
        fields = cast("dict[str, object]", raw) if isinstance(raw, dict) else {}
        event_type = fields.get("type")
        if not (isinstance(event_type, str) and event_type.startswith("lifespan.")):
            # An app that ignores the scope type: servers read that as no lifespan support.
            raise ASGIProtocolError(f"event {self.count}: not a lifespan event")
        if (
            self.expected is None
            or self.answer is None
            or self.answer.done()
            or event_type not in self.expected
        ):
            self.problem = ASGIProtocolError(
                f"event {self.count} ({event_type}): not an answer to the pending lifespan event",
                event_number=self.count,
                event_type=event_type,
            )
            raise self.problem
        self.answer.set_result(event)

    async def _ask(self, event: ReceiveEvent) -> SendEvent | None:
        """Send ``event`` and wait for the app's answer (``None`` if the app ended instead)."""
        task = self.run.task
        assert task is not None
        self.expected = _ANSWERS[event["type"]]
        self.answer = asyncio.get_running_loop().create_future()
        self.incoming.put_nowait(event)
        try:
            answered = await wait_first(self.answer, task, self.timeout)
        except TimeoutError:
            await self.run.cancel()
            raise TimeoutError(
                f"the app did not answer {event['type']} within {self.timeout} s"
            ) from None
        return self.answer.result() if answered else None

    async def startup(self) -> None:
        """Run startup; raise ``LifespanError`` if the app reports a failure."""
        self.run.start(lambda: self.app(self.scope, self._receive, self._send))
        answer = await self._ask({"type": "lifespan.startup"})
        if self.problem is not None:
            await self.run.cancel()
            raise self.problem
        if answer is None:
            # Returned or raised before answering: no lifespan support, as servers treat it.
            await self.run.cancel()
            return
        self.supported = True
        if answer["type"] == "lifespan.startup.failed":
            await self.run.cancel()
            raise LifespanError("startup", answer.get("message", ""))

    async def shutdown(self) -> None:
        """Run shutdown and wait for the app to return."""
        if not self.supported or self.run.done:
            await self.run.cancel()
            return
        answer = await self._ask({"type": "lifespan.shutdown"})
        if self.problem is not None:
            await self.run.cancel()
            raise self.problem
        if answer is not None and answer["type"] == "lifespan.shutdown.failed":
            await self.run.cancel()
            raise LifespanError("shutdown", answer.get("message", ""))
        await self.run.finish()
