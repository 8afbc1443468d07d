"""What the command says on stderr: warnings, error panels, how to add an extra."""

from __future__ import annotations

import sys

from chitieu_tui import install_hint
from chitieu_tui.core.errors import ChitieuError, flatten
from chitieu_tui.i18n import t
from chitieu_tui.terminal import use_colour

__all__ = ["install_hint", "print_error", "warn"]


def warn(error: ChitieuError) -> None:
    """A warning on stderr, in yellow on a terminal (without loading Rich)."""
    text = error.render()
    if use_colour(sys.stderr):
        text = f"\x1b[33m{text}\x1b[0m"
    print(text, file=sys.stderr)


def print_error(error: ChitieuError) -> None:
    """A short red panel on stderr, never a traceback."""
    # lazy: rich only when an error panel is printed
    from rich.console import Console
    from rich.panel import Panel
    from rich.text import Text

    body = Text("\n".join(e.render() for e in flatten(error)))
    title = Text(t("error_title"))
    Console(stderr=True, highlight=False).print(
        Panel(body, title=title, border_style="red", expand=False)
    )
