"""The roll-up for an approver (issue 20 items 5-6), driven with Pilot: `a` approves the
selected unit's quarter after asking (No first), `R` returns it with a reason (an empty one
refused), on a collection folder and over --api against a real server on 127.0.0.1; a
viewer or an editor gets neither key, and one line says the role."""

from __future__ import annotations

import os
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_server import UvicornThread
from textual.widgets import Button, Input, Static
from tuikit import RecordingApp, dash, rollup_of, settle

from chitieu_tui.core.collection import Collection, open_folder
from chitieu_tui.core.datadir import BUNDLED_COLLECTION, DataDir
from chitieu_tui.core.periods import Period
from chitieu_tui.core.requests import Close
from chitieu_tui.core.users import add_user
from chitieu_tui.remote.server import create_app
from chitieu_tui.screens import HelpScreen
from chitieu_tui.screens.approval import ApproveScreen, ReturnScreen
from chitieu_tui.screens.rollup import RollupScreen
from chitieu_tui.widgets.header_bar import HeaderBar
from chitieu_tui.widgets.key_bar import KeyBar
from chitieu_tui.widgets.scorecard import Scorecard

pytestmark = pytest.mark.timeout(90)
SIZE = (140, 40)
Q1 = Period(2026, 1)
MY_THOI = "4"  # the fifth folder of the sample collection


@pytest.fixture
def province(tmp_path: Path) -> Path:
    """A writable copy of the bundled collection; Mỹ Thới has submitted Q1."""
    root = tmp_path / "province"
    shutil.copytree(BUNDLED_COLLECTION, root)
    DataDir(root / "my-thoi").write([Close(period=Q1, reason="nộp", by="Phường")])
    return root


def folder_app(root: Path) -> RecordingApp:
    collection = open_folder(root)
    collection.load(Q1)
    return RecordingApp(None, None, collection=collection, preloaded=True)


def card(app: RecordingApp) -> Scorecard:
    return app.screen.query_one(Scorecard)


def state_of(app: RecordingApp, row: str = MY_THOI) -> str:
    return card(app).get_row(row)[2].plain


def role_line(app: RecordingApp) -> str:
    line = app.screen.query_one("#rollup-role", Static)
    return str(line.render()) if line.display else ""


def on_row(app: RecordingApp, row: str = MY_THOI) -> None:
    table = card(app)
    table.move_cursor(row=table.get_row_index(row))


def progress(root: Path, folder: str = "my-thoi") -> dict:
    text = (root / folder / "progress" / "2026-Q1.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


async def test_an_approver_approves_a_folder_unit_after_saying_yes(province: Path) -> None:
    app = folder_app(province)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert role_line(app) == "Bạn đang xem với quyền: người duyệt"
        keys = app.screen.query_one(KeyBar).keys()
        assert "a" in keys and "R" in keys
        assert state_of(app) == "đã nộp"
        on_row(app)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ApproveScreen)
        question = str(app.screen.query_one("#approve-question", Static).render())
        assert "Quý I/2026" in question and "Phường Mỹ Thới" in question
        assert app.screen.focused is app.screen.query_one("#approve-no", Button)
        await pilot.press("enter")  # No, the default
        await settle(pilot)
        assert isinstance(app.screen, RollupScreen)
        assert "approved" not in progress(province)["closed"]
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("escape")  # Esc: no either
        await settle(pilot)
        assert "approved" not in progress(province)["closed"]
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one("#approve-yes", Button).press()
        await settle(pilot)
        assert isinstance(app.screen, RollupScreen)
        assert "approved" in progress(province)["closed"]
        assert state_of(app) == "đã duyệt"
        assert ("information", "Đã duyệt Quý I/2026 của Phường Mỹ Thới") in app.notes
        assert "1/5 đơn vị đã nộp · 1 đã duyệt" in str(
            app.screen.query_one("#rollup-summary", Static).render()
        )
        await pilot.press("a")  # already approved: said, no dialog
        await pilot.pause()
        assert isinstance(app.screen, RollupScreen)
        assert "đã được duyệt lúc" in app.notes[-1][1]


