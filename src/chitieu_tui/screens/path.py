"""One headline card's year's path on its own (keys 1–6 on the dashboard); Esc closes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer

from chitieu_tui.core.arithmetic import Evaluation
from chitieu_tui.core.source import View
from chitieu_tui.present.path import year_path
from chitieu_tui.screens.localized import LocalizedBindings
from chitieu_tui.widgets.path_chart import PathChart


class PathScreen(LocalizedBindings, ModalScreen[None]):
    """The chart of `present.path`, titled with the indicator's name (as plain text)."""

    BINDINGS = [Binding("escape", "dismiss", "close", key_display="Esc")]

    def __init__(self, view: View, ev: Evaluation) -> None:
        super().__init__()
        self.view = view
        self.ev = ev

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="path"):
            yield PathChart(year_path(self.ev, self.view.history, self.view.board.judged))
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#path").border_title = Content(self.ev.indicator.name)
