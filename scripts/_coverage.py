"""Line and branch coverage of asgikit by the test suite, as a per-module table.

``scripts/coverage`` runs pytest under coverage.py (configuration: ``[tool.coverage.*]`` in
pyproject.toml: branch coverage of ``asgikit`` only). The real-server tests serve the app from
server subprocesses (uvicorn, hypercorn, granian and its workers, daphne); coverage's
``patch = ["subprocess"]`` makes each of those Python processes measure itself and write its
own data file (``parallel = true``), saved on exit or on the ``SIGTERM`` that stops it. The
data files are combined before the report, so code reached only under a real server counts.

The table gives, per module of ``src/asgikit``: statements, branches, line coverage, branch
coverage, the lines never run and the partial branches (``line->target``, ``exit`` when the
branch leaves the function) whose line ran but that never took that way. Not part of CI: the
whole suite under coverage takes several minutes.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

import msgspec

ROOT: Final = Path(__file__).resolve().parent.parent
DATA_DIR: Final = ROOT / ".coverage-data"
"""Where the data files go (``data_file`` in pyproject.toml names a file inside it)."""
JSON_REPORT: Final = DATA_DIR / "coverage.json"
DEFAULT_PYTEST_ARGS: Final = ("-q", "-p", "no:cacheprovider")
SRC_PREFIX: Final = "src/asgikit/"


class FileSummary(msgspec.Struct):
    """The totals coverage.py's JSON report gives for one file."""

    num_statements: int
    covered_lines: int
    num_branches: int = 0
    covered_branches: int = 0


class FileReport(msgspec.Struct):
    """One file of coverage.py's JSON report (the fields this script reads)."""

    summary: FileSummary
    missing_lines: list[int]
    missing_branches: list[tuple[int, int]] = []


class Report(msgspec.Struct):
    """coverage.py's JSON report (the fields this script reads)."""

    files: dict[str, FileReport]
    totals: FileSummary


def _coverage(*args: str) -> list[str]:
    return [sys.executable, "-m", "coverage", *args]


def measure(pytest_args: Sequence[str]) -> int:
    """Run pytest under coverage with fresh data; return pytest's exit status."""
    shutil.rmtree(DATA_DIR, ignore_errors=True)
    DATA_DIR.mkdir()
    return subprocess.run(_coverage("run", "-m", "pytest", *pytest_args), cwd=ROOT).returncode


def load_report() -> Report:
    """Combine the data files of every measured process and read the JSON report."""
    if any(path.name.startswith("coverage.") for path in DATA_DIR.glob("coverage.*")):
        subprocess.run(_coverage("combine", "-q"), cwd=ROOT, check=True)
    subprocess.run(_coverage("json", "-q", "-o", str(JSON_REPORT)), cwd=ROOT, check=True)
    return msgspec.json.decode(JSON_REPORT.read_bytes(), type=Report)


def line_ranges(lines: Iterable[int]) -> str:
    """``[1, 2, 3, 7]`` as ``1-3, 7``."""
    parts: list[str] = []
    start = end = -1
    for line in sorted(lines):
        if line == end + 1:
            end = line
            continue
        if start != -1:
            parts.append(str(start) if start == end else f"{start}-{end}")
        start = end = line
    if start != -1:
        parts.append(str(start) if start == end else f"{start}-{end}")
    return ", ".join(parts)


def partial_branches(report: FileReport) -> str:
    """The branches not taken from lines that did run (``12->15``; ``12->exit`` for a branch
    out of the function): those of lines never run are already in the missing lines."""
    missing = set(report.missing_lines)
    arcs = sorted(arc for arc in report.missing_branches if arc[0] not in missing)
    return ", ".join(f"{a}->{'exit' if b < 0 else b}" for a, b in arcs)


def percent(covered: int, total: int) -> str:
    """``covered / total`` as a percentage with one decimal (``-`` when there is nothing)."""
    return "-" if total == 0 else f"{100 * covered / total:.1f}"


def table(report: Report) -> str:
    """The per-module table and the totals."""
    rows = [("module", "stmts", "branches", "line %", "branch %", "missing lines; partial branches")]
    for path, file in sorted(report.files.items()):
        name = path.removeprefix(SRC_PREFIX).removesuffix(".py").replace("/", ".")
        s = file.summary
        missing = "; ".join(filter(None, [line_ranges(file.missing_lines), partial_branches(file)]))
        rows.append((
            name, str(s.num_statements), str(s.num_branches),
            percent(s.covered_lines, s.num_statements),
            percent(s.covered_branches, s.num_branches), missing,
        ))  # fmt: skip
    t = report.totals
    rows.append((
        "TOTAL", str(t.num_statements), str(t.num_branches),
        percent(t.covered_lines, t.num_statements),
        percent(t.covered_branches, t.num_branches), "",
    ))  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines: list[str] = []
    for row in rows:
        cells = [row[0].ljust(widths[0]), *(cell.rjust(w) for cell, w in zip(row[1:5], widths[1:], strict=True))]
        lines.append("  ".join([*cells, row[5]]).rstrip())
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    """Measure (unless ``--report``), then print the table; exit with pytest's status."""
    parser = argparse.ArgumentParser(
        prog="scripts/coverage",
        description="Line and branch coverage of asgikit by the tests, per module.",
        epilog="Arguments after the options go to pytest (default: the whole suite, -q).",
    )
    parser.add_argument(
        "--report", action="store_true", help="print the table of the last run without running tests"
    )
    options, pytest_args = parser.parse_known_args(argv)
    status = 0
    if not options.report:
        status = measure(pytest_args or DEFAULT_PYTEST_ARGS)
    if not DATA_DIR.is_dir():
        print("no coverage data: run scripts/coverage first", file=sys.stderr)
        return 2
    print(table(load_report()))
    if status != 0:
        print(f"\npytest exited with status {status}: the figures include a failing run")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
