"""Documents as filed (DESIGN section 14), rendered by LibreOffice and read back: the head's
lines on the first page, no empty page, no heading word broken, python-docx reading margins,
fonts and sizes. Every document is made once and converted in one LibreOffice run (module
fixture): a conversion costs seconds on a shared machine."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from collectionkit import random_collection

from chitieu_tui.cli import main
from chitieu_tui.core.datadir import BUNDLED, BUNDLED_COLLECTION

docx = pytest.importorskip("docx")
pytestmark = pytest.mark.timeout(600)  # the module's documents are converted in the first test
needs_office = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) or poppler-utils (pdftotext) is not installed",
)
DATE = "2026-04-02"
STATE_HEAD = """
[report]
style = "state"
parent = "UBND TỈNH AN GIANG"
issuer = "UBND PHƯỜNG MỸ THỚI"
symbol = "BC-UBND"
place = "Mỹ Thới"
signer_authority = "TM. ỦY BAN NHÂN DÂN"
signer_title = "CHỦ TỊCH"
"""


def _state_ward(root: Path) -> Path:
    ward = root / "state"
    shutil.copytree(BUNDLED, ward)
    text = (ward / "chitieu.toml").read_text(encoding="utf-8")
    start = text.index("[report]")
    end = text.index("[[group]]")
    (ward / "chitieu.toml").write_text(text[:start] + STATE_HEAD + "\n" + text[end:], "utf-8")
    return ward


def _ward_of(root: Path, name: str, n: int) -> Path:
    """A ward with `n` indicators in ten fields, every one with a value (party layout)."""
    ward = root / name
    (ward / "progress").mkdir(parents=True)
    head = BUNDLED.joinpath("chitieu.toml").read_text(encoding="utf-8")
    report = head[head.index("[report]") : head.index("[[group]]")]
    lines = ['schema = 1\n[unit]\nid = "w"\nname = "Phường Thử"\nyear = 2026\n', report]
    groups = min(n, 10)
    for g in range(groups):
        lines.append(f'[[group]]\nid = "g{g}"\nname = "Lĩnh vực số {g + 1}"\n')
    values = []
    for i in range(n):
        lines.append(
            f'[[indicator]]\nid = "c{i}"\ngroup = "g{i * groups // n}"\n'
            f'name = "Chỉ tiêu thử nghiệm số {i + 1} về phát triển kinh tế xã hội"\n'
            f'kind = "cumulative"\nunit = "người"\ntarget = {100 + i}\n'
        )
        values.append(f'c{i} = {{ value = {i % 60}, note = "ghi chú {i}", cause = "do mưa" }}')
    (ward / "chitieu.toml").write_text("\n".join(lines), encoding="utf-8")
    (ward / "progress" / "2026-Q1.toml").write_text(
        'schema = 1\nunit = "w"\nperiod = "2026-Q1"\nas_of = 2026-03-31\n\n[values]\n'
        + "\n".join(values)
        + "\n",
        encoding="utf-8",
    )
    return ward


def _ruled_ward(root: Path) -> Path:
    """The sample with its medium rule broken (480 party organisations × 3 > 1,430 members)."""
    ward = root / "rules"
    shutil.copytree(BUNDLED, ward)
    argv = ["set", "--config", str(ward), "--period", "2026-Q1", "--no-snapshot", "--yes"]
    assert main([*argv, "so-to-chuc-dang", "480"]) == 0
    return ward


def _pages(pdf: Path) -> list[str]:
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every document of this module as .docx and .pdf, by name."""
    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice or poppler-utils is not installed")
    root = tmp_path_factory.mktemp("filed")
    many = random_collection(root / "forty", 40)
    sources = {
        "party": [],
        "state": ["--config", str(_state_ward(root))],
        "one": ["--config", str(_ward_of(root, "one", 1))],
        "twohundred": ["--config", str(_ward_of(root, "twohundred", 200))],
        "province": ["--config", str(BUNDLED_COLLECTION)],
        "forty": ["--config", str(many), "--period", "2026-Q1"],
        "rules": ["--config", str(_ruled_ward(root)), "--period", "2026-Q1"],
    }
    made: dict[str, Path] = {}
    for name, argv in sources.items():
        out = root / f"{name}.docx"
        code = main(
            ["--lang", "vi", "report", *argv, "--format", "docx", "--date", DATE, "-o", str(out)]
        )
        assert code == 0, name
        made[name] = out
    made["english"] = root / "english.docx"
    argv = ["--lang", "en", "report", "--format", "docx", "--date", DATE]
    assert main([*argv, "-o", str(made["english"])]) == 0
    sheets = {"sheet": sources["party"], "sheets200": sources["twohundred"]}
    sheets |= {"province_sheets": sources["province"], "forty_sheets": sources["forty"]}
    sheets |= {"rules_sheet": sources["rules"]}
    for name, argv in sheets.items():
        out = root / f"{name}.xlsx"
        assert main(["--lang", "vi", "report", *argv, "--format", "xlsx", "-o", str(out)]) == 0
    sheets["english_sheet"] = sources["party"]  # the charts' words in English
    argv = ["--lang", "en", "report", "--format", "xlsx", "-o", str(root / "english_sheet.xlsx")]
    assert main(argv) == 0
    files = [str(p) for p in made.values()] + [str(root / f"{n}.xlsx") for n in sheets]
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(root / 'profile').as_uri()}", "--headless"]
        + ["--convert-to", "pdf", "--outdir", str(root / "pdf"), *files],
        check=True,
        capture_output=True,
        timeout=600,
    )
    found = {name: root / "pdf" / f"{name}.pdf" for name in (*made, *sheets)}
    found.update({f"{name}.docx": path for name, path in made.items()})
    return found


WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


def overlaps(pdf: Path) -> list[tuple[int, str, str]]:
    """Words printed over one another (page, word, word): two boxes sharing more than a
    third of the lower one's height over some width."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    found = []
    for n, page in enumerate(html.split("<page ")[1:], start=1):
        boxes = [(*map(float, m.groups()[:4]), m.group(5)) for m in WORD.finditer(page)]
        boxes.sort(key=lambda b: b[1])
        for i, (x0, y0, x1, y1, w) in enumerate(boxes):
            for a0, b0, a1, b1, v in boxes[i + 1 :]:
                if b0 >= y1:
                    break
                high = min(y1, b1) - max(y0, b0)
                wide = min(x1, a1) - max(x0, a0)
                if wide > 1 and high > min(y1 - y0, b1 - b0) / 3:
                    found.append((n, w, v))
    return found


def _body_of(page: str) -> str:
    """A page's text without its page number (a line holding only digits)."""
    return re.sub(r"^\s*\d+\s*$", "", page, flags=re.M)


def _head_lines(page: str, n: int) -> list[str]:
    """The first `n` non-blank lines, the columns of a line joined by ` | `."""
    lines = [re.sub(r"\s{2,}", " | ", line.strip()) for line in page.splitlines() if line.strip()]
    return lines[:n]


@needs_office
def test_party_head_line_by_line(rendered: dict[str, Path]) -> None:
    first = _pages(rendered["party"])[0]
    left, right, title = _head(first, "ĐẢNG CỘNG SẢN VIỆT NAM")
    assert left == ["ĐẢNG BỘ TỈNH AN GIANG", "ĐẢNG ỦY PHƯỜNG MỸ THỚI", "*", "Số -BC/ĐU"]
    assert right == ["ĐẢNG CỘNG SẢN VIỆT NAM", "Mỹ Thới, ngày 02 tháng 4 năm 2026"]
    assert title[:3] == ["BÁO CÁO", "Kết quả thực hiện chỉ tiêu Quý I/2026", "-----"]
    assert "CỘNG HÒA" not in first  # a party committee's report carries the party's motto
    assert "Số liệu do Phường Mỹ Thới nhập, cập nhật đến 31/03/2026." in title


@needs_office
def test_state_head_line_by_line(rendered: dict[str, Path]) -> None:
    first = _pages(rendered["state"])[0]
    left, right, title = _head(first, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert left == ["UBND TỈNH AN GIANG", "UBND PHƯỜNG MỸ THỚI", "Số: /BC-UBND"]
    assert right == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Mỹ Thới, ngày 02 tháng 4 năm 2026",
    ]
    assert title[:2] == ["BÁO CÁO", "Kết quả thực hiện chỉ tiêu Quý I/2026"]


