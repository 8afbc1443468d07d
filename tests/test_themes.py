"""Every theme the app offers: every screen opens and keys keep working; a theme is saved only
when the user picks it; a bug ends the app with the catalog's words, never a frozen screen."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import Any

import pytest
from contrast import in_use, screenshot, too_faint
from datadirs import copy_sample, enter
from rich.style import Style
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input
from tuikit import RecordingApp, dash, settle

from chitieu_tui import settings
from chitieu_tui.app import ChitieuApp, ended
from chitieu_tui.core.collection import open_folder
from chitieu_tui.core.datadir import BUNDLED, BUNDLED_COLLECTION, DataDir
from chitieu_tui.core.errors import InternalError
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.periods import Period
from chitieu_tui.core.requests import Close
from chitieu_tui.i18n import t_in, use
from chitieu_tui.screens import DashboardScreen, DetailScreen, EntryScreen, HelpScreen
from chitieu_tui.screens.alerts import AlertsScreen
from chitieu_tui.screens.approval import ApproveScreen, ReturnScreen
from chitieu_tui.screens.close import CloseScreen
from chitieu_tui.screens.path import PathScreen
from chitieu_tui.screens.rollup import RollupScreen
from chitieu_tui.widgets.scorecard import Scorecard

pytestmark = pytest.mark.timeout(120)
SRC = str(Path(__file__).resolve().parents[1] / "src")
SIZE = (100, 32)
THEMES = sorted(ChitieuApp(None).available_themes)
"""Every theme the app offers (its palette lists these)."""


def test_the_sixteen_colour_and_light_themes_are_offered() -> None:
    assert {"ansi-dark", "ansi-light", "textual-light", "textual-dark"} <= set(THEMES)


# -- every screen in every theme ------------------------------------------------------------


async def shown(pilot: Pilot[Any], screen: type, shots: list[str]) -> None:
    """The screen on top is `screen`, it renders whole (as an SVG), and every text of it is
    at 4.5:1 contrast or more on its background."""
    await pilot.pause()
    app = pilot.app
    assert isinstance(app.screen, screen), (screen, app.screen)
    svg = screenshot(app)
    faint = [line for box in in_use(app) for line in too_faint(svg, box)]
    assert faint == [], (app.theme, screen.__name__, faint)
    shots.append(svg)


async def back(pilot: Pilot[Any], to: type = DashboardScreen) -> None:
    """Esc goes back to `to`: the keys still work."""
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(pilot.app.screen, to), pilot.app.screen


async def walk_unit(pilot: Pilot[Any], root: Path, shots: list[str]) -> None:
    """Dashboard, detail, entry form and its conflict dialog, close form, alerts, help, the
    palette and the theme picker; each left with Esc."""
    app = pilot.app
    await settle(pilot)
    await shown(pilot, DashboardScreen, shots)
    await pilot.press("enter")
    await shown(pilot, DetailScreen, shots)
    await back(pilot)
    await pilot.press("1")  # the first headline card's year's path
    await shown(pilot, PathScreen, shots)
    await back(pilot)
    table = dash(app).table
    table.move_cursor(row=table.get_row_index("ket-nap-dang-vien"))
    await pilot.press("e")
    await shown(pilot, EntryScreen, shots)
    enter(root, Period(2026, 1), "ket-nap-dang-vien", "5", "chi bộ 3")
    app.screen.query_one("#entry-value", Input).value = "4"
    await pilot.pause()
    app.screen.save()  # type: ignore[attr-defined]
    await settle(pilot)
    assert app.screen.query_one("#entry-keep").display  # the conflict dialog
    await shown(pilot, EntryScreen, shots)
    await back(pilot)
    await settle(pilot)
    await pilot.press("c")
    await shown(pilot, CloseScreen, shots)
    await back(pilot)
    await pilot.press("exclamation_mark")
    await shown(pilot, AlertsScreen, shots)
    await back(pilot)
    await pilot.press("question_mark")
    await shown(pilot, HelpScreen, shots)
    await back(pilot)
    await pilot.press("ctrl+p")
    await shown(pilot, CommandPalette, shots)
    await back(pilot)
    app.action_change_theme()
    await shown(pilot, CommandPalette, shots)
    await back(pilot)
    await pilot.press("slash")
    await pilot.press("b", "h", "y", "t")
    await shown(pilot, DashboardScreen, shots)
    await pilot.press("escape")


async def walk_rollup(pilot: Pilot[Any], shots: list[str]) -> None:
    """The roll-up, a unit opened from it, that unit's detail; back with Esc each time."""
    app = pilot.app
    await settle(pilot)
    await shown(pilot, RollupScreen, shots)
    await pilot.press("enter")
    await settle(pilot)
    await shown(pilot, DashboardScreen, shots)
    await pilot.press("enter")
    await shown(pilot, DetailScreen, shots)
    await back(pilot)
    await pilot.press("question_mark")
    await shown(pilot, HelpScreen, shots)
    await back(pilot)
    await back(pilot, RollupScreen)
    await pilot.press("question_mark")
    await shown(pilot, HelpScreen, shots)
    await back(pilot, RollupScreen)
    table = app.screen.query_one(Scorecard)
    table.move_cursor(row=table.get_row_index("4"))  # my-thoi, submitted
    await pilot.press("a")
    await shown(pilot, ApproveScreen, shots)
    await back(pilot, RollupScreen)
    await pilot.press("R")
    await shown(pilot, ReturnScreen, shots)
    await back(pilot, RollupScreen)
    assert app.crashed is None


