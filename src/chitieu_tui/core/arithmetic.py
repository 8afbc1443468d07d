"""The arithmetic of targets and pace (docs/arithmetic.md)."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import field
from enum import StrEnum

import msgspec

from chitieu_tui.core.model import Definitions, Entry, Indicator, Progress
from chitieu_tui.core.periods import Period
from chitieu_tui.core.records import FACTORY, frozen, frozen_dict


class Status(StrEnum):
    """Where an indicator stands, in the order statuses are decided."""

    NO_DATA = "no_data"
    MET = "met"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    UNJUDGED = "unjudged"
    """A quarter of a year without definitions: values shown, never judged."""


STATUS_ORDER = (Status.MET, Status.ON_TRACK, Status.BEHIND, Status.NO_DATA)
"""The statuses of a judged board, in the order they are counted and listed."""

YearDefinitions = Callable[[int], Definitions | None]
"""A year's own definitions (None: the year has none, its quarters are shown unjudged)."""


@functools.lru_cache(maxsize=256)
def _due(text: str) -> Period:
    """A milestone's due quarter (parsed once per distinct text)."""
    return Period.parse(text)


def _ge(a: float, b: float) -> bool:
    """a ≥ b, forgiving float noise (0.1 + 0.2 ≥ 0.3)."""
    return a >= b or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


class Evaluation(msgspec.Struct, frozen=True, gc=False):
    """One indicator in one period: its value, pace and status. A Struct the collector does
    not track (nothing it holds refers back to it): a large unit makes one per indicator
    and quarter shown, each ten times cheaper than a slotted frozen dataclass."""

    indicator: Indicator
    period: Period
    entry: Entry | None
    ytd: float | None
    expected: float | None
    percent: float | None
    status: Status

    @property
    def value(self) -> float | bool | None:
        """The value reported for this period, or None."""
        return None if self.entry is None else self.entry.value

    @property
    def figure(self) -> float | None:
        """The number compared with the target: the year to date, or for a decrease the
        period's value (docs/arithmetic.md); None for milestones and without data."""
        if self.entry is None or isinstance(self.entry.value, bool):
            return None
        if self.indicator.direction == "decrease":
            return float(self.entry.value)
        return self.ytd

    @property
    def note(self) -> str:
        """The note reported with the value."""
        return "" if self.entry is None else self.entry.note


def half_up(x: float) -> float:
    """`x` rounded to a whole number, halves up (7.5 → 8, 7.25 → 7, -2.5 → -2)."""
    return float(math.floor(x + 0.5))


def whole_up(x: float) -> float:
    """`x` rounded up to a whole number (7.1 → 8), forgiving float noise (7.0000000001 → 7)."""
    near = round(x)
    return float(near) if math.isclose(x, near, rel_tol=1e-9, abs_tol=1e-9) else float(math.ceil(x))


def expected_at(ind: Indicator, quarter: int) -> float | None:
    """The value expected at the end of quarter `quarter` (None for milestones); a whole
    number for an `integer` indicator (halves up: 30 × 1/4 = 7.5 → 8), which is also the
    number the status is judged against (docs/arithmetic.md)."""
    if ind.kind == "milestone" or ind.target is None:
        return None
    if ind.plan is not None:
        expected = ind.plan[quarter - 1]
    elif ind.kind == "cumulative":
        expected = ind.target * quarter / 4
    elif ind.baseline is not None:
        expected = ind.baseline + (ind.target - ind.baseline) * quarter / 4
    else:
        expected = ind.target
    return half_up(expected) if ind.integer else expected


def year_to_date(ind: Indicator, period: Period, year_values: Mapping[int, Entry]) -> float | None:
    """v_ytd: the sum of quarters 1..q for quarter-reported cumulatives, else v."""
    entry = year_values.get(period.quarter)
    if entry is None or isinstance(entry.value, bool):
        return None
    if ind.kind == "cumulative" and ind.report == "quarter":
        total = 0.0
        for q in range(1, period.quarter + 1):
            e = year_values.get(q)
            if e is not None and not isinstance(e.value, bool):
                total += e.value
        return total
    return float(entry.value)


