"""The roll-up's scorecard: one row per unit, one column per indicator, a totals row."""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.events import Resize
from textual.widgets import DataTable

from chitieu_tui.core.approval import STATES
from chitieu_tui.core.arithmetic import Status
from chitieu_tui.core.collection import Collection
from chitieu_tui.i18n import fold, t
from chitieu_tui.messages import OpenUnit
from chitieu_tui.present.rollup import (
    Cell,
    UnitRow,
    column_names,
    column_totals,
    total_cell,
    unit_rows,
)
from chitieu_tui.present.rollup_chart import mix_cells, status_mix
from chitieu_tui.widgets.path_chart import draws_unicode
from chitieu_tui.widgets.status_table import (
    sorted_known_first,
    status_class,
    status_classes,
    status_css,
)

TOTAL_KEY = "total"
FIXED = ("rank", "name", "state", "met")
_RANK = 6
_MIX = 6
"""The status-mix bar's width in the `met` column (issue 24)."""
_MET = 6 + _MIX
_STATE_MIN = 8
_STATE_CAP = 20
_NAME_MIN = 18
_NAME_WANT = 22
_NAME_CAP = 32
_COL_MIN = 12
_COL_CAP = 16


_HEAD_LINES = 2
"""A column heading wraps onto at most this many lines."""


