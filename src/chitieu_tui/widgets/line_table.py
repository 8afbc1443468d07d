"""A table drawn line by line (Textual's Line API), shared by the dashboard's indicator table
and the roll-up's scorecard: only the rows on screen are ever rendered, from plain strings,
so 50,000 rows cost what 30 do to draw.

A subclass computes its rows (`Row`: key, kind, cells), columns, widths and heading lines
from its data and hands them to `set_rows`; this class draws them (`render_line`), keeps a
cursor, and answers keys, clicks and the wheel. Rows can be pinned under the heading
(`fixed_rows`, the scorecard's totals) and columns on the left (`fixed_columns`: the rest
scroll sideways). A cell is a plain string in the style the subclass gives it
(`_cell_styles`), or a tuple of parts `(text, style names)` each in its own style; text is
data: it passes `core.text.clean` when drawn and is never markup.
"""

from __future__ import annotations

from typing import Any, ClassVar

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

from chitieu_tui.core.records import plain as record
from chitieu_tui.core.text import clean

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


Part = tuple[str, str]
"""A piece of a cell: its text and the names of its styles (`"met"`, `"error bold"`, "")."""
Cell = str | tuple[Part, ...]
Row = tuple[str, str, tuple[Cell, ...]]
"""(key, kind, cells): `kind` is the subclass's (a status class, `group`, `total`, …)."""


def plain(cell: Cell) -> str:
    """A cell's text without its styles."""
    return cell if isinstance(cell, str) else "".join(text for text, _ in cell)


def fit_parts(parts: tuple[Part, ...], width: int, right: bool = False) -> list[Part]:
    """`parts` in exactly `width` cells, as `fit` does for one string: cut with `…` (in the
    style of the part that is cut), else padded."""
    total = sum(width_of(text) for text, _ in parts)
    if total <= width:
        pad = (" " * (width - total), "")
        return [pad, *parts] if right else [*parts, pad]
    out: list[Part] = []
    room = width
    for text, names in parts:
        n = width_of(text)
        if n < room:
            out.append((text, names))
            room -= n
            continue
        out.append((fit(text, room), names) if room > 0 else ("", names))
        break
    return out


