"""`chitieu template` and `chitieu import`: figures entered in Excel, written through the one
entry path (DataDir.check_entry, then one locked, journaled write per unit and quarter)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chitieu_tui.core.arithmetic import Board
from chitieu_tui.core.errors import ChitieuError, DataError, EntryError, ErrorList, Place
from chitieu_tui.core.periods import Period
from chitieu_tui.core.text import clean
from chitieu_tui.core.writer import Item
from chitieu_tui.i18n import Msg, t
from chitieu_tui.present import fmt

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from chitieu_tui.core.datadir import DataDir

TEMPLATE_COLUMNS = ("id", "name", "unit", "current", "new", "note", "cause", "remedy")
"""The entry sheet's columns, A to H; only `new`, `note`, `cause`, `remedy` can be edited."""
EDITABLE = ("new", "note", "cause", "remedy")
HEADER_ROW = 5
"""The entry sheet's header row; indicators from the row after it."""
UNIT_CELL = "B2"
PERIOD_CELL = "D2"
LANGS = ("vi", "en")


def _heading(key: str, lang: str) -> str:
    col = {"current": "o.t_current", "new": "o.t_new"}.get(key, f"o.col_{key}")
    return t(lang, col)


def _current_cell(board: Board, indicator_id: str, lang: str) -> float | str | None:
    ev = board.get(indicator_id)
    if ev is None or ev.entry is None:
        return None
    value = ev.entry.value
    if isinstance(value, bool):
        return fmt.done_text(value, lang)
    return float(value)


def _prompt(board: Board, indicator_id: str, lang: str) -> str:
    """What the new-value cell accepts, shown when it is selected."""
    ev = board.get(indicator_id)
    assert ev is not None
    ind = ev.indicator
    if ind.kind == "milestone":
        return t(lang, "o.t_prompt_milestone")
    low = fmt.number(ind.min, lang, 6)
    text = (
        t(lang, "o.t_prompt_range", min=low, max=fmt.number(ind.upper, lang, 6))
        if ind.upper is not None
        else t(lang, "o.t_prompt_min", min=low)
    )
    return text + (t(lang, "o.t_prompt_integer") if ind.integer else "")


def template_sheet(ws: Worksheet, board: Board, lang: str = "vi") -> None:
    """One unit's entry sheet for `board`'s quarter: protected but for the entry columns."""
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from chitieu_tui.office.xlsx import HEADER_FILL, number_format

    unit = board.definitions.unit
    ws["A1"] = t(lang, "o.t_title", period=board.period.label(lang), unit=unit.name)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"], ws[UNIT_CELL] = t(lang, "o.t_unit_id"), unit.id
    ws["C2"], ws[PERIOD_CELL] = t(lang, "o.t_period"), str(board.period)
    ws["A3"] = t(lang, "o.t_hint")
    ws["A3"].font = Font(italic=True, color="595959")
    ws.merge_cells("A3:H3")
    for col, key in enumerate(TEMPLATE_COLUMNS, start=1):
        cell = ws.cell(HEADER_ROW, col, _heading(key, lang))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    widths = (22, 48, 12, 14, 14, 30, 30, 30)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    entry_fill = PatternFill("solid", fgColor="FFF2CC")
    milestones = DataValidation(
        type="list",
        formula1='"{},{}"'.format(fmt.done_text(True, lang), fmt.done_text(False, lang)),
        allow_blank=True,
    )
    ws.add_data_validation(milestones)
    row = HEADER_ROW
    for ev in board.evaluations:
        row += 1
        ind = ev.indicator
        entry = ev.entry
        current = _current_cell(board, ind.id, lang)
        values: dict[str, Any] = {
            "id": ind.id,
            "name": ind.name,
            "unit": ind.unit,
            "current": current,
            "note": entry.note if entry is not None else None,
            "cause": entry.cause if entry is not None else None,
            "remedy": entry.remedy if entry is not None else None,
        }
        for col, key in enumerate(TEMPLATE_COLUMNS, start=1):
            cell = ws.cell(row, col, values.get(key) or None)
            if key == "current" and isinstance(current, float):
                cell.number_format = number_format(current)
            if key in EDITABLE:
                cell.protection = Protection(locked=False)
                cell.fill = entry_fill
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        new = ws.cell(row, TEMPLATE_COLUMNS.index("new") + 1)
        prompt = DataValidation(allow_blank=True, showInputMessage=True)
        if ind.kind == "milestone":
            prompt = milestones
        prompt.promptTitle = t(lang, "o.t_new")[:32]
        prompt.prompt = _prompt(board, ind.id, lang)[:255]
        prompt.showInputMessage = True
        if prompt is not milestones:
            ws.add_data_validation(prompt)
        prompt.add(new)
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 3)
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # widening a column stays allowed
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0


