"""What a collection folder carries besides its units' figures, over `--api` the same as on
files (a real server on 127.0.0.1, the same folder read both ways): the deadline of
collection.toml `[reporting]` (late marks, `chitieu alerts`), the report heads of
chitieu.toml and collection.toml `[report]` (the documents' head) and the targets handed
down (targets/<year>.toml: the roll-up's marks, the detail's "giao · nhận", `chitieu
targets`)."""

from __future__ import annotations

import asyncio
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from hostile_server import UvicornThread
from rich.console import Console
from textual.widgets import Static
from tuikit import RecordingApp, dash, settle

from chitieu_tui.cli import main
from chitieu_tui.core.collection import Collection, open_folder
from chitieu_tui.core.datadir import BUNDLED_COLLECTION, DataDir
from chitieu_tui.core.periods import TODAY_ENV, Period
from chitieu_tui.core.requests import Approve, Close
from chitieu_tui.core.targets import handed_down
from chitieu_tui.present.filed import head_of
from chitieu_tui.present.rollup import BELOW_MARK, approval_text, column_totals, unit_rows
from chitieu_tui.present.targets import rollup_note
from chitieu_tui.remote import schema
from chitieu_tui.remote.collection import api_collection
from chitieu_tui.remote.server import create_app
from chitieu_tui.remote.source import ApiSource
from chitieu_tui.remote.wire import API_PREFIX
from chitieu_tui.screens import DetailScreen

pytestmark = pytest.mark.timeout(120)
Q1 = Period(2026, 1)
REPORTING = "\n[reporting]\ncutoff_day = 14\nsend_days = 2\n"
FAST = {"connect_timeout": 1.0, "read_timeout": 5.0, "deadline": 10.0, "retries": 1}


@pytest.fixture
def province(tmp_path: Path) -> Path:
    root = tmp_path / "province"
    shutil.copytree(BUNDLED_COLLECTION, root)
    with (root / "collection.toml").open("a", encoding="utf-8") as f:
        f.write(REPORTING)
    return root


@pytest.fixture
def server(province: Path) -> Iterator[UvicornThread]:
    srv = UvicornThread(create_app(province)).start()
    yield srv
    srv.stop()


def over_api(url: str, snaps: Path, period: Period | None = Q1) -> Collection:
    collection = api_collection(url, snapshots=snaps, **FAST)

    async def go() -> None:
        try:
            await collection.aload(period)
        finally:
            await collection.aclose()

    asyncio.run(go())
    return collection


def on_files(root: Path, period: Period | None = Q1) -> Collection:
    collection = open_folder(root)
    collection.load(period)
    return collection


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["--lang", "vi", *argv])
    out, err = capsys.readouterr()
    return code, out, err


# -- item 2: the deadline (issue 20) --


def test_bulk_answer_carries_the_deadline_only_when_given(
    province: Path, server: UvicornThread
) -> None:
    body = msgspec.json.decode(
        httpx.get(server.url + API_PREFIX + "/progress/2026-Q1").content, type=schema.BulkProgress
    )
    assert body.reporting == schema.Reporting(cutoff_day=14, send_days=2)
    text = (province / "collection.toml").read_text(encoding="utf-8")
    (province / "collection.toml").write_text(text.replace(REPORTING, ""), encoding="utf-8")
    again = httpx.get(server.url + API_PREFIX + "/progress/2026-Q1").json()
    assert "reporting" not in again  # absent, never null: nobody is late


