"""The roll-up of many units, driven with Pilot (files and a real server)."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from collectionkit import write_unit
from hostile_server import touch_write
from textual.pilot import Pilot
from textual.widgets import Input, Static
from tuikit import RecordingApp, dash, rollup_of, settle

from chitieu_tui import rollup_report
from chitieu_tui.core.collection import Collection, open_folder
from chitieu_tui.core.datadir import BUNDLED_COLLECTION
from chitieu_tui.core.errors import Place, SourceError
from chitieu_tui.core.periods import Period
from chitieu_tui.i18n import t
from chitieu_tui.present.rollup import unit_rows
from chitieu_tui.screens import DashboardScreen, DetailScreen, EntryScreen, HelpScreen
from chitieu_tui.screens.rollup import RollupScreen
from chitieu_tui.widgets import IndicatorTable, SummaryBar
from chitieu_tui.widgets.scorecard import Scorecard

pytestmark = pytest.mark.timeout(90)
SIZE = (120, 40)
FAST = {
    "connect_timeout": 0.5,
    "read_timeout": 0.5,
    "deadline": 2.0,
    "retries": 1,
    "backoff": 0.01,
    "backoff_max": 0.05,
}


@pytest.fixture
def province(tmp_path: Path) -> Path:
    """A writable copy of the bundled many-units sample."""
    root = tmp_path / "province"
    shutil.copytree(BUNDLED_COLLECTION, root)
    return root


def rollup_app(root: Path, preload: bool = True) -> RecordingApp:
    collection = open_folder(root)
    if preload:
        collection.load()
    return RecordingApp(None, None, collection=collection, preloaded=preload)


def card(app: RecordingApp) -> Scorecard:
    return app.screen.query_one(Scorecard)


def text_of(app: RecordingApp, widget_id: str) -> str:
    return str(app.screen.query_one(widget_id, Static).render())


async def wait_for(pilot: Pilot[Any], cond: Callable[[], bool], seconds: float = 8.0) -> None:
    """Let the app run until `cond` holds (the poll runs on its own timer)."""
    for _ in range(int(seconds / 0.05)):
        if cond():
            return
        await pilot.pause(0.05)
    raise AssertionError("never happened")


async def test_header_summary_rows_and_totals(province: Path) -> None:
    app = rollup_app(province)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, RollupScreen)
        assert text_of(app, "#rollup-header") == (
            "Tỉnh An Giang (minh họa) · Quý I/2026 · 4/5 đơn vị báo cáo"
        )
        assert text_of(app, "#rollup-summary").startswith("0/5 đơn vị đạt mọi chỉ tiêu · 3 ")
        table = card(app)
        assert table.shown_names()[:2] == ["Phường Long Xuyên", "Phường Mỹ Thới"]
        total = [c.plain for c in table.get_row("total")]
        assert total[5] == "▼ 15,5%* (3)"  # thu-ngan-sach: Xã Mỹ Hòa Hưng counts in triệu đồng;
        # of the province's own target (targets/2026.toml, issue 21): 162,7 of 1.050
        mine = [c.plain for c in table.get_row("4")]  # my-thoi is the fifth folder
        mine[3] = mine[3].split()[0]  # the met count; then the status mix (issue 24)
        assert mine[1:6] == ["Phường Mỹ Thới", "đang nhập", "8/20", "0", "▼ 13,75%"]


async def test_sort_with_o_and_by_clicking_a_header(province: Path) -> None:
    app = rollup_app(province)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = card(app)
        await pilot.press("o")
        await pilot.pause()
        assert table.sort_by == "name"
        assert table.shown_names()[0] == "Phường Bình Đức"
        await pilot.press("o")  # the state column
        await pilot.pause()
        assert table.sort_by == "state"
        await pilot.press("o", "o", "o")  # met, broken rules, then the first indicator column
        await pilot.pause()
        assert table.sort_by == "c0"
        assert table.shown_names()[:2] == ["Phường Bình Đức", "Phường Mỹ Thới"]
        assert table.shown_names()[-1] == "Phường Châu Đốc"  # no data: last
        met_x = 1 + sum(
            table.widths[c] + 2 for c in table.columns[:3]
        )  # the "Đạt" heading, after rank, unit and state
        await pilot.click(Scorecard, offset=(met_x + 1, 1))
        await pilot.pause()
        assert table.sort_by == "met" and table.reverse
        assert table.shown_names()[0] == "Phường Long Xuyên"
        await pilot.click(Scorecard, offset=(met_x + 1, 1))
        await pilot.pause()
        assert not table.reverse


async def test_filter_all_words_accents_optional(province: Path) -> None:
    app = rollup_app(province)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"my thoi")
        await pilot.pause()
        assert card(app).shown_names() == ["Phường Mỹ Thới"]
        box = app.screen.query_one("#rollup-filter", Input)
        box.value = "PHUONG doc"
        await pilot.pause()
        assert card(app).shown_names() == ["Phường Châu Đốc"]
        await pilot.press("enter")
        await pilot.pause()
        assert "lọc" in str(card(app).border_title)
        await pilot.press("escape")
        await pilot.pause()
        assert len(card(app).shown_names()) == 5


async def test_behind_only(province: Path) -> None:
    app = rollup_app(province)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        names = card(app).shown_names()
        assert "Phường Châu Đốc" not in names and "Phường Long Xuyên" not in names
        assert set(names) == {"Phường Mỹ Thới", "Phường Bình Đức", "Xã Mỹ Hòa Hưng"}
        await pilot.press("b")
        await pilot.pause()
        assert len(card(app).shown_names()) == 5


async def test_enter_a_unit_every_key_and_back(province: Path) -> None:
    app = rollup_app(province)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("o")  # sorted by name: Bình Đức, Châu Đốc, Long Xuyên, Mỹ Thới, …
        await pilot.pause()
        table = card(app)
        table.move_cursor(row=table.get_row_index("4"))  # Mỹ Thới
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert dash(app).view is not None and dash(app).view.board.definitions.unit.id == "my-thoi"
        assert dash(app).view.history  # read again with its history
        assert "8/20" in str(app.screen.query_one(SummaryBar).render())
        unit_table = app.screen.query_one(IndicatorTable)
        # every key of the ward dashboard works here
        await pilot.press("b")
        await pilot.pause()
        assert unit_table.behind_only
        await pilot.press("b", "o")
        await pilot.pause()
        assert unit_table.sort_by == "name"
        await pilot.press("slash", *"bhyt", "enter")
        await pilot.pause()
        assert unit_table.indicator_ids() == ["bhyt"]
        await pilot.press("escape")  # clears the filter, stays in the unit
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert len(unit_table.indicator_ids()) == 20
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert dash(app).view.period == Period(2025, 4)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert dash(app).view.period == Period(2026, 1)
        await pilot.press("r")
        await settle(pilot)
        unit_table.move_cursor(row=unit_table.get_row_index("khu-dan-cu-an-toan"))
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EntryScreen)
        await pilot.press(*"97", "enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert "9/20" in str(app.screen.query_one(SummaryBar).render())
        await pilot.press("s")
        await settle(pilot)
        assert any("snapshot" in text for _, text in app.notes)
        # Esc: back to the roll-up, cursor and sort as they were; the new value shows
        unit_table.sort_by = "order"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, RollupScreen)
        assert table.sort_by == "name"
        assert table.current_index() == 4
        await wait_for(pilot, lambda: table.get_row("4")[3].plain.split()[0] == "9/20")
    saved = tomllib.loads((province / "my-thoi/progress/2026-Q1.toml").read_text())
    assert saved["values"]["khu-dan-cu-an-toan"]["value"] == 97


async def test_quarters_for_every_unit(province: Path) -> None:
    app = rollup_app(province)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("left_square_bracket")
        await settle(pilot)
        collection = rollup_of(app).collection
        assert collection is not None and collection.period == Period(2025, 4)
        assert "Quý IV/2025 · 1/5" in text_of(app, "#rollup-header")
        assert all(
            m.view is not None and m.view.period == Period(2025, 4) for m in collection.members
        )
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert collection.period == Period(2026, 1)
        assert "4/5 đơn vị báo cáo" in text_of(app, "#rollup-header")


async def test_a_file_changed_under_it_shows(province: Path) -> None:
    app = rollup_app(province)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = card(app)
        assert table.get_row("1")[3].plain.split()[0] == "0/7"  # chau-doc: no data yet
        progress = province / "chau-doc" / "progress"
        progress.mkdir()
        touch_write(
            progress / "2026-Q1.toml",
            'schema = 1\nunit = "chau-doc"\nperiod = "2026-Q1"\n[values]\n'
            "giao-quan = 100\nbhyt = 96\n",
        )
        await wait_for(pilot, lambda: table.get_row("1")[3].plain.split()[0] == "2/7")
        assert "5/5 đơn vị báo cáo" in text_of(app, "#rollup-header")
        # a unit breaks: it is shown as broken, the others stay
        path = province / "binh-duc" / "chitieu.toml"
        touch_write(path, path.read_text().replace('name = "Phường Bình Đức"', "name = 5"))
        await wait_for(pilot, lambda: card(app).get_row("0")[3].plain == "!")
        assert "binh-duc/chitieu.toml" in card(app).get_row("0")[5].plain
        assert "1 đơn vị lỗi số liệu" in text_of(app, "#rollup-note")
        assert card(app).get_row("2")[3].plain.split()[0] == "4/7"
        table.move_cursor(row=table.get_row_index("0"))
        await pilot.press("enter")
        await settle(pilot)
        # its dashboard says what is wrong, as the ward dashboard does; Esc goes back
        assert isinstance(app.screen, DashboardScreen)
        assert any("binh-duc/chitieu.toml:" in text for _, text in app.notes)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, RollupScreen)


async def test_a_collection_loaded_after_start(tmp_path: Path) -> None:
    root = tmp_path / "c"
    write_unit(
        root,
        "a",
        [{"id": "x", "kind": "cumulative", "unit": "", "target": 10}],
        {"2026-Q1": {"x": 5}},
    )
    app = rollup_app(root, preload=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert card(app).shown_names() == ["Phường a"]
        assert "1/1" in text_of(app, "#rollup-header")


UNITS_GONE = SourceError("err.collection.units_shape", Place("api:http://example.invalid/units"))


def test_a_unit_without_progress_is_not_read_again_at_every_poll(province: Path) -> None:
    """The sample's Châu Đốc has no progress yet: its stamp for the quarter shown is the
    stamp its load took, so a poll finds nothing to read (it was read again twice a
    second, and a failing reload was told at every poll)."""
    assert not (province / "chau-doc" / "progress").exists()
    collection = open_folder(province)
    collection.load()
    assert collection.due() == []
    (province / "chau-doc" / "progress").mkdir()  # a change is still seen
    assert [m.key for m in collection.due()] == ["chau-doc"]


def errors_told(app: RecordingApp) -> list[str]:
    return [text for severity, text in app.notes if severity == "error"]


async def test_a_failed_reload_is_told_once_and_the_units_shown_stay(
    province: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker's failure (the screens' shared handler): notified once in the reader's words,
    never fatal; the units shown before stay on screen."""
    app = rollup_app(province)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = card(app).shown_names()

        async def broken(*args: Any, **kwargs: Any) -> None:
            raise UNITS_GONE

        monkeypatch.setattr(rollup_of(app).collection, "aload", broken)
        await pilot.press("r")
        await settle(pilot)
        assert app.is_running
        assert errors_told(app) == [UNITS_GONE.render()]
        assert card(app).shown_names() == shown
        assert not app.screen.query_one("#rollup-note").has_class("-error")
        assert rollup_of(app).last_error is UNITS_GONE