@pytest.mark.parametrize("theme", THEMES)
async def test_every_screen_opens_in_every_theme(theme: str, tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    app = RecordingApp(FileSource(root), None)
    shots: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        app.theme = theme
        await walk_unit(pilot, root, shots)
        await pilot.press("q")
    assert app.crashed is None and app.return_code == 0
    assert not [text for severity, text in app.notes if severity == "error"]
    province = tmp_path / "province"
    shutil.copytree(BUNDLED_COLLECTION, province)
    DataDir(province / "my-thoi").write([Close(period=Period(2026, 1), reason="nộp", by="P")])
    collection = open_folder(province)
    collection.load()
    rollup = RecordingApp(None, None, collection=collection, preloaded=True)
    async with rollup.run_test(size=SIZE) as pilot:
        rollup.theme = theme
        await walk_rollup(pilot, shots)
        await pilot.press("q")
    assert rollup.crashed is None and rollup.return_code == 0
    assert len(shots) == 18 and all("<svg" in s for s in shots)


# -- which theme is saved -------------------------------------------------------------------


async def test_a_theme_from_the_environment_is_never_saved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CHITIEU_THEME", "ansi-dark")
    source = FileSource(copy_sample(Path(os.environ["XDG_DATA_HOME"]).parent))
    use("en")
    app = RecordingApp(source, None, settings=settings.app_settings())  # as the CLI
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "ansi-dark"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
    assert not settings.settings_path().exists()
    monkeypatch.delenv("CHITIEU_THEME")
    app = RecordingApp(source, None, settings=settings.app_settings())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.theme = "textual-light"  # what the palette's theme picker does
        await settle(pilot)  # saved in a thread worker
    assert settings.read_file()[0].theme == "textual-light"


class Terminal:
    """`chitieu` (or a Python snippet) in a real pseudo-terminal of 100×30."""

    def __init__(self, argv: list[str], tmp_path: Path, term: str) -> None:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("CHITIEU_", "TEXTUAL", "COLORTERM", "NO_COLOR", "COLORFGBG"))
        }
        env.update(
            PYTHONPATH=SRC,
            TERM=term,
            LANG="C.UTF-8",
            LC_ALL="C.UTF-8",
            CHITIEU_SETTINGS=str(tmp_path / "settings.toml"),
        )
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        self.proc = subprocess.Popen(
            [sys.executable, *argv],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=tmp_path,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        self.master = master
        self.seen = bytearray()

    def expect(self, marker: str, seconds: float = 60) -> None:
        """Read until `marker` was written (an error naming what was seen if it never is)."""
        wanted = marker.encode()
        end = time.monotonic() + seconds
        while wanted not in self.seen:
            left = end - time.monotonic()
            ready, _, _ = select.select([self.master], [], [], max(0.0, left))
            if not ready:
                raise AssertionError(f"{marker!r} never shown: {bytes(self.seen[-2000:])!r}")
            try:
                data = os.read(self.master, 65536)
            except OSError:
                data = b""
            if not data:
                raise AssertionError(f"ended before {marker!r}: {bytes(self.seen[-2000:])!r}")
            self.seen.extend(data)

    def send(self, keys: bytes) -> None:
        self.seen.clear()
        os.write(self.master, keys)

    def wait(self, seconds: float = 60) -> int:
        """The exit status, reading the rest of the output meanwhile."""
        end = time.monotonic() + seconds
        while self.proc.poll() is None and time.monotonic() < end:
            ready, _, _ = select.select([self.master], [], [], 0.5)
            if ready:
                try:
                    self.seen.extend(os.read(self.master, 65536))
                except OSError:
                    pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"still running (frozen): {bytes(self.seen[-2000:])!r}")
        try:
            while select.select([self.master], [], [], 0.2)[0]:
                data = os.read(self.master, 65536)
                if not data:
                    break
                self.seen.extend(data)
        except OSError:
            pass
        os.close(self.master)
        return self.proc.returncode


