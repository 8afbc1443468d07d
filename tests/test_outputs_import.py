"""`chitieu template` and `chitieu import`: the round trip through Excel, on a unit and a collection."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from chitieu_tui.cli import main
from chitieu_tui.core.datadir import BUNDLED_COLLECTION

openpyxl = pytest.importorskip("openpyxl")


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:  # type: ignore[type-arg]
    capsys.readouterr()
    assert main([*argv, "report", "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def _values(doc: dict) -> dict:  # type: ignore[type-arg]
    return {r["id"]: r for r in doc["indicators"]}


def _rows(ws) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {ws.cell(r, 1).value: r for r in range(6, ws.max_row + 1) if ws.cell(r, 1).value}


def test_template_layout_protection_and_validation(tmp_path: Path, ward: Path) -> None:
    out = tmp_path / "t.xlsx"
    assert main(["template", "--config", str(ward), "--output", str(out)]) == 0
    ws = openpyxl.load_workbook(out).active
    assert ws["B2"].value == "my-thoi" and ws["D2"].value == "2026-Q1"
    assert [c.value for c in ws[5]] == [
        "Mã",
        "Chỉ tiêu",
        "ĐVT",
        "Số liệu hiện có",
        "Số liệu mới",
        "Ghi chú",
        "Nguyên nhân",
        "Giải pháp",
    ]
    rows = _rows(ws)
    r = rows["dang-vien"]
    assert ws.cell(r, 4).value == 1430 and ws.cell(r, 4).number_format == "#,##0"
    assert ws.protection.sheet
    assert ws.cell(r, 1).protection.locked and ws.cell(r, 4).protection.locked
    assert not any(ws.cell(r, c).protection.locked for c in (5, 6, 7, 8))
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert lists and f"E{rows['so-tay-dien-tu']}" in str(lists[0].sqref)
    assert lists[0].formula1 == '"Đã xong,Chưa xong"'


def test_round_trip_one_bad_cell_writes_nothing(
    tmp_path: Path, ward: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "t.xlsx"
    assert (
        main(["template", "--config", str(ward), "--period", "2026-Q1", "--output", str(out)]) == 0
    )
    before = (ward / "progress" / "2026-Q1.toml").read_bytes()
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    rows = _rows(ws)
    ws.cell(rows["thu-ngan-sach"], 5).value = "40,5"  # Vietnamese decimal comma, as text
    ws.cell(rows["dang-vien"], 5).value = "1.435"  # Vietnamese thousands, as text
    ws.cell(rows["bhyt"], 5).value = 91  # a number cell
    ws.cell(rows["bhyt"], 7).value = "Một số hộ chưa gia hạn"
    ws.cell(rows["mo-hinh-nong-nghiep-cnc"], 5).value = "Đã xong"
    ws.cell(rows["ho-ngheo"], 5).value = "9,5"  # bad: households are whole
    wb.save(out)
    capsys.readouterr()
    assert main(["import", "--config", str(ward), str(out)]) == 1
    err = capsys.readouterr().err
    assert f"'Phường Mỹ Thới'!E{rows['ho-ngheo']}" in err
    assert "số nguyên" in err
    assert (ward / "progress" / "2026-Q1.toml").read_bytes() == before
    assert not (ward / "journal" / "2026-Q1.toml").exists()
    ws.cell(rows["ho-ngheo"], 5).value = "90"
    wb.save(out)
    assert main(["import", "--config", str(ward), "--by", "Lê Thị B", str(out)]) == 0
    assert "Đã ghi 5 số liệu vào Quý I/2026" in capsys.readouterr().out
    values = _values(_json(capsys, "--config", str(ward)))
    assert values["thu-ngan-sach"]["value"] == 40.5
    assert values["dang-vien"]["value"] == 1435.0
    assert values["bhyt"]["value"] == 91.0 and values["bhyt"]["cause"] == "Một số hộ chưa gia hạn"
    assert values["mo-hinh-nong-nghiep-cnc"]["value"] is True
    assert values["ho-ngheo"]["value"] == 90.0 and values["ho-ngheo"]["by"] == "Lê Thị B"
    journal = (ward / "journal" / "2026-Q1.toml").read_text("utf-8")
    assert journal.count('via = "import"') == 5
    # the same file again: nothing new, nothing written
    assert main(["import", "--config", str(ward), str(out)]) == 0
    assert "không có số liệu mới" in capsys.readouterr().out


def test_english_reader_numbers_and_messages(
    tmp_path: Path, ward: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "t.xlsx"
    assert main(["--lang", "en", "template", "--config", str(ward), "--output", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    rows = _rows(ws)
    ws.cell(rows["dang-vien"], 5).value = "1,436"
    ws.cell(rows["thu-ngan-sach"], 5).value = "32,5"  # English: a wrongly grouped number
    wb.save(out)
    assert main(["--lang", "en", "import", "--config", str(ward), str(out)]) == 1
    err = capsys.readouterr().err
    assert f"E{rows['thu-ngan-sach']}" in err and "wrongly grouped" in err
    ws.cell(rows["thu-ngan-sach"], 5).value = "32.5"
    wb.save(out)
    assert main(["--lang", "en", "import", "--config", str(ward), str(out)]) == 0
    values = _values(_json(capsys, "--config", str(ward)))
    assert values["dang-vien"]["value"] == 1436.0 and values["thu-ngan-sach"]["value"] == 32.5


def test_import_refuses_implausible_unless_yes_and_a_closed_quarter(
    tmp_path: Path, ward: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "t.xlsx"
    assert main(["template", "--config", str(ward), "--output", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    ws.cell(_rows(ws)["thu-ngan-sach"], 5).value = 5000
    wb.save(out)
    assert main(["import", "--config", str(ward), str(out)]) == 1
    assert "--yes" in capsys.readouterr().err
    args = ["--config", str(ward), "--period", "2026-Q1"]
    assert main(["close", *args, "--reason", "Họp giao ban"]) == 0
    assert main(["import", "--yes", *args, str(out)]) == 1
    err = capsys.readouterr().err
    assert "'Phường Mỹ Thới'!D2" in err and "Họp giao ban" in err
    assert main(["reopen", *args, "--reason", "Sửa số"]) == 0
    assert main(["import", "--yes", *args, str(out)]) == 0


def test_import_errors_name_the_file_and_cell(
    tmp_path: Path, ward: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"not a workbook")
    assert main(["import", "--config", str(ward), str(bad)]) == 1
    assert "x.xlsx" in capsys.readouterr().err
    other = tmp_path / "o.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.save(other)
    assert main(["import", "--config", str(ward), str(other)]) == 1
    assert "chitieu template" in capsys.readouterr().err
    out = tmp_path / "t.xlsx"
    assert main(["template", "--config", str(ward), "--output", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    ws.title = "Sheet1"
    import datetime as dt

    ws.cell(_rows(ws)["bhyt"], 5).value = dt.datetime(2026, 4, 1)
    wb.save(out)
    assert main(["import", "--config", str(ward), str(out)]) == 1
    err = capsys.readouterr().err
    assert f"Sheet1!E{_rows(ws)['bhyt']}" in err and "ngày tháng" in err


def test_report_sheet_is_accepted(
    tmp_path: Path, ward: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.xlsx"
    assert main(["report", "--config", str(ward), "--format", "xlsx", "--output", str(out)]) == 0
    assert main(["import", "--config", str(ward), str(out)]) == 0
    assert "không có số liệu mới" in capsys.readouterr().out
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    row = next(
        r
        for r in range(1, ws.max_row + 1)
        if ws.cell(r, 2).value == "Tỷ lệ người dân tham gia BHYT"
    )
    ws.cell(row, 6).value = 92  # Lũy kế: a level's stored value
    wb.save(out)
    assert main(["import", "--config", str(ward), str(out)]) == 0
    assert _values(_json(capsys, "--config", str(ward)))["bhyt"]["value"] == 92.0


def test_collection_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "wards"
    shutil.copytree(BUNDLED_COLLECTION, root)
    out = tmp_path / "t.xlsx"
    assert main(["template", "--config", str(root), "--output", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    assert len(wb.sheetnames) == 5
    typed = {}
    for ws in wb.worksheets:
        rows = _rows(ws)
        unit = ws["B2"].value
        if "bhyt" in rows:
            ws.cell(rows["bhyt"], 5).value = "93,5"
            typed[unit] = 93.5
    bad_sheet = wb.worksheets[-1]
    bad_row = next(iter(_rows(bad_sheet).values()))
    bad_sheet.cell(bad_row, 5).value = "1,,2"
    wb.save(out)
    capsys.readouterr()
    assert main(["import", "--config", str(root), str(out)]) == 1
    assert f"!E{bad_row}" in capsys.readouterr().err
    assert not list(root.glob("*/journal/*.toml"))  # nothing written anywhere
    bad_sheet.cell(bad_row, 5).value = None
    wb.save(out)
    assert main(["import", "--config", str(root), str(out)]) == 0
    doc = _json(capsys, "--config", str(root))
    got = {u["unit"]: _values(u)["bhyt"]["value"] for u in doc["units"] if "bhyt" in _values(u)}
    assert got == typed and len(got) >= 2


def test_import_refuses_a_workbook_that_unpacks_too_large_unread(
    tmp_path: Path, ward: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import zipfile

    from chitieu_tui.office import entry

    out = tmp_path / "t.xlsx"
    assert main(["template", "--config", str(ward), "--output", str(out)]) == 0
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("xl/media/padding.bin", b"\0" * (2 * 1024 * 1024))
    monkeypatch.setattr(entry, "MAX_UNPACKED", 1024 * 1024)
    loaded: list[object] = []
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: loaded.append(a))
    capsys.readouterr()
    assert main(["--lang", "en", "import", "--config", str(ward), str(bomb)]) == 1
    err = capsys.readouterr().err
    assert "bomb.xlsx" in err and "too large" in err and not loaded


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: p.mkdir(), "is a folder, not an Excel .xlsx file"),
        (lambda p: p.write_text("id,value\nbhyt,90\n"), "is not an Excel .xlsx file"),
    ],
)
def test_import_of_what_is_no_workbook_says_what_it_is(
    tmp_path: Path, ward: Path, capsys: pytest.CaptureFixture[str], make: Any, words: str
) -> None:
    path = tmp_path / "figures.xlsx"
    make(path)
    assert main(["--lang", "en", "import", "--config", str(ward), str(path)]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert words in err and "Error" not in err and "Exception" not in err
