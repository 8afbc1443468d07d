"""The themes the app offers: Textual's dark and light themes and those of the terminal's own
16 colours, tuned so every text is at 4.5:1 contrast or more on its background (WCAG AA;
tests/test_themes.py computes it from the screenshots)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from textual.theme import BUILTIN_THEMES, Theme

if TYPE_CHECKING:
    from textual.app import App


def _tuned(name: str, variables: dict[str, str] | None = None, **colours: str) -> Theme:
    theme = BUILTIN_THEMES[name]
    return dataclasses.replace(theme, **colours, variables={**theme.variables, **(variables or {})})


THEMES: dict[str, Theme] = {
    "textual-dark": _tuned(
        "textual-dark",
        {"block-cursor-background": "#1565A8", "block-cursor-foreground": "#FFFFFF"},
        primary="#4AA3F0",
        error="#FF7A93",
    ),
    "textual-light": _tuned(
        "textual-light",
        {
            "foreground-muted": "#4A4A4A",
            "text-muted": "#4A4A4A",
            "footer-key-foreground": "#004578",
        },
        success="#1A6332",
        error="#8A1530",
        warning="#7A4100",
        accent="#7A4100",
    ),
    "ansi-dark": BUILTIN_THEMES["ansi-dark"],
    "ansi-light": _tuned("ansi-light", success="ansi_default"),
}
"""Every theme offered, by name (the names of Textual's, so settings files keep working).
`ansi-light` shows *met* in the terminal's own foreground: green on a light background is
faint in every common palette (xterm 2:1); the ✓ and the words say it."""


def install(app: App[object]) -> None:
    """Offer only THEMES (Textual's others fail the contrast of status colours on their
    backgrounds, e.g. green on light grey)."""
    for name in list(app.available_themes):
        if name not in THEMES:
            app.unregister_theme(name)
    for theme in THEMES.values():
        app.register_theme(theme)
    # The stylesheet took the variables of Textual's own theme when the app was made.
    app.stylesheet.set_variables(app.get_css_variables())
