"""All indicators in one table, grouped by field, sortable and filterable, drawn line by line:
only the rows on screen are ever rendered (Textual's Line API), so 50,000 indicators cost
what 30 do to draw."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Mapping
from typing import Any

from rich.style import Style
from rich.text import Text

from chitieu_tui.core.arithmetic import Board, Evaluation, Status
from chitieu_tui.i18n import fold, matches, order_key, search_text, t
from chitieu_tui.messages import OpenDetail
from chitieu_tui.present import fmt
from chitieu_tui.present.alerts import MARK
from chitieu_tui.present.cells import row_cells, table_widths
from chitieu_tui.present.followup import marked_value
from chitieu_tui.present.status import label as status_label
from chitieu_tui.present.status import rank
from chitieu_tui.widgets.line_table import PADDING, LineTable, Row, width_of
from chitieu_tui.widgets.status_table import (
    sorted_known_first,
    status_class,
    status_classes,
    status_css,
)

COLUMNS = ("name", "unit", "owner", "value", "target", "percent", "expected", "status")
SORTS = ("order", "name", "value", "target", "percent", "expected", "status")
GROUP_PREFIX = "group:"
_NUMERIC = ("value", "target", "percent", "expected")
_CAP = 14
_CAPS = {"owner": 28}
WIDE = 110
"""From this width on, the table has a unit column (ĐVT)."""
WIDER = 170
MIN_NAME = 12
"""The name column's least width; below it, columns of NARROW_DROPS go, in that order."""
NARROW_DROPS = ("expected", "target", "percent")
"""From this width on, it also has the owner column (Phụ trách: "rõ người")."""


def _number(ev: Evaluation) -> float | None:
    value = ev.value
    if value is None:
        return None
    if isinstance(value, bool):
        return float(value)
    return ev.figure


SORT_KEYS: dict[str, Callable[[Evaluation], Any]] = {
    "name": lambda ev: order_key(ev.indicator.name),
    "value": _number,
    "target": lambda ev: ev.indicator.target,
    "percent": lambda ev: ev.percent,
    "expected": lambda ev: ev.expected,
    "status": lambda ev: rank(ev.status),
    "owner": lambda ev: fold(ev.indicator.owner),
}


def haystack(ev: Evaluation, board: Board) -> str:
    """What the filter searches: name, id, field and owner, folded."""
    ind = ev.indicator
    return search_text(f"{ind.name} {ind.id} {board.definitions.group_name(ind.group)} {ind.owner}")


def select(
    board: Board,
    query: str = "",
    behind_only: bool = False,
    sort: str = "order",
    reverse: bool = False,
    hay: dict[str, str] | None = None,
) -> list[tuple[str, list[Evaluation]]]:
    """The rows to show, as (group id, evaluations), fields in display order.

    Every folded word of `query` must occur in the indicator's haystack (`hay` caches them).
    """
    words = query.split()
    groups: dict[str, list[Evaluation]] = {g.id: [] for g in board.definitions.groups}
    for ev in board.evaluations:
        if behind_only and ev.status is not Status.BEHIND:
            continue
        if words:
            text = hay[ev.indicator.id] if hay is not None else haystack(ev, board)
            if not matches(query, text):
                continue
        groups.setdefault(ev.indicator.group, []).append(ev)
    key = SORT_KEYS.get(sort)
    out = []
    for gid, evs in groups.items():
        if key is not None:
            evs = sorted_known_first(evs, key, reverse)
        elif reverse:
            evs = evs[::-1]
        if evs:
            out.append((gid, evs))
    return out


def cells(ev: Evaluation) -> dict[str, str]:
    """The plain text of one row's cells (numbers carry no unit but `%`); a value marked
    for follow-up has `⚑` beside it."""
    texts = row_cells(ev, units=False, short=True)
    texts["value"] = marked_value(ev.entry, texts["value"])
    return texts


_AT = {col: i for i, col in enumerate(COLUMNS)}
"""Where each column's text is in a row's `_texts` (in `COLUMNS` order)."""
KEPT_TEXTS = 4000
"""Rows whose texts are kept once drawn (a few screens' worth; made again after)."""


