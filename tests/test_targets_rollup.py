"""Targets handed down in the roll-up and the detail view (issue 21 items 4 and 5): the
totals row against the province's target, a unit below its assignment marked, "giao ·
nhận" with the basis of each in the unit's detail."""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.widgets import Static
from tuikit import RecordingApp, dash, settle

from chitieu_tui.cli import main
from chitieu_tui.core.arithmetic import Status
from chitieu_tui.core.collection import against_province, open_folder, totals
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.i18n import use
from chitieu_tui.present.rollup import column_totals, total_cell, unit_rows
from chitieu_tui.present.targets import rollup_note
from chitieu_tui.screens import DetailScreen

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "chitieu_tui" / "sample_collection"
COLUMNS = ["thu-ngan-sach", "ket-nap-dang-vien", "bhyt"]


@pytest.fixture
def province(tmp_path: Path) -> Path:
    root = tmp_path / "tinh"
    shutil.copytree(SAMPLE, root)
    return root


def test_the_totals_row_compares_with_the_province_target(province: Path) -> None:
    collection = open_folder(province)
    collection.load()
    assert collection.targets is not None
    plain = {x.id: x for x in totals(collection.boards(), COLUMNS)}
    shown = {x.id: x for x in column_totals(collection, COLUMNS)}
    thu = shown["thu-ngan-sach"]
    assert thu.province == 1050 and thu.target == plain["thu-ngan-sach"].target
    assert thu.percent == pytest.approx(plain["thu-ngan-sach"].value / 1050 * 100)
    assert thu.status is Status.BEHIND
    assert shown["bhyt"].province is None  # a mean: the units' own targets, as before
    assert shown["bhyt"].percent == plain["bhyt"].percent
    assert total_cell(thu).text.startswith("▼ 15,5%* (")
    kn = shown["ket-nap-dang-vien"]
    assert kn.province == 130 and kn.percent == pytest.approx(26 / 130 * 100)


def test_against_province_leaves_a_total_without_an_assignment(province: Path) -> None:
    collection = open_folder(province)
    collection.load()
    (total,) = totals(collection.boards(), ["giao-quan"])
    assert against_province(total, collection.targets, 1) is total
    assert against_province(total, None, 1) is total


def test_a_unit_below_its_assignment_is_marked(province: Path) -> None:
    collection = open_folder(province)
    collection.load()
    rows = {r.member.unit_id: r for r in unit_rows(collection, COLUMNS)}
    assert rows["binh-duc"].cells[0].text.endswith(" ↓")
    assert not rows["long-xuyen"].cells[0].text.endswith("↓")  # adopted more: fine
    assert not rows["my-thoi"].cells[0].text.endswith("↓")
    use("vi")
    note = rollup_note(collection, column_totals(collection, COLUMNS))
    assert note.splitlines() == [
        "* so với chỉ tiêu tỉnh giao (targets/2026.toml)",
        "↓ nhận thấp hơn giao: Phường Bình Đức (Tổng thu ngân sách nhà nước: nhận 96, giao 100)",
    ]


def test_many_units_below_their_assignment_are_named_four_and_counted(province: Path) -> None:
    """A province where many units adopted less than assigned: the note names four and
    counts the rest, not a wall of text pushing the scorecard off the screen (3,321 units
    of the sample's shape: 664 cases)."""
    copies = [f"bd-{n}" for n in range(1, 7)]
    for copy in copies:
        shutil.copytree(province / "binh-duc", province / copy)
        for f in (province / copy).rglob("*.toml"):
            f.write_text(f.read_text("utf-8").replace('"binh-duc"', f'"{copy}"'), "utf-8")
    targets = province / "targets" / "2026.toml"
    more = "".join(f", {c} = 100" for c in copies)
    targets.write_text(
        targets.read_text("utf-8").replace("binh-duc = 100", f"binh-duc = 100{more}")
    )
    collection = open_folder(province)
    collection.load()
    use("vi")
    note = rollup_note(collection, column_totals(collection, COLUMNS))
    case = "Phường Bình Đức (Tổng thu ngân sách nhà nước: nhận 96, giao 100)"
    assert note.splitlines()[1] == (
        f"↓ nhận thấp hơn giao: {'; '.join([case] * 4)}; và 3 trường hợp khác"
        " (chitieu check liệt kê đủ)"
    )
    use("en")
    note = rollup_note(collection, column_totals(collection, COLUMNS))
    assert note.splitlines()[1].endswith("; and 3 more (chitieu check lists them all)")


