"""The province at a glance (issue 24, item 2): one column of the roll-up as bars, one a
unit, and each unit's mix of statuses as a small bar. Pure data and text, no Textual."""

from __future__ import annotations

from dataclasses import dataclass

from chitieu_tui.core.arithmetic import Board, Status
from chitieu_tui.core.collection import Collection
from chitieu_tui.i18n import order_key, t
from chitieu_tui.present import fmt
from chitieu_tui.present.status import STATUS_ORDER


@dataclass(frozen=True, slots=True)
class Bar:
    """One unit's bar: its percent of the annual target and its status."""

    name: str
    percent: float
    status: Status


@dataclass(frozen=True, slots=True)
class ColumnChart:
    """One indicator across the units: bars sorted best first, and the units without data."""

    title: str
    bars: list[Bar]
    missing: list[str]


def column_chart(collection: Collection, column: str, title: str) -> ColumnChart:
    """The bars of `column` (an indicator id) for every unit that has a percent, highest
    first (then by name); the units without one named (no value, no such indicator, not
    readable)."""
    bars: list[Bar] = []
    missing: list[str] = []
    for member in collection.units():
        board = member.board
        ev = board.get(column) if board is not None else None
        if ev is None or ev.percent is None or ev.status is Status.UNJUDGED:
            missing.append(member.name)
            continue
        bars.append(Bar(member.name, ev.percent, ev.status))
    bars.sort(key=lambda b: (-b.percent, order_key(b.name)))
    return ColumnChart(title, bars, missing)


Segment = tuple[str, Status | str | None]
"""A piece of text and what colours it: a status, `target`, `muted`, or nothing."""

BAR = {False: ("█", "│", "┃"), True: ("#", "|", "!")}
"""(bar, the target's mark, the target's mark on a bar); `True`: ASCII only."""


def chart_lines(chart: ColumnChart, width: int, ascii_only: bool = False) -> list[list[Segment]]:
    """The chart in lines of `width` characters: the title, one line a unit (name, bar to
    scale with the 100% target marked, the percent), the units without data."""
    fill, mark, mark_on = BAR[ascii_only]
    lines: list[list[Segment]] = [[(t("rollup.chart_title", name=chart.title), "bold")]]
    texts = [fmt.percent(b.percent) for b in chart.bars]
    value_w = max((len(s) for s in texts), default=0)
    name_w = min(max((len(b.name) for b in chart.bars), default=0), max(10, width // 4))
    bar_w = max(width - name_w - value_w - 2, 5)
    top = max([100.0, *(b.percent for b in chart.bars)])
    target_col = round(100 / top * (bar_w - 1))
    for bar, text in zip(chart.bars, texts, strict=True):
        name = bar.name if len(bar.name) <= name_w else bar.name[: name_w - 1] + "…"
        filled = round(max(bar.percent, 0) / top * bar_w)
        line: list[Segment] = [(name.ljust(name_w) + " ", None)]
        if filled > target_col:
            line += [(fill * target_col, bar.status), (mark_on, "target")]
            line += [(fill * (filled - target_col - 1), bar.status)]
            line += [(" " * (bar_w - filled), None)]
        else:
            line += [(fill * filled, bar.status), (" " * (target_col - filled), None)]
            line += [(mark, "target"), (" " * (bar_w - target_col - 1), None)]
        line.append((" " + text.rjust(value_w), bar.status))
        lines.append(line)
    if not chart.bars:
        lines.append([(t("rollup.chart_empty"), "muted")])
    if chart.missing:
        names = ", ".join(chart.missing)
        lines.append([(t("rollup.chart_missing", names=names), "muted")])
    return lines


def status_mix(board: Board | None) -> dict[Status, int]:
    """How many indicators of a unit are met, on track, behind, without data."""
    if board is None:
        return {s: 0 for s in STATUS_ORDER}
    return {s: board.summary.counts.get(s, 0) for s in STATUS_ORDER}


def mix_cells(counts: dict[Status, int], width: int) -> list[tuple[Status, int]]:
    """The mix as `width` characters, each status its share (largest remainders; a status
    present keeps at least one character when there is room)."""
    total = sum(counts.values())
    if not total or width <= 0:
        return []
    exact = {s: counts.get(s, 0) * width / total for s in STATUS_ORDER}
    cells = {s: int(x) for s, x in exact.items()}
    for s in STATUS_ORDER:
        if counts.get(s, 0) and not cells[s] and sum(cells.values()) < width:
            cells[s] = 1
    left = width - sum(cells.values())
    order = sorted(STATUS_ORDER, key=lambda s: -(exact[s] - int(exact[s])))
    for s in order:
        if left <= 0:
            break
        if counts.get(s, 0):
            cells[s] += 1
            left -= 1
    while sum(cells.values()) > width:  # the minimum of one took more than there was
        biggest = max(STATUS_ORDER, key=lambda s: cells[s])
        cells[biggest] -= 1
    return [(s, cells[s]) for s in STATUS_ORDER if cells[s]]
