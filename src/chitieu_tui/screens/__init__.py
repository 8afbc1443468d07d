"""The dashboard's screens: the main board, an indicator's details and the help.

Each screen is imported when first named (`from chitieu_tui.screens import DetailScreen`),
so that the first frame loads only the screen it shows."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chitieu_tui.screens.alerts import AlertsScreen
    from chitieu_tui.screens.dashboard import DashboardScreen
    from chitieu_tui.screens.detail import DetailScreen
    from chitieu_tui.screens.entry import EntryScreen
    from chitieu_tui.screens.help import HelpScreen

__all__ = ["AlertsScreen", "DashboardScreen", "DetailScreen", "EntryScreen", "HelpScreen"]

_HOMES = {
    "AlertsScreen": "alerts",
    "DashboardScreen": "dashboard",
    "DetailScreen": "detail",
    "EntryScreen": "entry",
    "HelpScreen": "help",
}


def __getattr__(name: str) -> Any:
    """A screen class, its module imported on first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
