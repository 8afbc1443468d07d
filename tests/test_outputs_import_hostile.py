"""`chitieu import` of hostile and edited workbooks (issue 18, items 4 and 5): streamed with a
row limit and bounded memory, a FIFO refused, damaged XML said in words, a formula without a
cached value named, and cells edited to send values elsewhere refused."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from chitieu_tui.cli import main
from chitieu_tui.core.datadir import BUNDLED_COLLECTION

openpyxl = pytest.importorskip("openpyxl")

SRC = Path(__file__).resolve().parents[1] / "src"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
    'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    'worksheet+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="NAME" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 2 else "") + ";") * 10}">'
        for i in range(2, 10)
    )
    + "]>"
)
XXE = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _sheet(rows: str, prolog: str = "") -> str:
    return (
        prolog + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<dimension ref="A1"/><sheetData>' + rows + "</sheetData></worksheet>"
    )


def _by_hand(path: Path, sheet: str, workbook: str = WORKBOOK.replace("NAME", "Sheet1")) -> None:
    """A workbook written member by member, as a hostile tool would."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)


def _template(ward: Path, out: Path, *more: str) -> Path:
    assert main(["template", "--config", str(ward), "--output", str(out), *more]) == 0
    return out


def _patched(src: Path, dst: Path, edit: Callable[[bytes], bytes]) -> Path:
    """`src` with every worksheet's XML passed through `edit`."""
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as b:
        for info in a.infolist():
            data = a.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = edit(data)
            b.writestr(info.filename, data)
    return dst


def _import(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["--lang", "en", "import", *argv])
    return code, " ".join(capsys.readouterr().err.split())


def _rows(ws) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {ws.cell(r, 1).value: r for r in range(6, ws.max_row + 1) if ws.cell(r, 1).value}


# Item 4: hostile workbooks.


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_not_waited_on(
    tmp_path: Path, ward: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "figures.xlsx"
    os.mkfifo(fifo)
    code, err = _import(capsys, "--config", str(ward), str(fifo))
    assert code == 1 and "figures.xlsx" in err and "not a regular file" in err
    assert "Excel" in err and ".toml" not in err


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(
            lambda p: _by_hand(p, _sheet('<row r="1"><c r="A1"><v>1</v></c></row>')[:-30]),
            id="truncated-xml",
        ),
        pytest.param(
            lambda p: _by_hand(
                p, _sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>', XXE)
            ),
            id="xxe-in-sheet",
        ),
        pytest.param(
            lambda p: _by_hand(
                p,
                _sheet(
                    '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>', LAUGHS
                ),
            ),
            id="billion-laughs-in-sheet",
        ),
        pytest.param(
            lambda p: _by_hand(p, _sheet(""), LAUGHS + WORKBOOK.replace("NAME", "&lol9;")),
            id="billion-laughs-in-workbook",
        ),
        pytest.param(
            lambda p: _by_hand(p, _sheet(""), XXE + WORKBOOK.replace("NAME", "&xxe;")),
            id="xxe-in-workbook",
        ),
        pytest.param(lambda p: _by_hand(p, _sheet(""), "<workbook"), id="workbook-xml-cut-short"),
        pytest.param(
            lambda p: (
                _by_hand(p, _sheet("")),
                p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
            ),
            id="zip-cut-in-half",
        ),
    ],
)
def test_a_damaged_workbook_is_not_an_excel_file(
    tmp_path: Path, ward: Path, capsys: pytest.CaptureFixture[str], make: Callable[[Path], None]
) -> None:
    path = tmp_path / "damaged.xlsx"
    make(path)
    code, err = _import(capsys, "--config", str(ward), str(path))
    assert code == 1
    assert "damaged.xlsx" in err and "is not an Excel .xlsx file" in err
    assert "internal" not in err and "Error" not in err


