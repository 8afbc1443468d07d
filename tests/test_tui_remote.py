"""The dashboard on a real `chitieu serve` app: data changing, the server going and coming back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hostile_server import UvicornThread, touch_write
from tuikit import RecordingApp, settle

from chitieu_tui.remote.server import create_app
from chitieu_tui.remote.source import ApiSource
from chitieu_tui.widgets import HeaderBar, SummaryBar

pytestmark = pytest.mark.timeout(90)

FAST = {
    "connect_timeout": 0.5,
    "read_timeout": 0.5,
    "deadline": 2.0,
    "retries": 1,
    "backoff": 0.01,
    "backoff_max": 0.05,
}


def summary(app: RecordingApp) -> str:
    return str(app.screen.query_one(SummaryBar).render())


def header(app: RecordingApp) -> str:
    return str(app.screen.query_one(HeaderBar).render())


async def test_the_dashboard_follows_the_server_down_and_back(
    ward: Path, start: Callable[..., Any], tmp_path: Path
) -> None:
    server = start(ward)
    source = ApiSource(server.url, "my-thoi", snapshots=tmp_path / "snaps", **FAST)
    app = RecordingApp(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "8/20" in summary(app)
        assert "api:http://127.0.0.1" in header(app) and "✓" in header(app)

        # The ward enters a figure: the server's data changes.
        path = ward / "progress" / "2026-Q1.toml"
        touch_write(path, path.read_text().replace("bhyt = 90.0", "bhyt = 96.0"))
        await pilot.press("r")
        await settle(pilot)
        assert "9/20" in summary(app)

        # `e` is refused: the API source is read-only.
        await pilot.press("e")
        await pilot.pause()
        assert any("chỉ đọc" in text for _, text in app.notes)

        # The server goes down: the last good figures stay, marked offline.
        server.stop()
        await pilot.press("r")
        await settle(pilot)
        assert "9/20" in summary(app)
        assert "ngoại tuyến" in header(app)
        assert any(server.url in text for _, text in app.notes)
        assert app.is_running

        # It comes back on the same address: fresh again.
        again = UvicornThread(create_app(ward), port=server.port).start()
        try:
            await pilot.press("r")
            await settle(pilot)
            assert "ngoại tuyến" not in header(app) and "✓" in header(app)
            assert "9/20" in summary(app)
        finally:
            again.stop()
    # Each change of the fetched progress left a snapshot, the offline copy.
    assert len(list((tmp_path / "snaps" / "2026-Q1").glob("*.toml"))) == 2


async def test_started_offline_it_opens_the_newest_snapshot(
    ward: Path, start: Callable[..., Any], tmp_path: Path
) -> None:
    server = start(ward)
    first = ApiSource(server.url, "my-thoi", snapshots=tmp_path / "snaps", **FAST)
    await first.aload(None)  # writes the offline copy
    await first.aclose()
    server.stop()
    app = RecordingApp(ApiSource(server.url, "my-thoi", snapshots=tmp_path / "snaps", **FAST))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "8/20" in summary(app)
        assert "ngoại tuyến" in header(app)
