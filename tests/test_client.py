"""The API source against the real server and against a misbehaving one, all on 127.0.0.1."""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_server import (
    HostileServer,
    UvicornThread,
    free_port,
    good_documents,
    touch_write,
)

from chitieu_tui.core.errors import SourceError, UsageError
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.periods import Period
from chitieu_tui.core.snapshots import snapshot_files
from chitieu_tui.core.source import View
from chitieu_tui.remote.server import create_app
from chitieu_tui.remote.source import ApiSource, normalize_base_url
from chitieu_tui.report import to_json

pytestmark = pytest.mark.timeout(60)

FAST = {
    "connect_timeout": 0.5,
    "read_timeout": 0.5,
    "deadline": 2.0,
    "once_deadline": 3.0,
    "retries": 1,
    "backoff": 0.01,
    "backoff_max": 0.05,
    "max_retry_after": 0.3,
}
Q1 = Period(2026, 1)


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    server = HostileServer().start()
    yield server
    server.stop()


def snaps(root: Path, period: Period = Q1) -> list[Path]:
    return snapshot_files(root, period)


def assert_stale_like(view: View, good: View) -> None:
    assert view.stale is True
    assert view.stale_since == good.loaded_at
    assert view.board is good.board
    assert view.read_only is True


# -- against the real server -------------------------------------------------------------------


@pytest.mark.parametrize("period", [None, Period(2026, 1), Period(2025, 3), Period(2025, 4)])
async def test_same_report_as_reading_the_files(start, ward: Path, period) -> None:
    srv = start(ward)
    source = ApiSource(srv.url, "my-thoi", **FAST)
    try:
        remote = await source.aload(period)
    finally:
        await source.aclose()
    local = FileSource(ward).load(period)
    assert to_json(remote.board) == to_json(local.board)
    assert [to_json(b) for b in remote.history] == [to_json(b) for b in local.history]
    assert remote.periods == local.periods
    assert remote.read_only and not remote.stale and remote.source_label == f"api:{srv.url}"
    assert source.last_error is None
    assert source.refresh_seconds == 30.0
    if period is None:
        assert remote.board.summary.met == 8 and remote.board.summary.total == 20


async def test_period_without_progress_is_no_data_like_files(start, ward: Path) -> None:
    srv = start(ward)
    source = ApiSource(srv.url, "my-thoi", **FAST)
    view = await source.load_once(Period(2026, 3))
    assert to_json(view.board) == to_json(FileSource(ward).load(Period(2026, 3)).board)
    assert view.board.summary.counts["no_data"] == 20 and view.board.progress is None


async def test_polling_with_etags_returns_the_same_view(hostile: HostileServer) -> None:
    source = ApiSource(hostile.url, "my-thoi", **FAST)
    first = await source.aload(None)
    assert source.changed
    n = len(hostile.requests)
    second = await source.aload(None)
    assert second is first and not source.changed
    conditional = hostile.requests[n:]
    assert conditional and all("if-none-match" in r.headers for r in conditional)
    assert source.checked_at is not None and source.checked_at >= first.loaded_at
    await source.aclose()


async def test_changed_file_shows_and_snapshots_once_per_change(
    start, ward: Path, xdg: Path
) -> None:
    srv = start(ward)
    source = ApiSource(srv.url, "my-thoi", **FAST)
    root = source.snapshot_root
    assert str(root).startswith(str(xdg))
    first = await source.aload(None)
    assert len(snaps(root)) == 1
    assert await source.aload(None) is first
    assert len(snaps(root)) == 1

    path = ward / "progress" / "2026-Q1.toml"
    touch_write(
        path,
        path.read_text(encoding="utf-8").replace("thu-ngan-sach = 32.0", "thu-ngan-sach = 45.25"),
    )
    second = await source.aload(None)
    assert second is not first and source.changed
    ev = second.board.get("thu-ngan-sach")
    assert ev is not None and ev.value == 45.25
    files = snaps(root)
    assert len(files) == 2
    doc = tomllib.loads(files[-1].read_text(encoding="utf-8"))
    assert doc["source"] == f"api:{srv.url}"
    assert await source.aload(None) is second
    assert len(snaps(root)) == 2
    # a new source with the same data reads the last snapshot and writes none
    again = ApiSource(srv.url, "my-thoi", **FAST)
    await again.load_once(None)
    assert len(snaps(root)) == 2
    await source.aclose()


