"""`report --format xlsx`: the table of design §11 as a workbook (openpyxl, imported here only)."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from chitieu_tui.core import rules
from chitieu_tui.core.arithmetic import Board, Status
from chitieu_tui.core.source import View
from chitieu_tui.i18n import t
from chitieu_tui.present import filed, official
from chitieu_tui.present import rules as present_rules
from chitieu_tui.present.basis import basis_lines, basis_title
from chitieu_tui.present.cells import due_text
from chitieu_tui.present.fmt import done_text
from chitieu_tui.present.official import HEADER_FILL, GroupRow, Row
from chitieu_tui.present.summary import groups_line, summary_line
from chitieu_tui.present.time import datetime_text

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from chitieu_tui.core.collection import Collection

ID_COLUMN = "id"
"""The last column, hidden: the indicator's id, so that a report can be imported back."""
SHEET_COLUMNS = (*official.COLUMNS, *official.WHO_COLUMNS, ID_COLUMN)
"""Every column of a unit's sheet, in order: §11's, then who/when/cause/remedy, then the id."""
WIDTHS = {
    "stt": 6,
    "name": 44,
    "unit": 12,
    "target": 13,
    "quarter": 13,
    "ytd": 13,
    "percent": 10,
    "expected": 13,
    "last_year": 11,
    "status": 14,
    "note": 30,
    "by": 16,
    "at": 17,
    "cause": 30,
    "remedy": 30,
    "id": 20,
}
PERCENT_FORMAT = "0.00%"
GROUP_FILL = "F2F2F2"
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def number_format(x: float) -> str:
    """`#,##0`, `#,##0.0` or `#,##0.00`: as many decimals as the value needs (two at most).

    Format codes are locale-independent: `,` groups and `.` marks decimals in the code, and the
    office suite shows them with the reader's separators (`1.430`, `32,5` in Vietnamese)."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name (31 characters, none of `[]:*?/\\`)."""
    base = _SHEET_BAD.sub(" ", name).strip().strip("'")[:31] or "Sheet"
    candidate, n = base, 2
    while candidate.casefold() in taken:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.casefold())
    return candidate


def _styles() -> dict[str, Any]:
    thin = Side(style="thin", color="808080")
    return {
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "bold": Font(bold=True),
        "title": Font(bold=True, size=14),
        "muted": Font(italic=True, color="595959"),
        "head_fill": PatternFill("solid", fgColor=HEADER_FILL),
        "group_fill": PatternFill("solid", fgColor=GROUP_FILL),
        "wrap": Alignment(wrap_text=True, vertical="top"),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "right": Alignment(horizontal="right", vertical="top"),
    }


