"""Ids, years, periods and group ids: strict ASCII patterns, bounded years, no trailing newline."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

import msgspec
import pytest
from datadirs import HEAD, board_of, copy_sample, make_datadir

from chitieu_tui.cli import main
from chitieu_tui.core.datadir import DataDir
from chitieu_tui.core.errors import DataError, ErrorList, flatten
from chitieu_tui.core.loader import definitions_from_dict
from chitieu_tui.core.periods import Period
from chitieu_tui.core.source import View
from chitieu_tui.core.tomlfile import Locator
from chitieu_tui.i18n import use
from chitieu_tui.report import render

IND = """
[[indicator]]
id = "thu"
group = "g"
name = "Thu"
kind = "cumulative"
target = 10
"""


def _check(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["--lang", "en", "check", "--config", str(root)])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("year", ["0", "-5", "99999", "1999", "2101"])
def test_absurd_years_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], year: str
) -> None:
    root = make_datadir(tmp_path, IND)
    text = (root / "chitieu.toml").read_text().replace("year = 2026", f"year = {year}")
    (root / "chitieu.toml").write_text(text)
    code, err = _check(root, capsys)
    assert code == 1
    assert f"chitieu.toml:6:1: [unit] year must be between 2000 and 2100, got {year}" in err


@pytest.mark.parametrize("year", ["2000", "2100"])
def test_bounds_of_the_year_are_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], year: str
) -> None:
    root = make_datadir(tmp_path, IND)
    text = (root / "chitieu.toml").read_text().replace("year = 2026", f"year = {year}")
    (root / "chitieu.toml").write_text(text)
    assert _check(root, capsys)[0] == 0


def _defs_errors(data: dict[str, object]) -> list[str]:
    try:
        definitions_from_dict(data, Locator("c.toml"))
    except (DataError, ErrorList) as exc:
        return [e.message for e in flatten(exc)]
    return []


def _data(**changes: object) -> dict[str, object]:
    ind = {"id": "thu", "group": "g", "name": "Thu", "kind": "cumulative", "target": 10.0}
    data: dict[str, object] = {
        "schema": 1,
        "unit": {"id": "thu", "name": "T", "year": 2026},
        "group": [{"id": "g", "name": "G"}],
        "indicator": [ind],
    }
    for key, value in changes.items():
        table, _, field = key.partition("__")
        target = data[table]
        if isinstance(target, list):
            target = target[0]
        assert isinstance(target, dict)
        target[field] = value
    return data


@pytest.mark.parametrize(
    "bad",
    [
        {"indicator__id": "thu\n"},
        {"indicator__id": "th\u0661"},  # ARABIC-INDIC DIGIT ONE
        {"unit__id": "thu\n"},
        {"group__id": "g\n", "indicator__group": "g\n"},
        {"group__id": '=HYPERLINK("http://x")', "indicator__group": '=HYPERLINK("http://x")'},
        {"group__id": "g\x1b[31m", "indicator__group": "g\x1b[31m"},
    ],
)
def test_ids_are_plain_ascii_without_a_trailing_newline(bad: dict[str, object]) -> None:
    errors = _defs_errors(_data(**bad))
    assert any("id must use only a-z, 0-9 and -" in e for e in errors), errors
    assert not any("\x1b" in e for e in errors)


def test_a_group_id_in_error_names_the_group() -> None:
    errors = _defs_errors(_data(group__id="G 1", indicator__group="G 1"))
    assert errors == ['group "G 1": id must use only a-z, 0-9 and -, got "G 1"']


@pytest.mark.parametrize(
    "text", ["2026-Q1\n", "\u0662\u0660\u0662\u0666-Q1", "２０２６-Q1", "2026-Q1 x"]
)
def test_periods_are_ascii_and_whole(text: str) -> None:
    assert not Period.is_valid(text)
    if text.strip() == text:  # parse() strips what is typed on the command line
        with pytest.raises(DataError):
            Period.parse(text)


def test_a_milestone_due_with_a_newline_is_refused() -> None:
    ind = {"id": "m", "group": "g", "name": "M", "kind": "milestone", "due": "2026-Q2\n"}
    data = _data()
    data["indicator"] = [ind]
    assert any("due must look like 2026-Q2" in e for e in _defs_errors(data))


def test_a_progress_period_with_a_newline_is_refused(tmp_path: Path) -> None:
    root = make_datadir(tmp_path, IND)
    (root / "progress" / "2026-Q1.toml").write_text(
        'schema = 1\nunit = "thu"\nperiod = "2026-Q1\\n"\n'
    )
    with pytest.raises((DataError, ErrorList)) as info:
        DataDir(root).progress(Period(2026, 1), DataDir(root).definitions())
    assert any("period must look like 2026-Q1" in e.message for e in flatten(info.value))


def test_negative_target_for_an_increase_is_refused() -> None:
    assert _defs_errors(_data(indicator__target=-5.0)) == [
        'indicator "thu": target must not be negative for an increase'
    ]
    ok = _data(indicator__target=-5.0, indicator__direction="decrease", indicator__baseline=1.0)
    assert _defs_errors(ok) == []  # a decrease below zero keeps the existing rules


def test_a_missing_key_of_unit_names_the_table_and_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "data"
    (root / "progress").mkdir(parents=True)
    (root / "chitieu.toml").write_text(HEAD.replace('name = "Phường Thử"\n', "") + IND)
    code, err = _check(root, capsys)
    assert code == 1
    assert 'chitieu.toml:3:1: [unit] missing required field "name"' in err


def test_csv_escapes_the_group_cell(tmp_path: Path) -> None:
    """Group ids are validated now; the CSV writer is careful all the same."""
    data = DataDir(copy_sample(tmp_path))
    board = board_of(data)
    ev = board.evaluations[0]
    bad = msgspec.structs.replace(
        ev, indicator=msgspec.structs.replace(ev.indicator, group='=HYPERLINK("x")')
    )
    board = dataclasses.replace(board, evaluations=[bad])
    view = View(board, [board], "config/", board.progress.modified)  # type: ignore[union-attr]
    use("en")
    rows = list(csv.reader(io.StringIO(render(view, "csv"))))
    assert rows[1][1] == '\'=HYPERLINK("x")'