async def test_snapshot_returns_the_automatic_one(start, ward: Path, tmp_path: Path) -> None:
    srv = start(ward)
    folder = tmp_path / "my-snaps"
    source = ApiSource(srv.url, "my-thoi", snapshots=folder, **FAST)
    view = await source.load_once(None)
    auto = snaps(folder)
    assert len(auto) == 1
    assert source.snapshot(view) == auto[0]
    srv.stop()
    stale = await source.load_once(None)
    assert stale.stale
    with pytest.raises(SourceError):
        source.snapshot(stale)


async def test_token(start, ward: Path, tmp_path: Path, monkeypatch) -> None:
    token = "tok-7f3a-very-secret"
    srv = start(ward, token=token)
    folder = tmp_path / "snaps"
    missing = ApiSource(srv.url, "my-thoi", snapshots=folder, **FAST)
    with pytest.raises(SourceError) as err:
        await missing.load_once(None)
    assert "CHITIEU_API_TOKEN" in str(err.value) and "401" in str(err.value)
    wrong = ApiSource(srv.url, "my-thoi", snapshots=folder, token="wrong-token", **FAST)
    with pytest.raises(SourceError) as err:
        await wrong.load_once(None)
    assert "refused" in str(err.value) and "wrong-token" not in str(err.value)

    monkeypatch.setenv("CHITIEU_API_TOKEN", token)
    source = ApiSource(srv.url, "my-thoi", snapshots=folder, **FAST)
    view = await source.load_once(None)
    assert not view.stale and token not in repr(source)
    files = list(folder.rglob("*.toml"))
    assert files and all(token not in f.read_text(encoding="utf-8") for f in files)

    srv.stop()
    stale = ApiSource(srv.url, "my-thoi", snapshots=folder, **FAST)
    view = await stale.load_once(None)
    assert view.stale
    assert token not in str(stale.last_error)


async def test_server_dying_mid_session(start, ward: Path) -> None:
    srv = start(ward)
    source = ApiSource(srv.url, "my-thoi", **FAST)
    good = await source.aload(None)
    srv.stop()
    stale = await source.aload(None)
    assert_stale_like(stale, good)
    err = source.last_error
    assert isinstance(err, SourceError)
    assert srv.url in str(err) and "connect" in str(err)
    assert "Traceback" not in str(err)
    # still failing: the same stale view, no repaint
    assert await source.aload(None) is stale and not source.changed
    await source.aclose()


async def test_recovers_after_the_server_is_back(hostile: HostileServer) -> None:
    source = ApiSource(hostile.url, "my-thoi", **FAST)
    good = await source.aload(None)
    hostile.mode = "error500"
    stale = await source.aload(None)
    assert stale.stale and source.last_error is not None
    hostile.mode = "ok"
    back = await source.aload(None)
    assert back is good and not back.stale and source.last_error is None and source.changed
    await source.aclose()


# -- faults --------------------------------------------------------------------------------------

FAULTS = [
    ("trickle", "too slow"),
    ("huge", "larger than 5 MiB"),
    ("huge_declared", "larger than 5 MiB"),
    ("html", "HTML"),
    ("truncated", "JSON"),
    ("cut", "closed the connection"),
    ("wrong_shape", "wrong shape"),
    ("error500", "500 Internal Server Error"),
    ("unauthorized", "CHITIEU_API_TOKEN"),
    ("drop", "closed the connection"),
    ("redirect_away", "another host"),
]


@pytest.mark.timeout(30)
@pytest.mark.parametrize(("mode", "words"), FAULTS)
async def test_fault_keeps_last_good_data(hostile: HostileServer, mode: str, words: str) -> None:
    source = ApiSource(hostile.url, "my-thoi", **FAST)
    good = await source.aload(None)
    hostile.mode = mode
    # forget the ETags, so that every request gets a full (bad) answer
    source._http.cache.clear()
    stale = await source.aload(None)
    assert_stale_like(stale, good)
    err = source.last_error
    assert isinstance(err, SourceError)
    assert stale.warnings[0] is err  # the TUI notifies view warnings; so it says why
    text = str(err)
    assert words in text
    assert hostile.url in text
    assert "Traceback" not in text and "\x1b" not in text
    await source.aclose()


@pytest.mark.timeout(30)
@pytest.mark.parametrize(("mode", "words"), FAULTS)
async def test_fault_at_start_without_snapshot_raises(
    hostile: HostileServer, mode: str, words: str
) -> None:
    hostile.mode = mode
    source = ApiSource(hostile.url, "my-thoi", **FAST)
    with pytest.raises(SourceError) as err:
        await source.aload(None)
    assert words in str(err.value) and hostile.url in str(err.value)
    assert "no snapshot" in str(err.value) and "saved" in str(err.value)
    assert source.last_error is err.value
    await source.aclose()


