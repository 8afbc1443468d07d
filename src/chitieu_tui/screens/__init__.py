"""The dashboard's screens: the main board, an indicator's details and the help.

Each screen is imported when first named (`from chitieu_tui.screens import DetailScreen`),
so that the first frame loads only the screen it shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chitieu_tui.lazy import lazy_names

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


__getattr__ = lazy_names(__name__, _HOMES)