class LineTable(ScrollView, can_focus=True):
    """The drawing, cursor, keys and mouse of a table of `Row`s (see the module's words).

    Subclasses set `PREFIX` (their component classes are `{PREFIX}--cursor`, `--hover`,
    `--header`, and any style name a part or `_cell_styles` asks for), fill the table with
    `set_rows`, and may override `_cell_styles`, `_row_style`, `sort_on` and `selectable`.
    """

    PREFIX: ClassVar[str] = "line-table"

    BINDINGS = [
        Binding("enter", "select_cursor", show=False),
        Binding("up", "cursor_up", show=False),
        Binding("down", "cursor_down", show=False),
        Binding("pageup", "page_up", show=False),
        Binding("pagedown", "page_down", show=False),
        Binding("home,ctrl+home", "first", show=False),
        Binding("end,ctrl+end", "last", show=False),
    ]

    @record  # a dataclass without `exec` at import (core/records.py)
    class Highlighted(Message):
        """The cursor moved to another row (`key`: its key)."""

        table: LineTable
        key: str

        def __init__(self, table: LineTable, key: str) -> None:
            self.table = table
            self.key = key
            super().__init__()

    @record  # a dataclass without `exec` at import (core/records.py)
    class Selected(Message):
        """Enter or a click on a row."""

        table: LineTable
        key: str

        def __init__(self, table: LineTable, key: str) -> None:
            self.table = table
            self.key = key
            super().__init__()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cursor_row = 0
        self.hover_row = -1
        self.fixed_rows = 0
        """Rows pinned under the heading (they do not scroll)."""
        self.fixed_columns = 0
        """Columns pinned on the left (the others scroll sideways)."""
        self.columns: tuple[str, ...] = ()
        self.widths: dict[str, int] = {}
        """Each shown column's width in cells (padding not included)."""
        self.heading: tuple[tuple[str, ...], ...] = ()
        """The heading's lines, each with one text per column."""
        self.right: frozenset[str] = frozenset()
        """The columns whose cells (and heading) are right-justified."""
        self.rows: list[Row] = []
        self._keyed: dict[str, int] | None = None
        """Each row's index by its key (`_index`: made when first asked)."""
        self._styles: dict[str, Style] = {}
        self._lines: dict[tuple[int, bool, bool], Strip] = {}
        self._built_width = -1
        """The width the columns were laid out for (-1: not yet)."""
        self._title: str | None = None

    # -- styles --------------------------------------------------------------------------

    def on_mount(self) -> None:
        """Restyle when the theme (and so the colours) changes."""
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

    def _style(self, names: str, partial: bool = True) -> Style:
        """The style of the component classes `{PREFIX}--<name>` of `names` (space
        separated; "" is no style)."""
        key = f"{names}/{partial}"
        style = self._styles.get(key)
        if style is None:
            style = Style()
            for name in names.split():
                style += self.get_component_rich_style(f"{self.PREFIX}--{name}", partial=partial)
            self._styles[key] = style
        return style

    def _cell_styles(self, index: int) -> list[Style]:
        """The style of each cell of row `index` (parts add their own)."""
        return [Style()] * len(self.columns)

    def _row_style(self, index: int) -> Style | None:
        """A style under the whole row (None: none)."""
        return None

    # -- rows ----------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        """Rows shown, the pinned ones included."""
        return len(self.rows)

    @property
    def header_height(self) -> int:
        """Lines of the heading."""
        return len(self.heading)

    def row_keys(self) -> list[str]:
        """Every row's key, top to bottom."""
        return [key for key, _, _ in self.rows]

    def get_row_index(self, key: str) -> int:
        """The index of the row of `key` (KeyError when it is not shown)."""
        return self._index[key]

    def current_key(self) -> str | None:
        """The key of the row under the cursor."""
        return self.rows[self.cursor_row][0] if 0 <= self.cursor_row < len(self.rows) else None

    def cells_of(self, index: int) -> tuple[Cell, ...]:
        """The cells of row `index` (a subclass may make them only when drawn)."""
        return self.rows[index][2]

    def text_of(self, index: int, column: int) -> Text:
        """Cell `column` of row `index` as Text in its colours (never markup)."""
        cell = self.cells_of(index)[column]
        base = self._cell_styles(index)[column]
        if isinstance(cell, str):
            return Text(cell, style=base)
        text = Text(style=base)
        for part, names in cell:
            text.append(part, style=self._style(names) if names else None)
        return text

    def set_rows(
        self,
        columns: tuple[str, ...],
        widths: dict[str, int],
        heading: tuple[tuple[str, ...], ...],
        rows: list[Row],
        keep: str | None,
        fallback: str | None,
        full: bool = False,
    ) -> bool:
        """Show these rows (nothing is redrawn when the same come out, unless `full`); the
        cursor stays on `keep`'s row, else goes to `fallback`'s. True when anything changed."""
        layout = (columns, widths, heading)
        if not full and layout == (self.columns, self.widths, self.heading) and rows == self.rows:
            return False
        self.columns, self.widths, self.heading = layout
        self.rows = rows
        self._keyed = None
        self._lines = {}
        self.virtual_size = Size(self.line_width(), len(rows) + len(heading))
        at = None if keep is None else self._find(keep)
        if at is None and fallback is not None:
            at = self._find(fallback)
        if at is not None:
            self.move_cursor(row=at)
        else:
            self.cursor_row = 0
        self.refresh()
        return True

    def clear_rows(self) -> None:
        """Show nothing."""
        self.rows, self._keyed, self.columns, self.heading = [], None, (), ()
        self._lines = {}
        self.virtual_size = Size(0, 0)
        self.refresh()

    @property
    def _index(self) -> dict[str, int]:
        """Each row's index by its key, made when first asked (50,000 rows: 4 MB that a first
        frame does not need)."""
        if self._keyed is None:
            self._keyed = {key: i for i, (key, _, _) in enumerate(self.rows)}
        return self._keyed

    def _find(self, key: str) -> int | None:
        """The index of the row of `key` (None: not shown), without making `_index`."""
        if self._keyed is not None:
            return self._keyed.get(key)
        for i, row in enumerate(self.rows):
            if row[0] == key:
                return i
        return None

    def line_width(self) -> int:
        """Cells of a whole line (every column and its padding)."""
        return sum(self.widths[c] + 2 * PADDING for c in self.columns)

    def _fixed_width(self) -> int:
        return sum(self.widths[c] + 2 * PADDING for c in self.columns[: self.fixed_columns])

    # -- drawing -------------------------------------------------------------------------

    def _line(
        self,
        cells: tuple[Cell, ...],
        styles: list[Style],
        post: Style | None,
        under: Style | None = None,
    ) -> Strip:
        """One line: each cell fitted to its column, padded, in its style."""
        base = self.rich_style if under is None else self.rich_style + under
        pad = " " * PADDING
        segments = []
        for col, cell, style in zip(self.columns, cells, styles, strict=True):
            right = col in self.right
            if isinstance(cell, str):
                fitted = fit(clean(cell), self.widths[col], right)
                segments.append(Segment(pad + fitted + pad, base + style))
                continue
            segments.append(Segment(pad, base + style))
            parts = tuple((clean(text), names) for text, names in cell)
            for text, names in fit_parts(parts, self.widths[col], right):
                own = base + style + self._style(names) if names else base + style
                segments.append(Segment(text, own))
            segments.append(Segment(pad, base + style))
        if post is not None:
            segments = list(Segment.apply_style(segments, post_style=post))
        return Strip(segments)

    def _header(self, y: int) -> Strip:
        style = self._style("header", partial=False)
        line = self.heading[y]
        return self._line(line, [style] * len(line), None)

    def _row_line(self, index: int, cursor: bool, hover: bool) -> Strip:
        cells = self.cells_of(index)
        post = (
            self._style("cursor", partial=False)
            if cursor
            else self._style("hover", partial=False)
            if hover
            else None
        )
        return self._line(cells, self._cell_styles(index), post, self._row_style(index))

    def _top(self) -> int:
        """The first line of the rows that scroll."""
        return len(self.heading) + self.fixed_rows

    def _index_at(self, y: int) -> int | None:
        """The row index drawn on content line `y` (None: a heading line, or below the rows)."""
        if y < len(self.heading):
            return None
        if y < self._top():
            index = y - len(self.heading)
        else:
            index = self.fixed_rows + round(self.scroll_offset.y) + y - self._top()
        return index if 0 <= index < len(self.rows) else None

    def _crop(self, line: Strip, width: int) -> Strip:
        """The part of a whole line in view: the pinned columns, then from the scroll."""
        x = round(self.scroll_offset.x)
        if x:
            fixed = self._fixed_width()
            line = Strip.join([line.crop(0, fixed), line.crop(fixed + x, x + width)])
        return line.adjust_cell_length(width, self.rich_style)

    def render_line(self, y: int) -> Strip:
        """The heading lines on top, then the pinned rows, then the rows from the scroll."""
        width = self.scrollable_content_region.width
        if not self.columns:
            return Strip.blank(width, self.rich_style)
        if y < len(self.heading):
            return self._crop(self._header(y), width)
        index = self._index_at(y)
        if index is None:
            return Strip.blank(width, self.rich_style)
        key = (index, index == self.cursor_row, index == self.hover_row)
        line = self._lines.get(key)
        if line is None:
            if len(self._lines) > 1000:  # a few screens' worth
                self._lines = {}
            line = self._lines[key] = self._row_line(*key)
        return self._crop(line, width)

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

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - self._top())

    def _scroll_to_cursor(self) -> None:
        """Scroll the least that shows the cursor's row under the heading (and pinned rows)."""
        page = self.scrollable_content_region.height - self._top()
        row = self.cursor_row - self.fixed_rows
        if page <= 0 or row < 0:
            return
        top = round(self.scroll_offset.y)
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + page:
            self.scroll_to(y=row - page + 1, animate=False, immediate=True)

    def rebuild(self, full: bool = False) -> None:
        """Lay the rows out again (a subclass's: its data, filter, sort and the width)."""

    def on_resize(self, event: events.Resize) -> None:
        """Fit the columns to a new width; keep the cursor in view."""
        if self.size.width != self._built_width:
            self.rebuild()
        else:
            self._scroll_to_cursor()

    def set_title(self, text: str) -> None:
        """The border title (set only when it changes: setting it always repaints)."""
        if text != self._title:
            self._title = text
            self.border_title = Text(text)

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

    def selectable(self, key: str) -> bool:
        """Whether Enter or a click on the row of `key` selects it."""
        return True

    def action_select_cursor(self) -> None:
        """Enter: say which row was chosen (not a row that opens nothing)."""
        key = self.current_key()
        if key is not None and self.selectable(key):
            self.post_message(self.Selected(self, key))

    def sort_on(self, column: str) -> None:
        """Sort by `column` (a click on its heading)."""

    def _column_at(self, x: int) -> str | None:
        """The column at content column `x` (the pinned ones do not scroll)."""
        fixed = self._fixed_width()
        if x >= fixed:
            x += round(self.scroll_offset.x)
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
        if offset.y < len(self.heading):
            column = self._column_at(offset.x)
            if column is not None:
                self.sort_on(column)
            return
        row = self._index_at(offset.y)
        if row is not None:
            self.move_cursor(row=row)
            self.action_select_cursor()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        """The row under the mouse is shaded."""
        offset = event.get_content_offset(self)
        row = self._index_at(offset.y) if offset is not None else None
        self._hover(-1 if row is None else row)

    def on_leave(self, event: events.Leave) -> None:
        self._hover(-1)

    def _hover(self, row: int) -> None:
        if row != self.hover_row:
            self.hover_row = row
            self.refresh()
