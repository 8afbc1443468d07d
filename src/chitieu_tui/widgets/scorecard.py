"""The roll-up's scorecard: one row per unit, one column per indicator, a totals row; drawn
line by line (`widgets/line_table.py`): only the units on screen are ever rendered, so the
whole country (3,321 units) costs what 5 do to draw."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.style import Style
from rich.text import Text
from textual.message import Message

from chitieu_tui.core.approval import STATES
from chitieu_tui.core.arithmetic import Status
from chitieu_tui.core.collection import Collection, Total
from chitieu_tui.i18n import t
from chitieu_tui.messages import OpenUnit
from chitieu_tui.present import fmt
from chitieu_tui.present.rollup import (
    Cell,
    UnitRow,
    column_names,
    column_totals,
    total_cell,
    unit_rows,
)
from chitieu_tui.present.rollup_chart import mix_cells
from chitieu_tui.widgets.line_table import Cell as LineCell
from chitieu_tui.widgets.line_table import LineTable, Part, Row, fit, width_of
from chitieu_tui.widgets.path_chart import draws_unicode
from chitieu_tui.widgets.status_table import (
    sorted_known_first,
    status_class,
    status_classes,
    status_css,
)

TOTAL_KEY = "total"
FIXED = ("rank", "name", "state", "met", "rules")
LEFT = ("name", "state")
"""The columns whose cells are left-justified (the others are numbers)."""
_RANK = 6
_MIX = 6
"""The status-mix bar's width in the `met` column (issue 24)."""
_MET = 6 + _MIX
_RULES = 7
"""The broken-rules column (issue 25): a count."""
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
        if lines and width_of(lines[-1]) + 1 + width_of(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def heading_lines(label: str, width: int, height: int) -> list[str]:
    """A heading in `height` lines of `width` cells, the last ending in `…` when cut."""
    lines = wrapped(label, width)
    if len(lines) > height:
        lines = lines[:height]
        lines[-1] = fit(lines[-1] + " …", width).rstrip()
    return lines + [""] * (height - len(lines))


def sort_value(row: UnitRow, column: str) -> Any:
    """What a row is sorted by in `column` (None: sorted last)."""
    if column == "rank":
        return row.rank
    if column == "name":
        return row.name_key
    if column == "met":
        return None if row.rank is None else row.share
    if column == "state":
        return None if row.rank is None else (STATES.index(row.state), row.late)  # type: ignore[arg-type]
    if column == "rules":
        return None if row.rank is None else row.rules
    index = int(column[1:])
    return row.cells[index].percent if index < len(row.cells) else None


RULE_STYLES = {"high": "error", "medium": "warning"}
"""The broken-rules count's colour by the highest importance broken (low: plain)."""


def _part(cell: Cell) -> tuple[Part]:
    return ((cell.text, status_class(cell.status) if cell.status is not None else ""),)


def state_style(row: UnitRow) -> str:
    """Late or returned in the error colour, approved in the met colour, open muted."""
    if row.late or row.state == "returned":
        return "error"
    if row.state == "approved":
        return status_class(Status.MET)
    if row.state == "open":
        return "muted"
    return ""


class Scorecard(LineTable):
    """Row keys are the members' positions (`"0"`, `"1"`, …) and `total` (pinned under the
    heading); columns `rank`, `name` (both pinned on the left), `state` (open, submitted,
    approved, returned; late), `met`, `rules` (broken rules) and `c0`, `c1`, … (the
    collection's columns)."""

    PREFIX = "scorecard"
    COMPONENT_CLASSES = {
        *status_classes("scorecard"),
        "scorecard--total",
        "scorecard--error",
        "scorecard--warning",
        "scorecard--muted",
        "scorecard--bold",
        "scorecard--header",
        "scorecard--cursor",
        "scorecard--hover",
    }
    DEFAULT_CSS = """
    Scorecard {
        background: $surface;
        color: $foreground;
        &:focus {
            background-tint: $foreground 5%;
            & > .scorecard--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .scorecard--header { background-tint: $foreground 5%; }
        }
        & > .scorecard--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .scorecard--header { background: ansi_bright_blue; color: ansi_default; }
        & > .scorecard--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .scorecard--hover { background: $block-hover-background; }
        & > .scorecard--bold { text-style: bold; }
        & > .scorecard--warning { color: $warning; }
    }
    """ + status_css("Scorecard", "scorecard")
    """DataTable's look; percent cells in their status's colour (from `present.status`)."""

    class Highlighted(LineTable.Highlighted):
        """The cursor moved to another row (`key`: a member's position or `total`)."""

    class Selected(LineTable.Selected):
        """Enter or a click on a row."""

    @dataclass
    class Sorted(Message):
        """The scorecard is sorted by another column, or the other way (the roll-up's chart
        follows it)."""

        table: Scorecard
        column: str

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fixed_rows = 1
        self.fixed_columns = 2
        self.right = frozenset()
        self.columns_ids: list[str] = []
        self.rows_data: list[UnitRow] = []
        self.totals_cells: list[Cell] = []
        self.names: list[str] = []
        self.query_text = ""
        self.behind_only = False
        self.sort_by = "rank"
        self.reverse = False
        self.totals: list[Total] = []
        """The shown columns' totals (`present/rollup.py` `column_totals`)."""
        self._cells: dict[int, tuple[LineCell, ...]] = {}
        """Each unit's cells, by member position, made when first drawn."""
        self._widest_state = 0

    # -- data ----------------------------------------------------------------------------

    def show(self, collection: Collection) -> None:
        """Show the collection's units (again), keeping the cursor on the same unit."""
        columns = collection.shown_columns()
        totals = column_totals(collection, columns)
        rows = unit_rows(collection, columns)
        self.show_rows(columns, column_names(collection, columns), rows, totals)

    def show_rows(
        self,
        columns: list[str],
        names: list[str],
        rows: list[UnitRow],
        totals: list[Total],
        cells: list[Cell] | None = None,
    ) -> None:
        """Show these rows (`cells`: the totals row's cells when there are no `totals`, as
        from the roll-up's cache), keeping the cursor on the same unit."""
        self.columns_ids, self.names, self.rows_data, self.totals = columns, names, rows, totals
        self.totals_cells = cells if cells is not None else [total_cell(x) for x in totals]
        self._cells = {}  # made when drawn (`cells_of`)
        self._widest_state = max((width_of(r.state_text()) for r in self.rows_data), default=0)
        self.rebuild(full=True)

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
        """Sort by `column`; the same column again reverses the order (met and broken rules
        start with the most)."""
        if column == self.sort_by:
            self.reverse = not self.reverse
        else:
            self.sort_by, self.reverse = column, column in ("met", "rules")
        self.rebuild()
        self.post_message(self.Sorted(self, column))

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
        key = self.current_key()
        return None if key is None or key == TOTAL_KEY else int(key)

    def shown_names(self) -> list[str]:
        """The unit names shown, top to bottom (without the totals row)."""
        return [r.name for r in self.shown_rows()]

    def get_row(self, key: str) -> list[Text]:
        """The cells of the row of `key` (a member's position or `total`), as Text in their
        colours (never markup), one per column."""
        index = self.get_row_index(key)
        return [self.text_of(index, i) for i in range(len(self.columns))]

    # -- cells ---------------------------------------------------------------------------

    def _unit_cells(self, row: UnitRow) -> tuple[LineCell, ...]:
        """A unit's cells as parts in their styles (computed once per `show`)."""
        if row.rank is None:
            error = t("rollup.error_cell", error=row.error)
            rest: list[LineCell] = [""] * len(self.columns_ids)
            if rest:
                rest[0] = ((error, "error"),)
            return ("", row.name, "", (("!", "error"),), "", *rest)
        name = row.name + (f" ({t('rollup.offline_mark')})" if row.offline else "")
        muted = "muted" if row.offline or not row.reporting else ""
        name_parts: tuple[Part, ...] = ((name, muted),)
        if row.mark:  # changed after approval, or by hand after closing
            name_parts += ((f" ⚠ {row.mark}", "error"),)
        return (
            fmt.number(row.rank),  # 1.329: a rank past 999 has the separator as every count
            name_parts,
            ((row.state_text(), state_style(row)),),
            self._met(row),
            ((row.rules_text(), RULE_STYLES.get(row.rules_worst, "")),),
            *(_part(c) for c in row.cells),
        )

    def cells_of(self, index: int) -> tuple[LineCell, ...]:
        """A row's cells: the totals row's as made, a unit's made when first drawn."""
        key, _, cells = self.rows[index]
        if cells or key == TOTAL_KEY:
            return cells
        member = int(key)
        made = self._cells.get(member)
        if made is None:
            made = self._cells[member] = self._unit_cells(self.rows_data[member])
        return made

    def _met(self, row: UnitRow) -> tuple[Part, ...]:
        """`4/7` and the unit's status mix as a small bar (met, on track, behind, no data)."""
        fill = "▆" if draws_unicode() else "#"
        bar = mix_cells(row.mix(), _MIX)
        return ((f"{row.met}/{row.total} ", ""), *((fill * n, status_class(s)) for s, n in bar))

    def _total_cells(self) -> tuple[LineCell, ...]:
        return ("", ((t("rollup.totals"), "bold"),), "", "", "", *map(_part, self.totals_cells))

    def _row_style(self, index: int) -> Style | None:
        """The totals row on the panel, in bold."""
        return self._style("total") if self.rows[index][1] == "total" else None

    def selectable(self, key: str) -> bool:
        """The totals row opens nothing."""
        return key != TOTAL_KEY

    def headings(self) -> list[str]:
        """Every column's heading, in order (`sort_keys`)."""
        return [
            t("rollup.col_rank"),
            t("rollup.col_unit"),
            t("rollup.col_state"),
            t("rollup.col_met"),
            t("rollup.col_rules"),
            *self.names,
        ]

    # -- layout --------------------------------------------------------------------------

    def rebuild(self, full: bool = False) -> None:
        """Lay out the columns for the width, select and sort the rows, keep the cursor's
        unit. Only texts are chosen here; lines are drawn when they come into view."""
        if not self.is_mounted or not self.size.width:
            self._built_width = -1  # not laid out yet: built at the first resize
            return
        if full:
            self._styles = {}
        width = self._built_width = self.size.width
        heads = self.headings()
        keys = self.sort_keys()
        n = len(self.columns_ids)
        heading = width_of(heads[2]) + 2  # room for the sort mark: one line
        state_width = min(_STATE_CAP, max(_STATE_MIN, heading, self._widest_state))
        fixed = 3 + 2 * (n + len(FIXED)) + _RANK + _MET + _RULES + state_width  # borders,
        # scrollbar, padding
        col_width = min(_COL_CAP, max(_COL_MIN, (width - fixed - _NAME_WANT) // max(1, n)))
        name_width = max(_NAME_MIN, min(_NAME_CAP, width - fixed - n * col_width))
        widths = dict(
            zip(
                keys,
                [_RANK, name_width, state_width, _MET, _RULES] + [col_width] * n,
                strict=True,
            )
        )
        labels = [
            f"{h} {'▼' if self.reverse else '▲'}" if k == self.sort_by else h
            for k, h in zip(keys, heads, strict=True)
        ]
        # A heading too long for its column wraps onto a second line (`Tổng thu ngân /
        # sách nhà nước`) rather than being cut; two lines at most, then an ellipsis.
        tallest = max(len(wrapped(lb, widths[k])) for k, lb in zip(keys, labels, strict=True))
        height = max(1, min(_HEAD_LINES, tallest))
        columns = [heading_lines(lb, widths[k], height) for k, lb in zip(keys, labels, strict=True)]
        heading_rows = tuple(tuple(col[y] for col in columns) for y in range(height))
        self.right = frozenset(k for k in keys if k not in LEFT)
        rows: list[Row] = [(TOTAL_KEY, "total", self._total_cells())]
        rows += [(str(r.index), "unit", ()) for r in self.shown_rows()]  # cells: `cells_of`
        keep = self.current_key()
        self.set_rows(
            tuple(keys),
            widths,
            heading_rows,
            rows,
            None if keep == TOTAL_KEY else keep,
            rows[1][0] if len(rows) > 1 else TOTAL_KEY,
            full,
        )
        self._update_title()

    def _update_title(self) -> None:
        title = t("rollup.behind_only" if self.behind_only else "rollup.title")
        parts = [f"{title} ({fmt.number(len(self.rows) - 1)})"]
        if self.query_text.strip():
            parts.append(t("table_filter", query=self.query_text.strip()))
        if self.sort_by != "rank":
            keys = self.sort_keys()
            heads = self.headings()
            column = heads[keys.index(self.sort_by)] if self.sort_by in keys else self.sort_by
            parts.append(t("table_sort", column=column))
        self.set_title(" · ".join(parts))

    # -- keys ----------------------------------------------------------------------------

    def action_first(self) -> None:
        """Home: the first unit (just below the totals row)."""
        if self.row_count > 1:
            self.move_cursor(row=1)

    def on_scorecard_selected(self, event: Scorecard.Selected) -> None:
        """Enter or click on a unit: open its dashboard."""
        if event.table is not self:
            return
        event.stop()
        self.post_message(OpenUnit(int(event.key)))