async def test_return_asks_a_reason_and_shows_it_literally(province: Path) -> None:
    app = folder_app(province)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        on_row(app)
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, ReturnScreen)
        await pilot.press("enter")  # no reason: refused, the dialog stays
        await pilot.pause()
        assert isinstance(app.screen, ReturnScreen)
        message = str(app.screen.query_one("#return-message", Static).render())
        assert message == "Cần ghi lý do"
        await pilot.press("space", "space", "enter")  # blanks are no reason either
        await pilot.pause()
        assert isinstance(app.screen, ReturnScreen)
        app.screen.query_one("#return-reason", Input).value = "[b]thiếu[/b] BHYT\x1b[31m"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RollupScreen)
        saved = progress(province)
        assert "closed" not in saved
        assert saved["returned"]["reason"] == "[b]thiếu[/b] BHYT[31m"  # no control character
        assert state_of(app) == "bị trả lại"
        await pilot.press("enter")  # the unit's dashboard: the ward sees why
        await settle(pilot)
        header = str(dash(app).query_one(HeaderBar).render())
        assert "bị trả lại: [b]thiếu[/b] BHYT[31m" in header
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("R")  # returned: nothing to return, said without a dialog
        await pilot.pause()
        assert isinstance(app.screen, RollupScreen)
        assert "không có gì để trả lại" in app.notes[-1][1]


async def test_approving_an_open_quarter_or_the_totals_row_is_said(province: Path) -> None:
    app = folder_app(province)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        on_row(app, "0")  # Bình Đức: open
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, RollupScreen)
        assert app.notes[-1] == (
            "warning",
            "Quý I/2026 chưa nộp (chưa chốt số liệu) nên chưa duyệt được",
        )
        card(app).move_cursor(row=0)  # the totals row
        await pilot.press("a")
        await pilot.pause()
        assert app.notes[-1][1].startswith("Hãy chọn một đơn vị")
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert isinstance(app.screen, HelpScreen)
        assert ("a", "help_rollup_a") in app.screen.keys
        assert ("R", "help_rollup_return") in app.screen.keys


async def test_a_unit_name_with_markup_shows_literally_in_the_dialogs(province: Path) -> None:
    path = province / "my-thoi" / "chitieu.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('name = "Phường Mỹ Thới"', 'name = "[b]Mỹ Thới[/b]"', 1), "utf-8")
    app = folder_app(province)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        on_row(app)
        await pilot.press("a")
        await pilot.pause()
        assert "[b]Mỹ Thới[/b]" in str(app.screen.query_one("#approve-question", Static).render())
        await pilot.press("escape")
        await pilot.press("R")
        await pilot.pause()
        assert "[b]Mỹ Thới[/b]" in str(app.screen.query_one("#return-what", Static).render())


