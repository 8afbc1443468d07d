"""Approving and returning from the client (issue 20 items 5-6): `chitieu approve --api` and
`chitieu return --api` against a real server on 127.0.0.1 with users.toml accounts; the
role asked first (`GET /api/v1/me`), the server's refusals (403, 404, 409, 422) worded from
the catalog, exit 1."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
import servers
from hostile_server import UvicornThread

from chitieu_tui.cli import main
from chitieu_tui.core.datadir import DataDir
from chitieu_tui.core.errors import WriteError
from chitieu_tui.core.journal import read_journal
from chitieu_tui.core.periods import Period
from chitieu_tui.core.requests import Approve, Close, Return
from chitieu_tui.remote.source import ApiSource

pytestmark = pytest.mark.timeout(60)
OWN, FOREIGN = servers.OWN, servers.FOREIGN
Q1 = Period(2026, 1)


@pytest.fixture
def province(tmp_path: Path) -> Path:
    """The served province (tests/servers.py) with Q1 submitted in both wards."""
    root = servers.make_province(tmp_path)
    for folder in ("ward-a", "ward-b"):
        DataDir(root / folder).write([Close(period=Q1, reason="nộp", by="Phường")])
    old = os.stat(root).st_mtime - 10
    os.utime(root, (old, old))
    return root


tokens, server = servers.tokens, servers.server


def status(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def _progress(province: Path, folder: str = "ward-a") -> dict:
    text = (province / folder / "progress" / "2026-Q1.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def test_approve_and_return_over_the_api(
    province: Path,
    server: UvicornThread,
    tokens: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CHITIEU_API_TOKEN", tokens["approver"])
    api = ["--api", server.url, "--unit", OWN, "--period", str(Q1)]
    assert status(["approve", *api, "--note", "đạt", "--by", "Forged"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Đã duyệt Quý I/2026") and "Ms approver" in out
    approved = _progress(province)["closed"]["approved"]
    assert approved["by"] == "Ms approver" and approved["note"] == "đạt"
    assert read_journal(province / "ward-a" / "journal" / f"{Q1}.toml")[-1].account == "app"

    assert status(["approve", *api]) == 1  # 409: already approved
    err = capsys.readouterr().err
    assert "Quý I/2026 đã được duyệt lúc" in err and "Ms approver" in err
    assert "Traceback" not in err

    assert status(["return", *api, "--reason", "thiếu số liệu", "--by", "Forged"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Đã trả lại Quý I/2026") and "thiếu số liệu" in out
    assert _progress(province)["returned"]["by"] == "Ms approver"

    assert status(["approve", *api]) == 1  # 409: not submitted any more
    assert "chưa nộp" in capsys.readouterr().err
    assert status(["return", *api, "--reason", "lần nữa"]) == 1  # 409: nothing to return
    assert "không có gì để trả lại" in capsys.readouterr().err


def test_a_blank_reason_is_refused_by_the_server(
    province: Path,
    server: UvicornThread,
    tokens: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CHITIEU_API_TOKEN", tokens["approver"])
    before = _progress(province)
    code = status(
        ["return", "--api", server.url, "--unit", OWN, "--period", "2026-Q1", "--reason", "  "]
    )
    assert code == 1
    assert "cần ghi lý do trả lại" in capsys.readouterr().err
    assert _progress(province) == before


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_only_an_approver_approves_said_before_sending(
    province: Path,
    server: UvicornThread,
    tokens: dict[str, str],
    role: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CHITIEU_API_TOKEN", tokens[role])
    before = (province / "ward-a" / "progress" / "2026-Q1.toml").read_bytes()
    for cmd in (["approve"], ["return", "--reason", "x"]):
        code = status([*cmd, "--api", server.url, "--unit", OWN, "--period", "2026-Q1"])
        assert code == 1
        err = capsys.readouterr().err
        assert f"Vai trò {role} không được duyệt hay trả lại quý" in err
    assert (province / "ward-a" / "progress" / "2026-Q1.toml").read_bytes() == before


def test_a_403_from_the_server_is_worded(
    province: Path, server: UvicornThread, tokens: dict[str, str]
) -> None:
    """The server is the judge: a client that believes it is an approver (a role changed
    since `/me` was asked) gets the server's 403 worded, nothing written."""
    source = ApiSource(server.url, OWN, token=tokens["editor"])
    source.writer.take_me({"auth": "account", "role": "approver", "units": [OWN]})
    with pytest.raises(WriteError) as caught:
        source.write([Approve(period=Q1)])
    text = caught.value.msg.text("vi")
    assert "máy chủ không nhận lệnh ghi" in text and "vai trò editor không được duyệt quý" in text
    assert "approved" not in _progress(province)["closed"]


def test_a_unit_not_the_approvers_is_unknown(
    province: Path,
    server: UvicornThread,
    tokens: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CHITIEU_API_TOKEN", tokens["approver"])
    before = (province / "ward-b" / "progress" / "2026-Q1.toml").read_bytes()
    code = status(["approve", "--api", server.url, "--unit", FOREIGN, "--period", "2026-Q1"])
    assert code == 1
    assert f'không có đơn vị "{FOREIGN}"' in capsys.readouterr().err
    assert (province / "ward-b" / "progress" / "2026-Q1.toml").read_bytes() == before


def test_usage_over_the_api(
    server: UvicornThread, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHITIEU_API_TOKEN", tokens["approver"])
    assert status(["approve", "--api", server.url, "--period", "2026-Q1"]) == 2  # no --unit
    assert status(["return", "--api", server.url, "--unit", OWN, "--period", "2026-Q1"]) == 2


def test_the_approvers_source_sends_approve_and_return(
    province: Path, server: UvicornThread, tokens: dict[str, str]
) -> None:
    source = ApiSource(server.url, OWN, token=tokens["approver"])
    written = source.write([Approve(period=Q1, note="ok", by="Forged")])
    assert written.progress.closed is not None and written.progress.closed.approved is not None
    assert written.progress.closed.approved.by == "Ms approver"
    assert source.writer.may("approver", OWN) and not source.writer.may("approver", FOREIGN)
    written = source.write([Return(period=Q1, reason="sai")])
    assert written.progress.closed is None and written.progress.returned is not None
