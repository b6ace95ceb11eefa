"""The demo in a real browser: headless Chromium (Debian's, via Playwright) against
``examples.demo:app`` under uvicorn.

Loads the index page in two tabs, watches the server-sent events clock tick, chats from one
tab and sees the message in both, uploads a real file from the form and checks the result
page, and saves a screenshot to ``artifacts/demo.png``. Skipped when ``/usr/bin/chromium`` is
missing (``scripts/install-browser`` installs it).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

import pytest

from tests.servers import ROOT, start_server

CHROMIUM: Final = Path("/usr/bin/chromium")
CHROMIUM_ARGS: Final = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS: Final = 10_000
SCREENSHOT: Final = ROOT / "artifacts" / "demo.png"


@pytest.mark.timeout(30)
def test_demo_in_chromium(tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing; run scripts/install-browser (needs root and apt-get)")
    from playwright.sync_api import expect, sync_playwright

    upload = tmp_path / "notes.txt"
    upload.write_bytes(b"0123456789" * 123 + b"abcd")  # 1234 bytes

    with start_server("uvicorn-httptools", "examples.demo:app") as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1000, "height": 1100})
            context.set_default_timeout(TIMEOUT_MS)
            expect.set_options(timeout=TIMEOUT_MS)
            sender = context.new_page()
            sender.goto(url + "/")
            expect(sender).to_have_title("asgikit demo")
            expect(sender.locator("#chat-status")).to_have_text("connected")
            watcher = context.new_page()
            watcher.goto(url + "/")
            expect(watcher.locator("#chat-status")).to_have_text("connected")

            # The clock: the first tick arrives at once, the next one a second later.
            expect(watcher.locator("#ticks")).to_have_text(re.compile(r"^[2-9]$|^\d{2,}$"))
            expect(watcher.locator("#clock")).to_have_text(re.compile(r"^\d\d:\d\d:\d\d$"))

            # The chat: a message from one tab is broadcast to both.
            sender.locator("#chat-input").fill("hello from chromium")
            sender.locator("#chat-send").click()
            line = "guest-1: hello from chromium"
            expect(sender.locator("#messages li")).to_have_text([line])
            expect(watcher.locator("#messages li")).to_have_text([line])
            expect(sender.locator("#chat-input")).to_have_value("")

            SCREENSHOT.parent.mkdir(exist_ok=True)
            watcher.screenshot(path=str(SCREENSHOT), full_page=True)

            # The upload: a real file through the multipart form.
            sender.locator("#name").fill("Grace Hopper")
            sender.locator("#comment").fill("<b>not bold</b>")
            sender.locator("#file").set_input_files(str(upload))
            with sender.expect_navigation():
                sender.locator("#upload-button").click()
            assert sender.url == url + "/upload"
            expect(sender.locator("h1")).to_have_text("Upload received")
            expect(sender.locator("#fields dd")).to_have_text(["Grace Hopper", "<b>not bold</b>"])
            expect(sender.locator("#files .filename")).to_have_text(["notes.txt"])
            expect(sender.locator("#files .size")).to_have_text(["1234"])
            expect(sender.locator("#files li")).to_have_text(["notes.txt: 1234 bytes (text/plain)"])
        finally:
            browser.close()
    assert SCREENSHOT.stat().st_size > 10_000
