"""`chitieu import --api URL --unit U FILE`: the workbook checked here (all or nothing, as for
a folder) and sent as one bulk write (`POST …/values`, one transaction on the server); a
refusal or a conflict names the sheet and cell. A real server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from datadirs import enter
from hostile_server import UvicornThread

from chitieu_tui.cli import main
from chitieu_tui.cli import write as cli_write
from chitieu_tui.core.datadir import DataDir
from chitieu_tui.core.journal import read_journal
from chitieu_tui.core.periods import Period
from chitieu_tui.core.users import add_user
from chitieu_tui.core.verify import verify_folder
from chitieu_tui.remote.server import create_app

openpyxl = pytest.importorskip("openpyxl")
pytestmark = pytest.mark.timeout(120)
UNIT = "my-thoi"
Q1 = Period(2026, 1)


@pytest.fixture
def tokens(ward: Path) -> dict[str, str]:
    path = ward / "users.toml"
    return {
        "editor": add_user(path, "edi", "editor", [UNIT], "Ms editor"),
        "viewer": add_user(path, "vie", "viewer", [UNIT], "Ms viewer"),
    }


@pytest.fixture
def server(ward: Path, tokens: dict[str, str]) -> Iterator[UvicornThread]:
    srv = UvicornThread(create_app(ward)).start()
    yield srv
    srv.stop()


def _rows(ws) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {ws.cell(r, 1).value: r for r in range(6, ws.max_row + 1) if ws.cell(r, 1).value}


def _workbook(tmp_path: Path, ward: Path) -> tuple[Path, object, dict[str, int]]:
    out = tmp_path / "t.xlsx"
    assert (
        main(["template", "--config", str(ward), "--period", "2026-Q1", "--output", str(out)]) == 0
    )
    wb = openpyxl.load_workbook(out)
    return out, wb, _rows(wb.active)


def _run(*argv: str) -> int:
    try:
        return main(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0)


def test_import_over_the_api_is_one_transaction_and_all_or_nothing(
    tmp_path: Path,
    ward: Path,
    server: UvicornThread,
    tokens: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out, wb, rows = _workbook(tmp_path, ward)
    ws = wb.active  # type: ignore[attr-defined]
    ws.cell(rows["thu-ngan-sach"], 5).value = "40,5"
    ws.cell(rows["bhyt"], 5).value = 91
    ws.cell(rows["bhyt"], 7).value = "Một số hộ chưa gia hạn"
    ws.cell(rows["ho-ngheo"], 5).value = "9,5"  # bad: households are whole
    wb.save(out)  # type: ignore[attr-defined]
    monkeypatch.setenv("CHITIEU_API_TOKEN", tokens["editor"])
    api = ["--api", server.url, "--unit", UNIT]
    before = (ward / "progress" / "2026-Q1.toml").read_bytes()
    capsys.readouterr()
    assert _run("import", *api, str(out)) == 1
    assert f"'Phường Mỹ Thới'!E{rows['ho-ngheo']}" in capsys.readouterr().err
    assert (ward / "progress" / "2026-Q1.toml").read_bytes() == before
    ws.cell(rows["ho-ngheo"], 5).value = "90"
    wb.save(out)  # type: ignore[attr-defined]
    assert _run("import", *api, "--by", "Forged", str(out)) == 0
    assert "Đã ghi 3 số liệu vào Quý I/2026" in capsys.readouterr().out
    changes = read_journal(ward / "journal" / "2026-Q1.toml")
    mine = [c for c in changes if c.via == "import"]
    assert sorted(c.id for c in mine) == ["bhyt", "ho-ngheo", "thu-ngan-sach"]
    assert {(c.by, c.account) for c in mine} == {("Ms editor", "edi")}
    assert len({c.at for c in mine}) == 1  # one transaction
    assert [f.state for f in verify_folder(DataDir(ward), Q1)] == ["ok"]
    # the same workbook again: nothing new
    assert _run("import", *api, str(out)) == 0
    assert "không có số liệu mới" in capsys.readouterr().out


def test_a_value_changed_meanwhile_is_a_conflict_at_its_cell(
    tmp_path: Path,
    ward: Path,
    server: UvicornThread,
    tokens: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out, wb, rows = _workbook(tmp_path, ward)
    ws = wb.active  # type: ignore[attr-defined]
    ws.cell(rows["thu-ngan-sach"], 5).value = 40.5
    ws.cell(rows["bhyt"], 5).value = 91
    wb.save(out)  # type: ignore[attr-defined]
    board = cli_write._ApiUnit.board

    def read_then_someone_writes(self, period):  # type: ignore[no-untyped-def]
        found = board(self, period)
        enter(ward, Q1, "bhyt", "88", by="Lan")  # after the import read the quarter
        return found

    monkeypatch.setattr(cli_write._ApiUnit, "board", read_then_someone_writes)
    monkeypatch.setenv("CHITIEU_API_TOKEN", tokens["editor"])
    capsys.readouterr()
    assert _run("import", "--api", server.url, "--unit", UNIT, "--lang", "en", str(out)) == 1
    err = " ".join(capsys.readouterr().err.replace("│", " ").split())
    assert f"'Phường Mỹ Thới'!E{rows['bhyt']}" in err, err
    assert "88" in err  # theirs
    progress = DataDir(ward).progress(Q1, DataDir(ward).definitions())
    assert progress is not None and progress.values["bhyt"].value == 88  # theirs kept
    assert not [c for c in read_journal(ward / "journal" / "2026-Q1.toml") if c.via == "import"]


def test_a_viewer_cannot_import_and_the_bulk_route_names_the_refused_value(
    tmp_path: Path,
    ward: Path,
    server: UvicornThread,
    tokens: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out, wb, rows = _workbook(tmp_path, ward)
    wb.active.cell(rows["bhyt"], 5).value = 91  # type: ignore[attr-defined]
    wb.save(out)  # type: ignore[attr-defined]
    monkeypatch.setenv("CHITIEU_API_TOKEN", tokens["viewer"])
    assert _run("import", "--api", server.url, "--unit", UNIT, "--lang", "en", str(out)) == 1
    assert "viewer" in capsys.readouterr().err
    url = f"{server.url}/api/v1/units/{UNIT}/progress/2026-Q1/values"
    editor = {"Authorization": f"Bearer {tokens['editor']}"}
    body = {"values": [{"id": "bhyt", "value": 90}, {"id": "ho-ngheo", "value": 9.5}]}
    resp = httpx.post(url, json=body, headers=editor)
    assert resp.status_code == 422
    assert (resp.json()["index"], resp.json()["id"]) == (1, "ho-ngheo")
    resp = httpx.post(url, json={"values": [{"id": "nowhere", "value": 1}]}, headers=editor)
    assert resp.status_code == 422 and resp.json()["index"] == 0
    assert httpx.post(url, json={"values": []}, headers=editor).status_code == 400
    assert (
        httpx.post(
            url, json=body, headers={"Authorization": f"Bearer {tokens['viewer']}"}
        ).status_code
        == 403
    )
