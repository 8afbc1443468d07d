"""The workbook's charts (issue 24): a sheet of native Excel charts, each fed by a small data
table on the same sheet, so that the figures can be read and the chart redrawn by the office
suite itself.

- A unit's report: the year's path of each headline indicator (`present.path`: this year by
  quarter, the planned path or the straight pace, last year, the projection, the target).
- A collection's report: one column chart per column of the scorecard (`present.rollup_chart`:
  one bar per unit, best first, coloured by status, the annual target as a line at 100%,
  the units without data named under the table).

The figures come from present/ as they are; nothing here computes a figure of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.marker import DataPoint
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.drawing.text import (
    CharacterProperties,
    Paragraph,
    ParagraphProperties,
    RegularTextRun,
    RichTextProperties,
)
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from chitieu_tui.core.arithmetic import Status
from chitieu_tui.core.source import View
from chitieu_tui.i18n import t
from chitieu_tui.office import xlsx
from chitieu_tui.present import official
from chitieu_tui.present.path import (
    Role,
    YearPath,
    axis,
    by_quarter,
    headline,
    quarter_label,
    year_path,
)
from chitieu_tui.present.rollup_chart import ColumnChart, column_chart
from chitieu_tui.present.status import label

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.chart.series import Series
    from openpyxl.worksheet.worksheet import Worksheet

    from chitieu_tui.core.collection import Collection

CM_PER_WIDTH = 0.22
"""About how many centimetres one unit of column width takes (0.19 in Excel with 11 pt
Calibri, about 0.25 in LibreOffice: the chart about as wide as its table in both)."""
CHART_ROWS = 18
"""The rows a chart covers (9 cm at 15 pt a row), left free for it."""
CHART_HEIGHT_CM = 9.0
PATH_WIDTHS = (18, 16, 20, 14, 18, 22)
"""The path sheet's columns: the quarter, then up to five series."""
BAR_WIDTHS = (34, 16, 16, 16)
"""The column charts' sheet: the unit, its percent, its status, the target (100%)."""
ROLE_ORDER: tuple[Role, ...] = ("actual", "plan", "last", "projection")
LINE_LOOK: dict[str, tuple[str, str, int]] = {
    "actual": ("1F4E79", "solid", 34925),
    "plan": ("7F7F7F", "solid", 19050),
    "last": ("ED7D31", "sysDash", 19050),
    "projection": ("1F4E79", "dash", 19050),
    "target": ("C00000", "lgDash", 19050),
}
"""Each series's line: colour, dash and width (EMU; 12 700 a point)."""
BAR_FILL = {
    Status.MET: "548235",
    Status.ON_TRACK: "2E75B6",
    Status.BEHIND: "C00000",
    Status.NO_DATA: "A5A5A5",
}
"""A bar's fill by status: the darker tones of present/official.py's fills, for print."""
AXIS_INTERVALS = 5
"""About how many steps the value axis has (`present.path.axis`; the terminal's has 3)."""
ROTATE_FROM = 8
"""From this many units the names under the columns are turned to read upwards."""


def _text(ws: Worksheet, row: int, col: int, text: str) -> Cell:
    """A cell holding `text` as text: a name starting with `=` is never a formula."""
    cell = ws.cell(row, col, text)
    cell.data_type = "s"
    return cell


def _sheet(wb: Workbook, title: str) -> Worksheet:
    """The charts' sheet, last, its name unlike the others' (a unit may be called
    *Biểu đồ*), its title in row 1."""
    taken = {name.casefold() for name in wb.sheetnames}
    ws = wb.create_sheet(xlsx.sheet_name(t("chart.sheet"), taken))
    _text(ws, 1, 1, title).font = Font(bold=True, size=14)
    return ws


def _heading(ws: Worksheet, row: int, text: str, first: bool) -> None:
    """A block's heading in bold; every block after the first starts a page."""
    if not first:
        ws.row_breaks.append(Break(id=row - 1))
    _text(ws, row, 1, text).font = Font(bold=True, size=12)


def _head_row(ws: Worksheet, row: int, heads: list[str]) -> None:
    fill = PatternFill("solid", fgColor=official.HEADER_FILL)
    for col, text in enumerate(heads, start=1):
        cell = _text(ws, row, col, text)
        cell.font, cell.fill = Font(bold=True), fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[row].height = 2 * xlsx.LINE_PT + 2


