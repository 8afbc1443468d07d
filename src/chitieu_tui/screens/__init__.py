"""The dashboard's screens: the main board, an indicator's details and the help."""

from chitieu_tui.screens.alerts import AlertsScreen
from chitieu_tui.screens.dashboard import DashboardScreen
from chitieu_tui.screens.detail import DetailScreen
from chitieu_tui.screens.entry import EntryScreen
from chitieu_tui.screens.help import HelpScreen

__all__ = ["AlertsScreen", "DashboardScreen", "DetailScreen", "EntryScreen", "HelpScreen"]
