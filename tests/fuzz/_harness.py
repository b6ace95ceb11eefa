"""Shared helpers for the atheris harnesses (not collected by pytest: no ``test_`` prefix).

Every harness calls ``run(test_one_input)``; the ``atheris`` command-line options
(``-max_total_time=60``, a corpus directory...) are passed through.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import atheris

# Harnesses import asgikit inside ``atheris.instrument_imports()`` before importing this module,
# so this import finds the already instrumented package.
from asgikit._exceptions import AsgiException


class UndocumentedError(AssertionError):
    """A parser raised something outside the asgikit exception tree."""


# Findings already reported (each has a regression test in tests/test_fuzz_regressions.py);
# tolerated so a run can look for new ones. FUZZ_STRICT=1 turns them back into crashes.
KNOWN_FINDINGS: tuple[tuple[type[BaseException], str], ...] = (
    # multipart field decoded with a charset naming a codec that raises ValueError/UnicodeError
    (ValueError, "embedded null character"),
    (UnicodeError, "codec failed"),
)
STRICT = os.environ.get("FUZZ_STRICT") == "1"


def only_documented(exc: BaseException) -> None:
    """Re-raise ``exc`` wrapped in ``UndocumentedError`` unless it is an asgikit exception
    (or, unless ``FUZZ_STRICT=1``, a known finding)."""
    if isinstance(exc, AsgiException):
        return
    if not STRICT and any(
        type(exc) is kind and text in str(exc) for kind, text in KNOWN_FINDINGS
    ):
        return
    raise UndocumentedError(f"undocumented exception {type(exc).__name__}: {exc!r}") from exc


def open_fds() -> int:
    """How many file descriptors this process has open."""
    return len(os.listdir("/proc/self/fd"))


def run(test_one_input: Callable[[bytes], None]) -> None:
    """Start libFuzzer on ``test_one_input`` with ``sys.argv``."""
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