async def test_a_failed_first_load_fills_the_screen() -> None:
    """No unit could be had: the failure is told and fills the screen."""

    async def discover() -> list[Any]:
        raise UNITS_GONE

    collection = Collection("Tỉnh", [], label="api:http://example.invalid", discover=discover)
    app = RecordingApp(None, None, collection=collection, preloaded=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.is_running
        assert errors_told(app) == [UNITS_GONE.render()]
        note = text_of(app, "#rollup-note")
        assert t("load_failed") in note and UNITS_GONE.render() in note


async def test_over_the_api_with_progress_and_offline_units(
    province: Path, start: Callable[..., Any], tmp_path: Path
) -> None:
    from chitieu_tui.remote.collection import api_collection

    server = start(province)
    collection: Collection = api_collection(server.url, snapshots=tmp_path / "snaps", **FAST)
    app = RecordingApp(None, None, collection=collection)
    seen: list[tuple[int, int]] = []
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, RollupScreen)
        original = screen.show_progress

        def spy(done: int, total: int) -> None:
            seen.append((done, total))
            original(done, total)

        screen.show_progress = spy  # type: ignore[method-assign]
        await settle(pilot)
        assert seen and seen[-1] == (5, 5)
        assert sorted(card(app).shown_names()) == sorted(
            [
                "Phường Long Xuyên",
                "Phường Mỹ Thới",
                "Phường Bình Đức",
                "Xã Mỹ Hòa Hưng",
                "Phường Châu Đốc",
            ]
        )
        assert "4/5 đơn vị báo cáo" in text_of(app, "#rollup-header")
        server.stop()
        await pilot.press("r")
        await settle(pilot)
        note = text_of(app, "#rollup-note")
        assert "5 đơn vị mất kết nối" in note
        assert "mất kết nối" in card(app).get_row(card(app).row_keys()[1])[1].plain
        # a unit's dashboard opens from its offline copy
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, RollupScreen)
    await asyncio.sleep(0)


async def test_a_rank_past_999_has_the_separator_as_every_count(
    province: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = rollup_app(province)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = card(app)
        row = unit_rows(app.screen.collection, table.columns_ids)[0]
        cells = table._unit_cells(dataclasses.replace(row, rank=1329))
        assert cells[0] == "1.329"  # as the header's `(3.321)`; not 1329

    def rows_ranked_far(collection: Collection, columns: list[str]) -> list[Any]:
        return [dataclasses.replace(r, rank=r.rank + 3316) for r in unit_rows(collection, columns)]

    collection = open_folder(province)
    collection.load()
    monkeypatch.setattr(rollup_report, "unit_rows", rows_ranked_far)
    _, rows = rollup_report._grid(collection)
    assert [r[0] for r in rows[:-1]] == ["3.317", "3.318", "3.319", "3.320", "3.321"]
