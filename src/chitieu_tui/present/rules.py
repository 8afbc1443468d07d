"""Rules between figures in words (DESIGN section 15): the count of broken rules, one
rule with its message and both sides' values in the reader's number format, its state
and importance."""

from __future__ import annotations

from chitieu_tui.core.rules import Result, broken, side_shown
from chitieu_tui.i18n import t

_IMPORTANCE = {
    "high": "rule.importance.high",
    "medium": "rule.importance.medium",
    "low": "rule.importance.low",
}
_STATE = {
    "holds": "rule.state.holds",
    "broken": "rule.state.broken",
    "skipped": "rule.state.skipped",
}


def op_text(op: str) -> str:
    """The operator as shown: as written, `both` in words."""
    return t("rule.op.both") if op == "both" else op


def line(result: Result) -> str:
    """`Số đảng viên mới …: moi = 1.500 <= tong = 1.430`."""
    rule = result.rule
    return t(
        "rule.line",
        message=rule.message,
        left=side_shown(rule.left, result.left),
        op=op_text(rule.op),
        right=side_shown(rule.right, result.right),
    )


def importance(result: Result) -> str:
    """`bắt buộc` / `cần xem` / `lưu ý`."""
    return t(_IMPORTANCE[result.rule.importance])


def state(result: Result) -> str:
    """`đúng` / `vi phạm` / `chưa đủ số liệu`."""
    return t(_STATE[result.state])


def item(result: Result) -> str:
    """`[cần xem] <line>`: one rule in a list."""
    return t("rule.item", importance=importance(result), line=line(result))


def detail_line(result: Result) -> str:
    """`vi phạm — [cần xem] <line>`: one rule in the detail view, with its state."""
    return t("rule.detail_line", state=state(result), item=item(result))


def broken_count(results: list[Result]) -> str:
    """`2 quy tắc bị vi phạm`; "" when none is."""
    n = len(broken(results))
    return t("rule.broken_n", n=n) if n else ""


def written_broken(results: list[Result]) -> list[str]:
    """After a write: the heading and one line per broken rule (none: an empty list)."""
    found = broken(results)
    if not found:
        return []
    return [t("rule.written_broken", n=len(found)), *(item(r) for r in found)]
