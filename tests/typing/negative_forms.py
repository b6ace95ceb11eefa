"""Negative type tests for form parts: each marked line must stay an error in mypy and pyright."""

from __future__ import annotations

from asgikit import Body, FormPart


def filename_may_be_none(part: FormPart) -> str:
    return part.filename  # type: ignore[return-value]  # pyright: ignore[reportReturnType]


async def chunks_are_bytes(part: FormPart) -> list[str]:
    return [chunk async for chunk in part]  # type: ignore[misc]  # pyright: ignore[reportReturnType]


async def iter_parts_is_not_awaited(body: Body) -> None:
    await body.iter_parts()  # type: ignore[misc]  # pyright: ignore[reportGeneralTypeIssues]


def parts_are_read_only(part: FormPart) -> None:
    part.name = "other"  # type: ignore[misc]  # pyright: ignore[reportAttributeAccessIssue]
