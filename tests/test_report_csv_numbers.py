"""CSV and JSON reports (issue 18, item 15): formula starts after spaces are guarded, the
year-on-year column of csv-excel has two decimals at most, and the figures of an integer
indicator are integers (`6`, not `6.0`) in CSV and JSON, for a unit and a collection."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import shutil
from pathlib import Path

import msgspec
import pytest
from datadirs import board_of

from chitieu_tui.cli import main
from chitieu_tui.core.datadir import BUNDLED, BUNDLED_COLLECTION, DataDir
from chitieu_tui.core.source import View
from chitieu_tui.i18n import use
from chitieu_tui.report import _csv_cell, render


def _out(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    capsys.readouterr()
    assert main(list(argv)) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize(
    "text",
    [" =1+1", '\t=HYPERLINK("x")', "  +41", " -2", "\u00a0@SUM(A1)", "\t", "\nabc", "=1"],
)
def test_a_formula_start_after_spaces_or_tabs_is_prefixed(text: str) -> None:
    assert _csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Ghi chú", "a = b", "BHYT 90%", "", "  Hộ nghèo"])
def test_plain_text_is_left_alone(text: str) -> None:
    assert _csv_cell(text) == text


def test_a_name_with_a_space_before_equals_is_guarded_in_both_csvs() -> None:
    data = DataDir(BUNDLED)
    board = board_of(data)
    ev = board.evaluations[0]
    bad = msgspec.structs.replace(
        ev, indicator=msgspec.structs.replace(ev.indicator, name=' =HYPERLINK("x")')
    )
    board = dataclasses.replace(board, evaluations=[bad])
    view = View(board, [board], "config/", board.progress.modified)  # type: ignore[union-attr]
    use("en")
    rows = list(csv.reader(io.StringIO(render(view, "csv"))))
    assert rows[1][2] == '\' =HYPERLINK("x")'
    excel = render(view, "csv-excel").lstrip("\ufeff")
    assert "' =HYPERLINK" in excel and "\n =HYPERLINK" not in excel


def test_csv_excel_year_on_year_has_two_decimals_at_most(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = _out(capsys, "report", "--format", "csv-excel")
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff")), delimiter=";"))
    head = next(r for r in rows if r[:1] == ["STT"])
    yoy = head.index("So cùng kỳ")
    members = next(r for r in rows if len(r) > 1 and r[1] == "Tổng số đảng viên trong Đảng bộ")
    assert members[yoy] == "102,29"
    for row in rows[rows.index(head) + 1 :]:
        for col in (yoy, head.index("% KH")):
            assert len(row[col].partition(",")[2]) <= 2, row


def test_integer_indicators_are_integers_in_csv_and_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = _out(capsys, "report", "--format", "json")
    assert '"value": 6,' in text and '"target": 30,' in text
    doc = {r["id"]: r for r in json.loads(text)["indicators"]}
    members = doc["ket-nap-dang-vien"]
    assert type(members["value"]) is int and type(members["ytd"]) is int
    assert members["expected"] == 8 and type(members["expected"]) is int  # rounded half up
    assert type(doc["dang-vien"]["value"]) is int and doc["dang-vien"]["value"] == 1430
    assert type(doc["thu-ngan-sach"]["value"]) is float  # not an integer indicator
    rows = {
        r["id"]: r for r in csv.DictReader(io.StringIO(_out(capsys, "report", "--format", "csv")))
    }
    assert rows["ket-nap-dang-vien"]["value"] == "6"
    assert rows["ket-nap-dang-vien"]["target"] == "30"
    assert rows["dang-vien"]["ytd"] == "1430"
    assert rows["thu-ngan-sach"]["value"] == "32.0"


def test_integer_indicators_are_integers_in_a_collections_csv_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "wards"
    shutil.copytree(BUNDLED_COLLECTION, root)
    for path in root.glob("*/chitieu.toml"):  # new members counted in every unit
        text = path.read_text("utf-8")
        if "integer = true" not in text:
            line = 'id = "ket-nap-dang-vien"\n'
            path.write_text(text.replace(line, line + "integer = true\n"), "utf-8")
    args = ["--config", str(root), "report"]
    doc = json.loads(_out(capsys, *args, "--format", "json"))
    ints = {i["id"] for u in doc["units"] for i in u["indicators"] if type(i["value"]) is int}
    assert {"dang-vien", "ket-nap-dang-vien"} <= ints
    totals = {x["id"]: x for x in doc["totals"]}
    assert totals["ket-nap-dang-vien"]["value"] == 26
    assert type(totals["ket-nap-dang-vien"]["value"]) is int
    assert type(totals["bhyt"]["value"]) is float
    rows = list(csv.DictReader(io.StringIO(_out(capsys, *args, "--format", "csv"))))
    total = next(r for r in rows if r["row"] == "total" and r["id"] == "ket-nap-dang-vien")
    assert total["value"] == "26"


def test_the_api_reader_takes_integers_and_floats(tmp_path: Path) -> None:
    from chitieu_tui.core.periods import Period
    from chitieu_tui.remote.wire import progress_from_json

    defs = DataDir(BUNDLED).definitions()
    doc = {
        "unit": defs.unit.id,
        "period": "2026-Q1",
        "values": {"ket-nap-dang-vien": 6, "dang-vien": 1430.0, "bhyt": {"value": 90}},
    }
    progress, problems = progress_from_json(doc, defs, "api", Period.parse("2026-Q1"), "api")
    assert not problems
    assert progress.values["ket-nap-dang-vien"].value == 6
    assert progress.values["dang-vien"].value == 1430
    assert progress.values["bhyt"].value == 90
