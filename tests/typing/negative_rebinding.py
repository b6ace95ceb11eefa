"""Rebinding a name to a later lifecycle state: where the checkers disagree.

A parameter or an annotated variable keeps its declared type, so rebinding it to another
state (``ws = await ws.accept()``) is rejected by all five checkers, and so is the next use.
An *inferred* local (``ws = request.websocket``) is declared by its first assignment: mypy
keeps that type and rejects the rebinding; pyright, basedpyright, ty and pyrefly widen the
variable to the union of its assignments and accept the rebinding and the code after it.
Lines marked ``rejected only by: mypy`` must be errors in mypy and clean in the others
(scripts/typecheck_negative.py checks both directions).
"""

from __future__ import annotations

from asgikit import Request, Response, WebSocket


async def websocket_parameter(ws: WebSocket) -> None:
    ws = await ws.accept()  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]
    await ws.write("x")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


async def response_parameter(response: Response) -> None:
    response = await response.start(200)  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]
    await response.end()  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


async def websocket_inferred_local(request: Request) -> None:
    ws = request.websocket
    ws = await ws.accept()  # type: ignore[assignment]  # rejected only by: mypy
    await ws.write("x")  # type: ignore[call-arg]  # rejected only by: mypy


async def response_inferred_local(request: Request) -> None:
    response = request.response
    response = await response.start(200)  # type: ignore[assignment]  # rejected only by: mypy
    await response.end()  # type: ignore[call-arg]  # rejected only by: mypy
