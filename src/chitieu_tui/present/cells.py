"""The texts of one indicator's cells: table rows, report rows, headline cards, details."""

from __future__ import annotations

import operator
from collections.abc import Callable

from chitieu_tui.core.arithmetic import Evaluation, Status
from chitieu_tui.core.errors import DataError
from chitieu_tui.core.model import Indicator
from chitieu_tui.core.periods import Period
from chitieu_tui.i18n import t
from chitieu_tui.i18n.vocabulary import MONEY_WORDS
from chitieu_tui.present import fmt
from chitieu_tui.present.followup import marked_value
from chitieu_tui.present.status import label

REPORT_COLUMNS = ("id", "name", "value", "target", "percent", "expected", "status")
"""The columns of `chitieu report` (table and Markdown), in order."""
REPORT_NUMERIC = ("value", "target", "percent", "expected")
"""Right-aligned columns."""


def report_headers() -> list[str]:
    """The report's column headings: `Mã`, `Chỉ tiêu`, … (catalog keys `rep_<column>`)."""
    return [t(f"rep_{c}") for c in REPORT_COLUMNS]


def quantity(x: float | bool | None, unit: str) -> str:
    """A number with its unit (`32 tỉ đồng`), a milestone's `Đã xong`, or `–`."""
    if x is None:
        return fmt.NONE
    if isinstance(x, bool):
        return fmt.done_text(x)
    return fmt.with_unit(x, unit)


def due_period(ind: Indicator, short: bool = False) -> str:
    """A milestone's due quarter: `Quý II/2026` (or `II/26` when `short`); as written if odd."""
    due = ind.due or ""
    try:
        period = Period.parse(due)
    except DataError:
        return due
    return period.short_label() if short else period.label()


def due_text(ind: Indicator, short: bool = False) -> str:
    """`hạn Quý II/2026`, `due Q2 26`."""
    return f"{t('due')} {due_period(ind, short)}".strip()


def _unit(ind: Indicator, units: bool) -> str:
    """The unit shown next to numbers: all of them, or only `%` (narrow columns)."""
    return ind.unit if units or ind.unit == "%" else ""


def value_text(ev: Evaluation, units: bool = True) -> str:
    """The figure compared with the target (year to date when reported per quarter)."""
    if ev.value is None:
        return fmt.NONE
    if isinstance(ev.value, bool):
        return fmt.done_text(ev.value)
    return quantity(ev.figure, _unit(ev.indicator, units))


def target_text(ev: Evaluation, units: bool = True, short: bool = False) -> str:
    """The annual target, or a milestone's due quarter (`–` in a year without definitions:
    another year's target is never shown beside these values)."""
    ind = ev.indicator
    if ev.status is Status.UNJUDGED:
        return fmt.NONE
    if ind.kind == "milestone":
        return due_text(ind, short)
    return quantity(ind.target, _unit(ind, units))


def expected_text(ev: Evaluation, units: bool = True) -> str:
    """Where the indicator should be by now."""
    return quantity(ev.expected, _unit(ev.indicator, units))


def row_cells(ev: Evaluation, units: bool = True, short: bool = False) -> dict[str, str]:
    """Every cell of one indicator's row, by column id.

    `units=False`: numbers carry no unit but `%`; `short`: short quarter labels (the table).
    """
    ind = ev.indicator
    return {
        "id": ind.id,
        "name": ind.name,
        "unit": ind.unit,
        "owner": ind.owner,
        "value": value_text(ev, units),
        "target": target_text(ev, units, short),
        "percent": fmt.percent_of(ev),
        "expected": expected_text(ev, units),
        "status": label(ev.status),
    }


TABLE_COLUMNS = ("name", "unit", "owner", "value", "target", "percent", "expected")
"""The columns `table_widths` measures (the status column's width is that of its words)."""
_TWO_DECIMALS = "{:,.2f}".format


def number_widths(xs: list[float]) -> list[int]:
    """The width of `fmt.number(x)` for each number of `xs`, made in bulk (one formatting in C
    for each distinct number: a unit's targets and expected values repeat, 50,000 rows hold a
    few hundred; no translation, no catalog): the two languages swap `.` and `,`, which keeps
    the length; every character is ASCII (one cell)."""
    distinct = list(dict.fromkeys(xs))  # -0.0 and 0.0 are one key: both are shown `0`
    texts = [text.rstrip("0").rstrip(".") for text in map(_TWO_DECIMALS, distinct)]
    widths = list(map(len, texts))
    if "-0" in texts:  # `number` shows `-0` as `0`
        widths = [1 if text == "-0" else n for text, n in zip(texts, widths, strict=True)]
    if len(distinct) == len(xs):
        return widths
    return list(map(dict(zip(distinct, widths, strict=True)).__getitem__, xs))


def _quantity_widths(
    xs: list[float | bool | None], percent: list[bool], none: int, done: dict[bool, int]
) -> list[int]:
    """The widths of `quantity(x, "%" or "")` for each of `xs`, `percent[i]` saying whether
    the unit is `%` (`units=False`: no other unit is shown)."""
    nums: list[float] = [x for x in xs if x is not None and x is not True and x is not False]
    if len(nums) == len(xs):  # every one a number (the usual case)
        return list(map(operator.add, number_widths(nums), percent))
    it = iter(number_widths(nums))
    return [
        none if x is None else done[x] if isinstance(x, bool) else next(it) + pct
        for x, pct in zip(xs, percent, strict=True)
    ]


