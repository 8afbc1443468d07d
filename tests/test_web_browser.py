"""`chitieu web` in a real browser: the system Chromium driven by Playwright (issue 24, item 4).

One Chromium for the module (no browser download: `executable_path`, Debian's `chromium`;
CI installs it in .ci/run). Skipped only when no Chromium is found. The page's text is read
from xterm.js's own screen buffer (the Terminal that textual-serve's script creates, caught by
an init script as it is stored), so the test sees what the official sees, not the splash.
Every request the page makes must go to 127.0.0.1: the font and the scripts come from the
server, never from the internet.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

SRC = str(Path(__file__).resolve().parents[1] / "src")


def _chromium() -> str | None:
    for name in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.access(name, os.X_OK):
            return name
    return shutil.which("chromium") or shutil.which("chromium-browser")


CHROMIUM = _chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine")

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  get() { return undefined; },
  set(value) {
    if (value && value.buffer && !window.__chitieuTerminal) window.__chitieuTerminal = value;
    Object.defineProperty(this, "terminal", {
      value, writable: true, configurable: true, enumerable: true,
    });
  },
});
"""
"""textual-serve's script keeps its xterm.js Terminal as `this.terminal`; catch it on the way."""

SCREEN = """() => {
  const term = window.__chitieuTerminal;
  if (!term) return "";
  const buffer = term.buffer.active, lines = [];
  for (let i = 0; i < term.rows; i++) {
    const line = buffer.getLine(buffer.viewportY + i);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines.join("\\n");
}"""
"""The terminal's screen as text, line by line."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless system Chromium for every test here (Playwright's `launch` gives it a
    fresh temporary profile, its own --user-data-dir, removed on close)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`chitieu web --lang en` on 127.0.0.1 in a real subprocess; its address once it answers."""
    pytest.importorskip("textual_serve")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "chitieu_tui", "web", "--lang", "en"]
        + ["--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path_factory.mktemp("web"),
        env={**os.environ, "PYTHONPATH": SRC},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        # The server prints its address once it is about to listen; then the first answer.
        assert proc.stderr is not None
        line = proc.stderr.readline().decode("utf-8", "replace")
        assert str(port) in line, line
        for _ in range(600):  # polled until it listens (at most a minute)
            try:
                with urllib.request.urlopen(url, timeout=5):
                    break
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode("utf-8", "replace")
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture
def page(browser: Any, served: str) -> Iterator[Any]:
    """A fresh page on the dashboard; any request beyond 127.0.0.1 is refused and recorded."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    outside: list[str] = []

    def guard(route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on(
        "websocket",
        lambda ws: None if urlsplit(ws.url).hostname == "127.0.0.1" else outside.append(ws.url),
    )
    page.add_init_script(CATCH_TERMINAL)
    page.goto(served)
    try:
        yield page
    finally:
        context.close()
    assert outside == [], f"the page reached beyond 127.0.0.1: {outside}"


def screen(page: Any) -> str:
    return str(page.evaluate(SCREEN))


def wait_for(page: Any, text: str, present: bool = True) -> str:
    """Wait (up to 60 s) until `text` is on the terminal's screen (or gone); the screen then."""
    page.wait_for_function(
        f"([text, present]) => ({SCREEN})().includes(text) === present",
        arg=[text, present],
        timeout=60_000,
    )
    return screen(page)


def test_the_dashboard_not_the_splash(page: Any) -> None:
    shown = wait_for(page, "All indicators (20)")
    assert "Phường Mỹ Thới" in shown and "Q1 2026" in shown
    assert "Kết nạp đảng viên mới" in shown and "8/20 targets met" in shown
    # The splash is gone: the terminal is shown, the intro dialog hidden.
    assert page.evaluate("document.body.classList.contains('-first-byte')")


def test_keys_change_the_screen(page: Any) -> None:
    wait_for(page, "All indicators (20)")
    # Focus the terminal by clicking its top-left corner (the header line): a click on a row
    # of the table would open that row's detail.
    page.click("#terminal", position={"x": 4, "y": 4})
    page.keyboard.press("b")  # only the indicators behind schedule
    shown = wait_for(page, "Behind schedule")
    assert "Số hộ kinh doanh đang hoạt động" not in shown  # met: filtered out
    page.keyboard.press("?")
    wait_for(page, "Help — keys")
    page.keyboard.press("Escape")
    wait_for(page, "Help — keys", present=False)
    page.keyboard.press("Enter")  # the detail of the row under the cursor: its chart first
    shown = wait_for(page, "The year's path")
    assert "Annual target" in shown
    page.keyboard.press("Escape")
    shown = wait_for(page, "The year's path", present=False)
    assert "Behind schedule" in shown


def test_the_page_loads_nothing_from_outside(page: Any, served: str) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.reload()
    wait_for(page, "All indicators (20)")
    assert requested and all(urlsplit(u).hostname == "127.0.0.1" for u in requested), requested
    assert any(u.endswith(".ttf") for u in requested), "the font comes from the server"
    html = page.content()
    assert "googleapis" not in html and 'lang="en"' in html