def test_late_marks_and_alerts_over_the_api_equal_the_files(
    province: Path,
    server: UvicornThread,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(TODAY_ENV, "2026-03-20")  # past 17/03 (14/03 a Saturday, +2 days)
    DataDir(province / "my-thoi").write([Close(period=Q1, reason="nộp", by="Phường")])
    DataDir(province / "my-thoi").write([Approve(period=Q1, by="Sở")])
    DataDir(province / "binh-duc").write([Close(period=Q1, reason="nộp", by="Xã")])
    files, api = on_files(province), over_api(server.url, tmp_path / "snaps")
    assert api.reporting == files.reporting is not None

    def marks(c: Collection) -> list[tuple[str, str, bool]]:
        return [(r.member.key, r.state, r.late) for r in unit_rows(c, [])]

    assert marks(api) == marks(files)
    assert any(late for _, _, late in marks(files))  # the case is there to be compared
    assert approval_text(api) == approval_text(files) and "trễ hạn" in approval_text(files)
    code_f, out_f, _ = run(capsys, "alerts", "--config", str(province), "--period", "2026-Q1")
    code_a, out_a, _ = run(capsys, "alerts", "--api", server.url, "--period", "2026-Q1")
    assert (code_a, out_a) == (code_f, out_f)
    assert "Châu Đốc" in out_f.split("\n\n")[-1]  # the late units listed, last


# -- item 3: who files the report (issue 22) --


def test_report_heads_go_over_the_api(province: Path, server: UvicornThread) -> None:
    unit = httpx.get(server.url + API_PREFIX + "/units/my-thoi").json()
    assert unit["report"]["style"] == "party" and unit["report"]["symbol"] == "BC/ĐU"
    bulk = httpx.get(server.url + API_PREFIX + "/progress/2026-Q1").json()
    assert bulk["report"]["issuer"] == "SỞ TÀI CHÍNH"
    entry = next(u for u in bulk["units"] if u["unit"] == "my-thoi")
    assert entry["definitions"]["report"] == unit["report"]
    other = next(u for u in bulk["units"] if u["unit"] == "chau-doc")
    assert "report" not in other["definitions"]  # not given: left out, never null


def test_report_heads_over_the_api_equal_the_files(
    province: Path, server: UvicornThread, tmp_path: Path
) -> None:
    files, api = on_files(province), over_api(server.url, tmp_path / "snaps")
    assert api.report == files.report is not None
    assert head_of(api.report) == head_of(files.report)
    for m in files.members:
        mine = next(x for x in api.members if x.key == m.key)
        assert m.view is not None and mine.view is not None
        assert mine.view.board.definitions.report == m.view.board.definitions.report


def _docx_head(path: Path) -> list[str]:
    """The text of the document's head: its first table, cell by cell."""
    docx = pytest.importorskip("docx")
    document = docx.Document(io.BytesIO(path.read_bytes()))
    table = document.tables[0]
    return [cell.text for row in table.rows for cell in row.cells]


@pytest.mark.parametrize("unit", [None, "my-thoi"])
def test_docx_over_the_api_has_the_head_of_the_folder(
    province: Path,
    server: UvicornThread,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    unit: str | None,
) -> None:
    where = ["--config", str(province / unit)] if unit else ["--config", str(province)]
    remote = ["--api", server.url, *(["--unit", unit] if unit else [])]
    common = ["--period", "2026-Q1", "--format", "docx", "--date", "2026-04-02"]
    code, _, err = run(capsys, "report", *where, *common, "--output", str(tmp_path / "f.docx"))
    assert code == 0, err
    code, _, err = run(capsys, "report", *remote, *common, "--output", str(tmp_path / "a.docx"))
    assert code == 0, err
    head = _docx_head(tmp_path / "f.docx")
    assert _docx_head(tmp_path / "a.docx") == head
    issuer = "ĐẢNG ỦY PHƯỜNG MỸ THỚI" if unit else "SỞ TÀI CHÍNH"
    assert any(issuer in text for text in head)


# -- item 1: the targets handed down (issue 21) --


COLUMNS = ["thu-ngan-sach", "ket-nap-dang-vien", "bhyt", "giao-quan"]


def test_rollup_against_the_province_target_over_the_api_equals_the_files(
    province: Path, server: UvicornThread, tmp_path: Path
) -> None:
    files, api = on_files(province), over_api(server.url, tmp_path / "snaps")
    assert files.targets is not None and api.targets is not None
    assert api.targets.indicators == files.targets.indicators
    assert api.targets.where == server.url + API_PREFIX + "/targets/2026"
    got, want = column_totals(api, COLUMNS), column_totals(files, COLUMNS)
    assert got == want and any(x.province is not None for x in want)

    def cells(c: Collection) -> list[tuple[str, list[str]]]:
        return [(r.member.key, [x.text for x in r.cells]) for r in unit_rows(c, COLUMNS)]

    assert cells(api) == cells(files)
    assert any(BELOW_MARK in text for _, row in cells(files) for text in row)
    note = rollup_note(files, want)
    assert note and rollup_note(api, got) == note.replace(files.targets.where, api.targets.where)


def test_without_an_assignment_the_rollup_has_no_marks_and_no_error(
    province: Path, server: UvicornThread, tmp_path: Path
) -> None:
    (province / "targets" / "2026.toml").unlink()
    api = over_api(server.url, tmp_path / "snaps")
    assert api.targets is None and all(m.error is None for m in api.members)
    assert column_totals(api, COLUMNS) == column_totals(on_files(province), COLUMNS)
    assert rollup_note(api, column_totals(api, COLUMNS)) == ""


def test_targets_command_over_the_api_equals_the_files(
    province: Path, server: UvicornThread, capsys: pytest.CaptureFixture[str]
) -> None:
    for extra in ([], ["--year", "2026"], ["--period", "2026-Q1"]):
        code, local, err = run(
            capsys, "targets", "--config", str(province), "--format", "json", *extra
        )
        assert code == 0, err
        code, remote, err = run(capsys, "targets", "--api", server.url, "--format", "json", *extra)
        assert code == 0, err
        want, got = json.loads(local), json.loads(remote)
        assert got.pop("source") == server.url + API_PREFIX + "/targets/2026"
        want.pop("source")
        assert got == want
    code, table, err = run(capsys, "targets", "--api", server.url)
    assert code == 0 and "Quyết định số 12/QĐ-UBND" in table, err
    (province / "targets" / "2026.toml").unlink()
    code, _, err = run(capsys, "targets", "--api", server.url)
    assert code == 1 and "chưa có chỉ tiêu giao năm 2026" in err  # as from the folder
    code, _, err = run(capsys, "targets", "--api", server.url, "--unit", "my-thoi")
    assert code == 2


async def test_the_detail_over_the_api_shows_assigned_adopted_and_basis(
    province: Path, server: UvicornThread, tmp_path: Path
) -> None:
    source = ApiSource(server.url, "my-thoi", snapshots=tmp_path / "snaps")
    found = await source.ahanded(2026, "thu-ngan-sach")
    assert found == handed_down(province / "my-thoi", 2026, "thu-ngan-sach") is not None
    assert await source.ahanded(2026, "giao-quan") is None  # not assigned
    assert await source.ahanded(2031, "thu-ngan-sach") is None  # 404: no assignment that year
    await source.aclose()
    shown = ApiSource(server.url, "my-thoi", snapshots=tmp_path / "snaps")
    app = RecordingApp(shown)
    async with app.run_test(size=(140, 60)) as pilot:
        await settle(pilot)
        view = dash(app).view
        assert view is not None
        await app.push_screen(DetailScreen(view, "thu-ngan-sach", source=shown))
        await settle(pilot)
        console = Console(width=200, file=io.StringIO(), record=True)
        console.print(app.screen.query_one("#detail-body", Static).content)
        body = console.export_text()
    assert "giao: 232,73 · nhận: 232,73" in body
    assert "Quyết định số 12/QĐ-UBND ngày 05/01/2026" in body


class Older:
    """ASGI middleware: the server as it was before these fields and the targets route (the
    route answers its 404 for an unknown path; the bulk answer loses `reporting`, `report`
    and the units' `report`)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith(API_PREFIX + "/targets/"):
            scope = {**scope, "path": API_PREFIX + "/no-such-route"}
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX + "/progress"):
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        parts: list[bytes] = []

        async def held(message: Any) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            parts.append(message.get("body", b""))
            if message.get("more_body"):
                return
            data = json.loads(b"".join(parts))
            data.pop("reporting", None)
            data.pop("report", None)
            for unit in data.get("units", []):
                unit.get("definitions", {}).pop("report", None)
            body = json.dumps(data).encode()
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, held)


def test_a_newer_client_facing_an_older_server_falls_back_quietly(
    province: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TODAY_ENV, "2026-03-20")
    srv = UvicornThread(Older(create_app(province))).start()
    try:
        api = over_api(srv.url, tmp_path / "snaps")
    finally:
        srv.stop()
    assert all(m.error is None and m.view is not None for m in api.members)
    assert api.targets is None and api.reporting is None and api.report is None
    assert not any(r.late for r in unit_rows(api, []))  # no deadline known: nobody late
    files = on_files(province)
    totals_files = [(x.id, x.value, x.target) for x in column_totals(files, COLUMNS)]
    assert [(x.id, x.value, x.target) for x in column_totals(api, COLUMNS)] == totals_files
