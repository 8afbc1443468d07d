"""`chitieu targets --format xlsx`: targets handed down as a workbook (the rows of
present/targets.py; the styles of office/xlsx.py)."""

from __future__ import annotations

import datetime as dt

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from chitieu_tui.i18n import t
from chitieu_tui.office.xlsx import (
    _fraction,
    _number_cell,
    _page,
    _styles,
    _title_block,
    sheet_name,
)
from chitieu_tui.present.targets import (
    COLUMNS,
    NUMBER_COLUMNS,
    TargetsTable,
    headers,
    provenance,
    rows,
    title,
)
from chitieu_tui.present.time import datetime_text

WIDTHS = {
    "name": 40,
    "unit": 12,
    "province": 14,
    "assigned": 14,
    "adopted": 14,
    "value": 14,
    "percent": 11,
    "basis": 48,
}


def targets_workbook(table: TargetsTable, made: dt.datetime | None = None) -> Workbook:
    """One sheet: the title block, then per indicator its row (the province's target, the
    sum assigned, the basis) and one row per unit; numbers stored as numbers."""
    made = made or dt.datetime.now().astimezone()
    st = _styles()
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet_name(t("tg.sheet"), set())
    pairs = [*provenance(table), (t("o.made_at"), datetime_text(made))]
    lines = [f"{label}: {value}" for label, value in pairs]
    row = _title_block(ws, title(table), lines, len(COLUMNS))
    header_row = row
    for col, (c, head) in enumerate(zip(COLUMNS, headers(), strict=True), start=1):
        cell = ws.cell(row, col, head)
        cell.font, cell.fill, cell.alignment, cell.border = (
            st["bold"],
            st["head_fill"],
            st["center"],
            st["border"],
        )
        ws.column_dimensions[get_column_letter(col)].width = WIDTHS[c]
    ws.freeze_panes = ws.cell(header_row + 1, 2)
    row += 1
    for kind, cells in rows(table):
        for col, c in enumerate(COLUMNS, start=1):
            cell = ws.cell(row, col)
            value = cells[c]
            if c in NUMBER_COLUMNS:
                _number_cell(cell, value)
            elif c == "percent":
                _number_cell(cell, _fraction(value), percent=True)
            else:
                cell.value = value or None
                if isinstance(value, str) and value:
                    cell.data_type = "s"  # text, never a formula (`=…` in a name)
                cell.alignment = st["wrap"]
            if c == "name" and kind == "unit":
                cell.alignment = Alignment(wrap_text=True, vertical="top", indent=1)
            if kind == "indicator":
                cell.font = st["bold"]
                cell.fill = st["group_fill"]
            cell.border = st["border"]
        row += 1
    _page(ws, header_row)
    wb.properties.title = title(table)
    wb.properties.creator = "chitieu"
    return wb