def _head(page: str, motto: str, word: str = "BÁO CÁO") -> tuple[list[str], list[str], list[str]]:
    """The first page's head read line by line: the left column's lines, the right column's
    (split where the motto starts on the first line), then the lines from BÁO CÁO on, each
    with its runs of spaces made one."""
    lines = [line for line in page.splitlines() if line.strip()]
    cut = lines[0].index(motto)
    at = next(i for i, line in enumerate(lines) if line.strip() == word)
    left = [" ".join(line[:cut].split()) for line in lines[:at]]
    right = [" ".join(line[cut - 2 :].split()) for line in lines[:at]]
    title = [" ".join(line.split()) for line in lines[at:]]
    return [x for x in left if x], [x for x in right if x], title


@needs_office
def test_english_head_and_headings_whole(rendered: dict[str, Path]) -> None:
    pages = _pages(rendered["english"])
    left, right, title = _head(pages[0], "COMMUNIST PARTY OF VIET NAM", "REPORT")
    assert right == ["COMMUNIST PARTY OF VIET NAM", "Mỹ Thới, 2026-04-02"]
    assert title[:2] == ["REPORT", "On the targets, Q1 2026"]
    words = set(
        "No. Indicator Unit Annual target Quarter Year to date % of Expected vs last year "
        "Status Note".split()
    )
    for n in _landscape_pages(rendered["english"]):
        head = []
        for line in pages[n - 1].splitlines():
            text = line.strip()
            if not text or text.isdigit() or text == "II. The targets":
                continue
            if re.match(r"([IVX]+|\d+)\s", text):
                break
            head += text.split()
        assert head and set(head) <= words, head


@needs_office
def test_province_opens_with_its_summary(rendered: dict[str, Path]) -> None:
    pages = _pages(rendered["province"])
    assert _head_lines(pages[0], 2) == [
        "UBND TỈNH AN GIANG | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "SỞ TÀI CHÍNH | Độc lập - Tự do - Hạnh phúc",
    ]
    assert "A. TÌNH HÌNH CHUNG" in pages[0]
    assert "4/5 đơn vị báo cáo số liệu Quý I/2026." in re.sub(r"\s+", " ", pages[0])
    text = re.sub(r"\s+", " ", " ".join(pages))
    assert text.index("A. TÌNH HÌNH CHUNG") < text.index("B. TÌNH HÌNH TỪNG ĐƠN VỊ")
    whole = " ".join(pages)
    assert "Nơi nhận:" in whole and "PHÓ GIÁM ĐỐC" in whole


@needs_office
@pytest.mark.parametrize(
    "name", ["party", "state", "one", "twohundred", "province", "forty", "rules"]
)
def test_no_empty_page_no_broken_heading(rendered: dict[str, Path], name: str) -> None:
    pages = _pages(rendered[name])
    # a page holding only its number is empty too
    empty = [n for n, page in enumerate(pages, start=1) if not _body_of(page).strip()]
    assert not empty, f"{name}: empty pages {empty} of {len(pages)}"
    words = {w for h in HEADINGS for w in h.split()}
    landscape = _landscape_pages(rendered[name])
    assert landscape, name
    for n in landscape:  # the header on every page of the table, no word of it broken
        head = []
        for line in pages[n - 1].splitlines():
            text = line.strip()
            if not text or text.isdigit() or text == "II. Bảng chỉ tiêu":
                continue
            if re.match(r"([IVX]+|\d+)\s", text):  # the first row: the header is over
                break
            head += text.split()
        assert head and set(head) <= words, f"{name} page {n}: heading cells broken: {head}"
        assert "STT" in head and "Ghi" in head, f"{name} page {n}: no header"


HEADINGS = (
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
)
"""The table's headings (o.col_*), whose words must stay whole."""


def _landscape_pages(pdf: Path) -> list[int]:
    """The numbers of the pages wider than high."""
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "9999", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    sizes = re.findall(r"Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+)", info)
    return [int(n) for n, w, h in sizes if float(w) > float(h)]


@needs_office
def test_page_numbers_from_the_second_page(rendered: dict[str, Path]) -> None:
    pages = _pages(rendered["province"])
    firsts = [next(line.strip() for line in p.splitlines() if line.strip()) for p in pages]
    assert not firsts[0].isdigit()
    assert firsts[1:] == [str(n) for n in range(2, len(pages) + 1)]


@needs_office
def test_sizes_and_pages(rendered: dict[str, Path]) -> None:
    assert len(_pages(rendered["one"])) <= 4
    assert len(_pages(rendered["party"])) <= 5
    forty = " ".join(_pages(rendered["forty"]))
    assert "39/40 đơn vị tham gia tổng hợp" in re.sub(r"\s+", " ", forty)
    assert "số liệu lỗi" in forty  # the broken unit is named, never counted


