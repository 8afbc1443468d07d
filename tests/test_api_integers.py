"""Integer indicators are integers on the wire (issue 18, item 15): a real server on
127.0.0.1 answers `6`, not `6.0`, for a whole value of an integer indicator in progress,
bulk and journal answers; the client reads `6` and `6.0` alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from datadirs import enter
from hostile_server import UvicornThread, make_ward

from chitieu_tui.core.datadir import DataDir
from chitieu_tui.core.periods import Period
from chitieu_tui.remote import server as srv
from chitieu_tui.remote.source import ApiSource

pytestmark = pytest.mark.timeout(60)
API = "/api/v1"
Q1 = Period.parse("2026-Q1")


@pytest.fixture
def ward(tmp_path: Path) -> Path:
    """The sample (ket-nap-dang-vien = 6 in 2026-Q1), with one value set through the app:
    its journal says old 6, new 7; set back to 6 (old 7, new 6)."""
    root = make_ward(tmp_path / "ward")
    data = DataDir(root)
    enter(data, Q1, "ket-nap-dang-vien", "7", by="Lan")
    enter(data, Q1, "ket-nap-dang-vien", "6", by="Lan")
    return root


@pytest.fixture
def url(ward: Path) -> Iterator[str]:
    server = UvicornThread(srv.create_app(ward)).start()
    try:
        yield server.url
    finally:
        server.stop()


def test_whole_values_of_integer_indicators_are_ints_on_the_wire(url: str) -> None:
    with httpx.Client(base_url=url, timeout=10) as http:
        progress = http.get(f"{API}/units/my-thoi/progress/2026-Q1")
        bulk = http.get(f"{API}/progress/2026-Q1")
        journal = http.get(f"{API}/units/my-thoi/journal/2026-Q1")
    assert progress.status_code == bulk.status_code == journal.status_code == 200
    # the bytes themselves: 6, never 6.0
    for answer in (progress, bulk):
        assert b'"ket-nap-dang-vien":{"value":6,' in answer.content
        assert b'"ket-nap-dang-vien":{"value":6.0' not in answer.content
        assert b'"dang-vien":1430,' in answer.content  # integer, no note: a bare 1430
    values = progress.json()["values"]
    assert type(values["ket-nap-dang-vien"]["value"]) is int
    assert type(values["dang-vien"]) is int
    assert type(values["thu-ngan-sach"]) is float  # not an integer indicator: as it is
    entry = bulk.json()["units"][0]
    assert type(entry["progress"]["values"]["ket-nap-dang-vien"]["value"]) is int
    earlier = {doc["period"]: doc for doc in entry["earlier"]}
    assert earlier == {}  # 2026-Q1 is the first quarter of its year
    changes = [c for c in journal.json()["changes"] if c["id"] == "ket-nap-dang-vien"]
    # the sample's value noticed first (no journal yet), then the two sets
    assert [(c["old"], c["new"]) for c in changes] == [(None, 6), (6, 7), (7, 6)]
    assert all(type(c[k]) is int for c in changes for k in ("old", "new") if c[k] is not None)
    assert b'"old":6,"new":7' in journal.content and b'"old":6.0' not in journal.content


def test_the_bulk_answer_sends_ints_in_earlier_quarters_too(ward: Path) -> None:
    data = DataDir(ward)
    enter(data, Period.parse("2026-Q2"), "ket-nap-dang-vien", "4", by="Lan")
    server = UvicornThread(srv.create_app(ward)).start()
    try:
        with httpx.Client(base_url=server.url, timeout=10) as http:
            bulk = http.get(f"{API}/progress/2026-Q2")
    finally:
        server.stop()
    entry = bulk.json()["units"][0]
    (earlier,) = entry["earlier"]
    assert type(earlier["values"]["ket-nap-dang-vien"]["value"]) is int
    assert type(entry["progress"]["values"]["ket-nap-dang-vien"]["value"]) is int


def test_the_client_reads_ints_and_floats_alike(url: str) -> None:
    """The server sends 6; an older server sent 6.0: the client shows the same board."""
    import asyncio

    async def go() -> tuple[object, object]:
        source = ApiSource(url, "my-thoi", retries=1)
        try:
            view = await source.aload(Q1)
            journal = await source.ajournal(Q1)
        finally:
            await source.aclose()
        ev = view.board.get("ket-nap-dang-vien")
        assert ev is not None and ev.entry is not None
        news = [c.new for c in journal if c.id == "ket-nap-dang-vien"]
        return ev.entry.value, news

    value, news = asyncio.run(go())
    assert value == 6.0 and isinstance(value, float)
    assert news == [6.0, 7.0, 6.0]


@pytest.mark.parametrize("sent", [6, 6.0])
def test_a_value_sent_as_6_or_6_0_is_read_alike(sent: float) -> None:
    from chitieu_tui.core.datadir import BUNDLED
    from chitieu_tui.remote.wire import journal_from_json, progress_from_json

    defs = DataDir(BUNDLED).definitions()
    doc = {"unit": "my-thoi", "period": "2026-Q1", "as_of": None, "closed": None}
    doc["values"] = {"ket-nap-dang-vien": sent, "dang-vien": {"value": sent * 2, "by": "Lan"}}
    progress, _ = progress_from_json(doc, defs, "x", Q1, "api")
    assert progress.values["ket-nap-dang-vien"].value == 6.0
    assert progress.values["dang-vien"].value == 12.0
    change = {"at": "2026-04-02T09:15:00+07:00", "via": "set", "id": "ket-nap-dang-vien"}
    (got,) = journal_from_json(
        {
            "unit": "my-thoi",
            "period": "2026-Q1",
            "changes": [{**change, "old": sent, "new": sent + 1}],
        }
    )
    assert (got.old, got.new) == (6.0, 7.0) and type(got.old) is float