def wrapped(label: str, width: int) -> list[str]:
    """`label` in lines of at most `width` cells, broken between words (a word longer than
    the line is cut)."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _cut(line: str, width: int) -> str:
    """`line` fitted to `width`, ending in `…` when it had to be cut."""
    if len(line) <= width:
        return line
    return line[: max(0, width - 1)].rstrip() + "…"


def sort_value(row: UnitRow, column: str) -> Any:
    """What a row is sorted by in `column` (None: sorted last)."""
    if column == "rank":
        return row.rank
    if column == "name":
        return fold(row.name)
    if column == "met":
        return None if row.rank is None else row.share
    if column == "state":
        return None if row.rank is None else (STATES.index(row.state), row.late)  # type: ignore[arg-type]
    index = int(column[1:])
    return row.cells[index].percent if index < len(row.cells) else None


class Scorecard(DataTable[Text]):
    """Row keys are the members' positions (`"0"`, `"1"`, …) and `total`; columns `rank`,
    `name`, `state` (open, submitted, approved, returned; late), `met` and `c0`, `c1`, …
    (the collection's columns)."""

    COMPONENT_CLASSES = {
        *status_classes("scorecard"),
        "scorecard--total",
        "scorecard--error",
        "scorecard--muted",
    }
    DEFAULT_CSS = status_css("Scorecard", "scorecard")
    """Percent cells in their status's colour (from `present.status`)."""

    BINDINGS = [
        Binding("home", "first_unit", show=False),
        Binding("end", "last_unit", show=False),
    ]
    """Home and End move the cursor to the first and last unit (DataTable's own Home and End
    scroll sideways only, which a row cursor never needs)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.columns_ids: list[str] = []
        self.rows_data: list[UnitRow] = []
        self.totals_cells: list[Cell] = []
        self.names: list[str] = []
        self.query_text = ""
        self.behind_only = False
        self.sort_by = "rank"
        self.reverse = False
        self._styles: dict[str, Style] = {}
        self._layout: tuple[Any, ...] | None = None

    def on_mount(self) -> None:
        """Rebuild when the theme (and so the status colours) changes: once its CSS is in
        effect (the theme's signal comes after it; a watcher of `theme` came before and kept
        the old theme's colours)."""
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.rebuild(True))

    def show(self, collection: Collection) -> None:
        """Show the collection's units (again), keeping the cursor on the same unit."""
        self.columns_ids = collection.shown_columns()
        self.names = column_names(collection, self.columns_ids)
        self.rows_data = unit_rows(collection, self.columns_ids)
        self.totals_cells = [total_cell(x) for x in column_totals(collection, self.columns_ids)]
        self.rebuild()

    def set_query(self, text: str) -> None:
        """Only the units whose name or id has every word (accents optional)."""
        self.query_text = text
        self.rebuild()

    def toggle_behind(self) -> None:
        """Only the units with something behind, or all again."""
        self.behind_only = not self.behind_only
        self.rebuild()

    def sort_keys(self) -> list[str]:
        """Every column one can sort by, in order."""
        return [*FIXED, *(f"c{i}" for i in range(len(self.columns_ids)))]

    def sort_on(self, column: str) -> None:
        """Sort by `column`; the same column again reverses the order."""
        if column == self.sort_by:
            self.reverse = not self.reverse
        else:
            self.sort_by, self.reverse = column, column == "met"
        self.rebuild()

    def cycle_sort(self) -> None:
        """`o`: sort by the next column."""
        keys = self.sort_keys()
        now = keys.index(self.sort_by) if self.sort_by in keys else -1
        self.sort_on(keys[(now + 1) % len(keys)])

    def shown_rows(self) -> list[UnitRow]:
        """The rows shown: filtered, then sorted (unknown values last)."""
        rows = [
            r
            for r in self.rows_data
            if (not self.behind_only or r.behind > 0)
            and (not self.query_text.strip() or r.matches(self.query_text))
        ]
        sort_by = self.sort_by
        return sorted_known_first(rows, lambda r: sort_value(r, sort_by), self.reverse)

    def current_index(self) -> int | None:
        """The member position under the cursor (None on the totals row or when empty)."""
        if not self.row_count or not self.is_valid_row_index(self.cursor_row):
            return None
        key = self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key.value
        return None if key is None or key == TOTAL_KEY else int(key)

    def shown_names(self) -> list[str]:
        """The unit names shown, top to bottom (without the totals row)."""
        return [r.name for r in self.shown_rows()]

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(
                f"scorecard--{name}", partial=True
            )
        return style

    def _cell(self, cell: Cell, bold: bool = False) -> Text:
        style = self._style(status_class(cell.status)) if cell.status is not None else Style()
        if bold:
            style = style + Style(bold=True)
        return Text(cell.text, style=style, justify="right", no_wrap=True, overflow="ellipsis")

    def rebuild(self, full: bool = False) -> None:
        """Refill the table (columns too when they or the width changed); keep the cursor."""
        if not self.is_mounted:
            return
        if full:
            self._styles = {}
        keep = self.current_index()
        width = self.size.width or 80
        heads = self.headings()
        keys = self.sort_keys()
        marks = [("▼" if self.reverse else "▲") if k == self.sort_by else "" for k in keys]
        n = len(self.columns_ids)
        states = [len(r.state_text()) for r in self.rows_data]
        heading = len(heads[2]) + 2  # room for the sort mark: one line
        state_width = min(_STATE_CAP, max([_STATE_MIN, heading, *states]))
        fixed = 3 + 2 * (n + 4) + _RANK + _MET + state_width  # borders, scrollbar, padding
        col_width = min(_COL_CAP, max(_COL_MIN, (width - fixed - _NAME_WANT) // max(1, n)))
        name_width = max(_NAME_MIN, min(_NAME_CAP, width - fixed - n * col_width))
        layout = (tuple(heads), tuple(marks), col_width, name_width, state_width)
        self.fixed_rows = 0  # the totals row is fixed only while it exists (Textual needs it)
        if layout != self._layout or full:
            self.clear(columns=True)
            widths = [_RANK, name_width, state_width, _MET] + [col_width] * n
            labels = [f"{h} {m}" if m else h for h, m in zip(heads, marks, strict=True)]
            # A heading too long for its column wraps onto a second line (`Tổng thu ngân /
            # sách nhà nước`) rather than being cut; two lines at most, then an ellipsis.
            tallest = max(len(wrapped(lb, w)) for lb, w in zip(labels, widths, strict=True))
            self.header_height = max(1, min(_HEAD_LINES, tallest))
            for key, label, w in zip(keys, labels, widths, strict=True):
                justify = "left" if key in ("name", "state") else "right"
                lines = wrapped(label, w)[: self.header_height]
                if len(wrapped(label, w)) > self.header_height:
                    lines[-1] = _cut(lines[-1] + " …", w)
                self.add_column(
                    Text("\n".join(lines), justify=justify, no_wrap=True, overflow="ellipsis"),
                    key=key,
                    width=w,
                )  # type: ignore[arg-type]
            self._layout = layout
        else:
            self.clear()
        total_row = [
            Text(""),
            Text(t("rollup.totals"), style=Style(bold=True), no_wrap=True, overflow="ellipsis"),
            Text(""),
            Text(""),
        ] + [self._cell(c, bold=True) for c in self.totals_cells]
        self.add_row(*total_row, key=TOTAL_KEY)
        self.fixed_rows = 1
        for row in self.shown_rows():
            self.add_row(*self._row(row), key=str(row.index))
        self._title()
        if keep is not None and str(keep) in self.rows:
            self.move_cursor(row=self.get_row_index(str(keep)), animate=False, scroll=True)
        elif self.row_count > 1:
            self.move_cursor(row=1, animate=False)

    def _row(self, row: UnitRow) -> list[Text]:
        if row.rank is None:
            error = t("rollup.error_cell", error=row.error)
            return [
                Text(""),
                Text(row.name, no_wrap=True, overflow="ellipsis"),
                Text(""),
                Text("!", style=self._style("error"), justify="right"),
            ] + [
                Text(
                    error if i == 0 else "",
                    style=self._style("error"),
                    no_wrap=True,
                    overflow="ellipsis",
                )
                for i in range(len(self.columns_ids))
            ]
        name = row.name + (f" ({t('rollup.offline_mark')})" if row.offline else "")
        name_style = self._style("muted") if row.offline or not row.member.reporting else Style()
        name_text = Text(name, style=name_style, no_wrap=True, overflow="ellipsis")
        if row.mark:  # changed after approval, or by hand after closing
            name_text.append(f" ⚠ {row.mark}", style=self._style("error"))
        return [
            Text(str(row.rank), justify="right"),
            name_text,
            Text(row.state_text(), style=self._state_style(row), no_wrap=True, overflow="ellipsis"),
            self._met(row),
        ] + [self._cell(c) for c in row.cells]

    def _met(self, row: UnitRow) -> Text:
        """`4/7` and the unit's status mix as a small bar (met, on track, behind, no data)."""
        text = Text(f"{row.met}/{row.total} ", justify="right", no_wrap=True)
        fill = "▆" if draws_unicode() else "#"
        for status, n in mix_cells(status_mix(row.member.board), _MIX):
            text.append(fill * n, style=self._style(status_class(status)))
        return text

    def _state_style(self, row: UnitRow) -> Style:
        """Late or returned in the error colour, approved in the met colour, open muted."""
        if row.late or row.state == "returned":
            return self._style("error")
        if row.state == "approved":
            return self._style(status_class(Status.MET))
        if row.state == "open":
            return self._style("muted")
        return Style()

    def headings(self) -> list[str]:
        """Every column's heading, in order (`sort_keys`)."""
        return [
            t("rollup.col_rank"),
            t("rollup.col_unit"),
            t("rollup.col_state"),
            t("rollup.col_met"),
            *self.names,
        ]

    def _title(self) -> None:
        title = t("rollup.behind_only" if self.behind_only else "rollup.title")
        parts = [f"{title} ({len(self.rows) - 1})"]
        if self.query_text.strip():
            parts.append(t("table_filter", query=self.query_text.strip()))
        if self.sort_by != "rank":
            keys = self.sort_keys()
            heads = self.headings()
            column = heads[keys.index(self.sort_by)] if self.sort_by in keys else self.sort_by
            parts.append(t("table_sort", column=column))
        self.border_title = Text(" · ".join(parts))

    def action_first_unit(self) -> None:
        """Home: the first unit (just below the totals row)."""
        if self.row_count > 1:
            self.move_cursor(row=1)

    def action_last_unit(self) -> None:
        """End: the last unit."""
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)

    def on_resize(self, event: Resize) -> None:
        """Fit the columns to the new width."""
        self.rebuild()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """Click on a column heading: sort by it (the event goes on up: the roll-up's chart
        follows the sorted column)."""
        if event.column_key.value is not None:
            self.sort_on(event.column_key.value)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter or click on a unit: open its dashboard."""
        event.stop()
        key = event.row_key.value
        if key is not None and key != TOTAL_KEY:
            self.post_message(OpenUnit(int(key)))
