"""The journal and who/when as officials read them: one line per change, `(sửa tay)`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chitieu_tui.core.model import Approved, Closed, Entry, Returned
from chitieu_tui.i18n import t
from chitieu_tui.present import fmt
from chitieu_tui.present.time import datetime_text

if TYPE_CHECKING:  # the journal's reader: a report that shows no journal never loads it
    from chitieu_tui.core.journal import Change

_NOTICED = {"hand": "j_by_hand", "found": "j_found", "interrupted": "j_interrupted"}
"""Changes noticed in the file and the catalog keys naming them in place of who."""


def who_text(change: Change) -> str:
    """Who made a change: the name, or `(sửa tay)` for one noticed in the file."""
    if change.hand:
        return t(_NOTICED.get(change.via, "j_by_hand"))
    return change.by or t("j_unknown")


def value_text(value: float | bool | None) -> str:
    """A journal value: `1.430`, `Đã xong`, or `(trống)` for none."""
    if value is None:
        return t("j_empty")
    return fmt.number(value, 6)


def what_text(change: Change, name: str | None = None) -> str:
    """`bhyt: 85 → 90`, or the closing or reopening with its reason."""
    if change.via == "close":
        return t("j_closed", reason=change.reason)
    if change.via == "reopen":
        return t("j_reopened", reason=change.reason)
    if change.via == "approve":
        return t("j_approved")  # its note follows, as a value's does
    if change.via == "return":
        return t("j_returned", reason=change.reason)
    if change.via == "followup":
        return t("j_followup_cleared", id=name or change.id, value=value_text(change.new))
    old, new = value_text(change.old), value_text(change.new)
    text = t("j_change", id=name or change.id, old=old, new=new)
    if change.followup:
        why = ", ".join(t(f"fu.code.{code}") for code in change.followup.split())
        text = t("j_followup_marked", change=text, why=why)
    return text


def change_line(change: Change) -> str:
    """`08:30 02/04/2026 · Nguyễn Văn A · lệnh set · bhyt: 85 → 90 · note`."""
    parts = [datetime_text(change.at), who_text(change)]
    if not change.hand:
        parts.append(t("j_via_" + change.via))
    parts.append(what_text(change))
    if change.note:
        parts.append(change.note.replace("\n", " "))
    return " · ".join(parts)


def entered_text(entry: Entry) -> str:
    """`Nguyễn Văn A, 08:30 02/04/2026` (empty when the value does not say)."""
    parts = [p for p in (entry.by, datetime_text(entry.at) if entry.at else "") if p]
    return ", ".join(parts)


def closed_text(closed: Closed) -> str:
    """`đã chốt lúc 08:30 02/04/2026 bởi Nguyễn Văn A: họp quý`."""
    return t("j_closed_by", by=closed.by, at=datetime_text(closed.at), reason=closed.reason)


def approved_text(approved: Approved) -> str:
    """`đã duyệt lúc 08:30 02/04/2026, người duyệt: Sở Nội vụ` (and its note)."""
    text = t("state.approved_by", by=approved.by, at=datetime_text(approved.at))
    return f"{text}: {approved.note}" if approved.note else text


def returned_text(returned: Returned) -> str:
    """`bị trả lại lúc 08:30 02/04/2026, người trả: Sở Nội vụ, lý do: thiếu số`."""
    return t(
        "state.returned_by",
        by=returned.by,
        at=datetime_text(returned.at),
        reason=returned.reason,
    )
