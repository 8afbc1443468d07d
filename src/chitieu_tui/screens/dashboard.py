"""The main screen: header, headline cards, summary and the table of all indicators."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from chitieu_tui.core.arithmetic import Evaluation
from chitieu_tui.core.source import View
from chitieu_tui.i18n import t
from chitieu_tui.messages import LookedAt
from chitieu_tui.screens.filtering import FilterActions
from chitieu_tui.screens.localized import LocalizedBindings
from chitieu_tui.widgets import HeaderBar, HeadlineCard, IndicatorTable, KeyBar, SummaryBar

MAX_CARDS = 6
DEFAULT_CARDS = 4
"""Headline cards composed in advance (docs/README.md names four headline indicators)."""
LARGE = 500
"""Above this many rows, the filter waits for a pause in typing."""


def headline(view: View) -> list[Evaluation]:
    """The evaluations of the headline cards (the first four indicators when none are named)."""
    board = view.board
    ids = board.definitions.dashboard.headline or [
        ind.id for ind in board.definitions.indicators[:4]
    ]
    found = (board.get(i) for i in ids)
    return [ev for ev in found if ev is not None][:MAX_CARDS]


class DashboardScreen(FilterActions, LocalizedBindings, Screen[None]):
    """Everything an official looks at first."""

    AUTO_FOCUS = "#table"
    """Focused while composing, so the first frame already has the focused table's styles."""

    BINDINGS = [
        Binding("q", "app.quit", "quit"),
        Binding("r", "app.reload", "reload"),
        Binding("e", "app.enter", "enter"),
        Binding("c", "app.close_quarter", "close_key", show=False),
        Binding("left_square_bracket", "app.period(-1)", "quarter", key_display="[ ]"),
        Binding("right_square_bracket", "app.period(1)", show=False),
        Binding("t", "app.today", "today_key", show=False),
        Binding("slash", "filter", "filter", key_display="/"),
        Binding("b", "behind", "behind"),
        Binding("o", "sort", "sort"),
        Binding("s", "app.snapshot", "snapshot"),
        Binding("enter", "open_row", "key.details", key_display="Enter"),
        Binding("question_mark", "app.help", "help", key_display="?"),
        Binding("exclamation_mark", "app.alerts", "alerts", key_display="!"),
        Binding("ctrl+p", "app.command_palette", "key.palette", key_display="Ctrl+P"),
        Binding("escape", "clear_filter", "key.back", key_display="Esc"),
    ]

    def __init__(self, lang: str = "vi", back: bool = False) -> None:
        super().__init__()
        self.lang = lang
        self.back = back
        """Opened from the roll-up: Esc goes back to it (and the key line says so)."""
        self._typing: Timer | None = None

    def compose(self) -> ComposeResult:
        """Header, cards, summary, message, filter, table, footer."""
        lang = self.lang
        yield HeaderBar(lang, id="header")
        with Horizontal(id="cards"):
            # Composed with the screen (hidden until there is data): mounting them later,
            # when the first view arrives, costs a second styling pass over the screen.
            for _ in range(DEFAULT_CARDS):
                card = HeadlineCard(lang)
                card.display = False
                yield card
        yield SummaryBar(lang, id="summary")
        yield Static(Text(t(lang, "loading")), id="message", markup=False)
        box = Input(placeholder=t(lang, "filter_placeholder"), id="filter", compact=True)
        box.display = False
        yield box
        yield IndicatorTable(lang, id="table")
        yield KeyBar(hide=() if self.back else ("escape",))

    def on_mount(self) -> None:
        """Keys go to the table first."""
        self.table.focus()

    @property
    def table(self) -> IndicatorTable:
        """The table of all indicators."""
        return self.query_one(IndicatorTable)

    def show_view(
        self, view: View, now: dt.datetime, checked_at: dt.datetime | None = None
    ) -> None:
        """Put a freshly loaded view on screen."""
        self.query_one(HeaderBar).show(view, now, checked_at)
        self.query_one("#message").display = False
        evs = headline(view)
        box = self.query_one("#cards", Horizontal)
        cards = list(box.query(HeadlineCard))
        if len(cards) != len(evs):
            box.remove_children()
            cards = [HeadlineCard(self.lang) for _ in evs]
            box.mount_all(cards)
        for card, ev in zip(cards, evs, strict=True):
            card.show(view, ev)
            card.display = True
        self.query_one(SummaryBar).show(view.board)
        self.table.show(view.board)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The cursor on an indicator: it has been looked at (its alert mark goes)."""
        key = event.row_key.value
        if key is not None and key in self.table.marked:
            self.post_message(LookedAt(key))

    def show_error(self, text: str) -> None:
        """Say in the body why there is nothing to show (first load failed)."""
        message = self.query_one("#message", Static)
        message.update(Text(f"{t(self.lang, 'load_failed')}\n\n{text}"))
        message.add_class("-error")
        message.display = True

    def action_open_row(self) -> None:
        """Enter outside the table: the detail view of the row under the cursor."""
        from chitieu_tui.messages import OpenDetail

        indicator_id = self.table.current_id()
        if indicator_id is not None:
            self.post_message(OpenDetail(indicator_id))

    def action_clear_filter(self) -> None:
        """Close the filter box and show every row again; with no filter, back to the roll-up
        (when the dashboard was opened from one)."""
        if not self.query_one("#filter", Input).display and not self.table.query_text:
            from chitieu_tui.messages import BackToRollup

            self.post_message(BackToRollup())
            return
        self.close_filter()

    def _stop_typing(self) -> None:
        """Drop a filtering still waiting for a pause in typing."""
        if self._typing is not None:
            self._typing.stop()
            self._typing = None

    def on_input_changed(self, event: Input.Changed) -> None:
        """Filter as the official types (after a short pause when the table is large)."""
        self._stop_typing()
        if self.table.row_count <= LARGE:
            self.table.set_query(event.value)
        else:
            value = event.value
            self._typing = self.set_timer(0.2, lambda: self.table.set_query(value))
