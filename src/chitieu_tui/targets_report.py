"""`chitieu targets`: targets handed down as a table, Markdown, CSV, csv-excel or JSON
(the rows built once by present/targets.py; xlsx in office/targets.py)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys

from chitieu_tui.core.numbers import whole
from chitieu_tui.present import fmt
from chitieu_tui.present.targets import (
    COLUMNS,
    NUMBER_COLUMNS,
    TargetsTable,
    headers,
    provenance,
    rows,
    text_rows,
    title,
    to_json,
)
from chitieu_tui.report import BOM, _csv_cell, _md, excel_number, excel_writer, md_head, md_row

CSV_TARGETS_COLUMNS = (
    "row",
    "indicator_id",
    "indicator_name",
    "unit",
    "aggregate",
    "province_target",
    "basis",
    "unit_id",
    "unit_name",
    "assigned",
    "adopted",
    "difference",
    "value",
    "percent_of_assigned",
    "flag",
)
"""The machine CSV's header: `row` is `indicator` (its `assigned` the sum, `difference` the
sum minus the province's target, `flag` `short` for giao thiếu) or `unit` (its `basis` the
unit's own, `flag` `below` or `missing`)."""


def _blank(x: object) -> object:
    return "" if x is None else x


def _csv(table: TargetsTable) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_TARGETS_COLUMNS)
    for b in table.indicators:
        n = b.integer
        head = [b.id, _csv_cell(b.name), _csv_cell(b.unit), b.aggregate]
        writer.writerow(
            [
                "indicator",
                *head,
                _blank(whole(b.target, n)),
                _csv_cell(b.basis),
                "",
                "",
                whole(b.assigned, n),
                "",
                _blank(whole(b.difference, n)),
                "",
                "",
                "short" if b.short else "",
            ]
        )
        for u in b.units:
            flag = "missing" if u.missing else "below" if u.below else ""
            writer.writerow(
                [
                    "unit",
                    *head,
                    "",
                    _csv_cell(u.basis),
                    u.unit,
                    _csv_cell(u.name),
                    whole(u.assigned, n),
                    _blank(whole(u.adopted, n)),
                    _blank(whole(u.difference, n)),
                    _blank(whole(u.value, n)),
                    _blank(fmt.round2(u.percent)),
                    flag,
                ]
            )
    return out.getvalue()


def _csv_excel(table: TargetsTable) -> str:
    """A BOM, the title and where the figures come from, then the table with headings in the
    reader's language and numbers as the reader's spreadsheet reads them."""
    out = io.StringIO()
    writer = excel_writer(out)
    writer.writerow([_csv_cell(title(table))])
    for label, value in provenance(table):
        writer.writerow([_csv_cell(label), _csv_cell(value)])
    writer.writerow([])
    writer.writerow(headers())
    for kind, cells in rows(table):
        row = []
        for c in COLUMNS:
            value = cells[c]
            if c in NUMBER_COLUMNS:
                row.append(excel_number(value))
            elif c == "percent":
                row.append(excel_number(fmt.round2(value)))
            else:
                text = str(value or "")
                row.append(_csv_cell(("  " + text) if c == "name" and kind == "unit" else text))
        writer.writerow(row)
    return BOM + out.getvalue()


def render_targets(table: TargetsTable, form: str) -> str:
    """`chitieu targets` as text in `form` (not xlsx)."""
    if form == "json":
        return json.dumps(to_json(table), ensure_ascii=False, indent=2) + "\n"
    if form == "csv":
        return _csv(table)
    if form == "csv-excel":
        return _csv_excel(table)
    heads, body = headers(), text_rows(table)
    origin = provenance(table)
    if form == "markdown":
        lines = [f"# {_md(title(table))}", ""]
        lines += [f"- **{_md(k)}:** {_md(v)}" for k, v in origin]
        lines += ["", *md_head(heads), *(md_row(row) for row in body)]
        return "\n".join(lines) + "\n"
    # lazy: rich only for the terminal table (not json, csv or markdown)
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    grid = Table(title=Text(title(table)))
    for c, head in zip(COLUMNS, heads, strict=True):
        grid.add_column(Text(head), justify="left" if c in ("name", "unit", "basis") else "right")
    for row in body:
        grid.add_row(*(Text(cell) for cell in row))
    width = shutil.get_terminal_size((140, 24)).columns if sys.stdout.isatty() else 140
    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False)
    console.print(grid)
    console.print(Text(" · ".join(f"{k}: {v}" for k, v in origin)))
    out = console.file
    assert isinstance(out, io.StringIO)
    return out.getvalue()


__all__ = ["CSV_TARGETS_COLUMNS", "render_targets"]
