"""``UploadedFile``: a file from a multipart form, spooled in memory or on disk."""

from __future__ import annotations

import asyncio
import os
import shutil
from io import BytesIO
from tempfile import SpooledTemporaryFile
from types import TracebackType
from typing import Final, final

__all__ = ["UploadedFile", "safe_basename", "spooled_in_memory"]

_COPY_CHUNK: Final = 1024 * 1024

# C0 controls, DEL, C1 controls and the bidirectional overrides used to disguise extensions
# ("invoice\u202efdp.exe" shows as "invoiceexe.pdf").
_DROP: Final = dict.fromkeys(
    [
        *range(0x20),
        *range(0x7F, 0xA0),
        0x061C,
        0x200E,
        0x200F,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    ]
)
# Characters Windows forbids in names (":" also opens NTFS alternate data streams).
_REPLACE: Final = str.maketrans({c: "_" for c in '<>:"|?*'})
_WINDOWS_RESERVED: Final = frozenset(
    ["CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))]
)
_MAX_NAME_BYTES: Final = 255


def safe_basename(filename: str) -> str:
    """A version of a client-supplied filename that is safe to use as a single path component.

    Keeps only the last component after ``/`` or ``\\`` (so ``../../etc/passwd`` gives
    ``passwd`` and ``C:\\x\\a.txt`` gives ``a.txt``), drops a drive prefix (``C:``), control
    characters (including NUL) and bidirectional overrides, replaces ``<>:"|?*`` with ``_``,
    strips leading dots and spaces (no ``..``, no hidden files) and trailing dots and spaces
    (Windows ignores them), prefixes Windows device names (``CON``...) with ``_`` and shortens
    the name to 255 UTF-8 bytes keeping a short extension. Returns ``""`` when nothing is left:
    callers must then pick a name themselves.
    """
    name = filename.translate(_DROP).replace("\\", "/").rpartition("/")[2]
    if len(name) >= 2 and name[1] == ":" and name[0].isascii() and name[0].isalpha():
        name = name[2:]
    name = name.translate(_REPLACE).lstrip(". ").rstrip(". ")
    if not name:
        return ""
    if name.partition(".")[0].rstrip(" ").upper() in _WINDOWS_RESERVED:
        name = "_" + name
    if len(name.encode("utf-8", "surrogatepass")) > _MAX_NAME_BYTES:
        stem, dot, ext = name.rpartition(".")
        if not dot or len(ext) > 16:
            stem, ext = name, ""
        else:
            ext = "." + ext
        budget = _MAX_NAME_BYTES - len(ext.encode("utf-8", "surrogatepass"))
        stem = stem.encode("utf-8", "surrogatepass")[:budget].decode("utf-8", "ignore")
        name = stem + ext
    return name


def _copy_file(src: SpooledTemporaryFile[bytes], dst: str | os.PathLike[str]) -> None:
    position = src.tell()
    try:
        src.seek(0)
        with open(dst, "wb") as out:
            shutil.copyfileobj(src, out, _COPY_CHUNK)
    finally:
        src.seek(position)


@final
class UploadedFile:
    """A file uploaded in a multipart form.

    The content lives in a ``SpooledTemporaryFile``: in memory while small, on disk once it
    outgrows the spool size. Async methods run disk I/O in a worker thread, never on the event
    loop; in-memory files are served directly. Close the file (``await file.close()`` or
    ``async with file:``) when done; ``Body.read_form`` closes every file it created when
    parsing fails.
    """

    __slots__ = ("_file", "_filename", "_media_type", "_size")

    def __init__(
        self, file: SpooledTemporaryFile[bytes], filename: str, media_type: str, size: int
    ) -> None:
        """Wrap ``file`` holding ``size`` bytes sent under ``filename`` as ``media_type``."""
        self._file = file
        self._filename = filename
        self._media_type = media_type
        self._size = size

    @property
    def filename(self) -> str:
        """The filename exactly as the client sent it (possibly ``""``).

        Never use it as a path: it may contain ``..``, slashes, drive letters or control
        characters. Use ``safe_filename`` for a name safe to store under.
        """
        return self._filename

    @property
    def safe_filename(self) -> str:
        """``filename`` reduced to a safe single path component (see ``safe_basename``);
        ``""`` when nothing usable is left."""
        return safe_basename(self._filename)

    @property
    def media_type(self) -> str:
        """The part's media type, lower-cased, without parameters
        (``application/octet-stream`` when the part had no ``Content-Type``)."""
        return self._media_type

    @property
    def size(self) -> int:
        """Size of the content in bytes."""
        return self._size

    @property
    def file(self) -> SpooledTemporaryFile[bytes]:
        """The underlying spooled file. Its synchronous methods may block on disk I/O."""
        return self._file

    @property
    def in_memory(self) -> bool:
        """Whether the content is still held in memory (not rolled over to disk)."""
        return not bool(getattr(self._file, "_rolled", True))

    @property
    def closed(self) -> bool:
        """Whether the file has been closed."""
        return self._file.closed

    async def read(self, size: int = -1) -> bytes:
        """Read up to ``size`` bytes (all remaining bytes when negative) from the current position."""
        if self.in_memory:
            return self._file.read(size)
        return await asyncio.to_thread(self._file.read, size)

    async def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        """Move the position like ``io.IOBase.seek``; returns the new position."""
        if self.in_memory:
            return self._file.seek(offset, whence)
        return await asyncio.to_thread(self._file.seek, offset, whence)

    async def copy_to(self, dst: str | os.PathLike[str]) -> None:
        """Copy the whole content into a new file at ``dst`` (overwriting it), in chunks, in a
        worker thread. The current position is left unchanged."""
        await asyncio.to_thread(_copy_file, self._file, dst)

    async def close(self) -> None:
        """Close the file and release its memory or temporary file. Closing twice is harmless."""
        self._file.close()

    async def __aenter__(self) -> UploadedFile:
        """``async with upload:`` closes the file on exit."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the file."""
        self._file.close()

    def __repr__(self) -> str:
        return f"UploadedFile(filename={self._filename!r}, media_type={self._media_type!r}, size={self._size})"


@final
class _MemorySpool(SpooledTemporaryFile[bytes]):
    """A ``SpooledTemporaryFile`` that starts out holding ``content`` in memory."""

    def __init__(self, content: bytes, max_size: int) -> None:
        super().__init__(max_size=max_size)
        # BytesIO shares the bytes object until the first write to it (copy on write).
        self._file = BytesIO(content)


def spooled_in_memory(content: bytes, max_size: int) -> SpooledTemporaryFile[bytes]:
    """A ``SpooledTemporaryFile`` (rolling over past ``max_size``) holding ``content`` in
    memory, positioned at its start, without copying ``content``."""
    return _MemorySpool(content, max_size)