def _page(ws: Worksheet, header_row: int) -> None:
    """A4 landscape, fitted to the page width, the header repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    if header_row:
        ws.print_title_rows = f"{header_row}:{header_row}"


def _title_block(ws: Worksheet, title: str, lines: list[str], span: int) -> int:
    """The title and the lines under it, each on a merged row of its own, high enough for
    its text; an empty row before the table (the title block never reaches the table).
    Returns the next free row."""
    st = _styles()
    last = get_column_letter(span)
    width = sum(_width(ws, c) for c in range(1, span + 1))
    ws.cell(1, 1, title).font = st["title"]
    ws.cell(1, 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(f"A1:{last}1")
    ws.row_dimensions[1].height = _lines(title, width) * TITLE_LINE_PT
    row = 2
    for line in lines:
        cell = ws.cell(row, 1, line)
        cell.font = st["muted"]
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(f"A{row}:{last}{row}")
        ws.row_dimensions[row].height = _lines(line, width) * LINE_PT
        row += 1
    return row + 1


LINE_PT = 15.0
"""The height of a line of 11 pt text in a row."""
TITLE_LINE_PT = 21.0
"""The height of a line of the 14 pt title."""
CHARS_PER_WIDTH = 1.05
"""About how many characters of 11 pt text fit in one unit of column width (a unit is one
`0`: Vietnamese text with its diacritics and spaces runs a little narrower on average)."""


def _width(ws: Worksheet, col: int) -> float:
    width = ws.column_dimensions[get_column_letter(col)].width
    return float(width) if width else 8.43


def _lines(text: object, width: float, bold: bool = False) -> int:
    """How many lines `text` wraps to in a column `width` wide (words kept whole)."""
    if text is None or text == "":
        return 1
    room = max(1, int((width - 1) * CHARS_PER_WIDTH * (0.9 if bold else 1.0)))
    total = 0
    for part in str(text).split("\n"):
        n, used = 1, 0
        for word in part.split():
            need = len(word) + (1 if used else 0)
            if used and used + need > room:
                n, used = n + 1, len(word)
                while used > room:  # a word longer than the column breaks
                    n, used = n + 1, used - room
            else:
                used += need
                while used > room:
                    n, used = n + 1, used - room
        total += n
    return total


def fit_row(ws: Worksheet, row: int, columns: int, bold: bool = False) -> None:
    """Give `row` the height of its tallest wrapped cell (LibreOffice and Excel print a row
    as high as it is stored; a wrapped name would otherwise overprint the row below)."""
    tallest = 1
    for col in range(1, columns + 1):
        cell = ws.cell(row, col)
        if not isinstance(cell.value, str) or ws.column_dimensions[get_column_letter(col)].hidden:
            continue  # numbers are not wrapped
        tallest = max(tallest, _lines(cell.value, _width(ws, col), bold))
    ws.row_dimensions[row].height = tallest * LINE_PT + 2


def _status_style(cell: Any, status: Status) -> None:
    fill = official.STATUS_FILL.get(status)
    if fill is not None:
        cell.fill = PatternFill("solid", fgColor=fill)
        cell.font = Font(
            bold=status in (Status.MET, Status.BEHIND), color=official.STATUS_INK[status]
        )


def _number_cell(cell: Any, value: Any, percent: bool = False) -> None:
    cell.value = value
    if not isinstance(value, int | float) or isinstance(value, bool):
        return
    cell.number_format = PERCENT_FORMAT if percent else number_format(float(value))
    cell.alignment = Alignment(horizontal="right", vertical="top")


def write_unit_sheet(ws: Worksheet, view: View, made: dt.datetime) -> None:
    """One unit's sheet: title block, header (frozen), group heading rows, indicator rows."""
    st = _styles()
    board = view.board
    span = len(SHEET_COLUMNS) - 1
    for col, key in enumerate(SHEET_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = WIDTHS[key]
    lines = [*filed.sheet_lines(view), f"{t('o.made_at')}: {datetime_text(made)}"]
    row = _title_block(ws, official.title(view), lines, span)
    header_row = row
    for col, key in enumerate(SHEET_COLUMNS, start=1):
        cell = ws.cell(row, col, t(f"o.col_{key}"))
        cell.font, cell.fill, cell.alignment, cell.border = (
            st["bold"],
            st["head_fill"],
            st["center"],
            st["border"],
        )
    ws.cell(header_row, len(SHEET_COLUMNS)).alignment = Alignment()
    fit_row(ws, header_row, span, bold=True)
    ws.column_dimensions[get_column_letter(len(SHEET_COLUMNS))].hidden = True
    # The hidden id column's first cells: unit and period, so that the sheet can be imported.
    ws.cell(1, len(SHEET_COLUMNS), board.definitions.unit.id)
    ws.cell(2, len(SHEET_COLUMNS), str(board.period))
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    row += 1
    for item in official.rows(view):
        if isinstance(item, GroupRow):
            ws.cell(row, 1, item.number)
            ws.cell(row, 2, item.name)
            for col in range(1, span + 1):
                c = ws.cell(row, col)
                c.font, c.fill, c.border = st["bold"], st["group_fill"], st["border"]
                c.alignment = st["wrap"]
            ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=span)
            ws.row_dimensions[row].height = (
                _lines(item.name, sum(_width(ws, c) for c in range(2, span + 1)), True) * LINE_PT
                + 2
            )
            row += 1
            continue
        _indicator_row(ws, row, item, due_text, done_text)
        fit_row(ws, row, span)
        row += 1
    row += 1
    last = get_column_letter(span)
    width = sum(_width(ws, c) for c in range(1, span + 1))
    ends = [summary_line(board), *([groups_line(board)] if board.judged else [])]
    for n, line in enumerate(ends):
        cell = ws.cell(row + n, 1, line)
        cell.alignment = st["wrap"]
        if n == 0:
            cell.font = st["bold"]
        ws.merge_cells(f"A{row + n}:{last}{row + n}")
        ws.row_dimensions[row + n].height = _lines(line, width, n == 0) * LINE_PT + 2
    notes = basis_lines(board)  # the basis of each target, as a footnote (issue 21)
    if notes:
        row += len(ends) + 1
        ws.cell(row, 1, basis_title()).font = st["bold"]
        for n, line in enumerate(notes, start=1):
            cell = ws.cell(row + n, 1, line)
            cell.data_type, cell.alignment = "s", st["wrap"]
            ws.merge_cells(f"A{row + n}:{last}{row + n}")
            ws.row_dimensions[row + n].height = _lines(line, width) * LINE_PT + 2
    rules_block(ws, board, span)
    _page(ws, header_row)


