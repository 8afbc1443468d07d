"""The roll-up as data: one row per unit, the totals row, the header and summary texts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property

from chitieu_tui.core.approval import STATE_KEYS, Standing, deadline, quarter_state, standing
from chitieu_tui.core.arithmetic import Board, Evaluation, Status, expected_at
from chitieu_tui.core.collection import (
    Collection,
    Count,
    Member,
    RunningTotals,
    Total,
    against_province,
    totals,
)
from chitieu_tui.core.periods import today
from chitieu_tui.core.rowcache import BarData, CellData, ChartData, RowData
from chitieu_tui.core.rules import board_results, broken
from chitieu_tui.core.targets import below_assignment, missing_assignment
from chitieu_tui.i18n import current, matches, order_key, search_text, t
from chitieu_tui.present import fmt
from chitieu_tui.present.rollup_chart import Bar, ColumnChart, status_mix
from chitieu_tui.present.status import STATUS, STATUS_ORDER, symbol

Cell = CellData
"""One cell of the scorecard: its text, the status that colours it (None: plain), its
percent (for sorting; None sorts last). The roll-up's cache keeps cells as they are."""


@dataclass(frozen=True)
class UnitRow:
    """One unit of the scorecard."""

    index: int
    """The member's position in the collection (a stable key)."""
    member: Member
    rank: int | None
    """1 = best share of targets met (None: broken)."""
    name: str
    met: int
    total: int
    behind: int
    cells: list[Cell]
    error: str = ""
    offline: bool = False
    mark: str = ""
    """The quarter's values changed after approval or by hand after closing: the words
    (core/chain.py `tamper_mark`), else empty."""
    state: str = "open"
    """The quarter's state (core/approval.py `quarter_state`): open, submitted, approved,
    returned."""
    late: bool = False
    """Submitted after the deadline, or not submitted and the deadline passed."""
    rules: int | None = None
    """How many of the unit's rules (`[[rule]]`) its quarter breaks; None when its
    definitions have no rules (or it is broken)."""
    rules_worst: str = ""
    """The highest importance among the broken rules (`high`, `medium`, `low`), else ""."""
    cached: tuple[tuple[int, ...], bool, str] | None = None
    """A row from the roll-up's cache (core/rowcache.py), its member not read yet: its
    status mix, whether it reports, its unit id (else None: asked of the member)."""

    def mix(self) -> dict[Status, int]:
        """How many indicators are met, on track, behind, without data."""
        if self.cached is not None:
            return dict(zip(STATUS_ORDER, self.cached[0], strict=False))
        return status_mix(self.member.board)

    @property
    def reporting(self) -> bool:
        """Readable and with progress for the period shown."""
        return self.cached[1] if self.cached is not None else self.member.reporting

    @property
    def unit_id(self) -> str:
        """The unit id (the folder's name when unknown)."""
        return self.cached[2] if self.cached is not None else self.member.unit_id

    def rules_text(self) -> str:
        """The broken-rules column: the count, `—` when the unit has no rules, empty for a
        broken unit."""
        if self.rank is None:
            return ""
        return fmt.NONE if self.rules is None else fmt.number(self.rules)

    def state_text(self) -> str:
        """The state column: `đang nhập`, `đã nộp`, `đã duyệt`, `bị trả lại`, with
        ` · trễ hạn` when late; empty for a broken unit."""
        if self.rank is None:
            return ""
        return _state_words(self.state, self.late, current())

    @property
    def share(self) -> float:
        """The share of targets met (0 for a broken unit)."""
        return self.met / self.total if self.total else 0.0

    @cached_property
    def haystack(self) -> str:
        """What the filter searches: the unit's name and ids, folded (made once)."""
        return search_text(f"{self.name} {self.member.key} {self.unit_id}")

    @cached_property
    def name_key(self) -> tuple[str | tuple[int, str], ...]:
        """The name as sorted (`order_key`; made once)."""
        return order_key(self.name)

    def matches(self, query: str) -> bool:
        """Every word of `query` starts a word of the unit's name or id, accents optional."""
        return matches(query, self.haystack)


