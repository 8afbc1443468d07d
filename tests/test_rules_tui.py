"""Rules between figures on the screen (issue 25): the form shows the rule a value would
break before saving; a high one is refused with its message, a medium one is written."""

from __future__ import annotations

from pathlib import Path

from datadirs import copy_sample
from test_entry_form import SIZE, open_form, press, shown, type_value, values
from tuikit import RecordingApp as App

from chitieu_tui.core.filesource import FileSource
from chitieu_tui.screens import EntryScreen


async def test_the_form_shows_a_broken_rule_before_saving(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    app = App(FileSource(root))
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app, "so-to-chuc-dang")
        assert not app.screen.query_one("#entry-rules").display
        await type_value(pilot, app, "480")
        rule = shown(app, "#entry-rules")
        assert "[cần xem] Mỗi tổ chức đảng có ít nhất 3 đảng viên" in rule
        assert "so-to-chuc-dang * 3 = 1.440 <= dang-vien = 1.430" in rule
        assert app.screen.query_one("#entry-rules").display
        await type_value(pilot, app, "38")
        assert not app.screen.query_one("#entry-rules").display
        await type_value(pilot, app, "480")
        await press(pilot, app, "#entry-save")  # implausible: asked once more
        await press(pilot, app, "#entry-save")
        assert not isinstance(app.screen, EntryScreen)
    assert values(root)["so-to-chuc-dang"] == 480


async def test_the_form_refuses_a_broken_high_rule_and_says_why(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    app = App(FileSource(root))
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app, "dang-vien")
        await type_value(pilot, app, "5")
        assert "[bắt buộc] Số đảng viên kết nạp trong quý" in shown(app, "#entry-rules")
        assert app.screen.query_one("#entry-rules").has_class("-error")
        await press(pilot, app, "#entry-save")
        assert isinstance(app.screen, EntryScreen)
        message = shown(app, "#entry-message")
        assert "quy tắc bắt buộc bị vi phạm" in message and "dang-vien = 5" in message
    assert values(root)["dang-vien"] == 1430
