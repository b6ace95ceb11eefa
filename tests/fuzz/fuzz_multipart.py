"""Fuzz ``Body.read_form`` (multipart) end to end, and ``parse_multipart`` with a tiny spool.

Input layout (atheris ``FuzzedDataProvider``: integers come from the end of the input, bytes
from the front): ``[content-type bytes (mode 1)] body bytes ... control integers``. An input
whose trailing control bytes are all zero means: fixed ``Content-Type`` with boundary ``B``,
generous limits, the body in one ``http.request`` event.

Checks, for every input:
- the only exceptions are asgikit ones (``AsgiException`` subclasses);
- a client disconnect before the end of the body raises ``ClientDisconnectError``;
- a returned form respects the limits, and each file reads back exactly ``size`` bytes;
- no file descriptor and no temporary file outlives the call (returned files are closed).

Run: ``.venv/bin/python tests/fuzz/fuzz_multipart.py -max_total_time=60 tests/fuzz/corpus/multipart``
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import tempfile

import atheris

with atheris.instrument_imports(include=["asgikit", "python_multipart"]):
    from asgikit import Body, ClientDisconnectError, UploadedFile
    from asgikit._multipart_form import parse_multipart

from _harness import only_documented, open_fds, run

FIXED_CONTENT_TYPE = b"multipart/form-data; boundary=B"

# Index 0 is the generous value, so an all-zero control tail parses deeply.
FIELDS = (1000, 1, 2, 3, 8)
FILES = (100, 0, 1, 2, 4)
PART_SIZE = (1 << 20, 0, 1, 4, 64)
FILE_SIZE = (1 << 20, 0, 1, 16, 256)
HEADER_COUNT = (8, 1, 2, 3)
HEADER_SIZE = (4096, 1, 16, 64, 256)
FIELDS_SIZE = (1 << 20, 0, 3, 32)
BODY_SIZE = (1 << 20, 0, 16, 128, 512)

MODE_FIXED, MODE_FUZZED_TYPE, MODE_SMALL_SPOOL = 0, 1, 2

# python_multipart logs one warning per malformed body; keep the fuzzer's output readable.
logging.getLogger("python_multipart").setLevel(logging.CRITICAL)

TEMP_DIR = tempfile.mkdtemp(prefix="asgikit-fuzz-")
tempfile.tempdir = TEMP_DIR

LOOP = asyncio.new_event_loop()


def _pick(fdp: atheris.FuzzedDataProvider, choices: tuple[int, ...]) -> int:
    return choices[fdp.ConsumeIntInRange(0, len(choices) - 1)]


def _events(body: bytes, sizes: list[int], disconnect: bool) -> list[dict[str, object]]:
    """Split ``body`` into ``http.request`` events of the given sizes (cycled; 0 gives an empty
    event), ending with ``more_body=False`` or, with ``disconnect``, an ``http.disconnect``."""
    events: list[dict[str, object]] = []
    if sizes:
        pos, i, last_empty = 0, 0, False
        while pos < len(body):
            size = sizes[i % len(sizes)]
            i += 1
            if size == 0 and not last_empty:
                events.append({"type": "http.request", "body": b"", "more_body": True})
                last_empty = True
                continue
            size = max(size, 1)
            events.append({"type": "http.request", "body": body[pos : pos + size], "more_body": True})
            pos += size
            last_empty = False
        tail = b""
    else:
        tail = body
    if disconnect:
        events.append({"type": "http.disconnect"})
    else:
        events.append({"type": "http.request", "body": tail, "more_body": False})
    return events


def _check_form(form: object, max_fields: int, max_files: int, max_part: int, max_file: int) -> None:
    fields = files = 0
    for _, value in form.items():
        if isinstance(value, UploadedFile):
            files += 1
            assert value.size <= max_file, (value.size, max_file)
            content = value.file.read()
            assert len(content) == value.size, (len(content), value.size)
            value.file.close()
        else:
            assert isinstance(value, str), type(value)
            fields += 1
            assert len(value) <= max_part, (len(value), max_part)
    assert fields <= max_fields, (fields, max_fields)
    assert files <= max_files, (files, max_files)


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    mode = fdp.ConsumeIntInRange(0, 2)
    max_fields = _pick(fdp, FIELDS)
    max_files = _pick(fdp, FILES)
    max_part = _pick(fdp, PART_SIZE)
    max_file = _pick(fdp, FILE_SIZE)
    header_count = _pick(fdp, HEADER_COUNT)
    header_size = _pick(fdp, HEADER_SIZE)
    fields_size = _pick(fdp, FIELDS_SIZE)
    body_size = _pick(fdp, BODY_SIZE)
    disconnect = fdp.ConsumeIntInRange(0, 7) == 1
    sizes = [fdp.ConsumeIntInRange(0, 64) for _ in range(fdp.ConsumeIntInRange(0, 6))]
    spool = fdp.ConsumeIntInRange(0, 64)
    content_type = FIXED_CONTENT_TYPE
    if mode == MODE_FUZZED_TYPE:
        content_type = fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 160))
    body = fdp.ConsumeBytes(fdp.remaining_bytes())
    events = _events(body, sizes, disconnect)

    async def receive() -> dict[str, object]:
        if events:
            return events.pop(0)
        raise AssertionError("read_form called receive() after the last event")

    async def chunks():
        while True:
            event = await receive()
            if event["type"] == "http.disconnect":
                raise ClientDisconnectError("disconnected")
            yield event["body"]
            if not event["more_body"]:
                return

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", content_type)],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 2),
    }

    async def parse() -> object:
        if mode == MODE_SMALL_SPOOL:
            return await parse_multipart(
                content_type.decode("latin-1"),
                chunks(),
                max_fields=max_fields,
                max_files=max_files,
                max_part_size=max_part,
                max_fields_size=fields_size,
                max_file_size=max_file,
                max_part_header_count=header_count,
                max_part_header_size=header_size,
                max_body_size=body_size,
                spool_max_size=spool,
            )
        return await Body(scope, receive).read_form(
            max_fields=max_fields,
            max_files=max_files,
            max_part_size=max_part,
            max_file_size=max_file,
            max_part_header_count=header_count,
            max_part_header_size=header_size,
            max_fields_size=fields_size,
            max_body_size=body_size,
        )

    before = open_fds()
    try:
        form = LOOP.run_until_complete(parse())
    except Exception as exc:
        only_documented(exc)
        if disconnect and not events:
            # The disconnect was received: nothing else may be reported.
            assert isinstance(exc, ClientDisconnectError), repr(exc)
    else:
        assert not disconnect, "a form was returned although the client disconnected"
        _check_form(form, max_fields, max_files, max_part, max_file)
    after = open_fds()
    assert after == before, f"file descriptors leaked: {before} before, {after} after"
    leftovers = os.listdir(TEMP_DIR)
    assert not leftovers, f"temporary files left behind: {leftovers}"


if __name__ == "__main__":
    run(test_one_input)
    sys.exit(0)
