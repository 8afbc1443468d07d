"""All indicators in one virtualised DataTable, grouped by field, sortable and filterable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.style import Style
from rich.text import Text
from textual.coordinate import Coordinate
from textual.events import Resize
from textual.widgets import DataTable

from chitieu_tui.core import fmt
from chitieu_tui.core.arithmetic import STATUS_ORDER, Board, Evaluation, Status
from chitieu_tui.core.periods import Period
from chitieu_tui.i18n import fold, t
from chitieu_tui.messages import OpenDetail

COLUMNS = ("name", "unit", "value", "target", "percent", "expected", "status")
SORTS = ("order", "name", "value", "target", "percent", "expected", "status")
GROUP_PREFIX = "group:"
_NUMERIC = ("value", "target", "percent", "expected")
_CAP = 14
WIDE = 110
"""From this width on, the table has a unit column (ĐVT)."""


def _number(ev: Evaluation) -> float | None:
    value = ev.value
    if value is None:
        return None
    if isinstance(value, bool):
        return float(value)
    return ev.ytd if ev.ytd is not None else float(value)


SORT_KEYS: dict[str, Callable[[Evaluation], Any]] = {
    "name": lambda ev: fold(ev.indicator.name),
    "value": _number,
    "target": lambda ev: ev.indicator.target,
    "percent": lambda ev: ev.percent,
    "expected": lambda ev: ev.expected,
    "status": lambda ev: STATUS_ORDER.index(ev.status),
}


def haystack(ev: Evaluation, board: Board) -> str:
    """What the filter searches: name, id, field and owner, folded."""
    ind = ev.indicator
    return fold(f"{ind.name} {ind.id} {board.definitions.group_name(ind.group)} {ind.owner}")


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
    words = fold(query).split()
    groups: dict[str, list[Evaluation]] = {g.id: [] for g in board.definitions.groups}
    for ev in board.evaluations:
        if behind_only and ev.status is not Status.BEHIND:
            continue
        if words:
            text = hay[ev.indicator.id] if hay is not None else haystack(ev, board)
            if not all(w in text for w in words):
                continue
        groups.setdefault(ev.indicator.group, []).append(ev)
    key = SORT_KEYS.get(sort)
    out = []
    for gid, evs in groups.items():
        if key is not None:
            known = [ev for ev in evs if key(ev) is not None]
            unknown = [ev for ev in evs if key(ev) is None]
            evs = sorted(known, key=key, reverse=reverse) + unknown
        elif reverse:
            evs = evs[::-1]
        if evs:
            out.append((gid, evs))
    return out


def cells(ev: Evaluation, lang: str) -> dict[str, str]:
    """The plain text of one row's cells (numbers carry no unit but `%`)."""
    ind = ev.indicator
    unit = "%" if ind.unit == "%" else ""

    def num(x: float | None) -> str:
        return fmt.with_unit(x, unit, lang) if x is not None else "–"

    if ind.kind == "milestone":
        try:
            due = Period.parse(ind.due or "").short_label(lang)
        except ValueError:
            due = ind.due or ""
        target = f"{t(lang, 'due')} {due}".strip()
        value = fmt.number(ev.value, lang) if ev.value is not None else "–"
    else:
        target = num(ind.target)
        value = num(_number(ev))
    return {
        "name": ind.name,
        "unit": ind.unit,
        "value": value,
        "target": target,
        "percent": fmt.percent(ev.percent, lang),
        "expected": num(ev.expected),
        "status": fmt.status_label(ev.status, lang),
    }


