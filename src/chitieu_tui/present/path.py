"""The year's path of one indicator: its figure by quarter this year against the planned path,
last year's path, the target and the projection to year end (issue 24).

Pure data and text, no Textual: `year_path` builds the series from the boards the screen has;
`raster` lays them out on a grid of characters, each tagged with the series it draws (the
widget only colours them); `legend` and `table_rows` say the same in words (the text
fallback on an ASCII terminal). Numbers in the app's format (`1.430`, `13,75`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Literal

from chitieu_tui.core.arithmetic import Board, Evaluation, Status, expected_at, pace
from chitieu_tui.core.periods import Period
from chitieu_tui.core.records import frozen
from chitieu_tui.i18n import t
from chitieu_tui.present import fmt

Role = Literal["actual", "plan", "last", "projection", "target", "axis"]
ROLES: tuple[Role, ...] = ("actual", "plan", "last", "projection", "target", "axis")

QUARTERS = (1, 2, 3, 4)


@frozen  # a dataclass without `exec` at import (core/records.py)
class YearPath:
    """One indicator's year, quarter by quarter (index 0 is Q1); None where nothing is known."""

    name: str
    unit: str
    year: int
    quarter: int
    """The quarter shown: the actual path stops there."""
    status: Status
    start: float | None
    """Where the year starts: 0 for a cumulative, the baseline for a level that has one."""
    actual: tuple[float | None, ...]
    planned: tuple[float | None, ...]
    by_plan: bool
    """True: the quarterly plan; False: the straight pace to the target."""
    last_year: tuple[float | None, ...]
    target: float | None
    projection: float | None
    """The year-end value if this year's pace goes on (None at Q4 or without a pace)."""

    def __init__(
        self,
        name: str,
        unit: str,
        year: int,
        quarter: int,
        status: Status,
        start: float | None,
        actual: tuple[float | None, ...],
        planned: tuple[float | None, ...],
        by_plan: bool,
        last_year: tuple[float | None, ...],
        target: float | None,
        projection: float | None,
    ) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "unit", unit)
        object.__setattr__(self, "year", year)
        object.__setattr__(self, "quarter", quarter)
        object.__setattr__(self, "status", status)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "actual", actual)
        object.__setattr__(self, "planned", planned)
        object.__setattr__(self, "by_plan", by_plan)
        object.__setattr__(self, "last_year", last_year)
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "projection", projection)

    def numbers(self) -> list[float]:
        """Every number drawn."""
        found = [self.start, self.target, self.projection]
        found += [*self.actual, *self.planned, *self.last_year]
        return [x for x in found if x is not None]


def _figure(board: Board | None, indicator_id: str) -> float | None:
    ev = board.get(indicator_id) if board is not None else None
    return None if ev is None else ev.figure


def year_path(ev: Evaluation, boards: Iterable[Board], judged: bool = True) -> YearPath | None:
    """The path of `ev`'s indicator from the boards at hand (this year's and last year's
    quarters that have data); None for a milestone (done or not: nothing to draw)."""
    ind = ev.indicator
    if ind.kind == "milestone":
        return None
    period = ev.period
    by_period = {b.period: b for b in boards}
    actual: list[float | None] = []
    last: list[float | None] = []
    for q in QUARTERS:
        if q == period.quarter:
            actual.append(ev.figure)
        elif q < period.quarter:
            actual.append(_figure(by_period.get(Period(period.year, q)), ind.id))
        else:
            actual.append(None)
        last.append(_figure(by_period.get(Period(period.year - 1, q)), ind.id))
    planned = tuple(expected_at(ind, q) if judged else None for q in QUARTERS)
    projection = None
    if period.quarter < 4 and judged and ev.status is not Status.UNJUDGED:
        p = pace(ev)
        projection = None if p is None else p.projection
    start = 0.0 if ind.kind == "cumulative" and ind.direction == "increase" else ind.baseline
    return YearPath(
        name=ind.name,
        unit=ind.unit,
        year=period.year,
        quarter=period.quarter,
        status=ev.status,
        start=start,
        actual=tuple(actual),
        planned=planned,
        by_plan=ind.plan is not None,
        last_year=tuple(last),
        target=ind.target if judged else None,
        projection=projection,
    )


HEADLINE_DEFAULT = 4
"""Headline cards when `[dashboard] headline` names none: the first four indicators."""


def headline(board: Board) -> list[Evaluation]:
    """The evaluations of the headline indicators (`[dashboard] headline`, else the first
    four): the dashboard's cards and the documents' charts (issue 24)."""
    ids = board.definitions.dashboard.headline or [
        ind.id for ind in board.definitions.indicators[:HEADLINE_DEFAULT]
    ]
    found = (board.get(i) for i in ids)
    return [ev for ev in found if ev is not None]


def quarter_label(q: int) -> str:
    """`Quý I` / `Q1`."""
    return t("path.quarter", q=t(f"period.q{q}"))


