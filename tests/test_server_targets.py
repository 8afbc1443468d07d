"""GET and PUT /api/v1/targets/{year} (issue 21 item 7) under a real uvicorn on 127.0.0.1:
any account reads (its own units' assignments), an approver of every unit replaces it,
through the atomic writer, journaled in the collection's own journal; `basis` in the
definitions the API sends."""

from __future__ import annotations

import os
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hostile_server import UvicornThread

from chitieu_tui.cli import main
from chitieu_tui.core.users import add_user
from chitieu_tui.remote.server import create_app

pytestmark = pytest.mark.timeout(60)
API = "/api/v1"
SAMPLE = Path(__file__).resolve().parents[1] / "src" / "chitieu_tui" / "sample_collection"


@pytest.fixture
def province(tmp_path: Path) -> Path:
    root = tmp_path / "tinh"
    shutil.copytree(SAMPLE, root)
    old = os.stat(root).st_mtime - 10
    os.utime(root, (old, old))
    return root


@pytest.fixture
def tokens(province: Path) -> dict[str, str]:
    path = province / "users.toml"
    return {
        "boss": add_user(path, "boss", "approver", ["*"], "Sở Tài chính"),
        "approver": add_user(path, "app", "approver", ["my-thoi"], "Ms approver"),
        "viewer": add_user(path, "vie", "viewer", ["my-thoi"], "Ms viewer"),
        "editor": add_user(path, "edi", "editor", ["*"], "Ms editor"),
    }


@pytest.fixture
def server(province: Path, tokens: dict[str, str]) -> Iterator[UvicornThread]:
    srv = UvicornThread(create_app(province)).start()
    yield srv
    srv.stop()