def unjudged(ind: Indicator, period: Period, year_values: Mapping[int, Entry]) -> Evaluation:
    """One indicator of a year without definitions: its value (and sum), no expected,
    percent or status (docs/arithmetic.md)."""
    entry = year_values.get(period.quarter)
    ytd = year_to_date(ind, period, year_values)
    return Evaluation(ind, period, entry, ytd, None, None, Status.UNJUDGED)


def evaluate(ind: Indicator, period: Period, year_values: Mapping[int, Entry]) -> Evaluation:
    """Evaluate one indicator in `period`, given its values by quarter of the same year."""
    entry = year_values.get(period.quarter)
    expected = expected_at(ind, period.quarter)
    if entry is None:
        return Evaluation(ind, period, None, None, expected, None, Status.NO_DATA)
    if ind.kind == "milestone":
        done = bool(entry.value)
        if done:
            status = Status.MET
        elif ind.due is not None and _due(ind.due) > period:
            status = Status.ON_TRACK
        else:
            status = Status.BEHIND
        return Evaluation(ind, period, entry, None, None, 100.0 if done else 0.0, status)

    ytd = year_to_date(ind, period, year_values)
    assert ytd is not None and ind.target is not None
    v = float(entry.value)
    if ind.direction == "decrease":
        assert ind.baseline is not None
        span = ind.baseline - ind.target
        percent = (ind.baseline - v) / span * 100 if span else None
        if _ge(ind.target, v):
            status = Status.MET
        elif expected is not None and _ge(expected, v):
            status = Status.ON_TRACK
        else:
            status = Status.BEHIND
    else:
        percent = ytd / ind.target * 100 if ind.target else None
        if _ge(ytd, ind.target):
            status = Status.MET
        elif expected is not None and _ge(ytd, expected):
            status = Status.ON_TRACK
        else:
            status = Status.BEHIND
    if percent is not None and not math.isfinite(percent):
        percent = None
    return Evaluation(ind, period, entry, ytd, expected, percent, status)


@frozen_dict
class Summary:
    """Counts of statuses, overall and per group (met / total)."""

    counts: dict[Status, int]
    total: int
    groups: list[tuple[str, str, int, int]] = field(default_factory=list)
    """(group id, group name, met, total), in display order."""

    def __init__(
        self,
        counts: dict[Status, int],
        total: int,
        groups: list[tuple[str, str, int, int]] = FACTORY,
    ) -> None:
        object.__setattr__(self, "counts", counts)
        object.__setattr__(self, "total", total)
        object.__setattr__(self, "groups", [] if groups is FACTORY else groups)

    @property
    def met(self) -> int:
        """How many targets are met or exceeded."""
        return self.counts[Status.MET]