def _line(series: Series, role: str) -> None:
    colour, dash, width = LINE_LOOK[role]
    line = series.graphicalProperties.line
    line.solidFill, line.prstDash, line.width = colour, dash, width
    series.smooth = False
    series.marker.symbol = "circle" if role in ("actual", "last") else "none"
    if role in ("actual", "last"):
        series.marker.size = 6 if role == "actual" else 5
        series.marker.graphicalProperties = GraphicalProperties(solidFill=colour)
        series.marker.graphicalProperties.line.solidFill = colour


def _title(text: str) -> Title:
    """A chart's title in 12 pt bold (the default is larger than the sheet's own heading)."""
    props = CharacterProperties(sz=1200, b=True)
    para = Paragraph(pPr=ParagraphProperties(defRPr=props), r=[RegularTextRun(rPr=props, t=text)])
    return Title(tx=Text(rich=RichText(p=[para])), overlay=False)


def _axes(chart: LineChart | BarChart) -> None:
    """Both axes shown (openpyxl 3.1 leaves `delete` unset, which some readers take as
    hidden)."""
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def path_table(path: YearPath) -> tuple[list[str], list[str], list[str], list[list[float | None]]]:
    """The data table of one year's path: the series drawn (`actual`, `plan`, `last`,
    `projection`, `target`), their column heads, the row labels (the year's start when a
    series starts there, then the quarters) and one column of values per series (the
    target's the same in every row)."""
    drawn = by_quarter(path)
    known = {  # as the legend names them: last year only with a figure of its own
        "actual": True,
        "plan": any(v is not None for v in path.planned),
        "last": any(v is not None for v in path.last_year),
        "projection": path.projection is not None,
    }
    roles: list[str] = [r for r in ROLE_ORDER if r in drawn and known[r]]
    heads = {
        "actual": t("path.col_actual"),
        "plan": t("path.plan" if path.by_plan else "path.pace"),
        "last": t("path.last_year", year=path.year - 1),
        "projection": t("chart.col_projection"),
        "target": t("chart.col_target"),
    }
    columns = [drawn[r] for r in ROLE_ORDER if r in roles]
    first = 0 if any(c[0] is not None for c in columns) else 1
    if path.target is not None:
        roles.append("target")
        columns.append([path.target] * 5)
    labels = [t("chart.start"), *(quarter_label(q) for q in range(1, 5))][first:]
    return roles, [heads[r] for r in roles], labels, [c[first:] for c in columns]


def _path_block(ws: Worksheet, row: int, path: YearPath, first: bool) -> int:
    """One indicator's chart and its table from `row`; returns the next free row."""
    _heading(ws, row, t("chart.path_title", name=path.name, year=path.year), first)
    roles, names, labels, columns = path_table(path)
    top = row + 1 + CHART_ROWS + 1
    _head_row(ws, top, [t("path.col_quarter"), *names])
    for n, text in enumerate(labels, start=1):
        _text(ws, top + n, 1, text)
        for col, values in enumerate(columns, start=2):
            xlsx._number_cell(ws.cell(top + n, col), values[n - 1])
    chart = LineChart()
    chart.title = _title(t("chart.path_title", name=path.name, year=path.year))
    chart.y_axis.title = path.unit or None
    low, high, step = axis(path, AXIS_INTERVALS)  # the terminal chart's axis, finer
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = low, high
    chart.y_axis.majorUnit = step
    chart.y_axis.number_format = xlsx.number_format(step)
    chart.display_blanks = "span"  # the projection's two points, a quarter without data
    chart.add_data(
        Reference(ws, min_col=2, max_col=1 + len(columns), min_row=top, max_row=top + len(labels)),
        titles_from_data=True,
    )
    chart.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=top + len(labels)))
    for series, role in zip(chart.series, roles, strict=True):
        _line(series, role)
    _axes(chart)
    chart.legend.position = "b"
    chart.width = sum(PATH_WIDTHS) * CM_PER_WIDTH
    chart.height = CHART_HEIGHT_CM
    ws.add_chart(chart, f"A{row + 1}")
    return top + len(labels) + 2


