"""`report --format xlsx|text`: the §11 workbook read back, the narrative against the seed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chitieu_tui.cli import main
from chitieu_tui.core.datadir import BUNDLED, BUNDLED_COLLECTION
from chitieu_tui.core.filesource import FileSource

openpyxl = pytest.importorskip("openpyxl")

SRC = str(Path(__file__).resolve().parents[1] / "src")


def _sample_view(history: int = 5):  # type: ignore[no-untyped-def]
    return FileSource(BUNDLED).load(None, history=history)


def _find(ws, text: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell.row, cell.column
    raise AssertionError(f"{text!r} not in sheet {ws.title}")


def _report(tmp_path: Path, *argv: str, name: str = "r.xlsx") -> Path:
    out = tmp_path / name
    assert main([*argv, "report", "--format", out.suffix[1:], "--output", str(out)]) == 0
    return out


def test_xlsx_layout_numbers_and_formats(tmp_path: Path) -> None:
    path = _report(tmp_path)
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "Báo cáo kết quả thực hiện chỉ tiêu Quý I/2026"
    block = [ws.cell(r, 1).value for r in range(2, 8)]
    assert block[:4] == [
        "Đơn vị: Phường Mỹ Thới",  # row 2: `chitieu import` reads it
        "Kỳ báo cáo: Quý I/2026",
        "Số liệu do Phường Mỹ Thới nhập, cập nhật đến 31/03/2026.",
        "Tình trạng báo cáo: đang nhập, chưa nộp",
    ]
    assert not any("Nguồn số liệu" in str(v) for v in block)  # never a folder path
    head, _ = _find(ws, "STT")
    heads = [ws.cell(head, c).value for c in range(1, 12)]
    assert heads == [
        "STT",
        "Chỉ tiêu",
        "ĐVT",
        "Kế hoạch năm",
        "Thực hiện quý",
        "Lũy kế",
        "% KH",
        "Dự kiến",
        "So cùng kỳ",
        "Đánh giá",
        "Ghi chú",
    ]
    assert ws.freeze_panes == f"A{head + 1}"
    # groups as heading rows
    assert ws.cell(head + 1, 1).value == "I" and ws.cell(head + 1, 2).value == "Xây dựng Đảng"
    r, _ = _find(ws, "Tổng thu ngân sách nhà nước")
    assert ws.cell(r, 4).value == pytest.approx(232.73)
    assert ws.cell(r, 4).number_format == "#,##0.00"
    assert ws.cell(r, 5).value == 32 and ws.cell(r, 6).value == 32
    assert ws.cell(r, 6).number_format == "#,##0"
    assert ws.cell(r, 7).value == pytest.approx(0.1375)
    assert ws.cell(r, 7).number_format == "0.00%"
    assert ws.cell(r, 10).value == "Chậm tiến độ"
    assert ws.cell(r, 10).fill.fgColor.rgb.endswith("FFC7CE")
    # the hidden id column carries the indicator's id (a report can be imported back)
    id_col = len([c for c in ws[head] if c.value])
    assert ws.cell(head, id_col).value == "Mã"
    assert ws.cell(r, id_col).value == "thu-ngan-sach"
    from openpyxl.utils import get_column_letter

    assert ws.column_dimensions[get_column_letter(id_col)].hidden
    r, _ = _find(ws, "Tổng số đảng viên trong Đảng bộ")
    assert ws.cell(r, 6).value == 1430 and ws.cell(r, 6).number_format == "#,##0"
    # same quarter last year: a ratio stored as a percentage
    assert isinstance(ws.cell(r, 9).value, float) and ws.cell(r, 9).number_format == "0.00%"
    r, _ = _find(ws, "Tỷ lệ đảng viên được học tập, quán triệt nghị quyết")
    assert ws.cell(r, 6).number_format == "#,##0.0"
    assert ws.cell(r, 11).value == "còn 193 đảng viên chưa học"
    # no formula anywhere: figures are values
    assert not any(
        isinstance(c.value, str) and c.value.startswith("=") for row in ws.iter_rows() for c in row
    )
    ps = ws.page_setup
    assert ps.orientation == "landscape" and int(ps.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ps.fitToWidth == 1 and ps.fitToHeight == 0


def test_xlsx_english_headings(tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(_report(tmp_path, "--lang", "en")).active
    head, _ = _find(ws, "No.")
    assert ws.cell(head, 2).value == "Indicator" and ws.cell(head, 7).value == "% of target"
    assert ws["A1"].value == "Report on the targets, Q1 2026"


def test_xlsx_who_cause_remedy(tmp_path: Path, ward: Path) -> None:
    assert (
        main(
            [
                "set",
                "--config",
                str(ward),
                "--by",
                "Nguyễn Văn A",
                "--cause",
                "Thu chậm",
                "--remedy",
                "Đôn đốc",
                "--no-snapshot",
                "thu-ngan-sach",
                "33",
            ]
        )
        == 0
    )
    ws = openpyxl.load_workbook(_report(tmp_path, "--config", str(ward))).active
    head, _ = _find(ws, "STT")
    cols = {ws.cell(head, c).value: c for c in range(1, 20)}
    r, _ = _find(ws, "Tổng thu ngân sách nhà nước")
    assert ws.cell(r, cols["Người nhập"]).value == "Nguyễn Văn A"
    assert ws.cell(r, cols["Nguyên nhân"]).value == "Thu chậm"
    assert ws.cell(r, cols["Giải pháp"]).value == "Đôn đốc"


def test_xlsx_collection_scorecard_and_unit_sheets(tmp_path: Path) -> None:
    path = _report(tmp_path, "--config", str(BUNDLED_COLLECTION))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:4] == ["Tóm tắt", "Tổng hợp", "Biểu đồ", "Quy tắc"]
    assert "Phường Mỹ Thới" in wb.sheetnames
    assert len(wb.sheetnames) == 4 + 5
    summary = [c.value for c in wb["Tóm tắt"]["A"] if c.value]
    assert "4/5 đơn vị báo cáo số liệu Quý I/2026." in summary
    assert "Đơn vị chưa báo cáo: Phường Châu Đốc." in summary
    ws = wb["Tổng hợp"]
    head, _ = _find(ws, "Hạng")
    assert ws.freeze_panes == f"C{head + 1}"
    # the totals count the units that took part, and name those left out and why
    total_row, _ = _find(ws, "Tổng cộng (4 đơn vị)")
    assert ws.cell(total_row + 2, 2).value == "Không tính: Phường Châu Đốc (chưa có số liệu)"
    counts = [ws.cell(total_row + 1, c).value for c in range(4, ws.max_column + 1)]
    assert all(isinstance(n, int) and 0 <= n <= 5 for n in counts)
    cells = [ws.cell(r, 4) for r in range(head + 1, total_row)]
    assert all(c.number_format == "0.00%" for c in cells if c.value is not None)
    unit = wb["Phường Mỹ Thới"]
    r, _ = _find(unit, "Tổng thu ngân sách nhà nước")
    assert unit.cell(r, 7).value == pytest.approx(0.1375)


def test_binary_needs_output_and_never_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--format", "xlsx"]) == 2
    err = capsys.readouterr().err
    assert "--output" in err and "xlsx" in err
    assert main(["--lang", "en", "report", "--format", "docx"]) == 2
    assert "binary file: --output FILE is needed" in capsys.readouterr().err


def test_binary_to_a_terminal_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["report", "--format", "xlsx", "--output", "-"]) == 2


def test_office_libraries_are_imported_only_when_used() -> None:
    code = (
        "import sys\n"
        "from chitieu_tui.cli import main\n"
        "assert main(['report', '--format', 'json']) == 0\n"
        "bad = [m for m in ('openpyxl', 'docx') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    env = {**os.environ, "PYTHONPATH": SRC}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


# The narrative, sentence by sentence against the seed (docs/README.md: the example unit).


def test_narrative_states_the_seeds_figures() -> None:
    from chitieu_tui.present.narrative import narrative, sentence

    view = _sample_view()
    paragraphs = narrative(view)
    assert paragraphs[0] == (
        "Trong quý I/2026, Phường Mỹ Thới có 8/20 chỉ tiêu đạt và vượt kế hoạch, "
        "5 chỉ tiêu đúng tiến độ, 6 chỉ tiêu chậm tiến độ và 1 chỉ tiêu chưa có số liệu."
    )
    board = view.board

    def said(indicator: str) -> str:
        ev = board.get(indicator)
        assert ev is not None
        return sentence(ev)

    assert said("thu-ngan-sach") == (
        "Tổng thu ngân sách nhà nước đạt 32 tỉ đồng, bằng 13,75% dự toán năm."
    )
    assert said("ket-nap-dang-vien") == (
        "Trong quý đã kết nạp 6 đảng viên mới, bằng 20% kế hoạch năm."
    )
    assert said("bhyt") == "Tỷ lệ người dân tham gia BHYT đạt 90% (kế hoạch năm 95%)."
    assert said("giao-quan") == "Hoàn thành 100% chỉ tiêu giao quân năm 2026."
    # headline indicators first, in [dashboard] order, then the fields
    assert paragraphs[1].split(". ")[0].startswith("Tổng thu ngân sách nhà nước đạt 32 tỉ đồng")
    assert paragraphs[2].startswith("Theo lĩnh vực: Xây dựng Đảng có 3/6 chỉ tiêu đạt")
    assert "Kết nạp đảng viên mới" in paragraphs[3]


def test_narrative_invents_no_figure() -> None:
    """Every number in the narrative is one the board holds (as shown) or a count."""
    import re

    from chitieu_tui.present import fmt
    from chitieu_tui.present.narrative import narrative

    view = _sample_view()
    board = view.board
    known = {str(board.summary.total), str(board.period.year)}
    for n in board.summary.counts.values():
        known.add(str(n))
    for _gid, _name, met, total in board.summary.groups:
        known |= {str(met), str(total)}
    for ev in board.evaluations:
        ind = ev.indicator
        for x in (ev.figure, ind.target, ev.percent):
            if x is not None:
                known.add(fmt.number(x))
        if ev.entry is not None and not isinstance(ev.entry.value, bool):
            known.add(fmt.number(float(ev.entry.value)))
        known |= set(re.findall(r"\d[\d.,]*", ind.name))
    text = " ".join(narrative(view))
    numbers = re.findall(r"\d+(?:[.,]\d+)*", text)
    for number in numbers:
        assert number in known or any(number in k for k in known), number


def test_narrative_english_and_the_text_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Báo cáo kết quả thực hiện chỉ tiêu Quý I/2026\n")
    assert "Tổng thu ngân sách nhà nước đạt 32 tỉ đồng, bằng 13,75% dự toán năm." in out
    assert "Nguồn số liệu: mẫu có sẵn" in out
    assert main(["--lang", "en", "report", "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert "In Q1 2026, Phường Mỹ Thới had 8/20 targets met or exceeded" in out
    assert "reached 32 tỉ đồng, 13.75% of the annual estimate." in out


def test_narrative_of_a_quarter_without_progress(ward: Path) -> None:
    from chitieu_tui.core.periods import Period
    from chitieu_tui.present.narrative import narrative

    view = FileSource(ward).load(Period(2026, 2), history=0)
    assert narrative(view) == ["Trong quý II/2026, Phường Mỹ Thới chưa có số liệu."]
