"""`--lang en`: with data in plain ASCII, no Vietnamese letter reaches any screen or report."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import shutil
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from tuikit import FixedSource, RecordingApp, dash, settle

from chitieu_tui.core.datadir import BUNDLED
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.periods import Period
from chitieu_tui.i18n import use
from chitieu_tui.report import FORMATS, render
from chitieu_tui.screens import DetailScreen, EntryScreen, HelpScreen
from chitieu_tui.widgets import HeaderBar

_BASES = "aăâeêioôơuưy"
_TONES = "\u0300\u0301\u0309\u0303\u0323"
_LETTERS = {unicodedata.normalize("NFC", b + t) for b in _BASES for t in _TONES} | set("ăâđêôơư")
_LETTERS |= {c.upper() for c in _LETTERS}
VIETNAMESE = re.compile("[" + "".join(sorted(_LETTERS)) + "]")
"""A Vietnamese letter with a diacritic (both cases)."""


def test_the_pattern_catches_vietnamese_and_spares_english() -> None:
    assert VIETNAMESE.search("Đạt") and VIETNAMESE.search("chậm") and VIETNAMESE.search("Ơ")
    assert not VIETNAMESE.search("Behind · 13.75% · due Q3 2026 – “x” ✓ ▲ ▼")


def ascii_text(text: str) -> str:
    """Vietnamese without diacritics (`Đảng` → `Dang`); other non-ASCII becomes `-`."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return "".join(c if c.isascii() else "-" for c in text)


@pytest.fixture
def ascii_sample(tmp_path: Path) -> Path:
    """A copy of the bundled sample whose names, units, owners and notes are plain ASCII."""
    dest = tmp_path / "config"
    shutil.copytree(BUNDLED, dest)
    tomls = [dest / "chitieu.toml", *(dest / "progress").glob("*.toml")]
    for path in [*tomls, *(dest / "years").glob("*.toml")]:
        path.write_text(ascii_text(path.read_text(encoding="utf-8")), encoding="utf-8")
    return dest


def leaks(text: str) -> list[str]:
    """The lines of `text` holding a Vietnamese letter."""
    return [line for line in text.splitlines() if VIETNAMESE.search(line)]


def screen_text(app: Any) -> str:
    """Every character on screen (the top screen over the ones below), as plain text."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True)
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text()


def titles(app: Any) -> str:
    """Border titles and subtitles of every widget of the top screen (they may be cut)."""
    out = []
    for widget in app.screen.walk_children():
        for title in (widget.border_title, widget.border_subtitle):
            if title:
                out.append(str(title))
    return "\n".join(out)


def test_the_ascii_sample_has_no_vietnamese(ascii_sample: Path) -> None:
    for path in ascii_sample.rglob("*.toml"):
        assert not leaks(path.read_text(encoding="utf-8")), path


@pytest.mark.parametrize("form", FORMATS)
def test_every_report_format_in_english(ascii_sample: Path, form: str) -> None:
    source = FileSource(ascii_sample)
    use("en")
    for period in (None, Period(2025, 4)):
        text = render(source.load(period), form)
        assert text.strip()
        assert not leaks(text), form


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_dashboard_states_in_english(ascii_sample: Path, size: tuple[int, int]) -> None:
    use("en")
    app = RecordingApp(FileSource(ascii_sample))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        seen = [screen_text(app)]
        assert "quit" in seen[0] and "Q1 2026" in str(dash(app).query_one(HeaderBar).left)
        for keys in (("b",), ("b", "o"), ("o", "o", "o"), ("slash", "b", "enter"), ("escape",)):
            await pilot.press(*keys)
            await pilot.pause()
            seen += [screen_text(app), titles(app)]
        for _ in range(5):  # back to 2025-Q1, then the quarter before: no data
            await pilot.press("left_square_bracket")
            await settle(pilot)
            seen += [screen_text(app), titles(app)]
        await pilot.press("s")  # no progress to snapshot, or a snapshot: either is worded
        await settle(pilot)
        seen += [text for _, text in app.notes]
    for text in seen:
        assert not leaks(text), text


async def test_help_and_every_detail_in_english(ascii_sample: Path) -> None:
    use("en")
    app = RecordingApp(FileSource(ascii_sample))
    async with app.run_test(size=(160, 90)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app) + titles(app)
        assert "Help" in text
        assert not leaks(text), text
        await pilot.press("escape")
        await pilot.pause()
        view = dash(app).view
        assert view is not None
        for ev in view.board.evaluations:
            use("en")
            await app.push_screen(DetailScreen(view, ev.indicator.id))
            await pilot.pause()
            text = screen_text(app) + titles(app)
            assert "Provenance" in text, ev.indicator.id
            assert not leaks(text), text
            app.pop_screen()
            await pilot.pause()


async def test_entry_form_in_english(ascii_sample: Path) -> None:
    use("en")
    app = RecordingApp(FileSource(ascii_sample))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        seen = []
        for row in ("ket-nap-dang-vien", "so-tay-dien-tu", "khu-dan-cu-an-toan"):
            table = dash(app).table
            table.move_cursor(row=table.get_row_index(row))
            await pilot.press("e")
            await pilot.pause()
            assert isinstance(app.screen, EntryScreen)
            seen += [screen_text(app), titles(app)]
            await pilot.press("escape")
            await pilot.pause()
        table = dash(app).table
        table.move_cursor(row=table.get_row_index("ket-nap-dang-vien"))
        await pilot.press("e")
        await pilot.pause()
        # 7 of 30 is behind: the form also asks for cause and remedy (Enter moves on to them)
        await pilot.press("7", "enter", "enter", "enter", "enter")
        await settle(pilot)
        seen += [text for _, text in app.notes]
        seen.append(screen_text(app))
    assert any("Saved" in text for text in seen)
    for text in seen:
        assert not leaks(text), text


async def test_offline_header_in_english(ascii_sample: Path) -> None:
    now = dt.datetime(2026, 4, 2, 11, 30, tzinfo=dt.UTC)
    view = dataclasses.replace(
        FileSource(ascii_sample).load(),
        source_label="api:http://example.invalid",
        source_kind="api",
        read_only=True,
        stale=True,
        stale_since=now - dt.timedelta(hours=3),
    )
    use("en")
    app = RecordingApp(FixedSource(view), now=lambda: now)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        text = screen_text(app)
        notes = [text for _, text in app.notes]
    assert "offline · 3 h ago" in text and "read-only" in text
    for shown in [text, *notes]:
        assert not leaks(shown), shown


async def test_a_refused_value_is_explained_in_english(ascii_sample: Path) -> None:
    use("en")
    app = RecordingApp(FileSource(ascii_sample))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("a", "b", "c", "enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, EntryScreen)
        message = str(app.screen.query_one("#entry-message").render())
    assert message and not leaks(message), message


async def test_the_bundled_sample_refuses_entry_in_english() -> None:
    use("en")
    app = RecordingApp(FileSource(BUNDLED))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
    notes = [text for _, text in app.notes]
    assert notes and not any(leaks(text) for text in notes), notes
