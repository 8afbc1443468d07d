"""Tamper evidence over the API (issue 20 item 7 over --api): the server computes the mark of
a quarter changed after approval or by hand after closing (`tamper` in the progress
document), so a view over the API marks what a view of the folder marks; and `chitieu verify
--api` runs core/verify.py on the server. Real servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from datadirs import enter
from hostile_server import UvicornThread, make_ward

from chitieu_tui.cli import main
from chitieu_tui.core.chain import AFTER_APPROVAL, HAND_AFTER_CLOSE, tamper_mark
from chitieu_tui.core.datadir import DataDir
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.periods import Period
from chitieu_tui.core.requests import Approve, Close
from chitieu_tui.core.users import add_user
from chitieu_tui.remote.server import create_app
from chitieu_tui.remote.source import ApiSource

pytestmark = pytest.mark.timeout(120)
UNIT = "my-thoi"
Q1 = Period(2026, 1)


def _worked(root: Path) -> Path:
    enter(root, Q1, "ket-nap-dang-vien", "7", by="Lan")
    enter(root, Q1, "ket-nap-dang-vien", "8", by="Lan")
    return root


def _close(root: Path) -> None:
    DataDir(root).write([Close(period=Q1, reason="giao ban", by="Chủ tịch")])


def _approve(root: Path) -> None:
    DataDir(root).write([Approve(period=Q1, note="đạt", by="Tỉnh")])


def _edit_by_hand(root: Path) -> None:
    path = root / "progress" / "2026-Q1.toml"
    text = path.read_text("utf-8")
    assert "value = 8," in text
    path.write_text(text.replace("value = 8,", "value = 9,"), "utf-8")


@pytest.fixture
def province(tmp_path: Path) -> Path:
    """Two units served from one root, with an editor of my-thoi, a viewer of both and an
    editor of an-hoa only."""
    root = tmp_path / "root"
    _worked(make_ward(root / UNIT))
    enter(make_ward(root / "an-hoa", "an-hoa", "Phường An Hòa"), Q1, "bhyt", "91", by="Minh")
    return root


@pytest.fixture
def tokens(province: Path) -> dict[str, str]:
    path = province / "users.toml"
    return {
        "editor": add_user(path, "edi", "editor", [UNIT], "Ms editor"),
        "viewer": add_user(path, "vie", "viewer", ["*"], "Ms viewer"),
        "other": add_user(path, "oth", "editor", ["an-hoa"], "Mr other"),
    }


@pytest.fixture
def server(province: Path, tokens: dict[str, str]) -> Iterator[UvicornThread]:
    srv = UvicornThread(create_app(province)).start()
    yield srv
    srv.stop()


def _marks(root: Path, url: str, token: str) -> tuple[str | None, str | None]:
    """The mark of 2026-Q1 from the folder and over the API."""
    file_view = FileSource(root).load(Q1, history=0)
    api = ApiSource(url, UNIT, snapshots=root.parent / "snaps", token=token)
    api_view = api.load(Q1, history=0)
    return tamper_mark(file_view.board.progress), tamper_mark(api_view.board.progress)


@pytest.mark.parametrize(
    ("approved", "role", "mark"),
    [(True, "viewer", AFTER_APPROVAL), (False, "editor", HAND_AFTER_CLOSE)],
)
def test_a_quarter_edited_by_hand_is_marked_alike_over_the_api(
    province: Path,
    server: UvicornThread,
    tokens: dict[str, str],
    approved: bool,
    role: str,
    mark: str,
) -> None:
    ward = province / UNIT
    _close(ward)
    if approved:
        _approve(ward)
    assert _marks(ward, server.url, tokens[role]) == (None, None)
    _edit_by_hand(ward)
    assert _marks(ward, server.url, tokens[role]) == (mark, mark)


def test_the_progress_document_carries_the_servers_verdict_not_the_digest(
    province: Path, server: UvicornThread, tokens: dict[str, str]
) -> None:
    import httpx

    ward = province / UNIT
    _close(ward)
    url = f"{server.url}/api/v1/units/{UNIT}/progress/2026-Q1"
    headers = {"Authorization": f"Bearer {tokens['viewer']}"}
    assert httpx.get(url, headers=headers).json()["tamper"] is None
    _edit_by_hand(ward)
    doc = httpx.get(url, headers=headers).json()
    assert doc["tamper"] == "hand_after_close"
    assert "digest" not in doc["closed"]  # the closing's digest stays on the server
    bulk = httpx.get(f"{server.url}/api/v1/progress/2026-Q1", headers=headers).json()
    marks = {u["unit"]: (u["progress"] or {}).get("tamper") for u in bulk["units"]}
    assert marks == {UNIT: "hand_after_close", "an-hoa": None}


@pytest.mark.timeout(90)
async def test_the_header_shows_the_same_mark_from_the_folder_and_over_the_api(
    province: Path, server: UvicornThread, tokens: dict[str, str]
) -> None:
    from tuikit import RecordingApp, dash, settle

    from chitieu_tui.widgets import HeaderBar

    ward = province / UNIT
    _close(ward)
    _approve(ward)
    _edit_by_hand(ward)
    shown = []
    for source in (
        FileSource(ward),
        ApiSource(server.url, UNIT, snapshots=province.parent / "s", token=tokens["viewer"]),
    ):
        app = RecordingApp(source)
        async with app.run_test(size=(160, 40)) as pilot:
            await settle(pilot)
            shown.append(str(dash(app).query_one(HeaderBar).render()))
    assert all("⚠ sửa sau khi duyệt" in s for s in shown), shown


def test_the_rollup_over_the_api_carries_the_mark(
    province: Path, server: UvicornThread, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from chitieu_tui.cli.sources import load_collection
    from chitieu_tui.present.rollup import unit_rows
    from chitieu_tui.remote.collection import api_collection

    ward = province / UNIT
    _close(ward)
    _edit_by_hand(ward)
    monkeypatch.setenv("CHITIEU_API_TOKEN", tokens["viewer"])
    collection = api_collection(server.url, snapshots=province.parent / "snaps")
    load_collection(collection, Q1)
    rows = {r.member.unit_id: r.mark for r in unit_rows(collection, [])}
    assert rows == {UNIT: "sửa tay sau khi chốt", "an-hoa": ""}


# --- chitieu verify --api -------------------------------------------------------------------


def _verify(*argv: str) -> int:
    try:
        return main(["verify", "--lang", "en", *argv])
    except SystemExit as exc:
        return int(exc.code or 0)


def test_verify_over_the_api_is_ok_then_names_the_first_broken_entry(
    province: Path,
    server: UvicornThread,
    tokens: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CHITIEU_API_TOKEN", tokens["viewer"])
    api = ["--api", server.url, "--unit", UNIT]
    assert _verify(*api) == 0
    assert "OK" in capsys.readouterr().out
    jpath = province / UNIT / "journal" / "2026-Q1.toml"
    jpath.write_text(jpath.read_text("utf-8").replace('by = "Lan"', 'by = "Lam"', 1), "utf-8")
    before = jpath.read_bytes()
    assert _verify(*api, "--period", "2026-Q1") == 1
    out = capsys.readouterr().out
    assert f"{UNIT}/journal/2026-Q1.toml:" in out
    assert "does not follow the entry before it" in out
    assert "1 of 1 quarters do not verify" in out
    assert str(province) not in out  # no server path
    assert jpath.read_bytes() == before  # reading never writes
    # the same words as verify on the folder itself
    assert (
        main(["verify", "--lang", "en", "--config", str(province / UNIT), "--period", "2026-Q1"])
        == 1
    )
    local = capsys.readouterr().out
    assert local.split("journal/2026-Q1.toml:")[1] == out.split("journal/2026-Q1.toml:")[1]


def test_verify_a_value_changed_after_approval_over_the_api(
    province: Path,
    server: UvicornThread,
    tokens: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ward = province / UNIT
    _close(ward)
    _approve(ward)
    _edit_by_hand(ward)
    monkeypatch.setenv("CHITIEU_API_TOKEN", tokens["editor"])
    assert main(["verify", "--lang", "vi", "--api", server.url, "--unit", UNIT]) == 1
    out = capsys.readouterr().out
    assert f"{UNIT}/progress/2026-Q1.toml:" in out


def test_verify_every_unit_the_account_reads_over_the_api(
    province: Path,
    server: UvicornThread,
    tokens: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _edit_by_hand(province / UNIT)  # open quarter: the journal disagrees with the file
    monkeypatch.setenv("CHITIEU_API_TOKEN", tokens["viewer"])
    assert _verify("--api", server.url) == 1
    out = capsys.readouterr().out
    assert "an-hoa" in out and "ket-nap-dang-vien is 9" in out
    assert "1 of 2 units do not verify" in out
    monkeypatch.setenv("CHITIEU_API_TOKEN", tokens["other"])  # an editor of an-hoa alone
    assert _verify("--api", server.url) == 0
    out = capsys.readouterr().out
    assert "all 1 units" in out and UNIT not in out


def test_verify_of_a_unit_the_account_may_not_read_is_refused(
    province: Path,
    server: UvicornThread,
    tokens: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import httpx

    monkeypatch.setenv("CHITIEU_API_TOKEN", tokens["other"])
    assert _verify("--api", server.url, "--unit", UNIT) == 1
    assert "2026" not in capsys.readouterr().out
    url = f"{server.url}/api/v1/units/{UNIT}/verify"
    assert httpx.get(url, headers={"Authorization": f"Bearer {tokens['other']}"}).status_code == 404
    assert httpx.get(url).status_code == 401
    bad = httpx.get(
        f"{url}?period=2026-Q9", headers={"Authorization": f"Bearer {tokens['viewer']}"}
    )
    assert bad.status_code == 400


def test_verify_does_not_read_a_journal_linked_outside_the_served_folder(
    province: Path, server: UvicornThread, tokens: dict[str, str], tmp_path: Path
) -> None:
    import httpx

    outside = tmp_path / "secret.toml"
    jpath = province / UNIT / "journal" / "2026-Q1.toml"
    outside.write_bytes(jpath.read_bytes().replace(b'by = "Lan"', b'by = "SECRET"'))
    jpath.unlink()
    jpath.symlink_to(outside)
    url = f"{server.url}/api/v1/units/{UNIT}/verify?period=2026-Q1"
    doc = httpx.get(url, headers={"Authorization": f"Bearer {tokens['viewer']}"}).json()
    (finding,) = doc["findings"]
    assert finding["state"] == "broken" and finding["problem"]["code"] == "verify.outside"
    assert "SECRET" not in str(doc) and str(tmp_path) not in str(doc)


def test_verify_never_sends_a_token_over_plain_http_beyond_loopback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHITIEU_API_TOKEN", "a-token-of-32-characters-or-more-x")
    assert _verify("--api", "http://192.0.2.1:8765", "--unit", UNIT) == 2
    assert _verify("--api", "http://192.0.2.1:8765") == 2
    assert "a-token" not in capsys.readouterr().err
