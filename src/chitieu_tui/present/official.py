"""The official table of design §11 as data: provenance, columns, group and indicator rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chitieu_tui.core.arithmetic import Board, Evaluation, Status
from chitieu_tui.core.source import View
from chitieu_tui.i18n import t
from chitieu_tui.present.journal import closed_text
from chitieu_tui.present.origin import source_text
from chitieu_tui.present.status import label
from chitieu_tui.present.time import date_text, stamp_text

COLUMNS = (
    "stt",
    "name",
    "unit",
    "target",
    "quarter",
    "ytd",
    "percent",
    "expected",
    "last_year",
    "status",
    "note",
)
"""The columns of §11: STT · Chỉ tiêu · ĐVT · Kế hoạch năm · Thực hiện quý · Lũy kế · % KH ·
Dự kiến · So cùng kỳ · Đánh giá · Ghi chú (catalog keys `o.col_<column>`)."""
WHO_COLUMNS = ("by", "at", "cause", "remedy")
"""Who entered the value, when, its cause and remedy: after the §11 columns."""
NUMBER_COLUMNS = ("target", "quarter", "ytd", "expected")
PERCENT_COLUMNS = ("percent", "last_year")
"""Stored as fractions (0.1375) in a spreadsheet, shown `13,75%`."""


def title(view: View) -> str:
    """`Báo cáo kết quả thực hiện chỉ tiêu Quý I/2026`."""
    return t("o.title", period=view.board.period.label())


def headers(who: bool = True) -> list[str]:
    """The column headings in the reader's language."""
    cols = COLUMNS + WHO_COLUMNS if who else COLUMNS
    return [t(f"o.col_{c}") for c in cols]


def provenance(view: View) -> list[tuple[str, str]]:
    """Where the figures come from, as (label, value) lines: unit, period, as of, source,
    offline/stale when it is, closed when it is."""
    board = view.board
    progress = board.progress
    if progress is None:
        as_of = t("no_progress")
    elif progress.as_of is not None:
        as_of = date_text(progress.as_of)
    else:
        as_of = "–"
    lines = [
        (t("o.unit"), board.definitions.unit.name),
        (t("o.period"), board.period.label()),
        (t("o.as_of"), as_of),
        (t("o.source"), source_text(view)),
    ]
    if view.stale:
        since = view.stale_since or view.loaded_at
        lines.append((t("o.offline"), t("o.offline_since", since=stamp_text(since))))
    if progress is not None and progress.closed is not None:
        lines.append((t("o.closed"), closed_text(progress.closed)))
    if not board.judged:
        lines.append((t("o.unjudged"), t("summary_unjudged", year=board.period.year)))
    return lines


def provenance_line(view: View) -> str:
    """The provenance on one line: `Đơn vị: Phường Mỹ Thới · Kỳ báo cáo: Quý I/2026 · …`."""
    return " · ".join(f"{k}: {v}" for k, v in provenance(view))


@dataclass(frozen=True)
class Row:
    """One indicator's row: numbers as numbers (None: empty), texts as data."""

    stt: int
    ev: Evaluation
    name: str
    unit: str
    target: float | None
    quarter: float | bool | None
    ytd: float | None
    percent: float | None
    """A fraction of the percent rounded as shown: 0.1375 for 13,75%."""
    expected: float | None
    last_year: float | None
    """This year's figure over last year's same quarter's, as a fraction (1.05 = 105%)."""
    status: Status
    status_text: str
    note: str
    by: str
    at: dt.datetime | None
    cause: str
    remedy: str

    @property
    def id(self) -> str:
        """The indicator's id."""
        return self.ev.indicator.id

    def cells(self) -> dict[str, object]:
        """Every cell by column id (numbers as numbers, None for empty)."""
        return {
            "stt": self.stt,
            "name": self.name,
            "unit": self.unit,
            "target": self.target,
            "quarter": self.quarter,
            "ytd": self.ytd,
            "percent": self.percent,
            "expected": self.expected,
            "last_year": self.last_year,
            "status": self.status_text,
            "note": self.note,
            "by": self.by,
            "at": self.at,
            "cause": self.cause,
            "remedy": self.remedy,
        }


