"""Over `--api` the roll-up's header names the collection (issue 18, item 17): the bulk
answer carries the `name` of the served collection.toml; without one the header shows the
server's URL. Real servers on 127.0.0.1, Pilot for the TUI."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from hostile_server import make_ward
from textual.widgets import Static
from tuikit import RecordingApp, settle

from chitieu_tui.core.collection import Collection
from chitieu_tui.core.datadir import BUNDLED_COLLECTION
from chitieu_tui.remote.collection import api_collection
from chitieu_tui.remote.wire import API_PREFIX

pytestmark = pytest.mark.timeout(90)
SIZE = (120, 40)
NAME = "Tỉnh An Giang (minh họa)"
FAST = {
    "connect_timeout": 0.5,
    "read_timeout": 0.5,
    "deadline": 2.0,
    "retries": 1,
    "backoff": 0.01,
    "backoff_max": 0.05,
}


@pytest.fixture
def province(tmp_path: Path) -> Path:
    root = tmp_path / "province"
    shutil.copytree(BUNDLED_COLLECTION, root)
    return root


def header(app: RecordingApp) -> str:
    return str(app.screen.query_one("#rollup-header", Static).render())


async def _header_over_api(url: str, tmp_path: Path) -> str:
    collection: Collection = api_collection(url, snapshots=tmp_path / "snaps", **FAST)
    app = RecordingApp(None, None, collection=collection)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        return header(app)


def test_the_bulk_answer_names_the_collection(province: Path, start: Callable[..., Any]) -> None:
    server = start(province)
    with httpx.Client(base_url=server.url, timeout=10) as http:
        newest = http.get(f"{API_PREFIX}/progress")
        asked = http.get(f"{API_PREFIX}/progress/2026-Q1")
    assert newest.json()["name"] == asked.json()["name"] == NAME
    assert asked.content.startswith(b'{"period":"2026-Q1","name":')


def test_one_unit_or_no_name_sends_no_name(tmp_path: Path, start: Callable[..., Any]) -> None:
    ward = make_ward(tmp_path / "ward")
    (ward / "collection.toml").write_text('name = "not a collection"\n', encoding="utf-8")
    district = tmp_path / "district"
    make_ward(district / "a")
    (district / "collection.toml").write_text('columns = ["bhyt"]\n', encoding="utf-8")
    for root in (ward, district):
        server = start(root)
        with httpx.Client(base_url=server.url, timeout=10) as http:
            answer = http.get(f"{API_PREFIX}/progress/2026-Q1")
        assert answer.status_code == 200 and "name" not in answer.json()


def test_a_broken_collection_toml_sends_no_name_and_units_still_answer(
    province: Path, start: Callable[..., Any]
) -> None:
    (province / "collection.toml").write_text('name = "unterminated\n', encoding="utf-8")
    server = start(province)
    with httpx.Client(base_url=server.url, timeout=10) as http:
        answer = http.get(f"{API_PREFIX}/progress/2026-Q1")
    assert answer.status_code == 200 and "name" not in answer.json()
    assert len(answer.json()["units"]) == 5


async def test_the_rollup_header_shows_the_collections_name(
    province: Path, start: Callable[..., Any], tmp_path: Path
) -> None:
    server = start(province)
    shown = await _header_over_api(server.url, tmp_path)
    assert shown.startswith(NAME + " · Quý I/2026 · ")
    assert server.url not in shown


async def test_without_a_name_the_header_shows_the_url(
    province: Path, start: Callable[..., Any], tmp_path: Path
) -> None:
    (province / "collection.toml").unlink()
    server = start(province)
    shown = await _header_over_api(server.url, tmp_path)
    assert shown.startswith(server.url.rstrip("/"))
