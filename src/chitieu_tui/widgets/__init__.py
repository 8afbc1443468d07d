"""The dashboard's widgets: header line, headline cards, summary and the indicator table."""

from chitieu_tui.widgets.header_bar import HeaderBar
from chitieu_tui.widgets.headline_card import HeadlineCard
from chitieu_tui.widgets.indicator_table import IndicatorTable
from chitieu_tui.widgets.key_bar import KeyBar
from chitieu_tui.widgets.summary_bar import SummaryBar

__all__ = ["HeaderBar", "HeadlineCard", "IndicatorTable", "KeyBar", "SummaryBar"]