async def test_error500_detail_is_cleaned(hostile: HostileServer) -> None:
    hostile.mode = "error500"
    source = ApiSource(hostile.url, "my-thoi", **FAST)
    with pytest.raises(SourceError) as err:
        await source.load_once(None)
    assert "database [31mexploded" in str(err.value) or "database exploded" in str(err.value)
    assert "\x1b" not in str(err.value)


async def test_429_retry_after_is_honoured(hostile: HostileServer) -> None:
    hostile.mode = "busy429"
    hostile.busy_count = 2
    hostile.retry_after = "0.05"
    source = ApiSource(hostile.url, "my-thoi", **{**FAST, "retries": 3})
    view = await source.load_once(None)
    assert not view.stale
    assert hostile.busy_count == 0


async def test_429_retry_after_is_capped(hostile: HostileServer) -> None:
    hostile.mode = "busy429"
    hostile.busy_count = 1
    hostile.retry_after = "3600"
    source = ApiSource(hostile.url, "my-thoi", **{**FAST, "retries": 2})
    view = await source.load_once(None)
    assert not view.stale


async def test_429_without_end_gives_up(hostile: HostileServer) -> None:
    source = ApiSource(hostile.url, "my-thoi", **FAST)
    good = await source.aload(None)
    hostile.mode = "busy429"
    hostile.busy_count = 10_000
    stale = await source.aload(None)
    assert_stale_like(stale, good)
    assert "429" in str(source.last_error)
    await source.aclose()


async def test_retries_connection_failures_then_succeeds(hostile: HostileServer) -> None:
    calls = {"n": 0}
    docs = good_documents()

    def flaky(req):
        calls["n"] += 1
        if calls["n"] == 1:
            return 503, {"Content-Type": "text/plain"}, b"starting"
        import json

        body = json.dumps(docs.get(req.path, {})).encode()
        return (200 if req.path in docs else 404), {"Content-Type": "application/json"}, body

    hostile.handler = flaky
    source = ApiSource(hostile.url, "my-thoi", **FAST)
    view = await source.load_once(None)
    assert not view.stale and view.board.summary.met == 8


