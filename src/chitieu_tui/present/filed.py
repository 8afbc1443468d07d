"""The words of a report as filed (DESIGN section 14): the head's lines from `[report]`, the
date line, where the figures come from in words an official files, the quarter's state, and
a collection's summary. No office library here: office/docx.py and office/xlsx.py lay it out."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chitieu_tui.core.approval import quarter_state
from chitieu_tui.core.arithmetic import Board, Status
from chitieu_tui.core.model import Progress, ReportHead
from chitieu_tui.core.source import View
from chitieu_tui.i18n import current, t
from chitieu_tui.present import fmt
from chitieu_tui.present.time import date_text, stamp_text

if TYPE_CHECKING:
    from chitieu_tui.core.collection import Collection, Member

NUMBER_GAP = "\u00a0" * 6
"""Where the clerk writes the document's number (`Số      -BC/ĐU`)."""
NAMES_SHOWN = 3
"""At most this many people are named in the provenance (`… và 2 người khác`)."""

EMPTY_HEAD = ReportHead()


def blank(text: str) -> str:
    """`text`, or the dotted blank when it is not given (never invented)."""
    return text or t("doc.blank")


def head_of(head: ReportHead | None) -> ReportHead:
    """`[report]`, or an empty one (every line a dotted blank, the state layout)."""
    return head if head is not None else EMPTY_HEAD


def number_line(head: ReportHead) -> str:
    """`Số      -BC/ĐU` (party) or `Số:      /BC-UBND` (state); the number left blank."""
    key = "doc.number_party" if head.style == "party" else "doc.number_state"
    return t(key, number=NUMBER_GAP, symbol=blank(head.symbol))


def date_line(head: ReportHead, day: dt.date) -> str:
    """`Mỹ Thới, ngày 02 tháng 4 năm 2026`: a day below 10 and the months 1 and 2 with a
    leading zero (Decree 30/2020/NĐ-CP, appendix I)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    if current() == "en":
        month = f"{day.month:02d}"
    return t(
        "o.date_line", place=blank(head.place), day=f"{day.day:02d}", month=month, year=day.year
    )


def _people(board: Board) -> str:
    """Who entered the quarter's figures: the names in `by`, most often first."""
    counts: Counter[str] = Counter()
    for ev in board.evaluations:
        if ev.entry is not None and ev.entry.by.strip():
            counts[ev.entry.by.strip()] += 1
    names = [name for name, _ in counts.most_common()]
    if not names:
        return board.definitions.unit.name
    if len(names) <= NAMES_SHOWN:
        return ", ".join(names)
    shown = ", ".join(names[:NAMES_SHOWN])
    return t("doc.and_others", names=shown, n=fmt.number(len(names) - NAMES_SHOWN))


def _updated(board: Board) -> dt.date | None:
    """The day the figures are up to: `as_of`, else the newest entry's day."""
    progress = board.progress
    if progress is None:
        return None
    if progress.as_of is not None:
        return progress.as_of
    days = [ev.entry.at.date() for ev in board.evaluations if ev.entry and ev.entry.at]
    return max(days) if days else None


def provenance(view: View) -> str:
    """`Số liệu do Phường Mỹ Thới nhập, cập nhật đến 31/03/2026.`: who entered the figures
    (the names they signed with, else the unit) and up to when; never a folder or an address."""
    board = view.board
    if board.progress is None:
        return t(
            "doc.provenance_none", unit=board.definitions.unit.name, period=board.period.label()
        )
    who = _people(board)
    day = _updated(board)
    if day is None:
        return t("doc.provenance_undated", who=who)
    return t("doc.provenance", who=who, date=date_text(day))


def state_line(progress: Progress | None) -> str:
    """`Tình trạng báo cáo: đã duyệt ngày 05/04/2026 (Sở Tài chính)` (core/approval.py)."""
    state = quarter_state(progress)
    if progress is None or state == "open":
        words = t("doc.state_open")
    elif state == "returned" and progress.returned is not None:
        back = progress.returned
        words = t(
            "doc.state_returned", date=date_text(back.at.date()), by=back.by, reason=back.reason
        )
    else:
        closed = progress.closed
        assert closed is not None
        if state == "approved" and closed.approved is not None:
            ok = closed.approved
            words = t("doc.state_approved", date=date_text(ok.at.date()), by=ok.by)
        else:
            words = t("doc.state_submitted", date=date_text(closed.at.date()), by=closed.by)
    return t("doc.state_line", state=words)


@dataclass(frozen=True)
class LeftOut:
    """A unit not in the totals, and why."""

    name: str
    why: str
    """`broken` (its files could not be read) or `no_data` (no figures for the period)."""

    def text(self) -> str:
        """`Phường X (số liệu lỗi)`."""
        key = "doc.left_broken" if self.why == "broken" else "doc.left_no_data"
        return t(key, name=self.name)


