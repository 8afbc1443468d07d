"""All indicators in one table, grouped by field, sortable and filterable, drawn line by line:
only the rows on screen are ever rendered (Textual's Line API), so 50,000 indicators cost
what 30 do to draw."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from chitieu_tui.core.arithmetic import Board, Evaluation, Status
from chitieu_tui.core.text import clean
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


PADDING = 1
"""Blank cells each side of a cell's text (as DataTable's `cell_padding`)."""

_NARROW = frozenset(
    chr(c)
    for start, end in ((0x20, 0x7E), (0xA0, 0x2FF), (0x1E00, 0x1EFF), (0x2010, 0x2027))
    for c in range(start, end + 1)
)
"""Characters one cell wide: Latin with Vietnamese's precomposed letters, dashes, quotes, `…`."""


def width_of(text: str) -> int:
    """Cells `text` takes on screen: its length when every character is one cell wide (a
    set lookup in C), else Rich's `cell_len`."""
    if text.isascii() or _NARROW.issuperset(text):  # numbers are ASCII: the fastest test
        return len(text)
    return cell_len(text)


def fit(text: str, width: int, right: bool = False) -> str:
    """`text` in exactly `width` cells: cut with `…` when longer, else padded on the side away
    from its justification. Plain strings only (no Rich measuring)."""
    n = width_of(text)
    if n > width:
        return set_cell_size(text, width - 1) + "…" if width > 0 else ""
    pad = " " * (width - n)
    return pad + text if right else text + pad


Row = tuple[str, str, tuple[str, ...]]
"""(key, kind, cell texts): kind is `group` for a field heading, else the status class."""