def template_bytes(boards: Sequence[Board], lang: str = "vi") -> bytes:
    """The entry workbook: one sheet per unit (a collection gives several)."""
    from openpyxl import Workbook

    from chitieu_tui.office.xlsx import sheet_name, to_bytes

    wb = Workbook()
    taken: set[str] = set()
    first = wb.active
    assert first is not None
    for i, board in enumerate(boards):
        ws = first if i == 0 else wb.create_sheet()
        ws.title = sheet_name(board.definitions.unit.name, taken)
        template_sheet(ws, board, lang)
    wb.properties.creator = "chitieu"
    return to_bytes(wb)


# Import.


@dataclass
class Typed:
    """One row read from a sheet: the indicator, what was typed, and where."""

    sheet: str
    row: int
    id: str
    value: str | float | bool | None
    value_cell: str
    note: str | None = None
    cause: str | None = None
    remedy: str | None = None
    report: dict[str, tuple[Any, str]] | None = None
    """A report sheet's row: `quarter` and `ytd` (value, cell); the stored value is one of them."""


@dataclass
class SheetData:
    """What one sheet holds for one unit and quarter."""

    sheet: str
    unit: str
    unit_cell: str
    period: str
    period_cell: str
    rows: list[Typed] = field(default_factory=list)


@dataclass
class Planned:
    """Checked values of one unit and quarter, ready to be written."""

    data: DataDir
    period: Period
    items: list[Item]
    sheet: str


def cell_ref(sheet: str, cell: str) -> str:
    """`Sheet1!E7`, or `'Phường Mỹ Thới'!E7` as a spreadsheet writes a name with spaces."""
    plain = sheet.replace("_", "").isalnum() and sheet.isascii()
    return f"{sheet}!{cell}" if plain else "'{}'!{}".format(sheet.replace("'", "''"), cell)


def _where(sheet: str, cell: str) -> Place:
    return Place(cell_ref(sheet, cell))


