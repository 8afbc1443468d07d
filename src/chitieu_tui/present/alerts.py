"""Alerts in words: one line per indicator that needs attention, for the CLI and the TUI."""

from __future__ import annotations

from chitieu_tui.core.alerts import Alert, AlertKind, entry_due
from chitieu_tui.core.arithmetic import Board
from chitieu_tui.i18n import t
from chitieu_tui.present import fmt
from chitieu_tui.present.cells import due_period, expected_text, value_text
from chitieu_tui.present.followup import MARK as FOLLOWUP_MARK
from chitieu_tui.present.followup import why
from chitieu_tui.present.time import date_text

MARK = "!"
"""The mark of an indicator that turned behind and has not been looked at yet."""

_SYMBOLS = {
    AlertKind.OVERDUE: "▼",
    AlertKind.BEHIND: "▼",
    AlertKind.MISSING: "·",
    AlertKind.FOLLOWUP: FOLLOWUP_MARK,
}
_ASCII = {
    AlertKind.OVERDUE: "v",
    AlertKind.BEHIND: "v",
    AlertKind.MISSING: ".",
    AlertKind.FOLLOWUP: "*",
}


def kind_label(kind: AlertKind) -> str:
    """`Chậm tiến độ`, `Mốc quá hạn`, `Thiếu số liệu`, `Cần theo dõi`."""
    return t(f"alert.{kind.value}")


def symbol(kind: AlertKind, ascii_only: bool = False) -> str:
    """A one-cell mark for the kind of alert."""
    return (_ASCII if ascii_only else _SYMBOLS)[kind]


def detail(alert: Alert, board: Board) -> str:
    """What is wrong, with the figures: `13,75% (32 tỉ đồng), dự kiến 58,18 tỉ đồng`."""
    ev = alert.evaluation
    if alert.kind is AlertKind.OVERDUE:
        return t("alert.overdue_detail", due=due_period(ev.indicator))
    if alert.kind is AlertKind.BEHIND:
        return t(
            "alert.behind_detail",
            value=value_text(ev),
            expected=expected_text(ev),
            percent=fmt.percent_of(ev),
        )
    if alert.kind is AlertKind.FOLLOWUP and ev.entry is not None and ev.entry.followup:
        return t("alert.followup_detail", value=value_text(ev), why=why(ev.entry.followup))
    days = board.definitions.dashboard.entry_due_days
    return t("alert.missing_detail", date=date_text(entry_due(board.period, days)))


def line(alert: Alert, board: Board, ascii_only: bool = False) -> str:
    """`▼ Tổng thu ngân sách nhà nước (thu-ngan-sach) — Chậm tiến độ: …`."""
    ind = alert.evaluation.indicator
    return t(
        "alert.line",
        mark=symbol(alert.kind, ascii_only),
        name=ind.name,
        id=ind.id,
        kind=kind_label(alert.kind),
        detail=detail(alert, board),
    )


def title(board: Board, count: int) -> str:
    """`Cảnh báo · Phường Mỹ Thới · Quý I/2026: 7` (or that there is none)."""
    period = board.period.label()
    if not count:
        return t("alert.none", unit=board.definitions.unit.name, period=period)
    return t("alert.title", unit=board.definitions.unit.name, period=period, n=fmt.number(count))
