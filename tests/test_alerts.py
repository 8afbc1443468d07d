"""Alerts: behind pace, milestones past due, missing values after entry_due_days; `!`."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from datadirs import board_of, copy_sample, make_datadir
from textual.widgets import OptionList
from tuikit import RecordingApp, dash, settle

from chitieu_tui.cli import main
from chitieu_tui.core import alerts as core_alerts
from chitieu_tui.core.alerts import AlertKind, alerts, entry_due, quarter_end
from chitieu_tui.core.datadir import DataDir
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.periods import Period
from chitieu_tui.i18n import use
from chitieu_tui.screens import AlertsScreen, DashboardScreen, DetailScreen
from chitieu_tui.widgets import IndicatorTable

INDICATORS = """
[dashboard]
entry_due_days = {days}

[[indicator]]
id = "thu"
group = "g"
name = "Thu ngân sách"
kind = "cumulative"
target = 100

[[indicator]]
id = "moc"
group = "g"
name = "Mốc việc"
kind = "milestone"
due = "2026-Q1"

[[indicator]]
id = "ty-le"
group = "g"
name = "Tỷ lệ"
unit = "%"
kind = "level"
target = 90
"""


def folder(tmp_path: Path, values: str, days: int = 15) -> Path:
    return make_datadir(tmp_path, INDICATORS.format(days=days), {"2026-Q1": values})


@pytest.fixture
def on(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Set the date `chitieu alerts` and the TUI take as today."""

    def set_today(day: dt.date) -> None:
        monkeypatch.setattr(core_alerts, "today", lambda: day)

    return set_today


def test_quarter_ends_and_entry_due() -> None:
    assert [quarter_end(Period(2026, q)) for q in (1, 2, 3, 4)] == [
        dt.date(2026, 3, 31),
        dt.date(2026, 6, 30),
        dt.date(2026, 9, 30),
        dt.date(2026, 12, 31),
    ]
    assert entry_due(Period(2026, 1), 15) == dt.date(2026, 4, 15)