def left_out(collection: Collection) -> list[LeftOut]:
    """The units left out of the totals: unreadable ones, and those without figures."""
    out = []
    for m in collection.units():
        if m.board is None:
            out.append(LeftOut(m.name, "broken"))
        elif m.board.progress is None:
            out.append(LeftOut(m.name, "no_data"))
    return out


def took_part(collection: Collection) -> int:
    """How many units' figures the totals add up (readable and reporting)."""
    return sum(1 for m in collection.units() if m.reporting)


def _behind_causes(m: Member) -> list[str]:
    """Each indicator of `m` behind pace with its stated cause (`(chưa ghi)` when none)."""
    board = m.board
    assert board is not None
    none = t("o.cause_none")
    return [
        t(
            "doc.sum_behind_item",
            indicator=ev.indicator.name,
            cause=(ev.entry.cause if ev.entry is not None else "") or none,
        )
        for ev in board.evaluations
        if ev.status is Status.BEHIND
    ]


@dataclass(frozen=True)
class SummaryPart:
    """One paragraph of a collection's summary, and the items listed under it."""

    text: str
    items: tuple[str, ...] = ()


def collection_summary(collection: Collection) -> list[SummaryPart]:
    """The province's summary from the totals (DESIGN section 14): units reporting, units
    with every target met, each column's total, the units behind and their stated causes,
    the units not reporting and those left out."""
    # lazy: present.rollup pulls core.collection (asyncio); only for a collection's summary
    from chitieu_tui.present.rollup import column_totals

    units = collection.units()
    period = collection.period.label() if collection.period is not None else ""
    reporting = [m for m in units if m.reporting]
    parts = [
        SummaryPart(
            t(
                "doc.sum_reporting",
                n=fmt.number(len(reporting)),
                total=fmt.number(len(units)),
                period=period,
            )
        )
    ]
    all_met = [
        m.name
        for m in reporting
        if m.board is not None
        and m.board.judged
        and m.board.summary.total
        and m.board.summary.counts[Status.MET] == m.board.summary.total
    ]
    parts.append(
        SummaryPart(
            t("doc.sum_all_met", names=", ".join(all_met)) if all_met else t("doc.sum_all_met_none")
        )
    )
    lines = []
    for total in column_totals(collection, collection.shown_columns()):
        if total.value is None:
            continue
        integer = total.indicator is not None and total.indicator.integer
        value = fmt.with_unit(round(total.value) if integer else total.value, total.unit)
        if total.percent is not None:
            pct = fmt.percent(total.percent)
            lines.append(
                t(
                    "doc.sum_total",
                    name=total.name,
                    value=value,
                    percent=pct,
                    units=fmt.number(total.units),
                )
            )
        else:
            lines.append(
                t(
                    "doc.sum_total_value",
                    name=total.name,
                    value=value,
                    units=fmt.number(total.units),
                )
            )
    if lines:
        parts.append(SummaryPart(t("doc.sum_totals"), tuple(lines)))
    behind = [m for m in reporting if m.board is not None and m.board.summary.counts[Status.BEHIND]]
    if behind:
        parts.append(SummaryPart(t("doc.sum_behind")))
        for m in behind:
            assert m.board is not None
            n = m.board.summary.counts[Status.BEHIND]
            parts.append(
                SummaryPart(t("doc.sum_behind_unit", unit=m.name, n=n), tuple(_behind_causes(m)))
            )
    else:
        parts.append(SummaryPart(t("doc.sum_behind_none")))
    gone = left_out(collection)
    silent = [g.name for g in gone if g.why == "no_data"]
    if silent:
        parts.append(SummaryPart(t("doc.sum_not_reporting", names=", ".join(silent))))
    broken = [g.text() for g in gone if g.why == "broken"]
    if broken:
        parts.append(SummaryPart(t("doc.sum_left_out", items="; ".join(broken))))
    return parts


def sheet_lines(view: View) -> list[str]:
    """Under a unit sheet's title: `Đơn vị: …` (the second row, which `chitieu import` reads),
    the period, where the figures come from in words, the quarter's state, an offline copy,
    a year without targets."""
    board = view.board
    lines = [
        f"{t('o.unit')}: {board.definitions.unit.name}",
        f"{t('o.period')}: {board.period.label()}",
        provenance(view),
        state_line(board.progress),
    ]
    if view.stale:
        since = view.stale_since or view.loaded_at
        lines.append(f"{t('o.offline')}: {t('o.offline_since', since=stamp_text(since))}")
    if not board.judged:
        lines.append(f"{t('o.unjudged')}: {t('summary_unjudged', year=board.period.year)}")
    return lines
