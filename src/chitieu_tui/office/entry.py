"""`chitieu template` and `chitieu import`: figures entered in Excel, written through the one
entry path (every cell checked as a `SetValue` is, then one write request per unit and quarter
through its `FileSource`: one transaction each)."""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import stat
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from xml.etree.ElementTree import ParseError

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from chitieu_tui import i18n
from chitieu_tui.core.arithmetic import Board
from chitieu_tui.core.errors import ChitieuError, DataError, EntryError, ErrorList, Place
from chitieu_tui.core.journal import closed_msg
from chitieu_tui.core.oserrors import os_reason
from chitieu_tui.core.periods import Period
from chitieu_tui.core.requests import SetValue
from chitieu_tui.core.text import clean
from chitieu_tui.core.tomlfile import MAX_BYTES
from chitieu_tui.core.writer import ImplausibleError, check_plausible, checked_value
from chitieu_tui.i18n import Msg, t, t_in
from chitieu_tui.office.xlsx import HEADER_FILL, SHEET_COLUMNS, number_format, sheet_name, to_bytes
from chitieu_tui.present import fmt

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from chitieu_tui.core.filesource import FileSource

TEMPLATE_COLUMNS = ("id", "name", "unit", "current", "new", "note", "cause", "remedy")
"""The entry sheet's columns, A to H; only `new`, `note`, `cause`, `remedy` can be edited."""
EDITABLE = ("new", "note", "cause", "remedy")
HEADER_ROW = 5
"""The entry sheet's header row; indicators from the row after it."""
UNIT_CELL = "B2"
PERIOD_CELL = "D2"
LANGS = ("vi", "en")


def _heading_key(key: str) -> str:
    return {"current": "o.t_current", "new": "o.t_new"}.get(key, f"o.col_{key}")


def _heading(key: str) -> str:
    return t(_heading_key(key))


def _current_cell(board: Board, indicator_id: str) -> float | str | None:
    ev = board.get(indicator_id)
    if ev is None or ev.entry is None:
        return None
    value = ev.entry.value
    if isinstance(value, bool):
        return fmt.done_text(value)
    return float(value)


def _prompt(board: Board, indicator_id: str) -> str:
    """What the new-value cell accepts, shown when it is selected."""
    ev = board.get(indicator_id)
    assert ev is not None
    ind = ev.indicator
    if ind.kind == "milestone":
        return t("o.t_prompt_milestone")
    low = fmt.number(ind.min, 6)
    text = (
        t("o.t_prompt_range", min=low, max=fmt.number(ind.upper, 6))
        if ind.upper is not None
        else t("o.t_prompt_min", min=low)
    )
    return text + (t("o.t_prompt_integer") if ind.integer else "")


def template_sheet(ws: Worksheet, board: Board) -> None:
    """One unit's entry sheet for `board`'s quarter: protected but for the entry columns."""
    unit = board.definitions.unit
    ws["A1"] = t("o.t_title", period=board.period.label(), unit=unit.name)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"], ws[UNIT_CELL] = t("o.t_unit_id"), unit.id
    ws["C2"], ws[PERIOD_CELL] = t("o.t_period"), str(board.period)
    ws["A3"] = t("o.t_hint")
    ws["A3"].font = Font(italic=True, color="595959")
    ws.merge_cells("A3:H3")
    for col, key in enumerate(TEMPLATE_COLUMNS, start=1):
        cell = ws.cell(HEADER_ROW, col, _heading(key))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    widths = (22, 48, 12, 14, 14, 30, 30, 30)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    entry_fill = PatternFill("solid", fgColor="FFF2CC")
    milestones = DataValidation(
        type="list",
        formula1='"{},{}"'.format(fmt.done_text(True), fmt.done_text(False)),
        allow_blank=True,
    )
    ws.add_data_validation(milestones)
    row = HEADER_ROW
    for ev in board.evaluations:
        row += 1
        ind = ev.indicator
        entry = ev.entry
        current = _current_cell(board, ind.id)
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
        prompt.promptTitle = t("o.t_new")[:32]
        prompt.prompt = _prompt(board, ind.id)[:255]
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


