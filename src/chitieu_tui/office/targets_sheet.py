"""The assignment sheet (issue 21 item 6): `chitieu template --targets` writes one row per
unit and one column per assigned indicator, the province's target and basis on top;
`chitieu import --targets` reads it back, all or nothing, each problem at its sheet!cell.

Layout (fixed; headings in either language are read back):

    A1  title                         A2 "Năm" / "Year"   B2 the year
    A5  "Mã đơn vị"  B5 "Đơn vị"       C5… each indicator's name (unit of measure)
    A6  "Mã chỉ tiêu"                  C6… indicator ids (what is read)
    A7  "Căn cứ"                       C7… the basis of each assignment
    A8  "KH tỉnh"                      C8… the province's own target (empty: none)
    A9… unit id      B9… unit name     C9… the target assigned (empty: not assigned)

Read back, the sheet becomes the text of targets/<year>.toml, one key a line, and goes
through the very loader of that file (core/targets.py); a problem at a line is said at the
cell the line came from.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from chitieu_tui.core.errors import ChitieuError, DataError, ErrorList, Place, flatten
from chitieu_tui.core.numbers import parse_number
from chitieu_tui.core.targets import Targets, UnitDefs, reference, targets_from_text
from chitieu_tui.core.text import clean
from chitieu_tui.core.tomlfile import parse_toml_text
from chitieu_tui.i18n import LANGS, current, t, t_in
from chitieu_tui.office.entry import _damage, _open_regular, _refuse_too_large, cell_ref
from chitieu_tui.office.xlsx import to_bytes

HEAD, IDS, BASIS, PROVINCE, FIRST_UNIT = 5, 6, 7, 8, 9
"""The rows of the layout."""
MAX_UNITS = 10_000
"""Unit rows read (a province has a few hundred wards and communes)."""
MAX_COLUMNS = 200
"""Indicator columns read."""
_MARKERS = {HEAD: "tgs.col_unit_id", IDS: "tgs.row_ids", BASIS: "tgs.row_basis"}


def _words(key: str) -> set[str]:
    return {t_in(lang, key).strip().casefold() for lang in LANGS}


def template_workbook(
    title: str, year: int, units: Sequence[UnitDefs], targets: Targets | None, ids: list[str]
) -> bytes:
    """The assignment sheet of `year`: every unit a row, each of `ids` a column, prefilled
    with what `targets` (the current assignment, if any) says."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = t("tg.sheet")[:31]
    ws.cell(1, 1, title).font = Font(bold=True, size=14)
    ws.cell(2, 1, t("tgs.year")).font = Font(bold=True)
    ws.cell(2, 2, year)
    ws.cell(3, 1, t("tgs.hint")).font = Font(italic=True, color="595959")
    fill = PatternFill("solid", fgColor="D9E2F3")
    for row, key in (
        (HEAD, "tgs.col_unit_id"),
        (IDS, "tgs.row_ids"),
        (BASIS, "tgs.row_basis"),
        (PROVINCE, "tgs.row_province"),
    ):
        cell = ws.cell(row, 1, t(key))
        cell.font, cell.fill = Font(bold=True), fill
    ws.cell(HEAD, 2, t("tgs.col_unit_name")).font = Font(bold=True)
    ws.cell(HEAD, 2).fill = fill
    for col, iid in enumerate(ids, start=3):
        ref = reference(iid, units)
        name = iid if ref is None else ref.name + (f" ({ref.unit})" if ref.unit else "")
        head = ws.cell(HEAD, col, name)
        head.font, head.fill = Font(bold=True), fill
        head.alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(IDS, col, iid)
        found = targets.assignment(iid) if targets is not None else None
        if found is not None:
            if found.basis:
                ws.cell(BASIS, col, found.basis).data_type = "s"
            if found.target is not None:
                ws.cell(PROVINCE, col, found.target)
        ws.column_dimensions[get_column_letter(col)].width = 18
    for row, unit in enumerate(units, start=FIRST_UNIT):
        ws.cell(row, 1, unit.id)
        name = unit.defs.unit.name if unit.defs is not None else unit.id
        ws.cell(row, 2, name).data_type = "s"
        for col, iid in enumerate(ids, start=3):
            found = targets.assignment(iid) if targets is not None else None
            if found is not None and unit.id in found.units:
                ws.cell(row, col, found.units[unit.id])
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 28
    ws.freeze_panes = ws.cell(FIRST_UNIT, 3)
    return to_bytes(wb)


@dataclass
class _Sheet:
    title: str
    rows: dict[int, list[Any]]
    formulas: set[tuple[int, int]]

    def value(self, row: int, col: int) -> Any:
        values = self.rows.get(row, [])
        return values[col - 1] if col <= len(values) else None


def _read(path: Path, shown: str) -> _Sheet:
    """The first sheet in the layout (values as Excel last computed them), streamed."""
    with _open_regular(path, shown) as fh:
        _refuse_too_large(fh, shown)
        try:
            found = _grid(fh, data_only=False)
            if found is None:
                raise DataError("err.tgs.no_layout", Place(shown))
            if found.formulas:
                cached = _grid(fh, data_only=True, title=found.title)
                assert cached is not None
                for r, col in sorted(found.formulas):
                    value = cached.value(r, col)
                    if value is None:
                        where = Place(cell_ref(found.title, f"{get_column_letter(col)}{r}"))
                        raise DataError("err.import.formula_uncached", where)
                    found.rows[r][col - 1] = value
            return found
        except ChitieuError:
            raise
        except _damage():
            raise DataError("err.import.not_xlsx", Place(shown)) from None


