"""Each year its own targets: years/<year>.toml, unjudged years, history and reports."""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
from datadirs import board_of, copy_sample, enter
from rich.console import Console
from tuikit import dash, settle

from chitieu_tui.app import ChitieuApp
from chitieu_tui.cli import main
from chitieu_tui.core.archive import Archive
from chitieu_tui.core.arithmetic import Status
from chitieu_tui.core.datadir import DataDir
from chitieu_tui.core.errors import ChitieuError, DataError
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.periods import Period
from chitieu_tui.screens import DetailScreen
from chitieu_tui.widgets import IndicatorTable
from chitieu_tui.widgets.headline_card import trend

Q = [Period(2025, q) for q in range(1, 5)]


# -- an independent reading of docs/arithmetic.md --------------------------------------------


def _ge(a: float, b: float) -> bool:
    return a >= b or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _raw_value(raw: Any) -> Any:
    return raw["value"] if isinstance(raw, dict) else raw


def expected_judgement(ind: dict[str, Any], q: int, values: dict[int, Any]) -> tuple[Any, ...]:
    """(status, percent, expected) of one indicator at quarter q, from the raw TOML."""
    kind, target = ind["kind"], ind.get("target")
    if kind == "milestone":
        expected = None
    elif "plan" in ind:
        expected = ind["plan"][q - 1]
    elif kind == "cumulative":
        expected = target * q / 4
    elif "baseline" in ind:
        expected = ind["baseline"] + (target - ind["baseline"]) * q / 4
    else:
        expected = target
    if ind.get("integer") and expected is not None:  # whole things: halves up
        expected = math.floor(expected + 0.5)
    if q not in values:
        return ("no_data", None, expected)
    v = values[q]
    if kind == "milestone":
        due_year, due_q = ind["due"].split("-Q")
        if v:
            return ("met", 100.0, None)
        after = (int(due_year), int(due_q)) > (2025, q)
        return ("on_track" if after else "behind", 0.0, None)
    if kind == "cumulative" and ind.get("report") == "quarter":
        ytd = sum(values[k] for k in range(1, q + 1) if k in values)
    else:
        ytd = v
    if ind.get("direction") == "decrease":
        percent = (ind["baseline"] - v) / (ind["baseline"] - target) * 100
        status = "met" if _ge(target, v) else "on_track" if _ge(expected, v) else "behind"
    else:
        percent = ytd / target * 100
        status = "met" if _ge(ytd, target) else "on_track" if _ge(ytd, expected) else "behind"
    return (status, percent, expected)


def _raw_2025(root: Path) -> tuple[list[dict[str, Any]], dict[int, dict[str, Any]]]:
    defs = tomllib.loads((root / "years" / "2025.toml").read_text(encoding="utf-8"))
    values = {
        p.quarter: tomllib.loads((root / "progress" / f"{p}.toml").read_text())["values"] for p in Q
    }
    return defs["indicator"], values


@pytest.fixture
def both(tmp_path: Path) -> Path:
    """The sample with its 2025 and 2026 definitions."""
    root = copy_sample(tmp_path)
    assert (root / "years" / "2025.toml").is_file()
    return root


@pytest.fixture
def only_2026(tmp_path: Path) -> Path:
    """The sample without years/: 2025 has no definitions."""
    root = copy_sample(tmp_path)
    shutil.rmtree(root / "years")
    return root


def test_every_2025_quarter_is_judged_against_the_2025_targets(both: Path) -> None:
    indicators, raw = _raw_2025(both)
    view = FileSource(both).load(Period(2026, 1), history=8)
    boards = {b.period: b for b in view.history}
    for period in Q:
        board = boards[period]
        assert board.judged and board.definitions.unit.year == 2025
        assert [ev.indicator.id for ev in board.evaluations] == [i["id"] for i in indicators]
        for ind in indicators:
            values = {q: _raw_value(raw[q][ind["id"]]) for q in range(1, 5) if ind["id"] in raw[q]}
            status, percent, expected = expected_judgement(ind, period.quarter, values)
            ev = board.get(ind["id"])
            assert ev is not None
            assert ev.status.value == status, (period, ind["id"])
            if percent is None:
                assert ev.percent is None
            else:
                assert ev.percent == pytest.approx(percent), (period, ind["id"])
            if expected is not None:
                assert ev.expected == pytest.approx(expected)
    # the budget of 2025-Q4 (221,4) against 2025's 210: met, never "95,13% behind"
    q4 = boards[Q[3]].get("thu-ngan-sach")
    assert q4 is not None and q4.status is Status.MET
    assert q4.percent == pytest.approx(221.4 / 210 * 100)
    # and the quarter shown still against 2026's: 8/20
    assert view.board.definitions.unit.year == 2026 and view.board.summary.met == 8


