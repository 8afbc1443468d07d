"""Words an official would correct (issue 18): whole numbers, decreases, points, units."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from datadirs import copy_sample
from rich.console import Console
from textual.command import CommandInput, CommandPalette
from tuikit import RecordingApp, dash, settle

from chitieu_tui.app import ChitieuApp
from chitieu_tui.core.collection import open_folder
from chitieu_tui.core.datadir import BUNDLED_COLLECTION
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.i18n import use
from chitieu_tui.screens import DashboardScreen, DetailScreen, HelpScreen
from chitieu_tui.screens.rollup import RollupScreen
from chitieu_tui.widgets import HeadlineCard, IndicatorTable, KeyBar
from chitieu_tui.widgets.scorecard import Scorecard

SIZE = (120, 40)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return copy_sample(tmp_path)


def screen_text(app: ChitieuApp) -> str:
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True)
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text()


def card_text(app: ChitieuApp, indicator_id: str) -> str:
    for c in dash(app).query(HeadlineCard):
        if c.evaluation is not None and c.evaluation.indicator.id == indicator_id:
            return c.render().plain
    raise AssertionError(indicator_id)


async def open_detail(app: ChitieuApp, pilot: object, indicator_id: str) -> str:
    table = dash(app).query_one(IndicatorTable)
    table.move_cursor(row=table.get_row_index(indicator_id))
    await pilot.press("enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    assert isinstance(app.screen, DetailScreen)
    # The year's path comes first (issue 24): scroll the facts to the top to read them.
    app.screen.query_one("#detail-body").scroll_visible(top=True, animate=False, immediate=True)
    await pilot.pause()  # type: ignore[attr-defined]
    return screen_text(app)


async def test_integer_indicators_expect_and_need_whole_numbers(sample: Path) -> None:
    app = ChitieuApp(FileSource(sample))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = dash(app).query_one(IndicatorTable)
        row = [str(c) for c in table.get_row("ket-nap-dang-vien")]
        assert "8" in row and "7,5" not in row, row
        text = await open_detail(app, pilot, "ket-nap-dang-vien")
        lines = {" ".join(line.split()) for line in text.splitlines()}
        assert any("Tiến độ dự kiến 8 đảng viên" in line for line in lines), text
        assert any("Mỗi tháng còn lại cần 3 đảng viên" in line for line in lines), text
        assert "7,5" not in text and "2,67" not in text


async def test_a_decrease_says_what_is_still_to_reduce(sample: Path) -> None:
    app = ChitieuApp(FileSource(sample))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = await open_detail(app, pilot, "ho-ngheo")
        assert "Còn phải giảm" in text and "22 hộ" in text
        assert "Mỗi quý còn lại cần giảm" in text and "8 hộ" in text  # 22 / 3 = 7,33 → 8
        assert "Còn thiếu" not in text


async def test_a_percentage_changes_in_points_year_on_year(sample: Path) -> None:
    app = ChitieuApp(FileSource(sample))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        bhyt = card_text(app, "bhyt")  # 90% against 85,2% a year before
        assert "+4,8 điểm %" in bhyt, bhyt
        assert "so cùng kỳ +8%" in card_text(app, "thu-ngan-sach")  # money: a percent change


async def test_english_points(sample: Path) -> None:
    use("en")
    app = ChitieuApp(FileSource(sample))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "+4.8 pts" in card_text(app, "bhyt")


async def test_no_bare_unit_on_a_card(sample: Path) -> None:
    app = ChitieuApp(FileSource(sample))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = card_text(app, "ket-nap-dang-vien")
        assert "· đảng viên" not in text
        assert "20% kế hoạch" in text


async def test_ctrl_c_says_how_to_quit_in_the_readers_language(sample: Path) -> None:
    app = RecordingApp(FileSource(sample))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert any("Bấm q để thoát" in text for _, text in app.notes), app.notes
        assert not any("Press" in text for _, text in app.notes)


async def test_the_palette_speaks_the_readers_language(sample: Path) -> None:
    app = RecordingApp(FileSource(sample))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        assert palette.query_one(CommandInput).placeholder == "Tìm lệnh…"
        palette._NO_MATCHES_COUNTDOWN = 0.001  # hardly any waiting: the words are checked
        await pilot.press(*"qqxzqq")
        for _ in range(5):
            await app.workers.wait_for_complete()
            await pilot.pause()
        shown = screen_text(app)
        assert "Không tìm thấy lệnh nào" in shown and "No matches" not in shown


async def test_ctrl_p_is_named_in_help_and_the_key_line(sample: Path) -> None:
    app = RecordingApp(FileSource(sample))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "Ctrl+P" in dash(app).query_one(KeyBar).keys()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "Ctrl+P" in screen_text(app) and "bảng lệnh" in screen_text(app)


def rollup_app(tmp_path: Path) -> RecordingApp:
    root = tmp_path / "province"
    shutil.copytree(BUNDLED_COLLECTION, root)
    collection = open_folder(root)
    collection.load()
    return RecordingApp(None, None, collection=collection, preloaded=True)


async def test_esc_is_in_the_key_line_of_a_unit_opened_from_the_rollup(
    tmp_path: Path, sample: Path
) -> None:
    alone = RecordingApp(FileSource(sample))
    async with alone.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Esc" not in dash(alone).query_one(KeyBar).keys()  # only clears a filter
    app = rollup_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        keys = app.screen.query_one(KeyBar).keys()
        assert "Esc" in keys, keys
        assert "quay lại" in str(app.screen.query_one(KeyBar).render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RollupScreen)


async def test_home_and_end_move_the_rollup_cursor(tmp_path: Path) -> None:
    app = rollup_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one(Scorecard)
        await pilot.press("end")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("home")
        assert table.cursor_row == 1  # the first unit, below the totals row
        assert table.current_index() is not None


async def test_rollup_legend_left_out_units_and_whole_headings(tmp_path: Path) -> None:
    app = rollup_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        for mark in ("✓ Đạt/vượt", "▲ Đúng tiến độ", "▼ Chậm tiến độ", "· Chưa có số liệu"):
            assert mark in text, mark
        left_out = " ".join(str(app.screen.query_one("#rollup-left-out").render()).split())
        assert "Phường Châu Đốc (chưa có số liệu quý này)" in left_out, left_out
        assert "Xã Mỹ Hòa Hưng (Tổng thu ngân sách nhà nước: tính bằng triệu đồng" in left_out
        # at 120 columns the heading wraps onto two lines instead of "Tổng thu ngâ…"
        assert "Tổng thu ngâ…" not in text
        assert "Tổng thu ngân" in text and "sách nhà nước" in text
        assert app.screen.query_one(Scorecard).header_height == 2


async def test_the_close_form_warns_of_values_still_missing(sample: Path) -> None:
    from chitieu_tui.screens.close import CloseScreen

    app = RecordingApp(FileSource(sample))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        missing = [
            ev.indicator.name
            for ev in dash(app).view.board.evaluations  # type: ignore[union-attr]
            if ev.value is None
        ]
        assert len(missing) == 1
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CloseScreen)
        warning = " ".join(str(app.screen.query_one("#close-missing").render()).split())
        assert f"Còn 1 chỉ tiêu chưa có số liệu: {missing[0]}" in warning, warning
        assert "không nhập thêm được" in warning


def test_a_refused_value_is_placed_in_the_readers_words(
    sample: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from chitieu_tui.cli import main

    assert main(["set", "bhyt", "abc", "--config", str(sample), "--no-snapshot"]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "VALUE" not in err and "số nhập" in err, err


def test_a_broken_file_over_the_api_is_worded_not_coded(sample: Path, start: Any) -> None:
    import httpx

    (sample / "progress" / "2026-Q1.toml").write_text("schema = = 1\n", encoding="utf-8")
    server = start(sample)
    with httpx.Client() as http:
        for lang, words in (("vi", "cú pháp TOML"), ("en", "TOML syntax error")):
            resp = http.get(
                f"{server.url}/api/v1/units/my-thoi/progress/2026-Q1",
                headers={"Accept-Language": lang},
            )
            assert resp.status_code == 500
            detail = resp.json()["detail"]
            assert words in detail and "err.toml" not in detail, detail
            assert resp.json()["code"] == "err.server.broken_file"
