"""Text is data in every workbook: a unit's, an indicator's or a group's name, or a note,
starting with `=` is stored as text, never as a formula Excel would run (openpyxl stores
such a string as a formula unless told otherwise; `office/xlsx.to_bytes` tells it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from datadirs import copy_sample, enter

from chitieu_tui.cli import main
from chitieu_tui.core.periods import Period

HOSTILE = '=HYPERLINK("http://evil.example/","bấm")'


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """The sample collection with one ward whose names and a note start with `=`."""
    root = tmp_path / "province"
    shutil.copytree(Path(__file__).parents[1] / "src/chitieu_tui/sample_collection", root)
    ward = root / "my-thoi"
    text = (ward / "chitieu.toml").read_text(encoding="utf-8")
    text = text.replace('name = "Phường Mỹ Thới"', f"name = '{HOSTILE}'", 1)
    text = text.replace('name = "Xây dựng Đảng"', "name = '=1+2'", 1)
    (ward / "chitieu.toml").write_text(text, encoding="utf-8")
    enter(ward, Period(2026, 1), "bhyt", "93", by="=cmd|'/c calc'!A0", note="=SUM(A1:A9)")
    return root


def _formulas(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    return [
        f"{ws.title}!{c.coordinate}={c.value}"
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    ]


def _texts(path: Path) -> set[str]:
    wb = openpyxl.load_workbook(path)
    return {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value}


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "--format", "xlsx", "--period", "2026-Q1"],
        ["--unit", "my-thoi", "report", "--format", "xlsx", "--period", "2026-Q1"],
        ["template", "--period", "2026-Q1"],
        ["template", "--targets", "--year", "2026"],
        ["targets", "--format", "xlsx", "--year", "2026"],
    ],
    ids=["collection", "unit", "template", "targets-template", "targets"],
)
def test_no_workbook_stores_a_name_or_note_as_a_formula(
    hostile: Path, tmp_path: Path, argv: list[str]
) -> None:
    out = tmp_path / "out.xlsx"
    config = ["--config", str(hostile)]
    if argv[0] == "--unit":
        config, argv = ["--config", str(hostile / "my-thoi")], argv[2:]
    assert main([*config, *argv, "--output", str(out)]) == 0
    assert _formulas(out) == []
    if argv[0] != "targets" and "--targets" not in argv:
        assert any(HOSTILE in str(v) for v in _texts(out))  # the name is there, as text


def test_the_sweep_leaves_the_samples_numbers_as_numbers(tmp_path: Path) -> None:
    """The sweep leaves the bundled sample's report as it was: no formula, numbers numbers."""
    out = tmp_path / "unit.xlsx"
    assert (
        main(
            [
                "--config",
                str(copy_sample(tmp_path)),
                "report",
                "--format",
                "xlsx",
                "--output",
                str(out),
            ]
        )
        == 0
    )
    assert _formulas(out) == []
    ws = openpyxl.load_workbook(out).worksheets[0]
    assert any(isinstance(c.value, (int, float)) for row in ws.iter_rows() for c in row)
