"""The scorecard as a Line API widget (issue 23): only the units in view are drawn, every unit
of a large collection is reachable (End, filter, sort) and opens with Enter; the column of
broken rules per unit (issue 25); names are data; pinned columns while scrolling sideways."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from collectionkit import write_unit
from tuikit import RecordingApp, dash, drawn_rows, settle

from chitieu_tui.cli import main
from chitieu_tui.core.collection import open_folder
from chitieu_tui.core.datadir import BUNDLED_COLLECTION
from chitieu_tui.i18n import order_key
from chitieu_tui.present.rollup import unit_rows
from chitieu_tui.screens import DashboardScreen
from chitieu_tui.screens.rollup import RollupScreen
from chitieu_tui.widgets.column_chart import ColumnChartView
from chitieu_tui.widgets.scorecard import Scorecard

pytestmark = pytest.mark.timeout(120)
SIZE = (120, 40)
UNITS = 300


def card(app: RecordingApp) -> Scorecard:
    return app.screen.query_one(Scorecard)


def folder_app(root: Path) -> RecordingApp:
    collection = open_folder(root)
    collection.load()
    return RecordingApp(None, None, collection=collection, preloaded=True)


def province_app(tmp_path: Path) -> RecordingApp:
    """The roll-up of a writable copy of the bundled collection."""
    root = tmp_path / "province"
    shutil.copytree(BUNDLED_COLLECTION, root)
    return folder_app(root)


RULES = """
[[rule]]
left = "a"
op = "<="
right = "b"
importance = "{importance}"
message = "a không lớn hơn b"
"""


def with_rules(unit: Path, *importances: str) -> None:
    """Append one rule `a <= b` per importance to the unit's definitions."""
    path = unit / "chitieu.toml"
    extra = "".join(RULES.format(importance=i) for i in importances)
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")


def many_units(root: Path, n: int = UNITS, columns: int = 3) -> Path:
    """`n` small units (`u000`…), `columns` level indicators each, values for 2026-Q1."""
    inds = [{"id": f"x{i}", "kind": "level", "unit": "%", "target": 100} for i in range(columns)]
    for u in range(n):
        values = {f"x{i}": (u * 7 + i * 13) % 120 for i in range(columns)}
        write_unit(root, f"u{u:03d}", inds, {"2026-Q1": values}, name=f"Đơn vị {u:03d}")
    return root


# -- the country's case, scaled down: every unit reachable, only the screen drawn ---------