@frozen_dict
class Board:
    """Every indicator of a unit evaluated for one period.

    `evaluations` and `summary` are worked out on first use (then kept): a board of the
    history, of which the screen asks a few indicators (`get`), never evaluates the others.
    `evaluate_board` gives a board already evaluated unless asked for a lazy one. Given
    `evaluations` (`dataclasses.replace(board, evaluations=…)`) are taken as they are.
    """

    definitions: Definitions
    period: Period
    progress: Progress | None
    """The period's progress (None when the period has none yet)."""
    judged: bool = True
    """False for a quarter of a year without definitions: `definitions` then only name the
    indicators (the current year's), every evaluation is `Status.UNJUDGED`."""
    quarters: tuple[tuple[int, Mapping[str, Entry]], ...] = field(default=(), repr=False)
    """The values of the period's year so far, by quarter: what the evaluations come from."""
    _some: dict[str, Evaluation] = field(init=False, repr=False, compare=False)
    """Evaluations made one by one by `get` before all were (the same objects end up in
    `evaluations`)."""

    def __init__(
        self,
        definitions: Definitions,
        period: Period,
        progress: Progress | None,
        judged: bool = True,
        quarters: tuple[tuple[int, Mapping[str, Entry]], ...] = (),
        evaluations: list[Evaluation] | None = None,
    ) -> None:
        for name, value in (
            ("definitions", definitions),
            ("period", period),
            ("progress", progress),
            ("judged", judged),
            ("quarters", quarters),
            ("_some", {}),
        ):
            object.__setattr__(self, name, value)
        if evaluations is not None:
            self.__dict__["evaluations"] = evaluations

    @functools.cached_property
    def evaluations(self) -> list[Evaluation]:
        """Every indicator's evaluation, in the definitions' order. Only a cumulative
        reported per quarter sums the year's quarters (`year_to_date`): every other is
        given its period's value alone, looked up once (what `_one` gives it, without a
        mapping of every quarter made for each of 50,000 indicators)."""
        some = self._some
        one = self._one
        judge = evaluate if self.judged else unjudged
        period = self.period
        q = period.quarter
        now = next((values for n, values in self.quarters if n == q), None)
        if now is None:  # no value in the period: every indicator has none
            now = {}
        out = []
        for ind in self.definitions.indicators:
            found = some.get(ind.id)
            if found is None:
                if ind.kind == "cumulative" and ind.report == "quarter":
                    found = one(ind)
                else:
                    entry = now.get(ind.id)
                    found = judge(ind, period, _NOTHING if entry is None else {q: entry})
            out.append(found)
        return out

    @functools.cached_property
    def summary(self) -> Summary:
        """Counts of statuses, overall and per group."""
        return summarize(self.definitions, self.evaluations)

    @functools.cached_property
    def _index(self) -> dict[str, Evaluation]:
        return {ev.indicator.id: ev for ev in self.evaluations}

    @property
    def by_id(self) -> Mapping[str, Evaluation]:
        """Every evaluation by indicator id, in the definitions' order (made once, shared
        with `get`: not to be changed)."""
        return self._index

    def _one(self, ind: Indicator) -> Evaluation:
        judge = evaluate if self.judged else unjudged
        return judge(
            ind,
            self.period,
            {q: values[ind.id] for q, values in self.quarters if ind.id in values},
        )

    def get(self, indicator_id: str) -> Evaluation | None:
        """The evaluation of one indicator, or None."""
        if "evaluations" in self.__dict__:
            return self._index.get(indicator_id)
        found = self._some.get(indicator_id)
        if found is None:
            ind = _indicator_index(self.definitions).get(indicator_id)
            if ind is None:
                return None
            found = self._some.setdefault(indicator_id, self._one(ind))
        return found

    def evaluated(self) -> Board:
        """This board with every evaluation and the summary worked out (itself)."""
        _ = self.summary
        return self


_NOTHING: Mapping[int, Entry] = {}
"""No value in any quarter (never written to)."""

_INDICATORS: dict[int, tuple[Definitions, dict[str, Indicator]]] = {}
"""Indicators by id of recent definitions, by identity (for `Board.get` of a lazy board)."""


def _indicator_index(defs: Definitions) -> dict[str, Indicator]:
    hit = _INDICATORS.get(id(defs))
    if hit is not None and hit[0] is defs:
        return hit[1]
    index = {ind.id: ind for ind in defs.indicators}
    if len(_INDICATORS) >= _BOARDS_KEPT:
        del _INDICATORS[next(iter(_INDICATORS))]
    _INDICATORS[id(defs)] = (defs, index)
    return index


def summarize(defs: Definitions, evaluations: Iterable[Evaluation]) -> Summary:
    """Count statuses overall and per group."""
    counts = {s: 0 for s in Status}
    per_group: dict[str, list[int]] = {g.id: [0, 0] for g in defs.groups}
    total = 0
    for ev in evaluations:
        counts[ev.status] += 1
        total += 1
        slot = per_group.setdefault(ev.indicator.group, [0, 0])
        slot[1] += 1
        if ev.status is Status.MET:
            slot[0] += 1
    names = {g.id: g.name for g in reversed(defs.groups)}  # `group_name` (the first wins)
    groups = [(gid, names.get(gid, gid), met, n) for gid, (met, n) in per_group.items() if n]
    return Summary(counts, total, groups)


def history_boards(
    defs: Definitions,
    period: Period,
    count: int,
    lookup: Callable[[Period], Progress | None],
    years: YearDefinitions | None = None,
) -> list[Board]:
    """Boards of the `count` periods ending at `period` that have data, oldest first.

    `lookup` gives one period's progress (from a file, the server or a snapshot). `years`
    gives each quarter's own year's definitions: a quarter is judged against them, and
    shown unjudged (with `defs` naming the indicators) when its year has none. Without
    `years`, every quarter is judged against `defs`.
    """
    boards: list[Board] = []
    p = period
    for _ in range(count):
        year: dict[Period, Progress] = {}
        for q in p.quarters_of_year_so_far():
            found = lookup(q)
            if found is not None:
                year[q] = found
        if p in year:
            own = defs if years is None else years(p.year)
            boards.append(evaluate_board(own or defs, p, year, judged=own is not None, lazy=True))
        p = p.prev()
    return boards[::-1]


