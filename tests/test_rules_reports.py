"""The reports carry the rules between figures (issue 25 item 3, DESIGN section 15): the CSV
(a `rules_broken` column last, and `--rules` for the rules' own table), the xlsx (a block
under the table; a collection's rules sheet), the docx (a short section after the table; a
collection's summary names the units), and a collection's JSON, CSV and Markdown per unit."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import docx
import openpyxl
import pytest
from datadirs import copy_sample

from chitieu_tui.cli import main
from chitieu_tui.core.datadir import BUNDLED_COLLECTION
from chitieu_tui.present.official import STATUS_FILL, STATUS_INK
from chitieu_tui.present.status import Status

pytestmark = pytest.mark.timeout(120)
Q1 = ["--period", "2026-Q1"]
MEDIUM = "Mỗi tổ chức đảng có ít nhất 3 đảng viên: kiểm tra số tổ chức đảng và số đảng viên"
MEDIUM_LINE = f"[cần xem] {MEDIUM}: so-to-chuc-dang * 3 = 1.440 <= dang-vien = 1.430"


def _run(*argv: str) -> int:
    try:
        return main(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0)


def _break_medium(root: Path) -> None:
    """480 party organisations × 3 > 1,430 members: the sample's medium rule breaks."""
    argv = ["set", "--config", str(root), *Q1, "--no-snapshot", "--yes"]
    assert _run(*argv, "so-to-chuc-dang", "480") == 0


