"""The indicator table as a Line API widget: only the rows in view are drawn; keys, sort,
filter, Enter, the mouse and text as data work as they did on DataTable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datadirs import make_datadir
from textual import events
from tuikit import RecordingApp, dash, drawn_rows, settle

from chitieu_tui.core.filesource import FileSource
from chitieu_tui.i18n import fold
from chitieu_tui.screens import DashboardScreen, DetailScreen
from chitieu_tui.widgets import IndicatorTable
from chitieu_tui.widgets.line_table import fit, width_of

SIZE = (100, 30)
N = 300


def many(tmp_path: Path, n: int = N, first_name: str = "Chỉ tiêu 0") -> Path:
    """`n` level indicators in two fields (Nhóm, then Khác), with values for 2026-Q1."""
    parts = ['[[group]]\nid = "h"\nname = "Khác"\n']
    for i in range(n):
        name = first_name if i == 0 else f"Chỉ tiêu {(i * 7919) % n:04d}"
        parts.append(
            f'[[indicator]]\nid = "ct-{i}"\ngroup = "{"g" if i < n - 5 else "h"}"\n'
            f'name = "{name}"\nunit = "%"\nkind = "level"\ntarget = 100\n'
        )
    values = "".join(f"ct-{i} = {i % 100}\n" for i in range(n))
    return make_datadir(tmp_path, "\n".join(parts), {"2026-Q1": values})


def table(app: Any) -> IndicatorTable:
    return dash(app).query_one(IndicatorTable)


def in_view(t: IndicatorTable) -> bool:
    """The cursor's row is on screen, under the heading line."""
    top = round(t.scroll_offset.y)
    return top <= t.cursor_row < top + t.scrollable_content_region.height - 1


def test_cells_are_fitted_by_their_plain_width() -> None:
    assert fit("Tổng thu ngân sách", 10) == "Tổng thu …"
    assert fit("98,62%", 8, right=True) == "  98,62%"
    assert fit("Đạt", 5) == "Đạt  "
    assert width_of("Tổng thu ngân sách") == 18
    assert width_of("人口") == 4  # wide characters are measured by Rich


async def test_only_the_rows_in_view_are_drawn(tmp_path: Path) -> None:
    app = RecordingApp(FileSource(many(tmp_path)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        t = table(app)
        assert t.row_count == N + 2  # two field headings
        first, last, height = await drawn_rows(pilot, t)
        assert first and len(first) <= height and max(first) < height
        assert len(last) <= height and min(last) >= N + 2 - height


async def test_keys_move_the_cursor_and_keep_it_in_view(tmp_path: Path) -> None:
    app = RecordingApp(FileSource(many(tmp_path)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        t = table(app)
        assert t.cursor_row == 1 and t.current_id() == "ct-0"  # under the first heading
        await pilot.press("down", "down", "up")
        assert t.current_id() == "ct-1"
        page = t.scrollable_content_region.height - 1
        await pilot.press("pagedown")
        assert t.cursor_row == 2 + page and in_view(t)
        await pilot.press("pagedown", "pagedown")
        assert t.cursor_row == 2 + 3 * page and in_view(t) and t.scroll_offset.y > 0
        await pilot.press("pageup")
        assert t.cursor_row == 2 + 2 * page and in_view(t)
        await pilot.press("end")
        assert t.cursor_row == t.row_count - 1 and t.current_id() == f"ct-{N - 1}"
        assert in_view(t) and t.scroll_offset.y == t.max_scroll_y
        await pilot.press("home")
        assert t.cursor_row == 0 and t.current_id() is None and t.scroll_offset.y == 0
        await pilot.press("enter")  # a field heading opens nothing
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_sort_filter_and_enter(tmp_path: Path) -> None:
    app = RecordingApp(FileSource(many(tmp_path)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        t = table(app)
        await pilot.press("down", "down")
        assert t.current_id() == "ct-2"
        await pilot.press("o")  # by name, the cursor stays on its indicator
        assert t.sort_by == "name" and t.current_id() == "ct-2" and in_view(t)
        names = [t.get_row(i)[0].strip() for i in t.indicator_ids()[: N - 5]]
        assert names == sorted(names, key=fold)
        assert "▲" in "".join(t.labels)
        await pilot.press("slash", *"0042")
        await pilot.pause(0.3)
        assert [t.get_row(i)[0].strip() for i in t.indicator_ids()] == ["Chỉ tiêu 0042"]
        await pilot.press("enter", "enter")  # keep the filter, then open the row
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.indicator_id == t.indicator_ids()[0]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_the_mouse_sorts_opens_and_scrolls(tmp_path: Path) -> None:
    app = RecordingApp(FileSource(many(tmp_path)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        t = table(app)
        left = sum(t.widths[c] + 2 for c in t.columns[: t.columns.index("percent")])
        await pilot.click(IndicatorTable, offset=(1 + left + 2, 1))  # border, heading line
        assert t.sort_by == "percent"
        await pilot.click(IndicatorTable, offset=(1 + left + 2, 1))
        assert t.sort_by == "percent" and t.reverse is False
        t.post_message(events.MouseScrollDown(t, 5, 5, 0, 1, 0, False, False, False))
        await pilot.pause()
        assert t.scroll_offset.y > 0
        top = round(t.scroll_offset.y)
        await pilot.click(IndicatorTable, offset=(5, 2 + 3))  # the fourth row on screen
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.indicator_id == t.row_keys()[top + 3]


async def test_names_are_data_never_markup_nor_terminal_controls(tmp_path: Path) -> None:
    name = "[@click=app.quit]x[/] [bold]y\\u0007z\\u001b[31m"
    app = RecordingApp(FileSource(many(tmp_path, 20, first_name=name)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        t = table(app)
        line = "".join(seg.text for seg in t.render_line(2))  # the first indicator
        assert "[@click=app.quit]x[/] [bold]yz[31m" in line
        assert "\x07" not in line and "\x1b" not in line
        await pilot.click(IndicatorTable, offset=(8, 3))  # border, heading line, field, it
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, DetailScreen)


async def test_the_same_board_again_redoes_nothing_and_a_change_shows(tmp_path: Path) -> None:
    app = RecordingApp(FileSource(many(tmp_path, 20)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        t = table(app)
        view = dash(app).view
        assert view is not None
        rows = t.rows
        rebuilt: list[bool] = []
        rebuild = t.rebuild

        def counting(full: bool = False) -> None:
            rebuilt.append(full)
            rebuild(full)

        t.rebuild = counting  # type: ignore[method-assign]
        await pilot.press("down")
        t.show(view.board)  # the same board again (a reload of unchanged files)
        assert rebuilt == [] and t.rows is rows and t.current_id() == "ct-1"
        path = tmp_path / "data" / "progress" / "2026-Q1.toml"
        path.write_text(path.read_text(encoding="utf-8").replace("ct-1 = 1\n", "ct-1 = 77\n"))
        await pilot.press("r")
        await settle(pilot)
        assert rebuilt and t.rows is not rows and t.get_row("ct-1")[1].strip() == "77%"
        assert t.current_id() == "ct-1"
