"""The province at a glance (issue 24, item 2): the roll-up's chart of the sorted column and
each unit's status mix in the scorecard; built in present/rollup_chart.py, drawn by widgets."""

from __future__ import annotations

from typing import Any

import pytest
from tuikit import settle

from chitieu_tui.app import ChitieuApp
from chitieu_tui.core.arithmetic import Status
from chitieu_tui.core.collection import Collection, open_folder
from chitieu_tui.core.datadir import BUNDLED_COLLECTION
from chitieu_tui.i18n import use
from chitieu_tui.present.rollup_chart import (
    Bar,
    ColumnChart,
    chart_lines,
    column_chart,
    mix_cells,
    status_mix,
)
from chitieu_tui.screens.rollup import RollupScreen
from chitieu_tui.widgets.column_chart import ColumnChartView
from chitieu_tui.widgets.scorecard import Scorecard


@pytest.fixture(autouse=True)
def vietnamese() -> Any:
    use("vi")
    yield
    use("vi")


@pytest.fixture
def province() -> Collection:
    collection = open_folder(BUNDLED_COLLECTION)
    collection.load()
    return collection


def test_one_bar_a_unit_best_first_and_the_units_without_data_named(
    province: Collection,
) -> None:
    chart = column_chart(province, "thu-ngan-sach", "Tổng thu ngân sách nhà nước")
    assert [(b.name, round(b.percent, 2), b.status) for b in chart.bars] == [
        ("Phường Long Xuyên", 28.79, Status.ON_TRACK),
        ("Xã Mỹ Hòa Hưng", 23.64, Status.BEHIND),
        ("Phường Mỹ Thới", 13.75, Status.BEHIND),
        ("Phường Bình Đức", 13.02, Status.BEHIND),
    ]
    assert chart.missing == ["Phường Châu Đốc"]


def test_the_lines_bars_to_scale_the_target_marked(province: Collection) -> None:
    chart = column_chart(province, "thu-ngan-sach", "Tổng thu ngân sách nhà nước")
    lines = ["".join(text for text, _ in line) for line in chart_lines(chart, 72)]
    assert lines[0] == "Tổng thu ngân sách nhà nước · % kế hoạch năm theo đơn vị"
    assert lines[-1] == "Chưa có số liệu: Phường Châu Đốc"
    bars = lines[1:-1]
    assert all(len(line) == 72 for line in bars), bars
    assert bars[0].startswith("Phường Long Xuyên ") and bars[0].endswith(" 28,79%")
    targets = {line.index("│") for line in bars}
    assert len(targets) == 1  # the 100% mark in one place on every line
    assert bars[0].count("█") > bars[3].count("█") > 0
    ascii_lines = chart_lines(chart, 60, ascii_only=True)[1:-1]
    assert all("#" in "".join(text for text, _ in line) for line in ascii_lines)
    assert all("|" in "".join(text for text, _ in line) for line in ascii_lines)
    assert all("█" not in "".join(text for text, _ in line) for line in ascii_lines)


def test_a_bar_past_the_target_keeps_the_mark_on_it() -> None:
    chart = ColumnChart("x", [Bar("A", 150.0, Status.MET), Bar("B", 50.0, Status.BEHIND)], [])
    a, b = ("".join(text for text, _ in line) for line in chart_lines(chart, 40)[1:])
    assert "┃" in a and "│" in b and a.index("┃") == b.index("│")


def test_the_status_mix_fills_its_width_and_keeps_every_status_seen() -> None:
    counts = {Status.MET: 8, Status.ON_TRACK: 5, Status.BEHIND: 6, Status.NO_DATA: 1}
    cells = mix_cells(counts, 6)
    assert sum(n for _, n in cells) == 6
    assert [s for s, _ in cells] == [Status.MET, Status.ON_TRACK, Status.BEHIND, Status.NO_DATA]
    assert mix_cells({s: 0 for s in counts}, 6) == []
    assert mix_cells({Status.MET: 1, Status.BEHIND: 99}, 6) == [
        (Status.MET, 1),
        (Status.BEHIND, 5),
    ]


def test_status_mix_of_a_board(province: Collection) -> None:
    member = next(m for m in province.members if m.name == "Phường Mỹ Thới")
    mix = status_mix(member.board)
    assert mix == {Status.MET: 8, Status.ON_TRACK: 5, Status.BEHIND: 6, Status.NO_DATA: 1}


def chart_text(app: ChitieuApp) -> str:
    view = app.screen.query_one(ColumnChartView)
    return "\n".join(line.plain for line in view.lines(view.content_region.width))


async def test_the_chart_follows_the_sorted_column(province: Collection) -> None:
    app = ChitieuApp(None, None, collection=province, preloaded=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, RollupScreen)
        view = app.screen.query_one(ColumnChartView)
        assert view.display
        assert chart_text(app).startswith("Tổng thu ngân sách nhà nước · ")  # the first column
        await pilot.press("o", "o", "o", "o", "o", "o")  # name, state, met, rules, c0, then c1
        await pilot.pause()
        assert app.screen.query_one(Scorecard).sort_by == "c1"
        assert chart_text(app).startswith("Kết nạp đảng viên mới · ")
        await pilot.press("g")  # hidden, shown again
        await pilot.pause()
        assert not view.display
        await pilot.press("g")
        await pilot.pause()
        assert view.display


async def test_a_clicked_heading_moves_the_chart(province: Collection) -> None:
    app = ChitieuApp(None, None, collection=province, preloaded=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(Scorecard)
        left = sum(table.widths[c] + 2 for c in table.columns[: table.columns.index("c2")])
        await pilot.click(Scorecard, offset=(1 + left + 2, 1))  # the border, then c2's heading
        await pilot.pause()
        assert table.sort_by == "c2"
        assert chart_text(app).startswith("Tỷ lệ người dân tham gia BHYT · ")


async def test_a_short_screen_shows_the_chart_on_g(province: Collection) -> None:
    app = ChitieuApp(None, None, collection=province, preloaded=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = app.screen.query_one(ColumnChartView)
        assert not view.display  # the scorecard keeps the room
        await pilot.press("g")
        await pilot.pause()
        assert view.display and "Chưa có số liệu: Phường Châu Đốc" in chart_text(app)


async def test_the_scorecard_shows_each_units_status_mix(province: Collection) -> None:
    app = ChitieuApp(None, None, collection=province, preloaded=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(Scorecard)
        index = next(i for i, m in enumerate(province.members) if m.name == "Phường Mỹ Thới")
        met = table.get_row(str(index))[3]
        assert met.plain == "8/20 ▆▆▆▆▆▆"
        colours = [span.style.color for span in met.spans]  # type: ignore[union-attr]
        assert len(colours) == 4 and len(set(colours)) == 4  # met, on track, behind, no data
