"""The dashboard's widgets: header line, headline cards, summary and the indicator table.

Each is imported when first named (`from chitieu_tui.widgets import HeaderBar`), so that a
screen importing one widget module (the roll-up's charts, its key bar) does not load the
dashboard's others (issue 23: the roll-up's first frame)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chitieu_tui.lazy import lazy_names

if TYPE_CHECKING:
    from chitieu_tui.widgets.header_bar import HeaderBar
    from chitieu_tui.widgets.headline_card import HeadlineCard
    from chitieu_tui.widgets.indicator_table import IndicatorTable
    from chitieu_tui.widgets.key_bar import KeyBar
    from chitieu_tui.widgets.summary_bar import SummaryBar

__all__ = ["HeaderBar", "HeadlineCard", "IndicatorTable", "KeyBar", "SummaryBar"]

_HOMES = {
    "HeaderBar": "header_bar",
    "HeadlineCard": "headline_card",
    "IndicatorTable": "indicator_table",
    "KeyBar": "key_bar",
    "SummaryBar": "summary_bar",
}


__getattr__ = lazy_names(__name__, _HOMES)
