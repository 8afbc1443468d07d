"""The texts of one indicator's cells: table rows, report rows, headline cards, details."""

from __future__ import annotations

from chitieu_tui.core.arithmetic import Evaluation, Status
from chitieu_tui.core.errors import DataError
from chitieu_tui.core.model import Indicator
from chitieu_tui.core.periods import Period
from chitieu_tui.i18n import t
from chitieu_tui.i18n.vocabulary import MONEY_WORDS
from chitieu_tui.present import fmt
from chitieu_tui.present.status import label

REPORT_COLUMNS = ("id", "name", "value", "target", "percent", "expected", "status")
"""The columns of `chitieu report` (table and Markdown), in order."""
REPORT_NUMERIC = ("value", "target", "percent", "expected")
"""Right-aligned columns."""


def report_headers(lang: str = "vi") -> list[str]:
    """The report's column headings: `Mã`, `Chỉ tiêu`, … (catalog keys `rep_<column>`)."""
    return [t(lang, f"rep_{c}") for c in REPORT_COLUMNS]


def quantity(x: float | bool | None, unit: str, lang: str = "vi") -> str:
    """A number with its unit (`32 tỉ đồng`), a milestone's `Đã xong`, or `–`."""
    if x is None:
        return fmt.NONE
    if isinstance(x, bool):
        return fmt.done_text(x, lang)
    return fmt.with_unit(x, unit, lang)


def due_period(ind: Indicator, lang: str = "vi", short: bool = False) -> str:
    """A milestone's due quarter: `Quý II/2026` (or `II/26` when `short`); as written if odd."""
    due = ind.due or ""
    try:
        period = Period.parse(due)
    except DataError:
        return due
    return period.short_label(lang) if short else period.label(lang)


def due_text(ind: Indicator, lang: str = "vi", short: bool = False) -> str:
    """`hạn Quý II/2026`, `due Q2 26`."""
    return f"{t(lang, 'due')} {due_period(ind, lang, short)}".strip()


def _unit(ind: Indicator, units: bool) -> str:
    """The unit shown next to numbers: all of them, or only `%` (narrow columns)."""
    return ind.unit if units or ind.unit == "%" else ""


def value_text(ev: Evaluation, lang: str = "vi", units: bool = True) -> str:
    """The figure compared with the target (year to date when reported per quarter)."""
    if ev.value is None:
        return fmt.NONE
    if isinstance(ev.value, bool):
        return fmt.done_text(ev.value, lang)
    return quantity(ev.figure, _unit(ev.indicator, units), lang)


def target_text(ev: Evaluation, lang: str = "vi", units: bool = True, short: bool = False) -> str:
    """The annual target, or a milestone's due quarter (`–` in a year without definitions:
    another year's target is never shown beside these values)."""
    ind = ev.indicator
    if ev.status is Status.UNJUDGED:
        return fmt.NONE
    if ind.kind == "milestone":
        return due_text(ind, lang, short)
    return quantity(ind.target, _unit(ind, units), lang)


def expected_text(ev: Evaluation, lang: str = "vi", units: bool = True) -> str:
    """Where the indicator should be by now."""
    return quantity(ev.expected, _unit(ev.indicator, units), lang)


def row_cells(
    ev: Evaluation, lang: str = "vi", units: bool = True, short: bool = False
) -> dict[str, str]:
    """Every cell of one indicator's row, by column id.

    `units=False`: numbers carry no unit but `%`; `short`: short quarter labels (the table).
    """
    ind = ev.indicator
    return {
        "id": ind.id,
        "name": ind.name,
        "unit": ind.unit,
        "owner": ind.owner,
        "value": value_text(ev, lang, units),
        "target": target_text(ev, lang, units, short),
        "percent": fmt.percent_of(ev, lang),
        "expected": expected_text(ev, lang, units),
        "status": label(ev.status, lang),
    }


def is_money(ev: Evaluation) -> bool:
    """A cumulative amount of money (or with decimals): its card shows the percent first."""
    ind = ev.indicator
    target = ind.target or 0
    return ind.kind == "cumulative" and (
        any(word in ind.unit for word in MONEY_WORDS) or target != int(target)
    )


def card_figure(ev: Evaluation, lang: str = "vi") -> str:
    """A headline card's big figure: `13,75%`, `90% / 95%`, `6 / 30`, `Đã xong`."""
    ind = ev.indicator
    if ev.value is None:
        return fmt.NONE
    if isinstance(ev.value, bool):
        return fmt.done_text(ev.value, lang)
    if ev.status is Status.UNJUDGED:
        return quantity(ev.figure, ind.unit, lang)
    shown = ev.figure
    if ind.unit == "%":
        if ind.target == 100:
            return fmt.percent(shown, lang)
        return f"{fmt.percent(shown, lang)} / {fmt.percent(ind.target, lang)}"
    if is_money(ev):
        return fmt.percent_of(ev, lang)
    return f"{fmt.number(shown, lang)} / {fmt.number(ind.target, lang)}"


def card_detail(ev: Evaluation, lang: str = "vi") -> list[str]:
    """The line under a card's bar, longest form first: `32 / 232,73 tỉ đồng`, `dự kiến 89,75%`."""
    ind = ev.indicator
    if ev.status is Status.UNJUDGED:
        return [t(lang, "unjudged_year", year=ev.period.year), t(lang, "unjudged_short")]
    if ind.kind == "milestone":
        return [due_text(ind, lang)]
    if ev.value is None:
        return [f"{t(lang, 'of_target')} {fmt.with_unit(ind.target, ind.unit, lang)}"]
    shown = ev.figure
    if is_money(ev):
        value, target = fmt.number(shown, lang), fmt.with_unit(ind.target, ind.unit, lang)
        return [f"{value} / {target}", f"{value}/{target}"]
    if ind.unit == "%":
        return [f"{t(lang, 'expected')} {fmt.with_unit(ev.expected, ind.unit, lang)}"]
    share = f"{fmt.percent_of(ev, lang)} {t(lang, 'of_target')}"
    if not ind.unit:
        return [share]
    # The unit follows a number (`20% kế hoạch 30 đảng viên`), never a bare `· đảng viên`.
    target = fmt.with_unit(ind.target, ind.unit, lang)
    return [t(lang, "card_share", percent=fmt.percent_of(ev, lang), target=target), share]


def is_percentage(ind: Indicator) -> bool:
    """Measured in `%` (its year-on-year change is in percentage points)."""
    return ind.unit.strip() == "%"


def change_text(change: float, lang: str = "vi", points: bool = False) -> str:
    """A year-on-year change: `+12%`, `-3%`; in percentage points `+6,3 điểm %` (`+6.3 pts`)."""
    sign = "+" if change >= 0 else "-"
    if points:
        value = fmt.number(abs(change), lang, decimals=1)
        return t(lang, "change_points", sign=sign, value=value)
    return f"{sign}{fmt.number(abs(change), lang, decimals=0)}%"