def _table_pages(pdf: Path, lang: str = "vi") -> tuple[list[str], list[str]]:
    """A workbook's pages before the charts' sheet (its first page opens with the charts'
    intro line, under the title), and the charts' pages."""
    pages = _pages(pdf)
    intro = "Các chỉ tiêu chính" if lang == "vi" else "The headline indicators"
    at = next(n for n, page in enumerate(pages) if intro in page)
    return pages[:at], pages[at:]


@needs_office
def test_sheet_prints_one_page_wide(rendered: dict[str, Path]) -> None:
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "99", str(rendered["sheet"])],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)
    assert sizes  # A4 landscape, the charts' pages too
    assert all(float(w) == pytest.approx(841.9, abs=0.1) for w, _ in sizes)
    assert all(float(h) == pytest.approx(595.3, abs=0.1) for _, h in sizes)
    table, charts = _table_pages(rendered["sheet"])
    assert len(table) == 1  # the table on one page, then a page per headline chart
    assert len(charts) == 4
    pages = _table_pages(rendered["sheets200"])[0]
    assert len(pages) > 1
    for page in pages:  # one page wide, the header row on every page
        assert "Giải pháp" in page and "STT" in page


@needs_office
def test_chart_sheets_rendered(rendered: dict[str, Path]) -> None:
    """The charts' sheet as LibreOffice prints it: each headline indicator's chart titled,
    its legend and table in the report's language; the province's columns by unit."""
    charts = [" ".join(page.split()) for page in _table_pages(rendered["sheet"])[1]]
    assert "Tổng thu ngân sách nhà nước · diễn biến năm 2026" in charts[0]
    for words in ("Thực hiện", "Năm 2025", "Dự kiến cuối năm", "Chỉ tiêu năm", "Quý IV"):
        assert words in charts[0], words
    assert "Tỷ lệ người dân tham gia BHYT · diễn biến năm 2026" in " ".join(charts)
    english = [" ".join(p.split()) for p in _table_pages(rendered["english_sheet"], "en")[1]]
    assert "Tổng thu ngân sách nhà nước · the year 2026" in english[0]  # names are data
    for words in ("Year 2025", "Projected year end", "Annual target", "Start of year", "Q4"):
        assert words in english[0], words
    province = " ".join(" ".join(_pages(rendered["province_sheets"])).split())
    title = "Tổng thu ngân sách nhà nước · % kế hoạch năm theo đơn vị"
    assert title in province and "Chưa có số liệu: Phường Châu Đốc" in province


@needs_office
@pytest.mark.parametrize(
    "name",
    [
        "sheet",
        "sheets200",
        "province_sheets",
        "forty_sheets",
        "party",
        "province",
        "rules",
        "rules_sheet",
        "english_sheet",
    ],
)
def test_nothing_printed_over_anything(rendered: dict[str, Path], name: str) -> None:
    """Wrapped names never overprint the row below; the title block and the header never
    overprint the table (the words' boxes, read back by pdftotext -bbox, never overlap)."""
    assert overlaps(rendered[name]) == []


@needs_office
def test_forty_units_summary_sheet_and_totals(rendered: dict[str, Path]) -> None:
    pages = " ".join(_pages(rendered["forty_sheets"]))
    text = re.sub(r"\s+", " ", pages)
    assert "Không tính: u002 (số liệu lỗi)" in text  # a broken unit is named, not counted
    assert "Tổng cộng (39 đơn vị)" in text


@needs_office
def test_rules_between_figures_rendered(rendered: dict[str, Path]) -> None:
    """The rules section after the table (issue 25): the broken rule with both sides' values
    in the document, the block under the sheet's table, one page wide; all hold in the
    sample; a collection's workbook prints its rules sheet."""
    text = re.sub(r"\s+", " ", " ".join(_pages(rendered["rules"])))
    at = text.index("Đối chiếu quy tắc giữa các số liệu")
    assert text.index("II. Bảng chỉ tiêu") < at < text.index("III. Chỉ tiêu chậm tiến độ")
    assert "Có 1/3 quy tắc bị vi phạm, cần kiểm tra lại số liệu:" in text
    assert "1. [cần xem] Mỗi tổ chức đảng có ít nhất 3 đảng viên" in text
    assert "so-to-chuc-dang * 3 = 1.440 <= dang-vien = 1.430" in text
    party = re.sub(r"\s+", " ", " ".join(_pages(rendered["party"])))
    assert "Cả 3 quy tắc giữa các số liệu đều đúng." in party
    pages = _table_pages(rendered["rules_sheet"])[0]
    assert len(pages) == 1  # the block stays inside the table's columns: one page wide
    sheet = re.sub(r"\s+", " ", pages[0])
    assert "Quy tắc giữa các số liệu: 1 quy tắc bị vi phạm" in sheet
    assert "Nội dung kiểm tra" in sheet and "vi phạm" in sheet.split("Kết quả", 1)[1]
    province = re.sub(r"\s+", " ", " ".join(_pages(rendered["province_sheets"])))
    assert "Số quy tắc bị vi phạm" in province  # its heading whole, on one line
    assert "Phường Mỹ Thới 0 không quy tắc nào trong 3 quy tắc bị vi phạm" in province


