"""The dashboard driven with Pilot: what an official sees and what the keys do."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path

import pytest
from datadirs import copy_sample, make_datadir
from rich.console import Console
from tuikit import FixedSource, RecordingApp, dash, settle

from chitieu_tui.app import ChitieuApp
from chitieu_tui.core.arithmetic import Status
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.periods import Period
from chitieu_tui.i18n import fold, use
from chitieu_tui.screens import DashboardScreen, DetailScreen, HelpScreen
from chitieu_tui.widgets import HeaderBar, HeadlineCard, IndicatorTable, SummaryBar
from chitieu_tui.widgets.headline_card import bar, short_title, sparkline

SIZE = (120, 40)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A writable copy of the bundled sample."""
    return copy_sample(tmp_path)


def table(app: ChitieuApp) -> IndicatorTable:
    return dash(app).query_one(IndicatorTable)


def card(app: ChitieuApp, indicator_id: str) -> HeadlineCard:
    for c in dash(app).query(HeadlineCard):
        if c.evaluation is not None and c.evaluation.indicator.id == indicator_id:
            return c
    raise AssertionError(f"no card for {indicator_id}")


def card_text(c: HeadlineCard) -> str:
    return c.render().plain


def screen_text(app: ChitieuApp) -> str:
    """Every character on screen, as plain text."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True)
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text()


async def test_dashboard_shows_the_sample_quarter(sample: Path) -> None:
    app = RecordingApp(FileSource(sample))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        summary = dash(app).query_one(SummaryBar).render().plain
        assert "8/20 chỉ tiêu đạt và vượt kế hoạch" in summary
        assert "Xây dựng Đảng 3/6" in summary
        header = dash(app).query_one(HeaderBar).render().plain
        assert "Phường Mỹ Thới · Quý I/2026" in header
        assert "31/03/2026" in header and "✓" in header  # the date before the source
        budget = card_text(card(app, "thu-ngan-sach"))
        assert "13,75%" in budget
        assert "32 / 232,73 tỉ đồng" in budget
        assert "Chậm tiến độ" in budget
        assert "so cùng kỳ +8%" in budget
        assert "6 / 30" in card_text(card(app, "ket-nap-dang-vien"))
        assert "90% / 95%" in card_text(card(app, "bhyt"))
        assert "Đạt/vượt" in card_text(card(app, "giao-quan"))
        assert card(app, "giao-quan").has_class("-met")
        ids = table(app).indicator_ids()
        assert len(ids) == 20 and ids[0] == "ket-nap-dang-vien"
        assert "group:kinh-te" in table(app).row_keys()
        status = table(app).get_cell("thu-ngan-sach", "status")
        assert status.plain == "Chậm tiến độ"
        assert app.notes == []


async def test_filter_ignores_case_and_accents(sample: Path) -> None:
    app = ChitieuApp(FileSource(sample))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert app.focused is dash(app).query_one("#filter")
        await pilot.press(*"NGAN", "space", *"sach")
        assert table(app).indicator_ids() == ["thu-ngan-sach"]
        await pilot.press("enter")
        assert app.focused is table(app)
        assert table(app).indicator_ids() == ["thu-ngan-sach"]
        await pilot.press("escape")
        assert len(table(app).indicator_ids()) == 20
        # by id, and by field name
        await pilot.press("slash", *"giao-quan")
        assert table(app).indicator_ids() == ["giao-quan"]
        await pilot.press("escape", "slash", *"xay", "space", *"dung", "space", *"dang")
        assert len(table(app).indicator_ids()) == 6


async def test_behind_only_toggle(sample: Path) -> None:
    app = ChitieuApp(FileSource(sample))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("b")
        ids = table(app).indicator_ids()
        assert len(ids) == 6
        board = dash(app).view.board  # type: ignore[union-attr]
        assert all(board.get(i).status is Status.BEHIND for i in ids)  # type: ignore[union-attr]
        await pilot.press("b")
        assert len(table(app).indicator_ids()) == 20


async def test_sort_and_cursor_kept_across_sort_filter_and_reload(sample: Path) -> None:
    app = ChitieuApp(FileSource(sample))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        t = table(app)
        t.move_cursor(row=t.get_row_index("bhyt"))
        await pilot.press("o")  # by name
        assert t.sort_by == "name"
        assert t.current_id() == "bhyt"
        kinh_te = [
            i for i in t.indicator_ids() if dash(app).view.board.get(i).indicator.group == "kinh-te"
        ]  # type: ignore[union-attr]
        names = [fold(dash(app).view.board.get(i).indicator.name) for i in kinh_te]  # type: ignore[union-attr]
        assert names == sorted(names)
        for _ in range(3):  # value, target, percent (highest first)
            await pilot.press("o")
        assert t.sort_by == "percent"
        assert t.current_id() == "bhyt"
        await pilot.press("r")
        await settle(pilot)
        assert t.current_id() == "bhyt"
        await pilot.press("b")  # bhyt is on track: cursor goes to the first behind row
        assert t.current_id() in t.indicator_ids()
        await pilot.press("b")


async def test_click_on_header_sorts(sample: Path) -> None:
    app = ChitieuApp(FileSource(sample))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        t = table(app)
        left = sum(t.widths[c] + 2 for c in t.columns[: t.columns.index("status")])
        await pilot.click(IndicatorTable, offset=(1 + left + 2, 1))  # border, then the heading
        await pilot.pause()
        assert t.sort_by == "status"
        first_group = [
            i
            for i in t.indicator_ids()
            if dash(app).view.board.get(i).indicator.group == "xay-dung-dang"
        ]  # type: ignore[union-attr]
        assert dash(app).view.board.get(first_group[0]).status is Status.MET  # type: ignore[union-attr]


async def test_enter_opens_detail_and_escape_returns(sample: Path) -> None:
    app = ChitieuApp(FileSource(sample))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        t = table(app)
        t.move_cursor(row=t.get_row_index("thu-ngan-sach"))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        text = screen_text(app)
        assert "Diễn biến trong năm" in text  # the year's path comes first (issue 24)
        app.screen.query_one("#detail").scroll_end(animate=False)  # then the facts below it
        await pilot.pause()
        text += screen_text(app)
        for expected in (
            "Tổng thu ngân sách nhà nước",
            "Phụ trách",
            "Bộ phận Kinh tế",
            "Dự toán năm 2026.",
            "232,73 tỉ đồng",
            "13,75%",
            "Quý I/2025",
            "file:progress/2026-Q1.toml",
            "31/03/2026",
        ):
            assert expected in text, expected
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_clicking_a_card_opens_its_detail(sample: Path) -> None:
    app = ChitieuApp(FileSource(sample))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.click(card(app, "bhyt"))
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.indicator_id == "bhyt"
        assert "Phòng Văn hóa – Xã hội" in screen_text(app)


async def test_help_screen(sample: Path) -> None:
    app = ChitieuApp(FileSource(sample))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "thoát chương trình" in text and "lưu bản chụp số liệu" in text
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_snapshot_key_writes_into_the_data_folder(sample: Path) -> None:
    app = RecordingApp(FileSource(sample))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        written = list((sample / "snapshots" / "2026-Q1").glob("*.toml"))
        assert len(written) == 1
        assert ("information", f"Đã lưu bản chụp số liệu: {written[0]}") in app.notes


async def test_snapshot_failure_is_notified_not_fatal(sample: Path) -> None:
    (sample / "snapshots").write_text("a file where a folder should be", encoding="utf-8")
    app = RecordingApp(FileSource(sample))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert app.is_running
        assert [sev for sev, _ in app.notes] == ["error"]


async def test_brackets_move_between_quarters(sample: Path) -> None:
    app = ChitieuApp(FileSource(sample))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert dash(app).view is not None and dash(app).view.period == Period(2025, 4)
        assert "Quý IV/2025" in dash(app).query_one(HeaderBar).render().plain
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert dash(app).view.period == Period(2026, 2)
        statuses = {ev.status for ev in dash(app).view.board.evaluations}
        assert statuses == {Status.NO_DATA}
        assert "0/20 chỉ tiêu" in dash(app).query_one(SummaryBar).render().plain
        assert "Chưa có số liệu" in card_text(card(app, "thu-ngan-sach"))


INJECTION = """
[[indicator]]
id = "a"
group = "g"
name = "[@click=app.quit]x[/]"
unit = "[red]u[/]"
kind = "level"
target = 10
owner = "[@click=app.quit]owner[/]"
note = "[bold]note[/]"

