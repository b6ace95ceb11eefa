"""Every Python example in docs/testing.md runs as written: each block is executed on its own,
then every ``test_*`` function it defines is called (coroutines through ``asyncio.run``)."""

from __future__ import annotations

import asyncio
import inspect
import re
from pathlib import Path
from typing import Final

import pytest

PAGE: Final = Path(__file__).resolve().parent.parent / "docs" / "testing.md"
BLOCKS: Final = re.findall(r"^```python\n(.*?)^```", PAGE.read_text(encoding="utf-8"), flags=re.M | re.S)


def test_the_page_has_examples() -> None:
    assert len(BLOCKS) >= 8


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_example_runs_and_its_tests_pass(index: int) -> None:
    namespace: dict[str, object] = {"__name__": f"docs_testing_block_{index}"}
    exec(compile(BLOCKS[index], f"docs/testing.md (python block {index + 1})", "exec"), namespace)
    tests = [value for name, value in namespace.items() if name.startswith("test_") and callable(value)]
    assert tests, "every example on the page demonstrates itself with a test_* function"
    for test in tests:
        if inspect.iscoroutinefunction(test):
            asyncio.run(test())
        else:
            test()
