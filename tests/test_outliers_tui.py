"""The form asks before saving a value out of line with the unit's history: No has the focus
(one Enter never saves it), Yes saves it marked for follow-up (DESIGN section 15)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from datadirs import HEAD
from textual.widgets import Button, Input
from tuikit import RecordingApp as App
from tuikit import dash, settle

from chitieu_tui.core.filesource import FileSource
from chitieu_tui.screens import EntryScreen

SIZE = (120, 40)
INDICATOR = """
[[indicator]]
id = "lv"
group = "g"
name = "Tỉ lệ thử"
kind = "level"
target = 100
"""


HISTORY = {
    "2024-Q3": 48,
    "2024-Q4": 50,
    "2025-Q1": 51,
    "2025-Q2": 53,
    "2025-Q3": 54,
    "2025-Q4": 56,
    "2026-Q1": 57,
}
"""Changes 2, 1, 2, 1, 2 before 2026-Q1 (mean 1,6, σ 0,49): 90 there is far out of line."""


def folder(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    (root / "progress").mkdir(parents=True)
    (root / "chitieu.toml").write_text(HEAD + INDICATOR, encoding="utf-8")
    for period, value in HISTORY.items():
        (root / "progress" / f"{period}.toml").write_text(
            f'schema = 1\nunit = "thu"\nperiod = "{period}"\n\n[values]\nlv = {value}\n',
            encoding="utf-8",
        )
    return root


def stored(root: Path) -> Any:
    text = (root / "progress" / "2026-Q1.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)["values"]["lv"]


async def ask(pilot: Any, app: Any, text: str) -> EntryScreen:
    await settle(pilot)
    table = dash(app).table
    table.move_cursor(row=table.get_row_index("lv"))
    await pilot.press("e")
    await pilot.pause()
    form = app.screen
    assert isinstance(form, EntryScreen)
    form.query_one("#entry-value", Input).value = text
    await pilot.pause()
    form.query_one("#entry-save", Button).press()
    await settle(pilot)
    return form


async def test_no_has_the_focus_and_enter_saves_nothing(tmp_path: Path) -> None:
    root = folder(tmp_path)
    app = App(FileSource(root))
    async with app.run_test(size=SIZE) as pilot:
        form = await ask(pilot, app, "90")
        assert app.screen is form
        message = str(form.query_one("#entry-message").render())
        assert "bất thường" in message and "90" in message and "Vẫn lưu" in message
        focused = app.focused
        assert isinstance(focused, Button) and focused.id == "entry-outlier-no"
        assert form.query_one("#entry-outlier-yes", Button).display
        assert not form.query_one("#entry-save", Button).display
        await pilot.press("enter")  # the safe choice
        await settle(pilot)
        assert app.screen is form
        assert stored(root) == 57  # nothing written
        assert not (root / "journal").exists()
        assert form.query_one("#entry-save", Button).display
        assert not form.query_one("#entry-outlier-yes", Button).display


async def test_yes_saves_the_value_marked_for_follow_up(tmp_path: Path) -> None:
    root = folder(tmp_path)
    app = App(FileSource(root))
    async with app.run_test(size=SIZE) as pilot:
        form = await ask(pilot, app, "90")
        form.query_one("#entry-outlier-yes", Button).press()
        await settle(pilot)
        assert not isinstance(app.screen, EntryScreen)
    value = stored(root)
    assert value["value"] == 90 and value["followup"]["why"] == ["outlier"]


async def test_a_value_in_line_is_saved_without_asking(tmp_path: Path) -> None:
    root = folder(tmp_path)
    app = App(FileSource(root))
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, app, "57,5")
        assert not isinstance(app.screen, EntryScreen)
    value = stored(root)
    assert value["value"] == 57.5 and "followup" not in value
