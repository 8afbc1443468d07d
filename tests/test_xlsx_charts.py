"""The workbook's charts (issue 24, item 3): a unit's report carries the year's path of each
headline indicator, a collection's report a column chart per scorecard column; native
charts fed by a data table on their own sheet, read back here with openpyxl."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from collectionkit import write_unit
from datadirs import make_datadir

from chitieu_tui.cli import main
from chitieu_tui.core.datadir import BUNDLED, BUNDLED_COLLECTION
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.periods import Period
from chitieu_tui.i18n import use
from chitieu_tui.present.path import axis, by_quarter, headline, year_path

openpyxl = pytest.importorskip("openpyxl")
office_charts = pytest.importorskip("chitieu_tui.office.charts")


@pytest.fixture(autouse=True)
def _vi() -> object:
    use("vi")
    yield
    use("vi")


def _report(tmp_path: Path, *argv: str, lang: str = "vi") -> object:
    out = tmp_path / "r.xlsx"
    assert main(["--lang", lang, "report", *argv, "--format", "xlsx", "-o", str(out)]) == 0
    return openpyxl.load_workbook(out)


def _rows(ws: object, ref: str) -> tuple[str, range]:
    """The column and rows of a chart's reference (`'Biểu đồ'!$B$25:$B$29`) on `ws`."""
    match = re.fullmatch(r"'?(.+?)'?!\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?", ref)
    assert match, ref
    sheet, col, first, col2, last = match.groups()
    assert sheet == ws.title  # type: ignore[attr-defined]
    assert col2 in (None, col)  # one column a series
    return col, range(int(first), int(last or first) + 1)


def _cells(ws: object, ref: str) -> list[object]:
    """The values of a chart's reference, top to bottom."""
    col, rows = _rows(ws, ref)
    return [ws[f"{col}{r}"].value for r in rows]  # type: ignore[index]


def _cat(series: object) -> str:
    """The reference of a series' categories (the row labels)."""
    cat = series.cat  # type: ignore[attr-defined]
    return (cat.numRef or cat.strRef).f


def _paths(period: Period | None = None, root: Path = BUNDLED) -> list[object]:
    view = FileSource(root).load(period, history=8)
    found = [year_path(ev, view.history, view.board.judged) for ev in headline(view.board)]
    return [p for p in found if p is not None]


def test_unit_workbook_has_the_headline_paths_fed_by_their_table(tmp_path: Path) -> None:
    wb = _report(tmp_path)
    assert wb.sheetnames == ["Bảng chỉ tiêu", "Biểu đồ"]
    ws = wb["Biểu đồ"]
    paths = _paths()
    assert [p.name for p in paths] == [  # the headline cards' indicators, in order
        "Tổng thu ngân sách nhà nước",
        "Kết nạp đảng viên mới",
        "Tỷ lệ người dân tham gia BHYT",
        "Hoàn thành chỉ tiêu giao quân năm 2026",
    ]
    charts = ws._charts
    assert len(charts) == len(paths)
    words = {
        "actual": "Thực hiện",
        "plan": "Tiến độ đều đến chỉ tiêu",
        "last": "Năm 2025",
        "projection": "Dự kiến cuối năm",
    }
    for chart, path in zip(charts, paths, strict=True):
        assert type(chart).__name__ == "LineChart"
        assert chart.display_blanks == "span"  # the projection's two points joined
        low, high, step = axis(path, office_charts.AXIS_INTERVALS)  # the terminal chart's axis
        scaling = chart.y_axis.scaling
        assert (scaling.min, scaling.max, chart.y_axis.majorUnit) == (low, high, step)
        drawn = by_quarter(path)
        wanted = [
            (words[r], drawn[r]) for r in words if any(v is not None for v in drawn.get(r, []))
        ]
        wanted.append(("Chỉ tiêu năm", [path.target] * 5))
        first = 0 if any(v[0] is not None for _, v in wanted[:-1]) else 1
        assert len(chart.series) == len(wanted)
        for series, (title, values) in zip(chart.series, wanted, strict=True):
            assert _cells(ws, series.tx.strRef.f) == [title]
            got = _cells(ws, series.val.numRef.f)
            assert got == pytest.approx(values[first:])
            labels = _cells(ws, _cat(series))
            assert labels == ["Đầu năm", "Quý I", "Quý II", "Quý III", "Quý IV"][first:]
    money = charts[0].series
    assert _cells(ws, money[0].val.numRef.f) == [0, 32, None, None, None]  # Q1/2026: 32 tỉ
    assert _cells(ws, money[2].val.numRef.f)[1:] == pytest.approx([29.6, 88, 150.2, 221.4])


def test_unit_workbook_charts_in_english(tmp_path: Path) -> None:
    wb = _report(tmp_path, lang="en")
    assert wb.sheetnames == ["Indicators", "Charts"]
    ws = wb["Charts"]
    series = ws._charts[0].series
    titles = [_cells(ws, s.tx.strRef.f)[0] for s in series]
    assert titles == [
        "Actual",
        "Straight pace to the target",
        "Year 2025",
        "Projected year end",
    ] + ["Annual target"]
    assert _cells(ws, _cat(series[0])) == ["Start of year", "Q1", "Q2", "Q3", "Q4"]