async def test_connection_refused_at_start(xdg: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    source = ApiSource(url, "my-thoi", **FAST)
    with pytest.raises(SourceError) as err:
        await source.load_once(None)
    assert url in str(err.value) and "cannot connect" in str(err.value)


async def test_started_offline_opens_the_newest_snapshot(start, ward: Path) -> None:
    srv = start(ward)
    online = ApiSource(srv.url, "my-thoi", **FAST)
    for period in [Period(2025, 4), Period(2026, 1)]:
        await online.aload(period)
    await online.aclose()
    good = FileSource(ward).load(None)
    srv.stop()

    source = ApiSource(srv.url, "my-thoi", **FAST)
    view = await source.aload(None)
    assert view.stale and view.period == Q1
    assert view.stale_since is not None and view.stale_since.tzinfo is not None
    assert to_json(view.board) == to_json(good.board)
    assert [b.period for b in view.history] == [Period(2025, 4), Q1]
    assert isinstance(source.last_error, SourceError)
    # asking for a period with no snapshot: nothing to show, a clear error
    with pytest.raises(SourceError) as err:
        await source.aload(Period(2025, 2))
    assert "2025-Q2" in str(err.value)
    await source.aclose()


async def test_hostile_text_is_cleaned_and_markup_stays_literal(hostile: HostileServer) -> None:
    hostile.mode = "hostile_text"
    source = ApiSource(hostile.url, "my-thoi", **FAST)
    view = await source.load_once(None)
    name = view.board.definitions.unit.name
    assert name.startswith("Phường") and "[@click=app.quit]x[/]" in name
    for bad in ("\x1b", "\x07", "\x9b"):
        assert bad not in name
    ev = view.board.get("hoc-tap-nghi-quyet")
    assert ev is not None and "\x1b" not in ev.note and "[@click=app.quit]x[/]" in ev.note


async def test_wrong_unit_from_server(hostile: HostileServer) -> None:
    docs = good_documents()
    hostile.documents = {k.replace("my-thoi", "other"): v for k, v in docs.items()}
    source = ApiSource(hostile.url, "other", **FAST)
    with pytest.raises(SourceError) as err:
        await source.load_once(None)
    assert '"my-thoi"' in str(err.value)


async def test_unknown_unit_is_a_clear_error(start, ward: Path) -> None:
    srv = start(ward)
    source = ApiSource(srv.url, "nowhere", **FAST)
    with pytest.raises(SourceError) as err:
        await source.load_once(None)
    assert "404" in str(err.value) and "nowhere" in str(err.value)


async def test_same_host_redirect_is_followed(hostile: HostileServer) -> None:
    hostile.mode = "redirect_same"
    source = ApiSource(hostile.url + "/moved", "my-thoi", **FAST)
    view = await source.load_once(None)
    assert not view.stale and view.board.summary.met == 8


async def test_server_without_periods_endpoint(hostile: HostileServer) -> None:
    hostile.documents = {k: v for k, v in good_documents().items() if not k.endswith("/periods")}
    source = ApiSource(hostile.url, "my-thoi", **FAST)
    view = await source.aload(None)
    assert view.period == Q1 and not view.stale
    assert view.periods[-1] == Q1
    await source.aclose()


async def test_refresh_seconds_from_definitions(hostile: HostileServer) -> None:
    docs = good_documents()
    docs["/api/v1/units/my-thoi"]["dashboard"]["refresh_seconds"] = 7
    hostile.documents = docs
    source = ApiSource(hostile.url, "my-thoi", **FAST)
    assert source.refresh_seconds == 30.0
    await source.load_once(None)
    assert source.refresh_seconds == 7.0


def test_base_url_and_unit_checks() -> None:
    assert normalize_base_url("http://127.0.0.1:8765/") == "http://127.0.0.1:8765"
    assert normalize_base_url("http://127.0.0.1:8765/api/v1/") == "http://127.0.0.1:8765"
    assert normalize_base_url(" https://example.org/chitieu ") == "https://example.org/chitieu"
    for bad in ["ftp://x", "127.0.0.1:8765", "http://u:p@h", "http://h/?t=1", "http://h:99999"]:
        with pytest.raises(UsageError):
            ApiSource(bad, "my-thoi")
    for unit in ["../etc", "MY", "a/b", ""]:
        with pytest.raises(UsageError):
            ApiSource("http://127.0.0.1:1", unit)
    source = ApiSource("http://127.0.0.1:1/", "my-thoi")
    assert source.label == "api:http://127.0.0.1:1" and source.url == "http://127.0.0.1:1"
    assert source.preload(None) is None and source.origin.read_only


async def test_cancelled_refresh_leaves_a_consistent_source(hostile: HostileServer) -> None:
    import asyncio

    source = ApiSource(hostile.url, "my-thoi", **FAST)
    first = await source.aload(None)
    hostile.documents["/api/v1/units/my-thoi/progress/2026-Q1"]["values"]["bhyt"] = 93.0
    hostile.mode = "trickle"
    task = asyncio.create_task(source.aload(None))
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    hostile.mode = "ok"
    second = await source.aload(None)
    assert second is not first and not second.stale
    ev = second.board.get("bhyt")
    assert ev is not None and ev.value == 93.0
    await source.aclose()


async def test_server_without_etags_still_gives_the_same_view(hostile: HostileServer) -> None:
    import json

    docs = good_documents()
    docs["/api/v1/units/my-thoi/progress/2026-Q1"]["values"]["khong-co-chi-tieu"] = 1

    def no_etag(req):
        if req.path not in docs:
            return 404, {"Content-Type": "application/problem+json"}, b"{}"
        return 200, {"Content-Type": "application/json"}, json.dumps(docs[req.path]).encode()

    hostile.handler = no_etag
    source = ApiSource(hostile.url, "my-thoi", **FAST)
    first = await source.aload(None)
    assert await source.aload(None) is first
    assert any("khong-co-chi-tieu" in str(w) for w in first.warnings)
    assert all("if-none-match" not in r.headers for r in hostile.requests)
    await source.aclose()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
async def test_tls_is_always_verified(ward: Path, tmp_path: Path) -> None:
    import subprocess

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    srv = UvicornThread(create_app(ward), ssl_certfile=str(cert), ssl_keyfile=str(key)).start()
    try:
        source = ApiSource(f"https://127.0.0.1:{srv.port}", "my-thoi", **FAST)
        with pytest.raises(SourceError) as err:
            await source.load_once(None)
        assert "certificate" in str(err.value) and "not trusted" in str(err.value)
    finally:
        srv.stop()
