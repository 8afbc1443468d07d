"""Alerts: indicators behind pace, milestones past due, values missing after the due days,
values marked for follow-up (outliers, DESIGN section 15)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from chitieu_tui.core.arithmetic import Board, Evaluation, Status
from chitieu_tui.core.errors import DataError
from chitieu_tui.core.periods import Period
from chitieu_tui.core.periods import today as periods_today
from chitieu_tui.core.records import frozen


class AlertKind(StrEnum):
    """Why an indicator needs attention, in the order alerts are listed."""

    OVERDUE = "overdue"
    """A milestone due by this quarter and not done."""
    BEHIND = "behind"
    """A number behind the expected pace (status `behind`)."""
    MISSING = "missing"
    """No value, more than `entry_due_days` days after the quarter ended."""
    FOLLOWUP = "followup"
    """A value marked for follow-up (out of line with the unit's history) and not cleared:
    an alert of its own, beside any other the same indicator raises."""


ALERT_ORDER = (AlertKind.OVERDUE, AlertKind.BEHIND, AlertKind.MISSING, AlertKind.FOLLOWUP)


@frozen  # a dataclass without `exec` at import (core/records.py)
class Alert:
    """One indicator that needs attention in one quarter."""

    kind: AlertKind
    evaluation: Evaluation

    def __init__(self, kind: AlertKind, evaluation: Evaluation) -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "evaluation", evaluation)

    @property
    def indicator_id(self) -> str:
        """The indicator's id."""
        return self.evaluation.indicator.id


def today() -> dt.date:
    """The local date (`CHITIEU_TODAY` replaces it: `periods.today`; tests replace this)."""
    return periods_today()


def quarter_end(period: Period) -> dt.date:
    """The last day of the quarter: 31/03, 30/06, 30/09 or 31/12."""
    if period.quarter == 4:
        return dt.date(period.year, 12, 31)
    return dt.date(period.year, 3 * period.quarter + 1, 1) - dt.timedelta(days=1)


def entry_due(period: Period, days: int) -> dt.date:
    """The last day values of `period` are expected by: its end plus `days`."""
    return quarter_end(period) + dt.timedelta(days=days)


def _overdue(ev: Evaluation) -> bool:
    """A milestone not done whose due quarter is this one or earlier."""
    ind = ev.indicator
    if ind.kind != "milestone" or ind.due is None or ev.value is True:
        return False
    try:
        return Period.parse(ind.due) <= ev.period
    except DataError:
        return False


def kind_of(ev: Evaluation, missing_due: bool) -> AlertKind | None:
    """The alert an evaluation raises (None: nothing). `missing_due`: the entry days are over."""
    if ev.status is not Status.UNJUDGED and _overdue(ev):
        return AlertKind.OVERDUE
    if ev.status is Status.BEHIND:
        return AlertKind.BEHIND
    if ev.entry is None and missing_due:
        return AlertKind.MISSING
    return None


def alerts(board: Board, on: dt.date | None = None) -> list[Alert]:
    """Every alert of `board` as of the date `on` (default: today), in `ALERT_ORDER`, each
    kind in the board's order. A year without definitions raises only missing values (and
    marked ones)."""
    on = on if on is not None else today()
    days = board.definitions.dashboard.entry_due_days
    missing_due = on > entry_due(board.period, days)
    found = [
        Alert(kind, ev)
        for ev in board.evaluations
        if (kind := kind_of(ev, missing_due)) is not None
    ]
    found += [Alert(AlertKind.FOLLOWUP, ev) for ev in marked(board)]
    return sorted(found, key=lambda a: ALERT_ORDER.index(a.kind))


def marked(board: Board) -> list[Evaluation]:
    """The evaluations whose value is marked for follow-up, in the board's order."""
    return [
        ev for ev in board.evaluations if ev.entry is not None and ev.entry.followup is not None
    ]


def turned_behind(before: Board | None, after: Board) -> list[str]:
    """Ids of indicators that are behind in `after` and were not in `before` (the same
    quarter, an earlier read); none when `before` is another quarter or absent."""
    if before is None or before.period != after.period:
        return []
    out = []
    for ev in after.evaluations:
        old = before.get(ev.indicator.id)
        if ev.status is Status.BEHIND and (old is None or old.status is not Status.BEHIND):
            out.append(ev.indicator.id)
    return out
