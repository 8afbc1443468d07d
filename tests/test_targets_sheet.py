"""The assignment sheet (issue 21 item 6): `template --targets` and `import --targets`,
all or nothing, each problem at its sheet!cell, written atomically and journaled."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from chitieu_tui.cli import main

openpyxl = pytest.importorskip("openpyxl")
SAMPLE = Path(__file__).resolve().parents[1] / "src" / "chitieu_tui" / "sample_collection"


@pytest.fixture
def province(tmp_path: Path) -> Path:
    root = tmp_path / "tinh"
    shutil.copytree(SAMPLE, root)
    return root


def template(province: Path, tmp_path: Path, *more: str) -> Path:
    out = tmp_path / "giao.xlsx"
    argv = ["template", "--targets", "--config", str(province), "-o", str(out), *more]
    assert main(argv) == 0
    return out


def test_the_template_holds_every_unit_and_the_assignment(province: Path, tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(template(province, tmp_path)).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[1][:2] == ["Năm", 2026]
    assert rows[5][:5] == ["Mã chỉ tiêu", None, "thu-ngan-sach", "ket-nap-dang-vien", "bhyt"]
    assert rows[6][2].startswith("Quyết định số 12/QĐ-UBND")
    assert rows[7][2:5] == [1050, 130, 95]
    units = {r[0]: r[2:5] for r in rows[8:]}
    assert set(units) == {"binh-duc", "chau-doc", "long-xuyen", "my-hoa-hung", "my-thoi"}
    assert units["my-thoi"] == [232.73, 30, 95] and units["my-hoa-hung"][0] is None


def test_the_template_of_a_year_without_assignment_offers_the_shown_columns(
    province: Path, tmp_path: Path
) -> None:
    shutil.rmtree(province / "targets")
    ws = openpyxl.load_workbook(template(province, tmp_path, "--year", "2026")).active
    ids = [c for c in next(ws.iter_rows(min_row=6, max_row=6, values_only=True)) if c][1:]
    assert ids == ["thu-ngan-sach", "ket-nap-dang-vien", "bhyt", "giao-quan", "hoc-tap-nghi-quyet"]


def test_an_edited_sheet_is_imported_written_and_journaled(
    province: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = template(province, tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["C8"] = "=SUM(C9:C13)"  # a formula: its value as the spreadsheet computed it is read
    ws["C9"] = 96  # Bình Đức assigned what it adopted
    ws["E8"] = "92,5"  # a number typed as text, as the reader writes it
    wb.save(path)
    _cache_formula(path, "C8", 1048.73)
    capsys.readouterr()
    assert main(["import", "--targets", str(path), "--config", str(province), "--by", "Sở"]) == 0
    assert "3 chỉ tiêu giao năm 2026" in capsys.readouterr().out
    stored = tomllib.loads((province / "targets" / "2026.toml").read_text(encoding="utf-8"))
    thu = stored["indicator"][0]
    assert thu["target"] == 1048.73 and thu["units"]["binh-duc"] == 96
    assert stored["indicator"][2]["target"] == 92.5
    journal = tomllib.loads(
        (province / "journal" / "targets-2026.toml").read_text(encoding="utf-8")
    )
    (entry,) = journal["change"]
    assert entry["via"] == "import" and entry["by"] == "Sở"
    assert main(["import", "--targets", str(path), "--config", str(province)]) == 0
    assert "không ghi gì" in capsys.readouterr().out  # the same again: nothing written


def _cache_formula(path: Path, cell: str, value: float) -> None:
    """Store `value` as the formula's computed value, as a spreadsheet program does."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    name = "xl/worksheets/sheet1.xml"
    xml = members[name].decode("utf-8")
    xml = re.sub(
        rf'(<c r="{cell}"[^>]*>)<f>([^<]*)</f>(<v>[^<]*</v>|<v\s*/>)?',
        rf"\1<f>\2</f><v>{value}</v>",
        xml,
    )
    members[name] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w") as zf:
        for n, data in members.items():
            zf.writestr(n, data)


def test_every_bad_cell_is_named_and_nothing_written(
    province: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # the error panel's lines whole
    path = template(province, tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["C9"] = -5
    ws["D10"] = "abc"
    wb.save(path)
    before = (province / "targets" / "2026.toml").read_bytes()
    capsys.readouterr()
    code = main(["--lang", "en", "import", "--targets", str(path), "--config", str(province)])
    err = capsys.readouterr().err
    assert code == 1
    assert "'Targets assigned'!C9" not in err  # the sheet keeps the name it was made with
    assert "'Chỉ tiêu giao'!C9" in err and "cannot be negative" in err
    assert "'Chỉ tiêu giao'!D10" in err and 'must be a number, got "abc"' in err
    assert (province / "targets" / "2026.toml").read_bytes() == before
    assert not (province / "journal").exists()


@pytest.mark.parametrize(
    ("cell", "value", "words"),
    [
        ("A11", "zz", "'Chỉ tiêu giao'!C11"),  # the unknown unit, at its first figure
        ("D6", "khong", "'Chỉ tiêu giao'!D6"),
        ("B2", "năm nay", "'Chỉ tiêu giao'!B2"),
        ("B2", 2031, "'Chỉ tiêu giao'!B2"),
    ],
)
def test_an_unknown_unit_indicator_or_year_is_named_at_its_cell(
    province: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    cell: str,
    value: object,
    words: str,
) -> None:
    path = template(province, tmp_path)
    wb = openpyxl.load_workbook(path)
    wb.active[cell] = value
    wb.save(path)
    capsys.readouterr()
    assert main(["import", "--targets", str(path), "--config", str(province)]) == 1
    assert words in capsys.readouterr().err


def test_a_workbook_of_another_layout_is_refused(
    province: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    wb.save(other)
    capsys.readouterr()
    code = main(["--lang", "en", "import", "--targets", str(other), "--config", str(province)])
    assert code == 1 and "no assignment sheet in this file" in capsys.readouterr().err
