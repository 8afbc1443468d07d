"""Writing over --api: ApiSource.write, the CLI's set/unset/close/reopen --api, and many
writers at once (HTTP and a local `chitieu set`), against a real server on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hostile_server import UvicornThread, make_ward

from chitieu_tui.cli import main
from chitieu_tui.core.chain import replay_differences
from chitieu_tui.core.datadir import DataDir
from chitieu_tui.core.errors import WriteError
from chitieu_tui.core.filesource import FileSource
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


EDITORS = 4
INCREMENTS = 50


def test_four_editors_over_http_and_a_local_set_lose_nothing(ward: Path) -> None:
    """4 editors (4 accounts, 4 threads, real HTTP) each add 1 to the same value 50 times,
    optimistically (`expect` the entry last seen; on 412 take `current` and try again),
    while a local `chitieu set` process writes another value of the same quarter 10 times
    through the same lock. No lost update: the value ends 200 higher, the journal holds
    every step once (old → old + 1, in order), each account's 50, the local 10; the file is
    what the journal replays to and every chain verifies. Nothing waits on a clock."""
    users = ward / "users.toml"
    tokens = [add_user(users, f"ed{n}", "editor", [UNIT], f"Biên tập {n}") for n in range(EDITORS)]
    server = UvicornThread(create_app(ward)).start()
    errors: list[BaseException] = []
    conflicts = [0] * EDITORS

    def editor(n: int) -> None:
        try:
            source = ApiSource(server.url, UNIT, snapshots=ward / f"s{n}", token=tokens[n])
            seen: Entry | None = Entry(6.0)  # the sample's value; a conflict says otherwise
            for _ in range(INCREMENTS):
                while True:
                    assert seen is not None
                    value = str(int(seen.value) + 1)
                    request = SetValue(  # 200 steps up: out of line, meant (marked)
                        period=Q1,
                        id=IND,
                        value=value,
                        expect=seen,
                        confirm=True,
                        confirm_outlier=True,
                    )
                    try:
                        written = source.write([request], snapshot=False)
                    except ConflictError as exc:
                        conflicts[n] += 1
                        seen = exc.current
                        continue
                    seen = written.progress.values[IND]
                    break
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
    threads = [threading.Thread(target=editor, args=(n,)) for n in range(EDITORS)]
    try:
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert local.wait(timeout=100) == 0
    finally:
        server.stop()
    assert not errors, errors
    changes = read_journal(ward / "journal" / f"{Q1}.toml")
    steps = [c for c in changes if c.id == IND and c.account]  # the found 6 came first
    assert [(c.old, c.new) for c in steps] == [(6 + i, 7 + i) for i in range(EDITORS * INCREMENTS)]
    for n in range(EDITORS):
        assert len([c for c in steps if c.account == f"ed{n}"]) == INCREMENTS, n
        assert {c.by for c in steps if c.account == f"ed{n}"} == {f"Biên tập {n}"}
    assert len([c for c in changes if c.id == "ho-kinh-doanh" and c.by == "local"]) == 10
    data = DataDir(ward)
    progress = data.progress(Q1, data.definitions())
    assert progress is not None
    assert progress.values[IND].value == 6 + EDITORS * INCREMENTS
    assert progress.values["ho-kinh-doanh"].value == 2009
    assert not [c for c in changes if c.via == "hand"]  # every value came through the writer
    assert not replay_differences(changes, {k: e.value for k, e in progress.values.items()})
    found = verify_folder(DataDir(ward))
    assert {f.state for f in found} <= {"ok", "not_chained"}, found
    assert [f.state for f in found if f.period == Q1] == ["ok"]


class _StallAfterWriting:
    """The real app, whose answers to writes (PUT, POST …/values) are held back until
    `release` is set: the write is applied, the client hears nothing (a dropped answer)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.release = threading.Event()
        self.writes = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        import anyio.to_thread

        method = scope.get("method", "GET")
        if scope["type"] != "http" or method == "GET":
            await self.app(scope, receive, send)
            return
        self.writes += 1
        held: list[Any] = []

        async def hold(message: Any) -> None:
            held.append(message)

        await self.app(scope, receive, hold)  # the write is done when this returns
        await anyio.to_thread.run_sync(self.release.wait)
        for message in held:
            await send(message)


@pytest.mark.parametrize("bulk", [False, True])
def test_a_write_that_times_out_is_read_back_never_retried(
    ward: Path, tokens: dict[str, str], bulk: bool
) -> None:
    stalling = _StallAfterWriting(create_app(ward))
    server = UvicornThread(stalling).start()
    try:
        source = ApiSource(
            server.url, UNIT, snapshots=ward / "s", token=tokens["editor"], read_timeout=3.0
        )
        requests = [SetValue(period=Q1, id=IND, value="9", confirm=True)]
        if bulk:
            requests.append(SetValue(period=Q1, id="dang-vien", value="1440", confirm=True))
            requests = [dataclasses.replace(r, via="import") for r in requests]
        with pytest.raises(WriteError) as caught:
            source.write(requests)
        assert stalling.writes == 1  # sent once, never again
        err = caught.value
        assert err.code == "err.api.write_read_back"
        text = err.render("en")
        assert "read back, it now holds" in text
        assert ("2 of the 2 values sent" if bulk else "9 for ket-nap-dang-vien") in text
    finally:
        stalling.release.set()
        server.stop()
    changes = read_journal(ward / "journal" / f"{Q1}.toml")
    assert len([c for c in changes if c.id == IND and c.new == 9]) == 1


def test_a_write_over_the_api_takes_a_snapshot_as_a_write_to_files_does(
    ward: Path,
    server: UvicornThread,
    tokens: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import tomllib

    from chitieu_tui.core.snapshots import default_snapshot_root

    monkeypatch.setenv("CHITIEU_API_TOKEN", tokens["editor"])
    api = ["--api", server.url, "--unit", UNIT, "--period", str(Q1)]
    folder = default_snapshot_root(UNIT) / str(Q1)
    assert status(["set", IND, "9", *api]) == 0
    printed = capsys.readouterr().out.splitlines()
    taken = sorted(folder.glob("*.toml"))
    assert len(taken) == 1 and str(taken[0]) in printed
    shot = tomllib.loads(taken[0].read_text("utf-8"))
    assert shot["source"] == f"api:{server.url}"
    assert {r["id"]: r.get("value") for r in shot["indicator"]}[IND] == 9
    assert status(["set", IND, "10", *api, "--no-snapshot"]) == 0
    assert len(list(folder.glob("*.toml"))) == 1
    assert status(["close", *api, "--reason", "đủ"]) == 0  # a final snapshot
    assert len(list(folder.glob("*.toml"))) == 2
    assert status(["reopen", *api, "--reason", "sửa"]) == 0  # none after a reopen
    assert len(list(folder.glob("*.toml"))) == 2
    # the same as a write to the folder itself
    local = ward.parent / "local-snaps"
    written = FileSource(ward, snapshots=local).write([SetValue(period=Q1, id=IND, value="11")])
    assert written.snapshot is not None and written.snapshot.exists()


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
        # a snapshot of what the server now holds, as after entering into files
        shots = sorted((ward / "snaps" / str(Q1)).glob("*.toml"))
        held = [
            {r["id"]: r.get("value") for r in tomllib.loads(p.read_text("utf-8"))["indicator"]}
            for p in shots
        ]
        assert 7 in [h[IND] for h in held]

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