[[indicator]]
id = "b"
group = "g"
name = "[bold]y[/]"
kind = "level"
target = 5

[dashboard]
headline = ["a", "b"]
"""


async def test_markup_in_data_is_shown_literally(tmp_path: Path) -> None:
    root = make_datadir(
        tmp_path,
        INJECTION,
        {"2026-Q1": 'a = { value = 4, note = "[@click=app.quit]v[/]" }\nb = 5\n'},
    )
    app = RecordingApp(FileSource(root))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.notes == []
        t = table(app)
        assert t.get_cell("a", "name").plain.strip() == "[@click=app.quit]x[/]"
        assert t.get_cell("b", "name").plain.strip() == "[bold]y[/]"
        assert card(app, "a")._border_title.plain == "[@click=app.quit]x[/]"  # type: ignore[union-attr]
        assert card(app, "b")._border_title.plain == "[bold]y[/]"  # type: ignore[union-attr]
        text = screen_text(app)
        assert "[@click=app.quit]x[/]" in text and "[bold]y[/]" in text
        await pilot.click(card(app, "a"))
        await pilot.pause()
        assert app.is_running
        assert isinstance(app.screen, DetailScreen)
        text = screen_text(app)
        for literal in ("[@click=app.quit]owner[/]", "[bold]note[/]", "[@click=app.quit]v[/]"):
            assert literal in text, literal
        await pilot.click("#detail-body", offset=(30, 4))
        await pilot.pause()
        assert app.is_running
        await pilot.press("escape")
        await pilot.click(IndicatorTable, offset=(5, 2))
        await pilot.pause()
        assert app.is_running


async def test_broken_definitions_on_first_load(sample: Path) -> None:
    (sample / "chitieu.toml").write_text("schema = 1\n[unit\n", encoding="utf-8")
    app = RecordingApp(FileSource(sample))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.is_running and dash(app).view is None
        message = str(dash(app).query_one("#message").render())
        assert "Không đọc được số liệu" in message
        assert "chitieu.toml:2" in message
        assert [sev for sev, _ in app.notes] == ["error"]
        assert "Traceback" not in screen_text(app)
        await pilot.press("b", "o", "s", "slash", "escape", "left_square_bracket")
        await settle(pilot)
        assert app.is_running


async def test_reload_after_breakage_keeps_the_last_good_view(sample: Path) -> None:
    app = RecordingApp(FileSource(sample))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        good = dash(app).view
        (sample / "progress" / "2026-Q1.toml").write_text("schema = [\n", encoding="utf-8")
        await pilot.press("r")
        await settle(pilot)
        assert dash(app).view is good
        assert "13,75%" in card_text(card(app, "thu-ngan-sach"))
        assert "8/20" in dash(app).query_one(SummaryBar).render().plain
        assert app.notes and app.notes[-1][0] == "error"
        assert "2026-Q1.toml" in app.notes[-1][1]
        assert not dash(app).query_one("#message").display


async def test_reload_shows_changed_figures(sample: Path) -> None:
    app = ChitieuApp(FileSource(sample))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        path = sample / "progress" / "2026-Q1.toml"
        path.write_text(
            path.read_text(encoding="utf-8").replace(
                "thu-ngan-sach = 32.0", "thu-ngan-sach = 64.0"
            ),
            encoding="utf-8",
        )
        dash(app).reload()
        await settle(pilot)
        assert "27,5%" in card_text(card(app, "thu-ngan-sach"))


async def test_warnings_are_notified_once(sample: Path) -> None:
    path = sample / "progress" / "2026-Q1.toml"
    path.write_text(path.read_text(encoding="utf-8") + "khong-co = 1\n", encoding="utf-8")
    app = RecordingApp(FileSource(sample))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        warnings = [text for sev, text in app.notes if sev == "warning"]
        assert len(warnings) == 1 and "khong-co" in warnings[0]


async def test_english_labels(sample: Path) -> None:
    use("en")
    app = ChitieuApp(FileSource(sample))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "8/20 targets met or exceeded" in dash(app).query_one(SummaryBar).render().plain
        assert "Q1 2026" in dash(app).query_one(HeaderBar).render().plain
        assert "13.75%" in card_text(card(app, "thu-ngan-sach"))
        text = screen_text(app)
        assert "quit" in text and "Indicator" in text


async def test_small_terminal_fits(sample: Path) -> None:
    app = ChitieuApp(FileSource(sample))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        cards = list(dash(app).query(HeadlineCard))
        assert len(cards) == 4 and all(c.outer_size.width >= 19 for c in cards)
        assert all(c.region.right <= 80 for c in cards)
        assert "13,75%" in card_text(card(app, "thu-ngan-sach"))
        t = table(app)
        assert t.size.height >= 8
        assert sum(width + 2 for width in t.widths.values()) <= t.size.width
        text = screen_text(app)
        assert "8/20 chỉ tiêu" in text and "q thoát" in text and "? trợ giúp" in text


async def test_remote_source_stale_view(sample: Path) -> None:
    now = dt.datetime(2026, 4, 2, 11, 30, tzinfo=dt.UTC)
    view = dataclasses.replace(
        FileSource(sample).load(),
        source_label="api:http://example.invalid",
        read_only=True,
        stale=True,
        stale_since=now - dt.timedelta(hours=3),
    )
    source = FixedSource(view)
    app = ChitieuApp(source, now=lambda: now)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        header = dash(app).query_one(HeaderBar).render().plain
        assert "ngoại tuyến · 3 giờ trước" in header
        assert "chỉ đọc" in header
        await pilot.press("r")
        await settle(pilot)
        assert len(source.calls) == 2
        assert dash(app)._poll is not None
    assert source.closed


def test_bar_and_sparkline_helpers() -> None:
    assert bar(0.5, 0.25, 8, "$success").plain == "█│██░░░░"
    assert bar(1.0, 1.0, 4, "$success").plain == "████"
    assert sparkline([1.0]) == ""
    assert sparkline([1.0, 2.0, 3.0]) == "▁▅█"
    assert short_title("Hoàn thành chỉ tiêu giao quân năm 2026", 14) == "Giao quân"
    assert short_title("BHYT", 4) == "BHYT"
    assert fold("Quốc phòng – An ninh, ĐẢNG") == "quoc phong – an ninh, dang"


async def test_theme_change_recolours_the_status_cells(sample: Path) -> None:
    app = ChitieuApp(FileSource(sample))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = table(app).get_cell("thu-ngan-sach", "status").style
        app.theme = "textual-light"
        await pilot.pause()
        await pilot.pause()
        after = table(app).get_cell("thu-ngan-sach", "status").style
        assert after != before
        assert table(app).current_id() == "ket-nap-dang-vien"
        assert app.is_running


async def test_the_dashboards_workers_never_repr_the_view(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual names a worker by repr() of its arguments unless it has a description; the
    repr of a view walks every indicator and entry (long for a large unit), on the UI thread."""
    from chitieu_tui.core.source import View  # lazy: the class patched for this test only

    calls: list[int] = []

    def counting(self: View) -> str:
        calls.append(1)
        return "View(…)"

    monkeypatch.setattr(View, "__repr__", counting)
    app = RecordingApp(FileSource(sample))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s", "r", "down", "enter")  # snapshot, reload, a detail view
        await settle(pilot)
        assert len(list((sample / "snapshots" / "2026-Q1").glob("*.toml"))) == 1
    assert calls == []
