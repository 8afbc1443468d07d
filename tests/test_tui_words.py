"""Words an official would correct (issue 18): whole numbers, decreases, points, units."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from datadirs import copy_sample
from rich.console import Console
from tuikit import settle

from chitieu_tui.app import ChitieuApp
from chitieu_tui.core.source import FileSource
from chitieu_tui.screens import DetailScreen
from chitieu_tui.widgets import HeadlineCard, IndicatorTable

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
    for c in app.dashboard.query(HeadlineCard):
        if c.evaluation is not None and c.evaluation.indicator.id == indicator_id:
            return c.render().plain
    raise AssertionError(indicator_id)


async def open_detail(app: ChitieuApp, pilot: object, indicator_id: str) -> str:
    table = app.dashboard.query_one(IndicatorTable)
    table.move_cursor(row=table.get_row_index(indicator_id))
    await pilot.press("enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    assert isinstance(app.screen, DetailScreen)
    return screen_text(app)


async def test_integer_indicators_expect_and_need_whole_numbers(sample: Path) -> None:
    app = ChitieuApp(FileSource(sample))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.dashboard.query_one(IndicatorTable)
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
    app = ChitieuApp(FileSource(sample), lang="en")
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
