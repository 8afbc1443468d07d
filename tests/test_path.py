"""The year's path (issue 24, item 1): the series built without Textual (present/path.py),
drawn in the detail view and on a headline card's key (1–6)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from datadirs import copy_sample, set_value
from textual.pilot import Pilot
from tuikit import dash, settle

from chitieu_tui.app import ChitieuApp
from chitieu_tui.cli import main
from chitieu_tui.core.datadir import BUNDLED
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.periods import Period
from chitieu_tui.core.source import View
from chitieu_tui.i18n import use
from chitieu_tui.present.path import (
    GLYPHS,
    YearPath,
    axis,
    legend,
    nice_step,
    raster,
    table_rows,
    year_path,
)
from chitieu_tui.screens import DashboardScreen, DetailScreen
from chitieu_tui.screens.path import PathScreen
from chitieu_tui.widgets.path_chart import PathChart

Q1 = Period(2026, 1)


@pytest.fixture(autouse=True)
def vietnamese() -> Any:
    use("vi")
    yield
    use("vi")


def sample_view(history: int = 8, period: Period = Q1, root: Path = BUNDLED) -> View:
    return FileSource(root).load(period, history=history)


def path_of(indicator_id: str, view: View | None = None) -> YearPath:
    view = view or sample_view()
    ev = view.board.get(indicator_id)
    assert ev is not None
    found = year_path(ev, view.history, view.board.judged)
    assert found is not None
    return found


# -- the series -----------------------------------------------------------------------------


def test_a_cumulative_against_the_straight_pace_and_last_year() -> None:
    p = path_of("ket-nap-dang-vien")  # 6 of 30 new members in Q1; 5, 14, 20, 28 last year
    assert p.actual == (6.0, None, None, None)
    assert p.planned == (8.0, 15.0, 23.0, 30.0)  # whole people: 7,5 → 8, 22,5 → 23
    assert not p.by_plan
    assert p.last_year == (5.0, 14.0, 20.0, 28.0)
    assert p.target == 30.0 and p.projection == 24.0 and p.start == 0.0


def test_a_level_starts_at_its_baseline_and_its_axis_not_at_zero() -> None:
    p = path_of("dang-vien")  # 1.430 members, baseline 1.420, target 1.450
    assert p.start == 1420.0 and p.actual[0] == 1430.0
    low, high, step = axis(p)
    assert low > 1000 and high >= 1460 and step in (10, 20, 50)


def test_a_milestone_has_no_path() -> None:
    view = sample_view()
    ev = view.board.get("so-tay-dien-tu")
    assert ev is not None and year_path(ev, view.history) is None


def test_the_quarters_so_far_come_from_the_boards(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    set_value(root, Period(2026, 2), "ket-nap-dang-vien", 15)
    view = FileSource(root).load(Period(2026, 2), history=8)
    p = path_of("ket-nap-dang-vien", view)
    assert p.actual == (6.0, 21.0, None, None) and p.quarter == 2  # reported by quarter: summed
    assert p.last_year == (5.0, 14.0, 20.0, 28.0)
    assert p.projection == 42.0  # 21 in half a year: 42 by its end


def test_nice_steps() -> None:
    assert [nice_step(s, 3) for s in (300, 30, 1, 0.3)] == [100, 10, 0.5, 0.1]


def test_the_raster_fills_the_size_and_marks_each_series() -> None:
    p = path_of("ket-nap-dang-vien")
    rows = raster(p, 60, 10)
    assert len(rows) == 10 and all(len(r) == 60 for r in rows)
    roles = {role for row in rows for _, role in row}
    assert {"actual", "plan", "last", "projection", "target", "axis"} <= roles
    marks = {char for row in rows for char, role in row if role == "actual"}
    assert GLYPHS[False]["actual"][0] in marks
    lines = {role for row in rows for char, role in row if 0x2800 < ord(char) <= 0x28FF}
    assert {"actual", "plan", "last", "projection"} <= lines  # drawn in braille dots
    top = "".join(c for c, _ in rows[0])
    assert top.startswith("30┤")  # the target on the top line, the axis labelled
    bottom = "".join(c for c, _ in rows[-1])
    assert bottom.split() == ["Quý", "I", "Quý", "II", "Quý", "III", "Quý", "IV"]


def test_ascii_raster_has_ascii_only() -> None:
    rows = raster(path_of("thu-ngan-sach"), 50, 8, ascii_only=True)
    text = "".join(c for row in rows[:-1] for c, _ in row)  # the quarters' names are words
    assert text.isascii() and "O" in text


def test_legend_and_table_in_the_apps_words_and_numbers() -> None:
    p = path_of("thu-ngan-sach")
    words = [text for _, text in legend(p)]
    assert words == [
        "● Thực hiện, Quý I: 32",
        "○ Tiến độ đều đến chỉ tiêu",
        "× Năm 2025",
        "◇ Dự kiến cuối năm: 128",
        "╌ Chỉ tiêu: 232,73 tỉ đồng",
    ]
    rows = table_rows(p)
    assert rows[0] == ["Quý", "Thực hiện", "Kế hoạch", "2025"]
    assert rows[1] == ["Quý I", "32", "58,18", "29,6"]
    use("en")
    assert [text for _, text in legend(p)][-1] == "╌ Target: 232.73 tỉ đồng"
    assert legend(p, ascii_only=True)[0][1] == "O Actual, Q1: 32"


# -- on screen ------------------------------------------------------------------------------


async def open_detail(pilot: Pilot[Any], indicator_id: str) -> None:
    table = dash(pilot.app).table
    table.move_cursor(row=table.get_row_index(indicator_id))
    await pilot.press("enter")
    await settle(pilot)


def chart_text(app: ChitieuApp) -> str:
    chart = app.screen.query_one(PathChart)
    return "\n".join(line.plain for line in chart.lines(chart.content_region.width))


async def test_the_detail_view_draws_the_path_first(tmp_path: Path) -> None:
    app = ChitieuApp(FileSource(copy_sample(tmp_path)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_detail(pilot, "ket-nap-dang-vien")
        assert isinstance(app.screen, DetailScreen)
        text = chart_text(app)
        assert "Diễn biến trong năm" in text and "Kết nạp đảng viên mới" not in text
        assert "● Thực hiện, Quý I: 6" in text and "Chỉ tiêu: 30 đảng viên" in text
        assert (
            app.screen.query_one(PathChart).region.y < app.screen.query_one("#detail-body").region.y
        )


async def test_the_detail_reads_last_years_every_quarter(tmp_path: Path) -> None:
    """At Q2 the view holds the last five quarters (from Q2 last year); the chart reads the
    year's eight so last year's Q1 is drawn too."""
    root = copy_sample(tmp_path)
    set_value(root, Period(2026, 2), "ket-nap-dang-vien", 15)
    app = ChitieuApp(FileSource(root), Period(2026, 2))
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        view = app.screen.view  # type: ignore[attr-defined]
        assert Period(2025, 1) not in {b.period for b in view.history}
        await open_detail(pilot, "ket-nap-dang-vien")
        chart = app.screen.query_one(PathChart)
        assert chart.path is not None and chart.path.last_year == (5.0, 14.0, 20.0, 28.0)


async def test_a_digit_opens_a_headline_cards_path_and_esc_closes_it(tmp_path: Path) -> None:
    app = ChitieuApp(FileSource(copy_sample(tmp_path)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("1")  # the first card: Tổng thu ngân sách
        await pilot.pause()
        assert isinstance(app.screen, PathScreen)
        assert app.screen.ev.indicator.id == "thu-ngan-sach"
        assert "Chỉ tiêu: 232,73 tỉ đồng" in chart_text(app)
        await pilot.press("escape")
        await pilot.press("4")  # Giao quân, a level in %
        await pilot.pause()
        assert isinstance(app.screen, PathScreen) and "100%" in chart_text(app)
        await pilot.press("escape", "9")  # no ninth card: nothing happens
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_an_ascii_terminal_gets_the_numbers_as_text(tmp_path: Path) -> None:
    view = sample_view()
    ev = view.board.get("thu-ngan-sach")
    assert ev is not None
    app = ChitieuApp(FileSource(copy_sample(tmp_path)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.push_screen(PathScreen(view, ev))
        chart = app.screen.query_one(PathChart)
        chart.ascii_only = True
        chart.refresh(layout=True)
        await pilot.pause()
        text = chart_text(app)
        lines = [line for line in text.split("\n") if line.startswith("Quý I ")]
        assert lines and lines[0].split() == ["Quý", "I", "32", "58,18", "29,6"]
        drawn = "\n".join(text.split("\n")[1:9])  # the plot (the quarters' names have accents)
        assert drawn.isascii(), drawn


def test_screenshot_presses_keys_first(tmp_path: Path) -> None:
    """`chitieu screenshot --press 1`: the picture of the first card's year's path."""
    out = tmp_path / "path.svg"
    args = ["screenshot", "--lang", "en", "--size", "80x24", "-o", str(out)]
    assert main([*args, "--press", "1"]) == 0
    svg = out.read_text(encoding="utf-8")
    assert "Projected" in svg and "Target:" in svg
    assert main(args) == 0
    assert "Projected" not in out.read_text(encoding="utf-8")