def _texts_of(ev: Evaluation) -> tuple[str, ...]:
    """`cells(ev)` as a tuple in `COLUMNS` order (a tuple, not a dict: 50,000 rows kept)."""
    found = cells(ev)
    return tuple(found[col] for col in COLUMNS)


class IndicatorTable(LineTable):
    """Row keys are indicator ids (and `group:<id>` for the field headings).

    A Line API widget (`widgets/line_table.py`): the heading line and the rows in view are
    drawn from plain strings, made only for the rows drawn (`cells_of`); column widths are
    worked out once per board from the numbers (`present.cells.table_widths`), never from
    every row's texts.
    """

    PREFIX = "indicator-table"
    COMPONENT_CLASSES = {
        *status_classes("indicator-table"),
        "indicator-table--group",
        "indicator-table--muted",
        "indicator-table--header",
        "indicator-table--cursor",
        "indicator-table--hover",
    }
    DEFAULT_CSS = """
    IndicatorTable {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        &:focus {
            background-tint: $foreground 5%;
            & > .indicator-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .indicator-table--header { background-tint: $foreground 5%; }
        }
        & > .indicator-table--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .indicator-table--header { background: ansi_bright_blue; color: ansi_default; }
        & > .indicator-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .indicator-table--hover { background: $block-hover-background; }
    }
    """ + status_css("IndicatorTable", "indicator-table")
    """DataTable's look; status cells in the status's colour (from `present.status`)."""

    class Highlighted(LineTable.Highlighted):
        """The cursor moved to another row (`key`: its indicator id or `group:<id>`)."""

    class Selected(LineTable.Selected):
        """Enter or a click on a row."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.board: Board | None = None
        self.query_text = ""
        self.behind_only = False
        self.sort_by = "order"
        self.reverse = False
        self.right = frozenset(_NUMERIC)
        self._hay: dict[str, str] = {}
        self._texts: dict[str, tuple[str, ...]] = {}
        """The cell texts of rows drawn, per indicator id, in `COLUMNS` order (made when
        drawn, at most `KEPT_TEXTS` kept)."""
        self._widths: dict[str, array[int]] = {}
        """Each cell's width, per column of `TABLE_COLUMNS`, in the board's order."""
        self._maxima: dict[str, int] = {}
        """The widest cell of each column over all the board's rows."""
        self._pos: dict[str, int] = {}
        """Each indicator's place in the board's evaluations (made when first needed)."""
        self._shown: tuple[tuple[str, ...], str] = ((), "")
        """The columns shown and the name's indent, as the last rebuild laid them out."""
        self._evs: Mapping[str, Evaluation] = {}
        self.marked: set[str] = set()
        """Indicators that turned behind on a refresh and were not looked at yet."""
        self.labels: tuple[str, ...] = ()

    # -- data ----------------------------------------------------------------------------

    def show(self, board: Board) -> None:
        """Show a new board, keeping the cursor on the same indicator. Nothing is redone
        when the board says the same (a reload of unchanged files, a server's 200 with the
        same data): the same evaluations in the same order, fields and counts."""
        old_board, old_evs, old_texts = self.board, self._evs, self._texts
        self.board = board
        evs = board.evaluations
        self._evs = board.by_id  # the board's own (shared with `get`), not a copy
        changed = list(old_evs) != list(self._evs)
        if not changed:
            for i, ev in self._evs.items():
                if old_evs[i] != ev:
                    changed = True
                    break
        if (
            not changed
            and old_board is not None
            and self.rows
            and board.judged == old_board.judged
            and board.summary.groups == old_board.summary.groups
            and board.definitions.groups == old_board.definitions.groups
        ):
            return
        # texts already made are kept for the evaluations that did not change
        self._texts = {i: x for i, x in old_texts.items() if old_evs.get(i) == self._evs.get(i)}
        self._widths = {c: array("I", w) for c, w in table_widths(evs, width_of).items()}
        self._maxima = {col: max(ws, default=0) for col, ws in self._widths.items()}
        self._pos = {}  # made by the first rebuild that shows some rows only
        self._hay = {}  # filled on the first filtering (see _haystacks)
        self.rebuild(full=True)

    def _haystacks(self) -> dict[str, str]:
        """What the filter searches, per indicator id (folded when first needed)."""
        board = self.board
        if board is not None and not self._hay and self.query_text.strip():
            self._hay = {ev.indicator.id: haystack(ev, board) for ev in board.evaluations}
        return self._hay

    def set_marks(self, ids: set[str]) -> None:
        """Mark these indicators (`!` before the name) until they are looked at."""
        if ids != self.marked:
            self.marked = set(ids)
            self.rebuild(full=True)  # the marks are in the names, made when drawn

    def set_query(self, text: str) -> None:
        """Filter by name, id or field (case and accents ignored)."""
        self.query_text = text
        self.rebuild()

    def toggle_behind(self) -> None:
        """Show only the indicators behind schedule, or all again."""
        self.behind_only = not self.behind_only
        self.rebuild()

    def sort_on(self, column: str) -> None:
        """Sort by `column`; the same column again reverses the order."""
        if column == self.sort_by and column != "order":
            self.reverse = not self.reverse
        else:
            self.sort_by, self.reverse = column, column in ("percent", "value")
        self.rebuild()

    def cycle_sort(self) -> None:
        """Sort by the next column (after the last: the file's order)."""
        self.sort_on(SORTS[(SORTS.index(self.sort_by) + 1) % len(SORTS)])

    # -- rows ----------------------------------------------------------------------------

    def current_id(self) -> str | None:
        """The indicator id under the cursor (None on a field heading or when empty)."""
        if not 0 <= self.cursor_row < len(self.rows):
            return None
        key = self.rows[self.cursor_row][0]
        return None if key.startswith(GROUP_PREFIX) else key

    def indicator_ids(self) -> list[str]:
        """The ids of the indicator rows shown, top to bottom."""
        return [key for key, kind, _ in self.rows if kind != "group"]

    def get_row(self, key: str) -> list[str]:
        """The texts of the row of `key`, one per shown column."""
        return list(self.cells_of(self._index[key]))

    def get_cell(self, key: str, column: str) -> Text:
        """The cell of row `key` in `column`, as Text in its colour (never markup)."""
        return self.text_of(self._index[key], self.columns.index(column))

    def _headers(self) -> dict[str, str]:
        return {c: t(f"col_{c}") for c in COLUMNS}

    def rebuild(self, full: bool = False) -> None:
        """Recompute the rows from the board, filter and sort; keep the cursor's indicator.

        Only the texts and widths are computed here (plain strings); lines are drawn when
        they come into view. Nothing is redrawn when the same rows come out. `full` forces a
        redraw (kept for callers of the DataTable version).
        """
        if not self.is_mounted or not self.size.width:
            self._built_width = -1  # not laid out yet: built at the first resize
            return
        board = self.board
        if board is None:
            self.clear_rows()
            return
        width = self.size.width
        self._built_width = width
        columns = [
            c
            for c in COLUMNS
            if (c != "unit" or width >= WIDE) and (c != "owner" or width >= WIDER)
        ]
        groups = select(
            board, self.query_text, self.behind_only, self.sort_by, self.reverse, self._haystacks()
        )
        widest = self._widest(groups)
        heads = self._headers()
        widths = {
            col: min(
                _CAPS.get(col, _CAP),
                max(width_of(heads[col]) + (2 if col == self.sort_by else 0), widest[col]),
            )
            for col in columns[1:-1]
        }
        widths["status"] = max(width_of(status_label(s)) for s in Status)
        for optional in NARROW_DROPS:  # the status column never goes off screen
            padding = 2 * PADDING * len(columns)
            if width - 1 - padding - sum(widths.values()) >= MIN_NAME or optional not in widths:
                break
            columns.remove(optional)
            del widths[optional]
        padding = 2 * PADDING * len(columns)
        widths["name"] = max(MIN_NAME, width - 1 - padding - sum(widths.values()))
        longest = widest["name"] + 3
        spare = widths["name"] - longest
        if spare > 0 and "owner" in widths:  # a wide terminal: the owner whole before spaces
            owner = widest["owner"]
            extra = min(spare, max(0, owner - widths["owner"]))
            widths["owner"] += extra
            widths["name"] -= extra
        indent = "  " if width >= WIDE else " "
        self._shown = (tuple(columns), indent)
        labels = []
        for col in columns:
            label = heads[col]
            if col == self.sort_by:
                label += " ▼" if self.reverse else " ▲"
            labels.append(label)
        counts = {gid: (met, n) for gid, _, met, n in board.summary.groups}
        names = {g.id: g.name for g in reversed(board.definitions.groups)}  # `group_name`
        blank = ("",) * (len(columns) - 2)
        rows: list[Row] = []
        for gid, evs in groups:
            met, total = counts.get(gid, (0, len(evs)))
            rows.append(
                (
                    f"{GROUP_PREFIX}{gid}",
                    "group",
                    (
                        f"▸ {names.get(gid, gid)}",
                        *blank,
                        t("group_met", met=fmt.number(met), total=fmt.number(total))
                        if board.judged
                        else "",
                    ),
                )
            )
            rows += [(ev.indicator.id, status_class(ev.status), ()) for ev in evs]  # `cells_of`
        keep = self.current_id()
        ids = (key for key, kind, _ in rows if kind != "group")
        self.labels = tuple(labels)
        self.set_rows(
            tuple(columns),
            {c: widths[c] for c in columns},
            (self.labels,),
            rows,
            keep,
            next(ids, None),
            full,
        )
        self._update_title()

    def _widest(self, groups: list[tuple[str, list[Evaluation]]]) -> dict[str, int]:
        """The widest cell of each column among the rows shown (all of them: kept per board)."""
        if sum(len(evs) for _, evs in groups) == len(self._evs):
            return self._maxima
        if not self._pos:
            self._pos = {key: n for n, key in enumerate(self._evs)}
        at = [self._pos[ev.indicator.id] for _, evs in groups for ev in evs]
        return {col: max(map(ws.__getitem__, at), default=0) for col, ws in self._widths.items()}

    def cells_of(self, index: int) -> tuple[str, ...]:
        """The texts of row `index` in the columns shown (an indicator's are made when the
        row is drawn; a field heading's are made with the rows)."""
        key, kind, cells = self.rows[index]
        if kind == "group":
            return cells  # type: ignore[return-value]
        c = self._texts.get(key)
        if c is None:
            if len(self._texts) >= KEPT_TEXTS:
                self._texts = {}
            c = self._texts[key] = _texts_of(self._evs[key])
        columns, indent = self._shown
        name = (MARK + indent)[: len(indent)] + c[0] if key in self.marked else indent + c[0]
        return (name, *(c[_AT[col]] for col in columns[1:-1]), c[-1])

    def _update_title(self) -> None:
        title = t("table_behind" if self.behind_only else "table_all")
        count = sum(kind != "group" for _, kind, _ in self.rows)
        parts = [f"{title} ({fmt.number(count)})"]
        if self.query_text.strip():
            parts.append(t("table_filter", query=self.query_text.strip()))
        if self.sort_by != "order":
            parts.append(t("table_sort", column=t(f"col_{self.sort_by}")))
        self.set_title(" · ".join(parts))

    def _cell_styles(self, index: int) -> list[Style]:
        """The styles of a row's cells: a heading's name in the group's colour and its count
        muted; an indicator's status in the status's colour."""
        kind = self.rows[index][1]
        n = len(self.columns)
        if kind == "group":
            return [self._style("group")] + [Style()] * (n - 2) + [self._style("muted")]
        return [Style()] * (n - 1) + [self._style(kind)]

    def selectable(self, key: str) -> bool:
        """A field heading opens nothing."""
        return not key.startswith(GROUP_PREFIX)

    def on_indicator_table_selected(self, event: IndicatorTable.Selected) -> None:
        """Enter or click on a row: open its details."""
        if event.table is not self:
            return
        event.stop()
        if not event.key.startswith(GROUP_PREFIX):
            self.post_message(OpenDetail(event.key))