def with_path_charts(wb: Workbook, view: View) -> Workbook:
    """`wb` (a unit's workbook) with the sheet of its headline indicators' paths last, each
    on a page of its own; unchanged when none has a path (milestones only)."""
    paths = [
        p for ev in headline(view.board) if (p := year_path(ev, view.history, view.board.judged))
    ]
    if not paths:
        return wb
    ws = _sheet(wb, official.title(view))
    _text(ws, 2, 1, t("chart.path_intro")).font = Font(italic=True, color="595959")
    for col, width in enumerate(PATH_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    row = 4
    for n, path in enumerate(paths):
        row = _path_block(ws, row, path, n == 0)
    xlsx._page(ws, 0)
    return wb


def _bar_block(ws: Worksheet, row: int, chart_data: ColumnChart, first: bool) -> int:
    """One column of the scorecard: its chart and its table from `row`; the next free row."""
    title = t("rollup.chart_title", name=chart_data.title)
    _heading(ws, row, title, first)
    bars = chart_data.bars
    if not bars:
        _text(ws, row + 1, 1, t("rollup.chart_empty")).font = Font(italic=True)
        return _missing(ws, row + 2, chart_data) + 1
    top = row + 1 + CHART_ROWS + 1
    heads = [t("o.col_unit_name"), t("chart.col_percent"), t("o.col_status"), t("chart.col_target")]
    _head_row(ws, top, heads)
    for n, bar in enumerate(bars, start=1):
        _text(ws, top + n, 1, bar.name).alignment = Alignment(wrap_text=True, vertical="top")
        xlsx._number_cell(ws.cell(top + n, 2), xlsx._fraction(bar.percent), percent=True)
        cell = _text(ws, top + n, 3, label(bar.status))
        xlsx._status_style(cell, bar.status)
        xlsx._number_cell(ws.cell(top + n, 4), 1.0, percent=True)
        xlsx.fit_row(ws, top + n, 1)
    last = top + len(bars)
    chart = BarChart()
    chart.type = "col"
    chart.title = _title(title)
    chart.add_data(Reference(ws, min_col=2, min_row=top, max_row=last), titles_from_data=True)
    cats = Reference(ws, min_col=1, min_row=top + 1, max_row=last)
    chart.set_categories(cats)
    series = chart.series[0]
    for i, bar in enumerate(bars):
        fill = GraphicalProperties(solidFill=BAR_FILL.get(bar.status, "A5A5A5"))
        series.dPt.append(DataPoint(idx=i, spPr=fill))
    series.graphicalProperties = GraphicalProperties(solidFill=BAR_FILL[Status.ON_TRACK])
    chart.legend = None
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = min(0.0, *(b.percent / 100 for b in bars))
    chart.gapWidth = 60
    target = LineChart()
    target.add_data(Reference(ws, min_col=4, min_row=top, max_row=last), titles_from_data=True)
    _line(target.series[0], "target")
    _axes(chart)
    if len(bars) >= ROTATE_FROM:
        chart.x_axis.txPr = _turned()
    chart += target
    chart.width = sum(BAR_WIDTHS) * CM_PER_WIDTH
    chart.height = CHART_HEIGHT_CM
    ws.add_chart(chart, f"A{row + 1}")
    return _missing(ws, last + 1, chart_data) + 1


def _missing(ws: Worksheet, row: int, chart_data: ColumnChart) -> int:
    """The units without data, named under the table; the next free row."""
    if not chart_data.missing:
        return row
    text = t("rollup.chart_missing", names=", ".join(chart_data.missing))
    cell = _text(ws, row, 1, text)
    cell.font = Font(italic=True, color="595959")
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(BAR_WIDTHS))
    ws.row_dimensions[row].height = xlsx._lines(text, sum(BAR_WIDTHS)) * xlsx.LINE_PT + 2
    return row + 1


def _turned() -> RichText:
    """Category labels written upwards (many units' names under narrow columns)."""
    props = CharacterProperties(sz=800)
    return RichText(
        bodyPr=RichTextProperties(rot=-5400000, vert="horz"),
        p=[Paragraph(pPr=ParagraphProperties(defRPr=props), endParaRPr=props)],
    )


def with_column_charts(wb: Workbook, collection: Collection) -> Workbook:
    """`wb` (a collection's workbook) with the sheet of the scorecard's columns as charts
    (the columns the roll-up shows: the headline indicators most units share, or `columns`
    of collection.toml) right after the scorecard, the third sheet."""
    # lazy: present.rollup pulls core.collection (asyncio); only for a collection's workbook
    from chitieu_tui.present.rollup import column_names, header_text

    ws = _sheet(wb, header_text(collection))
    wb.move_sheet(ws, offset=min(2, len(wb.sheetnames) - 1) - (len(wb.sheetnames) - 1))
    _text(ws, 2, 1, t("chart.columns_intro")).font = Font(italic=True, color="595959")
    for col, width in enumerate(BAR_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    columns = collection.shown_columns()
    row = 4
    for n, (column, name) in enumerate(
        zip(columns, column_names(collection, columns), strict=True)
    ):
        row = _bar_block(ws, row, column_chart(collection, column, name), n == 0)
    xlsx._page(ws, 0)
    return wb
