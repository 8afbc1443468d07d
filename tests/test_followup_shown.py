"""A value marked for follow-up (an outlier, DESIGN section 15) is seen where an official
looks: the detail view says why and how to clear it, the summary counts it, the table marks
it, `chitieu alerts` lists it, and the JSON report carries the mark."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from datadirs import copy_sample
from rich.console import Console
from test_alerts import folder
from textual.widgets import OptionList
from tuikit import RecordingApp as App
from tuikit import dash, settle

from chitieu_tui.cli import main
from chitieu_tui.core import alerts as core_alerts
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.screens import AlertsScreen, DetailScreen
from chitieu_tui.terminal import ascii_text
from chitieu_tui.widgets import SummaryBar

SIZE = (120, 40)
MARKED = (
    'thu-ngan-sach = { value = 32.0, by = "Lan", at = 2026-04-02T08:30:00+07:00, '
    'followup = { why = ["outlier"], mean = 10.2, sd = 0.75, k = 3, count = 5 } }'
)
WHY_VI = "lệch hơn 3 độ lệch chuẩn (0,75) so với trung bình 10,2 của 5 quý trước"


def marked_sample(tmp_path: Path) -> Path:
    """The sample with its budget revenue (behind in 2026-Q1) marked for follow-up."""
    root = copy_sample(tmp_path)
    path = root / "progress" / "2026-Q1.toml"
    text = path.read_text(encoding="utf-8")
    assert "thu-ngan-sach = 32.0\n" in text
    path.write_text(text.replace("thu-ngan-sach = 32.0\n", MARKED + "\n"), encoding="utf-8")
    return root


@pytest.fixture(autouse=True)
def april(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core_alerts, "today", lambda: dt.date(2026, 4, 2))


def _detail_text(screen: object) -> str:
    assert isinstance(screen, DetailScreen)
    console = Console(width=400, file=io.StringIO(), record=True)
    console.print(screen.body())
    return " ".join(console.export_text().split())


async def _open_detail(pilot: Any, app: Any, ident: str) -> str:
    table = dash(app).table
    table.move_cursor(row=table.get_row_index(ident))
    await pilot.press("enter")
    await pilot.pause()
    text = _detail_text(app.screen)
    await pilot.press("escape")
    await pilot.pause()
    return text


async def test_the_dashboard_shows_a_marked_value(tmp_path: Path) -> None:
    app = App(FileSource(marked_sample(tmp_path)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        summary = dash(app).query_one(SummaryBar).render().plain
        assert "1 số liệu cần theo dõi" in summary
        assert summary.index("cần theo dõi") > summary.index("chưa có số liệu")
        table = dash(app).table
        assert table.get_cell("thu-ngan-sach", "value").plain == "⚑ 32"
        assert "⚑" not in table.get_cell("bhyt", "value").plain
        text = await _open_detail(pilot, app, "thu-ngan-sach")
        assert f"Cần theo dõi: {WHY_VI} · nhập bởi Lan lúc 08:30 02/04/2026" in text
        assert 'chitieu followup --clear thu-ngan-sach --period 2026-Q1 --note "…"' in text
        assert "Cần theo dõi" not in await _open_detail(pilot, app, "bhyt")


async def test_the_sample_has_no_mark_anywhere(tmp_path: Path) -> None:
    app = App(FileSource(copy_sample(tmp_path)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "cần theo dõi" not in dash(app).query_one(SummaryBar).render().plain
        table = dash(app).table
        assert not any("⚑" in " ".join(table.get_row(key)) for key in table._index)
        assert "Cần theo dõi" not in await _open_detail(pilot, app, "thu-ngan-sach")


async def test_the_alerts_screen_lists_a_behind_and_marked_value_twice(tmp_path: Path) -> None:
    """Two alerts of one indicator (behind, and marked) are two lines; Enter on either opens
    the indicator."""
    app = App(FileSource(marked_sample(tmp_path)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert isinstance(app.screen, AlertsScreen)
        box = app.screen.query_one(OptionList)
        lines = [str(box.get_option_at_index(i).prompt) for i in range(box.option_count)]
        mine = [i for i, line in enumerate(lines) if "(thu-ngan-sach)" in line]
        assert len(mine) == 2
        assert lines[mine[1]].startswith("⚑ ") and "Cần theo dõi: 32 tỉ đồng, lệch" in lines[-1]
        box.highlighted = mine[1]
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.indicator_id == "thu-ngan-sach"


def test_alerts_lists_marked_values_in_both_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = marked_sample(tmp_path)
    assert main(["alerts", "--config", str(root)]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("⚑"))
    assert line == (
        f"⚑ Tổng thu ngân sách nhà nước (thu-ngan-sach) — Cần theo dõi: 32 tỉ đồng, {WHY_VI}"
    )
    assert out.splitlines()[-1] == line  # the last kind listed
    assert main(["alerts", "--config", str(root), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "(thu-ngan-sach) — Follow up: 32" in out
    assert "from the mean 10.2 of its 5 earlier quarters" in out
    assert ascii_text("⚑") == "*"


def test_alerts_fail_on_a_marked_value_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A quarter with nothing to say but a marked value (a year to date that fell) fails
    `alerts --fail`; cleared, it passes."""
    root = folder(tmp_path, "thu = 30\nmoc = true\nty-le = 95\n")
    assert main(["alerts", "--config", str(root), "--fail"]) == 0
    capsys.readouterr()
    path = root / "progress" / "2026-Q1.toml"
    marked = 'thu = { value = 30, followup = { why = ["ytd_drop"] } }'
    path.write_text(path.read_text(encoding="utf-8").replace("thu = 30", marked), "utf-8")
    assert main(["alerts", "--config", str(root), "--fail"]) == 1
    out = capsys.readouterr().out
    assert "Cảnh báo · " in out and ": 1" in out.splitlines()[0]
    assert "⚑ Thu ngân sách (thu) — Cần theo dõi: 30, số liệu quý âm làm lũy kế giảm" in out


def test_the_json_report_carries_the_mark(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = marked_sample(tmp_path)
    assert main(["report", "--config", str(root), "--format", "json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)["indicators"]}
    assert rows["thu-ngan-sach"]["followup"] == {
        "why": ["outlier"],
        "mean": 10.2,
        "sd": 0.75,
        "k": 3,
        "count": 5,
    }
    assert rows["bhyt"]["followup"] is None
    assert (
        main(["report", "--config", str(copy_sample(tmp_path / "plain")), "--format", "json"]) == 0
    )
    rows = json.loads(capsys.readouterr().out)["indicators"]
    assert all(r["followup"] is None for r in rows)