def test_margins_fonts_sizes(tmp_path: Path) -> None:
    """python-docx reads DESIGN 14's page and type rules back (no LibreOffice needed)."""
    out = tmp_path / "r.docx"
    assert main(["report", "--format", "docx", "--date", DATE, "-o", str(out)]) == 0
    document = docx.Document(str(out))
    mm = 36000
    for section in document.sections:
        portrait = section.page_width < section.page_height
        short, long = sorted((section.page_width, section.page_height))
        assert short == pytest.approx(210 * mm, abs=mm) and long == pytest.approx(297 * mm, abs=mm)
        if portrait:
            assert 20 * mm <= round(section.top_margin / mm) * mm <= 25 * mm
            assert 20 * mm <= round(section.bottom_margin / mm) * mm <= 25 * mm
            assert 30 * mm <= round(section.left_margin / mm) * mm <= 35 * mm
            assert 15 * mm <= round(section.right_margin / mm) * mm <= 20 * mm
    assert [s.page_width < s.page_height for s in document.sections] == [True, False, True]
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert 13 <= normal.font.size.pt <= 14
    assert normal.paragraph_format.space_after.pt >= 6
    body = [p for p in document.paragraphs if p.text.startswith("Trong quý I/2026")]
    assert body and body[0].paragraph_format.first_line_indent.cm == pytest.approx(1, abs=0.05)
    assert body[0].alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.JUSTIFY
    head = document.tables[0]
    assert head.rows[0].cells[1].paragraphs[0].text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert head.rows[0].cells[1].paragraphs[0].runs[0].underline


def test_missing_report_is_dotted_never_invented(tmp_path: Path) -> None:
    ward = tmp_path / "w"
    shutil.copytree(BUNDLED, ward)
    text = (ward / "chitieu.toml").read_text(encoding="utf-8")
    text = text[: text.index("[report]")] + text[text.index("[[group]]") :]
    (ward / "chitieu.toml").write_text(text, encoding="utf-8")
    out = tmp_path / "r.docx"
    assert main(["report", "--config", str(ward), "--format", "docx", "-o", str(out)]) == 0
    document = docx.Document(str(out))
    left, right = document.tables[0].rows[0].cells
    assert [p.text for p in left.paragraphs][:2] == ["………………", "………………"]
    assert right.paragraphs[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert "Phường Mỹ Thới".upper() not in left.text
    assert "………………, ngày" in right.text


def test_date_is_checked(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "r.docx"
    assert main(["report", "--format", "docx", "--date", "2026-13-01", "-o", str(out)]) == 2
    assert "--date" in capsys.readouterr().err
    assert not out.exists()


def test_pdf_without_libreoffice_names_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice on this PATH
    out = tmp_path / "r.pdf"
    assert main(["report", "--format", "pdf", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "soffice" in err and "libreoffice-writer-nogui" in err
    assert not out.exists()


@needs_office
def test_pdf_through_libreoffice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.pdf"
    assert main(["report", "--format", "pdf", "--date", DATE, "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    first = _pages(out)[0]
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in first and "ngày 02 tháng 4 năm 2026" in first


def test_pdf_conversion_that_fails_is_a_coded_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A LibreOffice that fails (here a stand-in that says why and exits 1): exit 1 with its
    words, no file written, no traceback."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "soffice"
    fake.write_text("#!/bin/sh\necho 'source file could not be loaded' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    out = tmp_path / "r.pdf"
    assert main(["report", "--format", "pdf", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "LibreOffice không chuyển được sang PDF" in err
    assert "source file could not be loaded" in err
    assert "Traceback" not in err and not out.exists()