def test_alerts_fail_exit_codes(tmp_path: Path, on: Any, capsys: Any) -> None:
    on(dt.date(2026, 4, 2))
    good = folder(tmp_path / "a", "thu = 30\nmoc = true\nty-le = 95\n")
    assert main(["alerts", "--config", str(good), "--fail", "--lang", "en"]) == 0
    assert "No alerts" in capsys.readouterr().out
    behind = folder(tmp_path / "b", "thu = 10\nmoc = true\nty-le = 95\n")
    assert main(["alerts", "--config", str(behind), "--fail", "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "Alerts" in out and "(thu) — Behind pace: 10, expected 25 (10% of" in out
    assert main(["alerts", "--config", str(behind)]) == 0  # without --fail: a list, exit 0
    assert "Chậm tiến độ: 10, dự kiến 25" in capsys.readouterr().out
    overdue = folder(tmp_path / "c", "thu = 30\nmoc = false\nty-le = 95\n")
    assert main(["alerts", "--config", str(overdue), "--fail", "--lang", "en"]) == 1
    assert "(moc) — Milestone overdue: due Q1 2026, not done" in capsys.readouterr().out


def test_missing_values_only_after_entry_due_days(tmp_path: Path, on: Any, capsys: Any) -> None:
    root = folder(tmp_path, "thu = 30\nmoc = true\n", days=10)  # ty-le has no value
    args = ["alerts", "--config", str(root), "--fail", "--lang", "en"]
    on(dt.date(2026, 4, 10))  # the quarter ended 31/03; 10 days: due by 10/04
    assert main(args) == 0
    capsys.readouterr()
    on(dt.date(2026, 4, 11))
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "(ty-le) — Value missing: not entered, due by 2026-04-10" in out
    board = board_of(DataDir(root))
    assert [a.kind for a in alerts(board, dt.date(2026, 4, 11))] == [AlertKind.MISSING]
    assert alerts(board, dt.date(2026, 4, 10)) == []
    default = folder(tmp_path / "d", "thu = 30\nmoc = true\n")
    assert default.joinpath("chitieu.toml").read_text().count("entry_due_days = 15")
    board = board_of(DataDir(default))
    assert board.definitions.dashboard.entry_due_days == 15
    assert alerts(board, dt.date(2026, 4, 15)) == []
    assert len(alerts(board, dt.date(2026, 4, 16))) == 1


def test_entry_due_days_default_and_validation(tmp_path: Path, capsys: Any) -> None:
    sample = DataDir(copy_sample(tmp_path)).definitions()
    assert sample.dashboard.entry_due_days == 15
    bad = folder(tmp_path / "x", "thu = 30\n", days=-1)
    assert main(["check", "--config", str(bad), "--lang", "en"]) == 1
    assert "chitieu.toml:" in (err := capsys.readouterr().err) and "entry_due_days" in err


def test_alerts_default_to_the_newest_quarter_and_take_period(
    tmp_path: Path, on: Any, capsys: Any
) -> None:
    on(dt.date(2026, 4, 2))
    root = copy_sample(tmp_path)
    assert main(["alerts", "--config", str(root), "--fail"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("Cảnh báo · Phường Mỹ Thới · Quý I/2026: 6")
    assert "thu-ngan-sach" in out and "khu-dan-cu-an-toan" not in out  # not yet due
    on(dt.date(2026, 5, 1))
    assert main(["alerts", "--config", str(root), "--period", "2025-Q4", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Q4 2025: 1" in out and "hoc-tap-nghi-quyet" in out


def _set(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    st = path.stat()  # a new mtime even within the same clock tick
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


async def test_a_file_change_turning_an_indicator_behind_is_notified_marked_and_listed(
    tmp_path: Path, on: Any
) -> None:
    on(dt.date(2026, 4, 2))
    root = copy_sample(tmp_path)
    app = RecordingApp(FileSource(root))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = dash(app).query_one(IndicatorTable)
        table.move_cursor(row=table.get_row_index("thu-ngan-sach"))
        await pilot.pause()
        assert dash(app).view is not None
        ev = dash(app).view.board.get("bhyt")
        assert ev is not None and ev.status.value == "on_track"
        _set(root / "progress" / "2026-Q1.toml", "bhyt = 90.0", "bhyt = 89.0")
        for _ in range(40):
            await pilot.pause(0.1)
            if dash(app).marked:
                break
        await settle(pilot)
        assert any(
            sev == "warning" and "Chuyển sang chậm tiến độ (1)" in text and "BHYT" in text
            for sev, text in app.notes
        )
        assert dash(app).marked == {"bhyt"}
        name = str(table.get_row("bhyt")[0])
        assert name.startswith("!") and "BHYT" in name
        assert not str(table.get_row("thu-ngan-sach")[0]).startswith("!")
        # `!` lists the alerts, bhyt among them; Enter opens its detail
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert isinstance(app.screen, AlertsScreen)
        box = app.screen.query_one(OptionList)
        ids = [box.get_option_at_index(i).id for i in range(box.option_count)]
        assert "bhyt" in ids and "thu-ngan-sach" in ids
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen) and dash(app).marked == {"bhyt"}
        await pilot.press("exclamation_mark")
        await pilot.pause()
        box = app.screen.query_one(OptionList)
        box.highlighted = ids.index("bhyt")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen) and app.screen.indicator_id == "bhyt"
        assert dash(app).marked == set()  # looked at
        await pilot.press("escape")
        await pilot.pause()
        assert not str(table.get_row("bhyt")[0]).startswith("!")


async def test_moving_the_cursor_onto_a_marked_indicator_clears_its_mark(
    tmp_path: Path, on: Any
) -> None:
    on(dt.date(2026, 4, 2))
    root = copy_sample(tmp_path)
    use("en")
    app = RecordingApp(FileSource(root))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = dash(app).query_one(IndicatorTable)
        table.move_cursor(row=table.get_row_index("thu-ngan-sach"))
        _set(root / "progress" / "2026-Q1.toml", "bhyt = 90.0", "bhyt = 80.0")
        for _ in range(40):
            await pilot.pause(0.1)
            if dash(app).marked:
                break
        await settle(pilot)
        assert dash(app).marked == {"bhyt"}
        assert any("Now behind pace (1)" in text for _, text in app.notes)
        table.move_cursor(row=table.get_row_index("bhyt"))
        await pilot.pause()
        await pilot.pause()
        assert dash(app).marked == set()
        assert not str(table.get_row("bhyt")[0]).startswith("!")
