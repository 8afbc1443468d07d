"""Live files, data entry and pace on the dashboard, driven with Pilot."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from datadirs import copy_sample, plain
from textual.pilot import Pilot
from textual.widgets import Input
from tuikit import RecordingApp as App
from tuikit import dash, settle

from chitieu_tui.app import ChitieuApp
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.periods import Period
from chitieu_tui.core.source import Origin
from chitieu_tui.screens import DetailScreen, EntryScreen
from chitieu_tui.widgets import HeaderBar, HeadlineCard, IndicatorTable, SummaryBar

SIZE = (120, 40)


def card_text(app: ChitieuApp, indicator_id: str) -> str:
    for card in app.screen.query(HeadlineCard):
        if card.evaluation is not None and card.evaluation.indicator.id == indicator_id:
            return "\n".join(line.plain for line in card.lines(30, 8))
    raise AssertionError(indicator_id)


def summary_text(app: ChitieuApp) -> str:
    return str(app.screen.query_one(SummaryBar).render())


async def select_row(pilot: Pilot[Any], indicator_id: str) -> None:
    table = pilot.app.screen.query_one(IndicatorTable)
    table.move_cursor(row=table.get_row_index(indicator_id))
    await pilot.pause()


async def test_entering_a_value_updates_screen_file_and_snapshot(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    definitions = (root / "chitieu.toml").read_bytes()
    app = App(FileSource(root))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "8/20" in summary_text(app)
        await select_row(pilot, "khu-dan-cu-an-toan")  # the one without data
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EntryScreen)
        await pilot.press(*"96,5", "enter", *"đủ 24/25 khóm", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, EntryScreen)
        assert "9/20" in summary_text(app)
        assert "0 chưa có số liệu" in summary_text(app)
    values = tomllib.loads((root / "progress" / "2026-Q1.toml").read_text())["values"]
    assert plain(values["khu-dan-cu-an-toan"]) == {"value": 96.5, "note": "đủ 24/25 khóm"}
    snaps = list((root / "snapshots" / "2026-Q1").glob("*.toml"))
    assert len(snaps) == 1
    rows = {r["id"]: r for r in tomllib.loads(snaps[0].read_text())["indicator"]}
    assert rows["khu-dan-cu-an-toan"]["status"] == "met"
    assert (root / "chitieu.toml").read_bytes() == definitions  # never rewritten


async def test_headline_card_changes_after_entry(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    app = App(FileSource(root))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "13,75%" in card_text(app, "thu-ngan-sach")
        await select_row(pilot, "thu-ngan-sach")
        await pilot.press("e")
        await pilot.pause()
        value = app.screen.query_one("#entry-value", Input)
        value.value = "60"
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert "25,78%" in card_text(app, "thu-ngan-sach")
        assert "Đúng tiến độ" in card_text(app, "thu-ngan-sach")


async def test_nonsense_is_refused_in_the_form(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    before = (root / "progress" / "2026-Q1.toml").read_bytes()
    app = App(FileSource(root))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select_row(pilot, "bhyt")
        await pilot.press("e")
        await pilot.pause()
        await pilot.press(*"chín mươi", "enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, EntryScreen)
        message = str(app.screen.query_one("#entry-message").render())
        assert "không phải là số" in message
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, EntryScreen)
    assert (root / "progress" / "2026-Q1.toml").read_bytes() == before


async def test_milestone_form_takes_yes_or_no(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    app = App(FileSource(root))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select_row(pilot, "mo-hinh-nong-nghiep-cnc")
        await pilot.press("e")
        await pilot.pause()
        await pilot.press(*"có", "enter", "enter")
        await settle(pilot)
        assert "9/20" in summary_text(app)
    values = tomllib.loads((root / "progress" / "2026-Q1.toml").read_text())["values"]
    assert values["mo-hinh-nong-nghiep-cnc"]["value"] is True


async def test_entry_in_a_new_quarter_creates_its_file(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    app = App(FileSource(root))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert dash(app).view is not None and dash(app).view.period == Period(2026, 2)
        assert "0/20" in summary_text(app)
        await select_row(pilot, "thu-ngan-sach")
        await pilot.press("e")
        await pilot.pause()
        await pilot.press(*"120,5", "enter", "enter")
        await settle(pilot)
        assert "1/20" in summary_text(app) or "0/20" in summary_text(app)
        ev = dash(app).view.board.get("thu-ngan-sach")
        assert ev is not None and ev.value == 120.5
    doc = tomllib.loads((root / "progress" / "2026-Q2.toml").read_text())
    assert doc["period"] == "2026-Q2" and plain(doc["values"]["thu-ngan-sach"]) == 120.5


async def test_a_file_changed_by_another_process_shows_up(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    app = App(FileSource(root))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(IndicatorTable)
        await select_row(pilot, "bhyt")
        path = root / "progress" / "2026-Q1.toml"
        path.write_text(path.read_text().replace("bhyt = 90.0", "bhyt = 96.25"))
        for _ in range(50):  # the watcher checks twice a second
            await pilot.pause(0.1)
            ev = dash(app).view.board.get("bhyt") if dash(app).view else None
            if ev is not None and ev.value == 96.25:
                break
        await settle(pilot)
        assert dash(app).view is not None and dash(app).view.board.get("bhyt").value == 96.25  # type: ignore[union-attr]
        assert "9/20" in summary_text(app)
        assert table.current_id() == "bhyt"  # the cursor stayed


async def test_a_broken_file_keeps_the_last_figures_and_recovers(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    app = App(FileSource(root))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        path = root / "progress" / "2026-Q1.toml"
        good = path.read_text()
        path.write_text(good[: len(good) // 2] + "\nbhyt = = 9")  # saved half-way
        dash(app)._poll_tick()
        await settle(pilot)
        assert "8/20" in summary_text(app)
        errors = [text for sev, text in app.notes if sev == "error"]
        assert errors and "2026-Q1.toml:" in errors[-1]
        header = str(app.screen.query_one(HeaderBar).render())
        assert "tệp lỗi, số liệu cũ" in header and "✓" not in header
        await pilot.press("s")  # a snapshot of the old figures would mislead: refused
        await settle(pilot)
        assert not (root / "snapshots").exists()
        assert any("Không lưu bản chụp" in text for _, text in app.notes)
        dash(app)._poll_tick()  # no change since: no second notification
        await settle(pilot)
        assert len([1 for sev, _ in app.notes if sev == "error"]) == len(errors)
        path.write_text(good.replace("bhyt = 90.0", "bhyt = 96.0"))
        dash(app)._poll_tick()
        await settle(pilot)
        assert "9/20" in summary_text(app)
        assert any("Đã đọc lại" in text for _, text in app.notes)
        assert "✓" in str(app.screen.query_one(HeaderBar).render())


async def test_detail_shows_pace_and_last_year(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    app = App(FileSource(root))
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        await select_row(pilot, "thu-ngan-sach")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        from rich.console import Console

        console = Console(width=110, record=True, color_system=None)
        console.print(app.screen.body())
        text = console.export_text()
        assert "Còn thiếu" in text and "200,73 tỉ đồng" in text
        assert "Mỗi quý còn lại cần" in text and "66,91 tỉ đồng" in text
        assert "Dự báo cuối năm" in text and "128 tỉ đồng" in text
        assert "Cùng kỳ năm trước" in text and "29,6 tỉ đồng" in text
        assert "file:progress/2026-Q1.toml" in text and "31/03/2026" in text
        assert "Sửa lần cuối" in text
        assert "tệp 31/03/2025" in text
        await pilot.press("escape")
        await select_row(pilot, "ket-nap-dang-vien")  # reported per quarter
        await pilot.press("enter")
        await pilot.pause()
        console = Console(width=110, record=True, color_system=None)
        console.print(app.screen.body())
        assert (
            "9 đảng viên (lũy kế 14)" in console.export_text()
        )  # 2025-Q2: the quarter's 9  # where each quarter came from


def _bundled(tmp_path: Path) -> FileSource:
    from chitieu_tui.core.datadir import BUNDLED

    return FileSource(BUNDLED)


def _read_only(tmp_path: Path) -> FileSource:
    source = FileSource(copy_sample(tmp_path))
    source.origin = Origin(source.label, "file", read_only=True)  # as the API source is
    return source


@pytest.mark.parametrize(
    ("make", "words"), [(_bundled, "chitieu init THƯ-MỤC"), (_read_only, "chỉ đọc")]
)
async def test_read_only_sources_refuse_entry_before_the_form(
    tmp_path: Path, make: Any, words: str
) -> None:
    app = App(make(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select_row(pilot, "bhyt")
        await pilot.press("e")
        await pilot.pause()
        assert not isinstance(app.screen, EntryScreen)
        assert any(words in text for _, text in app.notes)


async def test_a_preloaded_start_watches_the_files_it_read(tmp_path: Path) -> None:
    from chitieu_tui.app import preload

    root = copy_sample(tmp_path)
    source = FileSource(root)
    app = App(source, initial=preload(source, None))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "8/20" in summary_text(app)  # on the first frame, before any worker ran
        before = dash(app).view
        dash(app)._poll_tick()  # the stamp is asked in a worker
        await settle(pilot)
        assert dash(app).view is before  # nothing changed since the preload: no reload
        path = root / "progress" / "2026-Q1.toml"
        path.write_text(path.read_text().replace("bhyt = 90.0", "bhyt = 96.25"))
        dash(app)._poll_tick()
        await settle(pilot)
        assert "9/20" in summary_text(app)


async def test_the_key_line_works_with_the_mouse(tmp_path: Path) -> None:
    from chitieu_tui.screens import HelpScreen
    from chitieu_tui.widgets import KeyBar

    app = App(FileSource(copy_sample(tmp_path)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bar = app.screen.query_one(KeyBar)
        assert "q thoát" in bar._content.plain and "? trợ giúp" in bar._content.plain
        start = {action: x for x, _, action in bar._spans}
        await pilot.click(KeyBar, offset=(start["behind"] + 1, 0))
        await pilot.pause()
        assert len(app.screen.query_one(IndicatorTable).indicator_ids()) == 6
        await pilot.click(KeyBar, offset=(start["help"] + 1, 0))
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_muted_cells_are_readable_in_the_light_theme(tmp_path: Path) -> None:
    app = App(FileSource(copy_sample(tmp_path)))
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "textual-light"
        await settle(pilot)
        table = app.screen.query_one(IndicatorTable)
        for name in ("no-data", "muted"):
            style = table.get_component_rich_style(f"indicator-table--{name}", partial=True)
            assert style.color is not None
            r, g, b = style.color.get_truecolor()
            assert 0.299 * r + 0.587 * g + 0.114 * b < 160, name  # dark text on a light screen
