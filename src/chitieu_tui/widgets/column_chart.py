"""The roll-up's chart of one column: `present.rollup_chart` lays it out, this colours it."""

from __future__ import annotations

from dataclasses import replace

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

from chitieu_tui.core.arithmetic import Status
from chitieu_tui.present.rollup_chart import ColumnChart, chart_lines
from chitieu_tui.present.status import colour
from chitieu_tui.widgets.path_chart import draws_unicode

STYLES = {"bold": "bold", "target": "bold $foreground", "muted": "$foreground-muted"}


def segment_style(what: Status | str | None) -> str:
    """A status's colour, or the named style; plain for None."""
    if isinstance(what, Status):
        return colour(what)
    return STYLES.get(what or "", "")


class ColumnChartView(Widget):
    """One bar a unit, best first, the 100% target marked; the units without data named."""

    DEFAULT_CSS = "ColumnChartView { height: auto; max-height: 40%; padding: 0 1; }"

    def __init__(self, **kw: str) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.chart: ColumnChart | None = None
        self.ascii_only = not draws_unicode()
        self._made: tuple[ColumnChart | None, int, int, list[Content]] = (None, -1, -1, [])
        """The last lines made: for which chart, width and most lines."""

    def show(self, chart: ColumnChart | None) -> None:
        """Draw `chart` (None: nothing)."""
        if chart != self.chart:
            self.chart = chart
            self.refresh(layout=True)

    def lines(self, width: int) -> list[Content]:
        """The chart's lines (made once per chart and width). Never more bars than the
        screen has lines: the widget shows at most 40% of it, so the others would be cut
        anyway (3,321 units make 3,321 bars)."""
        chart = self.chart
        if chart is None:
            return []
        most = self.screen.size.height if self.is_attached else 0
        made, made_width, made_most, out = self._made
        if made is chart and made_width == width and made_most == most:
            return out
        if most and len(chart.bars) > most:
            chart = replace(chart, bars=chart.bars[:most])
        out = []
        for line in chart_lines(chart, width, self.ascii_only):
            parts: list[tuple[str, str] | str] = [
                (text, segment_style(what)) if what is not None else text for text, what in line
            ]
            out.append(Content.assemble(*parts).truncate(width, ellipsis=True))
        self._made = (self.chart, width, most, out)
        return out

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> Content:
        return Content("\n").join(self.lines(self.content_region.width or 80))


def mix_content(cells: list[tuple[Status, int]], ascii_only: bool = False) -> Content:
    """A unit's status mix as a small bar, each status in its colour."""
    fill = "#" if ascii_only else "▆"
    return Content.assemble(*[(fill * n, colour(s)) for s, n in cells])
