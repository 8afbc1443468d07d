"""The bulk endpoint (`GET /api/v1/progress[/{period}]`) and the roll-up client that uses it,
against real servers on 127.0.0.1; and the client's fallback to per-unit requests."""

from __future__ import annotations

import asyncio
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from hostile_server import UvicornThread
from starlette.types import ASGIApp, Receive, Scope, Send

from chitieu_tui.core.collection import Collection, open_folder, totals
from chitieu_tui.core.errors import AuthError
from chitieu_tui.core.periods import Period
from chitieu_tui.remote import schema
from chitieu_tui.remote.collection import api_collection
from chitieu_tui.remote.server import create_app
from chitieu_tui.remote.wire import API_PREFIX

pytestmark = pytest.mark.timeout(120)
SAMPLE = Path(__file__).resolve().parents[1] / "src" / "chitieu_tui" / "sample_collection"
TOKEN = "bulk-token-1"
FAST = {
    "connect_timeout": 1.0,
    "read_timeout": 2.0,
    "deadline": 5.0,
    "retries": 1,
    "backoff": 0.01,
    "backoff_max": 0.05,
}


class Counting:
    """ASGI middleware: counts the paths asked (and the answers' statuses, by path)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.paths: Counter[str] = Counter()
        self.statuses: Counter[tuple[str, int]] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        self.paths[path] += 1

        async def noted(message: Any) -> None:
            if message["type"] == "http.response.start":
                self.statuses[(path, message["status"])] += 1
            await send(message)

        await self.app(scope, receive, noted)


@pytest.fixture
def province(tmp_path: Path) -> Path:
    root = tmp_path / "province"
    shutil.copytree(SAMPLE, root)
    return root


@pytest.fixture
def start() -> Iterator[Any]:
    servers: list[UvicornThread] = []

    def run(root: Path, **options: Any) -> tuple[UvicornThread, Counting]:
        app = Counting(create_app(root, **options))
        srv = UvicornThread(app).start()
        servers.append(srv)
        return srv, app

    yield run
    for srv in servers:
        srv.stop()


def load(collection: Collection, period: Period | None = None) -> Collection:
    async def go() -> None:
        try:
            await collection.aload(period)
        finally:
            await collection.aclose()

    asyncio.run(go())
    return collection


def file_totals(root: Path, period: Period) -> list[tuple[str, Any, Any, int]]:
    files = open_folder(root)
    files.load(period)
    return [(t.id, t.value, t.target, t.units) for t in totals(files.boards())]


def test_bulk_answer_shape_etag_and_304(province: Path, start: Any) -> None:
    srv, _ = start(province)
    newest = httpx.get(srv.url + API_PREFIX + "/progress")
    assert newest.status_code == 200
    body = msgspec.json.decode(newest.content, type=schema.BulkProgress)
    assert body.period == "2026-Q1"
    listed = httpx.get(srv.url + API_PREFIX + "/units").json()
    assert [u.unit for u in body.units] == [u["id"] for u in listed]
    my_thoi = next(u for u in body.units if u.unit == "my-thoi")
    own = httpx.get(srv.url + API_PREFIX + "/units/my-thoi/progress/2026-Q1").json()
    assert msgspec.to_builtins(my_thoi.progress) == own
    assert (
        msgspec.to_builtins(my_thoi.definitions)
        == httpx.get(srv.url + API_PREFIX + "/units/my-thoi").json()
    )
    assert my_thoi.earlier == [] and my_thoi.error is msgspec.UNSET
    # the same answer by its period, one ETag for the whole; 304 when it matches
    again = httpx.get(srv.url + API_PREFIX + "/progress/2026-Q1")
    assert again.content == newest.content and again.headers["etag"] == newest.headers["etag"]
    assert again.headers["cache-control"] == "no-cache"
    tag = newest.headers["etag"]
    same = httpx.get(srv.url + API_PREFIX + "/progress/2026-Q1", headers={"If-None-Match": tag})
    assert same.status_code == 304 and not same.content
    # a later quarter: the earlier quarters of the year for the year to date
    data = province / "my-thoi" / "progress"
    (data / "2026-Q2.toml").write_text(
        (data / "2026-Q1.toml").read_text(encoding="utf-8").replace("2026-Q1", "2026-Q2"),
        encoding="utf-8",
    )
    q2 = msgspec.json.decode(
        httpx.get(srv.url + API_PREFIX + "/progress/2026-Q2").content, type=schema.BulkProgress
    )
    entry = next(u for u in q2.units if u.unit == "my-thoi")
    assert entry.progress is not None and [p.period for p in entry.earlier] == ["2026-Q1"]
    assert all(u.progress is None for u in q2.units if u.unit != "my-thoi")
    changed = httpx.get(srv.url + API_PREFIX + "/progress/2026-Q1", headers={"If-None-Match": tag})
    assert changed.status_code == 200  # my-thoi's periods changed: so did its entry
    old = {u.unit: u.etag for u in body.units}
    new = {
        u.unit: u.etag for u in msgspec.json.decode(changed.content, type=schema.BulkProgress).units
    }
    assert [k for k in old if old[k] != new[k]] == ["my-thoi"]
    # a year with its own definitions (years/2025.toml) comes with them
    last_year = httpx.get(srv.url + API_PREFIX + "/progress/2025-Q4").json()
    for u in last_year["units"]:
        assert ("year" in u) == (province / u["unit"] / "years" / "2025.toml").exists()
    assert any("year" in u for u in last_year["units"])
    assert httpx.get(srv.url + API_PREFIX + "/progress/2026-Q5").status_code == 400


def test_a_broken_unit_carries_its_problem(province: Path, start: Any) -> None:
    srv, _ = start(province)
    (province / "binh-duc" / "progress" / "2026-Q1.toml").write_text(
        "values = [\n", encoding="utf-8"
    )
    (province / "chau-doc" / "chitieu.toml").write_text("schema = \n", encoding="utf-8")
    resp = httpx.get(srv.url + API_PREFIX + "/progress/2026-Q1", headers={"Accept-Language": "vi"})
    assert resp.status_code == 200
    body = msgspec.json.decode(resp.content, type=schema.BulkProgress)
    by_unit = {u.unit: u for u in body.units}
    broken = by_unit["binh-duc"]
    assert broken.error is not msgspec.UNSET and broken.error.status == 500
    assert broken.error.code == "err.server.broken_file"
    assert "progress/2026-Q1.toml" in broken.error.detail and str(province) not in resp.text
    assert broken.definitions is msgspec.UNSET and broken.progress is None
    folder = by_unit["chau-doc"]  # chitieu.toml broken: by its folder's name
    assert folder.error is not msgspec.UNSET and "chitieu.toml" in folder.error.detail
    assert by_unit["my-thoi"].progress is not None
    # the client: the broken unit is an error (no offline copy), the others are shown
    c = load(api_collection(srv.url, snapshots=province.parent / "snaps", **FAST))
    errors = {m.key: m.error for m in c.members}
    assert errors["binh-duc"] is not None and "progress/2026-Q1.toml" in errors["binh-duc"].message
    assert errors["my-thoi"] is None and c.bulk is not None


def test_token_is_honoured(province: Path, start: Any) -> None:
    srv, _ = start(province, token=TOKEN)
    denied = httpx.get(srv.url + API_PREFIX + "/progress")
    assert denied.status_code == 401 and denied.json()["code"] == "err.server.token_missing"
    wrong = httpx.get(
        srv.url + API_PREFIX + "/progress/2026-Q1", headers={"Authorization": "Bearer x"}
    )
    assert wrong.status_code == 401
    good = api_collection(srv.url, snapshots=province.parent / "s1", token=TOKEN, **FAST)
    assert all(m.error is None for m in load(good).members) and good.bulk is not None
    with pytest.raises(AuthError):
        load(api_collection(srv.url, snapshots=province.parent / "s2", token="nope", **FAST))


@pytest.mark.parametrize("bulk", [True, False])
def test_totals_over_the_api_equal_the_files(province: Path, start: Any, bulk: bool) -> None:
    """With the bulk route, and against a server without it (404: per-unit requests)."""
    srv, counted = start(province, bulk=bulk)
    c = load(api_collection(srv.url, snapshots=province.parent / "snaps", **FAST))
    assert c.period == Period(2026, 1) and len(c.members) == 5
    assert all(m.error is None and m.view is not None for m in c.members)
    got = [(t.id, t.value, t.target, t.units) for t in totals(c.boards())]
    assert got == file_totals(province, Period(2026, 1))
    if bulk:
        assert c.bulk is not None
        # one bulk request, and the year's assignment (targets/2026.toml, issue 21)
        assert dict(counted.paths) == {API_PREFIX + "/progress": 1, API_PREFIX + "/targets/2026": 1}
    else:
        assert c.bulk is None
        assert counted.paths[API_PREFIX + "/progress"] == 1  # asked once: 404
        assert counted.paths[API_PREFIX + "/units"] == 1
        assert counted.paths[API_PREFIX + "/units/my-thoi/periods"] >= 1
    # another quarter (`[`): the same over the API and from the files
    last = load(
        api_collection(srv.url, snapshots=province.parent / "snaps", **FAST), Period(2025, 4)
    )
    got = [(t.id, t.value, t.target, t.units) for t in totals(last.boards())]
    assert got == file_totals(province, Period(2025, 4))


def test_polling_is_one_conditional_request_and_opening_a_unit_uses_its_own(
    province: Path, start: Any
) -> None:
    srv, counted = start(province)
    c = api_collection(srv.url, snapshots=province.parent / "snaps", **FAST)

    async def go() -> None:
        try:
            await c.aload(None)
            views = {m.key: m.view for m in c.members}
            counted.paths.clear()
            counted.statuses.clear()
            await c.aload(c.period, None, c.due())  # a poll, nothing changed
            poll = {API_PREFIX + "/progress/2026-Q1": 1, API_PREFIX + "/targets/2026": 1}
            assert dict(counted.paths) == poll  # the roll-up and the year's assignment
            assert counted.statuses[(API_PREFIX + "/targets/2026", 304)] == 1  # unchanged
            assert all(m.view is views[m.key] for m in c.members)
            path = province / "long-xuyen" / "progress" / "2026-Q1.toml"
            text = path.read_text(encoding="utf-8")
            member = next(m for m in c.members if m.key == "long-xuyen")
            path.write_text(text.replace("ket-nap-dang-vien = 14", "ket-nap-dang-vien = 15"))
            counted.paths.clear()
            await c.aload(c.period, None, c.due())
            assert dict(counted.paths) == poll
            assert [m.key for m in c.members if m.view is not views[m.key]] == ["long-xuyen"]
            assert member.view is not None
            entry = member.view.board.progress
            assert entry is not None and entry.values["ket-nap-dang-vien"].value == 15
            # Enter: the unit's own source, with its full dashboard (history)
            counted.paths.clear()
            view = await member.source.aload(c.period)
            assert view.board.definitions.unit.id == "long-xuyen"
            assert any(p.startswith(API_PREFIX + "/units/long-xuyen") for p in counted.paths)
        finally:
            await c.aclose()

    asyncio.run(go())


def test_server_down_later_shows_offline_copies(province: Path, start: Any) -> None:
    srv, _ = start(province)
    c = api_collection(srv.url, snapshots=province.parent / "snaps", **FAST)

    async def go() -> None:
        try:
            await c.aload(None)
            srv.stop()
            await c.aload(c.period, None, c.due())
        finally:
            await c.aclose()

    asyncio.run(go())
    assert all(m.view is not None and m.offline and m.error is None for m in c.members)


def test_a_bulk_answer_that_lies_about_unit_ids(province: Path, start: Any) -> None:
    """Documents under another unit's id are that unit's error; a duplicate or an id the
    client may not ask for is ignored, never a member."""
    import json

    from starlette.responses import Response

    real, _ = start(province)
    body = httpx.get(real.url + API_PREFIX + "/progress/2026-Q1").json()
    by_unit = {u["unit"]: u for u in body["units"]}
    a, b = by_unit["my-thoi"], by_unit["binh-duc"]
    a["definitions"], b["definitions"] = b["definitions"], a["definitions"]
    body["units"] += [dict(a, name="Twice"), dict(a, unit="../evil"), dict(a, unit="UPPER")]
    lie = json.dumps(body).encode()

    async def liar(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"].startswith(API_PREFIX + "/progress"):
            headers = {"ETag": '"lie"', "Cache-Control": "no-cache"}
            answer = Response(lie, media_type="application/json", headers=headers)
        else:
            answer = Response(status_code=404)
        await answer(scope, receive, send)

    srv = UvicornThread(liar).start()
    try:
        c = load(api_collection(srv.url, **FAST), Period.parse("2026-Q1"))
    finally:
        srv.stop()
    keys = [m.key for m in c.members]
    assert sorted(keys) == sorted(by_unit) and len(keys) == len(set(keys))
    errors = {m.key: m.error for m in c.members}
    for uid, other in (("my-thoi", "binh-duc"), ("binh-duc", "my-thoi")):
        said = errors[uid].render("en") if errors[uid] is not None else ""
        assert f'asked for unit "{uid}" but the server sent "{other}"' in said
    assert all(errors[u] is None for u in by_unit if u not in ("my-thoi", "binh-duc"))
    assert next(m for m in c.members if m.key == "my-thoi").title != "Twice"