class IndicatorTable(ScrollView, can_focus=True):
    """Row keys are indicator ids (and `group:<id>` for the field headings).

    A Line API widget: `render_line` draws the heading line and the rows in view from plain
    strings, column widths are computed once per rebuild from the strings' cell lengths.
    """

    BINDINGS = [
        Binding("enter", "select_cursor", show=False),
        Binding("up", "cursor_up", show=False),
        Binding("down", "cursor_down", show=False),
        Binding("pageup", "page_up", show=False),
        Binding("pagedown", "page_down", show=False),
        Binding("home,ctrl+home", "first", show=False),
        Binding("end,ctrl+end", "last", show=False),
    ]

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

    @dataclass
    class Highlighted(Message):
        """The cursor moved to another row (`key`: its indicator id or `group:<id>`)."""

        table: IndicatorTable
        key: str

    @dataclass
    class Selected(Message):
        """Enter or a click on a row."""

        table: IndicatorTable
        key: str

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.board: Board | None = None
        self.query_text = ""
        self.behind_only = False
        self.sort_by = "order"
        self.reverse = False
        self.cursor_row = 0
        self.hover_row = -1
        self._built_width = -1
        self._hay: dict[str, str] = {}
        self._texts: dict[str, dict[str, str]] = {}
        self._lens: dict[str, dict[str, int]] = {}
        """Each cell's width in cells, per indicator id (measured once per new value)."""
        self._evs: dict[str, Evaluation] = {}
        self._styles: dict[str, Style] = {}
        self._lines: dict[tuple[int, bool, bool, int], Strip] = {}
        self._title: str | None = None
        self.marked: set[str] = set()
        """Indicators that turned behind on a refresh and were not looked at yet."""
        self.columns: tuple[str, ...] = ()
        self.widths: dict[str, int] = {}
        """Each shown column's width in cells (padding not included)."""
        self.labels: tuple[str, ...] = ()
        self.rows: list[Row] = []
        self._index: dict[str, int] = {}

    def on_mount(self) -> None:
        """Rebuild when the theme (and so the status colours) changes."""
        self.watch(self.app, "theme", self._theme_changed, init=False)

    def _theme_changed(self, _theme: str) -> None:
        self.call_after_refresh(self._restyle)

    def _restyle(self) -> None:
        """Forget the styles and drawn lines (theme or focus changed)."""
        self._styles = {}
        self._lines = {}
        self.refresh()

    def on_focus(self) -> None:
        self._restyle()

    def on_blur(self) -> None:
        self._restyle()

    def notify_style_update(self) -> None:
        """A CSS change (the theme, `:focus`): styles are looked up again."""
        super().notify_style_update()
        self._styles = {}
        self._lines = {}

    # -- data ----------------------------------------------------------------------------

    def show(self, board: Board) -> None:
        """Show a new board, keeping the cursor on the same indicator. Nothing is redone
        when the board says the same (a reload of unchanged files, a server's 200 with the
        same data): the same evaluations in the same order, fields and counts."""
        old_board, old_evs, old_texts, old_lens = self.board, self._evs, self._texts, self._lens
        self.board = board
        self._evs = {ev.indicator.id: ev for ev in board.evaluations}
        self._texts, self._lens = {}, {}
        changed = list(old_evs) != list(self._evs)
        for i, ev in self._evs.items():
            if old_evs.get(i) == ev:
                self._texts[i], self._lens[i] = old_texts[i], old_lens[i]
            else:
                changed = True
                texts = self._texts[i] = cells(ev)
                self._lens[i] = {col: width_of(text) for col, text in texts.items()}
        if (
            not changed
            and old_board is not None
            and self.rows
            and board.judged == old_board.judged
            and board.summary.groups == old_board.summary.groups
            and board.definitions.groups == old_board.definitions.groups
        ):
            return
        self._hay = {}  # filled on the first filtering (see _haystacks)
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

    # -- rows ----------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        """Rows shown, field headings included."""
        return len(self.rows)

    def current_id(self) -> str | None:
        """The indicator id under the cursor (None on a field heading or when empty)."""
        if not 0 <= self.cursor_row < len(self.rows):
            return None
        key = self.rows[self.cursor_row][0]
        return None if key.startswith(GROUP_PREFIX) else key

    def indicator_ids(self) -> list[str]:
        """The ids of the indicator rows shown, top to bottom."""
        return [key for key, kind, _ in self.rows if kind != "group"]

    def row_keys(self) -> list[str]:
        """Every row's key, field headings (`group:<id>`) included, top to bottom."""
        return [key for key, _, _ in self.rows]

    def get_row_index(self, key: str) -> int:
        """The index of the row of `key` (KeyError when it is not shown)."""
        return self._index[key]

    def get_row(self, key: str) -> list[str]:
        """The texts of the row of `key`, one per shown column."""
        return list(self.rows[self._index[key]][2])

    def get_cell(self, key: str, column: str) -> Text:
        """The cell of row `key` in `column`, as Text in its colour (never markup)."""
        _, kind, texts = self.rows[self._index[key]]
        i = self.columns.index(column)
        return Text(texts[i], style=self._cell_styles(kind, len(texts))[i])

    def _style(self, name: str, partial: bool = True) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(
                f"indicator-table--{name}", partial=partial
            )
        return style

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
            self.rows, self._index, self.columns = [], {}, ()
            self._lines = {}
            self.virtual_size = Size(0, 0)
            self.refresh()
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
        texts = {ev.indicator.id: self._texts[ev.indicator.id] for _, evs in groups for ev in evs}
        lens = [self._lens[i] for i in texts]
        heads = self._headers()
        widths = {
            col: min(
                _CAPS.get(col, _CAP),
                max(
                    [width_of(heads[col]) + (2 if col == self.sort_by else 0)]
                    + [n[col] for n in lens]
                ),
            )
            for col in columns[1:]
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
        longest = max((n["name"] for n in lens), default=0) + 3
        spare = widths["name"] - longest
        if spare > 0 and "owner" in widths:  # a wide terminal: the owner whole before spaces
            owner = max((n["owner"] for n in lens), default=0)
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
        counts = {gid: (met, n) for gid, _, met, n in board.summary.groups}
        blank = ("",) * (len(columns) - 2)
        rows: list[Row] = []
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
        layout = (tuple(columns), {c: widths[c] for c in columns}, tuple(labels))
        if not full and layout == (self.columns, self.widths, self.labels) and rows == self.rows:
            self._update_title()
            return
        keep = self.current_id()
        self.columns, self.widths, self.labels = layout
        self.rows = rows
        self._index = {key: i for i, (key, _, _) in enumerate(rows)}
        self._lines = {}
        self.virtual_size = Size(width, len(rows) + 1)
        self._restore_cursor(keep)
        self.refresh()
        self._update_title()

    def _restore_cursor(self, keep: str | None) -> None:
        ids = self.indicator_ids()
        target = keep if keep in self._index else (ids[0] if ids else None)
        if target is not None:
            self.move_cursor(row=self._index[target])
        else:
            self.cursor_row = 0

    def _update_title(self) -> None:
        title = t("table_behind" if self.behind_only else "table_all")
        count = sum(kind != "group" for _, kind, _ in self.rows)
        parts = [f"{title} ({count})"]
        if self.query_text.strip():
            parts.append(t("table_filter", query=self.query_text.strip()))
        if self.sort_by != "order":
            parts.append(t("table_sort", column=t(f"col_{self.sort_by}")))
        text = " · ".join(parts)
        if text != self._title:  # setting a border title always repaints
            self._title = text
            self.border_title = Text(text)

    def on_resize(self, event: events.Resize) -> None:
        """Fit the name column to the new width."""
        if self.size.width != self._built_width:
            self.rebuild()
        else:
            self._scroll_to_cursor()

    # -- drawing -------------------------------------------------------------------------

    def _line(self, cells: tuple[str, ...], styles: list[Style], post: Style | None) -> Strip:
        """One line: each cell fitted to its column, padded, in its style."""
        base = self.rich_style
        pad = " " * PADDING
        segments = []
        for col, text, style in zip(self.columns, cells, styles, strict=True):
            fitted = fit(clean(text), self.widths[col], col in _NUMERIC)
            segments.append(Segment(pad + fitted + pad, base + style))
        if post is not None:
            segments = list(Segment.apply_style(segments, post_style=post))
        return Strip(segments)

    def _header(self) -> Strip:
        style = self._style("header", partial=False)
        return self._line(self.labels, [style] * len(self.labels), None)

    def _cell_styles(self, kind: str, n: int) -> list[Style]:
        """The styles of the `n` cells of a row of `kind`: a heading's name in the group's
        colour and its count muted; an indicator's status in the status's colour."""
        if kind == "group":
            return [self._style("group")] + [Style()] * (n - 2) + [self._style("muted")]
        return [Style()] * (n - 1) + [self._style(kind)]

    def _row_line(self, index: int, cursor: bool, hover: bool) -> Strip:
        _, kind, cells = self.rows[index]
        styles = self._cell_styles(kind, len(cells))
        post = (
            self._style("cursor", partial=False)
            if cursor
            else self._style("hover", partial=False)
            if hover
            else None
        )
        return self._line(cells, styles, post)

    def render_line(self, y: int) -> Strip:
        """The heading line on top, then the rows from the scroll position."""
        width = self.scrollable_content_region.width
        if not self.columns:
            return Strip.blank(width, self.rich_style)
        if y == 0:
            return self._header().adjust_cell_length(width, self.rich_style)
        index = round(self.scroll_offset.y) + y - 1
        if not 0 <= index < len(self.rows):
            return Strip.blank(width, self.rich_style)
        key = (index, index == self.cursor_row, index == self.hover_row, width)
        line = self._lines.get(key)
        if line is None:
            if len(self._lines) > 1000:  # a few screens' worth
                self._lines = {}
            line = self._row_line(index, key[1], key[2]).adjust_cell_length(width, self.rich_style)
            self._lines[key] = line
        return line

    # -- cursor, keys and mouse ----------------------------------------------------------

    def move_cursor(
        self, row: int | None = None, animate: bool = False, scroll: bool = True
    ) -> None:
        """Put the cursor on row `row` (clamped), scroll it into view, say so when it moved."""
        del animate  # the DataTable signature; the cursor never animates here
        if row is None or not self.rows:
            return
        row = max(0, min(row, len(self.rows) - 1))
        before = self.current_key()
        self.cursor_row = row
        self.refresh()
        if scroll:
            self._scroll_to_cursor()
        key = self.rows[row][0]
        if key != before:
            self.post_message(self.Highlighted(self, key))

    def current_key(self) -> str | None:
        """The key of the row under the cursor (an indicator id or `group:<id>`)."""
        return self.rows[self.cursor_row][0] if 0 <= self.cursor_row < len(self.rows) else None

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_to_cursor(self) -> None:
        """Scroll the least that shows the cursor's row under the heading line."""
        page = self.scrollable_content_region.height - 1
        if page <= 0:
            return
        top = round(self.scroll_offset.y)
        row = self.cursor_row
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + page:
            self.scroll_to(y=row - page + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self.cursor_row + 1)

    def action_page_up(self) -> None:
        self.move_cursor(row=self.cursor_row - self._page())

    def action_page_down(self) -> None:
        self.move_cursor(row=self.cursor_row + self._page())

    def action_first(self) -> None:
        self.move_cursor(row=0)

    def action_last(self) -> None:
        self.move_cursor(row=len(self.rows) - 1)

    def action_select_cursor(self) -> None:
        """Enter: open the row's details (nothing on a field heading)."""
        key = self.current_key()
        if key is not None:
            self.post_message(self.Selected(self, key))

    def _row_at(self, y: int) -> int | None:
        """The row index at content line `y` (None for the heading line and below the rows)."""
        if y < 1:
            return None
        index = round(self.scroll_offset.y) + y - 1
        return index if 0 <= index < len(self.rows) else None

    def _column_at(self, x: int) -> str | None:
        left = 0
        for col in self.columns:
            left += self.widths[col] + 2 * PADDING
            if x < left:
                return col
        return None

    def on_click(self, event: events.Click) -> None:
        """A click on a heading sorts by its column; on a row, puts the cursor there and
        opens it (as DataTable did)."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        event.stop()
        if offset.y == 0:
            column = self._column_at(offset.x)
            if column is not None:
                self.sort_on(column)
            return
        row = self._row_at(offset.y)
        if row is not None:
            self.move_cursor(row=row)
            self.action_select_cursor()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        """The row under the mouse is shaded."""
        offset = event.get_content_offset(self)
        row = self._row_at(offset.y) if offset is not None else None
        self._hover(-1 if row is None else row)

    def on_leave(self, event: events.Leave) -> None:
        self._hover(-1)

    def _hover(self, row: int) -> None:
        if row != self.hover_row:
            self.hover_row = row
            self.refresh()

    def on_indicator_table_selected(self, event: IndicatorTable.Selected) -> None:
        """Enter or click on a row: open its details."""
        if event.table is not self:
            return
        event.stop()
        if not event.key.startswith(GROUP_PREFIX):
            self.post_message(OpenDetail(event.key))