def percent_cell(ev: Evaluation | None) -> Cell:
    """`✓ 105%`, `▼ 13,75%`, `· –`; blank when the unit has no such indicator."""
    if ev is None:
        return Cell("")
    return Cell(f"{symbol(ev.status)} {fmt.percent_of(ev)}", ev.status, ev.percent)


BELOW_MARK = "↓"
"""Marks a unit's cell whose own target asks less than the province assigned it."""
MISSING_MARK = "∅"
"""Marks the cell of an indicator assigned to a unit that does not have it."""
PROVINCE_MARK = "*"
"""Marks a total compared with the province's own target (targets/<year>.toml)."""


def total_cell(total: Total) -> Cell:
    """`✓ 98,5% (12)`: the total's percent and how many units it covers; `– (0)` if none;
    `✓ 98,5%* (12)` when it is of the province's own target."""
    if total.percent is None:
        text = t("rollup.total_cell", percent=fmt.NONE, n=fmt.number(total.units))
        return Cell(text, None, None)
    shown = fmt.percent(total.percent)
    if total.status is not Status.MET and round(total.percent, 2) >= 100:
        shown = fmt.percent(99.99)
    if total.province is not None:
        shown += PROVINCE_MARK
    text = f"{symbol(total.status)} " + t(
        "rollup.total_cell", percent=shown, n=fmt.number(total.units)
    )
    return Cell(text, total.status, total.percent)


NameKey = tuple[str | tuple[int, str], ...]
"""A name as sorted (`order_key`)."""
RowPart = tuple[list[Cell], str, str, bool, int | None, str, NameKey]
"""What a unit's row takes of its board beyond its summary (`row_part`): its cells (not
marked against the targets handed down), the tamper mark's words, the quarter's state, late,
the rules broken and the worst of them, and its name as sorted. Made in a cold open's
workers (present/coldframe.py)."""


def row_part(collection: Collection, board: Board, columns: list[str]) -> RowPart:
    """A unit's `RowPart` (the collection's deadline, `reporting`, for the state)."""
    # A cached frame's first frame makes no row: the chain (json, hashlib) waits for one.
    # lazy: the journal's chain, only when units' rows are made
    from chitieu_tui.core.chain import MARK_KEYS, tamper_mark

    cells = [percent_cell(board.get(c)) for c in columns]
    mark = tamper_mark(board.progress)
    where = standing_of(collection, board)
    rules, worst = rules_broken(board)
    words = t(MARK_KEYS[mark]) if mark is not None else ""
    key = order_key(board.definitions.unit.name)
    return cells, words, where.state, where.late, rules, worst, key


def unit_rows(
    collection: Collection,
    columns: list[str],
    parts: Sequence[RowPart | None] | None = None,
) -> list[UnitRow]:
    """Every member as a row, ranked by share of targets met (fewest behind, then name).
    `parts`: each member's `RowPart` when already made (a cold open's workers), else each is
    made here from its board."""
    ranked: list[tuple[int, Member, Board, RowPart]] = []
    rows: dict[int, UnitRow] = {}
    for i, m in enumerate(collection.members):
        board = m.board
        if board is None:
            error = m.error.render() if m.error is not None else t("loading")
            rows[i] = UnitRow(i, m, None, m.name, 0, 0, 0, [Cell("")] * len(columns), error)
            continue
        part = parts[i] if parts is not None else None
        ranked.append(
            (i, m, board, part if part is not None else row_part(collection, board, columns))
        )
    ranked.sort(
        key=lambda r: (
            -(r[2].summary.met / r[2].summary.total if r[2].summary.total else 0.0),
            r[2].progress is None,
            r[2].summary.counts[Status.BEHIND],
            r[3][6],
        )
    )
    for rank, (i, m, board, part) in enumerate(ranked, start=1):
        s = board.summary
        cells, mark, state, late, rules, worst, key = part
        below = below_assignment(collection.targets, board.definitions)
        lacking = missing_assignment(collection.targets, board.definitions)
        cells = [
            Cell(f"{x.text} {BELOW_MARK}", x.status, x.percent)
            if c in below
            else Cell(MISSING_MARK)
            if c in lacking
            else x
            for c, x in zip(columns, cells, strict=True)
        ]
        row = rows[i] = UnitRow(
            i,
            m,
            rank,
            m.name,
            s.met,
            s.total,
            s.counts[Status.BEHIND],
            cells,
            "",
            m.offline,
            mark,
            state,
            late,
            rules,
            worst,
        )
        row.__dict__["name_key"] = key  # its `name_key`, made once (the charts sort by it)
    return [rows[i] for i in range(len(collection.members))]


