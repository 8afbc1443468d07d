"""The command palette in the reader's words, where screenshots go, the 16-colour theme.

The palette's commands are each screen's (`Controller.palette_commands`) and the app's
(language, theme, screenshot: `app.AppCommands`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option

from chitieu_tui.i18n import t


class LocalizedPalette(CommandPalette):
    """Textual's command palette with its own words in the app's language: the placeholder
    (a constructor argument) and *No matches found* (drawn by a private countdown of
    Textual 8's CommandPalette, reproduced here with the catalog's words)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(placeholder=t("palette.placeholder"), **kwargs)

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                words = Text(t("palette.no_matches"), style="not bold")
                self.query_one(CommandList).add_option(
                    Option(Align.center(words), disabled=True, id=self._NO_MATCHES)
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)


def screenshot_folder() -> Path:
    """Where the palette's screenshots go: the user data folder's `screenshots/`."""
    from platformdirs import user_data_path  # lazy: only when a screenshot is saved

    return user_data_path("chitieu-tui") / "screenshots"


def default_theme(color_system: str | None, colorfgbg: str | None = None) -> str | None:
    """With 16 colours or fewer, a theme of the terminal's own colours (its default
    foreground and background: readable on light and dark terminals; `ansi-light` when
    COLORFGBG says the background is light); else None (Textual's default)."""
    if color_system not in ("standard", "windows"):
        return None
    background = (colorfgbg or "").split(";")[-1]
    return "ansi-light" if background in ("7", "15") else "ansi-dark"
