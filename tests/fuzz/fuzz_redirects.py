"""Fuzz ``is_safe_redirect_url`` against an independent WHATWG URL reading (``tests/whatwg_url.py``).

Input layout: the target from the front, control integers from the end (allowed-hosts set,
``require_https``, then whether the target is built from tricky pieces or taken raw).

Checks, for every input:
- ``is_safe_redirect_url`` returns a ``bool`` and raises nothing;
- when it says safe: ``encode_location`` accepts the target (``redirect()`` can send it), and
  a browser reading the encoded ``Location``, or the raw target, from an http or https page
  stays on the site (relative) or goes to an allowed host; ``urllib.parse`` agrees; with
  ``require_https`` the scheme is not ``http``;
- ``encode_location`` raises only ``InvalidHeaderError`` and emits printable ASCII.

Run: ``.venv/bin/python tests/fuzz/fuzz_redirects.py -max_total_time=60 tests/fuzz/corpus/redirects``
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlsplit

import atheris

with atheris.instrument_imports(include=["asgikit"]):
    from asgikit import InvalidHeaderError
    from asgikit._redirects import encode_location, is_safe_redirect_url

from _harness import only_documented, run

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.whatwg_url import stays_on_allowed_site, urllib_agrees

ALLOWED_SETS: tuple[tuple[str, ...], ...] = (
    ("example.org",),
    ("example.org", "app.example.org:8443", "[::1]", "[2001:db8::7]:8000"),
    ("EXAMPLE.org", "127.0.0.1"),
    (),
)
PIECES = (
    "example.org", "app.example.org", "[::1]", "[2001:db8::7]", "evil.com", "127.0.0.1",
    "@", "%40", "%5C", "%2F", "%65", "#", "?", "/", "\\", ":", ":8443", ":8000", ":443",
    "\t", "\n", "\r", " ", ".", "[", "]", "%", "https:", "http:", "HTTPS:", "javascript:",
    "//", "/\\", "\\\\", "\u3002", "\uff0e", "\u00e9",
)  # fmt: skip


def _target(fdp: atheris.FuzzedDataProvider) -> str:
    if fdp.ConsumeIntInRange(0, 1) == 0:
        return fdp.ConsumeUnicode(fdp.remaining_bytes())
    count = fdp.ConsumeIntInRange(0, 10)
    parts = [PIECES[fdp.ConsumeIntInRange(0, len(PIECES) - 1)] for _ in range(count)]
    return "".join(parts) + fdp.ConsumeUnicode(fdp.remaining_bytes())


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    allowed = ALLOWED_SETS[fdp.ConsumeIntInRange(0, len(ALLOWED_SETS) - 1)]
    require_https = fdp.ConsumeIntInRange(0, 1) == 1
    target = _target(fdp)
    try:
        safe = is_safe_redirect_url(target, allowed_hosts=allowed, require_https=require_https)
    except Exception as exc:
        only_documented(exc)
        raise AssertionError(f"is_safe_redirect_url raised {exc!r}") from exc
    assert type(safe) is bool, safe
    try:
        location = encode_location(target).decode("ascii")
    except InvalidHeaderError:
        assert not safe, f"approved a target redirect() refuses: {target!r}"
        return
    assert location.isprintable() and location.isascii(), location
    if not safe:
        return
    assert stays_on_allowed_site(location, allowed), (target, location)
    assert stays_on_allowed_site(target, allowed), target
    assert urllib_agrees(location, allowed), location
    if require_https:
        assert urlsplit(location).scheme.lower() != "http", location


if __name__ == "__main__":
    run(test_one_input)
    sys.exit(0)
