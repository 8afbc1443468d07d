"""Numbers and words as officials read them: `1.430`, `13,75%`, `Đạt/vượt`, `Đã xong`."""

from __future__ import annotations

from chitieu_tui.core.arithmetic import Evaluation, Status
from chitieu_tui.i18n import current, t

_VI_SEPARATORS = str.maketrans(",.", ".,")
NONE = "–"
"""What stands for a missing number."""


def status_label(status: Status) -> str:
    """The word for a status."""
    from chitieu_tui.present.status import label  # lazy: the status table, for a word

    return label(status)


def done_text(done: bool) -> str:
    """A milestone's value: `Đã xong` / `Chưa xong`."""
    return t("done" if done else "not_done")


def number(x: float | int | None, decimals: int = 2) -> str:
    """`1.430`, `232,73`, `13,75` (vi) or `1,430`, `232.73` (en); at most `decimals` decimals."""
    if x is None:
        return NONE
    if isinstance(x, bool):
        return done_text(x)
    text = f"{x:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    if current() != "en":
        text = text.translate(_VI_SEPARATORS)
    return text


def percent(x: float | None) -> str:
    """`13,75%` (vi) or `13.75%` (en)."""
    if x is None:
        return NONE
    return number(x) + "%"


def with_unit(x: float | int | None, unit: str) -> str:
    """`232,73 tỉ đồng`, `90%`."""
    text = number(x)
    if x is None or isinstance(x, bool) or not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def round2(x: float | None) -> float | None:
    """Round to two decimals for machine output (None stays None)."""
    return None if x is None else round(x, 2)


def percent_of(ev: Evaluation) -> str:
    """The percent of target as shown: never `100%` for a target that is not met."""
    p = ev.percent
    if p is not None and ev.status is not Status.MET and round(p, 2) >= 100:
        p = 99.99
    return percent(p)