def _out(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    capsys.readouterr()
    assert _run(*argv) == 0
    return capsys.readouterr().out


@pytest.fixture
def ward(tmp_path: Path) -> Path:
    root = copy_sample(tmp_path)
    _break_medium(root)
    return root


@pytest.fixture
def province(tmp_path: Path) -> Path:
    root = tmp_path / "tinh"
    shutil.copytree(BUNDLED_COLLECTION, root)
    _break_medium(root / "my-thoi")
    return root


def test_csv_has_rules_broken_last_and_keeps_every_column(
    ward: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _out(capsys, "report", "--config", str(ward), *Q1, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    head = out.splitlines()[0].split(",")
    assert head[:16] == [
        "id", "group", "name", "kind", "unit", "value", "ytd", "target", "expected",
        "percent_of_target", "status", "note", "by", "at", "cause", "remedy",
    ]  # fmt: skip
    assert head[16:] == ["rules_broken"]
    found = {r["id"]: r["rules_broken"] for r in rows}
    assert found["so-to-chuc-dang"] == "2" and found["dang-vien"] == "2"
    assert found["ket-nap-dang-vien"] == "" and found["doanh-nghiep"] == ""


def test_csv_rules_table(ward: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _out(capsys, "report", "--config", str(ward), *Q1, "--format", "csv", "--rules")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["rule"] for r in rows] == ["1", "2", "3"]
    assert [r["state"] for r in rows] == ["holds", "broken", "holds"]
    second = rows[1]
    assert second["left"] == "so-to-chuc-dang * 3" and second["op"] == "<="
    assert second["right"] == "dang-vien" and second["importance"] == "medium"
    assert float(second["left_value"]) == 1440 and float(second["right_value"]) == 1430
    assert second["message"] == MEDIUM and second["when"] == "filled"


def test_rules_goes_only_with_csv(ward: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert _run("report", "--config", str(ward), "--format", "markdown", "--rules") == 2
    assert "--rules chỉ dùng với --format csv" in capsys.readouterr().err
    argv = ["--lang", "en", "report", "--config", str(ward), "--format", "json", "--rules"]
    assert _run(*argv) == 2
    assert "--rules goes only with --format csv" in capsys.readouterr().err


def test_xlsx_lists_every_rule_under_the_table(ward: Path, tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    argv = ["report", "--config", str(ward), *Q1, "--format", "xlsx", "-o", str(path)]
    assert _run(*argv) == 0
    ws = openpyxl.load_workbook(path).active
    cells = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    head = cells["Quy tắc giữa các số liệu: 1 quy tắc bị vi phạm"]
    assert [ws.cell(head + 1, c).value for c in (1, 2, 3, 4, 6, 7, 8, 10, 11)] == [
        "STT", "Nội dung kiểm tra", "Mức độ", "Vế trái", "Giá trị", "So sánh", "Vế phải",
        "Giá trị", "Kết quả",
    ]  # fmt: skip
    second = [ws.cell(head + 3, c).value for c in (1, 2, 3, 4, 6, 7, 8, 10, 11)]
    assert second == [2, MEDIUM, "cần xem", "so-to-chuc-dang * 3", 1440, "<=", "dang-vien", 1430,
                      "vi phạm"]  # fmt: skip
    state = ws.cell(head + 3, 11)
    assert state.fill.fgColor.rgb.endswith(STATUS_FILL[Status.BEHIND])
    assert state.font.color.rgb.endswith(STATUS_INK[Status.BEHIND]) and state.font.bold
    assert ws.cell(head + 2, 11).value == "đúng"
    assert ws.cell(head + 3, 6).number_format == "#,##0"
    for r in range(head, head + 5):  # the hidden id column stays empty: imports skip them
        assert ws.cell(r, 16).value is None
    assert ws.page_setup.fitToWidth == 1 and ws.max_column == 16
    # the report imports back as before (its rules block is not read as values)
    assert _run("import", "--config", str(ward), "--yes", str(path)) == 0
    assert _run("--lang", "en", *argv) == 0
    ws = openpyxl.load_workbook(path).active
    cells = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    head = cells["Rules between figures: 1 rules broken"]
    assert ws.cell(head + 1, 2).value == "What is checked"
    assert [ws.cell(head + 3, c).value for c in (3, 11)] == ["medium", "broken"]


def test_docx_section_after_the_table(ward: Path, tmp_path: Path) -> None:
    path = tmp_path / "r.docx"
    argv = ["report", "--config", str(ward), *Q1, "--format", "docx", "-o", str(path)]
    assert _run(*argv) == 0
    texts = [p.text for p in docx.Document(str(path)).paragraphs]
    at = texts.index("Đối chiếu quy tắc giữa các số liệu")
    assert texts.index("II. Bảng chỉ tiêu") < at < texts.index("III. Chỉ tiêu chậm tiến độ")
    assert texts[at + 1] == "Có 1/3 quy tắc bị vi phạm, cần kiểm tra lại số liệu:"
    assert texts[at + 2] == f"1. {MEDIUM_LINE}"


def test_docx_all_rules_hold_in_either_language(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    path = tmp_path / "r.docx"
    argv = ["report", "--config", str(root), *Q1, "--format", "docx", "-o", str(path)]
    assert _run(*argv) == 0
    texts = [p.text for p in docx.Document(str(path)).paragraphs]
    at = texts.index("Đối chiếu quy tắc giữa các số liệu")
    assert texts[at + 1] == "Cả 3 quy tắc giữa các số liệu đều đúng."
    assert _run("--lang", "en", *argv) == 0
    texts = [p.text for p in docx.Document(str(path)).paragraphs]
    at = texts.index("Rules between figures")
    assert texts[at + 1] == "All 3 rules between figures hold."


def test_collection_json_names_each_units_broken_rules(
    province: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads(_out(capsys, "report", "--config", str(province), "--format", "json"))
    units = {u["unit"]: u for u in doc["units"]}
    assert units["my-thoi"]["rules_broken"] == 1
    assert [r["state"] for r in units["my-thoi"]["rules"]] == ["holds", "broken", "holds"]
    assert units["my-thoi"]["rules"][1]["message"] == MEDIUM
    assert units["binh-duc"]["rules_broken"] == 1  # the bundled collection's invented rule
    others = [u for key, u in units.items() if key not in ("my-thoi", "binh-duc")]
    assert all(u["rules_broken"] in (0, None) for u in others)


def test_collection_csv_and_its_rules_table(
    province: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _out(capsys, "report", "--config", str(province), "--format", "csv")
    head = out.splitlines()[0].split(",")
    assert head[:3] == ["row", "unit_id", "unit_name"] and head[-2:] == ["units", "rules_broken"]
    rows = list(csv.DictReader(io.StringIO(out)))
    mine = {r["id"]: r["rules_broken"] for r in rows if r["unit_id"] == "my-thoi"}
    assert mine["so-to-chuc-dang"] == "2" and mine["ket-nap-dang-vien"] == ""
    assert all(r["rules_broken"] == "" for r in rows if r["unit_id"] not in ("my-thoi", "binh-duc"))
    argv = ["report", "--config", str(province), "--format", "csv", "--rules"]
    rows = list(csv.DictReader(io.StringIO(_out(capsys, *argv))))
    broken = [(r["unit_id"], r["rule"]) for r in rows if r["state"] == "broken"]
    assert broken == [("binh-duc", "1"), ("my-thoi", "2")]
    assert {r["unit_name"] for r in rows if r["unit_id"] == "my-thoi"} == {"Phường Mỹ Thới"}


def test_collection_markdown_and_table_list_the_units(
    province: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _out(capsys, "report", "--config", str(province), "--format", "markdown")
    lines = out.splitlines()
    at = lines.index("**Quy tắc giữa các số liệu bị vi phạm**")
    assert lines[at + 2] == "- Phường Bình Đức: 1 quy tắc bị vi phạm"  # the bundled one
    assert lines[at + 3].endswith(": ho-ngheo = 58 \\<= 55")  # a number side shown once
    assert lines[at + 4] == "- Phường Mỹ Thới: 1 quy tắc bị vi phạm"
    assert lines[at + 5].startswith("  - \\[cần xem\\] Mỗi tổ chức đảng có ít nhất 3 đảng viên")
    out = _out(capsys, "--lang", "en", "report", "--config", str(province), "--format", "table")
    assert "Rules between figures broken" in out and "Phường Mỹ Thới: 1 rules broken" in out


def test_collection_xlsx_rules_sheet_and_docx_summary(province: Path, tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    argv = ["report", "--config", str(province), "--format", "xlsx", "-o", str(path)]
    assert _run(*argv) == 0
    wb = openpyxl.load_workbook(path)
    ws = wb["Quy tắc"]
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}
    r = rows["Phường Mỹ Thới"]
    assert ws.cell(r, 2).value == 1 and ws.cell(r, 3).value == "cần xem"
    assert ws.cell(r, 4).value == f"{MEDIUM}: so-to-chuc-dang * 3 = 1.440 <= dang-vien = 1.430"
    assert ws.cell(r, 2).fill.fgColor.rgb.endswith(STATUS_FILL[Status.BEHIND])
    other = rows["Phường Long Xuyên"]  # its definitions have no [[rule]]
    assert ws.cell(other, 2).value is None and ws.cell(other, 4).value == "không có quy tắc"
    assert ws.page_setup.fitToWidth == 1
    # each unit's own sheet has its block, as the unit's report
    unit = wb["Phường Mỹ Thới"]
    assert any(
        unit.cell(r, 1).value == "Quy tắc giữa các số liệu: 1 quy tắc bị vi phạm"
        for r in range(1, unit.max_row + 1)
    )
    path = tmp_path / "r.docx"
    argv = ["report", "--config", str(province), "--format", "docx", "-o", str(path)]
    assert _run(*argv) == 0
    texts = [p.text for p in docx.Document(str(path)).paragraphs]
    line = next(x for x in texts if x.startswith("Đơn vị có quy tắc giữa các số liệu bị vi"))
    assert "Phường Bình Đức (1 quy tắc)" in line and "Phường Mỹ Thới (1 quy tắc)" in line
    assert texts.index(line) < texts.index("B. TÌNH HÌNH TỪNG ĐƠN VỊ")
    assert f"1. {MEDIUM_LINE}" in texts  # under Mỹ Thới's own table
