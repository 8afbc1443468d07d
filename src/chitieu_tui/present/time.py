"""Dates, clock times and "how long ago", in the reader's language."""

from __future__ import annotations

import datetime as dt

from chitieu_tui.i18n import current, t


def local_now() -> dt.datetime:
    """The wall clock, in the machine's time zone (the screens' default `now`)."""
    return dt.datetime.now().astimezone()


def date_text(day: dt.date) -> str:
    """`02/04/2026` (vi) or `2026-04-02` (en)."""
    if current() == "en":
        return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def clock_text(when: dt.datetime, tz: dt.tzinfo | None = None) -> str:
    """`08:30`, in `tz` when given (`when` must then be aware)."""
    if tz is not None:
        when = when.astimezone(tz)
    return f"{when.hour:02d}:{when.minute:02d}"


def datetime_text(when: dt.datetime) -> str:
    """`08:30 02/04/2026` (vi) or `2026-04-02 08:30` (en), in `when`'s own time zone."""
    if current() == "en":
        return f"{date_text(when)} {clock_text(when)}"
    return f"{clock_text(when)} {date_text(when)}"


def stamp_text(when: dt.datetime) -> str:
    """A moment in UTC: `2026-04-02 08:30 UTC` (en), `08:30 02/04/2026 UTC` (vi)."""
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC)
    return f"{datetime_text(when)} UTC"


def age_text(seconds: float) -> str:
    """How long ago, from a number of seconds: `vừa xong`, `5 phút trước`, `3 hours ago`."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return t("just_now")
    if seconds < 3600:
        return t("minutes_ago", n=int(seconds // 60))
    if seconds < 86400:
        return t("hours_ago", n=int(seconds // 3600))
    days = int(seconds // 86400)
    return t("one_day_ago") if days == 1 else t("days_ago", n=days)


def age_since(since: dt.datetime, now: dt.datetime) -> str:
    """How long before `now` (aware) the moment `since` (aware) was."""
    return age_text((now - since).total_seconds())