def test_a_formula_without_a_cached_value_names_its_cell(
    tmp_path: Path, ward: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _template(ward, tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    row = _rows(ws)["bhyt"]
    ws.cell(row, 5).value = "=90+2"  # openpyxl computes nothing: no value is cached
    wb.save(out)
    code, err = _import(capsys, "--config", str(ward), str(out))
    assert code == 1 and f"'Phường Mỹ Thới'!E{row}" in err and "formula" in err
    # the same formula as Excel saves it, with the value it computed: that value is taken
    cached = _patched(
        out,
        tmp_path / "cached.xlsx",
        lambda d: d.replace(b"<f>90+2</f><v></v>", b"<f>90+2</f><v>92</v>"),
    )
    code, err = _import(capsys, "--config", str(ward), str(cached))
    assert code == 0, err
    assert main(["--config", str(ward), "log", "bhyt"]) == 0


def _far_cell(d: bytes) -> bytes:
    cell = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return d.replace(b"</sheetData>", cell + b"</sheetData>")


def _million_rows(d: bytes) -> bytes:
    rows = b"".join(
        b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i) for i in range(100, 1_000_001)
    )
    return d.replace(b"</sheetData>", rows + b"</sheetData>")


def _peak_rss_mib(argv: list[str], env: dict[str, str]) -> tuple[int, float]:
    """Exit code and peak resident memory (MiB) of `chitieu import` in a child process,
    measured by a parent of its own (so no earlier child of pytest is counted)."""
    probe = (
        "import resource, subprocess, sys\n"
        "code = subprocess.run([sys.executable, '-m', 'chitieu_tui', *sys.argv[1:]],"
        " capture_output=True).returncode\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(code, peak / 1024 if sys.platform != 'darwin' else peak / 1024 / 1024)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *argv], env=env, capture_output=True, text=True, check=True
    )
    code, peak = done.stdout.split()
    return int(code), float(peak)


@pytest.mark.skipif(sys.platform == "win32", reason="resource is POSIX")
@pytest.mark.parametrize(
    ("edit", "cell"),
    [(_far_cell, "A1048576"), (_million_rows, "A100001")],
    ids=["one-cell-at-row-1048576", "a-million-rows"],
)
def test_import_memory_is_bounded_and_rows_past_the_limit_refused(
    tmp_path: Path,
    ward: Path,
    capsys: pytest.CaptureFixture[str],
    edit: Callable[[bytes], bytes],
    cell: str,
) -> None:
    out = _template(ward, tmp_path / "t.xlsx")
    hostile = _patched(out, tmp_path / "hostile.xlsx", edit)
    code, err = _import(capsys, "--config", str(ward), str(hostile))
    assert code == 1 and f"'Phường Mỹ Thới'!{cell}" in err and "past row 100000" in err
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    code, peak = _peak_rss_mib(["import", "--config", str(ward), str(hostile)], env)
    assert code == 1
    assert peak < 300, f"peak RSS {peak:.0f} MiB"


def test_a_sheet_in_no_known_layout_is_not_read_to_its_end(
    tmp_path: Path, ward: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unrelated sheet with a far cell does not stop the import of the entry sheet."""
    out = _template(ward, tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(out)
    other = wb.create_sheet("Ghi chép")
    other["A1"] = "ghi chép riêng"
    other["C1048576"] = 1
    ws = wb.worksheets[0]
    ws.cell(_rows(ws)["bhyt"], 5).value = 92
    wb.save(out)
    code, err = _import(capsys, "--config", str(ward), str(out))
    assert code == 0, err


# Item 5: edited cells that would send values elsewhere.


def test_an_edited_id_cell_is_refused_naming_both_names(
    tmp_path: Path, ward: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _template(ward, tmp_path / "t.xlsx")
    before = (ward / "progress" / "2026-Q1.toml").read_bytes()
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    rows = _rows(ws)
    row = rows["bhyt"]
    ws.cell(row, 1).value = "ho-ngheo"  # the id edited; the name still says BHYT
    ws.cell(row, 5).value = 92
    wb.save(out)
    code, err = _import(capsys, "--config", str(ward), str(out))
    assert code == 1
    assert f"'Phường Mỹ Thới'!B{row}" in err and '"ho-ngheo"' in err
    assert "BHYT" in err and "hộ nghèo" in err.casefold()
    assert (ward / "progress" / "2026-Q1.toml").read_bytes() == before
    # the name's spacing and case are not an edit
    ws.cell(row, 1).value = "bhyt"
    ws.cell(row, 2).value = "  " + str(ws.cell(row, 2).value).upper().replace(" ", "  ")
    wb.save(out)
    code, err = _import(capsys, "--config", str(ward), str(out))
    assert code == 0, err


def test_an_edited_unit_cell_is_refused(
    tmp_path: Path, ward: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hostile_server import make_ward

    other = make_ward(tmp_path / "an-binh", "an-binh", "Phường An Bình")
    out = _template(other, tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    ws["B2"] = "my-thoi"  # An Bình's sheet, relabelled to go into Mỹ Thới
    ws.cell(_rows(ws)["bhyt"], 5).value = 92
    wb.save(out)
    code, err = _import(capsys, "--config", str(ward), str(out))
    assert code == 1
    assert "!B2" in err and '"my-thoi"' in err and "Phường Mỹ Thới" in err
    assert "Phường An Bình" in err
    assert not (ward / "journal" / "2026-Q1.toml").exists()


def test_an_edited_unit_cell_in_a_collection_and_a_report_sheet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "wards"
    shutil.copytree(BUNDLED_COLLECTION, root)
    out = tmp_path / "r.xlsx"
    args = ["--config", str(root)]
    assert main(["report", *args, "--format", "xlsx", "--output", str(out)]) == 0
    code, err = _import(capsys, *args, str(out))
    assert code == 0, err  # the report as written goes back unchanged
    wb = openpyxl.load_workbook(out)
    first, second = [ws for ws in wb.worksheets if ws["P1"].value][:2]  # the units' sheets
    first["P1"] = second["P1"].value  # the hidden unit cell now names another member
    wb.save(out)
    code, err = _import(capsys, *args, str(out))
    assert code == 1 and "!P1" in err and f'"{second["P1"].value}"' in err
    assert not list(root.glob("*/journal/*.toml"))


def test_two_sheets_for_one_unit_and_quarter_are_a_conflict(
    tmp_path: Path, ward: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _template(ward, tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    copy = wb.copy_worksheet(ws)
    copy.title = "Bản sao"
    row = _rows(ws)["bhyt"]
    ws.cell(row, 5).value = 92
    copy.cell(row, 5).value = 93
    wb.save(out)
    code, err = _import(capsys, "--config", str(ward), str(out))
    assert code == 1
    assert "'Bản sao'!B2" in err and "'Phường Mỹ Thới'" in err and "keep only one" in err
    assert not (ward / "journal" / "2026-Q1.toml").exists()