@pytest.mark.parametrize("term", ["screen", "xterm", "linux"])
def test_sixteen_colours_open_an_indicator_and_save_no_theme(tmp_path: Path, term: str) -> None:
    """tmux's `screen`, plain `xterm` and the Linux console: the app picks the terminal's own
    colours, Enter opens an indicator, Esc and q still work, and nothing is saved."""
    terminal = Terminal(["-m", "chitieu_tui", "--lang", "en"], tmp_path, term)
    terminal.expect(t_in("en", "behind"))  # the key line of the dashboard
    terminal.send(b"\r")
    terminal.expect(t_in("en", "path.title"))  # the detail view: its chart first (issue 24)
    terminal.expect(t_in("en", "d_target"))  # then the facts
    terminal.send(b"\x1b")
    terminal.expect(t_in("en", "behind"))
    terminal.send(b"q")
    assert terminal.wait() == 0
    assert not (tmp_path / "settings.toml").exists()


# -- a bug ends the app, in words ----------------------------------------------------------


async def test_a_bug_in_a_key_handler_ends_the_app_with_exit_1(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(self: DashboardScreen) -> None:
        half_built = Style.__new__(Style)  # a local no traceback can print, as in the bug
        raise RuntimeError(type(half_built).__name__)

    monkeypatch.setattr(DashboardScreen, "action_sort", broken)
    app = RecordingApp(FileSource(copy_sample(Path(os.environ["XDG_DATA_HOME"]))), None)
    with pytest.raises(RuntimeError):  # Pilot hands the bug on when the test leaves the app
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("o")
            await pilot.pause()
    assert app.return_code == 1 and isinstance(app.crashed, RuntimeError)
    with pytest.raises(InternalError) as exc:
        ended(app)
    assert exc.value.render("vi") == t_in("vi", "err.internal_debug", what="RuntimeError")


BROKEN_RENDER = """
import sys
from rich.style import Style
from chitieu_tui.widgets import HeaderBar

def render(self):
    half_built = Style.__new__(Style)  # a local no traceback can print, as in the bug
    raise RuntimeError(type(half_built).__name__)

HeaderBar.render = render
from chitieu_tui.cli import main
sys.exit(main(["--lang", "en"]))
"""


@pytest.mark.parametrize("term", ["xterm-256color", "screen"])
def test_a_bug_in_a_render_ends_the_process_with_the_catalogs_message(
    tmp_path: Path, term: str
) -> None:
    terminal = Terminal(["-c", BROKEN_RENDER], tmp_path, term)
    assert terminal.wait() == 1
    out = terminal.seen.decode("utf-8", "replace")
    assert t_in("en", "err.internal_debug", what="RuntimeError") in out
    assert "Traceback" not in out and "half_built" not in out


# -- contrast ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
@pytest.mark.parametrize("theme", THEMES)
async def test_every_text_is_readable_on_its_background(theme: str, size: tuple[int, int]) -> None:
    """WCAG AA, 4.5:1, for every text of the dashboard and the roll-up, computed from the SVG
    screenshot (a 16-colour theme drawn in the palette Textual assumes for it)."""
    unit = RecordingApp(FileSource(BUNDLED), None)
    async with unit.run_test(size=size) as pilot:
        unit.theme = theme
        await settle(pilot)
        assert too_faint(screenshot(unit)) == []
    collection = open_folder(BUNDLED_COLLECTION)
    collection.load()
    rollup = RecordingApp(None, None, collection=collection, preloaded=True)
    async with rollup.run_test(size=size) as pilot:
        rollup.theme = theme
        await settle(pilot)
        assert too_faint(screenshot(rollup)) == []


def test_the_light_screenshot_is_readable(tmp_path: Path) -> None:
    """`chitieu screenshot --light`: the field counts and *Chưa có số liệu* were grey on grey."""
    from chitieu_tui.cli import main

    out = tmp_path / "light.svg"
    assert main(["screenshot", "--light", "-o", str(out)]) == 0
    svg = out.read_text(encoding="utf-8")
    assert "Xây&#160;dựng&#160;Đảng&#160;3/6" in svg
    assert too_faint(svg) == []
