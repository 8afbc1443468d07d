"""The board's counts as parts (status, count, words), and the sentences built from them."""

from __future__ import annotations

from chitieu_tui.core.arithmetic import STATUS_ORDER, Board, Status
from chitieu_tui.core.records import frozen
from chitieu_tui.i18n import t
from chitieu_tui.present import fmt

SEP = " · "
"""Between the parts of a summary line."""

_KEYS = {
    Status.MET: "summary_met",
    Status.ON_TRACK: "summary_on_track",
    Status.BEHIND: "summary_behind",
    Status.NO_DATA: "summary_no_data",
    Status.UNJUDGED: "summary_unjudged",
}


@frozen  # a dataclass without `exec` at import (core/records.py)
class SummaryPart:
    """One status counted: `8/20 chỉ tiêu đạt và vượt kế hoạch`, `5 đúng tiến độ`."""

    status: Status
    count: int
    text: str

    def __init__(self, status: Status, count: int, text: str) -> None:
        object.__setattr__(self, "status", status)
        object.__setattr__(self, "count", count)
        object.__setattr__(self, "text", text)


@frozen  # a dataclass without `exec` at import (core/records.py)
class GroupPart:
    """Targets met in one field: `Kinh tế 2/6`."""

    group_id: str
    name: str
    met: int
    total: int
    text: str

    def __init__(self, group_id: str, name: str, met: int, total: int, text: str) -> None:
        object.__setattr__(self, "group_id", group_id)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "met", met)
        object.__setattr__(self, "total", total)
        object.__setattr__(self, "text", text)


def summary_parts(board: Board) -> list[SummaryPart]:
    """One part per status, in `STATUS_ORDER`; the first (met) also names the total.

    A board of a year without definitions has one part: values only, not judged."""
    s = board.summary
    if not board.judged:
        year = board.period.year
        return [SummaryPart(Status.UNJUDGED, s.total, t(_KEYS[Status.UNJUDGED], year=year))]
    return [
        SummaryPart(
            status,
            s.counts[status],
            t(_KEYS[status], n=fmt.number(s.counts[status]), total=fmt.number(s.total)),
        )
        for status in STATUS_ORDER
    ]


def group_parts(board: Board) -> list[GroupPart]:
    """One part per field with indicators, in display order (none when not judged)."""
    if not board.judged:
        return []
    return [
        GroupPart(
            gid,
            name,
            met,
            n,
            t("summary_group", name=name, met=fmt.number(met), total=fmt.number(n)),
        )
        for gid, name, met, n in board.summary.groups
    ]


def summary_line(board: Board) -> str:
    """`8/20 chỉ tiêu đạt và vượt kế hoạch · 5 đúng tiến độ · 6 chậm · 1 chưa có số liệu`."""
    return SEP.join(p.text for p in summary_parts(board))


def groups_line(board: Board) -> str:
    """`Xây dựng Đảng 3/6 · Kinh tế 2/6 · …`."""
    return SEP.join(p.text for p in group_parts(board))