def _indicator_row(ws: Worksheet, row: int, item: Row, due_text: Any, done: Any) -> None:
    st = _styles()
    cells = item.cells()
    ind = item.ev.indicator
    for col, key in enumerate(SHEET_COLUMNS, start=1):
        cell = ws.cell(row, col)
        cell.border = st["border"]
        cell.alignment = st["wrap"]
        if key == ID_COLUMN:
            cell.value = ind.id
            cell.alignment = Alignment()  # never wrapped: a hidden column prints nothing
        elif key in official.NUMBER_COLUMNS:
            value = cells[key]
            if isinstance(value, bool):
                value = done(value)
            elif key == "target" and ind.kind == "milestone" and item.status_text:
                value = due_text(ind)
            _number_cell(cell, value)
        elif key in official.PERCENT_COLUMNS:
            _number_cell(cell, cells[key], percent=True)
        elif key == "at":
            at = cells["at"]
            cell.value = datetime_text(at) if isinstance(at, dt.datetime) else ""
        elif key == "stt":
            cell.value = item.stt
            cell.alignment = st["center"]
        else:
            cell.value = cells[key] or None
        if key == "status":
            _status_style(cell, item.status)


RULE_CELLS = (
    ("n", 1, 1),
    ("message", 2, 2),
    ("importance", 3, 3),
    ("left", 4, 5),
    ("left_value", 6, 6),
    ("op", 7, 7),
    ("right", 8, 9),
    ("right_value", 10, 10),
    ("state", 11, 11),
)
"""The rules block under a unit's table (DESIGN section 15): each cell's key, first and last
column (merged between), inside the table's columns so that the sheet stays one page wide."""
BROKEN_STATUS = {"broken": Status.BEHIND, "holds": Status.MET, "skipped": Status.NO_DATA}
"""A rule's state printed in the colours of a status: broken in the red of *behind*."""


