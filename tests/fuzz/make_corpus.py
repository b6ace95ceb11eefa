"""Regenerate the seed corpus in ``tests/fuzz/corpus/`` (small, hand-picked inputs).

``FuzzedDataProvider`` takes bytes/strings from the front of an input and integers from its
end (the last byte first, most significant byte first), so a seed is
``front bytes + reversed(control bytes)``. Run: ``.venv/bin/python tests/fuzz/make_corpus.py``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
ASCII = b"\x01"  # ConsumeUnicode prefix byte selecting plain ASCII


def _int(lo: int, hi: int, value: int) -> list[int]:
    span, offset = hi - lo, value - lo
    width = (span.bit_length() + 7) // 8
    return list(offset.to_bytes(width, "big")) if width else []


def seed(front: bytes, *ints: tuple[int, int, int]) -> bytes:
    """``front`` followed by the tail that makes the harness's integer reads return ``ints``
    (each ``(lo, hi, value)``, in the order the harness reads them)."""
    consumed: list[int] = []
    for lo, hi, value in ints:
        consumed += _int(lo, hi, value)
    return front + bytes(reversed(consumed))


def write(kind: str, data: bytes) -> None:
    folder = CORPUS / kind
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)


def multipart() -> None:
    field = b'--B\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue\r\n'
    upload = (
        b'--B\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\nfile body\r\n"
    )
    charset = b'--B\r\nContent-Disposition: form-data; name="_charset_"\r\n\r\nlatin-1\r\n'
    end = b"--B--\r\n"
    # mode, 8 limit picks (0 = generous), disconnect, number of chunk sizes, sizes..., spool
    generous = [(0, 4, 0)] * 8

    def controls(mode: int, sizes: list[int], disconnect: int = 0) -> list[tuple[int, int, int]]:
        return [
            (0, 2, mode),
            *generous,
            (0, 7, disconnect),
            (0, 6, len(sizes)),
            *[(0, 64, size) for size in sizes],
            (0, 64, 4),
        ]

    write("multipart", seed(field + end, *controls(0, [])))
    write("multipart", seed(field + upload + end, *controls(0, [7, 0, 3])))
    write("multipart", seed(charset + field + end, *controls(0, [1])))
    write("multipart", seed(field + upload, *controls(0, [5], disconnect=1)))
    write("multipart", seed(upload + upload + end, *controls(2, [2, 9])))
    content_type = b'multipart/form-data; boundary="B"; charset=utf-8'
    write(
        "multipart",
        seed(content_type + field + end, *controls(1, []), (0, 160, len(content_type))),
    )


def urlencoded() -> None:
    for text, mode in (
        (b"a=1&b=2&a=3", 0),
        (b"name=caf%C3%A9+au+lait&x=%zz&y=%2B&&z", 0),
        (b"q=\xc3\xa9t\xc3\xa9&%E2%82=1", 2),
        (ASCII + b"a=b=c&;=x&+=+", 1),
    ):
        write("urlencoded", seed(text, (0, 3, mode), (0, 4, 0), (0, 4, 0)))


def cookies() -> None:
    write("cookies", seed(ASCII + b'session=abc; theme="dark"; a=1; a=2', (0, 1, 0), (1, 4, 1)))
    header = ASCII + b"x=1; bad name=2; =3; noequals"
    write("cookies", seed(header + ASCII + b'q="\\\\\\"', (0, 1, 0), (1, 4, 2), (0, 200, len(header) - 1)))
    # serializer: delete?, samesite, secure, httponly, partitioned, max_age?, expires?,
    # domain?, path?, name length; then name and value from the front
    name, value = b"sid", b"abc123"
    write(
        "cookies",
        seed(
            ASCII + b"example.com" + ASCII + b"/app" + ASCII + name + ASCII + value,
            (0, 1, 1),
            (0, 7, 3),
            (0, 2, 0),
            (0, 1, 1),
            (0, 1, 1),
            (0, 1, 0),
            (0, 1, 0),
            (-2, 10**9, 3600),
            (0, 1, 0),
            (-(10**12), 10**12, 60),
            (0, 1, 0),
            (0, 40, 11),
            (0, 1, 0),
            (0, 40, 4),
            (0, 40, len(name)),
        ),
    )


def ranges() -> None:
    for text, size in (
        (b"bytes=0-0,2-2,4-", 3),
        (b"bytes=-5, 10-20 ,30-", 4),
        (b"bytes=5-1", 0),
        (b"BYTES=0-99999999999999999999", 6),
    ):
        write("ranges", seed(ASCII + text, (0, 1, 0), (0, 6, size), (0, 3, 0)))
    tag = b"abc-1"
    write(
        "ranges",
        seed(
            ASCII + tag + ASCII + b'W/"abc-1", "x"',
            (0, 1, 1),
            (0, 253402300799, 784111777),
            (0, 20, len(tag)),
        ),
    )
    write(
        "ranges",
        seed(ASCII + tag + ASCII + b"Sun, 06 Nov 1994 08:49:37 GMT", (0, 1, 1), (0, 253402300799, 784111777), (0, 20, len(tag))),
    )


def params() -> None:
    name = b"abc"
    value = b'form-data; name="field"; filename="C:\\\\dir\\\\a.txt"; filename*=utf-8\'\'evil'
    write(
        "params",
        seed(name + ASCII + b'a"b\\c' + ASCII + value, (0, 2, 0), (1, 8, len(name)), (0, 2, 2), (0, 64, 5)),
    )
    for text in (b'multipart/form-data; boundary="----WebKit=+.x"', b"multipart/form-data; boundary=a b "):
        write("params", seed(ASCII + text, (0, 2, 1)))
    for text in (b"Example.COM:8080", b"[::1]:443", b"evil.com/admin?"):
        write("params", seed(ASCII + text, (0, 2, 2)))


def websocket_json() -> None:
    # mode (0 read_json, 1 iter_json), type index, frame kind, max_size index[, count]
    for payload, mode, type_index, frame in (
        (ASCII + b'{"x": 1, "y": 2, "tags": ["a"]}', 0, 1, 0),
        (b"[1, 2, 3]", 0, 2, 1),
        (ASCII + b'{"a": 1.5, "b": -0.0, "c": 1e308}', 0, 3, 0),
        (ASCII + b'[[[[[[[[[[1]]]]]]]]]]', 0, 0, 0),
        (b'"caf\xc3\xa9 \\u00e9 \\ud83d\\ude00"', 0, 4, 1),
        (ASCII + b"[true, null]", 0, 6, 0),
    ):
        write("websocket_json", seed(payload, (0, 1, mode), (0, 6, type_index), (0, 2, frame), (0, 4, 0)))
    write("websocket_json", seed(b'{"k": [1, {"n": null}]}', (0, 1, 1), (0, 6, 0), (0, 2, 2), (0, 4, 0), (1, 4, 1)))


def redirects() -> None:
    # allowed-hosts set, require_https, raw (0) or pieces (1)
    for target, allowed in (
        (b"/account?next=//evil.com", 0),
        (b"https://example.org/x#y", 0),
        (b"//example.org\\@evil.com", 0),
        (b"https:///evil.com", 1),
        (b"//[::1]:8000/", 1),
        (b"//%65vil.com", 2),
    ):
        write("redirects", seed(ASCII + target, (0, 3, allowed), (0, 1, 0), (0, 1, 0)))
    write("redirects", seed(ASCII + b"/x", (0, 3, 1), (0, 1, 1), (0, 1, 1), (0, 10, 3), (0, 36, 0), (0, 36, 16), (0, 36, 4)))


if __name__ == "__main__":
    multipart()
    urlencoded()
    cookies()
    ranges()
    params()
    websocket_json()
    redirects()