def _grid(fh: Any, *, data_only: bool, title: str | None = None) -> _Sheet | None:
    fh.seek(0)
    wb = load_workbook(fh, read_only=True, data_only=data_only)
    try:
        for ws in wb.worksheets:
            if title is not None and ws.title != title:
                continue
            sheet = _Sheet(ws.title, {}, set())
            last = FIRST_UNIT + MAX_UNITS
            for r, cells in enumerate(
                ws.iter_rows(min_row=1, max_row=last, max_col=MAX_COLUMNS + 2), start=1
            ):
                values: list[Any] = []
                for col, c in enumerate(cells, start=1):
                    if c.data_type == "f" and not data_only:
                        sheet.formulas.add((r, col))
                    values.append(c.value)
                if any(v is not None for v in values):
                    sheet.rows[r] = values
            if all(
                str(sheet.value(row, 1) or "").strip().casefold() in _words(key)
                for row, key in _MARKERS.items()
            ):
                return sheet
    finally:
        wb.close()
    return None


def _toml_value(raw: Any) -> Any:
    """A cell as a TOML value: a number as it is; text typed as a number in the reader's
    language (`232,73`) read as one; anything else as text (the loader then says what is
    wrong with it)."""
    if isinstance(raw, bool) or raw is None:
        return raw
    if isinstance(raw, (int, float)):
        return raw
    text = clean(str(raw)).strip()
    try:
        return parse_number(text, current())
    except ChitieuError:
        return text


def read_assignment(
    path: Path, shown: str, units_of: Callable[[int], Sequence[UnitDefs]]
) -> tuple[int, dict[str, Any], Targets]:
    """(year, the TOML-shaped assignment, the checked Targets) of an assignment sheet, its
    units those `units_of(year)` gives; DataError or ErrorList naming each bad cell
    (`'Chỉ tiêu giao'!C9: …`)."""
    sheet = _read(path, shown)

    def where(col: int, row: int) -> str:
        return cell_ref(sheet.title, f"{get_column_letter(col)}{row}")

    year_raw = sheet.value(2, 2)
    if isinstance(year_raw, float) and year_raw.is_integer():
        year_raw = int(year_raw)
    if isinstance(year_raw, str) and year_raw.strip().isdigit():
        year_raw = int(year_raw.strip())
    if not isinstance(year_raw, int) or isinstance(year_raw, bool) or not 2000 <= year_raw <= 2100:
        raise DataError("err.tgs.year", Place(where(2, 2)))
    year: int = year_raw
    lines = ["schema = 1", f"year = {year}"]
    cells: dict[int, str] = {1: where(2, 2), 2: where(2, 2)}
    columns: list[tuple[int, str]] = []
    for col in range(3, MAX_COLUMNS + 3):
        raw = sheet.value(IDS, col)
        if raw is None:
            continue
        columns.append((col, clean(str(raw)).strip()))
    unit_rows = [r for r in sorted(sheet.rows) if r >= FIRST_UNIT and sheet.value(r, 1) is not None]

    def add(line: str, cell: str) -> None:
        lines.append(line)
        cells[len(lines)] = cell

    for col, iid in columns:
        add("[[indicator]]", where(col, IDS))
        add(f"id = {json.dumps(iid, ensure_ascii=False)}", where(col, IDS))
        basis = sheet.value(BASIS, col)
        if basis is not None and str(basis).strip():
            add(
                f"basis = {json.dumps(clean(str(basis)).strip(), ensure_ascii=False)}",
                where(col, BASIS),
            )
        target = sheet.value(PROVINCE, col)
        if target is not None and str(target).strip():
            add(f"target = {_toml(_toml_value(target))}", where(col, PROVINCE))
        add("[indicator.units]", where(col, IDS))
        for r in unit_rows:
            value = sheet.value(r, col)
            if value is None or not str(value).strip():
                continue
            uid = clean(str(sheet.value(r, 1))).strip()
            add(
                f"{json.dumps(uid, ensure_ascii=False)} = {_toml(_toml_value(value))}",
                where(col, r),
            )
    text = "\n".join(lines) + "\n"
    try:
        data = parse_toml_text(text, shown)
        targets = targets_from_text(data, text, shown, year, units_of(year))
    except ChitieuError as exc:
        raise _at_cells(exc, cells, shown) from None
    return year, data, targets


def _toml(value: Any) -> str:
    """A TOML literal of a cell value (a number, or text to be refused by the loader)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return "nan" if value != value else ("inf" if value > 0 else "-inf")
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def _at_cells(exc: ChitieuError, cells: dict[int, str], shown: str) -> ChitieuError:
    """The loader's errors, each at the cell its line came from (the file when none)."""
    found: list[ChitieuError] = []
    for e in flatten(exc):
        line = e.place.line if e.place is not None else None
        cell = cells.get(line) if line is not None else cells.get(2)  # no line: the year
        found.append(DataError(e.msg, Place(cell if cell is not None else shown)))
    return found[0] if len(found) == 1 else ErrorList(found)