async def test_the_bundled_sample_is_only_viewed(tmp_path: Path) -> None:
    collection = open_folder(BUNDLED_COLLECTION)
    collection.load()
    app = RecordingApp(None, None, collection=collection, preloaded=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert role_line(app) == "Bạn đang xem với quyền: người xem"
        keys = app.screen.query_one(KeyBar).keys()
        assert "a" not in keys and "R" not in keys
        await pilot.press("a", "R")
        await pilot.pause()
        assert isinstance(app.screen, RollupScreen) and app.notes == []


# -- over the API ---------------------------------------------------------------------------


@pytest.fixture
def tokens(province: Path) -> dict[str, str]:
    path = province / "users.toml"
    return {
        role: add_user(path, role[:3], role, ["my-thoi", "binh-duc"], f"Ms {role}")
        for role in ("editor", "approver", "viewer")
    }


@pytest.fixture
def server(province: Path, tokens: dict[str, str]) -> Iterator[UvicornThread]:
    old = os.stat(province).st_mtime - 10
    os.utime(province, (old, old))
    srv = UvicornThread(create_app(province)).start()
    yield srv
    srv.stop()


def api_app(server: UvicornThread, token: str, tmp_path: Path) -> RecordingApp:
    # lazy: as the CLI, the client only for --api
    from chitieu_tui.remote.collection import api_collection

    collection: Collection = api_collection(server.url, snapshots=tmp_path / "snaps", token=token)
    return RecordingApp(None, Q1, collection=collection)


def row_of(app: RecordingApp, name: str) -> str:
    table = card(app)
    for key in table.row_keys()[1:]:
        if table.get_row(key)[1].plain == name:
            return key
    raise AssertionError(name)


async def test_an_approver_over_the_api_approves_and_returns(
    province: Path, server: UvicornThread, tokens: dict[str, str], tmp_path: Path
) -> None:
    app = api_app(server, tokens["approver"], tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(pilot)  # the roll-up, then GET /me
        assert role_line(app) == "Bạn đang xem với quyền: người duyệt"
        assert "a" in app.screen.query_one(KeyBar).keys()
        mine = row_of(app, "Phường Mỹ Thới")
        assert state_of(app, mine) == "đã nộp"
        on_row(app, mine)
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one("#approve-yes", Button).press()
        await settle(pilot)
        approved = progress(province)["closed"]["approved"]
        assert approved["by"] == "Ms approver"  # the account, not the login name
        assert state_of(app, mine) == "đã duyệt"
        await pilot.press("R")
        await pilot.pause()
        await pilot.press(*"sai số", "enter")
        await settle(pilot)
        assert progress(province)["returned"]["reason"] == "sai số"
        assert state_of(app, mine) == "bị trả lại"
        assert not [n for n in app.notes if n[0] == "error"]


@pytest.mark.parametrize(("role", "word"), [("viewer", "người xem"), ("editor", "người nhập liệu")])
async def test_a_viewer_or_editor_over_the_api_gets_no_approval_keys(
    province: Path,
    server: UvicornThread,
    tokens: dict[str, str],
    tmp_path: Path,
    role: str,
    word: str,
) -> None:
    before = (province / "my-thoi" / "progress" / "2026-Q1.toml").read_bytes()
    app = api_app(server, tokens[role], tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(pilot)
        assert role_line(app) == f"Bạn đang xem với quyền: {word}"
        keys = app.screen.query_one(KeyBar).keys()
        assert "a" not in keys and "R" not in keys
        on_row(app, row_of(app, "Phường Mỹ Thới"))
        await pilot.press("a", "R")
        await settle(pilot)
        assert isinstance(rollup_of(app), RollupScreen) and isinstance(app.screen, RollupScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert [k for k, _ in app.screen.keys if k in ("a", "R")] == []
    assert (province / "my-thoi" / "progress" / "2026-Q1.toml").read_bytes() == before


async def test_an_editor_still_enters_in_a_unit_opened_from_the_rollup(
    province: Path, server: UvicornThread, tokens: dict[str, str], tmp_path: Path
) -> None:
    """The roll-up asking `/me` (through a unit's writer) does not leave that unit's
    dashboard read-only: its own first load still decides what it offers."""
    app = api_app(server, tokens["editor"], tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(pilot)
        assert role_line(app) == "Bạn đang xem với quyền: người nhập liệu"
        on_row(app, "0")  # the unit whose writer asked /me
        await pilot.press("enter")
        await settle(pilot)
        view = dash(app).view
        assert view is not None and not view.read_only


async def test_the_palette_approves_and_returns_for_an_approver(province: Path) -> None:
    app = folder_app(province)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        on_row(app)
        names = [name for name, _, _ in rollup_of(app).palette_commands()]
        assert "Duyệt quý của đơn vị" in names and "Trả lại quý của đơn vị" in names
        await pilot.press("ctrl+p", *"duyet quy cua", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ApproveScreen)
        await pilot.press("escape")
        await settle(pilot)
    viewer = RecordingApp(None, None, collection=open_folder(BUNDLED_COLLECTION), preloaded=False)
    async with viewer.run_test(size=SIZE) as pilot:
        await settle(pilot)
        names = [name for name, _, _ in rollup_of(viewer).palette_commands()]
        assert "Duyệt quý của đơn vị" not in names
