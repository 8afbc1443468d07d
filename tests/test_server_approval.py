"""The approval routes (issue 20): approve and return over HTTP under a real uvicorn on
127.0.0.1, with users.toml accounts: only an approver of the unit, `by` the account's
display, a reason needed to return, the state in the progress document, verify after."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hostile_server import UvicornThread, make_ward

from chitieu_tui.cli import main
from chitieu_tui.core.datadir import DataDir
from chitieu_tui.core.periods import Period
from chitieu_tui.core.requests import Close
from chitieu_tui.core.users import add_user
from chitieu_tui.remote.server import create_app

pytestmark = pytest.mark.timeout(60)
API = "/api/v1"
OWN, FOREIGN = "my-thoi", "an-phu"
Q1 = Period(2026, 1)


@pytest.fixture
def province(tmp_path: Path) -> Path:
    root = tmp_path / "province"
    root.mkdir()
    for folder, unit in (("ward-a", OWN), ("ward-b", FOREIGN)):
        make_ward(root / folder, unit)
        DataDir(root / folder).write([Close(period=Q1, reason="nộp", by="Phường")])
    old = os.stat(root).st_mtime - 10
    os.utime(root, (old, old))
    return root


@pytest.fixture
def tokens(province: Path) -> dict[str, str]:
    path = province / "users.toml"
    found = {
        role: add_user(path, role[:3], role, [OWN], f"Ms {role}")
        for role in ("editor", "approver", "viewer")
    }
    found["boss"] = add_user(path, "boss", "approver", ["*"], "Sở Nội vụ")
    return found


@pytest.fixture
def server(province: Path, tokens: dict[str, str]) -> Iterator[UvicornThread]:
    srv = UvicornThread(create_app(province)).start()
    yield srv
    srv.stop()


def post(srv: UvicornThread, path: str, token: str, body: object = None) -> httpx.Response:
    with httpx.Client(timeout=5) as client:
        return client.post(
            srv.url + API + path,
            headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
            json=body,
        )


def _progress(province: Path, folder: str = "ward-a") -> dict:
    text = (province / folder / "progress" / "2026-Q1.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def test_an_approver_approves_and_the_document_says_so(
    server: UvicornThread, province: Path, tokens: dict[str, str]
) -> None:
    route = f"/units/{OWN}/progress/2026-Q1/approve"
    answer = post(server, route, tokens["approver"], {"note": "đạt", "by": "Forged"})
    assert answer.status_code == 200, answer.text
    doc = answer.json()
    assert doc["state"] == "approved"
    assert doc["closed"]["approved"]["by"] == "Ms approver"  # never the body's `by`
    assert doc["closed"]["approved"]["note"] == "đạt"
    stored = _progress(province)["closed"]["approved"]
    assert stored["by"] == "Ms approver" and stored["digest"]
    read = httpx.get(
        server.url + API + f"/units/{OWN}/progress/2026-Q1",
        headers={"Authorization": f"Bearer {tokens['viewer']}"},
    ).json()
    assert read["state"] == "approved" and read["closed"]["approved"]["by"] == "Ms approver"
    again = post(server, route, tokens["approver"], {})
    assert again.status_code == 409 and again.json()["code"] == "err.approved.already"
    assert main(["verify", "--config", str(province), "--lang", "en"]) == 0


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_only_an_approver_approves_or_returns(
    server: UvicornThread, province: Path, tokens: dict[str, str], role: str
) -> None:
    before = _progress(province)
    for action, body in (("approve", {}), ("return", {"reason": "x"})):
        answer = post(server, f"/units/{OWN}/progress/2026-Q1/{action}", tokens[role], body)
        assert answer.status_code == 403, answer.text
        assert answer.json()["code"] == "err.server.role_cannot"
    assert _progress(province) == before


def test_a_foreign_unit_is_404_to_an_approver(
    server: UvicornThread, province: Path, tokens: dict[str, str]
) -> None:
    for action in ("approve", "return"):
        answer = post(
            server,
            f"/units/{FOREIGN}/progress/2026-Q1/{action}",
            tokens["approver"],
            {"reason": "x"},
        )
        assert answer.status_code == 404
        assert answer.json()["code"] == "err.server.unknown_unit"
    assert "approved" not in _progress(province, "ward-b")["closed"]
    # the approver of every unit may
    answer = post(server, f"/units/{FOREIGN}/progress/2026-Q1/approve", tokens["boss"], {})
    assert answer.status_code == 200 and answer.json()["closed"]["approved"]["by"] == "Sở Nội vụ"


def test_return_needs_a_reason_and_reopens(
    server: UvicornThread, province: Path, tokens: dict[str, str]
) -> None:
    route = f"/units/{OWN}/progress/2026-Q1/return"
    for body in (None, {}, {"reason": "   "}):
        answer = post(server, route, tokens["approver"], body)
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "err.returned.no_reason"
    bad = post(server, route, tokens["approver"], {"reason": 5})
    assert bad.status_code == 422 and bad.json()["code"] == "err.server.body_invalid"
    assert post(server, f"/units/{OWN}/progress/2026-Q1/approve", tokens["approver"]).is_success
    answer = post(server, route, tokens["approver"], {"reason": "thiếu số BHYT"})
    assert answer.status_code == 200, answer.text
    doc = answer.json()
    assert doc["state"] == "returned" and doc["closed"] is None
    assert doc["returned"] == {
        "at": doc["returned"]["at"],
        "by": "Ms approver",
        "reason": "thiếu số BHYT",
    }
    data = _progress(province)
    assert "closed" not in data and data["returned"]["reason"] == "thiếu số BHYT"
    again = post(server, route, tokens["approver"], {"reason": "x"})
    assert again.status_code == 409 and again.json()["code"] == "err.returned.not_closed"
    assert main(["verify", "--config", str(province), "--lang", "en"]) == 0
