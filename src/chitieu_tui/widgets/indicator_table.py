"""All indicators in one virtualised DataTable, grouped by field, sortable and filterable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import JustifyMethod
from rich.style import Style
from rich.text import Text
from textual.coordinate import Coordinate
from textual.events import Resize
from textual.widgets import DataTable

from chitieu_tui.core.arithmetic import Board, Evaluation, Status
from chitieu_tui.i18n import fold, matches, search_text, t
from chitieu_tui.messages import OpenDetail
from chitieu_tui.present.alerts import MARK
from chitieu_tui.present.cells import row_cells
from chitieu_tui.present.status import label as status_label
from chitieu_tui.present.status import rank
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
    "name": lambda ev: fold(ev.indicator.name),
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
    """The plain text of one row's cells (numbers carry no unit but `%`)."""
    return row_cells(ev, units=False, short=True)


class _Cell:
    """A cell's text and look, made into a Rich `Text` only when DataTable draws it: of
    thousands of rows only a screenful is ever rendered, so most cells never need one."""

    __slots__ = ("plain", "_args", "_text")

    def __init__(self, plain: str, **args: Any) -> None:
        self.plain = plain
        self._args = args
        self._text: Text | None = None

    def __rich__(self) -> Text:
        """The cell as Text (made once)."""
        if self._text is None:
            self._text = Text(self.plain, **self._args)
        return self._text

    def __str__(self) -> str:
        return self.plain

    def __getattr__(self, name: str) -> Any:
        """Anything else a Text has (`style`, `justify`…), from the Text."""
        return getattr(self.__rich__(), name)


