"""The default quarter is never after today's; `t`, `[`, `]`; periods of sane years (issue 18,
item 10). "Today" is `CHITIEU_TODAY`, never the clock."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from datadirs import board_of, copy_sample
from tuikit import RecordingApp, dash, settle

from chitieu_tui.cli import main
from chitieu_tui.core.datadir import DataDir
from chitieu_tui.core.errors import DataError
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.periods import Period, current_period, default_period, step_period, today

SIZE = (120, 40)
Q1 = Period(2026, 1)
MAY = "2026-05-01"  # today, in the second quarter of 2026


@pytest.fixture
def stray(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample with a stray `progress/2101-Q1.toml`, on 1 May 2026."""
    monkeypatch.setenv("CHITIEU_TODAY", MAY)
    root = copy_sample(tmp_path)
    text = (root / "progress" / "2026-Q1.toml").read_text(encoding="utf-8")
    stray = text.replace('period = "2026-Q1"', 'period = "2101-Q1"')
    (root / "progress" / "2101-Q1.toml").write_text(stray, encoding="utf-8")
    return root


def test_the_default_is_the_newest_quarter_not_after_today() -> None:
    on = dt.date(2026, 5, 1)
    have = [Period(2025, 4), Q1, Period(2026, 3), Period(2101, 1)]
    assert current_period(on) == Period(2026, 2)
    assert default_period(have, 2026, on) == Q1
    assert default_period([Period(2026, 2)], 2026, on) == Period(2026, 2)  # today's own
    assert default_period([Period(2101, 1)], 2026, on) == Q1  # none before: Q1 of the year
    assert default_period([], 2026, on) == Q1


def test_today_is_injectable_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHITIEU_TODAY", "2026-08-15")
    assert today() == dt.date(2026, 8, 15) and current_period() == Period(2026, 3)
    monkeypatch.setenv("CHITIEU_TODAY", "mai")
    with pytest.raises(DataError) as caught:
        today()
    assert "CHITIEU_TODAY" in caught.value.render("vi")


def test_a_stray_future_file_is_no_default(stray: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert board_of(DataDir(stray)).period == Q1
    assert main(["report", "--config", str(stray), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["period"] == "2026-Q1"
    assert main(["alerts", "--config", str(stray)]) == 0
    assert "Quý I/2026" in capsys.readouterr().out.splitlines()[0]
    assert main(["set", "--config", str(stray), "bhyt", "91,5", "--no-snapshot"]) == 0
    assert capsys.readouterr().out.startswith("Đã ghi vào Quý I/2026: bhyt = 91,5")
    # `--period` still reaches it
    assert main(["report", "--config", str(stray), "--period", "2101-Q1", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["period"] == "2101-Q1"


def test_a_value_typed_into_next_quarter_leaves_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHITIEU_TODAY", MAY)
    root = copy_sample(tmp_path)
    args = ["--config", str(root)]
    assert main(["set", *args, "--period", "2026-Q3", "bhyt", "91", "--no-snapshot"]) == 0
    capsys.readouterr()
    assert main(["report", *args, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["period"] == "2026-Q1"
    # in the next quarter's time, it is the default
    monkeypatch.setenv("CHITIEU_TODAY", "2026-07-01")
    assert main(["report", *args, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["period"] == "2026-Q3"


async def test_the_dashboard_opens_on_it_and_t_goes_back(stray: Path) -> None:
    app = RecordingApp(FileSource(stray))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert dash(app).view is not None and dash(app).view.period == Q1
        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(pilot)
        assert dash(app).view.period == Period(2025, 3)
        await pilot.press("t")
        await settle(pilot)
        assert dash(app).view.period == Q1


async def test_brackets_stop_at_the_first_quarter_with_data_and_the_current_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHITIEU_TODAY", MAY)
    app = RecordingApp(FileSource(copy_sample(tmp_path)), Period(2025, 1))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert dash(app).view is not None and dash(app).view.period == Period(2025, 1)
        assert ("information", "Quý I/2025 là quý đầu tiên có số liệu") in app.notes
        await pilot.press("t")
        await settle(pilot)
        assert dash(app).view.period == Q1
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert dash(app).view.period == Period(2026, 2)  # today's quarter: where values go next
        assert ("information", "Quý II/2026 là quý hiện tại") in app.notes


@pytest.mark.parametrize("text", ["0000-Q1", "1899-Q4", "2201-Q1"])
def test_a_period_of_no_sane_year_is_refused(text: str) -> None:
    assert not Period.is_valid(text)
    with pytest.raises(DataError) as caught:
        Period.parse(text)
    assert "1900" in caught.value.render("vi") and "2200" in caught.value.render("en")


def test_period_option_of_year_zero_is_bad_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["report", "--period", "0000-Q1"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "--period" in err and "1900" in err


def test_check_names_a_progress_file_of_year_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_sample(tmp_path)
    text = (root / "progress" / "2026-Q1.toml").read_text(encoding="utf-8")
    (root / "progress" / "0000-Q1.toml").write_text(
        text.replace('period = "2026-Q1"', 'period = "0000-Q1"'), encoding="utf-8"
    )
    assert main(["check", "--config", str(root)]) == 1
    err = capsys.readouterr().err
    assert "0000-Q1.toml" in err and "1900" in err
    assert main(["report", "--config", str(root), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["period"] == "2026-Q1"  # never "Quý I/0"


async def test_the_rollup_t_and_brackets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from chitieu_tui.core.collection import open_folder
    from chitieu_tui.core.datadir import BUNDLED_COLLECTION

    monkeypatch.setenv("CHITIEU_TODAY", MAY)
    root = tmp_path / "tinh"
    shutil.copytree(BUNDLED_COLLECTION, root)
    stray = root / "long-xuyen" / "progress"
    text = (stray / "2026-Q1.toml").read_text(encoding="utf-8")
    (stray / "2101-Q1.toml").write_text(text.replace("2026-Q1", "2101-Q1"), encoding="utf-8")
    collection = open_folder(root)
    collection.load()
    assert collection.period == Q1  # the stray quarter of one unit is nobody's default
    app = RecordingApp(None, None, collection=collection, preloaded=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for _ in range(6):  # my-thoi's first quarter is 2025-Q1
            await pilot.press("left_square_bracket")
            await settle(pilot)
        assert collection.period == Period(2025, 1)
        assert ("information", "Quý I/2025 là quý đầu tiên có số liệu") in app.notes
        await pilot.press("t")
        await settle(pilot)
        assert collection.period == Q1


def test_step_period_moves_within_the_quarters_with_data_and_today() -> None:
    """`[`/`]` in one function for the dashboard and the roll-up: inside the range a quarter,
    at the first quarter with data or at today's quarter the key that says why not."""
    on = dt.date(2026, 5, 1)
    have = [Period(2025, 3), Period(2026, 1)]
    assert step_period(Period(2026, 1), -1, have, on) == Period(2025, 4)
    assert step_period(Period(2025, 3), -1, have, on) == ("period_first", Period(2025, 3))
    assert step_period(Period(2026, 1), 1, have, on) == Period(2026, 2)
    assert step_period(Period(2026, 2), 1, have, on) == ("period_current", Period(2026, 2))
    late = [*have, Period(2026, 4)]
    assert step_period(Period(2026, 4), 1, late, on) == ("period_last", Period(2026, 4))
    assert step_period(Period(2026, 1), 1, [], on) == Period(2026, 2)
    assert step_period(Period(2026, 1), -1, [], on) == ("period_first", Period(2026, 1))