def template_bytes(boards: Sequence[Board]) -> bytes:
    """The entry workbook: one sheet per unit (a collection gives several)."""
    wb = Workbook()
    taken: set[str] = set()
    first = wb.active
    assert first is not None
    for i, board in enumerate(boards):
        ws = first if i == 0 else wb.create_sheet()
        ws.title = sheet_name(board.definitions.unit.name, taken)
        template_sheet(ws, board)
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
    name: tuple[str | None, str] = (None, "")
    """The indicator's name as the row shows it, and its cell: checked against the id's."""


@dataclass
class SheetData:
    """What one sheet holds for one unit and quarter."""

    sheet: str
    unit: str
    unit_cell: str
    period: str
    period_cell: str
    rows: list[Typed] = field(default_factory=list)
    title: str | None = None
    """An entry sheet's title (A1), which names the unit: checked against the unit cell's."""
    unit_line: str | None = None
    """A report sheet's `Đơn vị: …` line (A2): checked against the unit cell's."""


@dataclass
class Planned:
    """Checked values of one unit and quarter, ready to be written."""

    source: FileSource
    period: Period
    requests: list[SetValue]
    sheet: str
    cells: list[str] = field(default_factory=list)
    """The cell each request's value came from (`Sheet1!E7`), in the same order."""


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
    # a sheet made in either language is read back: both languages' headings
    return {t_in(lang, _heading_key(key)).casefold() for lang in LANGS}


def _cell_text(value: Any) -> str:
    return str(value).strip().casefold() if value is not None else ""


MAX_UNPACKED = 64 * 1024 * 1024
"""A cap on what a workbook unpacks to (a zip bomb is refused before openpyxl reads it); a
real entry sheet or report of thousands of indicators unpacks to a few MiB."""
MAX_ROWS = 100_000
"""Rows read from a sheet (a 50,000-indicator template ends at row 50,005); a sheet with a value
past this row is refused. Rows are streamed, so memory stays bounded whatever the sheet
declares: its `<dimension>` is not trusted."""
EXCEL_ROWS = 1_048_576
"""The last row of a sheet: rows are looked at up to it (an explicit bound, not the
sheet's `<dimension>`), past MAX_ROWS only to see whether they are empty."""
HEAD_ROWS = 20
"""The rows in which a sheet's layout is recognised; a sheet in no known layout is not read
further."""
_WIDTH = 16
"""Columns read: the entry sheet's 8, the report sheet's 16 (its hidden id column last)."""


class _Formula:
    """A formula cell seen in the first pass; its value is the one Excel cached."""


_FORMULA = _Formula()


@dataclass
class Grid:
    """The non-empty rows of one sheet, as read (row number → values of columns A…P)."""

    title: str
    rows: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    formulas: set[tuple[int, int]] = field(default_factory=set)

    def value(self, row: int, col: int) -> Any:
        values = self.rows.get(row)
        if values is None or col > len(values):
            return None
        return values[col - 1]

    def after(self, row: int) -> list[int]:
        """The numbers of the non-empty rows after `row`, in order."""
        return sorted(r for r in self.rows if r > row)


def _open_regular(path: Path, shown: str) -> BinaryIO:
    """`path` opened for reading, when it is a regular file no larger than the cap.

    Opened with O_NONBLOCK first (as core/tomlfile.py reads TOML), so that a FIFO without a
    writer is refused instead of hanging; blocking again once it is known to be a file."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise DataError("err.file.not_found", Place(shown)) from None
    except IsADirectoryError:
        raise DataError("err.import.is_folder", Place(shown)) from None
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a socket, or a device with nothing behind it
            raise DataError("err.import.not_regular", Place(shown)) from None
        raise DataError("err.import.unreadable", Place(shown), what=os_reason(exc)) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise DataError("err.import.is_folder", Place(shown))
        if not stat.S_ISREG(st.st_mode):
            raise DataError("err.import.not_regular", Place(shown))
        if st.st_size > MAX_BYTES:
            raise DataError("err.file.too_large", Place(shown), mib=MAX_BYTES // (1024 * 1024))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _refuse_too_large(fh: BinaryIO, shown: str) -> None:
    """DataError when the sum of the members' declared sizes (which zipfile never reads past)
    is over the cap, when the file is no zip at all, or when a member declares a DTD."""
    try:
        with zipfile.ZipFile(fh) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
            if unpacked > MAX_UNPACKED:
                raise DataError(
                    "err.file.too_large", Place(shown), mib=MAX_UNPACKED // (1024 * 1024)
                )
            for info in zf.infolist():
                if _has_doctype(zf, info):
                    raise DataError("err.import.not_xlsx", Place(shown))
    except (zipfile.BadZipFile, zlib.error, ValueError, EOFError, NotImplementedError):
        raise DataError("err.import.not_xlsx", Place(shown)) from None


def _has_doctype(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether an XML member declares a DTD: Office Open XML has none, and a DTD is how
    entities (XXE, "billion laughs") come in. Streamed, so within the unpacked cap."""
    if not info.filename.endswith((".xml", ".rels", ".vml")):
        return False
    tail = b""
    with zf.open(info) as member:
        while chunk := member.read(1024 * 1024):
            if b"<!DOCTYPE" in tail + chunk or b"<!ENTITY" in tail + chunk:
                return True
            tail = chunk[-16:]
    return False


