"""The words of a report as filed (issue 22 items 3, 5 and issue 20's state line): who entered
the figures and up to when, the quarter's state, the province's summary and who is left out."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from datadirs import copy_sample, enter, write

from chitieu_tui.cli import main
from chitieu_tui.core.datadir import BUNDLED_COLLECTION
from chitieu_tui.core.periods import Period
from chitieu_tui.core.requests import Approve, Close, Return

docx = pytest.importorskip("docx")
Q1 = Period(2026, 1)


def _texts(root: Path, tmp_path: Path, *argv: str) -> list[str]:
    out = tmp_path / "r.docx"
    assert main(["report", "--config", str(root), *argv, "--format", "docx", "-o", str(out)]) == 0
    return [p.text for p in docx.Document(str(out)).paragraphs]


def _sheet_block(root: Path, tmp_path: Path) -> list[str]:
    out = tmp_path / "r.xlsx"
    assert main(["report", "--config", str(root), "--format", "xlsx", "-o", str(out)]) == 0
    ws = openpyxl.load_workbook(out).active
    return [ws.cell(r, 1).value for r in range(2, 7)]


def test_provenance_names_who_entered(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    enter(root, Q1, "bhyt", "91", by="Nguyễn Thị Lan")
    enter(root, Q1, "giao-quan", "99", by="Trần Văn Bình")
    enter(root, Q1, "thu-ngan-sach", "33", by="Nguyễn Thị Lan")
    line = "Số liệu do Nguyễn Thị Lan, Trần Văn Bình nhập, cập nhật đến 31/03/2026."
    assert line in _texts(root, tmp_path)
    assert line in _sheet_block(root, tmp_path)


@pytest.mark.parametrize(
    ("steps", "state"),
    [
        ([], "Tình trạng báo cáo: đang nhập, chưa nộp"),
        (["close"], "Tình trạng báo cáo: đã nộp ngày"),
        (["close", "approve"], "Tình trạng báo cáo: đã duyệt ngày"),
        (["close", "return"], "Tình trạng báo cáo: bị trả lại ngày"),
    ],
)
def test_state_line_in_docx_and_xlsx(tmp_path: Path, steps: list[str], state: str) -> None:
    root = copy_sample(tmp_path)
    requests = {
        "close": Close(period=Q1, reason="giao ban", by="Lan"),
        "approve": Approve(period=Q1, note="đạt", by="Sở Nội vụ"),
        "return": Return(period=Q1, reason="thiếu số liệu BHYT", by="Sở Nội vụ"),
    }
    for step in steps:
        write(root, requests[step])
    lines = [t for t in _texts(root, tmp_path) if t.startswith("Tình trạng báo cáo")]
    assert len(lines) == 1 and lines[0].startswith(state), lines
    assert any(str(v).startswith(state) for v in _sheet_block(root, tmp_path))
    if "approve" in steps:
        assert lines[0].endswith("(Sở Nội vụ)")
    if "return" in steps:
        assert lines[0].endswith("lý do: thiếu số liệu BHYT")


def test_english_words(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    texts = _texts(root, tmp_path, "--lang", "en")
    assert any(t.startswith("Figures entered by Phường Mỹ Thới, up to ") for t in texts)
    assert "Report state: open, not submitted" in texts


def test_summary_states_the_causes_and_leaves_out_a_broken_unit(tmp_path: Path) -> None:
    root = tmp_path / "wards"
    shutil.copytree(BUNDLED_COLLECTION, root)
    argv = ["set", "--config", str(root / "my-thoi"), "--no-snapshot", "--by", "Lan"]
    assert main([*argv, "--cause", "Mưa bão kéo dài", "bhyt", "89"]) == 0
    (root / "long-xuyen" / "chitieu.toml").write_text("schema = 1\n[unit\n", encoding="utf-8")
    texts = _texts(root, tmp_path)
    start, end = texts.index("A. TÌNH HÌNH CHUNG"), texts.index("B. TÌNH HÌNH TỪNG ĐƠN VỊ")
    summary = texts[start:end]
    assert "3/5 đơn vị báo cáo số liệu Quý I/2026." in summary
    assert "- Tỷ lệ người dân tham gia BHYT — nguyên nhân: Mưa bão kéo dài" in summary
    assert "Đơn vị chưa báo cáo: Phường Châu Đốc." in summary
    assert "Không tính vào tổng: long-xuyen (số liệu lỗi)." in summary
    assert "3/5 đơn vị tham gia tổng hợp" in texts[:start]
    out = tmp_path / "r.xlsx"
    assert main(["report", "--config", str(root), "--format", "xlsx", "-o", str(out)]) == 0
    ws = openpyxl.load_workbook(out)["Tổng hợp"]
    cells = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Tổng cộng (3 đơn vị)" in cells  # the broken unit is not counted
    assert "Không tính: Phường Châu Đốc (chưa có số liệu); long-xuyen (số liệu lỗi)" in cells
