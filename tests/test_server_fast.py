"""serve's fast path: an unchanged file is answered without a thread, a changed one is read."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hostile_server import UvicornThread, make_ward

from chitieu_tui.remote import server as srv
from chitieu_tui.remote.server import routes

pytestmark = pytest.mark.timeout(60)
API = "/api/v1"


@pytest.fixture
def district(tmp_path: Path) -> Path:
    """Two wards, the folders older than the listing's 2-second trust window."""
    root = tmp_path / "district"
    root.mkdir()
    make_ward(root / "ward-a", "my-thoi")
    make_ward(root / "ward-b", "an-phu")
    old = os.stat(root).st_mtime - 10
    os.utime(root, (old, old))
    return root


@pytest.fixture
def threads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the requests that went to a worker thread."""
    count = [0]
    real = routes._to_thread

    async def counted(work: Any) -> Any:
        count[0] += 1
        return await real(work)

    monkeypatch.setattr(routes, "_to_thread", counted)
    return count


@pytest.fixture
def url(district: Path) -> Iterator[str]:
    server = UvicornThread(srv.create_app(district, read_bound=2)).start()
    try:
        yield server.url + API
    finally:
        server.stop()


def _bump(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_unchanged_files_are_answered_without_a_thread(
    district: Path, url: str, threads: list[int]
) -> None:
    with httpx.Client(timeout=5) as http:
        first = http.get(url + "/units/my-thoi/progress/2026-Q1")
        assert first.status_code == 200
        used = threads[0]
        for _ in range(5):
            again = http.get(url + "/units/my-thoi/progress/2026-Q1")
            assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
        tag = {"If-None-Match": first.headers["etag"]}
        assert http.get(url + "/units/my-thoi/progress/2026-Q1", headers=tag).status_code == 304
        unit = http.get(url + "/units/an-phu")
        assert http.get(url + "/units/an-phu").content == unit.content
        assert threads[0] == used + 1  # the unit's first read only

        # a changed progress file is read again and its new body served
        _bump(district / "ward-a" / "progress" / "2026-Q1.toml", "schema = 1", "schema = 1 ")
        after = http.get(url + "/units/my-thoi/progress/2026-Q1")
        assert after.status_code == 200 and threads[0] == used + 2
        # a changed id moves the unit: the old id is no longer served from the cache
        path = district / "ward-a" / "chitieu.toml"
        _bump(path, '"my-thoi"', '"my-thoi-2"')
        for progress in (district / "ward-a" / "progress").glob("*.toml"):
            _bump(progress, '"my-thoi"', '"my-thoi-2"')
        assert http.get(url + "/units/my-thoi/progress/2026-Q1").status_code == 404
        assert http.get(url + "/units/my-thoi-2/progress/2026-Q1").status_code == 200


def test_a_removed_file_is_not_served_from_the_cache(district: Path, url: str) -> None:
    with httpx.Client(timeout=5) as http:
        assert http.get(url + "/units/an-phu/progress/2026-Q1").status_code == 200
        (district / "ward-b" / "progress" / "2026-Q1.toml").unlink()
        assert http.get(url + "/units/an-phu/progress/2026-Q1").status_code == 404
