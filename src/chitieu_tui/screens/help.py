"""The list of keys, in the official's language."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static

from chitieu_tui.i18n import t
from chitieu_tui.screens.localized import LocalizedBindings

KEYS = [
    ("q", "help_q"),
    ("r", "help_r"),
    ("s", "help_s"),
    ("e", "help_e"),
    ("c", "help_c"),
    ("/", "help_slash"),
    ("b", "help_b"),
    ("o", "help_o"),
    ("[  ]", "help_brackets"),
    ("t", "help_t"),
    ("!", "help_alerts"),
    ("1–6", "path.help"),
    ("Enter", "help_enter"),
    ("Esc", "help_escape"),
    ("Ctrl+P", "help_palette"),
    ("?", "help_question"),
]
ROLLUP_KEYS = [
    ("q", "help_q"),
    ("r", "help_r"),
    ("/", "help_rollup_slash"),
    ("b", "help_rollup_b"),
    ("o", "help_o"),
    ("g", "help_rollup_g"),
    ("[  ]", "help_rollup_brackets"),
    ("t", "help_t"),
    ("Enter", "help_rollup_enter"),
    ("Home  End", "help_rollup_home_end"),
    ("Esc", "help_escape"),
    ("Ctrl+P", "help_palette"),
    ("?", "help_question"),
]
"""The roll-up's keys."""
APPROVER_KEYS = [
    ("a", "help_rollup_a"),
    ("R", "help_rollup_return"),
]
"""The roll-up's keys for an approver, after `Enter`."""


class HelpScreen(LocalizedBindings, ModalScreen[None]):
    """Escape (or ?) closes it."""

    BINDINGS = [
        Binding("escape", "dismiss", "close", key_display="Esc"),
        Binding("question_mark", "dismiss", show=False),
    ]

    def __init__(self, rollup: bool = False, approver: bool = False) -> None:
        super().__init__()
        self.keys = ROLLUP_KEYS if rollup else KEYS
        if rollup and approver:
            at = [k for k, _ in ROLLUP_KEYS].index("Enter") + 1
            self.keys = [*ROLLUP_KEYS[:at], *APPROVER_KEYS, *ROLLUP_KEYS[at:]]

    def compose(self) -> ComposeResult:
        """The table of keys."""
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for key, words in self.keys:
            table.add_row(Text(key), Text(t(words)))
        table.add_row(Text(""), Text(""))
        table.add_row(Text(""), Text(t("help_footer"), style="italic"))
        box = Static(table, id="help", markup=False)
        box.border_title = t("help_title")
        yield box