def _text(value: Any) -> str | None:
    """A note, cause or remedy cell: None when empty (the current one is kept)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean(str(value), multiline=True).strip()
    return text or None


def _headings(key: str) -> set[str]:
    return {_heading(key, lang).casefold() for lang in LANGS}


def _cell_text(value: Any) -> str:
    return str(value).strip().casefold() if value is not None else ""


MAX_UNPACKED = 64 * 1024 * 1024
"""A cap on what a workbook unpacks to (a zip bomb is refused before openpyxl reads it); a
real entry sheet or report of thousands of indicators unpacks to a few MiB."""


def _refuse_too_large(path: Path, shown: str) -> None:
    """DataError when the file, or the sum of its members' declared sizes (which zipfile
    never reads past), is over the caps; a file that is no zip is left to openpyxl."""
    import zipfile

    from chitieu_tui.core.tomlfile import MAX_BYTES

    try:
        if path.stat().st_size > MAX_BYTES:
            raise DataError("err.file.too_large", Place(shown), mib=MAX_BYTES // (1024 * 1024))
        with zipfile.ZipFile(path) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError):
        return
    if unpacked > MAX_UNPACKED:
        raise DataError("err.file.too_large", Place(shown), mib=MAX_UNPACKED // (1024 * 1024))


def read_sheets(path: Path, shown: str) -> list[SheetData]:
    """Every sheet of `path` in a known layout (an entry sheet, or a unit sheet of the xlsx
    report with its hidden id column); DataError when none is, or the file cannot be read."""
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _refuse_too_large(path, shown)
    try:
        wb = load_workbook(path, data_only=True, read_only=False)
    except FileNotFoundError:
        raise DataError("err.file.not_found", Place(shown)) from None
    except IsADirectoryError:
        raise DataError("err.import.is_folder", Place(shown)) from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError):
        raise DataError("err.import.not_xlsx", Place(shown)) from None
    except OSError as exc:
        from chitieu_tui.core.oserrors import os_reason

        raise DataError("err.import.unreadable", Place(shown), what=os_reason(exc)) from None
    found: list[SheetData] = []
    for ws in wb.worksheets:
        data = _entry_sheet(ws) or _report_sheet(ws)
        if data is not None:
            found.append(data)
    if not found:
        raise DataError("err.import.no_layout", Place(shown))
    return found


def _entry_sheet(ws: Worksheet) -> SheetData | None:
    """A `chitieu template` sheet: headings in row 5, unit in B2, period in D2."""
    heads = [_cell_text(ws.cell(HEADER_ROW, c).value) for c in range(1, 9)]
    if heads[0] not in _headings("id") or heads[4] not in _headings("new"):
        return None
    data = SheetData(
        ws.title,
        _cell_text(ws[UNIT_CELL].value),
        UNIT_CELL,
        str(ws[PERIOD_CELL].value or "").strip(),
        PERIOD_CELL,
    )
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        ident = ws.cell(r, 1).value
        new = ws.cell(r, 5).value
        extra = [_text(ws.cell(r, c).value) for c in (6, 7, 8)]
        if ident is None or (new is None or (isinstance(new, str) and not new.strip())):
            continue
        data.rows.append(Typed(ws.title, r, str(ident).strip(), new, f"E{r}", *extra))
    return data


def _report_sheet(ws: Worksheet) -> SheetData | None:
    """A unit sheet of `report --format xlsx`: the hidden id column (unit and period in its
    first two cells), values from `Thực hiện quý` (quarter-reported counts, milestones) or
    `Lũy kế` (the stored year-to-date or level)."""
    from openpyxl.utils import get_column_letter

    from chitieu_tui.office.xlsx import SHEET_COLUMNS

    id_col = len(SHEET_COLUMNS)
    header = None
    for r in range(1, min(ws.max_row, 20) + 1):
        first = _cell_text(ws.cell(r, 1).value)
        if first in _headings("stt") and _cell_text(ws.cell(r, id_col).value) in _headings("id"):
            header = r
            break
    if header is None:
        return None
    letter = get_column_letter(id_col)
    col = {key: i for i, key in enumerate(SHEET_COLUMNS, start=1)}
    data = SheetData(
        ws.title,
        _cell_text(ws.cell(1, id_col).value),
        f"{letter}1",
        str(ws.cell(2, id_col).value or "").strip(),
        f"{letter}2",
    )
    for r in range(header + 1, ws.max_row + 1):
        ident = ws.cell(r, id_col).value
        if not ident:
            continue
        report = {
            key: (ws.cell(r, col[key]).value, f"{get_column_letter(col[key])}{r}")
            for key in ("quarter", "ytd")
        }
        extra = [_text(ws.cell(r, col[key]).value) for key in ("note", "cause", "remedy")]
        data.rows.append(Typed(ws.title, r, str(ident).strip(), None, "", *extra, report=report))
    return data


def _cell_value(value: Any, lang: str) -> str | float | bool:
    """What a cell holds, as `check_entry` takes it: numbers as numbers, text as typed,
    `Đã xong`/`Chưa xong` as text (read as the form reads them)."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        raise EntryError("err.import.date")
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    return str(value)


