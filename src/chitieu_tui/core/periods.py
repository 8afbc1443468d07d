"""Quarters: `2026-Q1` in files, `Quý I/2026` on screen."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from typing import Any

from chitieu_tui.core.errors import DataError, Place
from chitieu_tui.core.records import frozen_dict
from chitieu_tui.i18n import Msg, current, t_in

_PERIOD_RE = re.compile(r"\A([0-9]{4})-Q([1-4])\Z")
YEAR_FIRST = 1900
YEAR_LAST = 2200
"""The years a period may name (`0000-Q1` is no quarter anyone reports on)."""
TODAY_ENV = "CHITIEU_TODAY"
"""`YYYY-MM-DD`: the date taken as today (for tests and rehearsals); unset, the clock's."""
_QUARTER_KEYS = {1: "period.q1", 2: "period.q2", 3: "period.q3", 4: "period.q4"}
"""Catalog keys of a quarter's number as shown (`I` in Vietnamese, `1` in English)."""


@frozen_dict
class Period:
    """One quarter of one year."""

    year: int
    quarter: int

    def __init__(self, year: int, quarter: int) -> None:
        object.__setattr__(self, "year", year)
        object.__setattr__(self, "quarter", quarter)

    # A key of many mappings (progress, values by quarter): its hash, equality and order are
    # written out as `@dataclass(frozen=True, order=True)` makes them (the shared ones of
    # core/records.py cost a call more; `frozen_dict` keeps these).
    def __hash__(self) -> int:
        return hash((self.year, self.quarter))

    def __eq__(self, other: Any) -> bool:
        if other.__class__ is self.__class__:
            return (self.year, self.quarter) == (other.year, other.quarter)
        return NotImplemented

    def __lt__(self, other: Period) -> bool:
        if other.__class__ is self.__class__:
            return (self.year, self.quarter) < (other.year, other.quarter)
        return NotImplemented

    def __le__(self, other: Period) -> bool:
        if other.__class__ is self.__class__:
            return (self.year, self.quarter) <= (other.year, other.quarter)
        return NotImplemented

    def __gt__(self, other: Period) -> bool:
        if other.__class__ is self.__class__:
            return (self.year, self.quarter) > (other.year, other.quarter)
        return NotImplemented

    def __ge__(self, other: Period) -> bool:
        if other.__class__ is self.__class__:
            return (self.year, self.quarter) >= (other.year, other.quarter)
        return NotImplemented

    @classmethod
    def problem(cls, text: object) -> Msg | None:
        """Why `text` is no period (`err.period.format`, `err.period.year_range`); None when
        it is one. Leading and trailing spaces are allowed."""
        match = _PERIOD_RE.match(text.strip()) if isinstance(text, str) else None
        if match is None:
            return Msg("err.period.format", got=repr(text))
        year = int(match.group(1))
        if not YEAR_FIRST <= year <= YEAR_LAST:
            return Msg("err.period.year_range", got=repr(text), first=YEAR_FIRST, last=YEAR_LAST)
        return None

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse `2026-Q1`; raise DataError (`err.period.format`, or `err.period.year_range`
        for a year outside YEAR_FIRST..YEAR_LAST) otherwise. The caller names the place."""
        problem = cls.problem(text)
        if problem is not None:
            raise DataError(problem)
        match = _PERIOD_RE.match(text.strip())
        assert match is not None
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def is_valid(cls, text: str) -> bool:
        """True when `text` is a well-formed period of a sane year (no spaces around)."""
        return (
            isinstance(text, str) and _PERIOD_RE.match(text) is not None and not cls.problem(text)
        )

    @classmethod
    def of(cls, day: dt.date) -> Period:
        """The quarter `day` falls in."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    def label(self, lang: str | None = None) -> str:
        """`Quý I/2026` in Vietnamese, `Q1 2026` in English (None: the current language)."""
        return t_in(
            lang or current(), "period.label", q=Msg(_QUARTER_KEYS[self.quarter]), year=self.year
        )

    def short_label(self, lang: str | None = None) -> str:
        """`I/26` or `Q1 26`: for narrow columns (None: the current language)."""
        yy = f"{self.year % 100:02d}"
        return t_in(
            lang or current(), "period.short_label", q=Msg(_QUARTER_KEYS[self.quarter]), yy=yy
        )

    def next(self) -> Period:
        """The quarter after this one."""
        if self.quarter == 4:
            return Period(self.year + 1, 1)
        return Period(self.year, self.quarter + 1)

    def prev(self) -> Period:
        """The quarter before this one."""
        if self.quarter == 1:
            return Period(self.year - 1, 4)
        return Period(self.year, self.quarter - 1)

    def same_quarter_last_year(self) -> Period:
        """The same quarter one year earlier (so với cùng kỳ)."""
        return Period(self.year - 1, self.quarter)

    def quarters_of_year_so_far(self) -> list[Period]:
        """Q1..this quarter of this year."""
        return [Period(self.year, q) for q in range(1, self.quarter + 1)]


def today() -> dt.date:
    """Today's local date; `CHITIEU_TODAY=YYYY-MM-DD` replaces it (DataError, naming the
    variable, when it is not such a date)."""
    given = os.environ.get(TODAY_ENV)
    if not given:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(given.strip())
    except ValueError:
        raise DataError("err.today.format", Place(TODAY_ENV), got=repr(given)) from None


def current_period(on: dt.date | None = None) -> Period:
    """The quarter of `on` (default: `today()`)."""
    return Period.of(on if on is not None else today())


def step_period(
    current: Period, step: int, have: Iterable[Period], on: dt.date | None = None
) -> Period | tuple[str, Period]:
    """`[` / `]` from `current`: the quarter before or after, within the first quarter with
    data and the last one (or the quarter of `on` when later); at an edge, the catalog key
    saying why nothing moves (`period_first`, `period_last`, `period_current`) and that edge."""
    target = current.prev() if step < 0 else current.next()
    now = current_period(on)
    known = sorted(have)
    first, last = (known[0], max(known[-1], now)) if known else (current, max(current, now))
    if step < 0 and target < first:
        return "period_first", first
    if step > 0 and target > last:
        return ("period_current" if last == now else "period_last"), last
    return target


def default_period(periods: Iterable[Period], year: int, on: dt.date | None = None) -> Period:
    """THE default period (docs/cli.md, *Default period*): the newest of `periods` (those with progress) that is
    not after the quarter of `on` (default: `today()`); with none, Q1 of `year` (the
    definitions' year). A stray `2101-Q1.toml`, or a value typed into next quarter, is
    reachable with `--period` or `]`, never the default."""
    candidates = preferred(periods, on)
    return candidates[0] if candidates else Period(year, 1)


def preferred(periods: Iterable[Period], on: dt.date | None = None) -> list[Period]:
    """`periods` in the order a default is looked for: those not after the current quarter,
    newest first (the quarters after it are never a default)."""
    now = current_period(on)
    return sorted((p for p in set(periods) if p <= now), reverse=True)