class IndicatorTable(DataTable[Text]):
    """Row keys are indicator ids (and `group:<id>` for the field headings)."""

    COMPONENT_CLASSES = {
        *status_classes("indicator-table"),
        "indicator-table--group",
        "indicator-table--muted",
    }
    DEFAULT_CSS = status_css("IndicatorTable", "indicator-table")
    """Status cells in the status's colour (from `present.status`)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.board: Board | None = None
        self.query_text = ""
        self.behind_only = False
        self.sort_by = "order"
        self.reverse = False
        self._built_width = -1
        self._hay: dict[str, str] = {}
        self._texts: dict[str, dict[str, str]] = {}
        self._evs: dict[str, Evaluation] = {}
        self._styles: dict[str, Style] = {}
        self._title: str | None = None
        self.marked: set[str] = set()
        """Indicators that turned behind on a refresh and were not looked at yet."""
        self._shown: tuple[tuple[Any, ...], list[tuple[str, str, tuple[str, ...]]]] | None = None
        """What the table holds: (columns, widths, labels) and (key, kind, cell texts) per row."""

    def on_mount(self) -> None:
        """Rebuild when the theme (and so the status colours) changes."""
        self.watch(self.app, "theme", self._theme_changed, init=False)

    def _theme_changed(self, _theme: str) -> None:
        self.call_after_refresh(self.rebuild, True)

    def show(self, board: Board) -> None:
        """Show a new board, keeping the cursor on the same indicator."""
        self.board = board
        self._hay = {}  # filled on the first filtering (see _haystacks)
        old_evs, old_texts = self._evs, self._texts
        self._evs = {ev.indicator.id: ev for ev in board.evaluations}
        self._texts = {
            i: old_texts[i] if old_evs.get(i) == ev else cells(ev) for i, ev in self._evs.items()
        }
        self.rebuild()

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
            self.rebuild()

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

    def current_id(self) -> str | None:
        """The indicator id under the cursor (None on a field heading or when empty)."""
        if not self.row_count or not self.is_valid_row_index(self.cursor_row):
            return None
        key = self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key.value
        return None if key is None or key.startswith(GROUP_PREFIX) else key

    def indicator_ids(self) -> list[str]:
        """The ids of the indicator rows shown, top to bottom."""
        keys = (row.key.value for row in self.ordered_rows)
        return [k for k in keys if k is not None and not k.startswith(GROUP_PREFIX)]

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(
                f"indicator-table--{name}", partial=True
            )
        return style

    def _headers(self) -> dict[str, str]:
        return {c: t(f"col_{c}") for c in COLUMNS}

    def rebuild(self, full: bool = False) -> None:
        """Refill the table from the board, filter and sort; keep the cursor's indicator.

        When the same rows come out in the same order under the same columns (a reload,
        new values), only the cells whose text changed are updated: no clear, no re-add,
        and nothing at all when nothing changed. `full` forces a refill (a new theme).
        """
        if not self.is_mounted:
            return
        self._styles = {}
        board = self.board
        if board is None:
            self.clear(columns=True)
            self._shown = None
            return
        width = self.size.width or 80
        self._built_width = width
        columns = [
            c
            for c in COLUMNS
            if (c != "unit" or width >= WIDE) and (c != "owner" or width >= WIDER)
        ]
        groups = select(
            board, self.query_text, self.behind_only, self.sort_by, self.reverse, self._haystacks()
        )
        texts = {ev.indicator.id: self._texts[ev.indicator.id] for _, evs in groups for ev in evs}
        heads = self._headers()
        widths = {
            col: min(
                _CAPS.get(col, _CAP),
                max(
                    [len(heads[col]) + (2 if col == self.sort_by else 0)]
                    + [len(c[col]) for c in texts.values()]
                ),
            )
            for col in columns[1:]
        }
        widths["status"] = max(len(status_label(s)) for s in Status)
        for optional in NARROW_DROPS:  # the status column never goes off screen
            padding = 2 * self.cell_padding * len(columns)
            if width - 1 - padding - sum(widths.values()) >= MIN_NAME or optional not in widths:
                break
            columns.remove(optional)
            del widths[optional]
        padding = 2 * self.cell_padding * len(columns)
        widths["name"] = max(MIN_NAME, width - 1 - padding - sum(widths.values()))
        longest = max((len(c["name"]) for c in texts.values()), default=0) + 3
        spare = widths["name"] - longest
        if spare > 0 and "owner" in widths:  # a wide terminal: the owner whole before spaces
            owner = max((len(c["owner"]) for c in texts.values()), default=0)
            extra = min(spare, max(0, owner - widths["owner"]))
            widths["owner"] += extra
            widths["name"] -= extra
        indent = "  " if width >= WIDE else " "
        labels = []
        for col in columns:
            label = heads[col]
            if col == self.sort_by:
                label += " ▼" if self.reverse else " ▲"
            labels.append(label)
        layout = (tuple(columns), tuple(widths[c] for c in columns), tuple(labels))
        counts = {gid: (met, n) for gid, _, met, n in board.summary.groups}
        blank = ("",) * (len(columns) - 2)
        rows: list[tuple[str, str, tuple[str, ...]]] = []
        for gid, evs in groups:
            met, total = counts.get(gid, (0, len(evs)))
            rows.append(
                (
                    f"{GROUP_PREFIX}{gid}",
                    "group",
                    (
                        f"▸ {board.definitions.group_name(gid)}",
                        *blank,
                        t("group_met", met=met, total=total) if board.judged else "",
                    ),
                )
            )
            for ev in evs:
                c = texts[ev.indicator.id]
                rows.append(
                    (
                        ev.indicator.id,
                        status_class(ev.status),
                        (
                            (MARK + indent)[: len(indent)] + c["name"]
                            if ev.indicator.id in self.marked
                            else indent + c["name"],
                            *(c[col] for col in columns[1:-1]),
                            c["status"],
                        ),
                    )
                )
        shown = self._shown
        if (
            not full
            and shown is not None
            and shown[0] == layout
            and len(shown[1]) == len(rows)
            and all(old[0] == new[0] for old, new in zip(shown[1], rows, strict=True))
        ):
            self._shown = (layout, rows)
            for old, new in zip(shown[1], rows, strict=True):
                if old == new:
                    continue
                key, kind, cells = new
                for i, (col, text, before) in enumerate(zip(columns, cells, old[2], strict=True)):
                    if text != before or (kind != old[1] and i == len(columns) - 1):
                        self.update_cell(key, col, self._cell(kind, col, i, len(columns), text))
            self._update_title()
            return
        keep = self.current_id()
        self.clear(columns=True)
        for col, label in zip(columns, labels, strict=True):
            justify: JustifyMethod = "right" if col in _NUMERIC else "left"
            self.add_column(Text(label, justify=justify), width=widths[col], key=col)
        n = len(columns)
        cell = self._cell
        for key, kind, cells in rows:
            self.add_row(
                *(
                    cell(kind, col, i, n, text)
                    for i, (col, text) in enumerate(zip(columns, cells, strict=True))
                ),
                key=key,
            )
        self._shown = (layout, rows)
        self._restore_cursor(keep)
        self._update_title()

    def _cell(self, kind: str, col: str, i: int, n: int, text: str) -> Any:
        """The `i`-th of `n` cells (column `col`) of a row of `kind` (`group` or a status)."""
        if kind == "group":
            if i == 0:
                return _Cell(text, style=self._style("group"), no_wrap=True, overflow="ellipsis")
            return _Cell(text, style=self._style("muted")) if i == n - 1 else _Cell(text)
        if i == n - 1:
            return _Cell(text, style=self._style(kind))
        if i == 0:
            return _Cell(text, no_wrap=True, overflow="ellipsis")
        justify: JustifyMethod = "right" if col in _NUMERIC else "left"
        return _Cell(text, justify=justify, no_wrap=True, overflow="ellipsis")

    def _restore_cursor(self, keep: str | None) -> None:
        shown = self._shown[1] if self._shown else []
        ids = [key for key, kind, _ in shown if kind != "group"]
        target = keep if keep in ids else (ids[0] if ids else None)
        if target is not None:
            self.move_cursor(row=self.get_row_index(target), animate=False, scroll=True)

    def _update_title(self) -> None:
        title = t("table_behind" if self.behind_only else "table_all")
        shown = self._shown
        count = sum(kind != "group" for _, kind, _ in shown[1]) if shown else 0
        parts = [f"{title} ({count})"]
        if self.query_text.strip():
            parts.append(t("table_filter", query=self.query_text.strip()))
        if self.sort_by != "order":
            parts.append(t("table_sort", column=t(f"col_{self.sort_by}")))
        text = " · ".join(parts)
        if text != self._title:  # setting a border title always repaints
            self._title = text
            self.border_title = Text(text)

    def on_resize(self, event: Resize) -> None:
        """Fit the name column to the new width (`event.size` includes the border)."""
        if self.size.width != self._built_width:
            self.rebuild()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """Click on a column heading: sort by it."""
        event.stop()
        if event.column_key.value is not None:
            self.sort_on(event.column_key.value)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter or click on a row: open its details."""
        event.stop()
        key = event.row_key.value
        if key is not None and not key.startswith(GROUP_PREFIX):
            self.post_message(OpenDetail(key))