async def test_a_large_collection_draws_only_the_units_in_view(tmp_path: Path) -> None:
    app = folder_app(many_units(tmp_path / "c"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = card(app)
        assert table.row_count == UNITS + 1  # and the totals row
        first, last, height = await drawn_rows(pilot, table)
        assert first and len(first) <= height and max(first) < height
        assert table.cursor_row == UNITS
        assert len(last) <= height
        assert min(last - {0}) >= UNITS + 1 - height  # and the pinned totals row
        assert table.scroll_offset.y == table.max_scroll_y
        chart = app.screen.query_one(ColumnChartView)  # bars past the screen are not made
        assert chart.display and len(chart.lines(100)) <= SIZE[1] + 2


async def test_end_filter_sort_and_enter_reach_every_unit(tmp_path: Path) -> None:
    app = folder_app(many_units(tmp_path / "c"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = card(app)
        await pilot.press("o")  # by name
        await pilot.pause()
        await pilot.press("end")
        last = table.shown_rows()[-1]
        assert last.name == f"Đơn vị {UNITS - 1:03d}"
        assert table.current_index() == last.index
        top = round(table.scroll_offset.y)
        page = table.scrollable_content_region.height - table.header_height - 1
        assert top <= table.cursor_row - 1 < top + page  # on screen, under the totals row
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        view = dash(app).view
        assert view is not None and view.board.definitions.unit.id == f"u{UNITS - 1:03d}"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, RollupScreen)
        assert table.current_index() == last.index  # the cursor stayed on it
        await pilot.press("home")
        assert table.cursor_row == 1 and table.scroll_offset.y == 0
        await pilot.click(Scorecard, offset=(12, 1))  # the name's heading again: reversed
        await pilot.pause()
        assert table.reverse and table.shown_names()[0] == f"Đơn vị {UNITS - 1:03d}"
        await pilot.press("slash", *"don vi 123", "enter")
        await pilot.pause()
        assert table.shown_names() == ["Đơn vị 123"]
        assert table.row_count == 2 and table.cursor_row == 1
        await pilot.press("enter")
        await settle(pilot)
        view = dash(app).view
        assert view is not None and view.board.definitions.unit.id == "u123"


async def test_the_pinned_columns_stay_while_scrolling_sideways(tmp_path: Path) -> None:
    app = folder_app(many_units(tmp_path / "c", 5, columns=30))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = card(app)
        assert table.max_scroll_x > 0  # 30 columns do not fit in 80
        await pilot.press("right")
        await pilot.pause()
        assert table.scroll_offset.x > 0
        table.scroll_to(x=table.max_scroll_x, animate=False, immediate=True)
        await pilot.pause()
        line = "".join(seg.text for seg in table.render_line(table.header_height + 1))
        name = table.get_row(table.row_keys()[1])[1].plain
        assert name in line  # the unit's name is pinned on the left
        last = table.get_row(table.row_keys()[1])[-1].plain  # and the last column is in view
        assert line.rstrip().endswith(last)
        head = "".join(seg.text for seg in table.render_line(0))
        assert "Hạng" in head and "Đơn vị" in head


async def test_names_are_data_never_markup_nor_terminal_controls(tmp_path: Path) -> None:
    root = tmp_path / "c"
    name = "[@click=app.quit]x[/] [bold]y\u0007z\u001b[31m"
    write_unit(root, "a", [{"id": "x", "kind": "level", "target": 10}], {}, name=name)
    app = folder_app(root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = card(app)
        line = "".join(seg.text for seg in table.render_line(table.header_height + 1))
        assert "[@click=app.quit]x[/] [bold]yz[" in line  # cut to its column
        assert "\x07" not in line and "\x1b" not in line
        await pilot.click(Scorecard, offset=(12, 1 + table.header_height + 1))
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, DashboardScreen)


# -- the column of broken rules (issue 25) ----------------------------------------------


def test_unit_rows_count_the_broken_rules(tmp_path: Path) -> None:
    root = tmp_path / "c"
    inds = [{"id": i, "kind": "level", "target": 10} for i in ("a", "b")]
    with_rules(write_unit(root, "high", inds, {"2026-Q1": {"a": 5, "b": 3}}), "high", "low")
    with_rules(write_unit(root, "medium", inds, {"2026-Q1": {"a": 5, "b": 3}}), "medium")
    with_rules(write_unit(root, "holds", inds, {"2026-Q1": {"a": 1, "b": 3}}), "high")
    write_unit(root, "none", inds, {"2026-Q1": {"a": 5, "b": 3}})
    broken = write_unit(root, "zz-broken", inds)
    (broken / "chitieu.toml").write_text("schema = 1\n[unit\n", encoding="utf-8")
    collection = open_folder(root)
    collection.load()
    rows = {r.member.key: r for r in unit_rows(collection, ["a"])}
    assert (rows["high"].rules, rows["high"].rules_worst) == (2, "high")
    assert (rows["medium"].rules, rows["medium"].rules_worst) == (1, "medium")
    assert (rows["holds"].rules, rows["holds"].rules_worst, rows["holds"].rules_text()) == (
        0,
        "",
        "0",
    )
    assert rows["none"].rules is None and rows["none"].rules_text() == "–"
    assert rows["zz-broken"].rules_text() == ""


async def test_units_numbered_in_their_names_sort_by_number(tmp_path: Path) -> None:
    root = tmp_path / "c"
    inds = [{"id": "x0", "kind": "level", "unit": "%", "target": 100}]
    for n in (10, 2, 1, 329, 3289, 21):
        write_unit(root, f"p{n}", inds, {"2026-Q1": {"x0": 50}}, name=f"Phường {n}")
    app = folder_app(root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = card(app)
        want = [f"Phường {n}" for n in (1, 2, 10, 21, 329, 3289)]
        assert table.shown_names() == want  # equal rank: by name, numbers as numbers
        await pilot.press("o")  # by name
        await pilot.pause()
        assert table.shown_names() == want


def test_order_key_puts_numbers_in_names_by_their_value() -> None:
    names = ["Xã số 3289", "Xã số 329", "xã số 33", "Xã Số 4", "Đông Hòa", "Dĩ An", "Xã số"]
    got = sorted(names, key=order_key)
    assert got == ["Dĩ An", "Đông Hòa", "Xã số", "Xã Số 4", "xã số 33", "Xã số 329", "Xã số 3289"]
    huge = ["Xã " + "9" * 5000, "Xã 007", "Xã 8", "Xã " + "1" + "0" * 4999]  # a hostile name
    assert sorted(huge, key=order_key) == [huge[1], huge[2], huge[3], huge[0]]


async def test_the_rollup_shows_broken_rules_coloured_and_sorts_by_them(tmp_path: Path) -> None:
    app = province_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = card(app)
        assert "rules" in table.columns
        keys = {m.key: str(i) for i, m in enumerate(app.screen.collection.members)}
        column = table.columns.index("rules")
        rules = {k: table.get_row(row)[column] for k, row in keys.items()}
        assert rules["binh-duc"].plain == "1"  # the collection sample's invented medium rule
        warning = table.get_component_rich_style("scorecard--warning").color
        assert rules["binh-duc"].spans[0].style.color == warning  # type: ignore[union-attr]
        assert rules["my-thoi"].plain == "0"  # the ward sample's three rules hold
        assert rules["long-xuyen"].plain == "–"  # no rules at all
        assert "Sai quy" in "".join(seg.text for seg in table.render_line(0))
        left = sum(table.widths[c] + 2 for c in table.columns[:column])
        await pilot.click(Scorecard, offset=(1 + left + 2, 1))  # its heading
        await pilot.pause()
        assert table.sort_by == "rules" and table.reverse  # the most broken first
        assert table.shown_names()[:2] == ["Phường Bình Đức", "Phường Mỹ Thới"]
        assert "Sai quy tắc" in str(table.border_title)


def test_check_on_the_collection_sample_warns_of_the_medium_rule(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A broken medium rule is said on stderr; `check` still passes (exit 0)."""
    code = main(["check", "--config", str(BUNDLED_COLLECTION), "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 0
    assert "binh-duc/progress/2026-Q1.toml: [medium]" in err
    assert "ho-ngheo = 58" in err


async def test_the_rollups_workers_never_repr_the_collection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual names a worker by repr() of its arguments unless it has a description; the
    repr of a collection walks every unit's board (seconds for the country)."""
    from chitieu_tui.core.collection import Collection

    calls: list[int] = []

    def counting(self: Collection) -> str:
        calls.append(1)
        return "Collection(…)"

    monkeypatch.setattr(Collection, "__repr__", counting)
    app = folder_app(many_units(tmp_path / "c", 3))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RollupScreen)
        screen._poll_tick()  # the poll's worker
        await pilot.press("r")  # the load's worker
        await settle(pilot)
    assert calls == []


async def test_colours_follow_the_theme_and_ascii_draws_the_mix_with_hashes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("chitieu_tui.widgets.scorecard.draws_unicode", lambda: False)
    app = province_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = card(app)
        mine = str(
            next(i for i, m in enumerate(app.screen.collection.members) if m.key == "my-thoi")
        )
        assert table.get_row(mine)[3].plain == "8/20 ######"
        for theme in ("textual-light", "ansi-dark", "textual-dark"):
            app.theme = theme
            await pilot.pause()
            await pilot.pause()
            line = table.render_line(table.header_height + table.get_row_index(mine))
            cell = next(seg for seg in line._segments if "13,75%" in seg.text)
            behind = table.get_component_rich_style("scorecard--behind").color
            assert cell.style is not None and cell.style.color == behind, theme


async def test_back_from_a_unit_redoes_nothing_when_nothing_changed(tmp_path: Path) -> None:
    """Esc from a unit only viewed: the roll-up's rows are not made again (a second saved at
    3,321 units); a reload (new views) makes them again."""
    app = folder_app(many_units(tmp_path / "c", 5))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows = card(app).rows_data
        await pilot.press("end", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, RollupScreen)
        assert card(app).rows_data is rows and card(app).cursor_row == 5
        await pilot.press("r")
        await settle(pilot)
        assert card(app).rows_data is not rows and card(app).cursor_row == 5
