"""``respond_file`` machinery: opening files off the event loop and planning the response.

``plan_file_response`` decides status and headers from the request's conditional and
``Range`` headers (parsed by ``_ranges``); ``_file_sending.respond_file`` sends the plan.

The bytes sent are always read from the descriptor ``open_file`` opened and ``fstat``-ed
(``http.response.zerocopysend`` or threaded reads), never from the path again: a server
given a path (``http.response.pathsend``) opens it later, in its own task (Granian spawns
the open after ``send()`` has returned), so a symlink swapped in between would make it serve
another file under this one's length and ETag. A ``/proc/self/fd/N`` path would not help:
nothing tells the application when the server has opened it, and once the descriptor is
closed its number can name an unrelated file.
"""

from __future__ import annotations

import asyncio
import errno
import mimetypes
import os
import secrets
import stat
from collections.abc import Callable, Iterable
from typing import Final, TypeVar, final
from urllib.parse import quote

from ._ranges import (
    etag_for,
    format_http_date,
    if_none_match_matches,
    if_range_matches,
    parse_http_date,
    parse_range_header,
)

__all__ = [
    "CHUNK_SIZE",
    "FilePlan",
    "OpenedFile",
    "content_disposition",
    "guess_media_type",
    "open_file",
    "plan_file_response",
]

CHUNK_SIZE: Final = 64 * 1024
"""Bytes read per thread hop when a file is streamed through ``http.response.body``."""

_T = TypeVar("_T")

_OPEN_FLAGS: Final = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)

# Compressed files (``x.tar.gz``) must not be labelled with the type of what is inside.
_COMPRESSED_TYPES: Final = {
    "gzip": "application/gzip",
    "bzip2": "application/x-bzip2",
    "xz": "application/x-xz",
    "br": "application/x-brotli",
    "compress": "application/x-compress",
}