IMPORTANCES = ("high", "medium", "low")
"""Rule importances, the highest first."""


def rules_broken(board: Board) -> tuple[int | None, str]:
    """How many rules the board's quarter breaks (`core/rules.py`), and the highest
    importance among them; (None, "") when the unit's definitions have no rules."""
    if not board.definitions.rules:
        return None, ""
    found = broken(board_results(board))
    worst = next((i for i in IMPORTANCES if any(r.rule.importance == i for r in found)), "")
    return len(found), worst


ColumnPart = tuple[str, str, bool, str, tuple[float, float, float | None, int] | None]
"""One shown column of a unit's board, as the totals, the headings and the left-out line
read it (`column_parts`): its indicator's unit of measure, kind, whether it has no value,
its name, and what `RunningTotals` counts of it (`board_counts`: None when it takes no
part). None for a column the unit does not have."""

Columns = list[ColumnPart | None]


def column_parts(board: Board, columns: list[str]) -> Columns:
    """A board's `ColumnPart`s (made in a cold open's workers instead of sending its
    evaluations)."""
    out: Columns = []
    for c in columns:
        ev = board.get(c)
        if ev is None:
            out.append(None)
            continue
        ind = ev.indicator
        taking = None
        if ev.entry is not None and ev.ytd is not None and ind.target is not None:
            x = expected_at(ind, ev.period.quarter)
            taking = (float(ev.ytd), float(ind.target or 0.0), x, ev.period.quarter)
        out.append((ind.unit, ind.kind, ev.entry is None, ind.name, taking))
    return out


def column_names(
    collection: Collection, columns: list[str], parts: Sequence[Columns | None] | None = None
) -> list[str]:
    """Each column's heading: the indicator's name in the first unit that has it, else the id.
    `parts`: each member's `column_parts` (a cold open's workers)."""
    names: dict[str, str] = {}
    if parts is not None:
        for m, cols in zip(collection.members, parts, strict=True):
            if m.board is None or cols is None:
                continue
            for c, col in zip(columns, cols, strict=True):
                if c not in names and col is not None:
                    names[c] = col[3]
        return [names.get(c, c) for c in columns]
    for board in collection.boards():
        for c in columns:
            if c not in names and (ev := board.get(c)) is not None:
                names[c] = ev.indicator.name
    return [names.get(c, c) for c in columns]


def column_totals(
    collection: Collection,
    columns: list[str],
    counts: Sequence[list[Count] | None] | None = None,
) -> list[Total]:
    """The totals of the shown columns; a `sum` column the province assigns with a target of
    its own is compared with that target (`against_province`). `counts`: each member's
    evaluations of the columns as `RunningTotals` counts them (a cold open's workers: the
    same totals, float for float), else the boards' own."""
    if counts is not None:
        running = RunningTotals()
        for m, mine in zip(collection.members, counts, strict=True):
            if m.board is not None and mine is not None:
                running.add_counts(mine)
        found = running.totals(columns)
    else:
        found = totals(collection.boards(), columns)
    if collection.targets is None or collection.period is None:
        return found
    quarter = collection.period.quarter
    return [against_province(x, collection.targets, quarter) for x in found]


def header_text(collection: Collection) -> str:
    """`Tỉnh An Giang · Quý I/2026 · 5/6 đơn vị báo cáo`."""
    period = collection.period.label() if collection.period is not None else fmt.NONE
    units = collection.units()  # a unit id in two folders is one unit
    reporting = sum(1 for m in units if m.reporting)
    return t(
        "rollup.header",
        name=collection.name,
        period=period,
        reporting=fmt.number(reporting),
        units=fmt.number(len(units)),
    )