def test_without_targets_the_roll_up_is_as_before(province: Path) -> None:
    shutil.rmtree(province / "targets")
    collection = open_folder(province)
    collection.load()
    assert collection.targets is None
    assert all(x.province is None for x in column_totals(collection, COLUMNS))
    assert rollup_note(collection, column_totals(collection, COLUMNS)) == ""
    assert not any("↓" in c.text for r in unit_rows(collection, COLUMNS) for c in r.cells)


def test_a_broken_targets_file_leaves_the_roll_up_as_before(province: Path) -> None:
    (province / "targets" / "2026.toml").write_text("[[indicator]\n", encoding="utf-8")
    collection = open_folder(province)
    collection.load()
    assert collection.targets is None
    assert all(x.province is None for x in column_totals(collection, COLUMNS))


def test_the_collection_report_carries_the_province_target(
    province: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--config", str(province), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    thu = next(x for x in doc["totals"] if x["id"] == "thu-ngan-sach")
    assert thu["province_target"] == 1050
    assert thu["percent_of_province_target"] == round(thu["value"] / 1050 * 100, 2)
    assert thu["percent_of_target"] == round(thu["value"] / thu["target"] * 100, 2)
    bhyt = next(x for x in doc["totals"] if x["id"] == "bhyt")
    assert "province_target" not in bhyt
    assert main(["report", "--config", str(province), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "↓ nhận thấp hơn giao: Phường Bình Đức" in out and "\\* so với chỉ tiêu tỉnh" in out


def _text(app: Any, selector: str) -> str:
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(app.screen.query_one(selector, Static).content)
    return console.export_text()


async def test_the_detail_shows_assigned_and_adopted_with_each_basis(province: Path) -> None:
    defs = province / "my-thoi" / "chitieu.toml"
    text = defs.read_text(encoding="utf-8")
    marker = 'id = "thu-ngan-sach"\n'
    defs.write_text(
        text.replace(marker, marker + 'basis = "Nghị quyết số 05-NQ/ĐU (minh họa)"\n', 1),
        encoding="utf-8",
    )
    body, other = await _details(province / "my-thoi", "thu-ngan-sach", "giao-quan")
    assert "giao: 232,73 · nhận: 232,73" in body
    assert "Quyết định số 12/QĐ-UBND ngày 05/01/2026" in body
    assert "Nghị quyết số 05-NQ/ĐU (minh họa)" in body
    assert "giao:" not in other  # giao-quan is not assigned


async def _details(folder: Path, *ids: str) -> list[str]:
    """The detail body of each indicator of the unit in `folder`, opened in turn."""
    source = FileSource(folder)
    app = RecordingApp(source)
    found = []
    async with app.run_test(size=(140, 60)) as pilot:
        await settle(pilot)
        view = dash(app).view
        assert view is not None
        for iid in ids:
            await app.push_screen(DetailScreen(view, iid, source=source))
            await settle(pilot)
            found.append(_text(app, "#detail-body"))
            app.pop_screen()
            await pilot.pause()
    return found


async def test_a_unit_alone_shows_no_assignment(tmp_path: Path) -> None:
    root = tmp_path / "my-thoi"
    shutil.copytree(SAMPLE / "my-thoi", root)
    (body,) = await _details(root, "thu-ngan-sach")
    assert "giao:" not in body


def test_the_official_table_carries_each_basis_as_a_footnote(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    from openpyxl import load_workbook

    unit = tmp_path / "my-thoi"
    shutil.copytree(SAMPLE / "my-thoi", unit)
    defs = unit / "chitieu.toml"
    marker = 'id = "thu-ngan-sach"\n'
    text = defs.read_text(encoding="utf-8")
    defs.write_text(
        text.replace(marker, marker + 'basis = "=Nghị quyết số 05-NQ/ĐU"\n', 1), encoding="utf-8"
    )
    book = tmp_path / "r.xlsx"
    argv = ["report", "--config", str(unit), "--period", "2026-Q1", "--output"]
    assert main([*argv, str(book), "--format", "xlsx"]) == 0
    ws = load_workbook(book).active
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    titles = [c for c in cells if c.value == "Căn cứ giao chỉ tiêu"]
    assert titles
    line = next(c for c in cells if "05-NQ/ĐU" in c.value)
    assert line.value == "Tổng thu ngân sách nhà nước: =Nghị quyết số 05-NQ/ĐU"
    assert line.data_type == "s" and line.row == titles[0].row + 1
    paper = tmp_path / "r.docx"
    assert main([*argv, str(paper), "--format", "docx"]) == 0
    texts = [p.text for p in docx.Document(str(paper)).paragraphs]
    at = texts.index("Căn cứ giao chỉ tiêu")
    assert texts[at + 1] == "Tổng thu ngân sách nhà nước: =Nghị quyết số 05-NQ/ĐU"
    assert at < texts.index("III. Chỉ tiêu chậm tiến độ")


def test_the_collection_workbook_says_what_the_marks_mean(province: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book = tmp_path / "tong-hop.xlsx"
    argv = ["report", "--config", str(province), "--format", "xlsx", "--output", str(book)]
    assert main(argv) == 0
    ws = load_workbook(book)["Tổng hợp"]  # the scorecard sheet, after the summary
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "* so với chỉ tiêu tỉnh giao (targets/2026.toml)" in texts
    assert any(t.startswith("↓ nhận thấp hơn giao: Phường Bình Đức") for t in texts)


def test_a_unit_without_an_assigned_indicator_is_marked(tmp_path: Path) -> None:
    from collectionkit import write_unit

    root = tmp_path / "tinh"
    thu = {"id": "thu", "kind": "cumulative", "unit": "tỉ đồng", "target": 10}
    write_unit(root, "a", [thu], {"2026-Q1": {"thu": 4}})
    write_unit(root, "b", [{**thu, "id": "khac"}], {"2026-Q1": {"khac": 1}})
    (root / "targets").mkdir()
    (root / "targets" / "2026.toml").write_text(
        '[[indicator]]\nid = "thu"\nunits = { a = 10, b = 5 }\n', encoding="utf-8"
    )
    collection = open_folder(root)
    collection.load()
    rows = {r.member.unit_id: r for r in unit_rows(collection, ["thu"])}
    assert rows["b"].cells[0].text == "∅" and rows["a"].cells[0].text != "∅"
    use("vi")
    note = rollup_note(collection, column_totals(collection, ["thu"]))
    assert note == "∅ chưa có chỉ tiêu được giao: Phường b (Chỉ tiêu thu: giao 5)"


def test_the_totals_row_counts_thousands_of_units_with_a_separator(province: Path) -> None:
    collection = open_folder(province)
    collection.load()
    (total,) = totals(collection.boards(), ["thu-ngan-sach"])
    many = dataclasses.replace(total, units=3321)
    use("vi")
    assert total_cell(many).text.endswith("(3.321)")
    assert total_cell(dataclasses.replace(many, percent=None)).text.endswith("(3.321)")
    use("en")
    try:
        assert total_cell(many).text.endswith("(3,321)")
    finally:
        use("vi")
