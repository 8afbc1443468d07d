"""Follow-up marks in words (DESIGN section 15): why a value is marked (the words of
`chitieu followup`), who entered it and when, how to clear it, and the mark beside a value."""

from __future__ import annotations

from chitieu_tui.core.model import Entry, Followup
from chitieu_tui.core.periods import Period
from chitieu_tui.i18n import t
from chitieu_tui.present import fmt
from chitieu_tui.present.time import datetime_text

MARK = "⚑"
"""Beside the value of a marked indicator in the table (ASCII: `*`, terminal.py)."""


def why(mark: Followup) -> str:
    """Why a value is marked, with the numbers (`lệch hơn 3 độ lệch chuẩn …`)."""
    from chitieu_tui.core.outliers import reasons  # lazy: the statistics, for a marked value

    return reasons(mark).text()


def by_text(entry: Entry) -> str:
    """Who entered the value (`(không rõ)` when the file does not say)."""
    return entry.by or t("j_unknown")


def at_text(entry: Entry) -> str:
    """When the value was entered (`–` when the file does not say)."""
    return datetime_text(entry.at) if entry.at is not None else fmt.NONE


def detail_line(entry: Entry) -> str:
    """`Cần theo dõi: <why> · nhập bởi <by> lúc <at>` ("" when the value is not marked)."""
    if entry.followup is None:
        return ""
    return t("fu.detail", why=why(entry.followup), by=by_text(entry), at=at_text(entry))


def clear_hint(indicator_id: str, period: Period) -> str:
    """`chitieu followup --clear ID --period P --note "…"` for this value."""
    return t("fu.detail_clear", id=indicator_id, period=str(period))


def count_text(n: int) -> str:
    """`1 số liệu cần theo dõi`; "" when none."""
    return t("fu.count", n=n) if n else ""


def marked_value(entry: Entry | None, shown: str) -> str:
    """A value's cell with the mark beside it when the value is marked."""
    if entry is None or entry.followup is None:
        return shown
    return f"{MARK} {shown}"