class IndicatorTable(DataTable[Text]):
    """Row keys are indicator ids (and `group:<id>` for the field headings)."""

    COMPONENT_CLASSES = {
        "indicator-table--met",
        "indicator-table--on-track",
        "indicator-table--behind",
        "indicator-table--no-data",
        "indicator-table--group",
        "indicator-table--muted",
    }

    def __init__(self, lang: str = "vi", **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.lang = lang
        self.board: Board | None = None
        self.query_text = ""
        self.behind_only = False
        self.sort_by = "order"
        self.reverse = False
        self._built_width = -1
        self._hay: dict[str, str] = {}
        self._texts: dict[str, dict[str, str]] = {}

    def on_mount(self) -> None:
        """Rebuild when the theme (and so the status colours) changes."""
        self.watch(self.app, "theme", self._theme_changed, init=False)

    def _theme_changed(self, _theme: str) -> None:
        self.call_after_refresh(self.rebuild)

    def show(self, board: Board) -> None:
        """Show a new board, keeping the cursor on the same indicator."""
        self.board = board
        self._hay = {ev.indicator.id: haystack(ev, board) for ev in board.evaluations}
        self._texts = {ev.indicator.id: cells(ev, self.lang) for ev in board.evaluations}
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
        return self.get_component_rich_style(f"indicator-table--{name}", partial=True)

    def _headers(self) -> dict[str, str]:
        return {c: t(self.lang, f"col_{c}") for c in COLUMNS}

    def rebuild(self) -> None:
        """Refill the table from the board, filter and sort; keep the cursor's indicator."""
        if not self.is_mounted:
            return
        keep = self.current_id()
        self.clear(columns=True)
        board = self.board
        if board is None:
            return
        lang = self.lang
        width = self.size.width or 80
        self._built_width = width
        columns = [c for c in COLUMNS if c != "unit" or width >= WIDE]
        groups = select(
            board, self.query_text, self.behind_only, self.sort_by, self.reverse, self._hay
        )
        texts = {ev.indicator.id: self._texts[ev.indicator.id] for _, evs in groups for ev in evs}
        heads = self._headers()
        widths = {
            col: min(
                _CAP,
                max(
                    [len(heads[col]) + (2 if col == self.sort_by else 0)]
                    + [len(c[col]) for c in texts.values()]
                ),
            )
            for col in columns[1:]
        }
        widths["status"] = max(len(fmt.status_label(s, lang)) for s in Status)
        padding = 2 * self.cell_padding * len(columns)
        widths["name"] = max(14, width - 1 - padding - sum(widths.values()))
        indent = "  " if width >= WIDE else " "
        for col in columns:
            label = heads[col]
            if col == self.sort_by:
                label += " ▼" if self.reverse else " ▲"
            justify = "right" if col in _NUMERIC else "left"
            self.add_column(Text(label, justify=justify), width=widths[col], key=col)
        status_names = {
            Status.MET: "met",
            Status.ON_TRACK: "on-track",
            Status.BEHIND: "behind",
            Status.NO_DATA: "no-data",
        }
        group_style, muted = self._style("group"), self._style("muted")
        counts = {gid: (met, n) for gid, _, met, n in board.summary.groups}
        for gid, evs in groups:
            name = board.definitions.group_name(gid)
            met, total = counts.get(gid, (0, len(evs)))
            self.add_row(
                Text(f"▸ {name}", style=group_style, no_wrap=True, overflow="ellipsis"),
                *(Text("") for _ in columns[1:-1]),
                Text(t(lang, "group_met", met=met, total=total), style=muted),
                key=f"{GROUP_PREFIX}{gid}",
            )
            for ev in evs:
                c = texts[ev.indicator.id]
                self.add_row(
                    Text(indent + c["name"], no_wrap=True, overflow="ellipsis"),
                    *(
                        Text(
                            c[col],
                            justify="right" if col in _NUMERIC else "left",
                            no_wrap=True,
                            overflow="ellipsis",
                        )
                        for col in columns[1:-1]
                    ),
                    Text(c["status"], style=self._style(status_names[ev.status])),
                    key=ev.indicator.id,
                )
        self._restore_cursor(keep)
        self._update_title()

    def _restore_cursor(self, keep: str | None) -> None:
        ids = self.indicator_ids()
        target = keep if keep in ids else (ids[0] if ids else None)
        if target is not None:
            self.move_cursor(row=self.get_row_index(target), animate=False, scroll=True)

    def _update_title(self) -> None:
        lang = self.lang
        title = t(lang, "table_behind" if self.behind_only else "table_all")
        parts = [f"{title} ({len(self.indicator_ids())})"]
        if self.query_text.strip():
            parts.append(t(lang, "table_filter", query=self.query_text.strip()))
        if self.sort_by != "order":
            parts.append(t(lang, "table_sort", column=t(lang, f"col_{self.sort_by}")))
        self.border_title = Text(" · ".join(parts))

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