def _damage() -> tuple[type[BaseException], ...]:
    """What openpyxl and the XML parsers raise on a damaged workbook: truncated or malformed
    XML, entities (XXE, "billion laughs": refused by the parsers), a broken zip member."""
    return (
        InvalidFileException,
        zipfile.BadZipFile,
        zlib.error,
        ParseError,
        SyntaxError,  # lxml's XMLSyntaxError among them
        KeyError,
        IndexError,
        ValueError,
        TypeError,
        AttributeError,
        EOFError,
        OverflowError,
    )


def read_sheets(path: Path, shown: str) -> list[SheetData]:
    """Every sheet of `path` in a known layout (an entry sheet, or a unit sheet of the xlsx
    report with its hidden id column); DataError when none is, or the file cannot be read.

    The workbook is streamed (openpyxl's read-only mode), at most MAX_ROWS rows a sheet."""
    with _open_regular(path, shown) as fh:
        _refuse_too_large(fh, shown)
        try:
            grids = _read_grids(fh, shown)
        except ChitieuError:
            raise
        except MemoryError:
            raise DataError(
                "err.file.too_large", Place(shown), mib=MAX_UNPACKED // (1024 * 1024)
            ) from None
        except OSError as exc:
            raise DataError("err.import.unreadable", Place(shown), what=os_reason(exc)) from None
        except _damage():
            raise DataError("err.import.not_xlsx", Place(shown)) from None
    found: list[SheetData] = []
    for grid in grids:
        data = _entry_sheet(grid) or _report_sheet(grid)
        if data is not None:
            found.append(data)
    if not found:
        raise DataError("err.import.no_layout", Place(shown))
    return found


def _known(grid: Grid) -> bool:
    return _entry_header(grid) or _report_header(grid) is not None


def _read_grids(fh: BinaryIO, shown: str) -> list[Grid]:
    """The sheets in a known layout, streamed: formulas are seen (data_only=False), and read
    again for the values Excel cached only when a sheet has any."""
    fh.seek(0)
    wb = load_workbook(fh, read_only=True, data_only=False)
    grids: list[Grid] = []
    try:
        for ws in wb.worksheets:
            grid = Grid(ws.title)
            rows = ws.iter_rows(min_row=1, max_row=EXCEL_ROWS, max_col=_WIDTH)
            empty: tuple[Any, ...] | None = None
            for r, cells in enumerate(rows, start=1):
                if r == HEAD_ROWS + 1 and not _known(grid):
                    break
                if cells is empty or all(c.value is None for c in cells):
                    empty = cells  # openpyxl fills a gap with one tuple, again and again
                    continue
                if r > MAX_ROWS:
                    raise DataError(
                        "err.import.too_many_rows", _where(ws.title, f"A{r}"), max=MAX_ROWS
                    )
                values = []
                for col, c in enumerate(cells, start=1):
                    if c.data_type == "f":
                        grid.formulas.add((r, col))
                        values.append(_FORMULA)
                    else:
                        values.append(c.value)
                grid.rows[r] = tuple(values)
            if _known(grid):
                grids.append(grid)
    finally:
        wb.close()
    if any(g.formulas for g in grids):
        _cached_values(fh, grids)
    return grids