def test_the_path_reads_all_of_last_year_at_q3(tmp_path: Path) -> None:
    """At Q3 the report reads eight quarters back (five would lose last year's Q1)."""
    ward = tmp_path / "ward"
    shutil.copytree(BUNDLED, ward)
    q1 = (ward / "progress" / "2026-Q1.toml").read_text(encoding="utf-8")
    for q, day in ((2, "2026-06-30"), (3, "2026-09-30")):
        text = q1.replace('period = "2026-Q1"', f'period = "2026-Q{q}"')
        text = text.replace("as_of = 2026-03-31", f"as_of = {day}")
        (ward / "progress" / f"2026-Q{q}.toml").write_text(text, encoding="utf-8")
    wb = _report(tmp_path, "--config", str(ward), "--period", "2026-Q3")
    ws = wb["Biểu đồ"]
    last_year = ws._charts[0].series[2]
    assert _cells(ws, last_year.tx.strRef.f) == ["Năm 2025"]
    assert _cells(ws, last_year.val.numRef.f) == pytest.approx([0, 29.6, 88, 150.2, 221.4])
    path = _paths(Period(2026, 3), ward)[0]
    assert _cells(ws, ws._charts[0].series[0].val.numRef.f) == pytest.approx(
        by_quarter(path)["actual"]
    )


def test_collection_workbook_has_a_column_chart_per_scorecard_column(tmp_path: Path) -> None:
    wb = _report(tmp_path, "--config", str(BUNDLED_COLLECTION))
    assert wb.sheetnames[:3] == ["Tóm tắt", "Tổng hợp", "Biểu đồ"]
    ws = wb["Biểu đồ"]
    score = wb["Tổng hợp"]
    head = next(r for r in range(1, 20) if score.cell(r, 1).value == "Hạng")
    columns = [score.cell(head, c).value for c in range(4, score.max_column + 1)]
    charts = ws._charts
    assert len(charts) == len(columns)
    fills = {"548235": "Đạt/vượt", "2E75B6": "Đúng tiến độ", "C00000": "Chậm tiến độ"}
    for chart in charts:
        assert type(chart).__name__ == "BarChart" and chart.type == "col"
        bars = chart.series[0]
        names = _cells(ws, _cat(bars))
        values = _cells(ws, bars.val.numRef.f)
        assert values == sorted(values, reverse=True)  # best first
        assert "Phường Châu Đốc" not in names  # no data: named under the table instead
        statuses = [ws.cell(r, 3).value for r in _rows(ws, _cat(bars))[1]]
        assert [fills[p.spPr.solidFill.srgbClr] for p in bars.dPt] == statuses
        (line,) = chart._charts[1:]  # the annual target, a line at 100%
        assert set(_cells(ws, line.series[0].val.numRef.f)) == {1.0}
    first = charts[0].series[0]
    assert _cells(ws, _cat(first)) == [
        "Phường Long Xuyên",
        "Xã Mỹ Hòa Hưng",
        "Phường Mỹ Thới",
        "Phường Bình Đức",
    ]
    assert _cells(ws, first.val.numRef.f) == pytest.approx([0.2879, 0.2364, 0.1375, 0.1302])
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Chưa có số liệu: Phường Châu Đốc" in texts


def test_no_chart_sheet_when_no_headline_has_a_path(tmp_path: Path) -> None:
    """Milestones only (done or not: nothing to draw): the workbook keeps its one sheet."""
    root = make_datadir(
        tmp_path,
        '[[indicator]]\nid = "so-tay"\ngroup = "g"\nname = "Sổ tay điện tử"\nunit = "mốc"\n'
        'kind = "milestone"\ndue = "2026-Q2"\n',
        {"2026-Q1": "so-tay = true\n"},
    )
    wb = _report(tmp_path, "--config", str(root), "--period", "2026-Q1")
    assert wb.sheetnames == ["Bảng chỉ tiêu"]


def test_names_on_the_charts_sheet_are_never_formulas(tmp_path: Path) -> None:
    root = tmp_path / "tinh"
    for uid, name, value in (("a", "=1+1", 3), ("b", '=HYPERLINK("x")', 4)):
        inds = [{"id": "thu", "kind": "cumulative", "target": 10, "name": "=SUM(A1)"}]
        write_unit(root, uid, inds, {"2026-Q1": {"thu": value}}, name=name)
    wb = _report(tmp_path, "--config", str(root), "--period", "2026-Q1")
    ws = wb["Biểu đồ"]
    texts = {c.value: c.data_type for row in ws.iter_rows() for c in row if c.value is not None}
    assert texts["=1+1"] == "s" and texts['=HYPERLINK("x")'] == "s"
    assert "f" not in texts.values()


def test_last_year_without_figures_is_no_series(tmp_path: Path) -> None:
    """2025 has no year before it in the sample: no *Năm 2024* line of a lone start point."""
    wb = _report(tmp_path, "--period", "2025-Q2")
    ws = wb["Biểu đồ"]
    titles = [_cells(ws, s.tx.strRef.f)[0] for s in ws._charts[0].series]
    assert titles == ["Thực hiện", "Tiến độ đều đến chỉ tiêu", "Dự kiến cuối năm", "Chỉ tiêu năm"]
    assert _cells(ws, ws._charts[0].series[2].val.numRef.f) == [None, None, 88, None, 176]