def _text_widths(texts: list[str], width_of: Callable[[str], int]) -> list[int]:
    """`width_of` of each text: their lengths when every character used is one cell wide
    (each distinct character measured once), else measured once per distinct text."""
    joined = "".join(texts)
    if joined.isascii() or all(width_of(ch) == 1 for ch in set(joined)):
        return list(map(len, texts))
    known = {x: width_of(x) for x in set(texts)}
    return [known[x] for x in texts]


def table_widths(evs: list[Evaluation], width_of: Callable[[str], int]) -> dict[str, list[int]]:
    """The width on screen of each cell the table shows (`row_cells(ev, units=False,
    short=True)`, a value marked for follow-up with its mark), per column, for every one of
    `evs`: worked out from the numbers in bulk, without making the texts, which are made only
    for the rows drawn. `width_of` measures a text (the table's). Agrees with measuring the
    texts (tests/test_table_widths.py)."""
    inds = [ev.indicator for ev in evs]
    none = width_of(fmt.NONE)
    done = {True: width_of(fmt.done_text(True)), False: width_of(fmt.done_text(False))}
    pct = [ind.unit == "%" for ind in inds]
    entries = [ev.entry for ev in evs]
    values: list[float | bool | None] = [
        None if e is None else e.value if isinstance(e.value, bool) else ev.figure
        for ev, e in zip(evs, entries, strict=True)
    ]
    value = _quantity_widths(values, pct, none, done)
    for i, e in enumerate(entries):
        if e is not None and e.followup is not None:
            value[i] += width_of(marked_value(e, ""))  # the mark and its space
    unjudged = Status.UNJUDGED
    targets: list[float | bool | None] = [
        None if ev.status is unjudged or ind.kind == "milestone" else ind.target
        for ev, ind in zip(evs, inds, strict=True)
    ]
    target = _quantity_widths(targets, pct, none, done)
    due: dict[str, int] = {}
    for i, (ev, ind) in enumerate(zip(evs, inds, strict=True)):
        if ind.kind == "milestone" and ev.status is not unjudged:
            key = ind.due or ""
            if key not in due:
                due[key] = width_of(due_text(ind, short=True))
            target[i] = due[key]
    met = Status.MET
    percents: list[float | bool | None] = [
        99.99  # as `fmt.percent_of`: never 100% for a target not met
        if (p := ev.percent) is not None and ev.status is not met and round(p, 2) >= 100
        else p
        for ev in evs
    ]
    percent = _quantity_widths(percents, [True] * len(evs), none, done)
    expected = _quantity_widths([ev.expected for ev in evs], pct, none, done)
    return {
        "name": _text_widths([ind.name for ind in inds], width_of),
        "unit": _text_widths([ind.unit for ind in inds], width_of),
        "owner": _text_widths([ind.owner for ind in inds], width_of),
        "value": value,
        "target": target,
        "percent": percent,
        "expected": expected,
    }


def is_money(ev: Evaluation) -> bool:
    """A cumulative amount of money (or with decimals): its card shows the percent first."""
    ind = ev.indicator
    target = ind.target or 0
    return ind.kind == "cumulative" and (
        any(word in ind.unit for word in MONEY_WORDS) or target != int(target)
    )


def card_figure(ev: Evaluation) -> str:
    """A headline card's big figure: `13,75%`, `90% / 95%`, `6 / 30`, `Đã xong`."""
    ind = ev.indicator
    if ev.value is None:
        return fmt.NONE
    if isinstance(ev.value, bool):
        return fmt.done_text(ev.value)
    if ev.status is Status.UNJUDGED:
        return quantity(ev.figure, ind.unit)
    shown = ev.figure
    if ind.unit == "%":
        if ind.target == 100:
            return fmt.percent(shown)
        return f"{fmt.percent(shown)} / {fmt.percent(ind.target)}"
    if is_money(ev):
        return fmt.percent_of(ev)
    return f"{fmt.number(shown)} / {fmt.number(ind.target)}"


def card_detail(ev: Evaluation) -> list[str]:
    """The line under a card's bar, longest form first: `32 / 232,73 tỉ đồng`, `dự kiến 89,75%`."""
    ind = ev.indicator
    if ev.status is Status.UNJUDGED:
        return [t("unjudged_year", year=ev.period.year), t("unjudged_short")]
    if ind.kind == "milestone":
        return [due_text(ind)]
    if ev.value is None:
        return [f"{t('of_target')} {fmt.with_unit(ind.target, ind.unit)}"]
    shown = ev.figure
    if is_money(ev):
        value, target = fmt.number(shown), fmt.with_unit(ind.target, ind.unit)
        return [f"{value} / {target}", f"{value}/{target}"]
    if ind.unit == "%":
        return [f"{t('expected')} {fmt.with_unit(ev.expected, ind.unit)}"]
    share = f"{fmt.percent_of(ev)} {t('of_target')}"
    if not ind.unit:
        return [share]
    # The unit follows a number (`20% kế hoạch 30 đảng viên`), never a bare `· đảng viên`.
    target = fmt.with_unit(ind.target, ind.unit)
    return [t("card_share", percent=fmt.percent_of(ev), target=target), share]


def is_percentage(ind: Indicator) -> bool:
    """Measured in `%` (its year-on-year change is in percentage points)."""
    return ind.unit.strip() == "%"


def change_text(change: float, points: bool = False) -> str:
    """A year-on-year change: `+12%`, `-3%`; in percentage points `+6,3 điểm %` (`+6.3 pts`)."""
    sign = "+" if change >= 0 else "-"
    if points:
        value = fmt.number(abs(change), decimals=1)
        return t("change_points", sign=sign, value=value)
    return f"{sign}{fmt.number(abs(change), decimals=0)}%"
