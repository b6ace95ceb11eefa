"""``Body.read_form`` for ``multipart/form-data``: fields kept in memory, files spooled.

Parsing and limits are ``_multipart.MultipartReader``'s (see its policies); this module only
decides where each part's bytes go:

- Fields accumulate in a ``bytearray`` and are decoded when the form is complete (the
  ``_charset_`` field may come after the fields it applies to).
- Files are ``SpooledTemporaryFile`` objects. A file's content is held as views of the
  received chunks until its part ends, then joined into the file's memory buffer in one copy
  (``spooled_in_memory``), so no buffer grows and gets copied again chunk after chunk. A file
  that outgrows the spool size goes to disk instead: its temporary file is created then, and
  its writes are deferred and handed to a worker thread in batches of about
  ``WRITE_BATCH_SIZE`` bytes, so a large upload costs one thread hop per batch rather than
  one per chunk. The batch is written while the next one is parsed (at most one batch in
  flight), which bounds the memory held for pending writes to about two batches.
- On any error every temporary file created so far is closed, after the disk write in
  flight (if any) has finished.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable
from tempfile import SpooledTemporaryFile
from typing import Final, final

from typing_extensions import Unpack

from ._limits import SPOOL_MAX_SIZE
from ._multidict import MultiDict, multidict_from_lists
from ._multipart import (
    FormLimitArgs,
    MultipartReader,
    PartHead,
    boundary_from_content_type,
    decode_field,
)
from ._uploads import UploadedFile, spooled_in_memory

__all__ = ["WRITE_BATCH_SIZE", "MultipartFormParser", "parse_multipart"]

WRITE_BATCH_SIZE: Final = 1024 * 1024
"""Deferred disk writes are handed to a worker thread once they add up to this many bytes.
Each hop costs tens of microseconds; at 1 MiB they are a few percent of the write itself."""

_DEFAULT_FILE_TYPE: Final = "application/octet-stream"

_Pending = list[tuple[SpooledTemporaryFile[bytes], list[memoryview]]]
"""Deferred writes, in order: each file with the views of received chunks it gets next."""

_Batch = list[tuple[SpooledTemporaryFile[bytes], bytes | memoryview]]
"""Deferred writes as handed to the worker thread: one buffer per file."""


def _batch(pending: _Pending) -> _Batch:
    """One write per file: the worker thread then takes the GIL once per file and batch,
    not once per chunk (each time waiting for the event loop to let go of it)."""
    return [(file, views[0] if len(views) == 1 else b"".join(views)) for file, views in pending]


def _write_batch(batch: _Batch, rewind: list[SpooledTemporaryFile[bytes]]) -> None:
    """Run a batch of writes in order, then seek the ``rewind`` files to their start (in a
    worker thread: the files are on disk)."""
    for file, data in batch:
        file.write(data)
    for file in rewind:
        file.seek(0)


@final
class MultipartFormParser:
    """Incremental form builder: ``write(chunk)`` for each chunk, then ``await finish()``.

    ``write`` returns ``True`` when a batch of disk writes is due: the caller then awaits
    ``flush()`` (``feed`` does both). On any exception from these (or when abandoning the
    parse) call ``await aclose()``: it closes every temporary file created so far.
    ``parse_multipart`` does all of this for an async iterable of chunks.
    """

    __slots__ = (
        "_batch_size",
        "_charset_field",
        "_entries",
        "_file_size",
        "_held",
        "_in_flight",
        "_on_disk",
        "_opened",
        "_part_charset",
        "_part_file",
        "_part_filename",
        "_part_name",
        "_part_type",
        "_part_value",
        "_pending",
        "_pending_bytes",
        "_reader",
        "_spool_max_size",
        "_uploads",
    )

    def __init__(
        self,
        boundary: bytes,
        *,
        spool_max_size: int = SPOOL_MAX_SIZE,
        batch_size: int = WRITE_BATCH_SIZE,
        **limits: Unpack[FormLimitArgs],
    ) -> None:
        """Prepare to parse a body delimited by ``boundary`` (see ``boundary_from_content_type``)
        with ``MultipartReader``'s ``limits``; files stay in memory up to ``spool_max_size``."""
        self._reader = MultipartReader(boundary, self, **limits)
        self._spool_max_size = spool_max_size
        self._batch_size = batch_size
        # (name, raw value or file, part charset) in arrival order.
        self._entries: list[tuple[str, bytearray | UploadedFile, str | None]] = []
        self._charset_field: str | None = None
        # Every temporary file created and not yet handed over by finish() (closed on error).
        self._opened: list[SpooledTemporaryFile[bytes]] = []
        self._uploads: list[UploadedFile] = []
        self._pending: _Pending = []
        # The files that outgrew memory (they are on disk once their writes have run).
        self._on_disk: list[SpooledTemporaryFile[bytes]] = []
        self._pending_bytes = 0
        self._in_flight: asyncio.Future[None] | None = None
        self._part_name = ""
        self._part_filename = ""
        self._part_type = _DEFAULT_FILE_TYPE
        self._part_charset: str | None = None
        self._part_file: SpooledTemporaryFile[bytes] | None = None
        self._part_value: bytearray | None = None
        self._file_size = 0
        # The current file's content while it fits in memory, as views of the received chunks
        # (None while the current part is not such a file).
        self._held: list[memoryview] | None = None

    # -- PartSink (called from inside MultipartReader.write) --

    def start_part(self, head: PartHead) -> None:
        """Start the part's content: a ``bytearray`` for a field, views held for a file."""
        self._part_name = head.name
        if head.filename is None:
            self._part_value = bytearray()
            self._part_charset = head.charset
            return
        self._held = []
        self._part_filename = head.filename
        self._part_type = head.media_type or _DEFAULT_FILE_TYPE
        self._file_size = 0

    def part_data(self, data: bytes, start: int, end: int) -> None:
        """Append to the field; hold a file's content, or queue it for disk once it outgrows
        the spool size."""
        view = memoryview(data)[start:end]
        value = self._part_value
        if value is not None:
            value += view
            return
        amount = end - start
        size = self._file_size + amount
        self._file_size = size
        held = self._held
        if held is not None:
            if size <= self._spool_max_size:
                held.append(view)
                return
            # The file outgrows memory: from now on every write goes to disk, in order.
            file: SpooledTemporaryFile[bytes] = SpooledTemporaryFile(max_size=self._spool_max_size)  # noqa: SIM115
            self._opened.append(file)
            self._on_disk.append(file)
            self._part_file = file
            self._held = None
            held.append(view)
            self._pending.append((file, held))
            self._pending_bytes += size
            return
        file_on_disk = self._part_file
        if file_on_disk is not None:
            pending = self._pending
            if pending and pending[-1][0] is file_on_disk:
                pending[-1][1].append(view)
            else:
                pending.append((file_on_disk, [view]))
            self._pending_bytes += amount

    def end_part(self) -> None:
        """Record the finished field or file in arrival order."""
        value = self._part_value
        if value is not None:
            if self._part_name == "_charset_" and self._charset_field is None:
                self._charset_field = value.decode("latin-1").strip().lower() or None
            self._entries.append((self._part_name, value, self._part_charset))
            self._part_value = None
            return
        held = self._held
        if held is not None:
            file = spooled_in_memory(b"".join(held), self._spool_max_size)
            self._opened.append(file)
            self._held = None
        elif self._part_file is not None:
            file = self._part_file
            self._part_file = None
        else:
            return
        upload = UploadedFile(file, self._part_filename, self._part_type, self._file_size)
        self._uploads.append(upload)
        self._entries.append((self._part_name, upload, None))

    # -- driving --

    def write(self, chunk: bytes) -> bool:
        """Parse the next chunk of the body synchronously; raises ``asgikit`` body errors.

        Returns ``True`` when a batch of disk writes is due: the caller must then
        ``await flush()`` before the next ``write``/``finish``. ``feed`` does both.
        """
        self._reader.write(chunk)
        return self._pending_bytes >= self._batch_size

    async def flush(self) -> None:
        """Hand the deferred disk writes to a worker thread, after the previous batch is done.

        Returns once the batch has started, so parsing goes on while the thread writes.
        """
        await self._wait()
        if self._pending:
            self._start(_batch(self._take_pending()), [])

    async def feed(self, chunk: bytes) -> None:
        """Parse the next chunk of the body (``write``, then ``flush`` when a batch is due)."""
        if self.write(chunk):
            await self.flush()

    def _take_pending(self) -> _Pending:
        pending = self._pending
        self._pending = []
        self._pending_bytes = 0
        return pending

    def _start(self, batch: _Batch, rewind: list[SpooledTemporaryFile[bytes]]) -> None:
        self._in_flight = asyncio.get_running_loop().run_in_executor(
            None, _write_batch, batch, rewind
        )

    async def _wait(self) -> None:
        """Wait for the batch in flight, if any (re-raising what the thread raised)."""
        in_flight = self._in_flight
        if in_flight is not None:
            # Shielded: if this task is cancelled the thread keeps writing, and aclose() waits
            # for it before closing the files it writes to.
            await asyncio.shield(in_flight)
            self._in_flight = None

    async def finish(self) -> MultiDict[str | UploadedFile]:
        """Check the body ended with the closing boundary, finish the disk writes and return
        the form (files rewound to their start).

        Raises ``MalformedBodyError`` when the body is truncated.
        """
        self._reader.finish()
        await self._wait()
        if self._on_disk:
            # The last writes and the rewinding of the files on disk, in one thread hop.
            self._start(_batch(self._take_pending()), self._on_disk)
            await self._wait()
        form_charset = self._charset_field
        result: dict[str, list[str | UploadedFile]] = {}
        for name, value, charset in self._entries:
            item = (
                value
                if isinstance(value, UploadedFile)
                else decode_field(value, charset or form_charset)
            )
            values = result.get(name)
            if values is None:
                result[name] = [item]
            else:
                values.append(item)
        self._opened = []
        return multidict_from_lists(result)

    async def aclose(self) -> None:
        """Abandon the parse: wait for a disk write in progress, then close every temporary
        file created so far. Files already returned by ``finish`` are left open."""
        in_flight = self._in_flight
        self._in_flight = None
        try:
            if in_flight is not None:
                await asyncio.wait([in_flight])
                if not in_flight.cancelled():
                    in_flight.exception()  # retrieved: the error that matters is already raised
        finally:
            self._close_files()

    def _close_files(self) -> None:
        opened = self._opened
        self._opened = []
        self._pending = []
        self._pending_bytes = 0
        for file in opened:
            file.close()


async def parse_multipart(
    content_type: str,
    chunks: AsyncIterable[bytes],
    *,
    spool_max_size: int = SPOOL_MAX_SIZE,
    batch_size: int = WRITE_BATCH_SIZE,
    **limits: Unpack[FormLimitArgs],
) -> MultiDict[str | UploadedFile]:
    """Parse a ``multipart/form-data`` body arriving as ``chunks``.

    ``content_type`` is the request's full ``Content-Type`` value (for the boundary). On any
    error, including cancellation and errors raised by ``chunks``, every temporary file is
    closed before the exception propagates.
    """
    parser = MultipartFormParser(
        boundary_from_content_type(content_type),
        spool_max_size=spool_max_size,
        batch_size=batch_size,
        **limits,
    )
    try:
        write = parser.write
        async for chunk in chunks:
            if write(chunk):
                await parser.flush()
        return await parser.finish()
    except BaseException:
        await parser.aclose()
        raise
