from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from tempfile import SpooledTemporaryFile

import pytest

from asgikit._uploads import UploadedFile, safe_basename, spooled_in_memory


def make_upload(content: bytes, *, max_size: int = 1024, filename: str = "a.txt") -> UploadedFile:
    file: SpooledTemporaryFile[bytes] = SpooledTemporaryFile(max_size=max_size)  # noqa: SIM115
    file.write(content)
    file.seek(0)
    return UploadedFile(file, filename, "text/plain", len(content))


def test_properties_expose_what_the_client_sent() -> None:
    upload = make_upload(b"hello", filename="../x.txt")
    assert upload.filename == "../x.txt"
    assert upload.safe_filename == "x.txt"
    assert upload.media_type == "text/plain"
    assert upload.size == 5
    assert upload.in_memory
    assert not upload.closed
    assert repr(upload) == "UploadedFile(filename='../x.txt', media_type='text/plain', size=5)"
    upload.file.close()


async def test_read_and_seek_in_memory() -> None:
    upload = make_upload(b"hello world")
    assert await upload.read(5) == b"hello"
    assert await upload.read() == b" world"
    assert await upload.seek(6) == 6
    assert await upload.read() == b"world"
    await upload.close()
    assert upload.closed


async def test_read_and_seek_on_disk_run_in_a_worker_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    upload = make_upload(b"x" * 2000 + b"tail", max_size=1000)
    assert not upload.in_memory
    threads: list[str] = []
    real = asyncio.to_thread

    async def spy(func: object, /, *args: object) -> object:
        def record() -> object:
            threads.append(threading.current_thread().name)
            assert callable(func)
            return func(*args)

        return await real(record)

    monkeypatch.setattr(asyncio, "to_thread", spy)
    assert await upload.seek(2000) == 2000
    assert await upload.read() == b"tail"
    assert len(threads) == 2
    assert threading.main_thread().name not in threads
    await upload.close()


async def test_copy_to_writes_the_whole_file_and_keeps_the_position(tmp_path: Path) -> None:
    content = bytes(range(256)) * 5000
    upload = make_upload(content, max_size=1000)
    await upload.seek(10)
    await upload.copy_to(tmp_path / "out.bin")
    assert (tmp_path / "out.bin").read_bytes() == content
    assert await upload.read(2) == content[10:12]
    await upload.close()


async def test_async_context_manager_closes() -> None:
    upload = make_upload(b"abc")
    async with upload as same:
        assert same is upload
        assert await same.read() == b"abc"
    assert upload.closed
    await upload.close()  # closing twice is harmless


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("/etc/passwd", "passwd"),
        ("C:\\x\\..", ""),
        ("C:\\Users\\me\\photo.jpg", "photo.jpg"),
        ("C:evil.exe", "evil.exe"),
        ("a\x00b", "ab"),
        ("\x01\x1f\x7fname\x85.txt", "name.txt"),
        ("..", ""),
        (".", ""),
        ("", ""),
        ("...hidden", "hidden"),
        ("trailing. . ", "trailing"),
        ("a:b|c?.txt", "b_c_.txt"),
        ("ab:c<d>*.txt", "ab_c_d__.txt"),
        ("con.txt", "_con.txt"),
        ("LPT1", "_LPT1"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("café ☕.txt", "café ☕.txt"),
        ("dir/sub\\file", "file"),
    ],
)
def test_safe_basename(raw: str, safe: str) -> None:
    assert safe_basename(raw) == safe


def test_safe_basename_shortens_to_255_bytes_keeping_the_extension() -> None:
    name = safe_basename("é" * 300 + ".txt")
    assert name.endswith(".txt")
    assert len(name.encode()) <= 255
    assert name == "é" * 125 + ".txt"
    long_ext = safe_basename("a." + "b" * 300)
    assert len(long_ext.encode()) == 255
    assert long_ext.startswith("a.bbb")


def test_a_spool_made_from_bytes_holds_them_and_behaves_like_any_spool() -> None:
    content = bytes(range(256)) * 4
    file = spooled_in_memory(content, 2000)
    try:
        assert isinstance(file, SpooledTemporaryFile)
        assert (file.tell(), file.read(), file.tell()) == (0, content, 1024)
        file.seek(0)
        file.write(b"\xff\xff")  # copy on write: the bytes given are never changed
        assert content[:2] == b"\x00\x01"
        file.seek(0, 2)
        assert not getattr(file, "_rolled", True)
        file.write(b"x" * 1000)  # past max_size: rolls over to disk like any spool
        assert getattr(file, "_rolled", False)
        file.seek(0)
        assert file.read() == b"\xff\xff" + content[2:] + b"x" * 1000
    finally:
        file.close()