def rules_block(ws: Worksheet, board: Board, span: int) -> None:
    """Under everything else on a unit's sheet: a heading with the count of broken rules
    (or that all hold), then one row per `[[rule]]` with its number, message, importance,
    both sides and their values, the operator and its state (broken in red, bold). Nothing
    when the quarter has no rules. The hidden id column stays empty (imports skip it)."""
    results = rules.board_results(board)
    if not results:
        return
    st = _styles()
    row = ws.max_row + 2
    last = get_column_letter(span)
    count = present_rules.broken_count(results) or t("o.rules_all_hold", n=len(results))
    heading = f"{t('o.rules_title')}: {count}"
    cell = ws.cell(row, 1, heading)
    cell.font, cell.alignment = st["bold"], st["wrap"]
    ws.merge_cells(f"A{row}:{last}{row}")
    row += 1
    heads = {
        "n": t("o.col_stt"),
        "message": t("o.rule_col_message"),
        "importance": t("o.rule_col_importance"),
        "left": t("o.rule_col_left"),
        "left_value": t("o.rule_col_value"),
        "op": t("o.rule_col_op"),
        "right": t("o.rule_col_right"),
        "right_value": t("o.rule_col_value"),
        "state": t("o.rule_col_state"),
    }
    _rule_row(ws, row, heads, header=True)
    for r in results:
        row += 1
        values: dict[str, Any] = {
            "n": r.index + 1,
            "message": r.rule.message,
            "importance": present_rules.importance(r),
            "left": rules.side_text(r.rule.left),
            "left_value": r.left if r.left is not None else t("rule.no_value"),
            "op": present_rules.op_text(r.rule.op),
            "right": rules.side_text(r.rule.right),
            "right_value": r.right if r.right is not None else t("rule.no_value"),
            "state": present_rules.state(r),
        }
        _rule_row(ws, row, values)
        _status_style(ws.cell(row, 11), BROKEN_STATUS[r.state])
        if r.state == "broken":
            ws.cell(row, 2).font = st["bold"]


def _rule_row(ws: Worksheet, row: int, values: dict[str, Any], header: bool = False) -> None:
    """One row of the rules block, merged where a cell spans columns, as high as its
    tallest wrapped text."""
    st = _styles()
    tallest = 1
    for key, first, end in RULE_CELLS:
        for col in range(first, end + 1):
            ws.cell(row, col).border = st["border"]
        cell = ws.cell(row, first)
        value = values[key]
        if header:
            cell.value = value
            cell.font, cell.fill, cell.alignment = st["bold"], st["head_fill"], st["center"]
        elif isinstance(value, float):
            _number_cell(cell, value)
        else:
            cell.value = value
            cell.data_type = "s" if isinstance(value, str) else cell.data_type
            cell.alignment = st["center"] if key in ("n", "op") else st["wrap"]
        if end > first:
            ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=end)
        width = sum(_width(ws, c) for c in range(first, end + 1))
        if isinstance(value, str):
            tallest = max(tallest, _lines(value, width, header))
    ws.row_dimensions[row].height = tallest * LINE_PT + 2