async def _in_thread(func: Callable[..., _T], *args: object) -> _T:
    """Run blocking file I/O in a worker thread on asyncio; inline elsewhere (e.g. trio)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return func(*args)
    return await asyncio.to_thread(func, *args)


@final
class OpenedFile:
    """An open regular file with the metadata the response needs. Also ``SupportsFileno``."""

    __slots__ = ("fd", "mtime", "mtime_ns", "path", "size")

    def __init__(self, fd: int, path: str, size: int, mtime: float, mtime_ns: int) -> None:
        self.fd = fd
        self.path = path
        self.size = size
        self.mtime = mtime
        self.mtime_ns = mtime_ns

    def fileno(self) -> int:
        """The file descriptor (what ``http.response.zerocopysend`` servers need)."""
        return self.fd

    async def read(self, offset: int, count: int) -> bytes:
        """Read up to ``count`` bytes at ``offset`` in a worker thread."""
        return await _in_thread(_read_at, self.fd, offset, count)

    def close(self) -> None:
        """Close the descriptor; safe to call twice."""
        fd, self.fd = self.fd, -1
        if fd >= 0:
            os.close(fd)


def _read_at(fd: int, offset: int, count: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(fd, count, offset)
    os.lseek(fd, offset, os.SEEK_SET)  # pragma: no cover - Windows
    return os.read(fd, count)  # pragma: no cover - Windows


def _open(path: str) -> OpenedFile:
    # O_NONBLOCK: opening a FIFO must not block the worker; fstat then rejects it.
    fd = os.open(path, _OPEN_FLAGS)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", path)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return OpenedFile(fd, os.path.abspath(path), info.st_size, info.st_mtime, info.st_mtime_ns)


NUL_IN_PATH_MESSAGE: Final = "file path contains a NUL character; no such file can exist"
"""The message of the ``FileNotFoundError`` raised for a path containing NUL."""


async def open_file(path: str | os.PathLike[str]) -> OpenedFile:
    """Open a regular file for reading in a worker thread.

    The returned descriptor is what the response reads: the path is never opened again, so
    a file renamed or a symlink swapped after this call cannot change the bytes served.

    Raises:
        FileNotFoundError: the file does not exist, or the path contains NUL (no file can
            have such a name; ``os.open`` would raise a bare ``ValueError``).
        IsADirectoryError: the path is a directory.
        OSError: any other failure, including ``EINVAL`` for FIFOs, devices and sockets.
        TypeError: a ``bytes`` path (or ``os.PathLike[bytes]``), which is not accepted.
    """
    name: str | bytes = os.fspath(path)
    if isinstance(name, bytes):
        raise TypeError("file path must be str or os.PathLike[str], not bytes; decode it first")
    if "\x00" in name:
        raise FileNotFoundError(errno.ENOENT, NUL_IN_PATH_MESSAGE)
    return await _in_thread(_open, name)


def guess_media_type(path: str | os.PathLike[str]) -> str:
    """The media type for a file name; ``application/octet-stream`` when unknown.

    Compressed files get the compression's type (``x.tar.gz`` is ``application/gzip``).
    """
    media_type, encoding = mimetypes.guess_type(path)
    if encoding is not None:
        return _COMPRESSED_TYPES.get(encoding, "application/octet-stream")
    return media_type or "application/octet-stream"


# RFC 8187 attr-char minus ALPHA / DIGIT / "-" / "." / "_" / "~", which quote() keeps anyway.
_ATTR_CHAR_EXTRA: Final = "!#$&+^`|"


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """A ``Content-Disposition`` value offering ``filename`` for download (RFC 6266).

    Plain printable ASCII names are sent as ``filename="..."``; other names get an ASCII
    fallback (``_`` for each other character) plus ``filename*=UTF-8''<percent-encoded>``, so
    quotes, backslashes, CR/LF and non-ASCII text can never break out of the header.
    """
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in filename)
    if fallback == filename:
        return f'{disposition}; filename="{filename}"'
    encoded = quote(filename, safe=_ATTR_CHAR_EXTRA, errors="surrogatepass")
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def _new_boundary() -> bytes:
    """A random multipart/byteranges boundary (tests replace this for stable output)."""
    return secrets.token_hex(16).encode("ascii")


Segment = bytes | tuple[int, int]
"""Part of a planned body: literal bytes, or a half-open byte range of the file."""


@final
class FilePlan:
    """What to send for a file: status, headers asgikit owns, body segments and their length.

    ``segments`` is empty when no body is sent (304, 416).
    """

    __slots__ = ("content_length", "headers", "segments", "status")

    def __init__(
        self,
        status: int,
        headers: list[tuple[bytes, bytes]],
        segments: list[Segment],
        content_length: int,
    ) -> None:
        self.status = status
        self.headers = headers
        self.segments = segments
        self.content_length = content_length


_CONDITIONAL_HEADERS: Final = frozenset(
    {b"if-none-match", b"if-modified-since", b"range", b"if-range"}
)


def _conditional_headers(raw: Iterable[tuple[bytes, bytes]]) -> dict[bytes, str]:
    """The conditional/range request headers, repeated lines joined with ``", "``.

    Lines are collected per name and joined once, so a request repeating a header tens of
    thousands of times costs linear time (concatenating as they arrive was quadratic).
    """
    lines: dict[bytes, list[bytes]] = {}
    for name, value in raw:
        if name in _CONDITIONAL_HEADERS:
            if name in lines:
                lines[name].append(value)
            else:
                lines[name] = [value]
    return {name: b", ".join(values).decode("latin-1") for name, values in lines.items()}


def plan_file_response(
    opened: OpenedFile,
    *,
    method: str,
    request_headers: Iterable[tuple[bytes, bytes]],
    status: int,
    content_type: bytes,
    disposition: bytes | None,
) -> FilePlan:
    """Decide the response for ``opened`` following RFC 9110 13.2.2 (order of evaluation).

    Conditionals and ranges apply only to 200 answers of GET (and HEAD, without ranges):
    a matching ``If-None-Match`` (or, without it, a satisfied ``If-Modified-Since``) gives 304;
    a ``Range`` (honoured only if ``If-Range``, when present, matches) gives 206, a
    ``multipart/byteranges`` 206 for several ranges, or 416 when nothing is satisfiable.
    """
    size = opened.size
    etag_text = etag_for(size, opened.mtime_ns)
    etag = etag_text.encode("ascii")
    modified = int(opened.mtime)
    last_modified = format_http_date(modified).encode("ascii")
    validators = [(b"etag", etag), (b"last-modified", last_modified)]
    whole: list[Segment] = [(0, size)] if size else []

    def full(code: int) -> FilePlan:
        headers = [(b"content-type", content_type), *validators, (b"accept-ranges", b"bytes")]
        if disposition is not None:
            headers.append((b"content-disposition", disposition))
        return FilePlan(code, headers, whole, size)

    if status != 200 or (method != "GET" and method != "HEAD"):
        return full(status)
    conditions = _conditional_headers(request_headers)
    if not conditions:
        return full(200)
    if_none_match = conditions.get(b"if-none-match")
    if if_none_match is not None:
        if if_none_match_matches(if_none_match, etag_text):
            return FilePlan(304, validators, [], 0)
    else:
        since = conditions.get(b"if-modified-since")
        if since is not None:
            date = parse_http_date(since)
            if date is not None and modified <= date:
                return FilePlan(304, validators, [], 0)
    range_header = conditions.get(b"range")
    if range_header is None or method != "GET":
        return full(200)
    if_range = conditions.get(b"if-range")
    if if_range is not None and not if_range_matches(if_range, etag_text, modified):
        return full(200)
    ranges = parse_range_header(range_header, size)
    if ranges is None:
        return full(200)
    if not ranges:
        return FilePlan(416, [(b"content-range", b"bytes */%d" % size)], [], 0)
    plan = full(206)
    if len(ranges) == 1:
        start, stop = ranges[0]
        plan.headers.append((b"content-range", b"bytes %d-%d/%d" % (start, stop - 1, size)))
        single: list[Segment] = [(start, stop)]
        plan.segments = single
        plan.content_length = stop - start
        return plan
    boundary = _new_boundary()
    plan.headers[0] = (b"content-type", b"multipart/byteranges; boundary=" + boundary)
    segments: list[Segment] = []
    length = 0
    delimiter = (
        b"--" + boundary + b"\r\nContent-Type: " + content_type + b"\r\nContent-Range: bytes "
    )
    for index, (start, stop) in enumerate(ranges):
        head = b"%s%s%d-%d/%d\r\n\r\n" % (
            b"\r\n" if index else b"",
            delimiter,
            start,
            stop - 1,
            size,
        )
        segments += (head, (start, stop))
        length += len(head) + stop - start
    closing = b"\r\n--" + boundary + b"--\r\n"
    segments.append(closing)
    plan.segments = segments
    plan.content_length = length + len(closing)
    return plan
