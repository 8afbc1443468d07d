"""A quarter's state in the reporting chain (open, submitted, approved, returned) and the
deadline to submit it (DESIGN section 12, "Approval" and "Deadlines"). Computed from the
progress file alone; reading never writes."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from chitieu_tui.core.model import Closed, Progress, Returned
from chitieu_tui.core.periods import Period
from chitieu_tui.core.records import frozen

State = Literal["open", "submitted", "approved", "returned"]
STATES: tuple[State, ...] = ("open", "submitted", "approved", "returned")
STATE_KEYS: dict[str, str] = {
    "open": "state.open",
    "submitted": "state.submitted",
    "approved": "state.approved",
    "returned": "state.returned",
}
"""The catalog key of each state (its word: *đang nhập*, *đã nộp*, *đã duyệt*, *bị trả lại*)."""

CUTOFF_DAY = 14
"""Figures are taken up to this day of the quarter's last month (default)."""
SEND_DAYS = 2
"""Working days (Mon–Fri) after the cut-off to submit (default)."""


def quarter_state(progress: Progress | None) -> State:
    """`approved` (closed and approved), `submitted` (closed), `returned` (sent back and not
    closed again), else `open` (also: no progress file)."""
    if progress is None:
        return "open"
    if progress.closed is not None:
        return "approved" if progress.closed.approved is not None else "submitted"
    if progress.returned is not None:
        return "returned"
    return "open"


def add_working_days(day: dt.date, days: int) -> dt.date:
    """`day` plus `days` working days (Monday to Friday; holidays are not known)."""
    out = day
    left = days
    while left > 0:
        out += dt.timedelta(days=1)
        if out.weekday() < 5:
            left -= 1
    return out


def deadline(period: Period, cutoff_day: int = CUTOFF_DAY, send_days: int = SEND_DAYS) -> dt.date:
    """The last day to submit `period`: `send_days` working days after the `cutoff_day` of
    its last month (a cut-off past the month's end is its last day)."""
    month = period.quarter * 3
    last = (
        dt.date(period.year, 12, 31)
        if month == 12
        else dt.date(period.year, month + 1, 1) - dt.timedelta(days=1)
    )
    cutoff = dt.date(period.year, month, min(cutoff_day, last.day))
    return add_working_days(cutoff, send_days)


@frozen
class Standing:
    """One unit's quarter against its deadline."""

    state: State
    submitted: dt.date | None
    """The day it was closed (submitted), when it is closed."""
    late: bool
    """Submitted after the deadline, or not submitted and the deadline has passed."""
    overdue: bool
    """Not submitted (open or returned) and the deadline has passed."""

    def __init__(self, state: State, submitted: dt.date | None, late: bool, overdue: bool) -> None:
        object.__setattr__(self, "state", state)
        object.__setattr__(self, "submitted", submitted)
        object.__setattr__(self, "late", late)
        object.__setattr__(self, "overdue", overdue)


def standing(progress: Progress | None, due: dt.date, today: dt.date) -> Standing:
    """Where a unit's quarter stands against `due` on `today`."""
    state = quarter_state(progress)
    closed = progress.closed if progress is not None else None
    if closed is not None:
        day = closed.at.date()
        return Standing(state, day, day > due, False)
    overdue = today > due
    return Standing(state, None, overdue, overdue)


def closed_to_json(closed: Closed | None) -> dict[str, Any] | None:
    """`{"at", "by", "reason", "approved"}` (at in ISO 8601; `approved` null, or `{"at",
    "by", "note", "digest"}`), or None for an open quarter."""
    if closed is None:
        return None
    approved = closed.approved
    return {
        "at": closed.at.isoformat(),
        "by": closed.by,
        "reason": closed.reason,
        "approved": None
        if approved is None
        else {
            "at": approved.at.isoformat(),
            "by": approved.by,
            "note": approved.note,
            "digest": approved.digest,
        },
    }


def returned_to_json(returned: Returned | None) -> dict[str, Any] | None:
    """`{"at", "by", "reason"}` of a quarter sent back and not closed again, or None."""
    if returned is None:
        return None
    return {"at": returned.at.isoformat(), "by": returned.by, "reason": returned.reason}