def test_the_shown_2025_quarter_and_its_report_use_2025(both: Path, capsys: Any) -> None:
    assert main(["report", "--config", str(both), "--period", "2025-Q4", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["judged"] is True
    rows = {r["id"]: r for r in doc["indicators"]}
    assert rows["thu-ngan-sach"]["target"] == 210
    assert rows["thu-ngan-sach"]["status"] == "met"
    assert "mo-hinh-nong-nghiep-cnc" not in rows  # a 2026 target only
    assert doc["summary"]["total"] == 19


def test_trends_and_last_year_use_each_quarter_own_year(both: Path) -> None:
    view = FileSource(both).load(Period(2026, 1))
    last = view.last_year()
    assert last is not None and last.judged and last.definitions.unit.year == 2025
    # the trend is the values (year to date), whatever the year's targets
    assert trend(view, "ket-nap-dang-vien") == [5.0, 14.0, 20.0, 28.0, 6.0]


def test_without_2025_definitions_2025_shows_values_only(only_2026: Path) -> None:
    view = FileSource(only_2026).load(Period(2026, 1), history=8)
    assert view.board.judged and view.board.summary.met == 8
    for board in view.history:
        if board.period.year == 2025:
            assert not board.judged
            for ev in board.evaluations:
                assert ev.status is Status.UNJUDGED
                assert ev.percent is None and ev.expected is None
    q2 = next(b for b in view.history if b.period == Q[1]).get("ket-nap-dang-vien")
    assert q2 is not None and q2.value == 9 and q2.ytd == 14  # values (and their sum) stay


def test_json_report_of_an_unjudged_quarter(only_2026: Path, capsys: Any) -> None:
    args = ["report", "--config", str(only_2026), "--period", "2025-Q3", "--format", "json"]
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["period"] == "2025-Q3" and doc["judged"] is False and doc["summary"] is None
    rows = {r["id"]: r for r in doc["indicators"]}
    assert rows["thu-ngan-sach"]["value"] == 150.2
    for row in rows.values():
        assert row["status"] is None and row["percent_of_target"] is None
        assert row["expected"] is None and row["target"] is None
    assert main([*args[:-1], "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO("\n".join(lines)))}
    budget = rows["thu-ngan-sach"]
    assert (budget["value"], budget["ytd"], budget["target"]) == ("150.2", "150.2", "")
    assert budget["expected"] == budget["percent_of_target"] == budget["status"] == ""
    assert main([*args[:-2], "--format", "markdown", "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert "No targets for 2025: values only" in text
    assert "Met" not in text and "Behind" not in text and "%" not in text.split("|---")[1]


def _screen_text(app: ChitieuApp) -> str:
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True)
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text()


async def _facts_text(app: ChitieuApp, pilot: Any) -> str:
    """The detail view's text once its facts are scrolled to the top (its chart comes first)."""
    app.screen.query_one("#detail-body").scroll_visible(top=True, animate=False, immediate=True)
    await pilot.pause()
    return _screen_text(app)


async def test_tui_table_and_detail_of_an_unjudged_year(only_2026: Path) -> None:
    app = ChitieuApp(FileSource(only_2026), period=Period(2025, 3))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = dash(app).query_one(IndicatorTable)
        row = table.get_row("thu-ngan-sach")
        cells = [str(c) for c in row]
        assert any("150,2" in c for c in cells)
        assert not any("%" in c or "Chậm" in c or "Đạt" in c for c in cells[1:])
        text = _screen_text(app)
        assert "Năm 2025 chưa có chỉ tiêu" in text
        for word in ("Chậm tiến độ", "Đúng tiến độ", "Đạt/vượt", "232,73"):
            assert word not in text, word
        table.move_cursor(row=table.get_row_index("thu-ngan-sach"))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        text = await _facts_text(app, pilot)
        assert "năm 2025 chưa có chỉ tiêu" in text
        assert "232,73" not in text  # 2026's target is never shown beside 2025's values
        history = text[text.index("Diễn biến") :] if "Diễn biến" in text else text
        assert "150,2" in history and "88" in history
        for line in history.splitlines():
            if "/2025" in line:
                assert "%" not in line and "Chậm" not in line and "Đạt" not in line, line


async def test_tui_detail_history_without_2025_definitions(only_2026: Path) -> None:
    app = ChitieuApp(FileSource(only_2026))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = dash(app).query_one(IndicatorTable)
        table.move_cursor(row=table.get_row_index("thu-ngan-sach"))
        await pilot.press("enter")
        await pilot.pause()
        text = await _facts_text(app, pilot)
        lines = [line for line in text.splitlines() if "/2025" in line]
        assert lines
        for line in lines:
            assert "%" not in line and "Chậm" not in line and "Đạt" not in line, line
        now = next(line for line in text.splitlines() if "Quý I/2026" in line and "%" in line)
        assert "13,75%" in now


def test_a_year_file_must_say_its_own_year_and_unit(both: Path) -> None:
    path = both / "years" / "2025.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("year = 2025", "year = 2024"), encoding="utf-8")
    with pytest.raises(DataError) as err:
        DataDir(both).year_definitions(2025)
    line = next(i for i, s in enumerate(text.splitlines(), 1) if s.startswith("year = "))
    assert err.value.place is not None
    assert (err.value.place.line, err.value.place.col) == (line, 1)
    assert "2024" in err.value.render("en") and "2025.toml" in err.value.render("en")
    path.write_text(text.replace('id = "my-thoi"', 'id = "khac"'), encoding="utf-8")
    with pytest.raises(DataError) as err:
        DataDir(both).year_definitions(2025)
    assert "my-thoi" in err.value.render("en")


def test_check_names_a_broken_year_file(both: Path, capsys: Any) -> None:
    path = both / "years" / "2025.toml"
    path.write_text(path.read_text().replace("target = 210", 'target = "nhiều"'))
    (both / "years" / "2025-old.toml").write_text("")
    assert main(["check", "--config", str(both), "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert "2025.toml:" in err and "target" in err
    assert "2025-old.toml" in err and "four-digit year" in err


def test_a_broken_year_file_leaves_the_current_quarter_and_warns(both: Path) -> None:
    path = both / "years" / "2025.toml"
    path.write_text(path.read_text().replace("target = 210", 'target = "x"'))
    view = FileSource(both).load(Period(2026, 1))
    assert view.board.summary.met == 8
    assert any("2025.toml" in w.render("en") for w in view.warnings)
    assert all(not b.judged for b in view.history if b.period.year == 2025)
    with pytest.raises(ChitieuError):
        FileSource(both).load(Period(2025, 4))  # the quarter shown must read cleanly


def test_the_archive_judges_with_each_snapshot_own_definitions(both: Path, tmp_path: Path) -> None:
    snaps = tmp_path / "snaps"
    data = DataDir(both, snapshots_override=snaps)
    for period in [*Q, Period(2026, 1)]:
        data.take_snapshot(board_of(data, period))
    archive = Archive(snaps)
    d2025 = archive.year_definitions(2025)
    assert d2025 is not None and d2025.unit.year == 2025
    assert archive.year_definitions(2024) is None
    from chitieu_tui.core.archive import ArchiveSource

    view = ArchiveSource(snaps, "my-thoi").load(Period(2026, 1))
    last = view.last_year()
    assert last is not None and last.judged and last.summary.total == 19
    # snapshots of 2025 taken with 2026's definitions only (the old way): values only
    old = tmp_path / "old"
    stale = DataDir(both, snapshots_override=old)
    (both / "years" / "2025.toml").unlink()
    for period in [*Q, Period(2026, 1)]:
        stale.take_snapshot(board_of(stale, period))
    view = ArchiveSource(old, "my-thoi").load(Period(2026, 1))
    last = view.last_year()
    assert last is not None and not last.judged


# -- the API: GET /api/v1/units/{unit}/years/{year} -------------------------------------------

FAST = {"retries": 0, "backoff": 0.0, "deadline": 5.0, "read_timeout": 2.0}


async def test_the_api_publishes_each_year_and_the_client_judges_with_it(
    start: Any, both: Path
) -> None:
    import httpx

    from chitieu_tui.remote.source import ApiSource

    srv: Any = start(both)
    base = srv.url + "/api/v1/units/my-thoi/years/"
    with httpx.Client() as http:
        got = http.get(base + "2025")
        assert got.status_code == 200 and got.json()["unit"]["year"] == 2025
        assert http.get(base + "2026").json()["unit"]["year"] == 2026
        assert http.get(base + "2024").status_code == 404
        assert http.get(base + "20x5").status_code == 400
        assert "/years/{year}" in str(http.get(srv.url + "/api/v1/openapi.json").json())
    source = ApiSource(srv.url, "my-thoi", **FAST)
    view = await source.aload(None)
    live = FileSource(both).load(None)
    assert [(b.period, b.judged, b.summary.met) for b in view.history] == [
        (b.period, b.judged, b.summary.met) for b in live.history
    ]
    assert all(b.judged for b in view.history)
    await source.aclose()
    older = await ApiSource(srv.url, "my-thoi", **FAST).aload(Period(2025, 4))
    assert older.board.judged and older.board.summary.total == 19


async def test_a_server_without_the_year_gives_values_only(start: Any, only_2026: Path) -> None:
    from chitieu_tui.remote.source import ApiSource

    srv: Any = start(only_2026)
    source = ApiSource(srv.url, "my-thoi", **FAST)
    view = await source.aload(None)
    assert view.board.summary.met == 8
    assert [b.judged for b in view.history] == [False, False, False, False, True]
    again = await source.aload(None)
    assert again is view  # the missing year is not asked again on every poll
    await source.aclose()


def test_a_value_of_2025_is_checked_against_2025(both: Path, capsys: Any) -> None:
    # giao-quan 2025 exists in both years; mo-hinh-nong-nghiep-cnc is a 2026 target only
    args = ["set", "--config", str(both), "--period", "2025-Q4", "--no-snapshot"]
    assert main([*args, "mo-hinh-nong-nghiep-cnc", "có"]) == 1
    assert "mo-hinh-nong-nghiep-cnc" in capsys.readouterr().err
    assert main([*args, "thu-ngan-sach", "222"]) == 0
    board = board_of(DataDir(both), Period(2025, 4))
    ev = board.get("thu-ngan-sach")
    assert board.judged and ev is not None and ev.value == 222 and ev.indicator.target == 210


def test_the_journal_of_a_2025_quarter_reads_it_with_2025(both: Path) -> None:
    # an indicator of 2025 only: its value is no hand change, whichever path reads the journal
    years = both / "years" / "2025.toml"
    text = years.read_text(encoding="utf-8")
    start = text.index('[[indicator]]\nid = "thu-ngan-sach"')
    end = text.find("[[indicator]]", start + 1)
    block = text[start : end if end != -1 else len(text)]
    years.write_text(text + "\n" + block.replace('"thu-ngan-sach"', '"chi-2025"'), encoding="utf-8")
    progress = both / "progress" / "2025-Q4.toml"
    text = progress.read_text(encoding="utf-8")
    progress.write_text(text.replace("thu-ngan-sach =", "chi-2025 = 5\nthu-ngan-sach ="))
    q4 = Period(2025, 4)
    data = DataDir(both)
    data.journal(q4)
    enter(data, q4, "giao-quan", "3", by="A")
    changes = data.journal(q4)
    assert [c.via for c in changes if c.id == "chi-2025"] == ["found"]