def plan(
    sheets: list[SheetData],
    units: dict[str, DataDir],
    period: Period | None,
    lang: str = "vi",
    confirmed: bool = False,
) -> list[Planned]:
    """Check every row of every sheet; ErrorList naming each bad cell, else what to write.

    Nothing is written here: when any cell is bad, nothing will be."""
    errors: list[ChitieuError] = []
    plans: list[Planned] = []
    for sheet in sheets:
        data = units.get(sheet.unit)
        if data is None:
            known = ", ".join(sorted(units))
            errors.append(
                DataError(
                    "err.import.unit",
                    _where(sheet.sheet, sheet.unit_cell),
                    unit=sheet.unit,
                    known=known,
                )
            )
            continue
        try:
            own = Period.parse(sheet.period) if sheet.period else None
        except DataError as exc:
            errors.append(DataError(exc.msg, _where(sheet.sheet, sheet.period_cell)))
            continue
        if own is not None and period is not None and own != period:
            errors.append(
                DataError(
                    "err.import.period_differs",
                    _where(sheet.sheet, sheet.period_cell),
                    sheet=str(own),
                    given=str(period),
                )
            )
            continue
        chosen = period or own
        if chosen is None:
            errors.append(DataError("err.import.no_period", _where(sheet.sheet, sheet.period_cell)))
            continue
        try:
            defs = data.defs_for(chosen)
            board = data.board(chosen)
        except ChitieuError as exc:
            errors.append(exc)
            continue
        progress = board.progress
        if progress is not None and progress.closed is not None:
            from chitieu_tui.core.journal import closed_msg

            msg = closed_msg("err.closed.refused", chosen, progress.closed)
            errors.append(DataError(msg, _where(sheet.sheet, sheet.period_cell)))
            continue
        items: list[Item] = []
        seen: dict[str, int] = {}
        for typed in sheet.rows:
            ind = defs.indicator(typed.id)
            if ind is None:
                errors.append(
                    DataError(
                        "err.import.unknown_id",
                        _where(typed.sheet, f"A{typed.row}"),
                        id=clean(typed.id),
                    )
                )
                continue
            if typed.id in seen:
                errors.append(
                    DataError(
                        "err.import.twice",
                        _where(typed.sheet, f"A{typed.row}"),
                        id=typed.id,
                        first=seen[typed.id],
                    )
                )
                continue
            seen[typed.id] = typed.row
            raw, cell = typed.value, typed.value_cell
            if typed.report is not None:  # the column that holds what is stored
                quarterly = ind.kind == "cumulative" and ind.report == "quarter"
                raw, cell = typed.report[
                    "quarter" if quarterly or ind.kind == "milestone" else "ytd"
                ]
                if raw is None or (isinstance(raw, str) and not raw.strip()):
                    continue
            try:
                value = data.check_entry(
                    chosen, typed.id, _cell_value(raw, lang), lang=lang, confirmed=confirmed
                )
            except EntryError as exc:
                detail = exc.msg
                from chitieu_tui.core.writer import ImplausibleError

                if isinstance(exc, ImplausibleError):
                    detail = Msg("err.import.needs_yes", detail=detail)
                errors.append(
                    EntryError(
                        Msg("err.in_item", item=Msg("item.indicator", id=typed.id), detail=detail),
                        _where(typed.sheet, cell),
                    )
                )
                continue
            current = board.get(typed.id)
            entry = current.entry if current is not None else None
            unchanged = (
                entry is not None
                and isinstance(entry.value, bool) == isinstance(value, bool)
                and entry.value == value
                and all(
                    new is None or new == old
                    for new, old in (
                        (typed.note, entry.note),
                        (typed.cause, entry.cause),
                        (typed.remedy, entry.remedy),
                    )
                )
            )
            if not unchanged:
                items.append(Item(typed.id, value, typed.note, typed.cause, typed.remedy))
        if items:
            plans.append(Planned(data, chosen, items, sheet.sheet))
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorList(errors)
    return plans
