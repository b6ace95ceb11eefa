"""The documentation site builds without warnings and documents the whole public API.

The site is built once per module (``mkdocs build --strict`` into a temporary directory, a few
seconds); the other tests read the built pages. No ``--quiet``: it hides warnings from
``--strict``, which then passes a build that has them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import asgikit
import asgikit.asgi
from asgikit import _limits

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built site directory; fails the dependent tests with mkdocs' output if the build fails."""
    out = tmp_path_factory.mktemp("docs") / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    return out


def _anchors(page: Path) -> set[str]:
    return set(re.findall(r'id="([^"]+)"', page.read_text(encoding="utf-8")))


def test_mkdocs_strict_build_succeeds(site: Path) -> None:
    assert (site / "index.html").is_file()
    assert (site / "api" / "index.html").is_file()


def test_every_public_name_has_an_entry_in_the_api_reference(site: Path) -> None:
    anchors = _anchors(site / "api" / "index.html")
    missing = sorted(name for name in asgikit.__all__ if f"asgikit.{name}" not in anchors)
    assert missing == []


def test_every_asgi_shape_has_an_entry_in_the_api_reference(site: Path) -> None:
    anchors = _anchors(site / "api" / "index.html")
    missing = sorted(name for name in asgikit.asgi.__all__ if f"asgikit.asgi.{name}" not in anchors)
    assert missing == []


def _size(value: int) -> str:
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if value >= factor and value % factor == 0:
            return f"{value // factor} {unit}"
    return str(value)


# (text that starts the row's first cell, the constant whose value the row must show)
_LIMIT_ROWS = [
    ("`max_body_size`", _limits.DEFAULT_MAX_BODY_SIZE),
    ("`max_fields`", _limits.DEFAULT_MAX_FIELDS),
    ("`max_files`", _limits.DEFAULT_MAX_FILES),
    ("`max_part_size`", _limits.DEFAULT_MAX_PART_SIZE),
    ("`max_fields_size`", _limits.DEFAULT_MAX_FIELDS_SIZE),
    ("`max_file_size`", _limits.DEFAULT_MAX_FILE_SIZE),
    ("`max_part_header_count`", _limits.DEFAULT_MAX_PART_HEADER_COUNT),
    ("`max_part_header_size`", _limits.DEFAULT_MAX_PART_HEADER_SIZE),
]


@pytest.mark.parametrize("path", ["docs/security.md", "SECURITY.md"])
def test_default_limit_tables_match_the_code(path: str) -> None:
    rows = [line for line in (ROOT / path).read_text(encoding="utf-8").splitlines() if line.startswith("| `")]
    for label, value in _LIMIT_ROWS:
        cells = [row.split("|")[2].strip() for row in rows if row.split("|")[1].strip().startswith(label)]
        assert cells, f"{path}: no default-limit row for {label}"
        assert _size(value) in cells[0], f"{path}: {label} should show {_size(value)}, shows {cells[0]!r}"
    multipart = [row for row in rows if row.startswith("| `max_body_size`") and "multipart" in row.split("|")[1]]
    assert multipart and _size(_limits.DEFAULT_MAX_MULTIPART_SIZE) in multipart[0].split("|")[2]
