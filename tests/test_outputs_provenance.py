"""Every export says where its figures come from; csv-excel; the light screenshot."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from chitieu_tui.cli import main
from chitieu_tui.core.datadir import BUNDLED_COLLECTION


def _out(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    capsys.readouterr()
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def test_markdown_and_table_carry_the_provenance(capsys: pytest.CaptureFixture[str]) -> None:
    md = _out(capsys, "report", "--format", "markdown")
    assert "- **Đơn vị:** Phường Mỹ Thới" in md
    assert "- **Số liệu đến ngày:** 31/03/2026" in md
    assert "- **Nguồn số liệu:** mẫu có sẵn" in md
    table = _out(capsys, "--lang", "en", "report")
    assert "Unit: Phường Mỹ Thới · Period: Q1 2026 · Figures as of: 2026-03-31" in table
    assert "Source: bundled sample" in table


def test_csv_stays_machine_friendly(capsys: pytest.CaptureFixture[str]) -> None:
    out = _out(capsys, "report", "--format", "csv")
    assert out.startswith("id,group,name,kind,unit,value")


def test_csv_excel_bom_headers_and_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    out = _out(capsys, "report", "--format", "csv-excel")
    assert out.startswith("\ufeffBáo cáo kết quả thực hiện chỉ tiêu Quý I/2026")
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff")), delimiter=";"))
    assert ["Nguồn số liệu", "mẫu có sẵn"] in rows
    head = rows.index(next(r for r in rows if r[:1] == ["STT"]))
    assert rows[head][:4] == ["STT", "Chỉ tiêu", "ĐVT", "Kế hoạch năm"]
    money = next(r for r in rows if len(r) > 1 and r[1] == "Tổng thu ngân sách nhà nước")
    assert money[3] == "232,73" and money[6] == "13,75" and money[-1] == "thu-ngan-sach"
    members = next(r for r in rows if len(r) > 1 and r[1] == "Tổng số đảng viên trong Đảng bộ")
    assert members[5] == "1430"  # no thousands separator: a spreadsheet reads it as a number
    en = _out(capsys, "--lang", "en", "report", "--format", "csv-excel")
    rows = list(csv.reader(io.StringIO(en.lstrip("\ufeff"))))
    money = next(r for r in rows if len(r) > 1 and r[1] == "Tổng thu ngân sách nhà nước")
    assert money[3] == "232.73" and money[6] == "13.75"


def test_csv_excel_to_a_file_and_a_collection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.csv"
    assert main(["report", "--format", "csv-excel", "--output", str(out)]) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    text = _out(capsys, "--config", str(BUNDLED_COLLECTION), "report", "--format", "csv-excel")
    assert text.startswith("\ufeff") and "Phường Mỹ Thới;Quý I/2026;" in text
    md = _out(capsys, "--config", str(BUNDLED_COLLECTION), "report", "--format", "markdown")
    assert "- **Nguồn số liệu:**" in md


@pytest.mark.timeout(120)
def test_light_screenshot(tmp_path: Path) -> None:
    dark, light = tmp_path / "dark.svg", tmp_path / "light.svg"
    assert main(["screenshot", "--output", str(dark)]) == 0
    assert main(["screenshot", "--light", "--output", str(light)]) == 0

    def brightness(path: Path) -> float:
        import re

        fills = re.findall(r'fill="#([0-9a-fA-F]{6})"', path.read_text("utf-8"))
        lum = [sum(int(f[i : i + 2], 16) for i in (0, 2, 4)) / 3 for f in fills]
        return sorted(lum)[len(lum) // 2]

    assert brightness(light) > 180 > 60 > brightness(dark)