def standing_of(collection: Collection, board: Board) -> Standing:
    """A unit's quarter against the collection's deadline (none: never late); today is
    `core/periods.py` `today()` (CHITIEU_TODAY in tests)."""
    if collection.reporting is None:
        return Standing(quarter_state(board.progress), None, False, False)
    rep = collection.reporting
    due = deadline(board.period, rep.cutoff_day, rep.send_days)
    return standing(board.progress, due, today())


def approval_text(collection: Collection) -> str:
    """`12/40 đơn vị đã nộp · 8 đã duyệt · 3 trễ hạn` (submitted counts approved ones too);
    empty while no unit has submitted and none is late."""
    units = collection.units()
    states = [standing_of(collection, m.board) for m in units if m.board is not None]
    submitted = sum(1 for s in states if s.state in ("submitted", "approved"))
    approved = sum(1 for s in states if s.state == "approved")
    late = sum(1 for s in states if s.late)
    returned = sum(1 for s in states if s.state == "returned")
    if not (submitted or late or returned):
        return ""
    text = t(
        "rollup.approval",
        submitted=fmt.number(submitted),
        units=fmt.number(len(units)),
        approved=fmt.number(approved),
        late=fmt.number(late),
    )
    if returned:
        text += " · " + t("rollup.approval_returned", n=fmt.number(returned))
    return text


def summary_text(collection: Collection) -> str:
    """Units with everything met, units with something behind, targets met of all; then
    the approval counts when there are any (`approval_text`)."""
    boards = collection.boards()
    all_met = sum(1 for b in boards if b.summary.total and b.summary.met == b.summary.total)
    behind = sum(1 for b in boards if b.summary.counts[Status.BEHIND])
    counts = approval_text(collection)
    text = t(
        "rollup.summary",
        all_met=fmt.number(all_met),
        units=fmt.number(len(collection.units())),
        behind=fmt.number(behind),
        met=fmt.number(sum(b.summary.met for b in boards)),
        total=fmt.number(sum(b.summary.total for b in boards)),
    )
    return f"{text} · {counts}" if counts else text


def offline_text(collection: Collection) -> str:
    """Which units show an offline copy (empty when none)."""
    names = [m.name for m in collection.members if m.offline]
    if not names:
        return ""
    shown = ", ".join(names[:5]) + ("…" if len(names) > 5 else "")
    return t("rollup.offline", n=fmt.number(len(names)), names=shown)


def legend() -> list[tuple[str, str, str]]:
    """What the scorecard's marks mean, in order: (mark, word, theme colour), e.g.
    `("▼", "Chậm tiến độ", "$error")`."""
    return [(STATUS[s].symbol, t(STATUS[s].key), STATUS[s].colour) for s in STATUS_ORDER]


LEFT_OUT_SHOWN = 4
"""Units named in the left-out line; the others are counted."""


def _left_out_reasons(
    member: Member,
    columns: list[str],
    names: list[str],
    refs: list[Total],
    cols: Columns | None = None,
) -> list[str]:
    """Why one unit is not in (some of) the totals; empty when it is in all of them.
    `cols`: its board's `column_parts` when already made."""
    if member.error is not None:
        return [t("rollup.why_broken")]
    board = member.board
    if board is None:  # still loading
        return []
    if board.progress is None:
        return [t("rollup.why_no_report")]
    if cols is None:
        cols = column_parts(board, columns)
    reasons: list[str] = []
    missing: list[str] = []
    for col, name, total in zip(cols, names, refs, strict=True):
        ref = total.indicator
        if col is None or ref is None or total.aggregate == "none":
            continue  # no such indicator (a blank cell), or a column nobody adds up
        unit, kind, no_value = col[0], col[1], col[2]
        if (unit, kind) != (ref.unit, ref.kind):
            if unit != ref.unit:
                reasons.append(t("rollup.why_other_unit", name=name, unit=unit))
            else:
                reasons.append(t("rollup.why_other_kind", name=name, kind=t("kind_" + kind)))
        elif no_value:
            missing.append(name)
    if missing:
        reasons.append(t("rollup.why_missing", names=", ".join(missing)))
    return reasons