_BOARDS: dict[tuple[int, ...], tuple[tuple[object, ...], Board]] = {}
"""Recent boards by the identity of what they were evaluated from (see `evaluate_board`)."""
_BOARDS_KEPT = 8


def evaluate_board(
    defs: Definitions,
    period: Period,
    progress: Mapping[Period, Progress],
    *,
    judged: bool = True,
    lazy: bool = False,
) -> Board:
    """Evaluate every indicator for `period`; `progress` holds that period and its year's
    earlier ones. `judged=False`: a year without definitions, values only (`unjudged`).
    `lazy`: a board whose indicators are evaluated when asked (`Board.get`), all of them
    only when its evaluations or summary are used.

    The same definitions and progress objects (a data folder keeps its parsed files until
    they change) give back the same board: the view's board and its history share it, and a
    reload evaluates only the quarters whose files changed.
    """
    used = [progress.get(Period(period.year, q)) for q in range(1, period.quarter + 1)]
    inputs: tuple[object, ...] = (defs, period, judged, *used)
    key = tuple(map(id, inputs))
    hit = _BOARDS.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], inputs, strict=True)):
        return hit[1] if lazy else hit[1].evaluated()
    board = _evaluate_board(defs, period, progress, judged)
    if not lazy:
        board.evaluated()
    if len(_BOARDS) >= _BOARDS_KEPT:
        del _BOARDS[next(iter(_BOARDS))]
    _BOARDS[key] = (inputs, board)
    return board


def _evaluate_board(
    defs: Definitions, period: Period, progress: Mapping[Period, Progress], judged: bool
) -> Board:
    """`evaluate_board` without the reuse, nothing evaluated yet."""
    # The quarters' value tables looked up once, not once per indicator.
    quarters = tuple(
        (q, prog.values)
        for q in range(1, period.quarter + 1)
        if (prog := progress.get(Period(period.year, q))) is not None
    )
    return Board(defs, period, progress.get(period), judged, quarters)


@frozen
class Pace:
    """What is still needed to reach the target by year end, and where the pace leads."""

    remaining: float | None
    """How much is still missing (0 when met; None when it does not apply)."""
    per_quarter: float | None
    """The remaining amount spread over the remaining quarters."""
    per_month: float | None
    """The remaining amount spread over the remaining months."""
    projection: float | None
    """The year-end value if the pace so far continues."""

    def __init__(
        self,
        remaining: float | None,
        per_quarter: float | None,
        per_month: float | None,
        projection: float | None,
    ) -> None:
        object.__setattr__(self, "remaining", remaining)
        object.__setattr__(self, "per_quarter", per_quarter)
        object.__setattr__(self, "per_month", per_month)
        object.__setattr__(self, "projection", projection)


def pace(ev: Evaluation) -> Pace | None:
    """The pace of a numeric indicator with a value (None for milestones, no data and a
    year without definitions)."""
    ind = ev.indicator
    if ev.status is Status.UNJUDGED:
        return None
    if ind.kind == "milestone" or ind.target is None or ev.entry is None or ev.ytd is None:
        return None
    q = ev.period.quarter
    quarters_left = 4 - q
    if ind.direction == "decrease":
        v = float(ev.entry.value)
        remaining = max(0.0, v - ind.target)
        start = ind.baseline if ind.baseline is not None else v
        projection = v - (start - v) * quarters_left / q
    else:
        v = ev.ytd
        remaining = max(0.0, ind.target - v)
        if ind.kind == "cumulative":
            projection = v * 4 / q
        elif ind.baseline is not None:
            projection = v + (v - ind.baseline) * quarters_left / q
        else:
            projection = v
    per_quarter = remaining / quarters_left if quarters_left and remaining else None
    per_month = remaining / (3 * quarters_left) if quarters_left and remaining else None
    if ind.integer:  # whole things: what is still needed rounds up, a projection half up
        remaining = whole_up(remaining)
        per_quarter = None if per_quarter is None else whole_up(per_quarter)
        per_month = None if per_month is None else whole_up(per_month)
        projection = half_up(projection)
    return Pace(remaining, per_quarter, per_month, projection)