def unit_workbook(view: View, made: dt.datetime | None = None) -> Workbook:
    """The workbook of one unit: one sheet."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet_name(t("o.sheet_table"), set())
    write_unit_sheet(ws, view, made or dt.datetime.now().astimezone())
    wb.properties.title = official.title(view)
    wb.properties.creator = "chitieu"
    return wb


def collection_workbook(collection: Collection, made: dt.datetime | None = None) -> Workbook:
    """The summary sheet (the document's province summary), the scorecard sheet (units ×
    columns, a totals row with the units that took part and those left out), then one sheet per
    readable unit."""
    # lazy: present.rollup pulls core.collection (asyncio); only for a collection's workbook
    from chitieu_tui.present.rollup import column_names, column_totals, header_text, unit_rows
    from chitieu_tui.present.targets import rollup_note

    made = made or dt.datetime.now().astimezone()
    st = _styles()
    wb = Workbook()
    first = wb.active
    assert first is not None
    taken: set[str] = set()
    first.title = sheet_name(t("o.sheet_summary"), taken)
    _summary_sheet(first, collection, made)
    ws = wb.create_sheet(sheet_name(t("o.sheet_scorecard"), taken))
    columns = collection.shown_columns()
    heads = [
        t("o.col_rank"),
        t("o.col_unit_name"),
        t("o.col_met"),
        *column_names(collection, columns),
    ]
    for col in range(1, len(heads) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 30 if col == 2 else 14
    row = _title_block(ws, header_text(collection), _collection_lines(collection, made), len(heads))
    header_row = row
    for col, head in enumerate(heads, start=1):
        cell = ws.cell(row, col, head)
        cell.font, cell.fill, cell.alignment, cell.border = (
            st["bold"],
            st["head_fill"],
            st["center"],
            st["border"],
        )
    fit_row(ws, header_row, len(heads), bold=True)
    ws.freeze_panes = ws.cell(header_row + 1, 3)
    row += 1
    ranked = sorted(unit_rows(collection, columns), key=lambda r: (r.rank is None, r.rank))
    for unit in ranked:
        ws.cell(row, 1, unit.rank)
        name = unit.name
        if unit.offline:
            name += f" ({t('rollup.offline_mark')})"
        ws.cell(row, 2, name)
        if unit.rank is None:
            ws.cell(row, 3, t("rollup.error_cell", error=unit.error))
        else:
            ws.cell(row, 3, f"{unit.met}/{unit.total}")
            for col, cell_data in enumerate(unit.cells, start=4):
                cell = ws.cell(row, col)
                _number_cell(cell, _fraction(cell_data.percent), percent=True)
                if cell_data.status is not None:
                    _status_style(cell, cell_data.status)
        for col in range(1, len(heads) + 1):
            ws.cell(row, col).border = st["border"]
            if col < 4:
                ws.cell(row, col).alignment = st["wrap"]
        fit_row(ws, row, len(heads))
        row += 1
    sums = column_totals(collection, columns)
    ws.cell(row, 2, t("o.totals", n=filed.took_part(collection))).font = st["bold"]
    ws.cell(row + 1, 2, t("o.units_counted")).font = st["muted"]
    for col, total in enumerate(sums, start=4):
        cell = ws.cell(row, col)
        _number_cell(cell, _fraction(total.percent), percent=True)
        if total.percent is not None:
            _status_style(cell, total.status)
        _number_cell(ws.cell(row + 1, col), total.units)
    for r in (row, row + 1):
        for col in range(1, len(heads) + 1):
            ws.cell(r, col).border = st["border"]
    gone = filed.left_out(collection)
    if gone:
        line = f"{t('o.left_out')}: " + "; ".join(g.text() for g in gone)
        cell = ws.cell(row + 2, 2, line)
        cell.font, cell.alignment = st["muted"], st["wrap"]
        last = get_column_letter(len(heads))
        ws.merge_cells(f"B{row + 2}:{last}{row + 2}")
        room = sum(_width(ws, c) for c in range(2, len(heads) + 1))
        ws.row_dimensions[row + 2].height = _lines(line, room) * LINE_PT + 2
    below = row + (3 if gone else 2)
    last = get_column_letter(len(heads))
    room = sum(_width(ws, c) for c in range(2, len(heads) + 1))
    for n, line in enumerate(rollup_note(collection, sums).splitlines()):
        cell = ws.cell(below + n, 2, line)  # the targets handed down (issue 21)
        cell.data_type, cell.alignment = "s", st["wrap"]
        ws.merge_cells(f"B{below + n}:{last}{below + n}")
        ws.row_dimensions[below + n].height = _lines(line, room) * LINE_PT + 2
    _page(ws, header_row)
    rules_sheet(wb, collection, made, taken)
    for m in collection.members:
        if m.view is None or m.error is not None:
            continue
        sheet = wb.create_sheet(sheet_name(m.name, taken))
        write_unit_sheet(sheet, m.view, made)
    wb.properties.title = header_text(collection)
    wb.properties.creator = "chitieu"
    return wb


RULES_SHEET_WIDTHS = (30, 24, 12, 70)
"""The rules sheet's columns: unit, broken count, importance, the rule in words."""


