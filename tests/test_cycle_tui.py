"""The quarter's cycle on screen and over the API: `c`, the header, the form, the detail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from datadirs import close, copy_sample, enter
from textual.widgets import Input, Static
from tuikit import RecordingApp as App
from tuikit import dash, settle

from chitieu_tui.core.datadir import DataDir
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.journal import read_journal
from chitieu_tui.core.periods import Period
from chitieu_tui.remote.source import ApiSource
from chitieu_tui.screens import DetailScreen, EntryScreen
from chitieu_tui.screens.close import CloseScreen
from chitieu_tui.widgets import HeaderBar

pytestmark = pytest.mark.timeout(90)
SIZE = (120, 40)
Q1 = Period(2026, 1)


def static_text(app: Any, selector: str) -> str:
    """What a Static of the top screen holds, rendered as plain text."""
    import io

    from rich.console import Console

    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(app.screen.query_one(selector, Static).content)
    return console.export_text()


def header(app: Any) -> str:
    return str(dash(app).query_one(HeaderBar).render())


async def select(pilot: Any, app: Any, indicator_id: str) -> None:
    await settle(pilot)
    table = dash(app).table
    table.move_cursor(row=table.get_row_index(indicator_id))
    await pilot.pause()


async def test_c_closes_and_reopens_with_a_reason(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    app = App(FileSource(root))
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, app, "bhyt")
        assert "đã nộp" not in header(app)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CloseScreen)
        await pilot.press("enter")  # no reason: refused, the form stays
        await pilot.pause()
        assert isinstance(app.screen, CloseScreen)
        await pilot.press(*"họp quý", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, CloseScreen)
        assert "đã nộp" in header(app)
        await pilot.press("e")  # a closed quarter refuses the form, saying who and why
        await pilot.pause()
        assert not isinstance(app.screen, EntryScreen)
        assert any("họp quý" in text for _, text in app.notes)
        await pilot.press("enter")  # the detail shows who closed it, when and why
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        body = static_text(app, "#detail-body")
        assert "Chốt số liệu" in body and "họp quý" in body
        journal = static_text(app, "#detail-journal")
        assert "chốt số liệu quý; lý do: họp quý" in journal
        await pilot.press("escape")
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CloseScreen)
        await pilot.press(*"nhầm", "enter")
        await settle(pilot)
        assert "đã nộp" not in header(app)
    vias = [c.via for c in read_journal(root / "journal" / "2026-Q1.toml")]
    assert vias[-2:] == ["close", "reopen"]
    assert list((root / "snapshots" / "2026-Q1").glob("*.toml"))  # the final snapshot


async def test_the_form_asks_cause_and_remedy_when_behind(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    app = App(FileSource(root))
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, app, "bhyt")  # 90% of 95: on track
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, EntryScreen)
        assert not form.query_one("#entry-behind").display
        await pilot.press(*"80")  # would be behind
        await pilot.pause()
        assert form.query_one("#entry-behind").display
        await pilot.press("enter", "enter", *"dịch bệnh", "enter", *"vận động", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, EntryScreen)
        await pilot.press("enter")
        await settle(pilot)
        body = static_text(app, "#detail-body")
        assert "dịch bệnh" in body and "vận động" in body and "Người nhập" in body
        journal = static_text(app, "#detail-journal")
        assert "biểu mẫu" in journal and "bhyt: 90 → 80" in journal
    entry = DataDir(root).progress(Q1, DataDir(root).definitions())
    assert entry is not None
    bhyt = entry.values["bhyt"]
    assert (bhyt.value, bhyt.cause, bhyt.remedy) == (80.0, "dịch bệnh", "vận động")
    assert bhyt.by and bhyt.at is not None


async def test_the_form_shows_behind_fields_for_an_indicator_already_behind(
    tmp_path: Path,
) -> None:
    root = copy_sample(tmp_path)
    app = App(FileSource(root))
    async with app.run_test(size=SIZE) as pilot:
        await select(pilot, app, "ket-nap-dang-vien")  # 6 of 30: behind
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EntryScreen)
        assert app.screen.query_one("#entry-behind").display
        await pilot.press(*"30")  # the target: met, nothing to explain
        await pilot.pause()
        assert not app.screen.query_one("#entry-behind").display
        assert app.screen.query_one("#entry-cause", Input).value == ""


def test_the_api_carries_who_closed_and_the_journal(
    ward: Path, start: Callable[..., Any], tmp_path: Path
) -> None:
    data = DataDir(ward)
    enter(data, Q1, "bhyt", "91", by="Nguyễn Văn A", cause="c")
    close(data, Q1, "họp quý", by="Chủ tịch")
    server = start(ward)
    with httpx.Client(timeout=5) as http:
        prog = http.get(server.url + "/api/v1/units/my-thoi/progress/2026-Q1").json()
        assert prog["closed"]["by"] == "Chủ tịch" and prog["closed"]["reason"] == "họp quý"
        dt.datetime.fromisoformat(prog["closed"]["at"])
        bhyt = prog["values"]["bhyt"]
        assert bhyt["value"] == 91 and bhyt["by"] == "Nguyễn Văn A" and bhyt["cause"] == "c"
        dt.datetime.fromisoformat(bhyt["at"])
        journal = http.get(server.url + "/api/v1/units/my-thoi/journal/2026-Q1").json()
        mine = [c for c in journal["changes"] if not c["hand"]]
        assert [c["via"] for c in mine] == ["set", "close"]
        assert mine[0]["by"] == "Nguyễn Văn A" and mine[0]["old"] == 90 and mine[0]["new"] == 91
        bad = http.get(server.url + "/api/v1/units/my-thoi/journal/2026-Q9")
        assert bad.status_code == 400
    # the API source reads it back: closed, who and when, and the journal
    source = ApiSource(server.url, "my-thoi", snapshots=tmp_path / "snaps")
    import asyncio

    async def read() -> tuple[Any, Any]:
        view = await source.aload()
        changes = await source.ajournal(view.period)
        await source.aclose()
        return view, changes

    view, changes = asyncio.run(read())
    assert view.board.progress is not None and view.board.progress.closed is not None
    assert view.board.progress.closed.by == "Chủ tịch"
    ev = view.board.get("bhyt")
    assert ev is not None and ev.entry is not None and ev.entry.by == "Nguyễn Văn A"
    assert ev.entry.at is not None
    assert [c.via for c in changes if not c.hand] == ["set", "close"]
