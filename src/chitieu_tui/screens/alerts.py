"""The alerts of the quarter shown (`!`): Enter opens an indicator's detail, Esc closes."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from chitieu_tui.core.alerts import Alert
from chitieu_tui.core.source import View
from chitieu_tui.i18n import t
from chitieu_tui.present.alerts import line, title
from chitieu_tui.screens.localized import LocalizedBindings


class AlertsScreen(LocalizedBindings, ModalScreen[str | None]):
    """One line per alert; Enter closes it with its indicator's id (the dashboard then opens
    that indicator's detail)."""

    BINDINGS = [
        Binding("escape", "dismiss", "close", key_display="Esc"),
        Binding("exclamation_mark", "dismiss", show=False),
    ]

    def __init__(self, view: View, alerts: list[Alert]) -> None:
        super().__init__()
        self.view = view
        self.alerts = alerts

    def compose(self) -> ComposeResult:
        """The title, the list (or that there is none) and the footer."""
        board = self.view.board
        heading = Static(Text(title(board, len(self.alerts))), markup=False)
        heading.add_class("alerts-title")
        yield heading
        options: list[Option] = []
        seen: set[str] = set()
        for a in self.alerts:  # an indicator behind and marked for follow-up: two lines
            key = a.indicator_id if a.indicator_id not in seen else f"{a.indicator_id}#{a.kind}"
            seen.add(key)
            options.append(Option(Text(line(a, board)), id=key))
        box = OptionList(*options, id="alerts", markup=False)
        box.border_title = t("alerts_screen")
        yield box
        yield Footer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter: the indicator's detail, over the dashboard."""
        if 0 <= event.option_index < len(self.alerts):
            self.dismiss(self.alerts[event.option_index].indicator_id)