def rules_sheet(wb: Workbook, collection: Collection, made: dt.datetime, taken: set[str]) -> None:
    """A collection's sheet of rules between figures (DESIGN section 15), after the
    scorecard: each readable unit, how many of its rules are broken (red; green when none),
    and each broken rule as the unit's sheet words it (`[cần xem] message: left = 1.500 <=
    right = 1.430`). None when no unit has rules."""
    members = [(m, rules.board_results(m.board)) for m in collection.members if m.board]
    if not any(results for _, results in members):
        return
    # lazy: present.rollup pulls core.collection (asyncio); only for a collection's workbook
    from chitieu_tui.present.rollup import header_text

    st = _styles()
    ws = wb.create_sheet(sheet_name(t("o.sheet_rules"), taken))
    for col, width in enumerate(RULES_SHEET_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    span = len(RULES_SHEET_WIDTHS)
    row = _title_block(ws, header_text(collection), _collection_lines(collection, made), span)
    header_row = row
    heads = [
        t("o.col_unit_name"),
        t("o.rules_col_broken"),
        t("o.rule_col_importance"),
        t("o.rules_col_rule"),
    ]
    for col, head in enumerate(heads, start=1):
        cell = ws.cell(row, col, head)
        cell.font, cell.fill, cell.alignment = st["bold"], st["head_fill"], st["center"]
    fit_row(ws, row, span, bold=True)
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    for m, results in members:
        found = rules.broken(results)
        lines = [(present_rules.importance(r), present_rules.line(r)) for r in found]
        if m.board is not None and m.board.progress is None:
            lines = [("", t("o.rules_no_figures"))]
        elif not results:
            lines = [("", t("o.rules_none"))]
        elif not found:
            lines = [("", t("o.rules_all_hold", n=len(results)))]
        for n, (importance, text) in enumerate(lines):
            row += 1
            if n == 0:
                ws.cell(row, 1, m.name)
                if results:
                    count = ws.cell(row, 2)
                    _number_cell(count, len(found))
                    _status_style(count, Status.BEHIND if found else Status.MET)
            ws.cell(row, 3, importance or None)
            ws.cell(row, 4, text).data_type = "s"
            for col in range(1, span + 1):
                ws.cell(row, col).border = st["border"]
                if col != 2:
                    ws.cell(row, col).alignment = st["wrap"]
            fit_row(ws, row, span)
    _page(ws, header_row)


def _collection_lines(collection: Collection, made: dt.datetime) -> list[str]:
    """Under a collection sheet's title: how many units the totals add, offline copies,
    when it was made (never a folder or an address)."""
    total = len(collection.units())
    lines = [t("doc.took_part", n=filed.took_part(collection), total=total)]
    offline = [m.name for m in collection.members if m.offline]
    if offline:
        lines.append(f"{t('o.offline')}: {', '.join(offline)}")
    lines.append(f"{t('o.made_at')}: {datetime_text(made)}")
    return lines


SUMMARY_WIDTH = 120
"""The summary sheet's one wide column (characters)."""


def _summary_sheet(ws: Worksheet, collection: Collection, made: dt.datetime) -> None:
    """The province's summary as the document opens with it: a paragraph a row, the items
    under it indented, each row as high as its wrapped text; A4 landscape, one page wide."""
    # lazy: present.rollup pulls core.collection (asyncio); only for a collection's workbook
    from chitieu_tui.present.rollup import header_text

    st = _styles()
    ws.column_dimensions["A"].width = SUMMARY_WIDTH
    row = _title_block(ws, header_text(collection), _collection_lines(collection, made), 1)
    for part in filed.collection_summary(collection):
        for text, indent in ((part.text, 0), *((item, 2) for item in part.items)):
            cell = ws.cell(row, 1, ("- " if indent else "") + text)
            cell.alignment = Alignment(wrap_text=True, vertical="top", indent=indent)
            if not indent and part.items:
                cell.font = st["bold"]
            ws.row_dimensions[row].height = _lines(cell.value, SUMMARY_WIDTH - indent) * LINE_PT + 2
            row += 1
    _page(ws, 0)


def _fraction(percent: float | None) -> float | None:
    return None if percent is None else round(round(percent, 2) / 100, 6)


def to_bytes(wb: Workbook) -> bytes:
    """The workbook as the bytes of an .xlsx file; text stays text: a name or note starting
    with `=` (which openpyxl would store as a formula) is written as a string. The app
    writes no formula, so every workbook leaves through here."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
