"""Every runnable Python example of the docs passes ``mypy --strict`` and pyright strict.

The docs promise typed code (the quickstart says its app passes both checkers as it stands),
so the examples are checked the way users would check them: each block is written to a module
of its own in a temporary directory, and each checker runs once over all of them (about ten
seconds each; tests/test_docs.py runs the same blocks).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_docs import CODE_BLOCKS, ROOT


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding one module per runnable docs example."""
    directory = tmp_path_factory.mktemp("docs_examples")
    for block in CODE_BLOCKS:
        if not block.fragment:
            (directory / (re.sub(r"\W", "_", block.id) + ".py")).write_text(block.source, encoding="utf-8")
    return directory


def _checker_output(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def test_docs_examples_pass_mypy_strict(examples: Path) -> None:
    done = _checker_output(
        [
            sys.executable, "-m", "mypy", "--config-file", str(ROOT / "mypy.ini"),
            "--cache-dir", str(examples / ".mypy_cache"), str(examples),
        ]
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_docs_examples_pass_pyright_strict(examples: Path) -> None:
    config = examples / "pyrightconfig.json"
    config.write_text(
        json.dumps({"typeCheckingMode": "strict", "pythonVersion": "3.11"}),
        encoding="utf-8",
    )
    pyright = Path(sys.executable).parent / "pyright"
    done = _checker_output([str(pyright), "--pythonpath", sys.executable, "-p", str(config)])
    assert done.returncode == 0, done.stdout + done.stderr
