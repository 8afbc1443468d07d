"""Deadlines and states across a collection (issue 20): collection.toml `[reporting]`, the
roll-up's counts and state words (Pilot), `chitieu alerts` listing units not submitted."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import Static
from tuikit import RecordingApp

from chitieu_tui.cli import main
from chitieu_tui.core.collection import open_folder
from chitieu_tui.core.datadir import BUNDLED_COLLECTION, DataDir
from chitieu_tui.core.errors import ChitieuError
from chitieu_tui.core.periods import TODAY_ENV, Period
from chitieu_tui.core.requests import Approve, Close, Return
from chitieu_tui.present.rollup import approval_text, unit_rows
from chitieu_tui.widgets.scorecard import Scorecard

pytestmark = pytest.mark.timeout(90)
Q1 = Period(2026, 1)
REPORTING = "\n[reporting]\ncutoff_day = 14\nsend_days = 2\n"


@pytest.fixture
def province(tmp_path: Path) -> Path:
    root = tmp_path / "province"
    shutil.copytree(BUNDLED_COLLECTION, root)
    with (root / "collection.toml").open("a", encoding="utf-8") as f:
        f.write(REPORTING)
    return root


def _submit(province: Path, folder: str, approve: bool = False) -> None:
    data = DataDir(province / folder)
    data.write([Close(period=Q1, reason="nộp", by="Phường")])
    if approve:
        data.write([Approve(period=Q1, by="Sở")])


def test_counts_and_late_units(province: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TODAY_ENV, "2026-03-20")  # past 17/03 (14/03 a Saturday, +2 days)
    _submit(province, "my-thoi", approve=True)  # closed today by the clock: after the deadline
    _submit(province, "long-xuyen")
    DataDir(province / "long-xuyen").write([Return(period=Q1, reason="thiếu", by="Sở")])
    _submit(province, "binh-duc")
    collection = open_folder(province)
    collection.load(Q1)
    text = approval_text(collection)
    assert text.startswith("2/5 đơn vị đã nộp · 1 đã duyệt · ")
    assert "1 bị trả lại" in text
    rows = {r.member.key: r for r in unit_rows(collection, [])}
    assert rows["my-thoi"].state == "approved" and rows["long-xuyen"].state == "returned"
    assert rows["chau-doc"].late  # not submitted, deadline passed
    assert rows["long-xuyen"].late  # returned: not submitted any more


def test_no_reporting_table_no_deadline(tmp_path: Path) -> None:
    root = tmp_path / "province"
    shutil.copytree(BUNDLED_COLLECTION, root)
    collection = open_folder(root)
    collection.load(Q1)
    assert approval_text(collection) == ""
    assert all(not r.late for r in unit_rows(collection, []))


@pytest.mark.parametrize(
    ("table", "code"),
    [
        ("cutoff_day = 0", "err.collection.cutoff_day"),
        ("send_days = 31", "err.collection.send_days"),
        ("senddays = 3", None),
    ],
)
def test_the_reporting_table_is_strict(tmp_path: Path, table: str, code: str | None) -> None:
    root = tmp_path / "province"
    shutil.copytree(BUNDLED_COLLECTION, root)
    with (root / "collection.toml").open("a", encoding="utf-8") as f:
        f.write(f"\n[reporting]\n{table}\n")
    with pytest.raises(ChitieuError) as caught:
        open_folder(root)
    if code is not None:
        assert caught.value.code == code
    assert "collection.toml" in str(caught.value.place)


def test_alerts_list_units_not_submitted_after_the_deadline(
    province: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _submit(province, "my-thoi")
    monkeypatch.setenv(TODAY_ENV, "2026-03-17")  # the deadline itself: nobody late yet
    main(["alerts", "--config", str(province), "--period", "2026-Q1", "--lang", "en"])
    assert "not submitted" not in capsys.readouterr().out
    monkeypatch.setenv(TODAY_ENV, "2026-03-18")
    code = main(
        ["alerts", "--config", str(province), "--period", "2026-Q1", "--lang", "en", "--fail"]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "4 units have not submitted Q1 2026, past the deadline" in out
    assert "Phường Châu Đốc: Q1 2026 not submitted" in out
    assert "Phường Mỹ Thới: Q1 2026 not submitted" not in out


async def test_the_rollup_shows_states_and_counts(
    province: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TODAY_ENV, "2026-03-20")
    _submit(province, "my-thoi", approve=True)
    collection = open_folder(province)
    collection.load(Q1)
    app = RecordingApp(None, None, collection=collection, preloaded=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        summary = str(app.screen.query_one("#rollup-summary", Static).render())
        assert "1/5 đơn vị đã nộp · 1 đã duyệt · " in summary and " trễ hạn" in summary
        card = app.screen.query_one(Scorecard)
        mine = [c.plain for c in card.get_row("4")]  # my-thoi is the fifth folder
        assert mine[1] == "Phường Mỹ Thới"  # the state has its own column
        assert mine[2] == "đã duyệt · trễ hạn"  # closed today, after 17/03
        other = [c.plain for c in card.get_row("0")]
        assert other[2] == "đang nhập · trễ hạn"


def test_without_a_reporting_table_nobody_is_late(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No `[reporting]`: no deadline, so `alerts` lists no unit as not submitted (even a
    year later) and the roll-up marks no unit late."""
    root = tmp_path / "province"
    shutil.copytree(BUNDLED_COLLECTION, root)
    monkeypatch.setenv(TODAY_ENV, "2027-03-31")
    main(["alerts", "--config", str(root), "--period", "2026-Q1", "--lang", "en"])
    out = capsys.readouterr().out
    assert "not submitted" not in out and "past the deadline" not in out
    collection = open_folder(root)
    collection.load(Q1)
    rows = [r for r in unit_rows(collection, []) if r.rank is not None]
    assert [(r.state, r.late, r.state_text()) for r in rows] == [("open", False, "open")] * 5
