"""`report --format docx`: the quarterly report read back; both office files opened by LibreOffice."""

from __future__ import annotations

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
    title = texts.index("BÁO CÁO")
    assert texts[title + 1] == "Kết quả thực hiện chỉ tiêu Quý I/2026"
    # provenance in words an official files, never a folder path (issue 22 item 5)
    assert "Số liệu do Phường Mỹ Thới nhập, cập nhật đến 31/03/2026." in texts[title:]
    assert not any("Nguồn số liệu" in t or "config/" in t for t in texts)
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
    # the signature: Nơi nhận on the left, the signer on the right, from [report]
    recipients, signer = document.tables[-1].rows[0].cells
    assert recipients.paragraphs[0].text == "Nơi nhận:"
    assert recipients.paragraphs[1].text == "- Ban Thường vụ Tỉnh ủy (để báo cáo);"
    assert [p.text for p in signer.paragraphs if p.text] == ["T/M ĐẢNG ỦY", "BÍ THƯ", "………………"]
    head = document.tables[0].rows[0].cells[1].text
    assert "Mỹ Thới, ngày" in head and "tháng" in head and "năm" in head


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
    assert "REPORT" in texts and "On the targets, Q1 2026" in texts
    assert any(t.startswith("In Q1 2026, Phường Mỹ Thới had 8/20 targets met") for t in texts)


def test_docx_collection_has_every_unit(tmp_path: Path) -> None:
    texts = _texts(_doc(tmp_path, "--config", str(BUNDLED_COLLECTION)))
    assert texts.count("BÁO CÁO") == 1  # one report of the province
    assert texts.count("I. Tình hình thực hiện") == 5  # a section per readable unit
    summary, units = texts.index("A. TÌNH HÌNH CHUNG"), texts.index("B. TÌNH HÌNH TỪNG ĐƠN VỊ")
    assert summary < units
    assert "Đơn vị chưa báo cáo: Phường Châu Đốc." in texts[summary:units]
    names = ["Phường Bình Đức", "Phường Châu Đốc", "Phường Long Xuyên", "Xã Mỹ Hòa Hưng"]
    heads = [f"{n}. {name}" for n, name in enumerate([*names, "Phường Mỹ Thới"], start=1)]
    assert [texts.index(h) for h in heads] == sorted(texts.index(h) for h in heads)
