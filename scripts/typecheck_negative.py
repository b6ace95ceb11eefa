"""Check that every type checker rejects exactly the marked misuse lines of the negative tests.

Each ``tests/typing/negative_*.py`` marks a misuse with ``# type: ignore[code]`` (mypy) and
``# pyright: ignore[...]``. This script copies the files to ``.typecheck/`` with those
comments stripped (line numbers unchanged), runs mypy --strict, pyright strict, basedpyright,
ty and pyrefly on the copies, and compares the lines each checker reports with the marked
lines: the sets must be equal (every misuse reported, nothing else), and each marked line must
get exactly one diagnostic from each checker unless its marker says otherwise
(``# diagnostics: pyright 2``). It prints how many diagnostics each checker gives per misuse
line. Exit status 1 on any difference.

Run from anywhere: ``.venv/bin/python scripts/typecheck_negative.py``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Final, cast

ROOT: Final = Path(__file__).resolve().parent.parent
"""The repository root (checkers run there so they read its configuration)."""

VENV_BIN: Final = ROOT / ".venv" / "bin"
"""Where the pinned checkers are installed (./scripts/bootstrap)."""

WORK_DIR: Final = ROOT / "artifacts" / "typecheck-negative"
"""Where the stripped copies go: gitignored, inside the repository so its configs apply, and
not under a hidden directory (pyright skips those)."""

MARKER: Final = re.compile(r"\s*# type: ignore\[[^\]]*\].*$")
"""A misuse marker and everything after it on the line (the pyright ignore follows it)."""

ONLY: Final = re.compile(r"# rejected only by: ([\w, ]+)")
"""A marker's restriction: only these checkers (short names) reject the line; the rest must
accept it. Used where the checkers disagree (tests/typing/negative_rebinding.py)."""

DIAGNOSTICS: Final = re.compile(r"# diagnostics: ((?:\w+ \d+(?:, )?)+)")
"""A marker's count: these checkers (short names) give that many diagnostics for the line;
every other checker that rejects it gives exactly one."""

Lines = Counter[int]
"""Diagnostics per line number of one file."""


def marked_lines(source: str, checker: str) -> dict[int, int]:
    """Line numbers (1-based) with a misuse marker that ``checker`` (short name) must reject,
    each with the number of diagnostics ``checker`` must give for it."""
    lines: dict[int, int] = {}
    for number, line in enumerate(source.splitlines(), 1):
        if MARKER.search(line):
            only = ONLY.search(line)
            if only is None or checker in {name.strip() for name in only.group(1).split(",")}:
                lines[number] = expected_count(line, checker)
    return lines


def expected_count(line: str, checker: str) -> int:
    """How many diagnostics ``checker`` must give for a marked line: 1 unless the marker's
    ``# diagnostics:`` says otherwise."""
    counts = DIAGNOSTICS.search(line)
    if counts is None:
        return 1
    for entry in counts.group(1).split(","):
        name, count = entry.split()
        if name == checker:
            return int(count)
    return 1


def strip_markers(source: str) -> str:
    """The source without misuse markers, with every line kept in place."""
    return "".join(MARKER.sub("", line) + "\n" for line in source.splitlines())


def run(command: list[str]) -> str:
    """Run a checker (a non-zero exit is expected: the files are wrong on purpose)."""
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    return done.stdout + done.stderr


def text_diagnostics(output: str, pattern: str, files: list[Path]) -> dict[Path, Lines]:
    """Parse ``path:line...`` error lines; ``pattern`` captures the path and line number."""
    found: dict[Path, Lines] = {path: Counter() for path in files}
    for match in re.finditer(pattern, output, re.MULTILINE):
        path = (ROOT / match.group(1)).resolve()
        if path in found:
            found[path][int(match.group(2))] += 1
    return found


def pyright_like(executable: str) -> Callable[[list[Path]], dict[Path, Lines]]:
    """pyright and basedpyright: errors from ``--outputjson`` (pyproject's strict settings)."""

    def check(files: list[Path]) -> dict[Path, Lines]:
        output = run([str(VENV_BIN / executable), "--outputjson", *map(str, files)])
        report = cast("dict[str, object]", json.loads(output[output.index("{") :]))
        if cast("dict[str, int]", report["summary"])["filesAnalyzed"] != len(files):
            raise SystemExit(f"{executable} did not analyze the negative files:\n{output}")
        found: dict[Path, Lines] = {path: Counter() for path in files}
        for diagnostic in cast("list[dict[str, object]]", report["generalDiagnostics"]):
            path = Path(cast(str, diagnostic["file"])).resolve()
            if diagnostic["severity"] == "error" and path in found:
                start = cast("dict[str, dict[str, int]]", diagnostic["range"])["start"]
                found[path][start["line"] + 1] += 1
        return found

    return check


def mypy(files: list[Path]) -> dict[Path, Lines]:
    output = run([str(VENV_BIN / "mypy"), "--config-file", "mypy.ini", "--no-incremental", *map(str, files)])
    return text_diagnostics(output, r"^(\S+?\.py):(\d+): error:", files)


def ty(files: list[Path]) -> dict[Path, Lines]:
    output = run(
        [str(VENV_BIN / "ty"), "check", "--python", ".venv", "--output-format", "concise", *map(str, files)]
    )
    return text_diagnostics(output, r"^(\S+?\.py):(\d+):\d+: error\[", files)


def pyrefly(files: list[Path]) -> dict[Path, Lines]:
    output = run([str(VENV_BIN / "pyrefly"), "check", "--output-format", "min-text", *map(str, files)])
    return text_diagnostics(output, r"^ERROR (\S+?\.py):(\d+):", files)


CHECKERS: Final[dict[str, Callable[[list[Path]], dict[Path, Lines]]]] = {
    "mypy": mypy,
    "pyright": pyright_like("pyright"),
    "basedpyright": pyright_like("basedpyright"),
    "ty": ty,
    "pyrefly": pyrefly,
}
"""Every checker the project claims (mypy --strict, pyright and basedpyright with pyproject's
strict settings, ty, pyrefly), with how to collect its error lines."""


def main() -> int:
    originals = sorted((ROOT / "tests" / "typing").glob("negative_*.py"))
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    sources: dict[Path, str] = {}
    for original in originals:
        source = original.read_text()
        copy = WORK_DIR / original.name
        copy.write_text(strip_markers(source))
        sources[copy.resolve()] = source
    copies = list(sources)
    failed = False
    for name, check in CHECKERS.items():
        found = check(copies)
        for copy in copies:
            expected = marked_lines(sources[copy], name)
            reported = found[copy]
            missing = sorted(expected.keys() - reported.keys())
            extra = sorted(reported.keys() - expected.keys())
            counts = {
                line: reported[line]
                for line in sorted(expected.keys() & reported.keys())
                if reported[line] != expected[line]
            }
            per_line = sum(reported.values()) / max(len(reported), 1)
            status = "ok" if not missing and not extra and not counts else "MISMATCH"
            failed = failed or status != "ok"
            print(
                f"{name:12} {copy.name:28} {status:8} marked={len(expected):3} "
                f"reported={len(reported):3} diagnostics/line={per_line:.2f}"
                + (f" missing={missing}" if missing else "")
                + (f" extra={extra}" if extra else "")
                + (f" unexpected-counts={counts}" if counts else "")
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