def nice_step(span: float, intervals: int) -> float:
    """A round step (1, 2 or 5 × 10^k) cutting `span` into about `intervals` parts."""
    raw = span / max(intervals, 1)
    if raw <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 5, 10):
        if mult * power >= raw:
            return float(mult * power)
    return float(10 * power)


def axis(path: YearPath, intervals: int = 3) -> tuple[float, float, float]:
    """(low, high, step) of the value axis: from 0 for a growing cumulative, else around the
    numbers; the ends on round steps."""
    numbers = path.numbers() or [0.0]
    low, high = min(numbers), max(numbers)
    if low >= 0 and (path.start == 0.0 or low <= (high - low) * 0.5):
        low = 0.0
    if math.isclose(low, high):
        low, high = low - 1, high + 1
    step = nice_step(high - low, intervals)
    low = math.floor(low / step + 1e-9) * step
    high = math.ceil(high / step - 1e-9) * step
    return low, high, step


Cell = tuple[str, Role | None]

GLYPHS: dict[bool, dict[Role, tuple[str, str]]] = {
    False: {
        "actual": ("●", "━"),
        "plan": ("○", "─"),
        "last": ("×", "┄"),
        "projection": ("◇", "┈"),
        "target": ("╌", "╌"),
        "axis": ("┤", "│"),
    },
    True: {
        "actual": ("O", "#"),
        "plan": ("o", "-"),
        "last": ("x", "."),
        "projection": (">", ":"),
        "target": ("=", "="),
        "axis": ("+", "|"),
    },
}
"""Each series's (point, line) characters; `True`: ASCII only."""


def _series(path: YearPath) -> list[tuple[Role, list[tuple[int, float]]]]:
    """The series as (x, value) points, x 0 the start of the year, 1..4 the quarters; drawn
    in this order (the actual last, on top)."""

    def points(values: tuple[float | None, ...], start: float | None) -> list[tuple[int, float]]:
        found = [(0, start)] if start is not None else []
        found += [(q, v) for q, v in zip(QUARTERS, values, strict=True) if v is not None]
        return [(x, float(v)) for x, v in found if v is not None]

    start_last = 0.0 if path.start == 0.0 else None  # last year's own baseline is not known
    series: list[tuple[Role, list[tuple[int, float]]]] = [
        ("last", points(path.last_year, start_last)),
        ("plan", points(path.planned, path.start)),
    ]
    if path.projection is not None:
        here = path.actual[path.quarter - 1]
        if here is not None:
            series.append(("projection", [(path.quarter, here), (4, path.projection)]))
    series.append(("actual", points(path.actual, path.start)))
    return series


def by_quarter(path: YearPath) -> dict[Role, list[float | None]]:
    """Each series drawn as its values at x 0 (the year's start) to 4 (Q4), None where it
    has no point (the documents' data tables; the same points as the terminal's chart)."""
    out: dict[Role, list[float | None]] = {}
    for role, points in _series(path):
        row: list[float | None] = [None] * 5
        for x, value in points:
            row[x] = value
        out[role] = row
    return out


def raster(path: YearPath, width: int, height: int, ascii_only: bool = False) -> list[list[Cell]]:
    """The chart on `width` × `height` characters: the value axis with its numbers on the
    left, the plot, and a last line naming the quarters. Each cell is (char, role or None)."""
    glyphs = GLYPHS[ascii_only]
    low, high, step = axis(path)
    ticks = [low + i * step for i in range(round((high - low) / step) + 1)]
    labels = [fmt.number(x) for x in ticks]
    label_w = max(len(s) for s in labels)
    plot_w = max(width - label_w - 1, 9)
    rows = max(height - 1, 3)
    grid: list[list[Cell]] = [[(" ", None)] * (label_w + 1 + plot_w) for _ in range(rows)]
    # Lines in braille: 2 × 4 dots a character (ASCII: one mark a character).
    xs, ys = (1, 1) if ascii_only else (2, 4)

    def sy(value: float) -> int:
        return round((high - value) / (high - low) * (rows * ys - 1))

    def sx(quarter: float) -> int:
        return round(quarter * (plot_w * xs - 1) / 4)

    def y(value: float) -> int:
        return sy(value) // ys

    def x(quarter: float) -> int:
        return label_w + 1 + sx(quarter) // xs

    def put(col: int, row: int, char: str, role: Role) -> None:
        if 0 <= row < rows and label_w < col < len(grid[row]):
            grid[row][col] = (char, role)

    for row in range(rows):
        grid[row][label_w] = (glyphs["axis"][1], "axis")
    for tick, text in zip(ticks, labels, strict=True):
        row = y(tick)
        for i, char in enumerate(text.rjust(label_w)):
            grid[row][i] = (char, "axis")
        grid[row][label_w] = (glyphs["axis"][0], "axis")
    if path.target is not None:
        row = y(path.target)
        for col in range(label_w + 1, label_w + 1 + plot_w):
            put(col, row, glyphs["target"][1], "target")
    series = _series(path)
    if ascii_only:
        _ascii_lines(series, glyphs, x, y, put)
    else:
        _braille_lines(series, sx, sy, lambda c, r, ch, role: put(label_w + 1 + c, r, ch, role))
    marked = sorted(series, key=lambda s: ("plan", "last", "projection", "actual").index(s[0]))
    for role, points in marked:  # last year's points over the plan's: facts over intentions
        for xq, value in points:
            if xq:
                put(x(xq), y(value), glyphs[role][0], role)
    footer: list[Cell] = [(" ", None)] * (label_w + 1 + plot_w)
    for q in QUARTERS:
        text = quarter_label(q)
        left = min(max(x(q) - len(text) // 2, label_w + 1), len(footer) - len(text))
        for i, char in enumerate(text):
            footer[left + i] = (char, "axis")
    return [*grid, footer]


_BRAILLE = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))
"""The dot bits of a braille character by (column, row) within it."""