def call(
    srv: UvicornThread, method: str, path: str, token: str | None, body: object = None
) -> httpx.Response:
    headers = {"Accept-Language": "en"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    with httpx.Client(timeout=5) as client:
        return client.request(method, srv.url + API + path, headers=headers, json=body)


NEW = {
    "indicators": [
        {
            "id": "thu-ngan-sach",
            "target": 1100,
            "basis": "Quyết định số 20/QĐ-UBND ngày 01/03/2026",
            "units": {"my-thoi": 240, "long-xuyen": 420, "binh-duc": 96, "chau-doc": 344},
        }
    ]
}


def test_every_account_reads_the_assignment_of_its_own_units(
    server: UvicornThread, tokens: dict[str, str]
) -> None:
    boss = call(server, "GET", "/targets/2026", tokens["boss"])
    assert boss.status_code == 200, boss.text
    doc = boss.json()
    assert doc["year"] == 2026
    thu = doc["indicators"][0]
    assert thu["id"] == "thu-ngan-sach" and thu["target"] == 1050
    assert thu["basis"].startswith("Quyết định số 12/QĐ-UBND")
    assert thu["units"]["long-xuyen"] == 400 and len(thu["units"]) == 4
    assert boss.headers["etag"]
    viewer = call(server, "GET", "/targets/2026", tokens["viewer"]).json()
    assert viewer["indicators"][0]["units"] == {"my-thoi": 232.73}  # not the other units
    assert call(server, "GET", "/targets/2026", None).status_code == 401


def test_a_year_without_an_assignment_or_not_a_year(
    server: UvicornThread, tokens: dict[str, str]
) -> None:
    missing = call(server, "GET", "/targets/2031", tokens["boss"])
    assert missing.status_code == 404
    assert missing.json()["code"] == "err.server.no_targets"
    bad = call(server, "GET", "/targets/20x6", tokens["boss"])
    assert bad.status_code == 400 and bad.json()["code"] == "err.server.bad_year"


def test_an_approver_of_every_unit_replaces_it_journaled(
    server: UvicornThread, province: Path, tokens: dict[str, str]
) -> None:
    answer = call(server, "PUT", "/targets/2026", tokens["boss"], NEW)
    assert answer.status_code == 200, answer.text
    assert answer.json()["indicators"][0]["units"]["chau-doc"] == 344
    stored = tomllib.loads((province / "targets" / "2026.toml").read_text(encoding="utf-8"))
    assert stored["indicator"][0]["target"] == 1100
    assert stored["indicator"][0]["basis"] == "Quyết định số 20/QĐ-UBND ngày 01/03/2026"
    journal = tomllib.loads(
        (province / "journal" / "targets-2026.toml").read_text(encoding="utf-8")
    )
    (entry,) = journal["change"]
    assert entry["by"] == "Sở Tài chính" and entry["account"] == "boss"
    assert entry["via"] == "api" and entry["before"].startswith("sha256:")
    assert entry["after"].startswith("sha256:") and entry["prev"] == ""
    again = call(server, "PUT", "/targets/2026", tokens["boss"], NEW)
    assert again.status_code == 200  # the same again: nothing written, no second entry
    journal = tomllib.loads(
        (province / "journal" / "targets-2026.toml").read_text(encoding="utf-8")
    )
    assert len(journal["change"]) == 1
    read = call(server, "GET", "/targets/2026", tokens["viewer"]).json()
    assert read["indicators"][0]["units"] == {"my-thoi": 240}
    assert main(["check", "--config", str(province)]) == 0  # the file written is sound


@pytest.mark.parametrize("who", ["approver", "viewer", "editor"])
def test_others_cannot_replace_it(
    server: UvicornThread, province: Path, tokens: dict[str, str], who: str
) -> None:
    before = (province / "targets" / "2026.toml").read_bytes()
    answer = call(server, "PUT", "/targets/2026", tokens[who], NEW)
    assert answer.status_code == 403
    assert answer.json()["code"] == "err.server.targets_approver"
    assert (province / "targets" / "2026.toml").read_bytes() == before
    assert not (province / "journal").exists()


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"indicators": [{"id": "thu-ngan-sach", "units": {"zz": 1}}]}, 422, 'no unit "zz"'),
        ({"indicators": [{"id": "thu-ngan-sach", "units": {"my-thoi": -1}}]}, 422, "negative"),
        ({"indicators": [{"id": "khong", "units": {}}]}, 422, '"khong"'),
        ({"indicators": [{"id": "thu-ngan-sach", "colour": 1}]}, 422, 'unknown field "colour"'),
        ({"indicators": [], "year": 2025}, 422, "says year = 2025"),
        ({"indicator": []}, 400, '"indicator"'),
        ({}, 400, "documented shape"),  # no indicators: never "erase the assignment"
        ({"year": 2026, "indicators": None}, 400, "documented shape"),
        ([1, 2], 400, "JSON object"),
    ],
)
def test_a_wrong_assignment_is_refused_and_nothing_written(
    server: UvicornThread,
    province: Path,
    tokens: dict[str, str],
    body: object,
    status: int,
    words: str,
) -> None:
    before = (province / "targets" / "2026.toml").read_bytes()
    answer = call(server, "PUT", "/targets/2026", tokens["boss"], body)
    assert answer.status_code == status, answer.text
    assert words in answer.json()["detail"]
    assert (province / "targets" / "2026.toml").read_bytes() == before
    assert not (province / "journal").exists()


def test_a_server_without_accounts_is_read_only(province: Path) -> None:
    srv = UvicornThread(create_app(province, token="t0k3n")).start()
    try:
        assert call(srv, "GET", "/targets/2026", "t0k3n").status_code == 200
        refused = call(srv, "PUT", "/targets/2026", "t0k3n", NEW)
        assert refused.status_code == 403 and refused.json()["code"] == "err.server.read_only"
    finally:
        srv.stop()


def test_basis_goes_with_the_definitions(province: Path, tokens: dict[str, str]) -> None:
    defs = province / "my-thoi" / "chitieu.toml"
    text = defs.read_text(encoding="utf-8")
    marker = 'id = "thu-ngan-sach"\n'
    assert marker in text
    defs.write_text(
        text.replace(marker, marker + 'basis = "Nghị quyết số 05-NQ/ĐU"\n', 1), encoding="utf-8"
    )
    srv = UvicornThread(create_app(province)).start()
    try:
        doc = call(srv, "GET", "/units/my-thoi", tokens["viewer"]).json()
    finally:
        srv.stop()
    thu = next(i for i in doc["indicators"] if i["id"] == "thu-ngan-sach")
    assert thu["basis"] == "Nghị quyết số 05-NQ/ĐU"
    bhyt = next(i for i in doc["indicators"] if i["id"] == "bhyt")
    assert bhyt["basis"] == ""
