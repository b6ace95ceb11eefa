"""Run the test suite on every other CPython 3.11, 3.12 and 3.13 found on this machine.

``./scripts/check`` runs the suite on ``.venv``'s Python itself; this script covers the other
supported minor versions. Each runs in its own venv, ``.venv-3.12`` and so on (gitignored),
with only asgikit and its ``test`` extra, reinstalled only when ``pyproject.toml`` changed.
Interpreters come from pyenv (``pyenv root``, else ``~/.pyenv``) and otherwise from
``python3.1x`` on ``PATH``. Prints which versions ran and which were not found; exits 1 if
any run failed. Extra arguments go to pytest.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parent.parent
"""The repository root."""

SUPPORTED: Final = ("3.11", "3.12", "3.13")
"""The minor versions asgikit supports (the classifiers in pyproject.toml say the same)."""


def pyenv_versions() -> Path:
    """Where pyenv keeps its interpreters (``pyenv root`` when pyenv is on PATH)."""
    pyenv = shutil.which("pyenv")
    if pyenv is not None:
        done = subprocess.run([pyenv, "root"], capture_output=True, text=True, check=False)
        if done.returncode == 0 and done.stdout.strip():
            return Path(done.stdout.strip()) / "versions"
    return Path.home() / ".pyenv" / "versions"


def find_interpreter(minor: str) -> Path | None:
    """The newest pyenv CPython ``minor``.x, else ``python<minor>`` on PATH, else None."""
    candidates = sorted(
        pyenv_versions().glob(f"{minor}.*"),
        key=lambda path: [int(part) if part.isdigit() else -1 for part in path.name.split(".")],
    )
    for candidate in reversed(candidates):
        python = candidate / "bin" / "python3"
        if candidate.name.replace(".", "").isdigit() and python.exists():
            return python
    found = shutil.which(f"python{minor}")
    return Path(found) if found else None


def venv_minor() -> str:
    """The minor version of ``.venv``'s Python, which ./scripts/check already tests."""
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-c", "import sys; print(*sys.version_info[:2], sep='.')"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def bootstrap(python: Path, minor: str) -> Path:
    """Create or refresh ``.venv-<minor>`` with asgikit and its test extra."""
    venv = ROOT / f".venv-{minor}"
    if not (venv / "bin" / "python").exists():
        subprocess.run([str(python), "-m", "venv", str(venv)], check=True)
    stamp = venv / ".asgikit-installed"
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text().strip() != want:
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-qq"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True)
        subprocess.run([*pip, "-e", f"{ROOT}[test]"], check=True)
        stamp.write_text(want + "\n")
    return venv


NOT_ON_EXTRA_PYTHONS: Final = ("tests/test_docs_typing.py",)
"""Left out on the extra Pythons: it runs mypy and pyright, which only the dev extra installs
(and which check the docs for Python 3.11 whatever runs them)."""


def main(pytest_args: list[str]) -> int:
    tested = venv_minor()
    runs: list[tuple[str, Path]] = []
    missing: list[str] = []
    for minor in SUPPORTED:
        if minor == tested:
            continue
        python = find_interpreter(minor)
        if python is None:
            missing.append(minor)
            continue
        runs.append((minor, bootstrap(python, minor)))
    # The runs go side by side: much of the suite waits on real servers, so running them one
    # after the other would double the time of the whole check.
    logs = ROOT / "artifacts"
    logs.mkdir(exist_ok=True)
    started: list[tuple[str, Path, subprocess.Popen[bytes]]] = []
    for minor, venv in runs:
        version = subprocess.run(
            [str(venv / "bin" / "python"), "-c", "import platform; print(platform.python_version())"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        env = {**os.environ, "VIRTUAL_ENV": str(venv), "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
        log = logs / f"pytest-{minor}.log"
        ignored = [f"--ignore={path}" for path in NOT_ON_EXTRA_PYTHONS]
        with log.open("wb") as output:
            process = subprocess.Popen(
                [str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", *ignored, *pytest_args],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        started.append((version, log, process))
    ran: list[str] = []
    failed: list[str] = []
    for version, log, process in started:
        returncode = process.wait()
        print(f"\n=== pytest on CPython {version} (end of artifacts/{log.name})", flush=True)
        print(log.read_text(errors="replace")[-4000:], flush=True)
        (failed if returncode else ran).append(version)
    print(f"\nextra Pythons passed: {', '.join(ran) or 'none'}")
    if failed:
        print(f"extra Pythons FAILED: {', '.join(failed)}")
    if missing:
        print(f"not found on this machine: {', '.join(missing)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
