"""Writing over --api: ApiSource.write, the CLI's set/unset/close/reopen --api, and many
writers at once (HTTP and a local `chitieu set`), against a real server on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_server import UvicornThread, make_ward

from chitieu_tui.cli import main
from chitieu_tui.core.datadir import DataDir
from chitieu_tui.core.errors import WriteError
from chitieu_tui.core.journal import read_journal
from chitieu_tui.core.model import Entry
from chitieu_tui.core.periods import Period
from chitieu_tui.core.requests import Close, Reopen, SetValue, Unset
from chitieu_tui.core.source import ClosableSource
from chitieu_tui.core.users import add_user
from chitieu_tui.core.verify import verify_folder
from chitieu_tui.core.writer import ConflictError
from chitieu_tui.remote.server import create_app
from chitieu_tui.remote.source import ApiSource

pytestmark = pytest.mark.timeout(120)
UNIT = "my-thoi"
Q1 = Period(2026, 1)
IND = "ket-nap-dang-vien"


@pytest.fixture
def ward(tmp_path: Path) -> Path:
    root = tmp_path / "ward"
    make_ward(root, UNIT)
    return root


@pytest.fixture
def tokens(ward: Path) -> dict[str, str]:
    path = ward / "users.toml"
    return {
        r: add_user(path, r[:3], r, [UNIT], f"Ms {r}") for r in ("editor", "approver", "viewer")
    }


@pytest.fixture
def server(ward: Path, tokens: dict[str, str]) -> Iterator[UvicornThread]:
    srv = UvicornThread(create_app(ward)).start()
    yield srv
    srv.stop()


def status(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def test_an_editors_source_writes_and_a_412_is_the_file_writers_conflict(
    ward: Path, server: UvicornThread, tokens: dict[str, str]
) -> None:
    source = ApiSource(server.url, UNIT, snapshots=ward / "snaps", token=tokens["editor"])
    view = source.load(Q1, history=0)
    assert isinstance(source, ClosableSource) and not view.read_only
    written = source.write([SetValue(period=Q1, id=IND, value="8", expect=Entry(6.0), by="x")])
    assert written.progress.values[IND].value == 8
    assert written.progress.values[IND].by == "Ms editor"
    with pytest.raises(ConflictError) as caught:
        source.write([SetValue(period=Q1, id=IND, value="9", expect=Entry(6.0))])
    assert caught.value.current is not None and caught.value.current.value == 8
    assert caught.value.current.by == "Ms editor"
    source.write([Unset(period=Q1, id=IND, expect=Entry(8.0))])
    source.write([Close(period=Q1, reason="đủ")])
    source.write([Reopen(period=Q1, reason="sửa")])
    last = read_journal(ward / "journal" / f"{Q1}.toml")
    assert [(c.via, c.account) for c in last[-4:]] == [
        ("set", "edi"),
        ("unset", "edi"),
        ("close", "edi"),
        ("reopen", "edi"),
    ]


@pytest.mark.parametrize("role", ["viewer", "approver"])
def test_a_viewers_or_approvers_source_is_read_only_naming_the_role(
    ward: Path, server: UvicornThread, tokens: dict[str, str], role: str
) -> None:
    before = (ward / "progress" / f"{Q1}.toml").read_bytes()
    source = ApiSource(server.url, UNIT, snapshots=ward / "snaps", token=tokens[role])
    view = source.load(Q1, history=0)
    assert view.read_only
    assert view.read_only_reason is not None and role in view.read_only_reason.text("en")
    with pytest.raises(WriteError) as caught:
        source.write([SetValue(period=Q1, id=IND, value="8")])
    assert role in caught.value.msg.text("vi")
    assert (ward / "progress" / f"{Q1}.toml").read_bytes() == before


def test_chitieu_set_unset_close_reopen_over_the_api(
    ward: Path,
    server: UvicornThread,
    tokens: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CHITIEU_API_TOKEN", tokens["editor"])
    api = ["--api", server.url, "--unit", UNIT, "--period", str(Q1)]
    assert status(["set", IND, "9", *api, "--by", "Forged", "--note", "n"]) == 0
    assert "9" in capsys.readouterr().out
    last = read_journal(ward / "journal" / f"{Q1}.toml")[-1]
    assert (last.by, last.account, last.new, last.note) == ("Ms editor", "edi", 9, "n")
    assert status(["unset", IND, *api]) == 0
    assert status(["close", *api, "--reason", "đủ"]) == 0
    assert status(["set", IND, "3", *api]) == 1  # closed: 409
    assert "2026" in capsys.readouterr().err
    assert status(["reopen", *api, "--reason", "sửa"]) == 0
    found = verify_folder(DataDir(ward), Q1)
    assert [f.state for f in found] == ["ok"], found


@pytest.mark.parametrize("role", ["viewer", "approver"])
def test_chitieu_set_says_the_role_cannot_write_before_sending(
    ward: Path,
    server: UvicornThread,
    tokens: dict[str, str],
    role: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CHITIEU_API_TOKEN", tokens[role])
    before = (ward / "progress" / f"{Q1}.toml").read_bytes()
    code = status(["set", IND, "9", "--api", server.url, "--unit", UNIT, "--period", str(Q1)])
    assert code == 1
    assert role in capsys.readouterr().err
    assert (ward / "progress" / f"{Q1}.toml").read_bytes() == before


def test_four_editors_over_http_and_a_local_set_lose_nothing(
    ward: Path, server: UvicornThread, tokens: dict[str, str]
) -> None:
    ids = ["ket-nap-dang-vien", "dang-vien", "so-to-chuc-dang", "doanh-nghiep"]
    errors: list[BaseException] = []

    def editor(n: int) -> None:
        try:
            source = ApiSource(server.url, UNIT, snapshots=ward / f"s{n}", token=tokens["editor"])
            for i in range(25):
                value = str(10 + i) if ids[n] == IND else str(100 + i)
                source.write([SetValue(period=Q1, id=ids[n], value=value, confirm=True)])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    local = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from chitieu_tui.cli import main\n"
            "for i in range(10):\n"
            "    assert main(['set', 'ho-kinh-doanh', str(2000 + i), '--config', sys.argv[1],"
            " '--period', '2026-Q1', '--no-snapshot', '--by', 'local']) == 0\n",
            str(ward),
        ],
        env=env,
    )
    threads = [threading.Thread(target=editor, args=(n,)) for n in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert local.wait(timeout=100) == 0
    assert not errors, errors
    changes = read_journal(ward / "journal" / f"{Q1}.toml")
    for ident, last in zip(ids, ("34", "124", "124", "124"), strict=True):
        mine = [c for c in changes if c.id == ident and c.account == "edi"]
        assert len(mine) == 25, ident
        assert f"{mine[-1].new:g}" == last
    assert len([c for c in changes if c.id == "ho-kinh-doanh" and c.by == "local"]) == 10
    data = DataDir(ward)
    progress = data.progress(Q1, data.definitions())
    assert progress is not None
    assert progress.values["ho-kinh-doanh"].value == 2009
    assert progress.values[IND].value == 34
    assert not [c for c in changes if c.via == "hand"]  # every value came through the writer
    found = verify_folder(DataDir(ward))
    assert {f.state for f in found} <= {"ok", "not_chained"}, found
    assert [f.state for f in found if f.period == Q1] == ["ok"]


async def test_the_dashboard_enters_over_the_api_and_shows_the_conflict(
    ward: Path, server: UvicornThread, tokens: dict[str, str]
) -> None:
    from textual.widgets import Button, Input
    from tuikit import RecordingApp, dash, settle

    from chitieu_tui.core.datadir import DataDir
    from chitieu_tui.screens import EntryScreen

    source = ApiSource(server.url, UNIT, snapshots=ward / "snaps", token=tokens["editor"])
    app = RecordingApp(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = dash(app).table
        table.move_cursor(row=table.get_row_index(IND))
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EntryScreen)
        app.screen.query_one("#entry-value", Input).value = "7"
        await pilot.pause()
        app.screen.query_one("#entry-save", Button).press()
        await settle(pilot)
        assert not isinstance(app.screen, EntryScreen)
        last = read_journal(ward / "journal" / f"{Q1}.toml")[-1]
        assert (last.new, last.by, last.account, last.via) == (7, "Ms editor", "edi", "form")

        # a colleague writes meanwhile: the form's save is a 412, the conflict choice shows
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EntryScreen)
        data = DataDir(ward)
        data.write([SetValue(period=Q1, id=IND, value="5", by="Colleague")])
        app.screen.query_one("#entry-value", Input).value = "4"
        await pilot.pause()
        app.screen.query_one("#entry-save", Button).press()
        await settle(pilot)
        assert isinstance(app.screen, EntryScreen)
        assert app.screen.query_one("#entry-keep", Button).has_focus
        assert "Colleague" in str(app.screen.query_one("#entry-message").render())
    progress = DataDir(ward).progress(Q1, DataDir(ward).definitions())
    assert progress is not None and progress.values[IND].value == 5


async def test_a_viewers_dashboard_says_its_role_on_e(
    ward: Path, server: UvicornThread, tokens: dict[str, str]
) -> None:
    from tuikit import RecordingApp, settle

    source = ApiSource(server.url, UNIT, snapshots=ward / "snaps", token=tokens["viewer"])
    app = RecordingApp(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
    said = [text for _, text in app.notes]
    assert sum("viewer" in text for text in said) == 2, said
