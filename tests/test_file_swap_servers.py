"""respond_file under real servers serves the file it opened, even if the path changes.

``tests/apps/file_swap_app.py`` repoints a symlink at another file as soon as the response
starts. Granian offers ``http.response.pathsend`` and opens a path it is given later, in its
own task, so sending the path would serve the other file under the checked file's length
and ETag; asgikit sends the bytes from the descriptor it opened instead. uvicorn offers no
file extension and gets 64 KiB chunks; it is here as the control.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final, cast

import httpx
import pytest

from tests.apps.file_swap_app import pattern
from tests.servers import ServerKind, start_server

APP: Final = "tests.apps.file_swap_app:app"
TIMEOUT: Final = 15.0
SIZES: Final = (1, 4096, 64 * 1024 + 1, 300_000)


@pytest.fixture(scope="module", params=["granian", "uvicorn-httptools"])
def base_url(request: pytest.FixtureRequest) -> Iterator[str]:
    with start_server(cast("ServerKind", request.param), APP, startup_timeout=TIMEOUT) as url:
        yield url


@pytest.mark.parametrize("size", SIZES)
def test_whole_file_served_is_the_one_opened(base_url: str, size: int) -> None:
    response = httpx.get(f"{base_url}/swap?size={size}", timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.headers["content-length"] == str(size)
    assert response.content == pattern(size)


@pytest.mark.parametrize(("size", "first", "last"), [(4096, 0, 99), (300_000, 70_000, 299_999)])
def test_range_served_is_from_the_file_opened(base_url: str, size: int, first: int, last: int) -> None:
    response = httpx.get(
        f"{base_url}/swap?size={size}", headers={"range": f"bytes={first}-{last}"}, timeout=TIMEOUT
    )
    assert response.status_code == 206
    assert response.content == pattern(size)[first : last + 1]
