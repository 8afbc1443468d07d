"""The write routes (DESIGN section 12) under a real uvicorn on 127.0.0.1: the rights matrix,
identity from the account, optimistic concurrency (412), closed quarters (409)."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
import servers
from hostile_server import UvicornThread
from servers import API, FOREIGN, OWN, ROLES, call

from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.journal import read_journal
from chitieu_tui.core.periods import Period
from chitieu_tui.core.requests import Close
from chitieu_tui.remote.server import create_app

pytestmark = pytest.mark.timeout(60)
Q1 = Period(2026, 1)
IND = "ket-nap-dang-vien"  # 6 in the sample's 2026-Q1


province, tokens, server = servers.province, servers.tokens, servers.server


def journal(root: Path) -> list:
    return read_journal(root / "journal" / f"{Q1}.toml")


def close_locally(ward: Path) -> None:
    FileSource(ward).write([Close(period=Q1, reason="chốt", by="local")], snapshot=False)


# route name -> (method, path, body, query)
ROUTES: dict[str, tuple[str, str, object, dict[str, str]]] = {
    "put": ("PUT", f"/units/{{unit}}/progress/{Q1}/values/{IND}", {"value": 7}, {}),
    "delete": ("DELETE", f"/units/{{unit}}/progress/{Q1}/values/{IND}", None, {}),
    "close": ("POST", f"/units/{{unit}}/progress/{Q1}/close", {"reason": "đủ số"}, {}),
    "reopen": ("POST", f"/units/{{unit}}/progress/{Q1}/reopen", {"reason": "sửa"}, {}),
    "bulk": (
        "POST",
        f"/units/{{unit}}/progress/{Q1}/values",
        {"values": [{"id": IND, "value": 7}, {"id": "dang-vien", "value": 1431}]},
        {},
    ),
}
ALLOWED = {
    "editor": {"put", "delete", "close", "reopen", "bulk"},
    "approver": set(),
    "viewer": set(),
}


@pytest.mark.parametrize("role", [*ROLES, "all"])
@pytest.mark.parametrize("route", list(ROUTES))
def test_every_write_route_every_role_own_and_foreign(
    province: Path, server: UvicornThread, tokens: dict[str, str], role: str, route: str
) -> None:
    method, path, body, query = ROUTES[route]
    if route == "reopen":
        close_locally(province / "ward-a")
        close_locally(province / "ward-b")
    before_a = (province / "ward-a" / "progress" / f"{Q1}.toml").read_bytes()
    before_b = (province / "ward-b" / "progress" / f"{Q1}.toml").read_bytes()
    token = tokens[role]
    foreign = call(server, method, path.format(unit=FOREIGN), token, body, **query)
    missing = call(server, method, path.format(unit="no-such-unit"), token, body, **query)
    own = call(server, method, path.format(unit=OWN), token, body, **query)
    if role == "all":  # a viewer of every unit: both its own, neither writable
        assert foreign.status_code == own.status_code == 403
        assert foreign.json()["code"] == "err.server.role_cannot"
    else:
        assert foreign.status_code == missing.status_code == 404
        assert foreign.json()["code"] == missing.json()["code"] == "err.server.unknown_unit"
        assert foreign.text.replace(FOREIGN, "X") == missing.text.replace("no-such-unit", "X")
    assert (province / "ward-b" / "progress" / f"{Q1}.toml").read_bytes() == before_b
    if role in ALLOWED and route in ALLOWED[role]:
        assert own.status_code == 200, own.text
        assert own.json()["unit"] == OWN
        last = journal(province / "ward-a")[-1]
        assert (last.by, last.account) == ("Ms editor", "edi")
    else:
        assert own.status_code == 403, own.text
        assert own.json()["code"] == "err.server.role_cannot"
        assert (province / "ward-a" / "progress" / f"{Q1}.toml").read_bytes() == before_a


@pytest.mark.parametrize("route", list(ROUTES))
def test_without_accounts_the_server_stays_read_only(province: Path, route: str) -> None:
    method, path, body, query = ROUTES[route]
    srv = UvicornThread(create_app(province, token=None)).start()
    try:
        resp = call(srv, method, path.format(unit=OWN), None, body, **query)
    finally:
        srv.stop()
    assert resp.status_code == 403
    assert resp.json()["code"] == "err.server.read_only"


def test_a_forged_by_is_ignored_and_the_account_recorded(
    province: Path, server: UvicornThread, tokens: dict[str, str]
) -> None:
    path = f"/units/{OWN}/progress/{Q1}/values/{IND}"
    resp = call(server, "PUT", path, tokens["editor"], {"value": 9, "note": "n", "by": "Mallory"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["values"][IND] == {
        "value": 9,
        "note": "n",
        "by": "Ms editor",
        "at": resp.json()["values"][IND]["at"],
    }
    last = journal(province / "ward-a")[-1]
    assert (last.by, last.account, last.new) == ("Ms editor", "edi", 9)
    assert "Mallory" not in (province / "ward-a" / "progress" / f"{Q1}.toml").read_text()
    # the journal as the API publishes it names the account
    got = call(server, "GET", f"/units/{OWN}/journal/{Q1}", tokens["viewer"]).json()
    assert got["changes"][-1]["account"] == "edi"


def test_expect_mismatch_is_412_with_the_current_entry(
    province: Path, server: UvicornThread, tokens: dict[str, str]
) -> None:
    path = f"/units/{OWN}/progress/{Q1}/values/{IND}"
    before = (province / "ward-a" / "progress" / f"{Q1}.toml").read_bytes()
    resp = call(server, "PUT", path, tokens["editor"], {"value": 8, "expect": 5}, lang="vi")
    assert resp.status_code == 412
    assert resp.json()["code"] == "err.entry.conflict"
    assert resp.json()["current"] == 6
    assert resp.json()["title"] == "Điều kiện không còn đúng"
    assert (province / "ward-a" / "progress" / f"{Q1}.toml").read_bytes() == before
    gone = call(server, "DELETE", path, tokens["editor"], expect="null")
    assert gone.status_code == 412 and gone.json()["current"] == 6
    # the entry seen: written; then the same write again changes nothing
    ok = call(server, "PUT", path, tokens["editor"], {"value": 8, "expect": {"value": 6}})
    assert ok.status_code == 200, ok.text
    n = len(journal(province / "ward-a"))
    again = call(server, "PUT", path, tokens["editor"], {"value": 8})
    assert again.status_code == 200
    assert len(journal(province / "ward-a")) == n
    removed = call(server, "DELETE", path, tokens["editor"], expect="8")
    assert removed.status_code == 200 and IND not in removed.json()["values"]


def test_a_closed_quarter_is_409_and_the_checks_of_set_apply(
    province: Path, server: UvicornThread, tokens: dict[str, str]
) -> None:
    path = f"/units/{OWN}/progress/{Q1}/values/{IND}"
    editor = tokens["editor"]
    too_big = call(server, "PUT", path, editor, {"value": 10_000})
    assert too_big.status_code == 422 and too_big.json()["code"] == "err.entry.implausible"
    assert call(server, "PUT", path, editor, {"value": 1.5}).status_code == 422
    assert call(server, "PUT", path, editor, {"value": "7,0"}, lang="vi").status_code == 200
    unknown = call(server, "PUT", f"/units/{OWN}/progress/{Q1}/values/nope", editor, {"value": 1})
    assert unknown.status_code == 422
    closed = call(server, "POST", f"/units/{OWN}/progress/{Q1}/close", editor, {"reason": "đủ"})
    assert closed.status_code == 200 and closed.json()["closed"]["by"] == "Ms editor"
    refused = call(server, "PUT", path, editor, {"value": 8})
    assert refused.status_code == 409 and refused.json()["code"] == "err.closed.refused"
    again = call(server, "POST", f"/units/{OWN}/progress/{Q1}/close", editor, {"reason": "x"})
    assert again.status_code == 409
    no_reason = call(server, "POST", f"/units/{OWN}/progress/{Q1}/reopen", editor, {"reason": ""})
    assert no_reason.status_code == 422
    reopened = call(server, "POST", f"/units/{OWN}/progress/{Q1}/reopen", editor, {"reason": "s"})
    assert reopened.status_code == 200 and reopened.json()["closed"] is None


@pytest.mark.parametrize(
    "body",
    [[1], {"value": None}, {"note": "x"}, {"value": 1, "who": "x"}, {"value": 1, "confirm": 1}],
)
def test_bad_bodies_are_400(server: UvicornThread, tokens: dict[str, str], body: object) -> None:
    path = f"/units/{OWN}/progress/{Q1}/values/{IND}"
    resp = call(server, "PUT", path, tokens["editor"], body)
    assert resp.status_code == 400, resp.text
    with httpx.Client() as client:
        raw = client.put(
            server.url + API + path,
            content=b"{nope",
            headers={"Authorization": f"Bearer {tokens['editor']}"},
        )
    assert raw.status_code == 400 and raw.json()["code"] == "err.server.bad_json"


def test_refused_writes_are_logged_with_account_and_unit_never_the_token(
    server: UvicornThread, tokens: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    from chitieu_tui.remote.server import problems

    caplog.set_level(logging.WARNING, logger="chitieu.serve")
    old = problems._LOG_LANG[0]
    problems._LOG_LANG[0] = "en"
    try:
        path = f"/units/{OWN}/progress/{Q1}/values/{IND}"
        assert call(server, "PUT", path, tokens["viewer"], {"value": 7}).status_code == 403
        assert (
            call(server, "PUT", path, tokens["editor"], {"value": 7, "expect": 1}).status_code
            == 412
        )
        assert call(server, "PUT", path, "wrong", {"value": 7}).status_code == 401
    finally:
        problems._LOG_LANG[0] = old
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "account vie" in text and "account edi" in text
    assert "err.entry.conflict" in text and OWN in text
    for token in tokens.values():
        assert token not in text


def test_an_approved_quarter_refuses_every_write_with_409(
    province: Path, server: UvicornThread, tokens: dict[str, str]
) -> None:
    """Values, close and reopen of an approved quarter: 409 with the approval's code, never
    500 (the writer's err.approved.* refusals)."""
    editor, approver = tokens["editor"], tokens["approver"]
    quarter = f"/units/{OWN}/progress/{Q1}"
    assert call(server, "POST", f"{quarter}/close", editor, {"reason": "đủ"}).status_code == 200
    assert call(server, "POST", f"{quarter}/approve", approver, {}).status_code == 200
    value = call(server, "PUT", f"{quarter}/values/{IND}", editor, {"value": 8})
    reopen = call(server, "POST", f"{quarter}/reopen", editor, {"reason": "sửa"})
    close = call(server, "POST", f"{quarter}/close", editor, {"reason": "lại"})
    for answer in (value, reopen, close):
        assert answer.status_code == 409, answer.text
        assert answer.json()["code"].startswith("err.approved."), answer.text
