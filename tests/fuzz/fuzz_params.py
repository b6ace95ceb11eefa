"""Fuzz header-parameter parsing (``asgikit._params``), boundaries and ``Host`` (``_host``).

Input layout: the header text from the front, control integers from the end.

- ``parse_header_params`` / ``media_type_and_charset``: never raise; names are lower-case,
  non-empty and without ``*``; a value quoted with ``"`` and ``\\`` escaped parses back to
  itself wherever it is placed.
- ``boundary_from_content_type``: only ``MultipartBoundaryError``; an accepted boundary is
  1-70 RFC 2046 characters not ending in a space.
- ``parse_host``: never raises; ``None`` or a lower-case host with a port in 0-65535.

Run: ``.venv/bin/python tests/fuzz/fuzz_params.py -max_total_time=60 tests/fuzz/corpus/params``
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["asgikit"]):
    from asgikit._exceptions import MultipartBoundaryError
    from asgikit._host import parse_host
    from asgikit._multipart import boundary_from_content_type
    from asgikit._params import media_type_and_charset, parse_header_params

from _harness import run

BCHARS = frozenset(b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ")
TOKEN = "abcdefghijklmnopqrstuvwxyz0123456789-_."


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check_params(fdp: atheris.FuzzedDataProvider) -> None:
    raw_name = fdp.ConsumeBytes(fdp.ConsumeIntInRange(1, 8))
    name = "".join(TOKEN[byte % len(TOKEN)] for byte in raw_name) or "n"
    where = fdp.ConsumeIntInRange(0, 2)
    quoted_value = fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 64))
    value = fdp.ConsumeUnicode(fdp.remaining_bytes())

    main, params = parse_header_params(value)
    assert ";" not in main, main
    for key in params:
        assert key and "*" not in key and key == key.lower(), key
    media, charset = media_type_and_charset(value)
    assert media is None or media == media.lower(), media
    assert charset is None or charset == charset.lower(), charset

    # A correctly quoted parameter survives any text before it (that has no parameter of the
    # same name) and any parameters after it.
    prefix = "text/plain" if where == 0 else value.split(";", 1)[0]
    header = f"{prefix}; {name}={_quote(quoted_value)}"
    if where == 2:
        header += "; " + value
    got = parse_header_params(header)[1].get(name)
    assert got == quoted_value, (header, got, quoted_value)


def _check_boundary(fdp: atheris.FuzzedDataProvider) -> None:
    value = fdp.ConsumeUnicode(fdp.remaining_bytes())
    try:
        boundary = boundary_from_content_type(value)
    except MultipartBoundaryError:
        return
    assert type(boundary) is bytes
    assert 1 <= len(boundary) <= 70, boundary
    assert BCHARS.issuperset(boundary) and not boundary.endswith(b" "), boundary


def _check_host(fdp: atheris.FuzzedDataProvider) -> None:
    value = fdp.ConsumeUnicode(fdp.remaining_bytes())
    result = parse_host(value)
    if result is None:
        return
    host, port = result
    assert host and host == host.lower(), result
    assert port is None or (type(port) is int and 0 <= port <= 65535), result
    assert not any(c in host for c in "/?#@ \t\r\n\\"), result


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    mode = fdp.ConsumeIntInRange(0, 2)
    if mode == 0:
        _check_params(fdp)
    elif mode == 1:
        _check_boundary(fdp)
    else:
        _check_host(fdp)


if __name__ == "__main__":
    run(test_one_input)
    sys.exit(0)
