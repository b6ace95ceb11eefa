"""Fuzz the ``Cookie`` request parser and the ``Set-Cookie`` serializer.

Input layout: strings from the front, control integers from the end.

- Mode 0 (``parse_cookie_header``): never raises; names are non-empty, stripped and contain
  no ``;`` or ``=``; values contain no ``;``; parsing several headers equals parsing them
  joined with ``;``.
- Mode 1 (``Cookies.set``/``delete`` with fuzzed name, value, domain, path and flags): the
  only exception is ``InvalidHeaderError``; an accepted cookie serializes to printable ASCII
  with exactly one ``;`` per expected attribute (no injection), and its ``name=value`` part
  parses back to the same value.

Run: ``.venv/bin/python tests/fuzz/fuzz_cookies.py -max_total_time=60 tests/fuzz/corpus/cookies``
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["asgikit"]):
    from asgikit._cookies import Cookies, parse_cookie_header
    from asgikit._exceptions import InvalidHeaderError

from _harness import run

SAMESITE = ("lax", "strict", "none")


def _check_parse(fdp: atheris.FuzzedDataProvider) -> None:
    count = fdp.ConsumeIntInRange(1, 4)
    headers = [fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 200)) for _ in range(count - 1)]
    headers.append(fdp.ConsumeUnicode(fdp.remaining_bytes()))
    parsed = parse_cookie_header(headers)
    for name, value in parsed.items():
        assert name, "empty cookie name"
        assert name == name.strip(" \t"), repr(name)
        assert ";" not in name and "=" not in name, repr(name)
        assert ";" not in value, repr(value)
    joined = parse_cookie_header([";".join(headers)])
    assert joined.lists() == parsed.lists(), (joined, parsed)


def _flag(fdp: atheris.FuzzedDataProvider) -> bool:
    # ConsumeBool reads from the front of the input; integers come from the end, which keeps
    # the seeds' layout simple (strings in front, controls at the end).
    return fdp.ConsumeIntInRange(0, 1) == 1


def _optional(fdp: atheris.FuzzedDataProvider, limit: int) -> str | None:
    if _flag(fdp):
        return None
    return fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, limit))


def _check_serializer(fdp: atheris.FuzzedDataProvider) -> None:
    delete = fdp.ConsumeIntInRange(0, 7) == 0
    samesite = SAMESITE[fdp.ConsumeIntInRange(0, 2)]
    secure = _flag(fdp)
    httponly = _flag(fdp)
    partitioned = _flag(fdp)
    max_age = None if _flag(fdp) else fdp.ConsumeIntInRange(-2, 10**9)
    expires = None if _flag(fdp) else fdp.ConsumeIntInRange(-(10**12), 10**12)
    domain = _optional(fdp, 40)
    path = _optional(fdp, 40)
    name = fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 40))
    value = fdp.ConsumeUnicode(fdp.remaining_bytes())
    jar = Cookies()
    try:
        if delete:
            jar.delete(
                name,
                domain=domain,
                path=path,
                secure=secure,
                httponly=httponly,
                samesite=samesite,
                partitioned=partitioned,
            )
            value = ""
        else:
            jar.set(
                name,
                value,
                expires=expires,
                domain=domain,
                path=path,
                max_age=max_age,
                secure=secure,
                httponly=httponly,
                samesite=samesite,
                partitioned=partitioned,
            )
    except InvalidHeaderError:
        return
    ((header, line),) = jar.raw_headers()
    assert header == b"set-cookie"
    assert all(0x20 <= byte < 0x7F for byte in line), line
    host_prefix = name.lower().startswith("__host-")
    attributes = 1  # SameSite
    attributes += domain is not None
    attributes += path is not None or host_prefix
    attributes += delete or max_age is not None
    attributes += delete or expires is not None
    attributes += (
        secure
        or samesite == "none"
        or partitioned
        or host_prefix
        or name.lower().startswith("__secure-")
    )
    attributes += httponly
    attributes += partitioned
    assert line.count(b";") == attributes, (line, attributes)
    first = line.split(b";", 1)[0].decode("ascii")
    expected = value[1:-1] if len(value) > 1 and value[0] == value[-1] == '"' else value
    assert parse_cookie_header([first]).get(name) == [expected], (first, name, expected)


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    if fdp.ConsumeIntInRange(0, 1) == 0:
        _check_parse(fdp)
    else:
        _check_serializer(fdp)


if __name__ == "__main__":
    run(test_one_input)
    sys.exit(0)
