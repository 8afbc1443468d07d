"""`report --format docx`: the quarterly report read back; both office files opened by LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from chitieu_tui.cli import main
from chitieu_tui.core.datadir import BUNDLED_COLLECTION

docx = pytest.importorskip("docx")


def _doc(tmp_path: Path, *argv: str):  # type: ignore[no-untyped-def]
    out = tmp_path / "r.docx"
    assert main([*argv, "report", "--format", "docx", "--output", str(out)]) == 0
    return docx.Document(str(out))


def _texts(document) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.text for p in document.paragraphs]


def test_docx_report_parts_in_order(tmp_path: Path) -> None:
    document = _doc(tmp_path)
    texts = _texts(document)
    title = texts.index("BÁO CÁO KẾT QUẢ THỰC HIỆN CHỈ TIÊU QUÝ I/2026")
    assert "Đơn vị: Phường Mỹ Thới" in texts[title:]
    assert "Nguồn số liệu: mẫu có sẵn" in texts[title:]
    story = texts.index("I. Tình hình thực hiện")
    body = " ".join(texts[story:])
    assert "8/20 chỉ tiêu đạt và vượt kế hoạch" in body
    assert "Tổng thu ngân sách nhà nước đạt 32 tỉ đồng, bằng 13,75% dự toán năm." in body
    assert "kết nạp 6 đảng viên mới" in body
    assert texts.index("II. Bảng chỉ tiêu") > story
    behind = texts.index("III. Chỉ tiêu chậm tiến độ")
    assert "Nguyên nhân: (chưa ghi)" in texts[behind:]
    # the table: §11's headings, group rows, figures as the reader writes them
    table = document.tables[1]
    assert [c.text for c in table.rows[0].cells][:3] == ["STT", "Chỉ tiêu", "ĐVT"]
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert ["I", "Xây dựng Đảng"] == rows[1][:2]
    money = next(r for r in rows if r[1] == "Tổng thu ngân sách nhà nước")
    assert money[3] == "232,73" and money[6] == "13,75%" and money[9] == "Chậm tiến độ"
    # the signature
    signers = [c.text for c in document.tables[-1].rows[0].cells]
    assert signers[0].startswith("Người lập báo cáo")
    assert signers[1].startswith("Thủ trưởng đơn vị")
    assert any("ngày" in t and "tháng" in t and "năm" in t for t in texts)


def test_docx_cause_and_remedy(tmp_path: Path, ward: Path) -> None:
    argv = ["set", "--config", str(ward), "--no-snapshot", "--by", "B"]
    assert main([*argv, "--cause", "Mưa bão", "--remedy", "Tăng ca", "bhyt", "89"]) == 0
    texts = _texts(_doc(tmp_path, "--config", str(ward)))
    behind = texts.index("III. Chỉ tiêu chậm tiến độ")
    after = texts[behind:]
    at = next(i for i, t in enumerate(after) if "Tỷ lệ người dân tham gia BHYT đạt 89%" in t)
    assert after[at + 1] == "Nguyên nhân: Mưa bão"
    assert after[at + 2] == "Giải pháp: Tăng ca"


def test_docx_english(tmp_path: Path) -> None:
    texts = _texts(_doc(tmp_path, "--lang", "en"))
    assert "REPORT ON THE TARGETS, Q1 2026" in texts
    assert any(t.startswith("In Q1 2026, Phường Mỹ Thới had 8/20 targets met") for t in texts)


def test_docx_collection_has_every_unit(tmp_path: Path) -> None:
    texts = _texts(_doc(tmp_path, "--config", str(BUNDLED_COLLECTION)))
    assert texts.count("BÁO CÁO KẾT QUẢ THỰC HIỆN CHỈ TIÊU QUÝ I/2026") == 5


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
@pytest.mark.timeout(300)
def test_libreoffice_opens_both(tmp_path: Path) -> None:
    for form in ("xlsx", "docx"):
        out = tmp_path / f"r.{form}"
        assert main(["report", "--format", form, "--output", str(out)]) == 0
    pdfs = tmp_path / "pdf"
    home = tmp_path / "lohome"
    for form in ("xlsx", "docx"):
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{home}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(pdfs / form),
                str(tmp_path / f"r.{form}"),
            ],
            check=True,
            capture_output=True,
            timeout=240,
        )
        pdf = pdfs / form / "r.pdf"
        assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdfinfo"):
        info = subprocess.run(
            ["pdfinfo", str(pdfs / "xlsx" / "r.pdf")], capture_output=True, text=True, check=True
        ).stdout
        assert "Pages:          1" in info.replace("Pages:           1", "Pages:          1")
        assert "841.89 x 595.3" in info  # A4 landscape, fitted to one page wide