def left_out_text(
    collection: Collection,
    columns: list[str],
    refs: list[Total] | None = None,
    parts: Sequence[Columns | None] | None = None,
) -> str:
    """The units the totals row leaves out, and why (empty when every unit is in):
    `Tổng chưa tính: Xã Bình Đức (chưa có số liệu quý này); …`. `refs`: the columns'
    totals when already made (`column_totals`); `parts`: each member's `column_parts`."""
    names = column_names(collection, columns, parts)
    if refs is None:
        refs = column_totals(collection, columns)
    out: list[str] = []
    for i, member in enumerate(collection.members):
        if member.duplicate:  # a duplicate folder's unit is in, by its first (`units`)
            continue
        cols = parts[i] if parts is not None else None
        reasons = _left_out_reasons(member, columns, names, refs, cols)
        if reasons:
            out.append(t("rollup.left_out_unit", name=member.name, why="; ".join(reasons)))
    if not out:
        return ""
    shown = " · ".join(out[:LEFT_OUT_SHOWN])
    if len(out) > LEFT_OUT_SHOWN:
        shown = t("rollup.left_out_more", shown=shown, n=fmt.number(len(out) - LEFT_OUT_SHOWN))
    return t("rollup.left_out", units=shown)


# -- the roll-up's cached frame (core/rowcache.py) -----------------------------------------


def row_data(row: UnitRow) -> RowData:
    """A unit's row as cached (its status mix, reporting and id asked of its member now)."""
    mix = row.mix()
    return RowData(
        row.rank,
        row.name,
        row.met,
        row.total,
        row.behind,
        list(row.cells),
        row.error,
        row.offline,
        row.mark,
        row.state,
        row.late,
        row.rules,
        row.rules_worst,
        [mix.get(s, 0) for s in STATUS_ORDER],
        row.reporting,
        row.unit_id,
    )


@cache
def _state_words(state: str, late: bool, words: str) -> str:
    """`UnitRow.state_text` of a state in the current language (`words`, `current()`: the
    cache's key): a handful of texts, each worded once, not once a row (3,321 at the
    country's first frame)."""
    parts = [t(STATE_KEYS[state])]
    if late:
        parts.append(t("state.late"))
    return " · ".join(parts)


def row_of(index: int, member: Member, data: RowData) -> UnitRow:
    """A cached row, for the member at `index` (not read yet)."""
    state = data.state if data.state in STATE_KEYS else "open"
    return UnitRow(
        index,
        member,
        data.rank,
        data.name,
        data.met,
        data.total,
        data.behind,
        data.cells,
        data.error,
        data.offline,
        data.mark,
        state,
        data.late,
        data.rules,
        data.rules_worst,
        (tuple(data.mix), data.reporting, data.unit_id),
    )


def chart_data(chart: ColumnChart) -> ChartData:
    """A column's chart as cached."""
    bars = [BarData(b.name, b.percent, b.status) for b in chart.bars]
    return ChartData(chart.title, bars, list(chart.missing))


def chart_of(data: ChartData) -> ColumnChart:
    """A cached chart."""
    bars = [Bar(b.name, b.percent, b.status) for b in data.bars]
    return ColumnChart(data.title, bars, list(data.missing))


def rows_chart(rows: list[UnitRow], column: int, title: str) -> ColumnChart:
    """`column_chart` of the rows' column `column` (its cells' percents and statuses; the
    later folders of a duplicate unit left out, as `Collection.units` does): the same
    chart, made without the boards."""
    keyed: list[tuple[float, str, Bar]] = []
    missing: list[str] = []
    for row in rows:
        if row.member.duplicate:
            continue
        cell = row.cells[column]
        if cell.percent is None or cell.status is None or cell.status is Status.UNJUDGED:
            missing.append(row.name)
            continue
        keyed.append((-cell.percent, row.name_key, Bar(row.name, cell.percent, cell.status)))
    # by percent, then name: each row's name folded once (`name_key`), not once a column
    keyed.sort(key=lambda k: (k[0], k[1]))
    return ColumnChart(title, [k[2] for k in keyed], missing)
