"""Fuzz ``parse_urlencoded`` and ``parse_query``.

Input layout: the text/bytes to parse from the front, control integers from the end (an
all-zero tail means ``parse_urlencoded`` on bytes with generous limits).

Checks: the only exceptions are ``TooManyFieldsError``/``PartTooLargeError`` (and none at all
from ``parse_query``); the result equals a straightforward reference decoder (split on ``&``,
``+`` to space, percent-decode once, UTF-8 with replacement), which compares the ASCII fast
path with the general one; the limits hold; and ``urllib.parse.urlencode`` of the result
parses back to the same pairs.

Run: ``.venv/bin/python tests/fuzz/fuzz_urlencoded.py -max_total_time=60 tests/fuzz/corpus/urlencoded``
"""

from __future__ import annotations

import sys
from urllib.parse import unquote_to_bytes, urlencode

import atheris

with atheris.instrument_imports(include=["asgikit"]):
    from asgikit._exceptions import PartTooLargeError, TooManyFieldsError
    from asgikit._urlencoded import parse_query, parse_urlencoded

from _harness import run

FIELDS = (1000, 0, 1, 2, 5)
FIELD_SIZE = (1 << 20, 0, 1, 3, 16)


def _reference(data: bytes) -> dict[str, list[str]]:
    def decode(raw: bytes) -> str:
        return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8", "replace")

    result: dict[str, list[str]] = {}
    for pair in data.split(b"&"):
        if pair:
            name, _, value = pair.partition(b"=")
            result.setdefault(decode(name), []).append(decode(value))
    return result


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    mode = fdp.ConsumeIntInRange(0, 3)
    max_fields = FIELDS[fdp.ConsumeIntInRange(0, len(FIELDS) - 1)]
    max_size = FIELD_SIZE[fdp.ConsumeIntInRange(0, len(FIELD_SIZE) - 1)]
    raw: bytes | str
    if mode in (1, 3):
        raw = fdp.ConsumeUnicode(fdp.remaining_bytes())
        as_bytes = raw.encode("utf-8", "surrogatepass")
    else:
        raw = as_bytes = fdp.ConsumeBytes(fdp.remaining_bytes())

    if mode >= 2:
        parsed = parse_query(raw)
    else:
        try:
            parsed = parse_urlencoded(raw, max_fields=max_fields, max_field_size=max_size)
        except TooManyFieldsError:
            assert sum(1 for pair in as_bytes.split(b"&") if pair) > max_fields
            return
        except PartTooLargeError:
            assert max(len(pair) for pair in as_bytes.split(b"&")) > max_size
            return
        assert sum(len(values) for _, values in parsed.lists()) <= max_fields
        assert all(len(pair) <= max_size for pair in as_bytes.split(b"&"))

    lists = dict(parsed.lists())
    assert lists == _reference(as_bytes), (lists, _reference(as_bytes))
    pairs = parsed.items()
    again = parse_query(urlencode(pairs))
    assert dict(again.lists()) == lists, (dict(again.lists()), lists)


if __name__ == "__main__":
    run(test_one_input)
    sys.exit(0)
