"""Forms: an urlencoded form and a multipart file upload, read with explicit limits.

``GET /`` shows both forms; ``POST /submit`` answers a JSON summary of the fields and files.
``Body.read_form`` reads either encoding. Every limit is set here on purpose: a form that
exceeds one is refused with the limit error's status (413, or 400 for malformed bodies)
before more of it is read. Files are spooled in memory up to 1 MiB, then on disk.

Run: ``uvicorn examples.forms:app``, or
``curl -F note=hi -F upload=@README.md http://127.0.0.1:8000/submit``.
"""

from __future__ import annotations

from typing import Final

import msgspec

from asgikit import Request, RequestBodyError
from asgikit.asgi import Receive, Scope, Send

__all__ = [
    "MAX_FIELDS",
    "MAX_FIELD_SIZE",
    "MAX_FILES",
    "MAX_FILE_SIZE",
    "FormSummary",
    "UploadInfo",
    "app",
    "summarize_form",
]

MAX_FIELDS: Final = 20
"""Most non-file fields accepted in one form."""
MAX_FIELD_SIZE: Final = 4 * 1024
"""Largest value of one non-file field, in bytes."""
MAX_FILES: Final = 5
"""Most files in one upload."""
MAX_FILE_SIZE: Final = 64 * 1024 * 1024
"""Largest single uploaded file."""
MAX_BODY_SIZE: Final = MAX_FILES * MAX_FILE_SIZE + 1024 * 1024
"""Largest whole request body (room for every file plus the fields)."""

PAGE: Final = """<!doctype html>
<meta charset="utf-8"><title>asgikit forms</title>
<h1>Urlencoded form</h1>
<form method="post" action="/submit">
  <input name="name" value="Ada"> <input name="tag" value="a"> <input name="tag" value="b">
  <button>Send</button>
</form>
<h1>File upload (multipart)</h1>
<form method="post" action="/submit" enctype="multipart/form-data">
  <input name="note" value="hello"> <input type="file" name="upload" multiple>
  <button>Upload</button>
</form>
"""


class UploadInfo(msgspec.Struct, frozen=True):
    """What the server learned about one uploaded file."""

    field: str
    filename: str
    safe_filename: str
    media_type: str
    size: int


class FormSummary(msgspec.Struct, frozen=True):
    """The fields (every value, by name) and files of a submitted form."""

    fields: dict[str, list[str]]
    files: list[UploadInfo]


async def summarize_form(request: Request) -> FormSummary:
    """Read the form with this module's limits and summarise it; uploaded files are closed.

    Raises a ``RequestBodyError`` subclass (with ``status_code``) if the form is refused.
    """
    form = await request.body.read_form(
        max_fields=MAX_FIELDS,
        max_part_size=MAX_FIELD_SIZE,
        max_files=MAX_FILES,
        max_file_size=MAX_FILE_SIZE,
        max_body_size=MAX_BODY_SIZE,
    )
    fields: dict[str, list[str]] = {}
    files: list[UploadInfo] = []
    for name, value in form.items():
        if isinstance(value, str):
            fields.setdefault(name, []).append(value)
            continue
        async with value:  # closes the spooled file
            files.append(
                UploadInfo(name, value.filename, value.safe_filename, value.media_type, value.size)
            )
    return FormSummary(fields, files)


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """The ASGI application."""
    if scope["type"] != "http":
        return
    request = Request(scope, receive, send)
    if request.path == "/" and request.method == "GET":
        await request.respond_text(PAGE, media_type="text/html")
    elif request.path == "/submit" and request.method == "POST":
        try:
            summary = await summarize_form(request)
        except RequestBodyError as exc:
            await request.respond_text(str(exc), status=exc.status_code)
            return
        await request.respond_json(summary)
    else:
        await request.respond_text("Not Found", status=404)