def _cached_values(fh: BinaryIO, grids: list[Grid]) -> None:
    """Each formula cell's value as Excel last computed it; a formula with none (a workbook
    saved by a program that does not compute) is refused, naming its cell."""
    wanted = {g.title: g for g in grids if g.formulas}
    fh.seek(0)
    wb = load_workbook(fh, read_only=True, data_only=True)
    try:
        for ws in wb.worksheets:
            grid = wanted.get(ws.title)
            if grid is None:
                continue
            last = max(r for r, _ in grid.formulas)
            cached: dict[tuple[int, int], Any] = {}
            for r, values in enumerate(
                ws.iter_rows(min_row=1, max_row=last, max_col=_WIDTH, values_only=True), start=1
            ):
                for col, v in enumerate(values, start=1):
                    if (r, col) in grid.formulas:
                        cached[(r, col)] = v
            for r, col in sorted(grid.formulas):
                value = cached.get((r, col))
                if value is None:
                    raise DataError(
                        "err.import.formula_uncached",
                        _where(grid.title, f"{get_column_letter(col)}{r}"),
                    )
                row = list(grid.rows[r])
                row[col - 1] = value
                grid.rows[r] = tuple(row)
    finally:
        wb.close()


def _entry_header(grid: Grid) -> bool:
    return _cell_text(grid.value(HEADER_ROW, 1)) in _headings("id") and _cell_text(
        grid.value(HEADER_ROW, 5)
    ) in _headings("new")


def _entry_sheet(grid: Grid) -> SheetData | None:
    """A `chitieu template` sheet: headings in row 5, unit in B2, period in D2."""
    if not _entry_header(grid):
        return None
    data = SheetData(
        grid.title,
        _cell_text(grid.value(2, 2)),
        UNIT_CELL,
        str(grid.value(2, 4) or "").strip(),
        PERIOD_CELL,
        title=_text(grid.value(1, 1)),
    )
    for r in grid.after(HEADER_ROW):
        ident = grid.value(r, 1)
        new = grid.value(r, 5)
        extra = [_text(grid.value(r, c)) for c in (6, 7, 8)]
        if ident is None or (new is None or (isinstance(new, str) and not new.strip())):
            continue
        typed = Typed(grid.title, r, str(ident).strip(), new, f"E{r}", *extra)
        typed.name = (_text(grid.value(r, 2)), f"B{r}")
        data.rows.append(typed)
    return data


def _report_header(grid: Grid) -> int | None:
    id_col = len(SHEET_COLUMNS)
    for r in range(1, HEAD_ROWS + 1):
        first = _cell_text(grid.value(r, 1))
        if first in _headings("stt") and _cell_text(grid.value(r, id_col)) in _headings("id"):
            return r
    return None


def _report_sheet(grid: Grid) -> SheetData | None:
    """A unit sheet of `report --format xlsx`: the hidden id column (unit and period in its
    first two cells), values from `Thực hiện quý` (quarter-reported counts, milestones) or
    `Lũy kế` (the stored year-to-date or level)."""
    id_col = len(SHEET_COLUMNS)
    header = _report_header(grid)
    if header is None:
        return None
    letter = get_column_letter(id_col)
    col = {key: i for i, key in enumerate(SHEET_COLUMNS, start=1)}
    data = SheetData(
        grid.title,
        _cell_text(grid.value(1, id_col)),
        f"{letter}1",
        str(grid.value(2, id_col) or "").strip(),
        f"{letter}2",
        unit_line=_text(grid.value(2, 1)),
    )
    for r in grid.after(header):
        ident = grid.value(r, id_col)
        if not ident:
            continue
        report = {
            key: (grid.value(r, col[key]), f"{get_column_letter(col[key])}{r}")
            for key in ("quarter", "ytd")
        }
        extra = [_text(grid.value(r, col[key])) for key in ("note", "cause", "remedy")]
        typed = Typed(grid.title, r, str(ident).strip(), None, "", *extra, report=report)
        typed.name = (_text(grid.value(r, col["name"])), f"{get_column_letter(col['name'])}{r}")
        data.rows.append(typed)
    return data


def _same_words(text: str) -> str:
    """A name as compared: case and runs of spaces aside (a spreadsheet may change them)."""
    return " ".join(text.split()).casefold()