Points = list[tuple[int, float]]


def _ascii_lines(
    series: list[tuple[Role, Points]],
    glyphs: dict[Role, tuple[str, str]],
    x: Callable[[float], int],
    y: Callable[[float], int],
    put: Callable[[int, int, str, Role], None],
) -> None:
    """Each series's lines one mark a character, `/` and `\\` where they climb or fall."""
    for role, points in series:
        line = glyphs[role][1]
        for (x0, v0), (x1, v1) in zip(points, points[1:], strict=False):
            c0, c1 = x(x0), x(x1)
            before = y(v0)
            for col in range(c0 + 1, c1):
                row = y(v0 + (v1 - v0) * (col - c0) / (c1 - c0))
                put(col, row, "/" if row < before else "\\" if row > before else line, role)
                before = row


def _braille_lines(
    series: list[tuple[Role, Points]],
    sx: Callable[[float], int],
    sy: Callable[[float], int],
    put: Callable[[int, int, str, Role], None],
) -> None:
    """Each series's lines in braille dots (solid, or dotted for last year and the
    projection); where two series share a character the later one takes it whole."""
    cells: dict[tuple[int, int], tuple[int, Role]] = {}
    for role, points in series:
        dotted = role in ("last", "projection")
        for (x0, v0), (x1, v1) in zip(points, points[1:], strict=False):
            a, b = sx(x0), sx(x1)
            before = sy(v0)
            for s in range(a, b + 1):
                here = sy(v0 + (v1 - v0) * (s - a) / (b - a)) if b > a else sy(v1)
                if dotted:
                    dots = [here] if s % 2 == 0 else []
                else:
                    dots = list(range(min(before, here), max(before, here) + 1))
                before = here
                for r in dots:
                    key = (s // 2, r // 4)
                    bits, owner = cells.get(key, (0, role))
                    bits = bits if owner == role else 0
                    cells[key] = (bits | _BRAILLE[s % 2][r % 4], role)
    for (col, row), (bits, role) in cells.items():
        put(col, row, chr(0x2800 + bits), role)


def legend(path: YearPath, ascii_only: bool = False) -> list[tuple[Role, str]]:
    """The series named, each with its glyph and the number that matters, in the app's words:
    `● Thực hiện Quý I: 32`, `○ Kế hoạch theo quý`, `× Năm 2025`, `◇ Dự kiến cuối năm: 128`,
    `╌ Chỉ tiêu: 232,73 tỉ đồng`."""
    glyphs = GLYPHS[ascii_only]
    here = path.actual[path.quarter - 1]
    out: list[tuple[Role, str]] = [
        (
            "actual",
            t("path.actual", quarter=quarter_label(path.quarter), value=fmt.number(here)),
        )
    ]
    if any(v is not None for v in path.planned):
        out.append(("plan", t("path.plan" if path.by_plan else "path.pace")))
    if any(v is not None for v in path.last_year):
        out.append(("last", t("path.last_year", year=path.year - 1)))
    if path.projection is not None:
        out.append(("projection", t("path.projection", value=fmt.number(path.projection))))
    if path.target is not None:
        out.append(("target", t("path.target", value=fmt.with_unit(path.target, path.unit))))
    return [(role, f"{glyphs[role][0]} {text}") for role, text in out]


def table_rows(path: YearPath) -> list[list[str]]:
    """The text fallback: a header and one row per quarter (actual, planned, last year)."""
    rows = [[t("path.col_quarter"), t("path.col_actual"), t("path.col_plan"), str(path.year - 1)]]
    for q in QUARTERS:
        rows.append(
            [
                quarter_label(q),
                fmt.number(path.actual[q - 1]),
                fmt.number(path.planned[q - 1]),
                fmt.number(path.last_year[q - 1]),
            ]
        )
    return rows