@dataclass(frozen=True)
class GroupRow:
    """A field's heading row (`I. Xây dựng Đảng`)."""

    number: str
    name: str


def _roman(n: int) -> str:
    numerals = (
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    )
    out = ""
    for value, letters in numerals:
        while n >= value:
            out += letters
            n -= value
    return out


def _board_of(view: View, period: object) -> Board | None:
    for b in view.history:
        if b.period == period:
            return b
    return None


def quarter_value(ev: Evaluation, view: View) -> float | bool | None:
    """What was done in the quarter: a quarter-reported cumulative's value, a year-to-date
    cumulative's increase on the quarter before (its own value in Q1; None when the quarter
    before is not known), a level's value, a milestone's done."""
    ind = ev.indicator
    if ev.entry is None:
        return None
    if isinstance(ev.entry.value, bool):
        return ev.entry.value
    value = float(ev.entry.value)
    if ind.kind != "cumulative" or ind.report == "quarter" or ev.period.quarter == 1:
        return value
    before = _board_of(view, ev.period.prev())
    prev = before.get(ind.id) if before is not None else None
    if prev is None or prev.entry is None or isinstance(prev.entry.value, bool):
        return None
    return value - float(prev.entry.value)


def _compared(ev: Evaluation) -> float | None:
    """The figure compared with the target (None for milestones and without data)."""
    return ev.figure


def last_year_ratio(ev: Evaluation, view: View) -> float | None:
    """This quarter's figure over the same quarter last year's (None when either is missing)."""
    board = view.last_year()
    if board is None:
        return None
    old = board.get(ev.indicator.id)
    now = _compared(ev)
    then = _compared(old) if old is not None else None
    if now is None or then is None or then == 0:
        return None
    return now / then


def rows(view: View) -> list[Row | GroupRow]:
    """The table's rows: a heading per field, then its indicators, numbered 1, 2, … within."""
    board = view.board
    out: list[Row | GroupRow] = []
    group = None
    n_group = 0
    stt = 0
    for ev in board.evaluations:
        ind = ev.indicator
        if ind.group != group:
            group = ind.group
            n_group += 1
            stt = 0
            out.append(GroupRow(_roman(n_group), board.definitions.group_name(group)))
        stt += 1
        entry = ev.entry
        judged = ev.status is not Status.UNJUDGED
        target = ind.target if judged and ind.kind != "milestone" else None
        out.append(
            Row(
                stt=stt,
                ev=ev,
                name=ind.name,
                unit=ind.unit,
                target=target,
                quarter=quarter_value(ev, view),
                ytd=ev.figure,
                percent=None if ev.percent is None else round(round(ev.percent, 2) / 100, 6),
                expected=ev.expected if judged else None,
                last_year=last_year_ratio(ev, view),
                status=ev.status,
                status_text="" if not judged else label(ev.status),
                note=entry.note if entry is not None else "",
                by=entry.by if entry is not None else "",
                at=entry.at if entry is not None else None,
                cause=entry.cause if entry is not None else "",
                remedy=entry.remedy if entry is not None else "",
            )
        )
    return out


def behind(view: View) -> list[Row]:
    """The indicators behind pace, in table order (the docx's last part)."""
    return [r for r in rows(view) if isinstance(r, Row) and r.status is Status.BEHIND]


HEADER_FILL = "D9E1F2"
"""The header row's fill in the workbook and the Word table."""

STATUS_FILL = {
    Status.MET: "C6EFCE",
    Status.ON_TRACK: "DDEBF7",
    Status.BEHIND: "FFC7CE",
    Status.NO_DATA: "EDEDED",
}
"""Light fills for printed status cells, one per status of present/status.py (its colour
variables: $success green, $primary blue, $error red, $foreground-muted grey)."""
STATUS_INK = {
    Status.MET: "006100",
    Status.ON_TRACK: "1F4E79",
    Status.BEHIND: "9C0006",
    Status.NO_DATA: "595959",
}
"""The text colour on each fill."""