def _shown_unit(sheet: SheetData) -> str | None:
    """The unit's name as the sheet shows it: in an entry sheet's title (`Phiếu nhập số liệu
    Quý I/2026 · Phường Mỹ Thới`), in a report sheet's `Đơn vị: …` line; None when the
    sheet shows none (the line was cleared or rewritten)."""
    for lang in LANGS:  # a sheet made in either language
        if sheet.title is not None:
            pattern = t_in(lang, "o.t_title", period="QQPERIODQQ", unit="QQUNITQQ")
            text = sheet.title
        elif sheet.unit_line is not None:
            pattern = t_in(lang, "o.unit") + ": QQUNITQQ"
            text = sheet.unit_line
        else:
            return None
        regex = re.escape(pattern).replace("QQPERIODQQ", ".*?").replace("QQUNITQQ", "(.+)")
        match = re.fullmatch(regex, text, re.DOTALL)
        if match:
            return match.group(1).strip()
    return None


def _unit_differs(sheet: SheetData, names: set[str]) -> DataError | None:
    """DataError when the unit cell names a unit other than the one the sheet shows (the
    unit cell was edited, and the values would go to another unit)."""
    shown = _shown_unit(sheet)
    if shown is None or _same_words(shown) in {_same_words(n) for n in names}:
        return None
    return DataError(
        "err.import.unit_differs",
        _where(sheet.sheet, sheet.unit_cell),
        unit=clean(sheet.unit),
        name=min(names),
        shown=shown,
    )


def _cell_value(value: Any) -> str | float | bool:
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
    units: dict[str, FileSource],
    period: Period | None,
    confirmed: bool = False,
    by: str | None = None,
) -> list[Planned]:
    """Check every row of every sheet; ErrorList naming each bad cell, else what to write.

    Nothing is written here: when any cell is bad, nothing will be."""
    errors: list[ChitieuError] = []
    plans: list[Planned] = []
    taken: dict[tuple[str, Period], str] = {}
    for sheet in sheets:
        source = units.get(sheet.unit)
        if source is None:
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
        first = taken.setdefault((sheet.unit, chosen), sheet.sheet)
        if first != sheet.sheet:
            errors.append(
                DataError(
                    "err.import.same_unit",
                    _where(sheet.sheet, sheet.unit_cell),
                    first=cell_ref(first, "").rstrip("!"),
                    unit=sheet.unit,
                    period=chosen.label(),
                )
            )
            continue
        try:
            board = source.board(chosen)
            current_name = source.data.definitions().unit.name
        except ChitieuError as exc:
            errors.append(exc)
            continue
        defs = board.definitions  # the quarter's own year's, else the current ones
        wrong_unit = _unit_differs(sheet, {defs.unit.name, current_name})
        if wrong_unit is not None:
            errors.append(wrong_unit)
            continue
        progress = board.progress
        if progress is not None and progress.closed is not None:
            msg = closed_msg("err.closed.refused", chosen, progress.closed)
            errors.append(DataError(msg, _where(sheet.sheet, sheet.period_cell)))
            continue
        requests: list[SetValue] = []
        cells: list[str] = []
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
            name, name_cell = typed.name
            if name is not None and _same_words(name) != _same_words(ind.name):
                errors.append(
                    DataError(
                        "err.import.name_differs",
                        _where(typed.sheet, name_cell),
                        id=clean(typed.id),
                        name=name,
                        expected=ind.name,
                    )
                )
                continue
            raw, cell = typed.value, typed.value_cell
            if typed.report is not None:  # the column that holds what is stored
                quarterly = ind.kind == "cumulative" and ind.report == "quarter"
                raw, cell = typed.report[
                    "quarter" if quarterly or ind.kind == "milestone" else "ytd"
                ]
                if raw is None or (isinstance(raw, str) and not raw.strip()):
                    continue
            try:
                value = checked_value(ind, _cell_value(raw), i18n.current())
                if not confirmed:
                    check_plausible(ind, value)
            except EntryError as exc:
                detail = exc.msg
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
                requests.append(
                    SetValue(
                        period=chosen,
                        id=typed.id,
                        value=value,
                        note=typed.note,
                        cause=typed.cause,
                        remedy=typed.remedy,
                        confirm=True,  # checked above, as the command asked
                        confirm_outlier=confirmed,  # judged by the writer (core/outliers.py)
                        lang=i18n.current(),
                        by=by,
                        via="import",
                    )
                )
                cells.append(cell_ref(typed.sheet, cell))
        if requests:
            plans.append(Planned(source, chosen, requests, sheet.sheet, cells))
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorList(errors)
    return plans
